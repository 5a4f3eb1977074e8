// fold-constants: a node whose operands are all constants is evaluated once,
// at compile time, with its reference evaluator (compiler/ops), and its
// results become constants. So the generated code never recomputes what the
// model file could have stored (a transposed or reshaped weight, a
// quantize of a constant, shape arithmetic left over by an exporter).
//
// Bounds: a node is folded only when each result is no larger than
// PassOptions::fold_max_bytes or than the constants it reads (a fold must
// not make the model's weights grow much), when it does at most 2^24
// multiply-accumulates, and when no result is a graph output (a graph output
// stays computed). `dequantize` is never folded: a dequantize of an int8
// constant is how quantized weights arrive (QDQ), the int8 weights are smaller
// than their float values, and the QDQ folding reads them.
#include <cstdint>

#include "ops/op.h"
#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

constexpr int64_t kMaxFoldMacs = int64_t{1} << 24;

bool Foldable(const ir::Graph& g, const ir::Node& n, const PassOptions& o) {
  if (n.op == ir::OpKind::kDequantize || n.outputs.empty()) return false;
  int64_t in_bytes = 0;
  bool any = false;
  for (ir::TensorId t : n.inputs) {
    if (t == ir::kNoTensor) continue;
    if (!g.tensor(t).is_const()) return false;
    in_bytes += g.tensor(t).size_bytes();
    any = true;
  }
  if (!any) return false;
  for (ir::TensorId t : n.outputs) {
    if (IsGraphOutput(g, t)) return false;
    const int64_t b = g.tensor(t).size_bytes();
    if (b > o.fold_max_bytes && b > in_bytes) return false;
  }
  const ops::OpDef& def = ops::GetOpDef(n.op);
  return def.macs == nullptr || def.macs(g, n) <= kMaxFoldMacs;
}

}  // namespace

Status FoldConstants(ir::Graph& g, const PassOptions& options) {
  // One walk in execution order: a folded result is a constant for the nodes after it.
  for (size_t i = 0; i < g.nodes.size();) {
    if (!Foldable(g, g.nodes[i], options)) {
      ++i;
      continue;
    }
    const ir::Node n = g.nodes[i];
    // A node whose reference semantics reject its operands stays, for the
    // later stages to report where the model is compiled or evaluated.
    if (!FoldNode(g, n).ok()) {
      ++i;
      continue;
    }
    g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(i));
  }
  return Status::Ok();
}

}  // namespace ember::passes
