// The QOperator form of quantized ONNX models (QLinearConv, QLinearMatMul,
// ConvInteger, MatMulInteger; com.microsoft QLinearAdd, QLinearMul,
// QLinearGlobalAveragePool, QLinearAveragePool, QGemm, QLinearSigmoid,
// QLinearLeakyRelu, QLinearSoftmax, QLinearConcat, QLinearWhere). Each node is imported as its
// QDQ equivalent: DequantizeLinear of the quantized inputs with their scale
// and zero point, the float operator, QuantizeLinear of the result with the
// output's scale and zero point. The fold-qdq pass then makes the same int8
// operators of it as of a QDQ model, and nothing downstream sees the
// difference. The synthetic nodes go through the importer's own converters;
// diagnostics name the QOperator node.
//
// uint8 tensors (ONNX Runtime's default activation type) are held as int8
// with value - 128 and zero point - 128: scale * (q - z) is unchanged, and
// quantizing to int8 with z - 128 gives exactly the uint8 result - 128
// (same rounding, clamping range shifted by 128). Operators that only move or
// select values read them as they are; others get the uint8 values back.
//
// ConvInteger/MatMulInteger: (x - x_zp) * (w - w_zp) accumulated in int32.
// They become the float operator on DequantizeLinear(x, 1, x_zp) (and w);
// the result holds the same integers in float32 (exact while partial sums
// stay below 2^24) and may only be read by a Cast to float, as in the
// graphs ONNX Runtime's integer-ops quantization writes, or be a graph
// output (a `cast` to int32) when no partial sum can reach 2^24
// (IntegerSumBound).
#include <algorithm>
#include <cmath>
#include <deque>
#include <map>
#include <set>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

constexpr const char* kHint = "docs/frontend-onnx.md (QOperator form) says what ember imports";

// Inputs of a QOperator node, by position.
struct Layout {
  const char* float_op;    // the float operator
  int x, x_scale, x_zp;    // first quantized input
  int w, w_scale, w_zp;    // second quantized input (-1: none)
  int y_scale, y_zp;       // output quantization (-1: none: ConvInteger/MatMulInteger)
  int bias;                // int32 bias (QLinearConv), -1: none
  int required;            // inputs that must be present
};

const Layout* LayoutOf(const std::string& op) {
  static const std::map<std::string, Layout> kLayouts = {
      {"QLinearConv", {"Conv", 0, 1, 2, 3, 4, 5, 6, 7, 8, 8}},
      {"QLinearMatMul", {"MatMul", 0, 1, 2, 3, 4, 5, 6, 7, -1, 8}},
      {"QLinearAdd", {"Add", 0, 1, 2, 3, 4, 5, 6, 7, -1, 7}},
      {"QLinearMul", {"Mul", 0, 1, 2, 3, 4, 5, 6, 7, -1, 7}},
      {"QLinearGlobalAveragePool", {"GlobalAveragePool", 0, 1, 2, -1, -1, -1, 3, 4, -1, 4}},
      {"QLinearAveragePool", {"AveragePool", 0, 1, 2, -1, -1, -1, 3, 4, -1, 4}},
      {"QLinearSigmoid", {"Sigmoid", 0, 1, 2, -1, -1, -1, 3, 4, -1, 4}},
      {"QLinearLeakyRelu", {"LeakyRelu", 0, 1, 2, -1, -1, -1, 3, 4, -1, 4}},
      {"QLinearSoftmax", {"Softmax", 0, 1, 2, -1, -1, -1, 3, 4, -1, 4}},
      {"QGemm", {"Gemm", 0, 1, 2, 3, 4, 5, 7, 8, 6, 5}},
      {"ConvInteger", {"Conv", 0, -1, 2, 1, -1, 3, -1, -1, -1, 2}},
      {"MatMulInteger", {"MatMul", 0, -1, 2, 1, -1, 3, -1, -1, -1, 2}},
  };
  auto it = kLayouts.find(op);
  return it == kLayouts.end() ? nullptr : &it->second;
}

std::string ElemName(int32_t t) { return ElemTypeName(t); }

// One QOperator node and the synthetic nodes it becomes.
class Expansion {
 public:
  Expansion(Context& ctx, const NodeRef& ref) : ctx_(ctx), ref_(ref) {}

  std::string In(int pos) const { return ref_.node->input(pos); }
  bool Has(int pos) const { return pos >= 0 && HasInput(ref_, static_cast<size_t>(pos)); }

