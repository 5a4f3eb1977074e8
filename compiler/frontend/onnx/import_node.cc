// Node-level helpers of the ONNX importer (import_internal.h): diagnostics,
// operand access, attribute access, IR node creation, layout transposes.
#include "frontend/onnx/import_internal.h"
#include "ops/op.h"
#include "support/utf8.h"

namespace ember::frontend::onnx {
namespace {

constexpr const char* kReexport = "the model file is damaged; re-export it";

}  // namespace

namespace detail {

Diagnostic NodeError(const Context& ctx, const NodeRef& ref, const char* id, ExitCode exit,
                     const std::string& message, const std::string& hint) {
  const auto from = ctx.expanded_from.find(ref.node->name());
  const std::string origin =
      from == ctx.expanded_from.end() ? std::string() : ", in " + from->second;
  return MakeDiag(id, exit,
                  ctx.source + ": node " + std::to_string(ref.index) + " '" + ref.name + "' (" +
                      (ref.shown_op.empty() ? ref.node->op_type() : ref.shown_op) + ", opset " +
                      std::to_string(ctx.opset) + origin + "): " + message,
                  hint);
}

Diagnostic FileError(const Context& ctx, const char* id, ExitCode exit, const std::string& message,
                     const std::string& hint) {
  return MakeDiag(id, exit, ctx.source + ": " + message, hint);
}

Diagnostic UnsupportedAttr(const Context& ctx, const NodeRef& ref, const std::string& what,
                           const std::string& hint) {
  return NodeError(ctx, ref, kUnsupportedAttr, ExitCode::kUnsupported, what + ", which ember does not support",
                   hint.empty() ? "docs/frontend-onnx.md lists the supported attributes; change the source model" : hint);
}

size_t NumInputs(const NodeRef& ref) { return static_cast<size_t>(ref.node->input_size()); }

bool HasInput(const NodeRef& ref, size_t pos) {
  return pos < NumInputs(ref) && !ref.node->input(static_cast<int>(pos)).empty();
}

NodeRef RefOf(const pb::GraphProto& g, int i) {
  NodeRef ref;
  ref.index = static_cast<size_t>(i);
  ref.node = &g.node(i);
  ref.name = EscapeInvalidUtf8(ref.node->name().empty() ? OutputName(ref, 0) : ref.node->name());
  return ref;
}

std::string OutputName(const NodeRef& ref, size_t pos) {
  return static_cast<int>(pos) < ref.node->output_size() ? ref.node->output(static_cast<int>(pos)) : "";
}

Expected<Value> Input(Context& ctx, const NodeRef& ref, size_t pos) {
  if (!HasInput(ref, pos)) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "input " + std::to_string(pos) + " is missing", kReexport);
  }
  const std::string& name = ref.node->input(static_cast<int>(pos));
  auto it = ctx.values.find(name);
  if (auto u = ctx.unavailable.find(name); it == ctx.values.end() && u != ctx.unavailable.end()) {
    return NodeError(ctx, ref, kUnsupportedAttr, ExitCode::kUnsupported, "reads " + u->second.first, u->second.second);
  }
  if (it == ctx.values.end()) {
    return NodeError(ctx, ref, kDataflow, ExitCode::kFailure,
                     "input '" + name + "' is neither a graph input, an initializer nor the output of an earlier node",
                     kReexport);
  }
  return it->second;
}

std::string FreshValueName(Context& ctx, const std::string& base) {
  std::string name = base;
  for (int k = 1; ctx.values.count(name); ++k) name = base + "_" + std::to_string(k);
  ctx.values[name] = Value{};  // reserved
  return name;
}

Expected<ir::TensorId> ToRuntime(Context& ctx, Value& v, const std::string& name) {
  if (v.id != ir::kNoTensor) return v.id;
  EMBER_ASSIGN_OR_RETURN(v.id, AddConst(ctx, name, *v.c));
  return v.id;
}

namespace {

// Whether another input of the node is an int64 (int16) tensor computed at
// run time (an int64 graph input, or ArgMax's / TopK's index; an int16
// graph input): its int64 (int16) constant operands (Equal(ids, 0),
// Where(mask, ids, -1), Max(x, c), ...) are then materialized as they are,
// and so are the int64 ones of Where, whose `select` takes int64 values.
bool TakesWideConstants(const Context& ctx, const NodeRef& ref, ir::DType dtype) {
  if (ref.node->op_type() == "Where" && dtype == ir::DType::kInt64) return true;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    auto it = ctx.values.find(ref.node->input(static_cast<int>(k)));
    if (it != ctx.values.end() && it->second.id != ir::kNoTensor && ctx.graph.tensor(it->second.id).dtype == dtype)
      return true;
  }
  return false;
}

}  // namespace

