// Model-local functions (ModelProto.functions, IR version 8+): PyTorch's
// newer exporter writes a module as a function and the main graph as calls
// of it. The importer inlines every call before anything else reads the
// nodes, so that each operator inside is checked, shape-inferred and
// converted like any other node (docs/frontend-onnx.md, "Reading a model").
//
// A call's formal inputs and outputs become the call's own value names (a
// missing optional input stays ""); every other value and node inside gets a
// fresh name prefixed by the call's node name ("block1/..."), so diagnostics
// name the call and the operator. An attribute reference (ref_attr_name)
// takes the call's attribute of that name, else the function's default
// (attribute_proto, IR 9), else it is left out. A call names its function by
// domain, name and overload (IR 10). libonnx 1.12's protobuf classes predate
// the IR 9 and 10 fields, which it keeps as unknown fields; they are read
// from there. Calls inside a
// function are inlined in turn, at most kMaxDepth deep, and the inlined graph
// is bounded (kMaxInlinedNodes). A function's opset of a domain the model
// also imports must be the model's; a domain only the function imports is
// added to the model's imports.
#include <cmath>
#include <exception>
#include <functional>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include "frontend/onnx/import_internal.h"
#include "google/protobuf/unknown_field_set.h"
#include "onnx/defs/schema.h"
#include "onnx/shape_inference/implementation.h"

namespace ember::frontend::onnx::detail {
namespace {

constexpr int kMaxDepth = 32;
constexpr int64_t kMaxInlinedNodes = int64_t{1} << 20;

std::string Domain(const std::string& d) { return d == "ai.onnx" ? std::string() : d; }

// The length-delimited values of field `number` that `m`'s schema (libonnx
// 1.12's) does not know: FunctionProto.attribute_proto (11) and overload
// (13), NodeProto.overload (8).
template <typename M>
std::vector<std::string> NewerFields(const M& m, int number) {
  std::vector<std::string> v;
  const google::protobuf::UnknownFieldSet& u = m.unknown_fields();
  for (int k = 0; k < u.field_count(); ++k) {
    const google::protobuf::UnknownField& f = u.field(k);
    if (f.number() == number && f.type() == google::protobuf::UnknownField::TYPE_LENGTH_DELIMITED)
      v.push_back(f.length_delimited());
  }
  return v;
}

template <typename M>
std::string Overload(const M& m, int number) {
  const auto v = NewerFields(m, number);
  return v.empty() ? std::string() : v.back();
}

constexpr int kNodeOverload = 8, kFunctionAttributeProto = 11, kFunctionOverload = 13;

std::string FunctionName(const pb::FunctionProto& f) {
  return (f.domain().empty() ? std::string() : f.domain() + ".") + f.name();
}

class Inliner {
 public:
  Inliner(Context& ctx, pb::ModelProto* m) : ctx_(ctx), m_(m) {}

  Status Run() {
    for (const auto& f : m_->functions()) {
      fns_[{Domain(f.domain()), f.name(), Overload(f, kFunctionOverload)}] = &f;
      EMBER_RETURN_IF_ERROR(MergeOpsets(f));
      for (const std::string& bytes : NewerFields(f, kFunctionAttributeProto)) {
        pb::AttributeProto a;
        if (!a.ParseFromString(bytes)) {
          return FileError(ctx_, kNotAModel, ExitCode::kFailure,
                           "local function '" + FunctionName(f) + "' has an attribute default that does not parse",
                           "the file is damaged; re-export the model");
        }
        defaults_[&f][a.name()] = a;
      }
    }
    NoteNames();
    const pb::GraphProto& g = m_->graph();
    std::vector<pb::NodeProto> nodes;
    for (const auto& n : g.node()) {
      if (Calls(n)) {
        EMBER_RETURN_IF_ERROR(Expand(n, 1, &nodes));
      } else {
        nodes.push_back(n);
      }
    }
    auto* out = m_->mutable_graph()->mutable_node();
    out->Clear();
    for (auto& n : nodes) *out->Add() = std::move(n);
    m_->clear_functions();
    return Status::Ok();
  }