  Diagnostic Bad(const std::string& message) const {
    return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure, message, kHint);
  }

  // A fresh value name for an intermediate result.
  std::string Fresh(const std::string& base) { return FreshValueName(ctx_, base); }
  std::string BindConst(const std::string& base, ConstTensor c) {
    const std::string name = Fresh(base);
    ctx_.values[name] = ConstValue(std::move(c));
    return name;
  }

  // Converts a synthetic node; its diagnostics name the QOperator node.
  Status Run(const std::string& op, const std::vector<std::string>& in, const std::string& out,
             const std::vector<const pb::AttributeProto*>& attrs) {
    pb::NodeProto& n = nodes_.emplace_back();
    n.set_op_type(op);
    n.set_name(ref_.node->name());
    for (const auto& s : in) n.add_input(s);
    n.add_output(out);
    for (const auto* a : attrs) *n.add_attribute() = *a;
    NodeRef r = ref_;
    r.node = &n;
    r.shown_op = ref_.node->op_type();
    bool handled = false;
    EMBER_RETURN_IF_ERROR(ConvertNode(ctx_, r, &handled));
    if (!handled) return Bad("has no float operator " + op);
    return Status::Ok();
  }

  // ONNX element type of the value at input `pos` (uint8 held as int8 counts
  // as uint8).
  Expected<int32_t> TypeOf(int pos) {
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx_, ref_, static_cast<size_t>(pos)));
    if (v.c && v.id == ir::kNoTensor) return v.c->elem_type;
    if (ctx_.u8_as_i8.count(v.id)) return static_cast<int32_t>(pb::TensorProto::UINT8);
    switch (ctx_.graph.tensor(v.id).dtype) {
      case ir::DType::kInt8: return static_cast<int32_t>(pb::TensorProto::INT8);
      case ir::DType::kUInt8: return static_cast<int32_t>(pb::TensorProto::UINT8);
      case ir::DType::kInt32: return static_cast<int32_t>(pb::TensorProto::INT32);
      case ir::DType::kFloat32: return static_cast<int32_t>(pb::TensorProto::FLOAT);
      default: return static_cast<int32_t>(pb::TensorProto::UNDEFINED);
    }
  }

  // A constant scale input: float32, `count` values or one.
  Expected<std::shared_ptr<const ConstTensor>> Scale(int pos, int64_t count, const std::string& what) {
    if (!Has(pos)) return Bad("the " + what + " scale (input " + std::to_string(pos) + ") is missing");
    EMBER_ASSIGN_OR_RETURN(auto s, ConstInput(ctx_, ref_, static_cast<size_t>(pos), what + " scale"));
    if (s->elem_type != pb::TensorProto::FLOAT) {
      return Bad("the " + what + " scale '" + In(pos) + "' has type " + ElemName(s->elem_type) + "; scales are float32");
    }
    if (s->size() != 1 && s->size() != count) {
      return Bad("the " + what + " scale '" + In(pos) + "' has " + std::to_string(s->size()) + " values; expected 1" +
                 (count > 1 ? " or " + std::to_string(count) : std::string()));
    }
    for (int64_t k = 0; k < s->size(); ++k) {
      if (!(s->at(k) > 0.0) || !std::isfinite(s->at(k))) return Bad("the " + what + " scale '" + In(pos) + "' is not positive");
    }
    return s;
  }

  // The zero point input `pos` for the quantized input `x` (int8 or uint8,
  // of x's type), or a synthesized zero of x's type when absent.
  // x - x_zp in float32 for uint8 values x held in float32
  // (DynamicQuantizeLinear's result): x_zp its zero point, also held in
  // float32, or a uint8 constant, or absent (0).
  Expected<std::string> RunTimeDifference(int x, int zp) {
    if (!Has(zp)) return In(x);
    std::string z = In(zp);
    if (!ctx_.u8_in_float.count(z)) {
      EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx_, ref_, static_cast<size_t>(zp), "input zero point"));
      if (c->elem_type != pb::TensorProto::UINT8 || c->size() != 1) {
        return Bad("the input zero point '" + z + "' of DynamicQuantizeLinear's result is not one uint8 value");
      }
      z = BindConst(z + "_float", FloatConst({}, {static_cast<double>(c->int_at(0))}));
    }
    const std::string out = Fresh(In(x) + "_centered");
    EMBER_RETURN_IF_ERROR(Run("Sub", {In(x), z}, out, {}));
    return out;
  }

  Expected<std::string> ZeroPoint(int pos, int x, int64_t count, const std::string& what) {
    EMBER_ASSIGN_OR_RETURN(int32_t xt, TypeOf(x));
    if (xt != pb::TensorProto::INT8 && xt != pb::TensorProto::UINT8) {
      return Bad("the " + what + " '" + In(x) + "' has type " + ElemName(xt) + "; " + ref_.node->op_type() +
                 " takes int8 or uint8");
    }
    if (!Has(pos)) {
      ConstTensor z;
      z.elem_type = xt;
      z.i = {0};
      return BindConst(In(x) + "_zero_point", std::move(z));
    }
    EMBER_ASSIGN_OR_RETURN(auto z, ConstInput(ctx_, ref_, static_cast<size_t>(pos), what + " zero point"));
    if (z->elem_type != xt) {
      return Bad("the " + what + " zero point '" + In(pos) + "' has type " + ElemName(z->elem_type) + " but '" + In(x) +
                 "' is " + ElemName(xt) + "; they must have the same type");
    }
    if (z->size() != 1 && z->size() != count) {
      return Bad("the " + what + " zero point '" + In(pos) + "' has " + std::to_string(z->size()) + " values; expected 1" +
                 (count > 1 ? " or " + std::to_string(count) : std::string()));
    }
    return In(pos);
  }

  // The zero point for the output: input `pos`, or a zero of `type`.
  Expected<std::string> OutputZeroPoint(int pos, int32_t type) {
    if (Has(pos)) {
      EMBER_ASSIGN_OR_RETURN(auto z, ConstInput(ctx_, ref_, static_cast<size_t>(pos), "output zero point"));
      if (z->elem_type != pb::TensorProto::INT8 && z->elem_type != pb::TensorProto::UINT8) {
        return Bad("the output zero point '" + In(pos) + "' has type " + ElemName(z->elem_type) + "; int8 or uint8 expected");
      }
      if (z->size() != 1) return Bad("the output zero point '" + In(pos) + "' is not a single value");
      return In(pos);
    }
    ConstTensor z;
    z.elem_type = type;
    z.i = {0};
    return BindConst(OutputName(ref_, 0) + "_zero_point", std::move(z));
  }

  // DequantizeLinear(in[x], scale, zp) with `axis` for a per-axis scale; one
  // per value and parameters, so that readers of a tensor share it (the
  // layout pass then moves the NHWC <-> NCHW transposes of consecutive
  // spatial operators through it and cancels them, as it does for a
  // dequantize with one reader).
  Expected<std::string> Dequantize(const std::string& x, const std::string& scale, const std::string& zp,
                                   int64_t axis = -1) {
    const std::string key = x + '\n' + scale + '\n' + zp + '\n' + std::to_string(axis);
    if (auto it = ctx_.qop_dequantized.find(key); it != ctx_.qop_dequantized.end()) {
      // Unless a later ONNX value took the name.
      auto v = ctx_.values.find(it->second.first);
      if (v != ctx_.values.end() && v->second.id != ir::kNoTensor && v->second.id == it->second.second) {
        return it->second.first;
      }
    }
    const std::string out = Fresh(x + "_dequantized");
    pb::AttributeProto a;
    a.set_name("axis");
    a.set_type(pb::AttributeProto::INT);
    a.set_i(axis);
    std::vector<const pb::AttributeProto*> attrs;
    if (axis >= 0) attrs.push_back(&a);
    std::vector<std::string> in = {x, scale};
    if (!zp.empty()) in.push_back(zp);
    EMBER_RETURN_IF_ERROR(Run("DequantizeLinear", in, out, attrs));
    ctx_.qop_dequantized[key] = {out, ctx_.values.at(out).id};
    return out;
  }

  // Quantized operand `x` with its scale at x + 1 and zero point at x + 2
  // (QLinearConcat's and QLinearWhere's layout), dequantized. `*type` is the
  // operands' common element type: the first one sets it, the others must
  // match.
  Expected<std::string> DequantizedOperand(int x, int32_t* type, std::string* first) {
    if (!Has(x) || !Has(x + 1)) return Bad("input " + std::to_string(x) + " or its scale is missing");
    EMBER_ASSIGN_OR_RETURN(auto xs, Scale(x + 1, 1, "input"));
    (void)xs;
    EMBER_ASSIGN_OR_RETURN(std::string zp, ZeroPoint(x + 2, x, 1, "input"));
    EMBER_ASSIGN_OR_RETURN(int32_t t, TypeOf(x));
    if (*type != pb::TensorProto::UNDEFINED && t != *type) {
      return Bad("input '" + In(x) + "' has type " + ElemName(t) + " where '" + *first + "' is " + ElemName(*type));
    }
    if (*type == pb::TensorProto::UNDEFINED) *first = In(x);
    *type = t;
    return Dequantize(In(x), In(x + 1), zp);
  }

  // The float operator `op` on `float_in`, quantized with the output scale
  // and zero point at y_scale and y_zp (a zero of `type` when absent).
  Status RunQuantized(const std::string& op, const std::vector<std::string>& float_in,
                      const std::vector<const pb::AttributeProto*>& attrs, int y_scale, int y_zp, int32_t type) {
    const std::string out = OutputName(ref_, 0);
    const std::string yf = Fresh(out + "_float");
    EMBER_RETURN_IF_ERROR(Run(op, float_in, yf, attrs));
    EMBER_ASSIGN_OR_RETURN(auto ys, Scale(y_scale, 1, "output"));
    (void)ys;
    EMBER_ASSIGN_OR_RETURN(std::string zp, OutputZeroPoint(y_zp, type));
    return Run("QuantizeLinear", {yf, In(y_scale), zp}, out, {});
  }

  Context& ctx_;
  const NodeRef& ref_;
  std::deque<pb::NodeProto> nodes_;
};