Expected<ir::TensorId> RuntimeInput(Context& ctx, const NodeRef& ref, size_t pos) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
  const std::string& name = ref.node->input(static_cast<int>(pos));
  if (v.id == ir::kNoTensor) {
    const bool wide = ctx.wide_constants ||
                      (v.c->elem_type == pb::TensorProto::INT64 && TakesWideConstants(ctx, ref, ir::DType::kInt64)) ||
                      (v.c->elem_type == pb::TensorProto::INT16 && TakesWideConstants(ctx, ref, ir::DType::kInt16));
    if (!wide && !v.c->is_float() && v.c->elem_type != pb::TensorProto::INT8 && v.c->elem_type != pb::TensorProto::UINT8 &&
        v.c->elem_type != pb::TensorProto::INT32 && v.c->elem_type != pb::TensorProto::BOOL) {
      return NodeError(ctx, ref, kTensorType, ExitCode::kUnsupported,
                       "input '" + name + "' is a constant of type " + ElemTypeName(v.c->elem_type) +
                           " that would have to be computed at run time");
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, ToRuntime(ctx, v, name));
    ctx.values[name].id = id;  // materialize once
  }
  // DequantizeLinear reads them as the numbers they are (ConvertComputedDequantize).
  if (ctx.u8_in_float.count(name) && ref.shown_op != "ConvInteger" && ref.shown_op != "MatMulInteger" &&
      ref.node->op_type() != "DequantizeLinear") {
    return UnsupportedAttr(ctx, ref, "reading the uint8 result '" + name + "' of DynamicQuantizeLinear directly",
                           "ember imports DynamicQuantizeLinear when ConvInteger/MatMulInteger or DequantizeLinear read "
                           "its results, as in ONNX Runtime's dynamic quantization");
  }
  if (ctx.int_as_float.count(name) && ref.node->op_type() != "Cast") {
    return UnsupportedAttr(ctx, ref, "reading the int32 result '" + name + "' of ConvInteger/MatMulInteger directly",
                           "ember imports ConvInteger/MatMulInteger when a Cast to float reads their result; "
                           "quantize the model statically (QDQ or QLinear operators) instead");
  }
  if (ctx.u8_as_i8.count(v.id) && !ReadsU8AsI8(ref.node->op_type())) {
    // The operator computes on the uint8 values themselves.
    return I8ToU8(ctx, ref, v.id, name + "_u8");
  }
  return v.id;
}

Expected<ir::TensorId> RuntimeIndices(Context& ctx, const NodeRef& ref, size_t pos) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId idx, RuntimeInput(ctx, ref, pos));
  const ir::DType dt = ctx.graph.tensor(idx).dtype;
  if (dt == ir::DType::kInt32) return idx;
  if (dt != ir::DType::kInt64) {
    return UnsupportedAttr(ctx, ref, std::string(ir::DTypeName(dt)) + " indices", "ONNX indices are int32 or int64");
  }
  return AddNode(ctx, ref, ir::OpKind::kCast, {idx}, {}, ref.node->input(static_cast<int>(pos)) + "_i32", ir::DType::kInt32);
}

Expected<std::shared_ptr<const ConstTensor>> ConstInput(Context& ctx, const NodeRef& ref, size_t pos,
                                                        const std::string& what) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
  if (!v.c) {
    // A DequantizeLinear of a constant (a QDQ model's quantized parameter,
    // e.g. a BatchNormalization scale) is a constant too: its float values,
    // scale · (q − zero point) as the dequantize computes them.
    auto dq = ctx.dq_consts.find(ref.node->input(static_cast<int>(pos)));
    if (dq != ctx.dq_consts.end() && v.id != ir::kNoTensor) {
      for (const ir::Node& n : ctx.graph.nodes) {
        if (n.outputs.empty() || n.outputs[0] != v.id) continue;
        if (n.op != ir::OpKind::kDequantize || n.inputs.empty() || !ctx.graph.tensor(n.inputs[0]).is_const()) break;
        return std::make_shared<const ConstTensor>(DequantizedConst(dq->second.q, dq->second.quant));
      }
    }
    return NodeError(ctx, ref, kNotConstant, ExitCode::kUnsupported,
                     what + " ('" + ref.node->input(static_cast<int>(pos)) + "') is computed at run time; ember needs it constant",
                     "export the model with static shapes and constant parameters (do_constant_folding=True)");
  }
  return v.c;
}

