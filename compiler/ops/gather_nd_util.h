// gather_nd's geometry, shared by the reference evaluator (ops/gather_nd.cc)
// and the C kernel; valid once Infer has accepted the node.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/graph.h"

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

}  // namespace ember::ops