 private:
  using Key = std::tuple<std::string, std::string, std::string>;  // domain, name, overload
  static Key KeyOf(const pb::NodeProto& n) { return {Domain(n.domain()), n.op_type(), Overload(n, kNodeOverload)}; }
  bool Calls(const pb::NodeProto& n) const { return fns_.count(KeyOf(n)) > 0; }

  // The function's operator sets against the model's.
  Status MergeOpsets(const pb::FunctionProto& f) {
    for (const auto& fo : f.opset_import()) {
      bool found = false;
      for (const auto& mo : m_->opset_import()) {
        if (Domain(mo.domain()) != Domain(fo.domain())) continue;
        found = true;
        if (mo.version() != fo.version()) {
          const std::string d = Domain(fo.domain()).empty() ? "the default ONNX domain" : "domain '" + fo.domain() + "'";
          return FileError(ctx_, kOpset, ExitCode::kUnsupported,
                           "local function '" + FunctionName(f) + "' uses opset " + std::to_string(fo.version()) +
                               " of " + d + ", the model opset " + std::to_string(mo.version()),
                           "export the model with one opset for the graph and its functions");
        }
      }
      if (!found) *m_->add_opset_import() = fo;
    }
    return Status::Ok();
  }

  std::string Fresh(const std::string& base) { return FreshName(&used_, base); }

  Status Expand(const pb::NodeProto& call, int depth, std::vector<pb::NodeProto>* out) {
    const pb::FunctionProto& f = *fns_.at(KeyOf(call));
    const auto d = defaults_.find(&f);
    return ExpandBody(call, f, d == defaults_.end() ? nullptr : &d->second,
                      "node '" + call.name() + "' calls local function '" + FunctionName(f) + "'", depth, out);
  }

 public:
  // Collects the names in use, for fresh ones.
  void NoteNames() {
    const pb::GraphProto& g = m_->graph();
    for (const auto& v : g.input()) used_.insert(v.name());
    for (const auto& v : g.output()) used_.insert(v.name());
    for (const auto& t : g.initializer()) used_.insert(t.name());
    for (const auto& n : g.node()) {
      used_.insert(n.name());
      for (const auto& s : n.input()) used_.insert(s);
      for (const auto& s : n.output()) used_.insert(s);
    }
  }

  // Appends the nodes of `f`'s body for `call` to `out`: formal inputs and
  // outputs renamed to the call's, other values and nodes to fresh names
  // under the call's name, attribute references resolved from the call, else
  // from `defaults`.
  Status ExpandBody(const pb::NodeProto& call, const pb::FunctionProto& f,
                    const std::map<std::string, pb::AttributeProto>* defaults, const std::string& who, int depth,
                    std::vector<pb::NodeProto>* out) {
    if (depth > kMaxDepth) {
      return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported,
                       who + " nested more than " + std::to_string(kMaxDepth) + " calls deep",
                       "a function that calls itself cannot be inlined; export the model without recursion");
    }
    if (call.input_size() > f.input_size() || call.output_size() > f.output_size()) {
      return FileError(ctx_, kBadOperand, ExitCode::kFailure,
                       who + " with " + std::to_string(call.input_size()) + " inputs and " +
                           std::to_string(call.output_size()) + " outputs; it takes " + std::to_string(f.input_size()) +
                           " and " + std::to_string(f.output_size()),
                       "re-export the model");
    }
    const std::string prefix = (call.name().empty() ? f.name() : call.name()) + "/";
    std::map<std::string, std::string> rename;
    for (int k = 0; k < f.input_size(); ++k) rename[f.input(k)] = k < call.input_size() ? call.input(k) : "";
    for (int k = 0; k < f.output_size(); ++k)
      rename[f.output(k)] = k < call.output_size() ? call.output(k) : Fresh(prefix + f.output(k));
    auto map_name = [&](const std::string& s) {
      if (s.empty()) return s;
      auto it = rename.find(s);
      if (it == rename.end()) it = rename.emplace(s, Fresh(prefix + s)).first;
      return it->second;
    };
    for (const auto& b : f.node()) {
      pb::NodeProto n = b;
      n.set_name(Fresh(prefix + (b.name().empty() ? b.op_type() : b.name())));
      for (auto& s : *n.mutable_input()) s = map_name(s);
      for (auto& s : *n.mutable_output()) s = map_name(s);
      n.clear_attribute();
      for (const auto& a : b.attribute()) {
        if (a.has_g() || a.graphs_size() > 0) {
          return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported,
                           who + ", whose operator " + b.op_type() + " has a subgraph (control flow)",
                           "export the model without control flow (If, Loop, Scan)");
        }
        if (a.ref_attr_name().empty()) {
          *n.add_attribute() = a;
          continue;
        }
        const pb::AttributeProto* value = nullptr;
        for (const auto& given : call.attribute())
          if (given.name() == a.ref_attr_name()) value = &given;
        if (value == nullptr && defaults != nullptr) {
          const auto it = defaults->find(a.ref_attr_name());
          if (it != defaults->end()) value = &it->second;
        }
        if (value == nullptr) continue;
        pb::AttributeProto* c = n.add_attribute();
        *c = *value;
        c->set_name(a.name());
      }
      if (Calls(n)) {
        EMBER_RETURN_IF_ERROR(Expand(n, depth + 1, out));
        continue;
      }
      if (++inlined_ > kMaxInlinedNodes) {
        return FileError(ctx_, kTooLarge, ExitCode::kUnsupported,
                         "inlining its local functions gives more than " + std::to_string(kMaxInlinedNodes) + " nodes",
                         "models this large cannot run on a microcontroller");
      }
      out->push_back(std::move(n));
    }
    return Status::Ok();
  }

