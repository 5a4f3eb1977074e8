// Resource variables of the TFLite importer (docs/frontend-tflite.md,
// "Resource variables"): VAR_HANDLE, READ_VARIABLE, ASSIGN_VARIABLE and
// CALL_ONCE, with TensorFlow Lite Micro's semantics
// (micro_resource_variable.cc and the four kernels):
//   - a resource is named by (container, shared_name); an absent container
//     matches any. Its bytes are those of the first ASSIGN_VARIABLE in TFLM's
//     prepare order (subgraph 0 first, then 1, ..., operators in order), and
//     its buffer starts as that value tensor's zero point (as int8) in every
//     byte, 0 without quantization;
//   - CALL_ONCE runs its init subgraph on the first invocation only. ember
//     imports that subgraph as a graph of its own and evaluates it with the
//     reference evaluator at import: what it assigns is the resource's
//     initial value (ir::Tensor::init);
//   - in the model, each resource is one variable (persistent state). A READ
//     before any ASSIGN of the same invocation copies the variable
//     (read_variable); a READ after one gets the assigned value (a reshape of
//     it); the last value assigned is written back by one assign_variable
//     after every other node (ir::Verify, E0241), so that any topological
//     order of the nodes computes the same.
#include <cstring>
#include <map>
#include <set>

#include "frontend/tflite/import_internal.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "ops/op.h"
#include "support/utf8.h"

namespace ember::frontend::tflite::detail {

namespace tfl = ::tflite;

struct Resource {
  std::string container;  // "" when absent
  std::string shared_name;
  bool typed = false;  // an ASSIGN_VARIABLE of the model gave its type
  ir::DType dtype = ir::DType::kFloat32;
  ir::Shape shape;
  std::optional<ir::QuantParams> quant;
  std::string typed_at;        // "operator 3 of subgraph 1", for diagnostics
  std::vector<uint8_t> value;  // its bytes after the CALL_ONCEs converted so far

