// ONNX If: before anything else reads the graph, every If node becomes the
// nodes of its branches in the enclosing graph (nested Ifs first), so each
// operator inside is checked, shape-inferred and converted like any other.
//
// A branch's own values and nodes get fresh names under "<If>/then/" and
// "<If>/else/"; names from the enclosing graphs stay. Its initializers join
// the enclosing graph's. The If's outputs then come from:
//   - a condition that is a constant (an initializer or a Constant node of
//     the same graph): Identity nodes of the chosen branch's outputs; the
//     other branch is dropped unread;
//   - a condition computed at run time: Where(cond, then, else) per output,
//     with cond reshaped to a scalar. Both branches run; ONNX lets them give
//     outputs of different shapes, which a static plan cannot hold, so such
//     a pair is E1007 (ConvertIfSelect). When the condition folds to a
//     constant at import (a shape comparison of TorchScript's), the Where
//     passes the chosen value on and the other branch is pruned.
// Diagnostics about a branch's nodes say "in the then branch of If node 'x'".
// Any other operator with a subgraph (Loop, Scan) is refused (E1006) before
// libonnx's inference could walk it.
#include <map>
#include <set>
#include <string>
#include <vector>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

constexpr int kMaxIfDepth = 32;
constexpr int64_t kMaxInlinedNodes = int64_t{1} << 20;

void NoteNames(const pb::GraphProto& g, std::set<std::string>* used) {
  for (const auto& v : g.input()) used->insert(v.name());
  for (const auto& v : g.output()) used->insert(v.name());
  for (const auto& v : g.value_info()) used->insert(v.name());
  for (const auto& t : g.initializer()) used->insert(t.name());
  for (const auto& n : g.node()) {
    used->insert(n.name());
    for (const auto& s : n.input()) used->insert(s);
    for (const auto& s : n.output()) used->insert(s);
    for (const auto& a : n.attribute()) {
      if (a.has_g()) NoteNames(a.g(), used);
      for (const auto& sub : a.graphs()) NoteNames(sub, used);
    }
  }
}

class IfInliner {
 public:
  IfInliner(Context& ctx, const pb::GraphProto& main) : ctx_(ctx) { NoteNames(main, &used_); }

