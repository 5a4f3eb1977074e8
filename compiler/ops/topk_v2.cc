// topk_v2: the k largest (or smallest) elements along the last axis, in
// order, and their indices (TFLite TOPK_V2, ONNX TopK).
//
// Operand: x (f32, i8, i32; rank ≥ 1). Attributes: `k` (1 to the last
// dimension), `largest` (1, the default: the largest first; 0: the smallest
// first). Outputs: values [..., k] of x's type (an int8 output keeps x's
// quantization: the stored values are copied), indices [..., k] (i32 or
// i64, the output tensor's type).
//
// Order: by value (descending for largest, ascending otherwise), equal
// values by index, the lower first (TFLite's and ONNX's rule). A NaN counts
// as worse than every number in both directions (it comes last); NaNs among
// themselves by index. The reference and the generated C select the same
// way: pick j is the best element ranked after pick j − 1 in this total
// order, O(n·k) compares and no scratch memory. int8 compares the stored
// values (the scale is positive, so the order is the real values' order).
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

struct Geometry {
  int64_t rows = 1, n = 0, k = 0;
  bool largest = true;
};

Expected<Geometry> GetGeometry(const ir::Graph& g, const ir::Node& n) {
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  if (x.shape.empty()) return NodeError(n, "the input is a scalar; top-k works along the last axis");
  Geometry r;
  r.n = x.shape.back();
  r.rows = ir::NumElements(x.shape) / (r.n > 0 ? r.n : 1);
  int64_t largest = 1;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "k", 0, &r.k));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "largest", 1, &largest));
  if (r.k < 1 || r.k > r.n) {
    return NodeError(n, "k " + std::to_string(r.k) + " for a last axis of " + std::to_string(r.n) + " elements",
                     "k is from 1 to the size of the last axis");
  }
  if (largest != 0 && largest != 1) return NodeError(n, "largest " + std::to_string(largest), "largest is 0 or 1");
  r.largest = largest == 1;
  return r;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 2));
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  if (x.dtype != ir::DType::kFloat32 && x.dtype != ir::DType::kInt8 && x.dtype != ir::DType::kInt32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(x.dtype) + " is not supported; supported: f32, i8, i32");
  }
  const ir::Tensor& idx = g.tensor(n.outputs[1]);
  if (idx.dtype != ir::DType::kInt32 && idx.dtype != ir::DType::kInt64) {
    return NodeError(n, std::string("index type ") + ir::DTypeName(idx.dtype) + " is not supported; supported: i32, i64");
  }
  const ir::Tensor& v = g.tensor(n.outputs[0]);
  if (x.dtype == ir::DType::kInt8 && x.quant && v.quant && x.quant != v.quant) {
    return NodeError(n, "the values' quantization differs from the input's",
                     "top-k copies the stored values: give the values the input's quantization");
  }
  EMBER_ASSIGN_OR_RETURN(const Geometry geo, GetGeometry(g, n));
  ir::Shape out = x.shape;
  out.back() = geo.k;
  return std::vector<TensorType>{{x.dtype, out}, {idx.dtype, out}};
}

// a ranks before b (a, b at indices ia < ib or not) in the total order.
template <typename T>
bool Before(T a, int64_t ia, T b, int64_t ib, bool largest) {
  const bool a_nan = a != a, b_nan = b != b;  // NOLINT(misc-redundant-expression): NaN test
  if (a_nan || b_nan) return a_nan == b_nan ? ia < ib : b_nan;
  if (a != b) return largest ? a > b : a < b;
  return ia < ib;
}

template <typename T, typename I>
void EvalTyped(const EvalArgs& a, const Geometry& geo) {
  const T* x = a.in<T>(0);
  T* values = a.out<T>(0);
  I* indices = a.out<I>(1);
  for (int64_t r = 0; r < geo.rows; ++r) {
    const T* row = x + r * geo.n;
    int64_t prev = -1;
    for (int64_t j = 0; j < geo.k; ++j) {
      int64_t best = -1;
      for (int64_t c = 0; c < geo.n; ++c) {
        if (prev >= 0 && !Before(row[prev], prev, row[c], c, geo.largest)) continue;  // not after the last pick
        if (best < 0 || Before(row[c], c, row[best], best, geo.largest)) best = c;
      }
      values[r * geo.k + j] = row[best];
      indices[r * geo.k + j] = static_cast<I>(best);
      prev = best;
    }
  }
}

template <typename T>
void EvalIndex(const EvalArgs& a, const Geometry& geo) {
  if (a.out_tensor(1).dtype == ir::DType::kInt64) EvalTyped<T, int64_t>(a, geo);
  else EvalTyped<T, int32_t>(a, geo);
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const Geometry geo, GetGeometry(a.graph, a.node));
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kFloat32: EvalIndex<float>(a, geo); break;
    case ir::DType::kInt8: EvalIndex<int8_t>(a, geo); break;
    default: EvalIndex<int32_t>(a, geo); break;
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kTopkV2Def = {ir::OpKind::kTopkV2, "f32, i8, i32 -> f32, i8, i32 + i32, i64", Infer, Eval, nullptr};

}  // namespace ember::ops
