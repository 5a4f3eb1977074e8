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

// Calls f(index) for each element of each line along the axis, in summing order.
template <typename F>
void ForEachLine(const CumsumGeometry& c, F f) {
  for (int64_t o = 0; o < c.outer; ++o) {
    for (int64_t i = 0; i < c.inner; ++i) {
      f.start();
      for (int64_t k = 0; k < c.depth; ++k) {
        const int64_t d = c.reverse ? c.depth - 1 - k : k;
        f.step((o * c.depth + d) * c.inner + i);
      }
    }
  }
}

template <typename T, typename Add>
void Plain(const EvalArgs& a, const CumsumGeometry& c, Add add) {
  const T* x = a.in<T>(0);
  T* y = a.out<T>(0);
  struct Line {
    const T* x;
    T* y;
    Add add;
    bool exclusive;
    T acc{};
    void start() { acc = T{}; }
    void step(int64_t at) {
      if (exclusive) {
        y[at] = acc;
        acc = add(acc, x[at]);
      } else {
        acc = add(acc, x[at]);
        y[at] = acc;
      }
    }
  };
  ForEachLine(c, Line{x, y, add, c.exclusive});
}

struct Int8Line {
  const int8_t* x;
  int8_t* y;
  CumsumInt8 p;
  bool exclusive;
  int32_t acc = 0;
  void start() { acc = Mbqm(WrapShl(-p.z_in, kCumsumLeftShift), p.input); }
  void step(int64_t at) {
    const int32_t scaled = Mbqm(WrapShl(x[at] - p.z_in, kCumsumLeftShift), p.input);
    int32_t sum = 0;
    if (exclusive) {
      sum = acc;
      acc = WrapAdd(acc, scaled);
    } else {
      acc = WrapAdd(acc, scaled);
      sum = acc;
    }
    const int32_t o = Mbqm(sum, p.output) + p.z_out;
    y[at] = static_cast<int8_t>(o < -128 ? -128 : (o > 127 ? 127 : o));
  }
};

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const CumsumGeometry c, GetCumsumGeometry(a.graph, a.node));
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kInt8: {
      EMBER_ASSIGN_OR_RETURN(const CumsumInt8 p, PrepareCumsumInt8(a.graph, a.node));
      ForEachLine(c, Int8Line{a.in<int8_t>(0), a.out<int8_t>(0), p, c.exclusive});
      break;
    }
    case ir::DType::kInt32: Plain<int32_t>(a, c, WrapAdd); break;
    case ir::DType::kInt64:
      Plain<int64_t>(a, c, [](int64_t s, int64_t v) {
        return static_cast<int64_t>(static_cast<uint64_t>(s) + static_cast<uint64_t>(v));
      });
      break;
    default: Plain<float>(a, c, [](float s, float v) { return s + v; });
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kCumsumDef = {ir::OpKind::kCumsum, "i8, i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