// Number of output channels / columns a per-axis weight scale may have, and
// the axis: Conv weights [M, C/g, KH, KW] axis 0, MatMul B [..., K, N] the
// last axis.
Expected<std::pair<int64_t, int64_t>> WeightAxis(Context& ctx, const NodeRef& ref, const Layout& l, int w) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, static_cast<size_t>(w)));
  const ir::Shape s = ShapeOf(ctx, v);
  if (s.empty()) return std::pair<int64_t, int64_t>{1, -1};
  if (std::string(l.float_op) == "Conv") return std::pair<int64_t, int64_t>{s[0], 0};
  if (std::string(l.float_op) == "Gemm" && s.size() == 2) {  // B [K, N], or [N, K] with transB
    return AttrInt(ref, "transB", 0) != 0 ? std::pair<int64_t, int64_t>{s[0], 0} : std::pair<int64_t, int64_t>{s[1], 1};
  }
  return std::pair<int64_t, int64_t>{s.back(), static_cast<int64_t>(s.size()) - 1};
}

std::string Role(const Layout& l, int k) {
  if (k == l.x) return "first input";
  if (k == l.x_scale) return "scale of the first input";
  if (k == l.x_zp) return "zero point of the first input";
  if (k == l.w) return "second input";
  if (k == l.w_scale) return "scale of the second input";
  if (k == l.w_zp) return "zero point of the second input";
  if (k == l.y_scale) return "output scale";
  if (k == l.y_zp) return "output zero point";
  return "bias";
}

