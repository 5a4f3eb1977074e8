// The shared body of ARG_MAX and ARG_MIN (compiler/ops/arg_max.cc,
// arg_min.cc): the index of the largest (smallest) element along the `axis`
// attribute (non-negative, below the rank), as TFLite Micro's reference kernel:
// the first element is the starting candidate and a later one replaces it
// only when strictly greater (smaller) on the stored values, so ties give the
// first index and a NaN never replaces anything (a leading NaN therefore
// stays). With `select_last_index` = 1 (ONNX's attribute) an equal element
// replaces the candidate too, so ties give the last index (a NaN still never
// replaces). int8 compares the raw bytes (the scale is positive, so the order
// is the real values' order). The output is i32 or i64 (the output tensor's
// type); `keep_dims` = 1 keeps the axis with size 1 (ONNX keepdims).
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/conv_util.h"
#include "ops/op_util.h"

namespace ember::ops::argminmax {

struct Geometry {
  int64_t axis = 0, outer = 1, size = 1, inner = 1;
  bool last = false;  // select_last_index
  ir::Shape out_shape;
};

inline Expected<Geometry> GetGeometry(const ir::Graph& g, const ir::Node& n) {
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  Geometry r;
  const auto rank = static_cast<int64_t>(in.shape.size());
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "axis", 0, std::max<int64_t>(rank - 1, 0), true, 0, &r.axis));
  if (rank == 0) return NodeError(n, "the input is a scalar; it has no axis");
  int64_t keep = 0, last = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "keep_dims", 0, 1, false, 0, &keep));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "select_last_index", 0, 1, false, 0, &last));
  r.last = last == 1;
  for (int64_t d = 0; d < rank; ++d) {
    const int64_t v = in.shape[static_cast<size_t>(d)];
    if (d < r.axis) r.outer *= v;
    if (d > r.axis) r.inner *= v;
    if (d == r.axis) {
      r.size = v;
      if (keep) r.out_shape.push_back(1);
    } else {
      r.out_shape.push_back(v);
    }
  }
  if (r.size == 0 && ir::NumElements(r.out_shape) > 0) {
    return NodeError(n, "axis " + std::to_string(r.axis) + " of the input " + ir::ShapeToString(in.shape) +
                            " is empty: there is no element to pick");
  }
  return r;
}

inline Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32 && in.dtype != ir::DType::kInt32) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) + " is not supported; supported: i8, i32, f32");
  }
  if (out.dtype != ir::DType::kInt32 && out.dtype != ir::DType::kInt64) {
    return NodeError(n, std::string("output type ") + ir::DTypeName(out.dtype) + " is not supported; supported: i32, i64");
  }
  EMBER_ASSIGN_OR_RETURN(const Geometry geo, GetGeometry(g, n));
  return std::vector<TensorType>{{out.dtype, geo.out_shape}};
}

template <typename T, typename I, typename Better>
void EvalTyped(const EvalArgs& a, const Geometry& geo, Better better) {
  const T* x = a.in<T>(0);
  I* out = a.out<I>(0);
  for (int64_t o = 0; o < geo.outer; ++o) {
    for (int64_t i = 0; i < geo.inner; ++i) {
      const T* p = x + o * geo.size * geo.inner + i;
      T best = p[0];
      I index = 0;
      for (int64_t k = 1; k < geo.size; ++k) {
        if (better(p[k * geo.inner], best) || (geo.last && p[k * geo.inner] == best)) {
          best = p[k * geo.inner];
          index = static_cast<I>(k);
        }
      }
      out[o * geo.inner + i] = index;
    }
  }
}

template <typename T, typename Better>
void EvalIndex(const EvalArgs& a, const Geometry& geo, Better better) {
  if (a.out_tensor(0).dtype == ir::DType::kInt64) EvalTyped<T, int64_t>(a, geo, better);
  else EvalTyped<T, int32_t>(a, geo, better);
}

// `Better(candidate, best)` is a generic lambda: candidate > best (arg_max)
// or candidate < best (arg_min).
template <typename Better>
Status Eval(const EvalArgs& a, Better better) {
  EMBER_ASSIGN_OR_RETURN(const Geometry geo, GetGeometry(a.graph, a.node));
  if (ir::NumElements(geo.out_shape) == 0) return Status::Ok();
  switch (a.in_tensor(0).dtype) {
    case ir::DType::kFloat32: EvalIndex<float>(a, geo, better); break;
    case ir::DType::kInt8: EvalIndex<int8_t>(a, geo, better); break;
    default: EvalIndex<int32_t>(a, geo, better); break;
  }
  return Status::Ok();
}

}  // namespace ember::ops::argminmax
