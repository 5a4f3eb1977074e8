// gather_nd's geometry, shared by the reference evaluator (ops/gather_nd.cc)
// and the C kernel; valid once Infer has accepted the node.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ir/op_kind.h"
#include "ops/op_util.h"

namespace ember::ops {

struct GatherNdDims {
  int64_t batch = 1;   // product of the batch_dims leading dimensions
  int64_t tuples = 1;  // index tuples per batch
  int64_t depth = 0;   // K, the coordinates per tuple
  int64_t rows = 1;    // addressable slices per batch: product of sizes
  int64_t slice = 1;   // elements per slice
  std::vector<int64_t> sizes;  // the K indexed axes
};

inline GatherNdDims GetGatherNdDims(const ir::Graph& g, const ir::Node& n) {
  const ir::Shape& p = g.tensor(n.inputs[0]).shape;
  const ir::Shape& idx = g.tensor(n.inputs[1]).shape;
  const auto bd = static_cast<size_t>(n.GetInt("batch_dims", 0));
  GatherNdDims d;
  d.depth = idx.back();
  for (size_t i = 0; i < bd; ++i) d.batch *= p[i];
  for (size_t i = bd; i + 1 < idx.size(); ++i) d.tuples *= idx[i];
  for (size_t i = bd; i < bd + static_cast<size_t>(d.depth); ++i) {
    d.sizes.push_back(p[i]);
    d.rows *= p[i];
  }
  for (size_t i = bd + static_cast<size_t>(d.depth); i < p.size(); ++i) d.slice *= p[i];
  return d;
}

// The first index tuple with a coordinate outside its axis, as (tuple,
// coordinate), or tuple -1.
inline std::pair<int64_t, int64_t> FirstBadTuple(const GatherNdDims& d, const int32_t* v) {
  for (int64_t t = 0; t < d.batch * d.tuples; ++t)
    for (int64_t k = 0; k < d.depth; ++k) {
      const int64_t size = d.sizes[static_cast<size_t>(k)], i = v[t * d.depth + k];
      if (i < -size || i >= size) return {t, k};
    }
  return {-1, 0};
}

inline Diagnostic BadTuple(const ir::Node& n, const GatherNdDims& d, const int32_t* v,
                           std::pair<int64_t, int64_t> bad) {
  const int64_t size = d.sizes[static_cast<size_t>(bad.second)];
  return NodeError(n, "has index " + std::to_string(v[bad.first * d.depth + bad.second]) + " (tuple " +
                          std::to_string(bad.first) + ", coordinate " + std::to_string(bad.second) + ") outside [" +
                          std::to_string(-size) + ", " + std::to_string(size) + ")",
                   std::string(ir::OpIrName(n.op)) + " indices must address the input");
}

// The row (row-major over the indexed axes) tuple `t` addresses, a negative
// coordinate counting from the end; the tuple is in range.
inline int64_t TupleRow(const GatherNdDims& d, const int32_t* v, int64_t t) {
  int64_t row = 0;
  for (int64_t k = 0; k < d.depth; ++k) {
    const int64_t size = d.sizes[static_cast<size_t>(k)], i = v[t * d.depth + k];
    row = row * size + (i < 0 ? i + size : i);
  }
  return row;
}

}  // namespace ember::ops