// QLinearSoftmax's `opset` attribute says which Softmax it means: before
// opset 13 the softmax of the input flattened to 2-D at `axis`, from 13 on
// along `axis` alone. The float Softmax it becomes follows the model's
// opset; both agree when `axis` is the last one.
Status CheckSoftmaxOpset(Context& ctx, const NodeRef& ref) {
  const pb::AttributeProto* a = FindAttr(ref, "opset");
  if (a == nullptr) return UnsupportedAttr(ctx, ref, "no 'opset' attribute (QLinearSoftmax requires one)", kHint);
  if ((a->i() >= 13) == (ctx.opset >= 13)) return Status::Ok();
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const int64_t rank = static_cast<int64_t>(ShapeOf(ctx, v).size());
  const int64_t axis = AttrInt(ref, "axis", a->i() >= 13 ? -1 : 1);
  if (axis == -1 || axis == rank - 1) return Status::Ok();
  return UnsupportedAttr(ctx, ref,
                         "opset " + std::to_string(a->i()) + " semantics with axis " + std::to_string(axis) +
                             " in an opset-" + std::to_string(ctx.opset) + " model",
                         kHint);
}

// QLinearConcat(Y_scale, Y_zero_point, (X_i, X_i_scale, X_i_zero_point)...):
// each input dequantized with its own parameters, Concat, quantized with the
// output's.
Status ExpandConcat(Context& ctx, const NodeRef& ref) {
  Expansion e(ctx, ref);
  const int n = ref.node->input_size();
  if (n < 5 || (n - 2) % 3 != 0) {
    return e.Bad("has " + std::to_string(n) + " inputs; QLinearConcat takes the output scale and zero point, then "
                 "(tensor, scale, zero point) for each input");
  }
  std::vector<std::string> float_in;
  int32_t x_type = pb::TensorProto::UNDEFINED;
  std::string first;
  for (int k = 2; k < n; k += 3) {
    EMBER_ASSIGN_OR_RETURN(std::string xf, e.DequantizedOperand(k, &x_type, &first));
    float_in.push_back(xf);
  }
  std::vector<const pb::AttributeProto*> attrs;
  for (const auto& a : ref.node->attribute()) attrs.push_back(&a);
  return e.RunQuantized("Concat", float_in, attrs, 0, 1, x_type);
}