Expected<ir::TensorId> AddNode(Context& ctx, const NodeRef& ref, ir::OpKind op, std::vector<ir::TensorId> inputs,
                               ir::Attrs attrs, const std::string& out_name,
                               std::optional<ir::DType> out_dtype, std::optional<ir::QuantParams> out_quant) {
  ir::Node n;
  n.op = op;
  n.name = ref.name;
  n.inputs = std::move(inputs);
  n.attrs = std::move(attrs);
  ir::Tensor out;
  out.name = UniqueName(ctx, out_name);
  out.dtype = out_dtype ? *out_dtype : ctx.graph.tensor(n.inputs[0]).dtype;
  out.quant = out_quant;
  // Quantized tensors pass their quantization on through the operators that
  // only move or select their integers (transpose, reshape, max pool, ...;
  // the importer makes no other operator with integer results but quantize).
  const ir::Tensor& in = ctx.graph.tensor(n.inputs[0]);
  const bool inherited = !out_quant && !out_dtype && in.quant && in.quant->scale.size() == 1 &&
                         (in.dtype == ir::DType::kInt8 || in.dtype == ir::DType::kUInt8 || in.dtype == ir::DType::kInt16);
  if (inherited) out.quant = in.quant;
  const ir::TensorId id = ctx.graph.AddTensor(std::move(out));
  n.outputs = {id};
  auto types = ops::GetOpDef(op).infer(ctx.graph, n);
  if (!types.ok()) {
    Diagnostic d = types.diag();
    return NodeError(ctx, ref, d.id.c_str(), ExitCode::kUnsupported, "cannot be imported as " +
                     std::string(ir::OpIrName(op)) + ": " + d.message, d.hint);
  }
  ctx.graph.tensor(id).dtype = (*types)[0].dtype;
  ctx.graph.tensor(id).shape = (*types)[0].shape;
  if (inherited && ctx.graph.tensor(id).dtype != ctx.graph.tensor(n.inputs[0]).dtype) ctx.graph.tensor(id).quant.reset();
  ctx.graph.nodes.push_back(std::move(n));
  return id;
}

Expected<ir::TensorId> GatherConstIndices(Context& ctx, const NodeRef& ref, ir::TensorId x, int64_t axis,
                                          const std::vector<int64_t>& indices, const std::string& out_name) {
  ConstTensor c;
  c.elem_type = pb::TensorProto::INT32;
  c.shape = {static_cast<int64_t>(indices.size())};
  c.i = indices;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId idx, AddConst(ctx, out_name + "_indices", c));
  return AddNode(ctx, ref, ir::OpKind::kGather, {x, idx}, {{"axis", axis}}, out_name);
}

void BindOutput(Context& ctx, const NodeRef& ref, size_t pos, Value v) {
  const std::string name = OutputName(ref, pos);
  if (!name.empty()) ctx.values[name] = std::move(v);
}

const pb::AttributeProto* FindAttr(const NodeRef& ref, const std::string& name) {
  for (const auto& a : ref.node->attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}

int64_t AttrInt(const NodeRef& ref, const std::string& name, int64_t def) {
  const auto* a = FindAttr(ref, name);
  return a ? a->i() : def;
}

float AttrFloat(const NodeRef& ref, const std::string& name, float def) {
  const auto* a = FindAttr(ref, name);
  return a ? a->f() : def;
}

std::string AttrString(const NodeRef& ref, const std::string& name, const std::string& def) {
  const auto* a = FindAttr(ref, name);
  return a ? a->s() : def;
}

std::vector<int64_t> AttrInts(const NodeRef& ref, const std::string& name, std::vector<int64_t> def) {
  const auto* a = FindAttr(ref, name);
  if (!a) return def;
  return std::vector<int64_t>(a->ints().begin(), a->ints().end());
}

Expected<int64_t> NormAxis(const Context& ctx, const NodeRef& ref, int64_t axis, size_t rank) {
  const int64_t r = static_cast<int64_t>(rank);
  if (axis < -r || axis >= r) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "axis " + std::to_string(axis) + " is out of range for a rank-" + std::to_string(rank) + " tensor",
                     kReexport);
  }
  return axis < 0 ? axis + r : axis;
}

Expected<ir::TensorId> ToNhwc(Context& ctx, const NodeRef& ref, ir::TensorId x) {
  return AddNode(ctx, ref, ir::OpKind::kTranspose, {x}, {{"perm", std::vector<int64_t>{0, 2, 3, 1}}},
                 ctx.graph.tensor(x).name + "_nhwc");
}

Expected<ir::TensorId> ToNchw(Context& ctx, const NodeRef& ref, ir::TensorId x, const std::string& out_name) {
  return AddNode(ctx, ref, ir::OpKind::kTranspose, {x}, {{"perm", std::vector<int64_t>{0, 3, 1, 2}}}, out_name);
}

}  // namespace detail
}  // namespace ember::frontend::onnx
