// ONNX If and Loop: before anything else reads the graph, every If node
// becomes the nodes of its branches in the enclosing graph and every Loop of
// a trip count known before import its unrolled body (nested ones first), so each
// operator inside is checked, shape-inferred and converted like any other.
//
// A branch's own values and nodes get fresh names under "<If>/then/" and
// "<If>/else/"; names from the enclosing graphs stay. Its initializers join
// the enclosing graph's. The If's outputs then come from:
//   - a condition known before import (a constant of the same graph, or an
//     integer computed from constants and the static input shapes, as
//     TorchScript's size checks are: NoteShapeValue): Identity nodes of the
//     chosen branch's outputs; the other branch is dropped unread;
//   - a condition computed at run time: Where(cond, then, else) per output,
//     with cond reshaped to a scalar. Both branches run; ONNX lets them give
//     outputs of different shapes, which a static plan cannot hold, so such
//     a pair is E1007 (ConvertIfSelect). When the condition folds to a
//     constant at import (a comparison of an intermediate value's shape), the Where
//     passes the chosen value on and the other branch is pruned.
// Diagnostics about a branch's nodes say "in the then branch of If node 'x'".
//
// A Loop whose trip count is known before import (likewise) and whose
// condition stays true (no condition input or a constant true one; a body
// that passes its condition on, through an Identity or not, or gives a
// constant true) is unrolled the same way: the body's nodes once per
// iteration under "<Loop>/iter<i>/" (Unroll). Any other Loop is E1007. A
// Scan whose scan inputs have shapes known before import is unrolled too,
// once per step under "<Scan>/step<t>/" (UnrollScan). Any other operator
// with a subgraph is E1006, before libonnx's inference could walk it.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

constexpr int kMaxIfDepth = 32;
constexpr int64_t kMaxInlinedNodes = int64_t{1} << 20;
constexpr int64_t kMaxUnrolledSteps = 4096;

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

class ControlFlowInliner {
 public:
  ControlFlowInliner(Context& ctx, const pb::GraphProto& main) : ctx_(ctx), main_(&main) { NoteNames(main, &used_); }