// QLinearWhere(condition, X, X_scale, X_zero_point, Y, Y_scale, Y_zero_point,
// Z_scale, Z_zero_point): X and Y dequantized with their own parameters,
// Where, quantized with Z's (fold-qdq makes it an int8 select).
Status ExpandWhere(Context& ctx, const NodeRef& ref) {
  Expansion e(ctx, ref);
  const int n = ref.node->input_size();
  if (n < 8) {
    return e.Bad("has " + std::to_string(n) + " inputs; QLinearWhere takes the condition, (X, scale, zero point), "
                 "(Y, scale, zero point) and the output's scale and zero point");
  }
  if (!e.Has(0)) return e.Bad("the condition (input 0) is missing");
  std::vector<std::string> float_in = {e.In(0)};
  int32_t x_type = pb::TensorProto::UNDEFINED;
  std::string first;
  for (int k : {1, 4}) {
    EMBER_ASSIGN_OR_RETURN(std::string xf, e.DequantizedOperand(k, &x_type, &first));
    float_in.push_back(xf);
  }
  return e.RunQuantized("Where", float_in, {}, 7, 8, x_type);
}

// The largest |sum| a partial sum of ConvInteger / MatMulInteger can reach:
// the terms' count K (MatMul: A's last dimension; Conv: the weight's
// channels times its window) times the largest |x - x_zp| (255 for 8-bit
// values) times the largest |w - w_zp| (from a constant weight and zero
// point, else 255).
Expected<double> IntegerSumBound(Context& ctx, const NodeRef& ref, const Layout& l) {
  EMBER_ASSIGN_OR_RETURN(Value x, Input(ctx, ref, static_cast<size_t>(l.x)));
  EMBER_ASSIGN_OR_RETURN(Value w, Input(ctx, ref, static_cast<size_t>(l.w)));
  const ir::Shape xs = ShapeOf(ctx, x), wshape = ShapeOf(ctx, w);
  double terms = 1.0;
  if (std::string(l.float_op) == "MatMul") {
    terms = xs.empty() ? 1.0 : static_cast<double>(xs.back());
  } else {
    for (size_t k = 1; k < wshape.size(); ++k) terms *= static_cast<double>(wshape[k]);
  }
  double w_max = 255.0;
  if (w.c && w.id == ir::kNoTensor) {
    std::shared_ptr<const ConstTensor> zp;
    if (HasInput(ref, static_cast<size_t>(l.w_zp))) {
      EMBER_ASSIGN_OR_RETURN(Value zv, Input(ctx, ref, static_cast<size_t>(l.w_zp)));
      zp = zv.c && zv.id == ir::kNoTensor ? zv.c : nullptr;
    }
    if (zp || !HasInput(ref, static_cast<size_t>(l.w_zp))) {
      // Per output channel zero points: the first axis of a Conv weight, the last of a MatMul's.
      const int64_t n = w.c->size(), channels = zp ? zp->size() : 1;
      const int64_t inner = std::string(l.float_op) == "MatMul" ? 1 : (channels > 0 ? n / channels : n);
      w_max = 0.0;
      for (int64_t k = 0; k < n; ++k) {
        const int64_t c = channels <= 1 ? 0 : (std::string(l.float_op) == "MatMul" ? k % channels : k / inner);
        const double z = zp ? zp->at(c) : 0.0;
        w_max = std::max(w_max, std::fabs(w.c->at(k) - z));
      }
    }
  }
  return terms * 255.0 * w_max;
}