 private:
  Context& ctx_;
  pb::ModelProto* m_;
  std::map<Key, const pb::FunctionProto*> fns_;
  std::map<const pb::FunctionProto*, std::map<std::string, pb::AttributeProto>> defaults_;
  std::set<std::string> used_;
  int64_t inlined_ = 0;
};

// Gelu (opset 20) by its ONNX function body, as default-domain nodes ember
// imports: approximate "none": X · (0.5 · (erf(X / sqrt(2)) + 1));
// "tanh": X · (0.5 · (tanh(sqrt(2 / pi) · (X + 0.044715 · X · X · X)) + 1))
// (the body's Pow(X, 3) as two products). The constants are the body's,
// computed in float32 as it computes them (Sqrt of the float 2, of 2 / pi).
Status ExpandGeluNode(Context& ctx, const pb::GraphProto& g, int index, std::set<std::string>* used,
                      std::vector<pb::NodeProto>* out, std::vector<pb::TensorProto>* consts) {
  const pb::NodeProto& n = g.node(index);
  std::string approximate = "none";
  for (const auto& a : n.attribute())
    if (a.name() == "approximate") approximate = a.s();
  if (approximate != "none" && approximate != "tanh") {
    return UnsupportedAttr(ctx, RefOf(g, index), "approximate '" + approximate + "'", "use 'none' or 'tanh'");
  }
  const std::string base = (n.name().empty() ? n.output(0) : n.name()) + "/";
  auto fresh = [&](const std::string& s) {
    std::string name = base + s;
    for (int k = 1; used->count(name); ++k) name = base + s + "_" + std::to_string(k);
    used->insert(name);
    return name;
  };
  auto constant = [&](const std::string& s, float v) {
    pb::TensorProto t;
    t.set_name(fresh(s));
    t.set_data_type(pb::TensorProto::FLOAT);
    t.add_float_data(v);
    consts->push_back(t);
    return t.name();
  };
  auto node = [&](const std::string& op, const std::vector<std::string>& in, const std::string& result) {
    pb::NodeProto m;
    m.set_op_type(op);
    m.set_name(fresh(op));
    for (const auto& s : in) m.add_input(s);
    m.add_output(result);
    out->push_back(m);
    return result;
  };
  const std::string x = n.input(0);
  std::string inner;
  if (approximate == "none") {
    const std::string scaled = node("Div", {x, constant("sqrt2", std::sqrt(2.0f))}, fresh("scaled"));
    inner = node("Erf", {scaled}, fresh("erf"));
  } else {
    const std::string sq = node("Mul", {x, x}, fresh("square"));
    const std::string cube = node("Mul", {sq, x}, fresh("cube"));
    const std::string c = node("Mul", {constant("c0", 0.044715f), cube}, fresh("cube_term"));
    const std::string sum = node("Add", {x, c}, fresh("sum"));
    const float k = std::sqrt(2.0f / static_cast<float>(3.141592653589793));
    const std::string arg = node("Mul", {constant("sqrt_two_over_pi", k), sum}, fresh("tanh_in"));
    inner = node("Tanh", {arg}, fresh("tanh"));
  }
  const std::string plus_one = node("Add", {inner, constant("one", 1.0f)}, fresh("plus_one"));
  const std::string phi = node("Mul", {constant("half", 0.5f), plus_one}, fresh("phi"));
  node("Mul", {x, phi}, n.output(0));
  return Status::Ok();
}

}  // namespace

