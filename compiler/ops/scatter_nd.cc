// scatter_nd: a copy of the data with slices replaced or combined by index
// tuples (ONNX ScatterND).
//
// Operands: data (any dtype with reduction "none"; f32, i32 or i64 with a
// reduction), indices (int32, constant or computed at run time) of shape
// [..., K], 1 <= K <= rank(data), updates of shape indices.shape[:-1] +
// data.shape[K:] and data's type. Attribute `reduction` ("none" default,
// "add", "mul", "max", "min"). Output: data's shape and type;
//   out = data; for each tuple t in order:
//     out[indices[t], ...] = updates[t, ...]                 (none)
//     out[indices[t], ...] = out[...] op updates[t, ...]     (the others)
// so with "none" the last of repeated tuples wins (ONNX leaves it
// undefined). Float arithmetic rounds once per step in tuple order; int32
// and int64 add and mul wrap. A coordinate must lie in [-size, size) of its
// axis (negative from the end): constant indices are checked by Infer,
// run-time ones by Eval; the generated C clamps run-time ones into the axis.
#include <cstring>
#include <string>
#include <type_traits>

#include "ops/gather_nd_util.h"
#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 3, 3, 1));
  const ir::Tensor& p = g.tensor(n.inputs[0]);
  const ir::Tensor& idx = g.tensor(n.inputs[1]);
  const ir::Tensor& upd = g.tensor(n.inputs[2]);
  EMBER_RETURN_IF_ERROR(CheckGatherOperands(n, p, idx));
  EMBER_RETURN_IF_ERROR(CheckTensorSize(n, upd));
  const std::string reduction = n.GetString("reduction", "none");
  if (reduction != "none" && reduction != "add" && reduction != "mul" && reduction != "max" && reduction != "min") {
    return NodeError(n, "has reduction '" + reduction + "'", "reduction is none, add, mul, max or min");
  }
  const bool numeric = p.dtype == ir::DType::kFloat32 || p.dtype == ir::DType::kInt32 || p.dtype == ir::DType::kInt64;
  if (reduction != "none" && (!numeric || p.quant)) {
    return NodeError(n, std::string("reduces ") + ir::DTypeName(p.dtype) + " data",
                     "a reduction takes float32, int32 or int64 data; dequantize quantized data first");
  }
  const auto rank = static_cast<int64_t>(p.shape.size());
  const int64_t depth = idx.shape.empty() ? 0 : idx.shape.back();
  if (idx.shape.empty() || depth < 1 || depth > rank) {
    return NodeError(n, "has indices " + ir::ShapeToString(idx.shape) + " for data " + ir::ShapeToString(p.shape),
                     "the last indices dimension K must satisfy 1 <= K <= data rank");
  }
  ir::Shape want(idx.shape.begin(), idx.shape.end() - 1);
  want.insert(want.end(), p.shape.begin() + depth, p.shape.end());
  if (upd.shape != want || upd.dtype != p.dtype || upd.quant != p.quant) {
    return NodeError(n, "has updates " + std::string(ir::DTypeName(upd.dtype)) + ir::ShapeToString(upd.shape) +
                            " for data " + ir::DTypeName(p.dtype) + ir::ShapeToString(p.shape) + " and indices " +
                            ir::ShapeToString(idx.shape),
                     "updates have shape indices.shape[:-1] + data.shape[K:] and the data's type and quantization");
  }
  if (idx.is_const()) {
    const GatherNdDims d = GetGatherNdDims(g, n);
    const auto* v = reinterpret_cast<const int32_t*>(idx.data->data());
    const auto bad = FirstBadTuple(d, v);
    if (bad.first >= 0) return BadTuple(n, d, v, bad);
  }
  return std::vector<TensorType>{{p.dtype, p.shape}};
}

template <typename T>
T Combine(const std::string& r, T a, T b) {
  if (r == "add") {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      return static_cast<T>(static_cast<U>(a) + static_cast<U>(b));
    } else {
      return a + b;
    }
  }
  if (r == "mul") {
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      return static_cast<T>(static_cast<U>(a) * static_cast<U>(b));
    } else {
      return a * b;
    }
  }
  if (r == "max") return b > a ? b : a;
  return b < a ? b : a;
}

template <typename T>
void Reduce(const EvalArgs& a, const GatherNdDims& d, const std::string& r, const int32_t* idx) {
  T* out = a.out<T>(0);
  const T* upd = a.in<T>(2);
  for (int64_t t = 0; t < d.tuples; ++t) {
    const int64_t row = TupleRow(d, idx, t);
    for (int64_t e = 0; e < d.slice; ++e) out[row * d.slice + e] = Combine(r, out[row * d.slice + e], upd[t * d.slice + e]);
  }
}

Status Eval(const EvalArgs& a) {
  const GatherNdDims d = GetGatherNdDims(a.graph, a.node);
  const int32_t* idx = a.in<int32_t>(1);
  const auto bad = FirstBadTuple(d, idx);
  if (bad.first >= 0) return BadTuple(a.node, d, idx, bad);
  const ir::Tensor& p = a.in_tensor(0);
  const auto esz = static_cast<int64_t>(ir::DTypeSize(p.dtype));
  std::memcpy(a.outputs[0], a.inputs[0], static_cast<size_t>(p.num_elements() * esz));
  const std::string r = a.node.GetString("reduction", "none");
  if (r == "none") {
    const int64_t slab = d.slice * esz;
    for (int64_t t = 0; t < d.tuples; ++t) {
      const int64_t row = TupleRow(d, idx, t);
      if (slab > 0) std::memcpy(a.outputs[0] + row * slab, a.inputs[2] + t * slab, static_cast<size_t>(slab));
    }
    return Status::Ok();
  }
  switch (p.dtype) {
    case ir::DType::kInt32: Reduce<int32_t>(a, d, r, idx); break;
    case ir::DType::kInt64: Reduce<int64_t>(a, d, r, idx); break;
    default: Reduce<float>(a, d, r, idx);
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kScatterNdDef = {ir::OpKind::kScatterNd, "i8, u8, i16, i32, i64, f32, bool", Infer, Eval, nullptr};

}  // namespace ember::ops