Status Expand(Context& ctx, const NodeRef& ref, const Layout& l) {
  Expansion e(ctx, ref);
  const std::string& op = ref.node->op_type();
  for (int k = 0; k < l.required; ++k) {
    const bool optional_zp = (l.y_scale < 0 || ref.node->domain() == kContribDomain) &&
                             (k == l.x_zp || k == l.w_zp || k == l.y_zp);
    if (!e.Has(k) && !optional_zp) return e.Bad("input " + std::to_string(k) + " (" + Role(l, k) + ") is missing");
  }
  const bool integer = l.y_scale < 0;  // ConvInteger / MatMulInteger
  // QGemm without y_scale has a float output.
  const bool float_out = !integer && !e.Has(l.y_scale);
  auto one = [&](const std::string& base, int64_t n) {
    return e.BindConst(base, FloatConst(n > 1 ? ir::Shape{n} : ir::Shape{}, std::vector<double>(static_cast<size_t>(n), 1.0)));
  };
  // First input: per tensor.
  std::string x_scale;
  std::shared_ptr<const ConstTensor> xs;
  if (integer) {
    x_scale = one(e.In(l.x) + "_unit_scale", 1);
  } else {
    EMBER_ASSIGN_OR_RETURN(xs, e.Scale(l.x_scale, 1, "input"));
    x_scale = e.In(l.x_scale);
  }
  std::string xf;
  int32_t x_type = pb::TensorProto::UINT8;
  if (integer && ctx.u8_in_float.count(e.In(l.x))) {
    // DynamicQuantizeLinear's uint8 values, held in float32: x - x_zp.
    EMBER_ASSIGN_OR_RETURN(xf, e.RunTimeDifference(l.x, l.x_zp));
  } else {
    EMBER_ASSIGN_OR_RETURN(std::string x_zp, e.ZeroPoint(l.x_zp, l.x, 1, "input"));
    EMBER_ASSIGN_OR_RETURN(x_type, e.TypeOf(l.x));
    EMBER_ASSIGN_OR_RETURN(xf, e.Dequantize(e.In(l.x), x_scale, x_zp));
  }
  std::vector<std::string> float_in = {xf};
  // Second input: weights (per tensor or per output channel / column) or
  // the other operand.
  std::shared_ptr<const ConstTensor> ws;
  if (l.w >= 0) {
    const bool weights = std::string(l.float_op) == "Conv" || std::string(l.float_op) == "MatMul" ||
                         std::string(l.float_op) == "Gemm";
    int64_t count = 1, axis = -1;
    if (weights) {
      EMBER_ASSIGN_OR_RETURN(auto ax, WeightAxis(ctx, ref, l, l.w));
      count = ax.first;
      axis = ax.second;
    }
    std::string w_scale;
    if (integer) {
      int64_t n = 1;
      if (e.Has(l.w_zp)) {
        EMBER_ASSIGN_OR_RETURN(Value zv, Input(ctx, ref, static_cast<size_t>(l.w_zp)));
        if (zv.c && zv.c->size() > 1) n = zv.c->size();
      }
      w_scale = one(e.In(l.w) + "_unit_scale", n);
    } else {
      EMBER_ASSIGN_OR_RETURN(ws, e.Scale(l.w_scale, count, weights ? "weight" : "second input"));
      w_scale = e.In(l.w_scale);
      if (const float alpha = AttrFloat(ref, "alpha", 1.0f); op == "QGemm" && alpha != 1.0f) {
        // QGemm's alpha goes into B's scale (and so into C's).
        if (!(alpha > 0.0f) || !std::isfinite(alpha)) return UnsupportedAttr(ctx, ref, "alpha <= 0", kHint);
        ConstTensor scaled = FloatConst(ws->shape, {});
        for (int64_t k = 0; k < ws->size(); ++k) scaled.f.push_back(static_cast<float>(ws->at(k)) * alpha);
        ws = std::make_shared<const ConstTensor>(scaled);
        w_scale = e.BindConst(e.In(l.w_scale) + "_alpha", std::move(scaled));
      }
    }
    EMBER_ASSIGN_OR_RETURN(std::string w_zp, e.ZeroPoint(l.w_zp, l.w, count, weights ? "weight" : "second input"));
    const int64_t n_scales = ctx.values.at(w_scale).c->size();
    EMBER_ASSIGN_OR_RETURN(std::string wf, e.Dequantize(e.In(l.w), w_scale, w_zp, n_scales > 1 ? axis : -1));
    float_in.push_back(wf);
  }
  // The int32 bias of QLinearConv and QGemm: scale x_scale * w_scale[m]
  // (QGemm: times alpha), zero point 0.
  if (l.bias >= 0 && e.Has(l.bias)) {
    EMBER_ASSIGN_OR_RETURN(int32_t bt, e.TypeOf(l.bias));
    if (bt != pb::TensorProto::INT32) return e.Bad("the bias '" + e.In(l.bias) + "' has type " + ElemName(bt) + "; int32 expected");
    std::vector<double> s;
    for (int64_t k = 0; k < ws->size(); ++k) s.push_back(static_cast<float>(xs->at(0)) * static_cast<float>(ws->at(k)));
    const int64_t n = static_cast<int64_t>(s.size());
    const std::string b_scale = e.BindConst(e.In(l.bias) + "_scale", FloatConst(n > 1 ? ir::Shape{n} : ir::Shape{}, s));
    EMBER_ASSIGN_OR_RETURN(std::string bf, e.Dequantize(e.In(l.bias), b_scale, "", n > 1 ? 0 : -1));
    float_in.push_back(bf);
  }
  // The float operator; its attributes are the QOperator node's.
  std::vector<const pb::AttributeProto*> attrs;
  if (op == "QLinearSoftmax") EMBER_RETURN_IF_ERROR(CheckSoftmaxOpset(ctx, ref));
  for (const auto& a : ref.node->attribute()) {
    if (op == "QGemm" && a.name() == "alpha") continue;  // in B's scale
    if (op == "QLinearSoftmax" && a.name() == "opset") continue;  // checked above
    if (a.name() == "channels_last") {
      continue;  // handled below
    }
    attrs.push_back(&a);
  }
  std::string float_op = l.float_op;
  pb::AttributeProto axes, keep;
  if (op == "QLinearGlobalAveragePool" && AttrInt(ref, "channels_last", 0) != 0) {
    // NHWC: the mean over axes 1 .. rank-2.
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
    const size_t rank = ShapeOf(ctx, v).size();
    if (rank < 3) return UnsupportedAttr(ctx, ref, "an input of rank " + std::to_string(rank), kHint);
    float_op = "ReduceMean";
    axes.set_name("axes");
    axes.set_type(pb::AttributeProto::INTS);
    for (size_t a = 1; a + 1 < rank; ++a) axes.add_ints(static_cast<int64_t>(a));
    keep.set_name("keepdims");
    keep.set_type(pb::AttributeProto::INT);
    keep.set_i(1);
    attrs = {&axes, &keep};
  }
  // QLinearAveragePool with channels_last: the pool of the NCHW view,
  // between transposes (which the layout pass cancels against its own).
  pb::AttributeProto to_first, to_last;
  const bool pool_nhwc = op == "QLinearAveragePool" && AttrInt(ref, "channels_last", 0) != 0;
  if (pool_nhwc) {
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
    const int64_t rank = static_cast<int64_t>(ShapeOf(ctx, v).size());
    if (rank < 3) {
      return UnsupportedAttr(ctx, ref, "channels_last=1 with an input of rank " + std::to_string(rank), kHint);
    }
    for (pb::AttributeProto* a : {&to_first, &to_last}) {
      a->set_name("perm");
      a->set_type(pb::AttributeProto::INTS);
      a->add_ints(0);
    }
    to_first.add_ints(rank - 1);
    for (int64_t d = 1; d + 1 < rank; ++d) {
      to_first.add_ints(d);
      to_last.add_ints(d + 1);
    }
    to_last.add_ints(1);
    const std::string xt = e.Fresh(float_in[0] + "_channels_first");
    EMBER_RETURN_IF_ERROR(e.Run("Transpose", {float_in[0]}, xt, {&to_first}));
    float_in[0] = xt;
  }
  const std::string out = OutputName(ref, 0);
  if (integer) {
    EMBER_RETURN_IF_ERROR(e.Run(float_op, float_in, out, attrs));
    ctx.int_as_float.insert(out);
    EMBER_ASSIGN_OR_RETURN(ctx.int_as_float_bound[out], IntegerSumBound(ctx, ref, l));
    return Status::Ok();
  }
  if (float_out) return e.Run(float_op, float_in, out, attrs);
  const std::string yf = e.Fresh(out + "_float");
  if (pool_nhwc) {
    const std::string yt = e.Fresh(out + "_channels_first");
    EMBER_RETURN_IF_ERROR(e.Run(float_op, float_in, yt, attrs));
    EMBER_RETURN_IF_ERROR(e.Run("Transpose", {yt}, yf, {&to_last}));
  } else {
    EMBER_RETURN_IF_ERROR(e.Run(float_op, float_in, yf, attrs));
  }
  EMBER_ASSIGN_OR_RETURN(auto ys, e.Scale(l.y_scale, 1, "output"));
  (void)ys;
  EMBER_ASSIGN_OR_RETURN(std::string y_zp, e.OutputZeroPoint(l.y_zp, x_type));
  return e.Run("QuantizeLinear", {yf, e.In(l.y_scale), y_zp}, out, {});
}

