// Structural verification of a Graph (operator semantics are checked by ops::CheckGraph).
#pragma once

#include "ir/graph.h"
#include "support/status.h"

namespace ember::ir {

// Checks: tensor ids in range; tensor names unique and non-empty; every
// non-constant tensor that a node reads is a graph input or produced by an
// earlier node (topological order); each tensor has at most one producer and
// graph inputs/constants have none; graph outputs exist and are produced,
// inputs or constants; constant data sizes match dtype x shape; shapes have no
// negative dimensions; quantization parameters are consistent (scale and
// zero point counts equal, per-axis count equal to the axis size, axis in
// range, scales finite and positive). Fails with E02xx naming the tensor/node.
Status Verify(const Graph& g);

}  // namespace ember::ir
