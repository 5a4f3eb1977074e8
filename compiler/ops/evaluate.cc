#include "ops/evaluate.h"

#include <string>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {

Status CheckGraph(const ir::Graph& g) {
  for (const ir::Node& n : g.nodes) {
    const OpDef& def = GetOpDef(n.op);
    auto types = def.infer(g, n);
    if (!types.ok()) return types.diag();
    if (types->size() != n.outputs.size()) {
      return NodeError(n, "has " + std::to_string(n.outputs.size()) + " outputs but " +
                              std::to_string(types->size()) + " were expected");
    }
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      const ir::Tensor& t = g.tensor(n.outputs[i]);
      const TensorType& want = (*types)[i];
      if (t.dtype != want.dtype || t.shape != want.shape) {
        return NodeError(n,
                         "output '" + t.name + "' is declared " + ir::DTypeName(t.dtype) +
                             ir::ShapeToString(t.shape) + " but the operator computes " +
                             ir::DTypeName(want.dtype) + ir::ShapeToString(want.shape),
                         "the model file is inconsistent; re-export it");
      }
    }
  }
  return Status::Ok();
}

Expected<EvalResult> EvaluateGraph(const ir::Graph& g,
                                   const std::vector<std::vector<uint8_t>>& inputs,
                                   const EvalOptions& options) {
  if (inputs.size() != g.inputs.size()) {
    return MakeDiag("E0401", ExitCode::kUsage,
                    "the model has " + std::to_string(g.inputs.size()) + " inputs but " +
                        std::to_string(inputs.size()) + " were given",
                    "pass one input file per model input, in order");
  }
  std::vector<std::vector<uint8_t>> buf(g.tensors.size());
  std::vector<bool> ready(g.tensors.size(), false);
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const ir::Tensor& t = g.tensors[i];
    if (t.is_const()) {
      buf[i] = *t.data;
      ready[i] = true;
    }
  }
  EvalState local;
  EvalState& state = options.state != nullptr ? *options.state : local;
  if (state.vars.size() != g.tensors.size()) state.vars.assign(g.tensors.size(), {});
  for (size_t i = 0; i < g.tensors.size(); ++i) {
    const ir::Tensor& t = g.tensors[i];
    if (!t.is_variable) continue;
    if (static_cast<int64_t>(state.vars[i].size()) != t.size_bytes()) {
      state.vars[i] = ir::VariableInitBytes(t);
    }
    ready[i] = true;
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    const ir::Tensor& t = g.tensor(g.inputs[i]);
    if (static_cast<int64_t>(inputs[i].size()) != t.size_bytes()) {
      return MakeDiag("E0402", ExitCode::kUsage,
                      "input " + std::to_string(i) + " ('" + t.name + "', " +
                          ir::DTypeName(t.dtype) + ir::ShapeToString(t.shape) + ") needs " +
                          std::to_string(t.size_bytes()) + " bytes but " +
                          std::to_string(inputs[i].size()) + " were given",
                      "check the input file matches the model's input tensor");
    }
    buf[static_cast<size_t>(g.inputs[i])] = inputs[i];
    ready[static_cast<size_t>(g.inputs[i])] = true;
  }
  for (const ir::Node& n : g.nodes) {
    EvalArgs args{g, n, {}, {}};
    for (ir::TensorId id : n.inputs) {
      if (id == ir::kNoTensor) {
        args.inputs.push_back(nullptr);
        continue;
      }
      if (!ready[static_cast<size_t>(id)]) {
        return InternalError("tensor '" + g.tensor(id).name + "' used before it is computed");
      }
      // A variable is read and updated in place in the state (op.h, EvalArgs::var).
      args.inputs.push_back(g.tensor(id).is_variable ? state.vars[static_cast<size_t>(id)].data()
                                                     : buf[static_cast<size_t>(id)].data());
    }
    for (ir::TensorId id : n.outputs) {
      auto& b = buf[static_cast<size_t>(id)];
      b.assign(static_cast<size_t>(g.tensor(id).size_bytes()), 0);
      args.outputs.push_back(b.data());
    }
    EMBER_RETURN_IF_ERROR(GetOpDef(n.op).eval(args));
    for (ir::TensorId id : n.outputs) ready[static_cast<size_t>(id)] = true;
  }
  EvalResult r;
  for (ir::TensorId id : g.outputs) {
    if (!ready[static_cast<size_t>(id)]) {
      return InternalError("graph output '" + g.tensor(id).name + "' is never computed");
    }
    r.outputs.push_back(buf[static_cast<size_t>(id)]);
  }
  if (options.keep_intermediates) {
    for (size_t i = 0; i < g.tensors.size(); ++i)
      if (g.tensors[i].is_variable) buf[i] = state.vars[i];
    r.all = std::move(buf);
  }
  return r;
}

}  // namespace ember::ops
