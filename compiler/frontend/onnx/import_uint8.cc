// Arithmetic on plain uint8 tensors (a uint8 graph input without
// quantization, a uint8 constant): ONNX Add, Sub, Mul, Div, Mod, Max, Min
// and MaxPool of uint8 compute modulo 256 on the values 0..255, which no
// IR operator takes as uint8. The node is converted on the values widened
// by a `cast` (int32; float32 for MaxPool, whose IR operator takes float),
// and its result cast back to uint8: the low 8 bits, which is the wrapping
// sum, difference and product, and the exact quotient, remainder, maximum
// and minimum of values in 0..255. A uint8 divisor of 0 gives 0 (ONNX leaves
// it undefined; ONNX Runtime stops the process).
//
// uint8 tensors of quantized models (held as int8, import_qop.cc) never get
// here: they have quantization parameters.
#include <set>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

// An ONNX value name not taken yet.
std::string FreshValue(const Context& ctx, const std::string& base) {
  std::string name = base;
  for (int k = 1; ctx.values.count(name); ++k) name = base + "_" + std::to_string(k);
  return name;
}

bool IsPlainU8(const Context& ctx, const Value& v) {
  if (v.id != ir::kNoTensor) {
    const ir::Tensor& t = ctx.graph.tensor(v.id);
    return t.dtype == ir::DType::kUInt8 && !t.quant && !ctx.u8_as_i8.count(v.id);
  }
  return v.c && v.c->elem_type == pb::TensorProto::UINT8;
}

}  // namespace

bool ReadsPlainU8(const Context& ctx, const NodeRef& ref) {
  static const std::set<std::string> kOps = {"Add", "Sub", "Mul", "Div", "Mod", "Max", "Min", "MaxPool"};
  if (!kOps.count(ref.node->op_type()) || !ref.shown_op.empty()) return false;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    auto it = ctx.values.find(ref.node->input(static_cast<int>(k)));
    if (it != ctx.values.end() && IsPlainU8(ctx, it->second)) return true;
  }
  return false;
}

Status ConvertWidenedU8(Context& ctx, const NodeRef& ref) {
  const bool pool = ref.node->op_type() == "MaxPool";
  if (pool && ref.node->output_size() > 1 && !ref.node->output(1).empty()) {
    return UnsupportedAttr(ctx, ref, "MaxPool's Indices output", "read only the pooled values");
  }
  const ir::DType wide = pool ? ir::DType::kFloat32 : ir::DType::kInt32;
  pb::NodeProto n = *ref.node;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    const std::string& name = ref.node->input(static_cast<int>(k));
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, k));
    if (!IsPlainU8(ctx, v)) {
      return UnsupportedAttr(ctx, ref, "uint8 and other types mixed", "ONNX gives the operands one type");
    }
    const std::string widened = FreshValue(ctx, name + "_wide");
    if (v.id == ir::kNoTensor) {
      ConstTensor c = *v.c;
      if (pool) {
        c.elem_type = pb::TensorProto::FLOAT;
        for (int64_t i : c.i) c.f.push_back(static_cast<double>(i));
        c.i.clear();
      } else {
        c.elem_type = pb::TensorProto::INT32;
      }
      ctx.values[widened] = ConstValue(std::move(c));
    } else {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId w, AddNode(ctx, ref, ir::OpKind::kCast, {v.id}, {}, widened, wide));
      ctx.values[widened] = Value{nullptr, w};
    }
    n.set_input(static_cast<int>(k), widened);
  }
  const std::string out = OutputName(ref, 0);
  const std::string result = FreshValue(ctx, out + "_wide");
  n.set_output(0, result);
  NodeRef r = ref;
  r.node = &n;
  r.shown_op = ref.node->op_type();
  bool handled = false;
  EMBER_RETURN_IF_ERROR(ConvertNode(ctx, r, &handled));
  auto it = ctx.values.find(result);
  if (!handled || it == ctx.values.end()) {
    return UnsupportedAttr(ctx, ref, "uint8 " + ref.node->op_type(), "cast the operands to int32 in the model");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yw, ToRuntime(ctx, it->second, result));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y8, AddNode(ctx, ref, ir::OpKind::kCast, {yw}, {}, out, ir::DType::kUInt8));
  BindOutput(ctx, ref, 0, Value{nullptr, y8});
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