Status ExpandGelu(Context& ctx, pb::ModelProto* m) {
  pb::GraphProto* g = m->mutable_graph();
  bool any = false;
  for (const auto& n : g->node()) any = any || (n.op_type() == "Gelu" && Domain(n.domain()).empty());
  if (!any) return Status::Ok();
  std::set<std::string> used;
  for (const auto& v : g->input()) used.insert(v.name());
  for (const auto& t : g->initializer()) used.insert(t.name());
  for (const auto& n : g->node()) {
    used.insert(n.name());
    for (const auto& s : n.output()) used.insert(s);
  }
  std::vector<pb::NodeProto> nodes;
  std::vector<pb::TensorProto> consts;
  for (int i = 0; i < g->node_size(); ++i) {
    const pb::NodeProto& n = g->node(i);
    if (n.op_type() == "Gelu" && Domain(n.domain()).empty() && n.input_size() == 1 && n.output_size() == 1) {
      EMBER_RETURN_IF_ERROR(ExpandGeluNode(ctx, *g, i, &used, &nodes, &consts));
    } else {
      nodes.push_back(n);
    }
  }
  g->mutable_node()->Clear();
  for (auto& n : nodes) *g->add_node() = std::move(n);
  for (auto& t : consts) *g->add_initializer() = std::move(t);
  return Status::Ok();
}