bool PassesValuesThrough(const std::string& op) {
  static const std::set<std::string> kOps = {"MaxPool", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose",
                                             "Identity", "Dropout", "Slice", "Resize", "GlobalMaxPool", "ReduceMax"};
  return kOps.count(op) > 0;
}

}  // namespace

bool IsQOperatorOp(const std::string& op) {
  return op == "QLinearConv" || op == "QLinearMatMul" || op == "ConvInteger" || op == "MatMulInteger" ||
         op == "DynamicQuantizeLinear";
}

bool IsContribQOperatorOp(const std::string& op) {
  return op == "QLinearAdd" || op == "QLinearMul" || op == "QLinearGlobalAveragePool" || op == "QLinearAveragePool" ||
         op == "QGemm" || op == "QLinearSigmoid" || op == "QLinearLeakyRelu" || op == "QLinearSoftmax" ||
         op == "QLinearConcat" || op == "QLinearWhere" || op == "QuantizeLinear" || op == "DequantizeLinear";
}

// ArgMax and ArgMin give the same indices on the int8 form (the shift by
// 128 keeps the order).
bool ReadsU8AsI8(const std::string& op) {
  return op == "DequantizeLinear" || op == "ArgMax" || op == "ArgMin" || PassesValuesThrough(op);
}

