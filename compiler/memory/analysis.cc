#include "memory/analysis.h"

#include "memory/liveness.h"
#include "ops/op.h"

namespace ember::memory {

GraphFigures Analyze(const ir::Graph& g) {
  GraphFigures f;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    NodeFigures nf;
    nf.index = i;
    nf.op = n.op;
    nf.name = n.name;
    if (!n.outputs.empty()) nf.output_shape = g.tensor(n.outputs[0]).shape;
    const ops::OpDef& def = ops::GetOpDef(n.op);
    nf.macs = def.macs ? def.macs(g, n) : 0;
    for (ir::TensorId id : n.inputs) {
      if (id != ir::kNoTensor && g.tensor(id).is_const()) nf.param_bytes += g.tensor(id).size_bytes();
    }
    f.macs += nf.macs;
    f.nodes.push_back(std::move(nf));
  }
  for (const ir::Tensor& t : g.tensors) {
    if (t.is_const()) f.param_bytes += t.size_bytes();
  }
  for (ir::TensorId id : g.inputs) f.input_bytes += g.tensor(id).size_bytes();
  for (ir::TensorId id : g.outputs) f.output_bytes += g.tensor(id).size_bytes();
  f.activation_lower_bound = ActivationLowerBound(g);
  return f;
}

}  // namespace ember::memory
