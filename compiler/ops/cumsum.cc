// cumsum: running sum along one axis (TFLite CUMSUM, ONNX CumSum).
//
// Attributes: `axis` (non-negative, below the rank), `exclusive` (0/1: the
// sum of the elements before, not including, each one; the first is 0),
// `reverse` (0/1: sum from the end of the axis).
// float32: the sum in axis order (from the end with reverse), one rounding
// per addition, as TFLite's reference kernel. int32 and int64: wrapping.
// int8: TFLite Micro's arithmetic (ops/cumsum_util.h), input and output
// quantized per tensor.
#include <cstdint>
#include <string>
#include <vector>

#include "ops/cumsum_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  EMBER_RETURN_IF_ERROR(GetCumsumGeometry(g, n).status());
  switch (in.dtype) {
    case ir::DType::kFloat32:
    case ir::DType::kInt32:
    case ir::DType::kInt64: break;
    case ir::DType::kInt8: EMBER_RETURN_IF_ERROR(PrepareCumsumInt8(g, n).status()); break;
    default:
      return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                              " is not supported; supported: i8, i32, i64, f32");
  }
  return std::vector<TensorType>{{in.dtype, in.shape}};
}

// The running sums along the axis, one loop for every dtype: each line's
// sum starts at `start` and adds term(x) element by element in summing
// order (`add`); each element's output is out(sum) of the sum before it
// (exclusive) or after it (inclusive).
template <typename T, typename Acc, typename Term, typename Add, typename Out>
void RunningSums(const EvalArgs& a, const CumsumGeometry& c, Acc start, Term term, Add add, Out out) {
  const T* x = a.in<T>(0);
  T* y = a.out<T>(0);
  for (int64_t o = 0; o < c.outer; ++o) {
    for (int64_t i = 0; i < c.inner; ++i) {
      Acc acc = start;
      for (int64_t k = 0; k < c.depth; ++k) {
        const int64_t at = (o * c.depth + (c.reverse ? c.depth - 1 - k : k)) * c.inner + i;
        const Acc t = term(x[at]);
        if (c.exclusive) y[at] = out(acc);
        acc = add(acc, t);
        if (!c.exclusive) y[at] = out(acc);
      }
    }
  }
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const CumsumGeometry c, GetCumsumGeometry(a.graph, a.node));
  const auto same = [](auto v) { return v; };
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kInt8: {
      EMBER_ASSIGN_OR_RETURN(const CumsumInt8 p, PrepareCumsumInt8(a.graph, a.node));
      const auto scaled = [&](int32_t v) { return Mbqm(WrapShl(v - p.z_in, kCumsumLeftShift), p.input); };
      const auto requantized = [&](int32_t sum) {
        const int32_t o = Mbqm(sum, p.output) + p.z_out;
        return static_cast<int8_t>(o < -128 ? -128 : (o > 127 ? 127 : o));
      };
      RunningSums<int8_t>(a, c, scaled(0), [&](int8_t v) { return scaled(v); }, WrapAdd, requantized);
      break;
    }
    case ir::DType::kInt32: RunningSums<int32_t>(a, c, int32_t{0}, same, WrapAdd, same); break;
    case ir::DType::kInt64:
      RunningSums<int64_t>(a, c, int64_t{0}, same, [](int64_t s, int64_t v) {
        return static_cast<int64_t>(static_cast<uint64_t>(s) + static_cast<uint64_t>(v));
      }, same);
      break;
    default: RunningSums<float>(a, c, 0.0f, same, [](float s, float v) { return s + v; }, same);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kCumsumDef = {ir::OpKind::kCumsum, "i8, i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
