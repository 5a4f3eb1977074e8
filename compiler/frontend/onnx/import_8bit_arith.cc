// Arithmetic on plain 8-bit tensors (a uint8 or int8 graph input without
// quantization, an 8-bit constant): ONNX Add, Sub, Mul, Div, Mod, Max, Min,
// Clip, MaxPool and BitShift of uint8 / int8 compute modulo 256 on the values, which
// the IR's int8 operators (quantized arithmetic) and no uint8 operator
// compute. The node is converted on the values widened by a `cast` (int32;
// float32 for MaxPool, whose IR operator takes float), and its result cast
// back to the 8-bit type: the low 8 bits, which is the wrapping sum,
// difference and product, and the exact quotient, remainder, maximum,
// minimum and clamp. A divisor of 0 gives 0 (ONNX leaves it undefined; ONNX
// Runtime stops the process). BitShift (uint8 only, as ONNX types it) is
// x · 2^y (LEFT; the cast back keeps the low 8 bits) or x / 2^y (RIGHT),
// 2^y gathered from a table of the 256 shift amounts (from 8 on: 0 for LEFT,
// 256 for RIGHT, so that every bit is shifted out, as numpy computes it).
// A BitShift of constants of any unsigned type is folded. Relu, Abs and Neg
// of 8-bit values are max(x, 0), max(x, 0 - x) and 0 - x so (wrapping:
// Abs and Neg of -128 give -128, as numpy).
//
// ONNX computes these operators on the stored integers of a quantized
// 8-bit tensor too (QuantizeLinear's output, uint8 held as int8), where the
// IR's int8 operators compute on the real values they stand for: the same
// widening then runs on the integers (the cast ignores quantization) and
// gives plain 8-bit values, which a DequantizeLinear reads by arithmetic.
// The same for quantized int16 tensors (16-bit activations), whose
// arithmetic ONNX defines modulo 2^16.
// Comparisons (Equal, Less, LessOrEqual, Greater, GreaterOrEqual) compare
// the widened integers and give their bool result as it is. Not for
// MaxPool, whose int8 operator keeps the quantization and picks the same
// integers, nor for a Relu of int8 with zero point 0 (the same clamp).
// Clip is converted with its bounds made real (import_misc.cc).
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "frontend/onnx/import_internal.h"
#include "ops/op_util.h"

namespace ember::frontend::onnx::detail {
namespace {

// The 8-bit type of a plain (unquantized) uint8 / int8 value, or nullopt;
// a constant may be int16 too (an operand of a quantized int16 tensor's).
std::optional<ir::DType> PlainByteType(const Context& ctx, const Value& v) {
  if (v.id != ir::kNoTensor) {
    const ir::Tensor& t = ctx.graph.tensor(v.id);
    if ((t.dtype != ir::DType::kUInt8 && t.dtype != ir::DType::kInt8) || t.quant || ctx.u8_as_i8.count(v.id))
      return std::nullopt;
    return t.dtype;
  }
  if (v.c && v.c->elem_type == pb::TensorProto::UINT8) return ir::DType::kUInt8;
  if (v.c && v.c->elem_type == pb::TensorProto::INT8) return ir::DType::kInt8;
  if (v.c && v.c->elem_type == pb::TensorProto::INT16) return ir::DType::kInt16;
  return std::nullopt;
}

// The ONNX type of a quantized 8-bit (or int16) run-time value (int8 with
// quantization, uint8 held as int8, quantized uint8, quantized int16), or
// nullopt.
std::optional<ir::DType> QuantizedByteType(const Context& ctx, const Value& v) {
  if (v.id == ir::kNoTensor) return std::nullopt;
  const ir::Tensor& t = ctx.graph.tensor(v.id);
  if (ctx.u8_as_i8.count(v.id)) return ir::DType::kUInt8;
  if ((t.dtype == ir::DType::kInt8 || t.dtype == ir::DType::kUInt8 || t.dtype == ir::DType::kInt16) && t.quant)
    return t.dtype;
  return std::nullopt;
}

// The 8-bit type of a value the widening reads: plain, or (with
// `quantized`) quantized too.
std::optional<ir::DType> ByteType(const Context& ctx, const Value& v, bool quantized) {
  if (auto t = PlainByteType(ctx, v)) return t;
  return quantized ? QuantizedByteType(ctx, v) : std::nullopt;
}

// The 8-bit type of the first run-time 8-bit input (ONNX gives the
// operands, and Clip's bounds, one type); with every input a constant (a
// Clip of int8 weights to fewer bits, as QCDQ exports write it, folded at
// import), the type of the first.
std::optional<ir::DType> RunTimeByteType(const Context& ctx, const NodeRef& ref, bool quantized) {
  std::optional<ir::DType> first_const;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    auto it = ctx.values.find(ref.node->input(static_cast<int>(k)));
    if (it == ctx.values.end()) return std::nullopt;
    if (it->second.id != ir::kNoTensor) {
      if (auto t = ByteType(ctx, it->second, quantized)) return t;
      first_const = std::nullopt;
      break;
    }
    if (k == 0) first_const = PlainByteType(ctx, it->second);
  }
  return first_const;
}

// Whether the node reads a quantized 8-bit tensor whose integers it must
// compute on (see the top of the file).
bool ReadsQuantizedIntegers(const Context& ctx, const NodeRef& ref) {
  static const std::set<std::string> kOps = {"Add", "Sub", "Mul", "Div", "Mod", "Max", "Min",
                                             "BitShift", "Relu", "Abs", "Neg", "Equal", "Less", "LessOrEqual",
                                             "Greater", "GreaterOrEqual"};
  const bool clip = ref.node->op_type() == "Clip";
  if (!kOps.count(ref.node->op_type()) && !clip) return false;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    auto it = ctx.values.find(ref.node->input(static_cast<int>(k)));
    if (it == ctx.values.end() || !QuantizedByteType(ctx, it->second)) continue;
    const ir::Tensor& t = ctx.graph.tensor(it->second.id);
    // An 8-bit Clip keeps its int8 operator (its bounds made real,
    // import_misc.cc); ember has no int16 clip.
    if (clip) return t.dtype == ir::DType::kInt16;
    const bool same_clamp = ref.node->op_type() == "Relu" && t.dtype == ir::DType::kInt8 &&
                            !ctx.u8_as_i8.count(it->second.id) && t.quant->zero_point.size() == 1 &&
                            t.quant->zero_point[0] == 0;
    return !same_clamp;
  }
  return false;
}

}  // namespace