Expected<ir::TensorId> U8ToI8(Context& ctx, const NodeRef& ref, ir::TensorId u8) {
  ir::QuantParams q = *ctx.graph.tensor(u8).quant;
  for (int64_t& z : q.zero_point) z -= 128;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kQuantize, {u8}, {},
                                                 ctx.graph.tensor(u8).name + "_i8", ir::DType::kInt8, q));
  ctx.u8_as_i8.insert(y);
  return y;
}

Expected<ir::TensorId> I8ToU8(Context& ctx, const NodeRef& ref, ir::TensorId i8, const std::string& out_name) {
  ir::QuantParams q = *ctx.graph.tensor(i8).quant;
  for (int64_t& z : q.zero_point) z += 128;
  return AddNode(ctx, ref, ir::OpKind::kQuantize, {i8}, {}, out_name, ir::DType::kUInt8, q);
}

Status ConvertNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  if (ReadsPlainBytes(ctx, ref)) {
    *handled = true;
    return ConvertWidenedBytes(ctx, ref);
  }
  if (op == "BitShift" && IsDefaultDomain(ref.node->domain())) {
    *handled = true;
    return FoldBitShift(ctx, ref);
  }
  // ONNX Runtime's own QuantizeLinear / DequantizeLinear (what its
  // quantizer writes for 16-bit activations below opset 21): the standard
  // operators' arithmetic, int16 and uint16 too.
  if ((op == "QuantizeLinear" || op == "DequantizeLinear") && ref.node->domain() == kContribDomain) {
    return ConvertFoldNode(ctx, ref, handled);
  }
  if (op == "QLinearConcat" && ref.node->domain() == kContribDomain) {
    *handled = true;
    return ExpandConcat(ctx, ref);
  }
  if (op == "QLinearWhere" && ref.node->domain() == kContribDomain) {
    *handled = true;
    return ExpandWhere(ctx, ref);
  }
  if (op == "DynamicQuantizeLinear" && ref.node->domain() != kContribDomain) {
    *handled = true;
    return ConvertDynamicQuantizeLinear(ctx, ref);
  }
  if (const Layout* l = LayoutOf(op); l && (IsQOperatorOp(op) || ref.node->domain() == kContribDomain)) {
    *handled = true;
    return Expand(ctx, ref, *l);
  }
  EMBER_RETURN_IF_ERROR(ConvertNnNode(ctx, ref, handled));
  if (!*handled) EMBER_RETURN_IF_ERROR(ConvertMiscNode(ctx, ref, handled));
  if (!*handled) EMBER_RETURN_IF_ERROR(ConvertMathNode(ctx, ref, handled));
  if (!*handled) EMBER_RETURN_IF_ERROR(ConvertRnnNode(ctx, ref, handled));
  if (!*handled) EMBER_RETURN_IF_ERROR(ConvertSignalNode(ctx, ref, handled));
  // uint8 held as int8 stays so through operators that move values.
  if (*handled && PassesValuesThrough(op) && HasInput(ref, 0) && ref.node->output_size() > 0) {
    auto in = ctx.values.find(ref.node->input(0));
    auto out = ctx.values.find(ref.node->output(0));
    if (in != ctx.values.end() && out != ctx.values.end() && ctx.u8_as_i8.count(in->second.id) &&
        out->second.id != ir::kNoTensor && ctx.graph.tensor(out->second.id).dtype == ir::DType::kInt8) {
      ctx.u8_as_i8.insert(out->second.id);
    }
    if (in != ctx.values.end() && out != ctx.values.end() && ctx.u16_as_i16.count(in->second.id) &&
        out->second.id != ir::kNoTensor && ctx.graph.tensor(out->second.id).dtype == ir::DType::kInt16) {
      ctx.u16_as_i16.insert(out->second.id);
    }
  }
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