  std::string Display() const {
    return "'" + shared_name + "'" + (container.empty() ? "" : " (container '" + container + "')");
  }
};

// Conversion state of one subgraph.
struct SubgraphResources {
  std::vector<char> handle_seen;       // per tensor: written by a VAR_HANDLE converted already
  std::vector<ir::TensorId> var;       // per resource: its variable in this subgraph's graph
  std::vector<ir::TensorId> current;   // per resource: the value assigned last in this subgraph
  std::string first_use;               // the first READ/ASSIGN_VARIABLE, for diagnostics
};

struct Resources {
  std::vector<Resource> list;
  std::vector<std::vector<int32_t>> handle;  // [subgraph][tensor]: the resource a VAR_HANDLE writes, or -1
  std::map<int32_t, SubgraphResources> state;
};

namespace {

constexpr const char* kReexport = "the model file is damaged; re-export it from the converter";
// Limits of an init subgraph's evaluation at import (far beyond what
// initialising a microcontroller model's state takes).
constexpr int64_t kMaxInitBytes = int64_t{64} << 20;
constexpr int64_t kMaxInitMacs = int64_t{1} << 28;

std::string Where(const Context& ctx, size_t op_index) {
  return "operator " + std::to_string(op_index) + " of subgraph " + std::to_string(ctx.subgraph_index);
}

// The operator's builtin name, or "" (unknown codes are reported by ResolveOp).
std::string BuiltinName(const Context& ctx, const tfl::Operator* op) {
  const auto* codes = ctx.model->operator_codes();
  if (!codes || op->opcode_index() >= codes->size()) return "";
  const tfl::OperatorCode* code = codes->Get(op->opcode_index());
  const int32_t value = std::max<int32_t>(code->deprecated_builtin_code(), static_cast<int32_t>(code->builtin_code()));
  if (value == static_cast<int32_t>(tfl::BuiltinOperator::CUSTOM)) return "";
  const char* name = tfl::EnumNameBuiltinOperator(static_cast<tfl::BuiltinOperator>(value));
  return name ? name : "";
}

SubgraphResources& State(Context& ctx) {
  SubgraphResources& st = ctx.resources->state[ctx.subgraph_index];
  st.handle_seen.resize(ctx.num_tensors, 0);
  st.var.resize(ctx.resources->list.size(), ir::kNoTensor);
  st.current.resize(ctx.resources->list.size(), ir::kNoTensor);
  return st;
}

// The tensor index at input `pos`, range-checked (E0106).
Expected<int32_t> InputTensor(const Context& ctx, const OpRef& op, size_t pos) {
  const int32_t index = InputIndex(op, pos);
  if (index < 0 || static_cast<size_t>(index) >= ctx.num_tensors) {
    return OpError(ctx, op, kTensorIndex, ExitCode::kFailure,
                   "input " + std::to_string(pos) + " refers to tensor " + std::to_string(index) +
                       " but the subgraph has " + std::to_string(ctx.num_tensors) + " tensors",
                   kReexport);
  }
  return index;
}

// The resource that input `pos` (a resource handle) names: the output of an
// earlier VAR_HANDLE of the same subgraph (E0127 otherwise).
Expected<int32_t> HandleInput(Context& ctx, const OpRef& op, size_t pos) {
  EMBER_ASSIGN_OR_RETURN(const int32_t index, InputTensor(ctx, op, pos));
  const int32_t r = ctx.resources->handle[static_cast<size_t>(ctx.subgraph_index)][static_cast<size_t>(index)];
  if (r < 0 || !State(ctx).handle_seen[static_cast<size_t>(index)]) {
    return OpError(ctx, op, kResourceHandle, ExitCode::kUnsupported,
                   "input " + std::to_string(pos) + " reads tensor '" + ctx.names[static_cast<size_t>(index)] +
                       "', which is not the output of an earlier VAR_HANDLE of this subgraph",
                   "ember supports resource handles made by VAR_HANDLE in the subgraph that uses them "
                   "(what the TFLite converter writes)");
  }
  return r;
}

Status CheckCounts(const Context& ctx, const OpRef& op, size_t inputs, size_t outputs) {
  const size_t nin = NumInputs(op), nout = op.op->outputs() ? op.op->outputs()->size() : 0;
  if (nin == inputs && nout == outputs) return Status::Ok();
  return OpError(ctx, op, kOperandCount, ExitCode::kFailure,
                 "has " + std::to_string(nin) + " inputs and " + std::to_string(nout) + " outputs; " +
                     std::to_string(inputs) + " and " + std::to_string(outputs) + " are expected",
                 kReexport);
}

std::string UniqueName(const Context& ctx, const std::string& base) {
  std::set<std::string> used(ctx.names.begin(), ctx.names.end());
  for (const ir::Tensor& t : ctx.graph.tensors) used.insert(t.name);
  std::string name = base;
  for (int k = 1; used.count(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

// The variable of resource r in ctx's graph, created on first use with the
// resource's current value as its initial value.
ir::TensorId Var(Context& ctx, int32_t r) {
  SubgraphResources& st = State(ctx);
  ir::TensorId& id = st.var[static_cast<size_t>(r)];
  if (id != ir::kNoTensor) return id;
  const Resource& res = ctx.resources->list[static_cast<size_t>(r)];
  ir::Tensor t;
  t.name = UniqueName(ctx, res.shared_name.empty() ? "resource_" + std::to_string(r) : res.shared_name);
  t.dtype = res.dtype;
  t.shape = res.shape;
  t.quant = res.quant;
  t.is_variable = true;
  if (res.value != ir::VariableInitBytes(t)) t.init = res.value;
  id = ctx.graph.AddTensor(std::move(t));
  return id;
}

// The value tensor of an ASSIGN_VARIABLE types its resource (the first one
// in prepare order) or must agree with that type (E0125).
Status TypeResource(Context& sub, const OpRef& op, Resource& res, int32_t value_index) {
  EMBER_ASSIGN_OR_RETURN(const ir::TensorId id, UseTensor(sub, value_index));
  const ir::Tensor& v = sub.graph.tensor(id);
  if (!res.typed) {
    // Its bytes are held at import (and the init subgraph evaluated into them):
    // bounded like the init subgraph's tensors, long before any allocation.
    if (v.size_bytes() > kMaxInitBytes) {
      return OpError(sub, op, kResourceType, ExitCode::kUnsupported,
                     "assigns " + std::string(ir::DTypeName(v.dtype)) + ir::ShapeToString(v.shape) + " (" +
                         std::to_string(v.size_bytes()) + " bytes) to resource " + res.Display(),
                     "ember holds a resource variable of at most " + std::to_string(kMaxInitBytes) +
                         " bytes; a microcontroller model's state is far smaller, so check the model");
    }
    res.typed = true;
    res.dtype = v.dtype;
    res.shape = v.shape;
    res.quant = v.quant;
    res.typed_at = Where(sub, op.index);
    // TFLite Micro's MicroResourceVariables::Allocate: every byte the zero
    // point (as int8) of the value's quantization, 0 without.
    uint8_t fill = 0;
    const auto* q = sub.subgraph->tensors()->Get(static_cast<flatbuffers::uoffset_t>(value_index))->quantization();
    if (q && q->scale() && q->scale()->size() > 0 && q->zero_point() && q->zero_point()->size() > 0) {
      int64_t z = 0;
      std::memcpy(&z, q->zero_point()->Data(), sizeof z);
      fill = static_cast<uint8_t>(static_cast<int8_t>(flatbuffers::EndianScalar(z)));
    }
    res.value.assign(static_cast<size_t>(v.size_bytes()), fill);
    return Status::Ok();
  }
  if (v.dtype != res.dtype || v.size_bytes() != static_cast<int64_t>(res.value.size())) {
    return OpError(sub, op, kResourceType, ExitCode::kUnsupported,
                   "assigns " + std::string(ir::DTypeName(v.dtype)) + ir::ShapeToString(v.shape) + " to resource " +
                       res.Display() + ", which " + res.typed_at + " made " + ir::DTypeName(res.dtype) +
                       ir::ShapeToString(res.shape),
                   "every ASSIGN_VARIABLE and READ_VARIABLE of a resource must have one data type and size "
                   "(TFLite Micro copies the bytes of the first)");
  }
  return Status::Ok();
}

// VAR_HANDLE: the resource named by its options (created on first use, as
// MicroResourceVariables::CreateIdIfNoneFound).
Status PrepareHandle(Context& sub, const OpRef& op) {
  EMBER_RETURN_IF_ERROR(CheckCounts(sub, op, 0, 1));
  const int32_t out = op.op->outputs()->Get(0);
  if (out < 0 || static_cast<size_t>(out) >= sub.num_tensors) {
    return OpError(sub, op, kTensorIndex, ExitCode::kFailure,
                   "output 0 refers to tensor " + std::to_string(out) + " but the subgraph has " +
                       std::to_string(sub.num_tensors) + " tensors",
                   kReexport);
  }
  const auto* o = op.op->builtin_options_as_VarHandleOptions();
  if (!o || !o->shared_name()) {
    return OpError(sub, op, kInvalidOption, ExitCode::kFailure,
                   "has no VarHandleOptions with a shared_name (the resource's name)", kReexport);
  }
  const bool has_container = o->container() != nullptr;
  const std::string container = has_container ? EscapeInvalidUtf8(o->container()->string_view()) : "";
  const std::string name = EscapeInvalidUtf8(o->shared_name()->string_view());
  Resources& rs = *sub.resources;
  int32_t found = -1;
  for (size_t i = 0; i < rs.list.size() && found < 0; ++i) {
    if ((!has_container || rs.list[i].container == container) && rs.list[i].shared_name == name)
      found = static_cast<int32_t>(i);
  }
  if (found < 0) {
    Resource res;
    res.container = container;
    res.shared_name = name;
    rs.list.push_back(std::move(res));
    found = static_cast<int32_t>(rs.list.size() - 1);
  }
  rs.handle[static_cast<size_t>(sub.subgraph_index)][static_cast<size_t>(out)] = found;
  return Status::Ok();
}

// READ_VARIABLE: a copy of the variable, or of the value assigned earlier in
// this subgraph.
Status ConvertRead(Context& ctx, const OpRef& op) {
  EMBER_RETURN_IF_ERROR(CheckCounts(ctx, op, 1, 1));
  EMBER_ASSIGN_OR_RETURN(const int32_t r, HandleInput(ctx, op, 0));
  const Resource& res = ctx.resources->list[static_cast<size_t>(r)];
  if (!res.typed) {
    return OpError(ctx, op, kResourceType, ExitCode::kUnsupported,
                   "reads resource " + res.Display() + ", which no ASSIGN_VARIABLE of the model assigns",
                   "TFLite Micro gives a resource its buffer at its first ASSIGN_VARIABLE; assign it (e.g. in "
                   "the CALL_ONCE init subgraph) before reading it");
  }
  const int32_t out = op.op->outputs()->Get(0);
  if (out < 0 || static_cast<size_t>(out) >= ctx.num_tensors) {
    return OpError(ctx, op, kTensorIndex, ExitCode::kFailure,
                   "output 0 refers to tensor " + std::to_string(out) + " but the subgraph has " +
                       std::to_string(ctx.num_tensors) + " tensors",
                   kReexport);
  }
  EMBER_ASSIGN_OR_RETURN(const ir::TensorId o, UseTensor(ctx, out));
  if (ctx.graph.tensor(o).is_const() || ctx.available[static_cast<size_t>(out)] || ctx.graph.tensor(o).is_variable) {
    return OpError(ctx, op, kDataflow, ExitCode::kFailure,
                   "output 0 writes tensor '" + ctx.names[static_cast<size_t>(out)] +
                       "', which is a constant, a variable, a graph input or the output of another operator",
                   kReexport);
  }
  const ir::Tensor ot = ctx.graph.tensor(o);
  if (ot.dtype != res.dtype || ot.size_bytes() != static_cast<int64_t>(res.value.size())) {
    return OpError(ctx, op, kResourceType, ExitCode::kUnsupported,
                   "reads resource " + res.Display() + " of " + ir::DTypeName(res.dtype) +
                       ir::ShapeToString(res.shape) + " (typed by " + res.typed_at + ") into " +
                       ir::DTypeName(ot.dtype) + ir::ShapeToString(ot.shape),
                   "every ASSIGN_VARIABLE and READ_VARIABLE of a resource must have one data type and size");
  }
  SubgraphResources& st = State(ctx);
  if (st.first_use.empty()) st.first_use = Where(ctx, op.index);
  const ir::TensorId current = st.current[static_cast<size_t>(r)];
  auto reshape = [&](ir::TensorId from) {
    ir::Node n;
    n.op = ir::OpKind::kReshape;
    n.name = ot.name;
    n.inputs = {from};
    n.outputs = {o};
    n.attrs["shape"] = std::vector<int64_t>(ot.shape.begin(), ot.shape.end());
    ctx.graph.nodes.push_back(std::move(n));
  };
  if (current != ir::kNoTensor) {
    reshape(current);  // TFLite Micro reads back what was just assigned
  } else {
    const ir::TensorId var = Var(ctx, r);
    ir::Node n;
    n.op = ir::OpKind::kReadVariable;
    n.name = ot.name;
    n.inputs = {var};
    if (ot.shape == res.shape) {
      n.outputs = {o};
      ctx.graph.nodes.push_back(std::move(n));
    } else {
      ir::Tensor t = ot;
      t.name = UniqueName(ctx, ot.name + "/read");
      t.shape = res.shape;
      const ir::TensorId tmp = ctx.graph.AddTensor(std::move(t));
      n.outputs = {tmp};
      ctx.graph.nodes.push_back(std::move(n));
      reshape(tmp);
    }
  }
  ctx.available[static_cast<size_t>(out)] = 1;
  return Status::Ok();
}

// ASSIGN_VARIABLE: the resource's value from here on in this subgraph.
Status ConvertAssign(Context& ctx, const OpRef& op) {
  EMBER_RETURN_IF_ERROR(CheckCounts(ctx, op, 2, 0));
  EMBER_ASSIGN_OR_RETURN(const int32_t r, HandleInput(ctx, op, 0));
  EMBER_ASSIGN_OR_RETURN(const ir::TensorId value, Operand(ctx, op, 1));
  SubgraphResources& st = State(ctx);
  if (st.first_use.empty()) st.first_use = Where(ctx, op.index);
  st.current[static_cast<size_t>(r)] = value;
  return Status::Ok();
}

Diagnostic InitError(const Context& ctx, const OpRef& op, int32_t k, const std::string& what) {
  return OpError(ctx, op, kCallOnce, ExitCode::kUnsupported,
                 "its init subgraph " + std::to_string(k) + " cannot be evaluated at import: " + what,
                 "ember runs the init subgraph once, at compile time, on constants only; it must have no "
                 "inputs and only operators ember supports (`ember ops`)");
}

// CALL_ONCE in subgraph 0: imports init subgraph k and evaluates it; the
// resources' values become what it leaves in them.
Status ConvertCallOnce(Context& ctx, const OpRef& op) {
  EMBER_RETURN_IF_ERROR(CheckCounts(ctx, op, 0, 0));
  if (ctx.subgraph_index != 0) {
    return OpError(ctx, op, kCallOnce, ExitCode::kUnsupported,
                   "is inside the init subgraph of another CALL_ONCE",
                   "ember runs CALL_ONCE from the main subgraph only; fold the nested initialisation into one "
                   "init subgraph");
  }
  const SubgraphResources& st = State(ctx);
  if (!st.first_use.empty()) {
    return OpError(ctx, op, kCallOnce, ExitCode::kUnsupported,
                   "comes after " + st.first_use + ", which reads or assigns a resource variable",
                   "the first invocation would see the variables before their initialisation and the next ones "
                   "after it; convert the model so that CALL_ONCE comes first (as the TFLite converter does)");
  }
  const auto* o = op.op->builtin_options_as_CallOnceOptions();
  if (!o) {
    return OpError(ctx, op, kInvalidOption, ExitCode::kFailure, "has no CallOnceOptions", kReexport);
  }
  const int32_t k = o->init_subgraph_index();
  const auto n = static_cast<int32_t>(ctx.model->subgraphs()->size());
  if (k <= 0 || k >= n) {
    return OpError(ctx, op, kCallOnce, ExitCode::kFailure,
                   "init_subgraph_index " + std::to_string(k) + " is not an init subgraph (the model has " +
                       std::to_string(n) + " subgraphs; 0 is the main one)",
                   kReexport);
  }
  Context sub;
  OpenSubgraph(ctx, k, &sub);
  ctx.resources->state.erase(k);  // a second CALL_ONCE of the same subgraph starts afresh
  if (sub.subgraph->inputs() && sub.subgraph->inputs()->size() > 0)
    return InitError(ctx, op, k, "it has " + std::to_string(sub.subgraph->inputs()->size()) + " inputs");
  EMBER_RETURN_IF_ERROR(ConvertOperators(sub));
  EMBER_RETURN_IF_ERROR(FinishResources(sub));
  if (Status s = ir::Verify(sub.graph); !s.ok()) return InitError(ctx, op, k, s.diag().message);
  if (Status s = ops::CheckGraph(sub.graph); !s.ok()) return InitError(ctx, op, k, s.diag().message);
  // The evaluation runs inside the compiler: bounded like any other input.
  int64_t bytes = 0, macs = 0;
  for (const ir::Tensor& t : sub.graph.tensors) bytes += t.size_bytes();
  for (const ir::Node& n : sub.graph.nodes) {
    const ops::OpDef& def = ops::GetOpDef(n.op);
    if (def.macs) macs += def.macs(sub.graph, n);
  }
  if (bytes > kMaxInitBytes || macs > kMaxInitMacs) {
    return InitError(ctx, op, k,
                     "it holds " + std::to_string(bytes) + " bytes of tensors and " + std::to_string(macs) +
                         " multiply-accumulates; ember evaluates at most " + std::to_string(kMaxInitBytes) +
                         " bytes and " + std::to_string(kMaxInitMacs) + " multiply-accumulates at import");
  }
  ops::EvalState state;
  ops::EvalOptions eo;
  eo.state = &state;
  auto run = ops::EvaluateGraph(sub.graph, {}, eo);
  if (!run.ok()) return InitError(ctx, op, k, run.diag().message);
  const SubgraphResources& sst = ctx.resources->state[k];
  for (size_t r = 0; r < sst.var.size(); ++r) {
    if (sst.var[r] != ir::kNoTensor)
      ctx.resources->list[r].value = state.vars[static_cast<size_t>(sst.var[r])];
  }
  for (Diagnostic& w : sub.warnings) ctx.warnings.push_back(std::move(w));
  return Status::Ok();
}

}  // namespace

bool IsResourceOp(const std::string& op_name) {
  return op_name == "VAR_HANDLE" || op_name == "READ_VARIABLE" || op_name == "ASSIGN_VARIABLE" ||
         op_name == "CALL_ONCE";
}

Status PrepareResources(Context& ctx, std::shared_ptr<Resources>* storage) {
  *storage = std::make_shared<Resources>();
  ctx.resources = storage->get();
  Resources& rs = **storage;
  const auto* subgraphs = ctx.model->subgraphs();
  rs.handle.resize(subgraphs->size());
  // TFLite Micro's prepare order: subgraph by subgraph, operators in order.
  for (flatbuffers::uoffset_t s = 0; s < subgraphs->size(); ++s) {
    Context sub;
    OpenSubgraph(ctx, static_cast<int32_t>(s), &sub);
    rs.handle[s].assign(sub.num_tensors, -1);
    const auto* ops = sub.subgraph->operators();
    for (flatbuffers::uoffset_t i = 0; ops && i < ops->size(); ++i) {
      OpRef ref;
      ref.index = i;
      ref.op = ops->Get(i);
      ref.op_name = BuiltinName(sub, ref.op);
      const auto* outs = ref.op->outputs();
      ref.output_name = "?";
      if (outs && outs->size() > 0 && outs->Get(0) >= 0 && static_cast<size_t>(outs->Get(0)) < sub.num_tensors)
        ref.output_name = sub.names[static_cast<size_t>(outs->Get(0))];
      if (ref.op_name == "VAR_HANDLE") {
        EMBER_RETURN_IF_ERROR(PrepareHandle(sub, ref));
      } else if (ref.op_name == "ASSIGN_VARIABLE") {
        EMBER_RETURN_IF_ERROR(CheckCounts(sub, ref, 2, 0));
        EMBER_ASSIGN_OR_RETURN(const int32_t handle, InputTensor(sub, ref, 0));
        const int32_t r = rs.handle[s][static_cast<size_t>(handle)];
        if (r < 0) {
          return OpError(sub, ref, kResourceHandle, ExitCode::kUnsupported,
                         "input 0 reads tensor '" + sub.names[static_cast<size_t>(handle)] +
                             "', which is not the output of an earlier VAR_HANDLE of this subgraph",
                         "ember supports resource handles made by VAR_HANDLE in the subgraph that uses them "
                         "(what the TFLite converter writes)");
        }
        EMBER_ASSIGN_OR_RETURN(const int32_t value, InputTensor(sub, ref, 1));
        EMBER_RETURN_IF_ERROR(TypeResource(sub, ref, rs.list[static_cast<size_t>(r)], value));
      }
    }
  }
  return Status::Ok();
}

Status ConvertResourceOp(Context& ctx, const OpRef& op) {
  if (op.op_name == "VAR_HANDLE") {
    State(ctx).handle_seen[static_cast<size_t>(op.op->outputs()->Get(0))] = 1;  // checked by PrepareResources
    return Status::Ok();
  }
  if (op.op_name == "READ_VARIABLE") return ConvertRead(ctx, op);
  if (op.op_name == "ASSIGN_VARIABLE") return ConvertAssign(ctx, op);
  return ConvertCallOnce(ctx, op);
}

Status FinishResources(Context& ctx) {
  SubgraphResources& st = State(ctx);
  for (size_t r = 0; r < st.current.size(); ++r) {
    if (st.current[r] == ir::kNoTensor) continue;
    ir::Node n;
    n.op = ir::OpKind::kAssignVariable;
    n.name = ctx.resources->list[r].shared_name;
    n.inputs = {Var(ctx, static_cast<int32_t>(r)), st.current[r]};
    ctx.graph.nodes.push_back(std::move(n));
  }
  return Status::Ok();
}

}  // namespace ember::frontend::tflite::detail
