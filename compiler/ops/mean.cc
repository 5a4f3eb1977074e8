// mean: placeholder until the operator is implemented.
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {
Expected<std::vector<TensorType>> Infer(const ir::Graph&, const ir::Node& n) {
  return NodeError(n, "is not implemented yet");
}
Status Eval(const EvalArgs& a) { return NodeError(a.node, "is not implemented yet"); }
}  // namespace

extern const OpDef kMeanDef = {ir::OpKind::kMean, "", Infer, Eval, nullptr};

}  // namespace ember::ops