bool ReadsPlainBytes(const Context& ctx, const NodeRef& ref) {
  static const std::set<std::string> kOps = {"Add", "Sub", "Mul", "Div", "Mod", "Max", "Min", "Clip", "MaxPool",
                                             "BitShift", "Relu", "Abs", "Neg", "Equal", "Less", "LessOrEqual",
                                             "Greater", "GreaterOrEqual"};
  if (!kOps.count(ref.node->op_type()) || !ref.shown_op.empty()) return false;
  return RunTimeByteType(ctx, ref, false).has_value() || ReadsQuantizedIntegers(ctx, ref);
}

Status ConvertWidenedBytes(Context& ctx, const NodeRef& ref) {
  const bool pool = ref.node->op_type() == "MaxPool";
  if (pool && ref.node->output_size() > 1 && !ref.node->output(1).empty()) {
    return UnsupportedAttr(ctx, ref, "MaxPool's Indices output", "read only the pooled values");
  }
  const ir::DType wide = pool ? ir::DType::kFloat32 : ir::DType::kInt32;
  const ir::DType narrow = *RunTimeByteType(ctx, ref, true);
  pb::NodeProto n = *ref.node;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    const std::string& name = ref.node->input(static_cast<int>(k));
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, k));
    if (ByteType(ctx, v, true) != narrow) {
      return UnsupportedAttr(ctx, ref, std::string(ir::DTypeName(narrow)) + " and other types mixed",
                             "ONNX gives the operands one type");
    }
    const std::string widened = FreshValueName(ctx, name + "_wide");
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
      // uint8 held as int8 comes back as its uint8 values (RuntimeInput).
      EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, k));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId w, AddNode(ctx, ref, ir::OpKind::kCast, {x}, {}, widened, wide));
      ctx.values[widened] = Value{nullptr, w};
    }
    n.set_input(static_cast<int>(k), widened);
  }
  const std::string out = OutputName(ref, 0);
  const std::string result = FreshValueName(ctx, out + "_wide");
  // The node on the widened values; Clip as Max with its lower bound, then
  // Min with its upper one (the IR's clip is float and int8 only).
  std::vector<pb::NodeProto> steps;
  if (n.op_type() == "Clip") {
    std::string cur = n.input(0);
    for (int k = 1; k <= 2; ++k) {
      if (n.input_size() <= k || n.input(k).empty()) continue;
      pb::NodeProto& s = steps.emplace_back();
      s.set_op_type(k == 1 ? "Max" : "Min");
      s.set_name(n.name());
      s.add_input(cur);
      s.add_input(n.input(k));
      cur = FreshValueName(ctx, result + (k == 1 ? "_low" : "_high"));
      s.add_output(cur);
    }
    if (steps.empty()) {
      ctx.values[result] = ctx.values.at(n.input(0));
    } else {
      steps.back().set_output(0, result);
    }
  } else if (n.op_type() == "Relu" || n.op_type() == "Abs" || n.op_type() == "Neg") {
    ConstTensor zero;
    zero.elem_type = pb::TensorProto::INT32;
    zero.i = {0};
    const std::string z = FreshValueName(ctx, result + "_zero");
    ctx.values[z] = ConstValue(std::move(zero));
    const auto step = [&](const char* op, const std::string& a, const std::string& b, const std::string& out) {
      pb::NodeProto& s = steps.emplace_back();
      s.set_op_type(op);
      s.set_name(n.name());
      s.add_input(a);
      s.add_input(b);
      s.add_output(out);
    };
    if (n.op_type() == "Relu") {
      step("Max", n.input(0), z, result);
    } else if (n.op_type() == "Neg") {
      step("Sub", z, n.input(0), result);
    } else {
      const std::string negated = FreshValueName(ctx, result + "_negated");
      step("Sub", z, n.input(0), negated);
      step("Max", n.input(0), negated, result);
    }
  } else if (n.op_type() == "BitShift") {
    const bool left = AttrString(ref, "direction", "") == "LEFT";
    ConstTensor powers;
    powers.elem_type = pb::TensorProto::INT32;
    powers.shape = {256};
    for (int64_t k = 0; k < 256; ++k) powers.i.push_back(k < 8 ? int64_t{1} << k : left ? 0 : 256);
    const std::string table = FreshValueName(ctx, result + "_powers");
    ctx.values[table] = ConstValue(std::move(powers));
    const std::string factor = FreshValueName(ctx, result + "_factor");
    pb::NodeProto& g = steps.emplace_back();
    g.set_op_type("Gather");
    g.set_name(n.name());
    g.add_input(table);
    g.add_input(n.input(1));
    g.add_output(factor);
    pb::NodeProto& m = steps.emplace_back();
    m.set_op_type(left ? "Mul" : "Div");
    m.set_name(n.name());
    m.add_input(n.input(0));
    m.add_input(factor);
    m.add_output(result);
  } else {
    n.set_output(0, result);
    steps.push_back(n);
  }
  bool handled = true;
  for (const pb::NodeProto& s : steps) {
    NodeRef r = ref;
    r.node = &s;
    r.shown_op = ref.node->op_type();
    EMBER_RETURN_IF_ERROR(ConvertNode(ctx, r, &handled));
    if (!handled) break;
  }
  auto it = ctx.values.find(result);
  if (!handled || it == ctx.values.end() || (it->second.id == ir::kNoTensor && !it->second.c)) {  // unwritten
    return UnsupportedAttr(ctx, ref, std::string(ir::DTypeName(narrow)) + " " + ref.node->op_type(),
                           "cast the operands to int32 in the model");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId yw, ToRuntime(ctx, it->second, result));
  if (ctx.graph.tensor(yw).dtype == ir::DType::kBool) {  // a comparison: its bool result as it is
    BindOutput(ctx, ref, 0, it->second);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y8, AddNode(ctx, ref, ir::OpKind::kCast, {yw}, {}, out, narrow));
  BindOutput(ctx, ref, 0, Value{nullptr, y8});
  return Status::Ok();
}

