// Graphviz rendering of a graph (`ember inspect --format dot`).
#pragma once

#include <string>

#include "ir/graph.h"

namespace ember::ir {

std::string ToDot(const Graph& g);

}  // namespace ember::ir
