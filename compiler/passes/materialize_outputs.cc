// materialize-outputs: every graph output becomes a tensor that a node of
// the graph writes, and no other output or input is that tensor. The
// generated code writes each output into the caller's buffer from the
// kernel that produces it; an output that is a constant (a shape or a table
// folded at import), a graph input passed through, or the same tensor as an
// earlier output has no such kernel. Such an output is given a copy, a
// reshape to its own shape:
//
//   const %s : i64[1] = ... ; output %y, %s, %y
//   -> %s = reshape(%s_value) {shape=[1]} ; %y_2 = reshape(%y) {shape=[4]}
//      output %y, %s, %y_2
//
// The copy of a constant takes the output's name (the constant is renamed
// NAME_value); the copy of a graph input or of a repeated output gets a
// fresh name from it (NAME_2), since an input and an output, or two outputs,
// cannot share a name in the generated code. Runs last, after the passes
// that fold constants.
#include <set>

#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {

Status MaterializeOutputs(ir::Graph& g, const PassOptions& /*options*/) {
  std::set<ir::TensorId> seen;
  for (ir::TensorId& out : g.outputs) {
    const bool repeated = !seen.insert(out).second;
    const bool input = IsGraphInput(g, out);
    if (!repeated && !input && !g.tensor(out).is_const()) continue;
    ir::Tensor copy = g.tensor(out);
    copy.data.reset();
    copy.init.reset();
    copy.is_variable = false;
    if (repeated || input) {
      copy.name = UniqueName(g, copy.name);
    } else {
      g.tensor(out).name = UniqueName(g, copy.name + "_value");
    }
    const ir::Shape shape = copy.shape;
    const ir::TensorId from = out;
    const ir::TensorId to = g.AddTensor(std::move(copy));
    ir::Node n;
    n.op = ir::OpKind::kReshape;
    n.inputs = {from};
    n.outputs = {to};
    n.attrs["shape"] = std::vector<int64_t>(shape.begin(), shape.end());
    g.nodes.push_back(std::move(n));
    out = to;
    seen.insert(to);
  }
  return Status::Ok();
}

}  // namespace ember::passes