  // Replaces the If nodes of `g` (at nesting `depth`) by their branches.
  Status Flatten(pb::GraphProto* g, int depth) {
    bool any = false;
    for (const auto& n : g->node()) any = any || IsIf(n);
    if (!any) return Status::Ok();
    if (depth > kMaxIfDepth) {
      return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported,
                       "has If nodes nested more than " + std::to_string(kMaxIfDepth) + " deep",
                       "export the model with less nested control flow");
    }
    std::vector<pb::NodeProto> nodes;
    std::map<std::string, const pb::TensorProto*> constants;
    for (const auto& t : g->initializer()) constants[t.name()] = &t;
    // Initializers added below would move the pointers: they are appended after the walk.
    std::vector<pb::TensorProto> hoisted;
    for (const auto& n : g->node()) {
      if (!IsIf(n)) {
        if (n.op_type() == "Constant" && IsDefaultDomain(n.domain()) && n.output_size() == 1) {
          for (const auto& a : n.attribute())
            if (a.name() == "value" && a.has_t()) constants[n.output(0)] = &a.t();
        }
        nodes.push_back(n);
        continue;
      }
      EMBER_RETURN_IF_ERROR(Inline(n, constants, depth, &nodes, &hoisted));
    }
    auto* out = g->mutable_node();
    out->Clear();
    for (auto& n : nodes) *out->Add() = std::move(n);
    for (auto& t : hoisted) *g->add_initializer() = std::move(t);
    return Status::Ok();
  }

 private:
  static bool IsIf(const pb::NodeProto& n) { return n.op_type() == "If" && IsDefaultDomain(n.domain()); }

  std::string Fresh(const std::string& base) {
    std::string name = base;
    for (int k = 1; used_.count(name); ++k) name = base + "_" + std::to_string(k);
    used_.insert(name);
    return name;
  }

  std::string Who(const pb::NodeProto& n) const {
    return "If node '" + (n.name().empty() ? (n.output_size() ? n.output(0) : std::string()) : n.name()) + "'";
  }

  Diagnostic Error(const pb::NodeProto& n, const std::string& what) const {
    return FileError(ctx_, kBadOperand, ExitCode::kFailure, Who(n) + " " + what, "re-export the model");
  }

  // Appends branch `b` of `n` (tag "then" / "else") to `nodes`, its
  // initializers to `hoisted`, and sets `outputs` to the names its outputs
  // have there.
  Status Branch(const pb::NodeProto& n, pb::GraphProto b, const std::string& tag, int depth,
                std::vector<pb::NodeProto>* nodes, std::vector<pb::TensorProto>* hoisted,
                std::vector<std::string>* outputs) {
    if (b.input_size() > 0) return Error(n, "has a " + tag + " branch with graph inputs (If branches take none)");
    if (b.output_size() < n.output_size()) {
      return Error(n, "has " + std::to_string(n.output_size()) + " outputs but its " + tag + " branch gives " +
                          std::to_string(b.output_size()));
    }
    if (b.sparse_initializer_size() > 0) {
      return FileError(ctx_, kTensorData, ExitCode::kUnsupported, Who(n) + " has sparse initializers in its " + tag +
                                                                      " branch, which ember does not read",
                       "store them as dense initializers");
    }
    EMBER_RETURN_IF_ERROR(Flatten(&b, depth + 1));
    const std::string base = n.name().empty() ? (n.output_size() ? n.output(0) : std::string("If")) : n.name();
    const std::string prefix = base + "/" + tag + "/";
    std::map<std::string, std::string> rename;
    for (const auto& t : b.initializer()) rename[t.name()] = Fresh(prefix + t.name());
    for (const auto& bn : b.node())
      for (const auto& s : bn.output())
        if (!s.empty() && !rename.count(s)) rename[s] = Fresh(prefix + s);
    auto map_name = [&](const std::string& s) {
      const auto it = rename.find(s);
      return it == rename.end() ? s : it->second;
    };
    for (const auto& t : b.initializer()) {
      hoisted->push_back(t);
      hoisted->back().set_name(rename.at(t.name()));
    }
    if (static_cast<int64_t>(nodes->size()) + b.node_size() > kMaxInlinedNodes) {
      return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported, Who(n) + "'s branches make the graph too large",
                       "export the model with less control flow");
    }
    const std::string origin = "the " + tag + " branch of " + Who(n);
    for (const auto& bn : b.node()) {
      pb::NodeProto c = bn;
      c.set_name(Fresh(prefix + (bn.name().empty() ? bn.op_type() : bn.name())));
      for (auto& s : *c.mutable_input()) s = map_name(s);
      for (auto& s : *c.mutable_output()) s = map_name(s);
      const auto from = ctx_.expanded_from.find(bn.name());
      ctx_.expanded_from[c.name()] = from != ctx_.expanded_from.end() ? from->second + ", in " + origin : origin;
      nodes->push_back(std::move(c));
    }
    outputs->clear();
    for (int k = 0; k < n.output_size(); ++k) outputs->push_back(map_name(b.output(k).name()));
    return Status::Ok();
  }

  Status Inline(const pb::NodeProto& n, const std::map<std::string, const pb::TensorProto*>& constants, int depth,
                std::vector<pb::NodeProto>* nodes, std::vector<pb::TensorProto>* hoisted) {
    const pb::GraphProto* then_b = nullptr;
    const pb::GraphProto* else_b = nullptr;
    for (const auto& a : n.attribute()) {
      if (a.name() == "then_branch" && a.has_g()) then_b = &a.g();
      if (a.name() == "else_branch" && a.has_g()) else_b = &a.g();
    }
    if (n.input_size() != 1 || n.input(0).empty() || then_b == nullptr || else_b == nullptr) {
      return Error(n, "needs one condition input and the then_branch and else_branch graph attributes");
    }
    const std::string& cond = n.input(0);
    const auto c = constants.find(cond);
    if (c != constants.end()) {
      EMBER_ASSIGN_OR_RETURN(ConstTensor v, ReadTensorProto(ctx_, *c->second));
      if (v.size() != 1) return Error(n, "has a condition of " + std::to_string(v.size()) + " elements (it takes one)");
      std::vector<std::string> outs;
      const bool take_then = v.at(0) != 0.0;
      EMBER_RETURN_IF_ERROR(Branch(n, take_then ? *then_b : *else_b, take_then ? "then" : "else", depth, nodes,
                                   hoisted, &outs));
      for (int k = 0; k < n.output_size(); ++k) {
        if (n.output(k).empty()) continue;
        pb::NodeProto id;
        id.set_op_type("Identity");
        id.set_name(Fresh(n.output(k) + "/if_result"));
        id.add_input(outs[static_cast<size_t>(k)]);
        id.add_output(n.output(k));
        ctx_.expanded_from[id.name()] = Who(n);
        nodes->push_back(std::move(id));
      }
      return Status::Ok();
    }
    if (ctx_.opset < 9) {
      return FileError(ctx_, kOpset, ExitCode::kUnsupported,
                       Who(n) + " has a condition computed at run time, which ember selects with Where (opset 9)",
                       "convert the model to opset 11 or later (onnx.version_converter)");
    }
    std::vector<std::string> then_outs, else_outs;
    EMBER_RETURN_IF_ERROR(Branch(n, *then_b, "then", depth, nodes, hoisted, &then_outs));
    EMBER_RETURN_IF_ERROR(Branch(n, *else_b, "else", depth, nodes, hoisted, &else_outs));
    // The condition as a scalar, so that Where keeps the branches' shape.
    pb::TensorProto scalar;
    scalar.set_name(Fresh(cond + "/scalar_shape"));
    scalar.set_data_type(pb::TensorProto::INT64);
    scalar.add_dims(0);
    hoisted->push_back(scalar);
    pb::NodeProto reshape;
    reshape.set_op_type("Reshape");
    reshape.set_name(Fresh(cond + "/as_scalar"));
    reshape.add_input(cond);
    reshape.add_input(scalar.name());
    reshape.add_output(Fresh(cond + "/scalar"));
    ctx_.expanded_from[reshape.name()] = Who(n);
    const std::string flag = reshape.output(0);
    nodes->push_back(std::move(reshape));
    for (int k = 0; k < n.output_size(); ++k) {
      if (n.output(k).empty()) continue;
      pb::NodeProto where;
      where.set_op_type("Where");
      where.set_name(Fresh(n.output(k) + "/if_select"));
      where.add_input(flag);
      where.add_input(then_outs[static_cast<size_t>(k)]);
      where.add_input(else_outs[static_cast<size_t>(k)]);
      where.add_output(n.output(k));
      ctx_.expanded_from[where.name()] = Who(n);
      ctx_.if_selects.insert(where.name());
      nodes->push_back(std::move(where));
    }
    return Status::Ok();
  }

  Context& ctx_;
  std::set<std::string> used_;
};

}  // namespace