namespace {

// The element types of the graph's values from shape inference in lenient
// mode, on a copy of the model (what a context-dependent function body is
// built from).
std::map<std::string, pb::TypeProto> ValueTypes(const pb::ModelProto& m) {
  pb::ModelProto copy = m;
  try {
    ::onnx::ShapeInferenceOptions opts(/*check_type=*/false, /*strict_mode=*/0, /*data_prop=*/false);
    ::onnx::shape_inference::InferShapes(copy, ::onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception&) {
    // Lenient mode reports nothing; whatever was inferred is used.
  }
  std::map<std::string, pb::TypeProto> types;
  for (const auto& v : copy.graph().input()) types[v.name()] = v.type();
  for (const auto& v : copy.graph().value_info()) types[v.name()] = v.type();
  for (const auto& v : copy.graph().output()) types[v.name()] = v.type();
  for (const auto& t : copy.graph().initializer()) {
    pb::TypeProto type;
    type.mutable_tensor_type()->set_elem_type(t.data_type());
    for (int64_t d : t.dims()) type.mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
    types[t.name()] = type;
  }
  for (const auto& n : copy.graph().node()) {
    if (n.op_type() != "Constant" || n.output_size() != 1) continue;
    for (const auto& a : n.attribute()) {
      if (a.name() == "value" && a.has_t()) types[n.output(0)].mutable_tensor_type()->set_elem_type(a.t().data_type());
    }
  }
  return types;
}

// The ONNX schema of a default-domain node at `opset` when it has a function
// body ember can expand.
const ::onnx::OpSchema* FunctionSchema(const pb::NodeProto& n, int64_t opset) {
  if (!Domain(n.domain()).empty()) return nullptr;
  const ::onnx::OpSchema* s = ::onnx::OpSchemaRegistry::Schema(n.op_type(), static_cast<int>(opset), "");
  if (s == nullptr || s->Deprecated()) return nullptr;
  return s->HasFunction() || s->HasContextDependentFunction() ? s : nullptr;
}

}  // namespace

Status ExpandSchemaFunctions(Context& ctx, pb::ModelProto* m,
                             const std::function<bool(const pb::NodeProto&)>& imported) {
  for (int round = 0;; ++round) {
    bool any = false;
    for (const auto& n : m->graph().node()) any = any || (!imported(n) && FunctionSchema(n, ctx.opset) != nullptr);
    if (!any) return Status::Ok();
    if (round == kMaxDepth) {
      return FileError(ctx, kUnsupportedOp, ExitCode::kUnsupported,
                       "the ONNX function bodies of its operators expand more than " + std::to_string(kMaxDepth) +
                           " levels deep",
                       "re-export the model with the operators docs/frontend-onnx.md lists");
    }
    const std::map<std::string, pb::TypeProto> types = ValueTypes(*m);
    Inliner inliner(ctx, m);
    inliner.NoteNames();
    std::vector<pb::NodeProto> nodes;
    for (int i = 0; i < m->graph().node_size(); ++i) {
      const pb::NodeProto& n = m->graph().node(i);
      const ::onnx::OpSchema* schema = imported(n) ? nullptr : FunctionSchema(n, ctx.opset);
      if (schema == nullptr) {
        nodes.push_back(n);
        continue;
      }
      const NodeRef ref = RefOf(m->graph(), i);
      pb::FunctionProto body;
      if (schema->HasFunction()) {
        body = *schema->GetFunction();
      } else {
        std::vector<pb::TypeProto> in_types;
        for (const auto& s : n.input()) {
          auto it = types.find(s);
          in_types.push_back(it == types.end() ? pb::TypeProto() : it->second);
        }
        bool built = false;
        std::string why;
        try {
          built = schema->BuildContextDependentFunction(::onnx::FunctionBodyBuildContextImpl(n, in_types), body);
        } catch (const std::exception& e) {
          why = std::string(": ") + e.what();
        }
        if (!built) {
          return NodeError(ctx, ref, kUnsupportedOp, ExitCode::kUnsupported,
                           "operator " + n.op_type() + " is not one ember imports, and its ONNX function body "
                           "cannot be built for this node" + why,
                           "check the node's input types and attributes against the ONNX operator's definition");
        }
      }
      std::map<std::string, pb::AttributeProto> defaults;
      for (const auto& [name, attr] : schema->attributes()) {
        if (attr.default_value.type() != pb::AttributeProto::UNDEFINED) defaults[name] = attr.default_value;
      }
      const size_t first = nodes.size();
      EMBER_RETURN_IF_ERROR(inliner.ExpandBody(
          n, body, &defaults, "node '" + ref.name + "' (" + n.op_type() + ", expanded by its ONNX function body)", 1,
          &nodes));
      for (size_t k = first; k < nodes.size(); ++k) {
        // A body node of a body node names the outermost operator; a node
        // of an If branch says so after it.
        auto it = ctx.expanded_from.find(n.name());
        const bool in_body = it != ctx.expanded_from.end() && it->second.rfind("the ONNX function body of ", 0) == 0;
        ctx.expanded_from[nodes[k].name()] =
            in_body ? it->second
                    : "the ONNX function body of " + n.op_type() + " node '" + ref.name + "'" +
                          (it != ctx.expanded_from.end() ? ", in " + it->second : std::string());
      }
    }
    auto* out = m->mutable_graph()->mutable_node();
    out->Clear();
    for (auto& n : nodes) *out->Add() = std::move(n);
  }
}

Status InlineLocalFunctions(Context& ctx, pb::ModelProto* m) {
  if (m->functions_size() == 0) return Status::Ok();
  return Inliner(ctx, m).Run();
}

}  // namespace ember::frontend::onnx::detail