Status FoldBitShift(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value x, Input(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value y, Input(ctx, ref, 1));
  static const std::map<int32_t, int> kBits = {{pb::TensorProto::UINT8, 8}, {pb::TensorProto::UINT16, 16},
                                               {pb::TensorProto::UINT32, 32}, {pb::TensorProto::UINT64, 64}};
  const auto bits = x.c ? kBits.find(x.c->elem_type) : kBits.end();
  if (!x.c || !y.c || bits == kBits.end() || y.c->elem_type != x.c->elem_type) {
    return UnsupportedAttr(ctx, ref, "a shift at run time of values wider than uint8",
                           "ember shifts uint8 tensors at run time (and folds constant shifts)");
  }
  ir::Shape shape;
  if (!ops::BroadcastShapes(x.c->shape, y.c->shape, &shape)) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has operands of shapes " + ir::ShapeToString(x.c->shape) + " and " +
                         ir::ShapeToString(y.c->shape) + " that do not broadcast");
  }
  const bool left = AttrString(ref, "direction", "") == "LEFT";
  const int width = bits->second;
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  ConstTensor out;
  out.elem_type = x.c->elem_type;
  out.shape = shape;
  const int64_t count = ir::NumElements(shape);
  for (int64_t k = 0; k < count; ++k) {
    const auto a = static_cast<uint64_t>(x.c->i[static_cast<size_t>(ops::BroadcastIndex(x.c->shape, shape, k))]) & mask;
    const auto b = static_cast<uint64_t>(y.c->i[static_cast<size_t>(ops::BroadcastIndex(y.c->shape, shape, k))]) & mask;
    const uint64_t r = b >= static_cast<uint64_t>(width) ? 0 : left ? (a << b) & mask : a >> b;
    out.i.push_back(static_cast<int64_t>(r));
  }
  BindOutput(ctx, ref, 0, ConstValue(std::move(out)));
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