  // Replaces the If nodes of `g` (at nesting `depth`) by their branches.
  Status Flatten(pb::GraphProto* g, int depth) {
    bool any = false;
    for (const auto& n : g->node()) any = any || IsIf(n) || IsLoop(n) || IsScan(n);
    if (!any) return Status::Ok();
    if (depth > kMaxIfDepth) {
      return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported,
                       "has If nodes nested more than " + std::to_string(kMaxIfDepth) + " deep",
                       "export the model with less nested control flow");
    }
    std::vector<pb::NodeProto> nodes;
    Scope scope;
    for (const auto& t : g->initializer()) scope.constants[t.name()] = &t;
    // Initializers added below would move the pointers: they are appended after the walk.
    std::vector<pb::TensorProto> hoisted;
    for (const auto& n : g->node()) {
      if (IsLoop(n)) {
        EMBER_RETURN_IF_ERROR(Unroll(n, scope, depth, &nodes, &hoisted));
        continue;
      }
      if (IsScan(n)) {
        EMBER_RETURN_IF_ERROR(UnrollScan(*g, n, scope, depth, &nodes, &hoisted));
        continue;
      }
      if (!IsIf(n)) {
        EMBER_RETURN_IF_ERROR(Note(*g, n, &scope));
        nodes.push_back(n);
        continue;
      }
      EMBER_RETURN_IF_ERROR(Inline(n, scope, depth, &nodes, &hoisted));
    }
    Replace(g, &nodes, &hoisted);
    return Status::Ok();
  }

 private:
  // Makes `nodes` the nodes of `g` and appends `added` to its initializers.
  static void Replace(pb::GraphProto* g, std::vector<pb::NodeProto>* nodes, std::vector<pb::TensorProto>* added) {
    auto* out = g->mutable_node();
    out->Clear();
    for (auto& n : *nodes) *out->Add() = std::move(n);
    for (auto& t : *added) *g->add_initializer() = std::move(t);
  }

  static bool IsIf(const pb::NodeProto& n) { return n.op_type() == "If" && IsDefaultDomain(n.domain()); }
  static bool IsLoop(const pb::NodeProto& n) { return n.op_type() == "Loop" && IsDefaultDomain(n.domain()); }
  static bool IsScan(const pb::NodeProto& n) { return n.op_type() == "Scan" && IsDefaultDomain(n.domain()); }

  // What a graph knows before import: its constants (initializers,
  // Constant nodes) and the integer values computed from them and from the
  // static shapes of its inputs (Shape, Gather, Cast, ... of TorchScript's
  // size checks and trip counts; NoteShapeValue).
  struct Scope {
    std::map<std::string, const pb::TensorProto*> constants;
    std::map<std::string, std::vector<int64_t>> ints;
    // Static shapes of values computed by shape-preserving operators (NoteDims).
    std::map<std::string, std::vector<int64_t>> dims;
  };
  static constexpr int64_t kMaxShapeValues = 64;

  // Notes what node `n` of `g` makes known before import: a Constant's
  // value, the integers it computes (NoteShapeValue), its static shape (NoteDims).
  Status Note(const pb::GraphProto& g, const pb::NodeProto& n, Scope* scope) {
    if (n.op_type() == "Constant" && IsDefaultDomain(n.domain()) && n.output_size() == 1) {
      for (const auto& a : n.attribute())
        if (a.name() == "value" && a.has_t()) scope->constants[n.output(0)] = &a.t();
    }
    EMBER_RETURN_IF_ERROR(NoteShapeValue(g, n, scope));
    return NoteDims(g, n, scope);
  }

  // The values of `name` if the scope knows them.
  Expected<std::optional<std::vector<double>>> Known(const Scope& scope, const std::string& name) {
    using Result = std::optional<std::vector<double>>;
    if (name.empty()) return Result();
    if (const auto c = scope.constants.find(name); c != scope.constants.end()) {
      // Only small constants are read (never a weight tensor).
      int64_t count = 1;
      for (int64_t d : c->second->dims()) {
        if (d < 0 || d > kMaxShapeValues) return Result();
        count *= d;
      }
      if (count > kMaxShapeValues) return Result();
      EMBER_ASSIGN_OR_RETURN(ConstTensor v, ReadTensorProto(ctx_, *c->second));
      std::vector<double> out;
      for (int64_t k = 0; k < v.size(); ++k) out.push_back(v.at(k));
      return Result(std::move(out));
    }
    if (const auto i = scope.ints.find(name); i != scope.ints.end()) {
      return Result(std::vector<double>(i->second.begin(), i->second.end()));
    }
    return Result();
  }

  // A known scalar (one element), if any.
  Expected<std::optional<double>> ConstScalar(const Scope& scope, const std::string& name) {
    EMBER_ASSIGN_OR_RETURN(const auto v, Known(scope, name));
    if (!v || v->size() != 1) return std::optional<double>();
    return std::optional<double>(v->front());
  }

  // The static dimensions of graph input or initializer `name` of `g`
  // (--input-shape first), if all are known.
  std::optional<std::vector<int64_t>> StaticDims(const pb::GraphProto& g, const Scope& scope, const std::string& name) {
    if (const auto it = ctx_.input_shapes.find(name); it != ctx_.input_shapes.end()) return it->second;
    if (const auto it = scope.dims.find(name); it != scope.dims.end()) return it->second;
    if (const auto c = scope.constants.find(name); c != scope.constants.end()) {
      return std::vector<int64_t>(c->second->dims().begin(), c->second->dims().end());
    }
    for (const auto& in : g.input()) {
      if (in.name() != name || !in.type().tensor_type().has_shape()) continue;
      std::vector<int64_t> dims;
      for (const auto& d : in.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value() || d.dim_value() <= 0) return std::nullopt;
        dims.push_back(d.dim_value());
      }
      return dims;
    }
    // A shape the model states for an intermediate value of the main graph
    // (ONNX's inference checks it against the one it infers, so a wrong one
    // is an error later; a subgraph's value_info is not kept).
    for (const auto& v : &g == main_ ? g.value_info() : pb::GraphProto::default_instance().value_info()) {
      if (v.name() != name || !v.type().tensor_type().has_shape()) continue;
      std::vector<int64_t> dims;
      for (const auto& d : v.type().tensor_type().shape().dim()) {
        if (!d.has_dim_value() || d.dim_value() <= 0) return std::nullopt;
        dims.push_back(d.dim_value());
      }
      return dims;
    }
    return std::nullopt;
  }

  // Notes the static shape of the output of `n` when its first input's
  // shape is known and the operator keeps it (a quantizer's QuantizeLinear /
  // DequantizeLinear pair, an activation, a Cast) or moves it in a way the
  // node states (Reshape to a known shape, Flatten, Transpose, Squeeze and
  // Unsqueeze of known axes), so that a Loop or Scan after them still
  // knows its sizes. ONNX's inference checks them all later.
  Status NoteDims(const pb::GraphProto& g, const pb::NodeProto& n, Scope* scope) {
    static const std::set<std::string> kSameShape = {
        "Identity", "Cast", "CastLike", "QuantizeLinear", "DequantizeLinear", "Relu", "LeakyRelu", "PRelu",
        "Sigmoid", "Tanh", "HardSigmoid", "HardSwish", "Clip", "Abs", "Neg", "Exp", "Log", "Sqrt", "Erf", "Elu",
        "Selu", "Softplus", "Softsign", "Floor", "Ceil", "Round", "Sign", "Not", "Reciprocal", "Softmax",
        "LogSoftmax", "Dropout", "BatchNormalization", "InstanceNormalization", "LayerNormalization"};
    static const std::set<std::string> kMoved = {"Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze"};
    const std::string& op = n.op_type();
    if (!IsDefaultDomain(n.domain()) || (!kSameShape.count(op) && !kMoved.count(op)) || n.input_size() == 0 ||
        n.output_size() == 0 || n.output(0).empty()) {
      return Status::Ok();
    }
    const auto in = StaticDims(g, *scope, n.input(0));
    if (!in) return Status::Ok();
    const auto rank = static_cast<int64_t>(in->size());
    std::vector<int64_t> out;
    // The node's integer list: attribute `attr`, else the known values of input 1.
    const auto list = [&](const char* attr) -> Expected<std::optional<std::vector<int64_t>>> {
      using Result = std::optional<std::vector<int64_t>>;
      for (const auto& a : n.attribute())
        if (a.name() == attr) return Result(std::vector<int64_t>(a.ints().begin(), a.ints().end()));
      if (n.input_size() < 2) return Result();
      EMBER_ASSIGN_OR_RETURN(const auto v, Known(*scope, n.input(1)));
      if (!v) return Result();
      std::vector<int64_t> r;
      for (double d : *v) {
        if (!(std::fabs(d) < 9.0e15) || d != std::trunc(d)) return Result();
        r.push_back(static_cast<int64_t>(d));
      }
      return Result(std::move(r));
    };
    const auto int_attr = [&](const char* name, int64_t def) {
      for (const auto& a : n.attribute())
        if (a.name() == name) return a.i();
      return def;
    };
    int64_t count = 1;
    for (int64_t d : *in) count *= d;
    if (kSameShape.count(op)) {
      out = *in;
    } else if (op == "Reshape") {
      EMBER_ASSIGN_OR_RETURN(const auto shape, list("shape"));
      if (!shape) return Status::Ok();
      int64_t known = 1, infer = -1;
      for (size_t k = 0; k < shape->size(); ++k) {
        int64_t d = (*shape)[k];
        if (d == 0 && int_attr("allowzero", 0) == 0) {
          if (static_cast<int64_t>(k) >= rank) return Status::Ok();
          d = (*in)[k];
        }
        if (d == -1) {
          if (infer >= 0) return Status::Ok();
          infer = static_cast<int64_t>(k);
        } else if (d <= 0) {
          return Status::Ok();
        } else {
          known *= d;
        }
        out.push_back(d);
      }
      if (infer >= 0) {
        if (known == 0 || count % known != 0) return Status::Ok();
        out[static_cast<size_t>(infer)] = count / known;
      } else if (known != count) {
        return Status::Ok();
      }
    } else if (op == "Flatten") {
      int64_t axis = int_attr("axis", 1);
      if (axis < 0) axis += rank;
      if (axis < 0 || axis > rank) return Status::Ok();
      int64_t outer = 1;
      for (int64_t k = 0; k < axis; ++k) outer *= (*in)[static_cast<size_t>(k)];
      out = {outer, count / outer};
    } else if (op == "Transpose") {
      std::vector<int64_t> perm;
      for (const auto& a : n.attribute())
        if (a.name() == "perm") perm.assign(a.ints().begin(), a.ints().end());
      if (perm.empty())
        for (int64_t k = rank - 1; k >= 0; --k) perm.push_back(k);
      if (static_cast<int64_t>(perm.size()) != rank) return Status::Ok();
      for (int64_t p : perm) {
        if (p < 0 || p >= rank) return Status::Ok();
        out.push_back((*in)[static_cast<size_t>(p)]);
      }
    } else {  // Squeeze, Unsqueeze
      EMBER_ASSIGN_OR_RETURN(auto axes, list("axes"));
      const bool un = op == "Unsqueeze";
      if (!axes && un) return Status::Ok();
      const int64_t out_rank = un ? rank + static_cast<int64_t>(axes->size()) : rank;
      std::set<int64_t> at;
      for (int64_t a : axes ? *axes : std::vector<int64_t>{}) {
        if (a < -out_rank || a >= out_rank) return Status::Ok();
        at.insert(a < 0 ? a + out_rank : a);
      }
      if (un) {
        for (int64_t k = 0, j = 0; k < out_rank; ++k) out.push_back(at.count(k) ? 1 : (*in)[static_cast<size_t>(j++)]);
      } else {
        for (int64_t k = 0; k < rank; ++k) {
          const bool drop = axes ? at.count(k) > 0 : (*in)[static_cast<size_t>(k)] == 1;
          if (!drop) out.push_back((*in)[static_cast<size_t>(k)]);
        }
      }
    }
    scope->dims[n.output(0)] = std::move(out);
    return Status::Ok();
  }

  // Notes the integer values node `n` of `g` computes from what the scope
  // knows: Shape and Size of a static input, Gather (axis 0), Concat (axis
  // 0), Cast, Identity, Squeeze, Unsqueeze, Reshape, Add, Sub, Mul, Div,
  // Equal, Less, Greater, Not, on at most 64 integer values.
  Status NoteShapeValue(const pb::GraphProto& g, const pb::NodeProto& n, Scope* scope) {
    if (!IsDefaultDomain(n.domain()) || n.output_size() != 1 || n.output(0).empty() || n.input_size() == 0) {
      return Status::Ok();
    }
    const std::string& op = n.op_type();
    static const std::set<std::string> kComputed = {"Shape", "Size", "Gather", "Concat", "Cast", "Identity",
                                                    "Squeeze", "Unsqueeze", "Reshape", "Add", "Sub", "Mul",
                                                    "Div", "Equal", "Less", "Greater", "Not"};
    if (!kComputed.count(op)) return Status::Ok();
    std::vector<int64_t> out;
    if (op == "Shape" || op == "Size") {
      const auto dims = StaticDims(g, *scope, n.input(0));
      if (!dims) return Status::Ok();
      if (op == "Size") {
        int64_t count = 1;
        for (int64_t d : *dims) count = d > 0 && count > INT64_MAX / d ? INT64_MAX : count * d;
        out = {count};
      } else {
        const auto rank = static_cast<int64_t>(dims->size());
        int64_t start = 0, end = rank;
        for (const auto& a : n.attribute()) {
          if (a.name() == "start") start = a.i();
          if (a.name() == "end") end = a.i();
        }
        start = std::clamp(start < 0 ? start + rank : start, int64_t{0}, rank);
        end = std::clamp(end < 0 ? end + rank : end, int64_t{0}, rank);
        for (int64_t k = start; k < end; ++k) out.push_back((*dims)[static_cast<size_t>(k)]);
      }
    } else {
      std::vector<std::vector<int64_t>> in;
      for (const auto& name : n.input()) {
        EMBER_ASSIGN_OR_RETURN(const auto v, Known(*scope, name));
        if (!v || static_cast<int64_t>(v->size()) > kMaxShapeValues) return Status::Ok();
        std::vector<int64_t> iv;
        for (double d : *v) {
          if (!(std::fabs(d) < 9.0e15) || d != std::trunc(d)) return Status::Ok();
          iv.push_back(static_cast<int64_t>(d));
        }
        in.push_back(std::move(iv));
      }
      const auto axis0 = [&] {
        for (const auto& a : n.attribute())
          if (a.name() == "axis" && a.i() != 0) return false;
        return true;
      };
      if (op == "Cast" || op == "Identity" || op == "Squeeze" || op == "Unsqueeze" || op == "Reshape") {
        out = in[0];
      } else if (op == "Gather" && in.size() == 2 && axis0()) {
        const auto size = static_cast<int64_t>(in[0].size());
        for (int64_t i : in[1]) {
          if (i < -size || i >= size) return Status::Ok();
          out.push_back(in[0][static_cast<size_t>(i < 0 ? i + size : i)]);
        }
      } else if (op == "Concat" && axis0()) {
        for (const auto& v : in) out.insert(out.end(), v.begin(), v.end());
      } else if (op == "Not") {
        for (int64_t v : in[0]) out.push_back(v == 0 ? 1 : 0);
      } else if (in.size() == 2 && (in[0].size() == in[1].size() || in[0].size() == 1 || in[1].size() == 1)) {
        const size_t count = std::max(in[0].size(), in[1].size());
        for (size_t k = 0; k < count; ++k) {
          const int64_t a = in[0][in[0].size() == 1 ? 0 : k], b = in[1][in[1].size() == 1 ? 0 : k];
          const bool small = std::llabs(a) < (int64_t{1} << 31) && std::llabs(b) < (int64_t{1} << 31);
          if (op == "Add" && small) out.push_back(a + b);
          else if (op == "Sub" && small) out.push_back(a - b);
          else if (op == "Mul" && small) out.push_back(a * b);
          else if (op == "Div" && small && b != 0) out.push_back(a / b);
          else if (op == "Equal") out.push_back(a == b);
          else if (op == "Less") out.push_back(a < b);
          else if (op == "Greater") out.push_back(a > b);
          else return Status::Ok();
        }
      } else {
        return Status::Ok();
      }
    }
    if (static_cast<int64_t>(out.size()) <= kMaxShapeValues) scope->ints[n.output(0)] = std::move(out);
    return Status::Ok();
  }

  pb::TensorProto Scalar(const std::string& name, int32_t type, int64_t value) {
    pb::TensorProto t;
    t.set_name(Fresh(name));
    t.set_data_type(type);
    if (type == pb::TensorProto::INT64) t.add_int64_data(value);
    else t.add_int32_data(static_cast<int32_t>(value));
    return t;
  }

  // A Loop whose trip count is a constant and whose condition stays true
  // (no condition input, or a constant true one, and a body that passes its
  // condition on unchanged or gives a constant true): the body's nodes once
  // per iteration, renamed under "<Loop>/iter<i>/", the iteration number a
  // constant, the carried values threaded from one iteration to the next;
  // each scan output the Concat of its per-iteration values, each given a
  // leading axis by Unsqueeze. The body's initializers are hoisted once.
  Status Unroll(const pb::NodeProto& n, const Scope& scope, int depth,
                std::vector<pb::NodeProto>* nodes, std::vector<pb::TensorProto>* hoisted) {
    const pb::GraphProto* body_p = nullptr;
    for (const auto& a : n.attribute())
      if (a.name() == "body" && a.has_g()) body_p = &a.g();
    if (body_p == nullptr || n.input_size() < 2) return Error(n, "needs the trip count and condition inputs and a body");
    const int carried = n.input_size() - 2;
    if (body_p->input_size() != carried + 2 || body_p->output_size() < carried + 1 ||
        n.output_size() > body_p->output_size() - 1) {
      return Error(n, "has a body whose inputs and outputs do not match its " + std::to_string(carried) +
                          " carried values");
    }
    const auto refuse = [&](const std::string& what) {
      return FileError(ctx_, kUnsupportedAttr, ExitCode::kUnsupported,
                       "Loop node '" + (n.name().empty() ? (n.output_size() ? n.output(0) : std::string()) : n.name()) +
                           "': " + what + ", which ember does not unroll",
                       "ember unrolls a Loop whose trip count is known before import and whose condition stays "
                       "true; export the loop with a fixed number of steps (range over a constant or over a "
                       "static size; onnx.shape_inference.infer_shapes states the intermediate ones)");
    };
    EMBER_ASSIGN_OR_RETURN(const std::optional<double> trips, ConstScalar(scope, n.input(0)));
    if (!trips) return refuse("a trip count that is not a constant");
    EMBER_ASSIGN_OR_RETURN(const std::optional<double> cond, ConstScalar(scope, n.input(1)));
    if (!n.input(1).empty() && (!cond || *cond == 0.0)) return refuse("a condition that is not a constant true");
    pb::GraphProto body = *body_p;
    EMBER_RETURN_IF_ERROR(Flatten(&body, depth + 1));
    // The condition the body gives: its input passed on, an Identity of it, or a constant true.
    const std::string& cond_in = body.input(1).name();
    std::string cond_out = body.output(0).name();
    Scope body_consts;
    for (const auto& t : body.initializer()) body_consts.constants[t.name()] = &t;
    for (const auto& bn : body.node()) {
      if (bn.op_type() == "Identity" && bn.output_size() == 1 && bn.output(0) == cond_out && bn.input_size() == 1)
        cond_out = bn.input(0);
      if (bn.op_type() == "Constant" && bn.output_size() == 1)
        for (const auto& a : bn.attribute())
          if (a.name() == "value" && a.has_t()) body_consts.constants[bn.output(0)] = &a.t();
    }
    EMBER_ASSIGN_OR_RETURN(const std::optional<double> body_cond, ConstScalar(body_consts, cond_out));
    if (cond_out != cond_in && !(body_cond && *body_cond != 0.0)) return refuse("a condition the body computes");
    const double count = *trips;
    // Range first: a cast of a float beyond int64 is undefined.
    const bool in_range = count >= 0.0 && count <= static_cast<double>(kMaxUnrolledSteps);
    const int64_t steps = in_range ? static_cast<int64_t>(count) : 0;
    if (!in_range || count != static_cast<double>(steps) ||
        static_cast<int64_t>(nodes->size()) + steps * (body.node_size() + 2) > kMaxInlinedNodes) {
      return refuse("a trip count of " + std::to_string(count) + " (at most " + std::to_string(kMaxUnrolledSteps) +
                    " steps and 2^20 nodes)");
    }
    const int scans = n.output_size() - carried;
    if (steps == 0 && scans > 0) return refuse("no iterations with scan outputs (empty tensors)");
    const std::string base = n.name().empty() ? (n.output_size() ? n.output(0) : std::string("Loop")) : n.name();
    const std::string who = "Loop node '" + base + "'";
    // The body's initializers, once.
    std::map<std::string, std::string> shared;
    for (const auto& t : body.initializer()) {
      hoisted->push_back(t);
      hoisted->back().set_name(Fresh(base + "/body/" + t.name()));
      shared[t.name()] = hoisted->back().name();
    }
    hoisted->push_back(Scalar(base + "/true", pb::TensorProto::BOOL, 1));
    const std::string always = hoisted->back().name();
    std::vector<std::string> state;
    for (int j = 0; j < carried; ++j) state.push_back(n.input(2 + j));
    std::vector<std::vector<std::string>> scanned(static_cast<size_t>(std::max(scans, 0)));
    for (int64_t i = 0; i < steps; ++i) {
      const std::string prefix = base + "/iter" + std::to_string(i) + "/";
      hoisted->push_back(Scalar(prefix + "iteration", pb::TensorProto::INT64, i));
      std::map<std::string, std::string> rename = shared;
      rename[body.input(0).name()] = hoisted->back().name();
      rename[cond_in] = always;
      for (int j = 0; j < carried; ++j) rename[body.input(2 + j).name()] = state[static_cast<size_t>(j)];
      CopyNodes(body, prefix, "iteration " + std::to_string(i) + " of " + who, &rename, nodes);
      auto map_name = [&](const std::string& v) {
        const auto it = rename.find(v);
        return it == rename.end() ? v : it->second;
      };
      for (int j = 0; j < carried; ++j) state[static_cast<size_t>(j)] = map_name(body.output(1 + j).name());
      for (int k = 0; k < scans; ++k) scanned[static_cast<size_t>(k)].push_back(map_name(body.output(1 + carried + k).name()));
    }
    for (int j = 0; j < carried && j < n.output_size(); ++j) {
      if (!n.output(j).empty()) PassOn(state[static_cast<size_t>(j)], n.output(j), "/loop_result", who, nodes);
    }
    for (int k = 0; k < scans; ++k) {
      const std::string& out = n.output(carried + k);
      if (!out.empty()) Stack(scanned[static_cast<size_t>(k)], 0, out, "/loop_scan", who, nodes, hoisted);
    }
    return Status::Ok();
  }

  // A Scan over scan inputs whose lengths are known before import (static
  // dimensions): the body's nodes once per step, renamed under
  // "<Scan>/step<t>/", each scan input's slice a Gather of step t (or, in
  // reverse, of the last step first) along its scan axis, the state values
  // threaded from one step to the next, each scan output the stack of its
  // per-step values along its output axis (in reverse, last step first).
  // Opset 8's form (a leading batch axis on every input and output, the
  // scan axis after it) is unrolled per batch element as well, and the
  // results stacked along the batch axis. The body's initializers are
  // hoisted once.
  Status UnrollScan(const pb::GraphProto& g, const pb::NodeProto& n, const Scope& scope, int depth,
                    std::vector<pb::NodeProto>* nodes, std::vector<pb::TensorProto>* hoisted) {
    const std::string base = n.name().empty() ? (n.output_size() ? n.output(0) : std::string("Scan")) : n.name();
    const std::string who = "Scan node '" + base + "'";
    const auto bad = [&](const std::string& what) {
      return FileError(ctx_, kBadOperand, ExitCode::kFailure, who + " " + what, "re-export the model");
    };
    const auto refuse = [&](const std::string& what) {
      return FileError(ctx_, kUnsupportedAttr, ExitCode::kUnsupported,
                       who + ": " + what + ", which ember does not unroll",
                       "ember unrolls a Scan whose scan inputs have static shapes; give the model's inputs "
                       "fixed shapes (--input-shape NAME=1x3x96x96), or save the model with its intermediate "
                       "shapes stated (onnx.shape_inference.infer_shapes)");
    };
    const bool batched = ctx_.opset < 9;  // opset 8: sequence_lens first, a batch axis everywhere
    const pb::GraphProto* body_p = nullptr;
    int64_t num_scan = -1;
    std::vector<int64_t> in_axes, in_dirs, out_axes, out_dirs;
    for (const auto& a : n.attribute()) {
      if (a.name() == "body" && a.has_g()) body_p = &a.g();
      if (a.name() == "num_scan_inputs") num_scan = a.i();
      auto& list = a.name() == "scan_input_axes" ? in_axes
                   : a.name() == "scan_input_directions" || a.name() == "directions" ? in_dirs
                   : a.name() == "scan_output_axes" ? out_axes
                   : out_dirs;
      if (a.name() == "scan_input_axes" || a.name() == "scan_input_directions" || a.name() == "directions" ||
          a.name() == "scan_output_axes" || a.name() == "scan_output_directions") {
        list.assign(a.ints().begin(), a.ints().end());
      }
    }
    const int first = batched ? 1 : 0;
    const int64_t given = n.input_size() - first;
    if (body_p == nullptr || num_scan < 1 || num_scan > given) {
      return bad("needs a body and num_scan_inputs between 1 and its " + std::to_string(given) + " inputs");
    }
    if (batched && !n.input(0).empty()) return refuse("sequence lengths (sequence_lens)");
    const pb::GraphProto& body0 = *body_p;
    const int states = static_cast<int>(given - num_scan);
    const int scans_in = static_cast<int>(num_scan);
    const int scans_out = body0.output_size() - states;
    if (body0.input_size() != states + scans_in || scans_out < 0 || n.output_size() > body0.output_size()) {
      return bad("has a body whose inputs and outputs do not match its " + std::to_string(states) + " state and " +
                 std::to_string(scans_in) + " scan inputs");
    }
    const auto sized = [&](std::vector<int64_t>* v, int count, const char* what) -> Status {
      if (v->empty()) v->assign(static_cast<size_t>(count), 0);
      if (static_cast<int>(v->size()) != count) {
        return bad(std::string("has ") + std::to_string(v->size()) + " " + what + " for " + std::to_string(count) +
                   " values");
      }
      return Status::Ok();
    };
    EMBER_RETURN_IF_ERROR(sized(&in_axes, scans_in, "scan input axes"));
    EMBER_RETURN_IF_ERROR(sized(&in_dirs, scans_in, "scan input directions"));
    EMBER_RETURN_IF_ERROR(sized(&out_axes, scans_out, "scan output axes"));
    EMBER_RETURN_IF_ERROR(sized(&out_dirs, scans_out, "scan output directions"));
    // The scan inputs' shapes give the number of steps (and, in opset 8, of batch elements).
    int64_t steps = -1, batch = 1;
    for (int k = 0; k < scans_in; ++k) {
      const std::string& x = n.input(first + states + k);
      const auto dims = StaticDims(g, scope, x);
      if (!dims) return refuse("scan input '" + x + "' of a shape not known before import");
      const auto rank = static_cast<int64_t>(dims->size());
      int64_t& axis = in_axes[static_cast<size_t>(k)];
      if (batched) {
        if (rank < 2 || axis != 0) return bad("has scan input '" + x + "' without batch and sequence axes");
        axis = 1;
        batch = (*dims)[0];
      }
      if (axis < -rank || axis >= rank) {
        return bad("has scan axis " + std::to_string(axis) + " for scan input '" + x + "' of rank " +
                   std::to_string(rank));
      }
      if (axis < 0) axis += rank;
      const int64_t len = (*dims)[static_cast<size_t>(axis)];
      if (steps >= 0 && len != steps) {
        return bad("has scan inputs of " + std::to_string(steps) + " and " + std::to_string(len) + " steps");
      }
      steps = len;
    }
    for (int64_t axis : out_axes) {
      if (axis < 0 && ctx_.opset < 11) return bad("has a negative scan output axis (opset 11 and later take them)");
    }
    if (batch < 1 || steps < 1 || steps > kMaxUnrolledSteps ||
        static_cast<int64_t>(nodes->size()) + batch * steps * (body0.node_size() + 2 * scans_in + scans_out + 2) >
            kMaxInlinedNodes) {
      return refuse(std::to_string(steps) + " steps of " + std::to_string(batch) +
                    " (at least 1 and at most " + std::to_string(kMaxUnrolledSteps) + " steps, 2^20 nodes)");
    }
    pb::GraphProto body = body0;
    EMBER_RETURN_IF_ERROR(Flatten(&body, depth + 1));
    std::map<std::string, std::string> shared;
    for (const auto& t : body.initializer()) {
      hoisted->push_back(t);
      hoisted->back().set_name(Fresh(base + "/body/" + t.name()));
      shared[t.name()] = hoisted->back().name();
    }
    std::map<int64_t, std::string> indices;
    const auto index = [&](int64_t i) {
      auto it = indices.find(i);
      if (it == indices.end()) {
        hoisted->push_back(Scalar(base + "/index" + std::to_string(i), pb::TensorProto::INT64, i));
        it = indices.emplace(i, hoisted->back().name()).first;
      }
      return it->second;
    };
    // Element i of `v` along `axis` (that axis removed).
    const auto take = [&](const std::string& v, int64_t i, int64_t axis, const std::string& origin) {
      pb::NodeProto gather;
      gather.set_op_type("Gather");
      gather.set_name(Fresh(v + "/scan_take" + std::to_string(i)));
      gather.add_input(v);
      gather.add_input(index(i));
      gather.add_output(Fresh(v + "/scan_slice" + std::to_string(i)));
      auto* at = gather.add_attribute();
      at->set_name("axis");
      at->set_type(pb::AttributeProto::INT);
      at->set_i(axis);
      ctx_.expanded_from[gather.name()] = origin;
      nodes->push_back(gather);
      return gather.output(0);
    };
    std::vector<std::vector<std::string>> final_states(static_cast<size_t>(states));
    std::vector<std::vector<std::string>> stacked(static_cast<size_t>(scans_out));
    for (int64_t b = 0; b < batch; ++b) {
      const std::string element = batched ? "batch" + std::to_string(b) + "/" : std::string();
      std::vector<std::string> state, inputs;
      for (int j = 0; j < states; ++j) {
        const std::string& s = n.input(first + j);
        state.push_back(batched ? take(s, b, 0, who) : s);
      }
      for (int k = 0; k < scans_in; ++k) {
        const std::string& x = n.input(first + states + k);
        inputs.push_back(batched ? take(x, b, 0, who) : x);
      }
      std::vector<std::vector<std::string>> scanned(static_cast<size_t>(scans_out));
      for (int64_t t = 0; t < steps; ++t) {
        const std::string prefix = base + "/" + element + "step" + std::to_string(t) + "/";
        const std::string origin = "step " + std::to_string(t) + " of " + who;
        std::map<std::string, std::string> rename = shared;
        for (int j = 0; j < states; ++j) rename[body.input(j).name()] = state[static_cast<size_t>(j)];
        for (int k = 0; k < scans_in; ++k) {
          const auto ku = static_cast<size_t>(k);
          const int64_t at = in_dirs[ku] != 0 ? steps - 1 - t : t;
          // In opset 8 the batch axis is gone from `inputs`: the scan axis is its first.
          rename[body.input(states + k).name()] = take(inputs[ku], at, batched ? 0 : in_axes[ku], origin);
        }
        CopyNodes(body, prefix, origin, &rename, nodes);
        const auto map_name = [&](const std::string& v) {
          const auto it = rename.find(v);
          return it == rename.end() ? v : it->second;
        };
        for (int j = 0; j < states; ++j) state[static_cast<size_t>(j)] = map_name(body.output(j).name());
        for (int k = 0; k < scans_out; ++k)
          scanned[static_cast<size_t>(k)].push_back(map_name(body.output(states + k).name()));
      }
      for (int j = 0; j < states; ++j) final_states[static_cast<size_t>(j)].push_back(state[static_cast<size_t>(j)]);
      for (int k = 0; k < scans_out; ++k) {
        auto& parts = scanned[static_cast<size_t>(k)];
        if (out_dirs[static_cast<size_t>(k)] != 0) std::reverse(parts.begin(), parts.end());
        const int out_index = states + k;
        if (out_index >= n.output_size() || n.output(out_index).empty()) continue;
        if (!batched) {
          Stack(parts, out_axes[static_cast<size_t>(k)], n.output(out_index), "/scan_output", who, nodes, hoisted);
        } else {
          const std::string part = Fresh(n.output(out_index) + "/batch" + std::to_string(b));
          Stack(parts, 0, part, "/scan_output", who, nodes, hoisted);
          stacked[static_cast<size_t>(k)].push_back(part);
        }
      }
    }
    for (int j = 0; j < states && j < n.output_size(); ++j) {
      const std::string& out = n.output(j);
      if (out.empty()) continue;
      if (batched) Stack(final_states[static_cast<size_t>(j)], 0, out, "/scan_state", who, nodes, hoisted);
      else PassOn(final_states[static_cast<size_t>(j)][0], out, "/scan_state", who, nodes);
    }
    for (int k = 0; batched && k < scans_out; ++k) {
      const int out_index = states + k;
      if (out_index < n.output_size() && !n.output(out_index).empty())
        Stack(stacked[static_cast<size_t>(k)], 0, n.output(out_index), "/scan_batch", who, nodes, hoisted);
    }
    return Status::Ok();
  }

  static bool IsSequenceOp(const pb::NodeProto& n) {
    static const std::set<std::string> kOps = {"SequenceEmpty", "SequenceConstruct", "SequenceInsert",
                                               "SequenceErase",  "SequenceAt",        "SequenceLength",
                                               "ConcatFromSequence", "SplitToSequence"};
    return IsDefaultDomain(n.domain()) && kOps.count(n.op_type()) > 0;
  }

 public:
  // Sequences built and read inside the graph (scripted PyTorch's lists,
  // tf2onnx): each sequence value is held at import as the list of its
  // tensors, and its operators become plain nodes or none: SequenceEmpty and
  // SequenceConstruct make a list, SequenceInsert and SequenceErase (at a
  // position known before import) a new one, SequenceAt an Identity of one
  // tensor, SequenceLength a constant, ConcatFromSequence a Concat (with
  // new_axis, the stack of Unsqueezes), SplitToSequence a Split (of the
  // static size of its axis; keepdims 0 squeezes the pieces). An Identity of
  // a sequence is the same list. Anything else reading a sequence, a
  // sequence graph output and a position computed at run time are refused.
  // Runs on the main graph after Flatten, so unrolled bodies are lowered too.
  Status LowerSequences(pb::GraphProto* g) {
    bool any = false;
    for (const auto& n : g->node()) any = any || IsSequenceOp(n);
    if (!any) return Status::Ok();
    for (const auto& in : g->input()) {
      if (in.type().has_sequence_type()) {
        return FileError(ctx_, kTensorType, ExitCode::kUnsupported,
                         "graph input '" + in.name() + "' is a sequence, which ember models do not take",
                         "give its tensors as separate inputs");
      }
    }
    Scope scope;
    for (const auto& t : g->initializer()) scope.constants[t.name()] = &t;
    std::map<std::string, std::vector<std::string>> seqs;
    std::vector<pb::NodeProto> nodes;
    std::vector<pb::TensorProto> added;
    for (const auto& n : g->node()) {
      std::string who =
          n.op_type() + " node '" + (n.name().empty() ? (n.output_size() ? n.output(0) : std::string()) : n.name()) + "'";
      if (const auto from = ctx_.expanded_from.find(n.name()); from != ctx_.expanded_from.end()) {
        who += " (of " + from->second + ")";
      }
      if (IsSequenceOp(n) || (n.op_type() == "Identity" && n.input_size() == 1 && seqs.count(n.input(0)))) {
        const size_t before = nodes.size();
        EMBER_RETURN_IF_ERROR(LowerSequenceNode(*g, n, who, &scope, &seqs, &nodes, &added));
        for (size_t k = before; k < nodes.size(); ++k) EMBER_RETURN_IF_ERROR(NoteDims(*g, nodes[k], &scope));
        continue;
      }
      for (const auto& in : n.input()) {
        if (seqs.count(in)) {
          return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported,
                           who + " reads sequence '" + in + "', which ember holds only for the sequence operators",
                           "read its tensors with SequenceAt or ConcatFromSequence in the model");
        }
      }
      EMBER_RETURN_IF_ERROR(Note(*g, n, &scope));
      nodes.push_back(n);
    }
    for (const auto& out : g->output()) {
      if (seqs.count(out.name())) {
        return FileError(ctx_, kTensorType, ExitCode::kUnsupported,
                         "graph output '" + out.name() + "' is a sequence, which ember models do not give",
                         "give its tensors as outputs, or concatenate them (ConcatFromSequence) in the model");
      }
    }
    auto* vi = g->mutable_value_info();
    for (int k = vi->size() - 1; k >= 0; --k) {
      if (seqs.count(vi->Get(k).name())) vi->DeleteSubrange(k, 1);
    }
    Replace(g, &nodes, &added);
    return Status::Ok();
  }

 private:
  Status LowerSequenceNode(const pb::GraphProto& g, const pb::NodeProto& n, const std::string& who, Scope* scope,
                           std::map<std::string, std::vector<std::string>>* seqs, std::vector<pb::NodeProto>* nodes,
                           std::vector<pb::TensorProto>* added) {
    const std::string& op = n.op_type();
    const auto bad = [&](const std::string& what) {
      return FileError(ctx_, kBadOperand, ExitCode::kFailure, who + " " + what, "re-export the model");
    };
    const auto input = [&](int k) { return k < n.input_size() ? n.input(k) : std::string(); };
    // The sequence input k.
    const auto seq = [&](int k) -> Expected<const std::vector<std::string>*> {
      const auto it = seqs->find(input(k));
      if (it == seqs->end()) return bad("reads '" + input(k) + "', which is not a sequence built in the graph");
      return &it->second;
    };
    // The position input k (absent: `def`), in [lo, hi] after adding `len` to a negative one.
    const auto position = [&](int k, int64_t def, int64_t len, int64_t lo, int64_t hi) -> Expected<int64_t> {
      if (input(k).empty()) return def;
      EMBER_ASSIGN_OR_RETURN(const std::optional<double> v, ConstScalar(*scope, input(k)));
      if (!v) {
        return FileError(ctx_, kNotConstant, ExitCode::kUnsupported,
                         who + ": position '" + input(k) + "' is computed at run time; ember needs it constant",
                         "index sequences with constants (ember holds a sequence's tensors at import)");
      }
      if (!(std::fabs(*v) < 1e15) || *v != std::trunc(*v)) return bad("has position " + std::to_string(*v));
      int64_t p = static_cast<int64_t>(*v);
      if (p < 0) p += len;
      if (p < lo || p > hi) {
        return bad("has position " + std::to_string(static_cast<int64_t>(*v)) + " in a sequence of " +
                   std::to_string(len) + " tensors");
      }
      return p;
    };
    const auto attr = [&](const char* name, int64_t def) {
      for (const auto& a : n.attribute())
        if (a.name() == name) return a.i();
      return def;
    };
    const std::string result = n.output_size() > 0 ? n.output(0) : std::string();
    if (op == "Identity" || op == "SequenceEmpty" || op == "SequenceConstruct" || op == "SequenceInsert" ||
        op == "SequenceErase") {
      std::vector<std::string> list;
      if (op == "Identity") {
        list = seqs->at(n.input(0));
      } else if (op == "SequenceConstruct") {
        list.assign(n.input().begin(), n.input().end());
      } else if (op != "SequenceEmpty") {
        EMBER_ASSIGN_OR_RETURN(const auto* s, seq(0));
        list = *s;
        const auto len = static_cast<int64_t>(list.size());
        if (op == "SequenceInsert") {
          EMBER_ASSIGN_OR_RETURN(const int64_t p, position(2, len, len, 0, len));
          list.insert(list.begin() + p, input(1));
        } else {
          if (len == 0) return bad("erases from an empty sequence");
          EMBER_ASSIGN_OR_RETURN(const int64_t p, position(1, len - 1, len, 0, len - 1));
          list.erase(list.begin() + p);
        }
      }
      if (!result.empty()) (*seqs)[result] = std::move(list);
      return Status::Ok();
    }
    if (result.empty()) return Status::Ok();
    if (op == "SequenceAt") {
      EMBER_ASSIGN_OR_RETURN(const auto* s, seq(0));
      const auto len = static_cast<int64_t>(s->size());
      if (len == 0) return bad("reads an empty sequence");
      EMBER_ASSIGN_OR_RETURN(const int64_t p, position(1, 0, len, 0, len - 1));
      PassOn((*s)[static_cast<size_t>(p)], result, "/sequence_at", who, nodes);
      return Status::Ok();
    }
    if (op == "SequenceLength") {
      EMBER_ASSIGN_OR_RETURN(const auto* s, seq(0));
      const auto len = static_cast<int64_t>(s->size());
      added->push_back(Scalar(result + "/length", pb::TensorProto::INT64, len));
      PassOn(added->back().name(), result, "/sequence_length", who, nodes);
      scope->ints[result] = {len};
      return Status::Ok();
    }
    if (op == "ConcatFromSequence") {
      EMBER_ASSIGN_OR_RETURN(const auto* s, seq(0));
      if (s->empty()) return bad("concatenates an empty sequence");
      const int64_t axis = attr("axis", 0);
      if (attr("new_axis", 0) != 0) {
        Stack(*s, axis, result, "/concat_from_sequence", who, nodes, added);
        return Status::Ok();
      }
      pb::NodeProto concat;
      concat.set_op_type("Concat");
      concat.set_name(Fresh(result + "/concat_from_sequence"));
      for (const auto& v : *s) concat.add_input(v);
      concat.add_output(result);
      auto* a = concat.add_attribute();
      a->set_name("axis");
      a->set_type(pb::AttributeProto::INT);
      a->set_i(axis);
      ctx_.expanded_from[concat.name()] = who;
      nodes->push_back(std::move(concat));
      return Status::Ok();
    }
    // SplitToSequence.
    const auto dims = StaticDims(g, *scope, input(0));
    if (!dims) {
      return FileError(ctx_, kUnsupportedAttr, ExitCode::kUnsupported,
                       who + ": input '" + input(0) + "' of a shape not known before import, which ember does not split "
                             "into a sequence",
                       "give the model's inputs fixed shapes (--input-shape NAME=1x3x96x96), or save the model with "
                       "its intermediate shapes stated (onnx.shape_inference.infer_shapes)");
    }
    const auto rank = static_cast<int64_t>(dims->size());
    int64_t axis = attr("axis", 0);
    if (axis < -rank || axis >= rank) return bad("has axis " + std::to_string(axis) + " for a rank-" + std::to_string(rank) + " input");
    if (axis < 0) axis += rank;
    const int64_t size = (*dims)[static_cast<size_t>(axis)];
    std::vector<int64_t> sizes;
    const bool given = !input(1).empty();
    if (given) {
      EMBER_ASSIGN_OR_RETURN(const auto split, Known(*scope, input(1)));
      if (!split) {
        return FileError(ctx_, kNotConstant, ExitCode::kUnsupported,
                         who + ": split '" + input(1) + "' is computed at run time; ember needs it constant",
                         "give the split sizes as a constant");
      }
      const auto* t = scope->constants.count(input(1)) ? scope->constants.at(input(1)) : nullptr;
      const bool scalar = t ? t->dims_size() == 0 : split->size() == 1 && scope->ints.count(input(1)) == 0;
      if (scalar) {
        const double chunk = split->empty() ? 0.0 : split->front();
        if (!(chunk >= 1.0) || chunk != std::trunc(chunk) || chunk > 1e9) return bad("has split size " + std::to_string(chunk));
        for (int64_t at = 0; at < size; at += static_cast<int64_t>(chunk))
          sizes.push_back(std::min(static_cast<int64_t>(chunk), size - at));
      } else {
        int64_t sum = 0;
        for (double d : *split) {
          if (!(d >= 0.0) || d != std::trunc(d) || d > 1e9) return bad("has split size " + std::to_string(d));
          sizes.push_back(static_cast<int64_t>(d));
          sum += sizes.back();
        }
        if (sum != size) {
          return bad("splits " + std::to_string(sum) + " of the " + std::to_string(size) + " elements of axis " +
                     std::to_string(axis));
        }
      }
    } else {
      sizes.assign(static_cast<size_t>(size), 1);
    }
    if (sizes.empty() || static_cast<int64_t>(sizes.size()) > kMaxUnrolledSteps) {
      return bad("splits into " + std::to_string(sizes.size()) + " tensors (1 to " + std::to_string(kMaxUnrolledSteps) + ")");
    }
    const bool squeeze = !given && attr("keepdims", 1) == 0;
    pb::NodeProto split;
    split.set_op_type("Split");
    split.set_name(Fresh(result + "/split_to_sequence"));
    split.add_input(input(0));
    auto* a = split.add_attribute();
    a->set_name("axis");
    a->set_type(pb::AttributeProto::INT);
    a->set_i(axis);
    if (ctx_.opset >= 13) {
      pb::TensorProto t;
      t.set_name(Fresh(result + "/split_sizes"));
      t.set_data_type(pb::TensorProto::INT64);
      t.add_dims(static_cast<int64_t>(sizes.size()));
      for (int64_t v : sizes) t.add_int64_data(v);
      split.add_input(t.name());
      added->push_back(std::move(t));
    } else {
      auto* sa = split.add_attribute();
      sa->set_name("split");
      sa->set_type(pb::AttributeProto::INTS);
      for (int64_t v : sizes) sa->add_ints(v);
    }
    std::vector<std::string> list;
    for (size_t k = 0; k < sizes.size(); ++k) {
      split.add_output(Fresh(result + "/piece" + std::to_string(k)));
      list.push_back(split.output(static_cast<int>(k)));
      std::vector<int64_t> piece = *dims;
      piece[static_cast<size_t>(axis)] = sizes[k];
      scope->dims[list.back()] = std::move(piece);
    }
    ctx_.expanded_from[split.name()] = who;
    nodes->push_back(split);
    if (squeeze) {
      std::string axes;
      for (auto& piece : list) {
        pb::NodeProto sq = AxisNode("Squeeze", piece, axis, piece + "/squeezed", result + "/squeeze_axis", &axes, added);
        piece = Fresh(piece + "_squeezed");
        sq.add_output(piece);
        ctx_.expanded_from[sq.name()] = who;
        nodes->push_back(std::move(sq));
      }
    }
    (*seqs)[result] = std::move(list);
    return Status::Ok();
  }

  std::string Fresh(const std::string& base) { return FreshName(&used_, base); }

  // An Unsqueeze or Squeeze (`op`) of `input` at `axis`, named afresh after
  // `name`, without its output: the axis an input from opset 13 on (the
  // constant `*axes`, made once under `axes_name` into `hoisted`), an
  // attribute before.
  pb::NodeProto AxisNode(const char* op, const std::string& input, int64_t axis, const std::string& name,
                         const std::string& axes_name, std::string* axes, std::vector<pb::TensorProto>* hoisted) {
    pb::NodeProto n;
    n.set_op_type(op);
    n.set_name(Fresh(name));
    n.add_input(input);
    if (ctx_.opset >= 13) {
      if (axes->empty()) {
        pb::TensorProto a;
        a.set_name(Fresh(axes_name));
        a.set_data_type(pb::TensorProto::INT64);
        a.add_dims(1);
        a.add_int64_data(axis);
        *axes = a.name();
        hoisted->push_back(std::move(a));
      }
      n.add_input(*axes);
    } else {
      auto* a = n.add_attribute();
      a->set_name("axes");
      a->set_type(pb::AttributeProto::INTS);
      a->add_ints(axis);
    }
    return n;
  }

  // Makes `out` the values `parts` stacked along a new axis `axis`
  // (Unsqueeze each, then Concat); diagnostics name `origin`.
  void Stack(const std::vector<std::string>& parts, int64_t axis, const std::string& out, const std::string& tag,
             const std::string& origin, std::vector<pb::NodeProto>* nodes, std::vector<pb::TensorProto>* hoisted) {
    auto add = [&](pb::NodeProto node) {
      ctx_.expanded_from[node.name()] = origin;
      nodes->push_back(std::move(node));
    };
    pb::NodeProto concat;
    concat.set_op_type("Concat");
    concat.set_name(Fresh(out + tag));
    auto* at = concat.add_attribute();
    at->set_name("axis");
    at->set_type(pb::AttributeProto::INT);
    at->set_i(axis);
    std::string axes;
    for (const std::string& v : parts) {
      pb::NodeProto un = AxisNode("Unsqueeze", v, axis, v + tag + "_step", out + tag + "_axis", &axes, hoisted);
      un.add_output(Fresh(v + tag + "_stacked"));
      concat.add_input(un.output(0));
      add(std::move(un));
    }
    concat.add_output(out);
    add(std::move(concat));
  }

  // An Identity that makes value `from` the control-flow node's output `to`;
  // diagnostics name `origin`.
  void PassOn(const std::string& from, const std::string& to, const std::string& tag, const std::string& origin,
              std::vector<pb::NodeProto>* nodes) {
    pb::NodeProto id;
    id.set_op_type("Identity");
    id.set_name(Fresh(to + tag));
    id.add_input(from);
    id.add_output(to);
    ctx_.expanded_from[id.name()] = origin;
    nodes->push_back(std::move(id));
  }

  // Appends the nodes of `g` to `nodes`: each named afresh under `prefix`,
  // its values renamed by `rename`, to which every value a node of `g`
  // defines is added first (a fresh name under `prefix`); diagnostics about
  // them name `origin` (after the origin a node had, if any).
  void CopyNodes(const pb::GraphProto& g, const std::string& prefix, const std::string& origin,
                 std::map<std::string, std::string>* rename, std::vector<pb::NodeProto>* nodes) {
    for (const auto& gn : g.node())
      for (const auto& v : gn.output())
        if (!v.empty() && !rename->count(v)) (*rename)[v] = Fresh(prefix + v);
    for (const auto& gn : g.node()) {
      pb::NodeProto c = gn;
      c.set_name(Fresh(prefix + (gn.name().empty() ? gn.op_type() : gn.name())));
      for (auto* names : {c.mutable_input(), c.mutable_output()}) {
        for (auto& v : *names) {
          const auto it = rename->find(v);
          if (it != rename->end()) v = it->second;
        }
      }
      const auto from = ctx_.expanded_from.find(gn.name());
      ctx_.expanded_from[c.name()] = from != ctx_.expanded_from.end() ? from->second + ", in " + origin : origin;
      nodes->push_back(std::move(c));
    }
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
    for (const auto& t : b.initializer()) {
      rename[t.name()] = Fresh(prefix + t.name());
      hoisted->push_back(t);
      hoisted->back().set_name(rename.at(t.name()));
    }
    if (static_cast<int64_t>(nodes->size()) + b.node_size() > kMaxInlinedNodes) {
      return FileError(ctx_, kUnsupportedOp, ExitCode::kUnsupported, Who(n) + "'s branches make the graph too large",
                       "export the model with less control flow");
    }
    CopyNodes(b, prefix, "the " + tag + " branch of " + Who(n), &rename, nodes);
    auto map_name = [&](const std::string& s) {
      const auto it = rename.find(s);
      return it == rename.end() ? s : it->second;
    };
    outputs->clear();
    for (int k = 0; k < n.output_size(); ++k) outputs->push_back(map_name(b.output(k).name()));
    return Status::Ok();
  }

  Status Inline(const pb::NodeProto& n, const Scope& scope, int depth,
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
    EMBER_ASSIGN_OR_RETURN(const auto known, Known(scope, cond));
    if (known) {
      if (known->size() != 1) {
        return Error(n, "has a condition of " + std::to_string(known->size()) + " elements (it takes one)");
      }
      std::vector<std::string> outs;
      const bool take_then = known->front() != 0.0;
      EMBER_RETURN_IF_ERROR(Branch(n, take_then ? *then_b : *else_b, take_then ? "then" : "else", depth, nodes,
                                   hoisted, &outs));
      for (int k = 0; k < n.output_size(); ++k) {
        if (!n.output(k).empty()) PassOn(outs[static_cast<size_t>(k)], n.output(k), "/if_result", Who(n), nodes);
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
  const pb::GraphProto* main_;
  std::set<std::string> used_;
};

}  // namespace

Status InlineControlFlow(Context& ctx, pb::ModelProto* m) {
  ControlFlowInliner inliner(ctx, m->graph());
  EMBER_RETURN_IF_ERROR(inliner.Flatten(m->mutable_graph(), 0));
  EMBER_RETURN_IF_ERROR(inliner.LowerSequences(m->mutable_graph()));
  if (m->ir_version() < 4) {
    // Before IR version 4 every initializer is a graph input as well: the
    // hoisted ones (body constants, iteration numbers) are listed too.
    std::set<std::string> listed;
    for (const auto& in : m->graph().input()) listed.insert(in.name());
    pb::GraphProto* g = m->mutable_graph();
    for (const auto& t : g->initializer()) {
      if (listed.count(t.name())) continue;
      auto* in = g->add_input();
      in->set_name(t.name());
      auto* type = in->mutable_type()->mutable_tensor_type();
      type->set_elem_type(t.data_type());
      auto* shape = type->mutable_shape();
      for (int64_t d : t.dims()) shape->add_dim()->set_dim_value(d);
    }
  }
  // Any other subgraph is refused here, before libonnx's inference would
  // walk it unchecked by the prechecks.
  const pb::GraphProto& g = m->graph();
  for (int i = 0; i < g.node_size(); ++i) {
    for (const auto& a : g.node(i).attribute()) {
      if (!a.has_g() && a.graphs_size() == 0) continue;
      const NodeRef ref = RefOf(g, i);
      return NodeError(ctx, ref, kUnsupportedOp, ExitCode::kUnsupported,
                       "operator " + g.node(i).op_type() + " (control flow over a subgraph) is not supported by ember",
                       "ember imports If and unrolls Loop and Scan; export the model without other "
                       "control flow (a traced model)");
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