Status InlineIfNodes(Context& ctx, pb::ModelProto* m) {
  IfInliner inliner(ctx, m->graph());
  EMBER_RETURN_IF_ERROR(inliner.Flatten(m->mutable_graph(), 0));
  // Any other subgraph (Loop, Scan) is refused here, before libonnx's
  // inference would walk it unchecked by the prechecks.
  const pb::GraphProto& g = m->graph();
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto& a : g.node(i).attribute()) {
      if (!a.has_g() && a.graphs_size() == 0) continue;
      const NodeRef ref = RefOf(g, i);
      return NodeError(ctx, ref, kUnsupportedOp, ExitCode::kUnsupported,
                       "operator " + g.node(i).op_type() + " (control flow over a subgraph) is not supported by ember",
                       "ember imports If; export loops unrolled (a traced model with a fixed number of steps)");
    }
  }
  return Status::Ok();
}

Status ConvertIfSelect(Context& ctx, const NodeRef& ref, bool* handled) {
  *handled = false;
  EMBER_ASSIGN_OR_RETURN(Value cond, Input(ctx, ref, 0));
  if (cond.c && cond.id == ir::kNoTensor) {
    EMBER_ASSIGN_OR_RETURN(Value chosen, Input(ctx, ref, cond.c->at(0) != 0.0 ? 1 : 2));
    BindOutput(ctx, ref, 0, chosen);
    *handled = true;
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(Value a, Input(ctx, ref, 1));
  EMBER_ASSIGN_OR_RETURN(Value b, Input(ctx, ref, 2));
  if (ShapeOf(ctx, a) != ShapeOf(ctx, b)) {
    return UnsupportedAttr(ctx, ref,
                           "branches that give outputs of different shapes (" + ir::ShapeToString(ShapeOf(ctx, a)) +
                               " and " + ir::ShapeToString(ShapeOf(ctx, b)) + ") under a condition computed at run time",
                           "a static memory plan needs one shape; compute the condition from constants or export "
                           "one branch");
  }
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
