// Text form of the IR (notation in docs/ir.md). Print and Parse round-trip exactly:
// Parse(Print(g)) == g for every valid graph, including constant data, float
// bit patterns of scales and attribute types.
#pragma once

#include <string>

#include "ir/graph.h"

namespace ember::ir {

struct PrintOptions {
  // Print constant data in full (needed for round-trip). When false, constants
  // print as `<N bytes>` elisions and per-channel quantization parameters as
  // `<N scales: first three, ..., min, max>`, for human reading; such text
  // does not parse.
  bool full_constants = true;
};

std::string Print(const Graph& g, const PrintOptions& options = {});

}  // namespace ember::ir
