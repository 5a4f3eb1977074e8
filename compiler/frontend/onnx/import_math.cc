// ONNX operators that map onto the IR's math and logic operators (added for
// TFLite's SUM, ARG_MAX, comparisons, SELECT_V2, ...): ArgMax/ArgMin, Equal,
// Less, LessOrEqual, Greater, GreaterOrEqual, Where, Not/And/Or/Xor, IsNaN,
// IsInf, ReduceSum and the Reduce functions ONNX defines from it (ReduceSumSquare, ReduceL1,
// ReduceL2, ReduceLogSum, ReduceLogSumExp),
// Max/Min/Sum/Mean, Abs/Neg/Sqrt/Exp/Log/Erf/Floor/Ceil/Round/Sin/Cos/Atan/Sign/Reciprocal, Elu, Pow, Mod, CumSum, Expand,
// Tan, Sinh, Cosh, Asinh, Acosh, Atanh, Asin, Acos,
// LogSoftmax, the activations ONNX defines by formulas (Selu, Celu,
// ThresholdedRelu, Softplus, Softsign, Shrink), Trilu, Tile, Hardmax, OneHot, LayerNormalization,
// InstanceNormalization, LRN, Einsum, and MatMul of
// run-time or batched operands (batch_matmul). Like import_ext.cc the IR
// operators are looked up by name: an ONNX operator is imported only when
// ember has every IR operator it needs.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "frontend/onnx/import_internal.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::frontend::onnx::detail {
namespace {

struct MathOp {
  const char* onnx;
  const char* ir[3];  // the IR operators it needs (nullptr-terminated)
};

// "add" and "mul" are always there.
const MathOp kMathOps[] = {
    {"ArgMax", {"arg_max"}},
    {"ArgMin", {"arg_min"}},
    {"Equal", {"equal"}},
    {"Less", {"less"}},
    {"LessOrEqual", {"less_equal"}},
    {"Greater", {"greater"}},
    {"GreaterOrEqual", {"greater_equal"}},
    {"Where", {"select"}},
    {"Not", {"logical_not"}},
    {"And", {"logical_and"}},
    {"Or", {"logical_or"}},
    {"Xor", {"not_equal"}},
    {"IsNaN", {"not_equal"}},
    {"IsInf", {"abs", "equal"}},
    {"LRN", {"pad", "strided_slice", "pow"}},  // and div (below)
    {"Einsum", {"batch_matmul", "reduce_sum", "gather"}},
    {"ReduceSum", {"reduce_sum"}},
    {"ReduceSumSquare", {"reduce_sum"}},
    {"ReduceL1", {"reduce_sum", "abs"}},
    {"ReduceL2", {"reduce_sum", "sqrt"}},
    {"ReduceLogSum", {"reduce_sum", "log"}},
    {"ReduceLogSumExp", {"reduce_sum", "exp", "log"}},
    {"Max", {"maximum"}},
    {"Min", {"minimum"}},
    {"Sum", {}},
    {"Mean", {"div"}},
    {"Abs", {"abs"}},
    {"Neg", {"neg"}},
    {"Sqrt", {"sqrt"}},
    {"Exp", {"exp"}},
    {"Erf", {"erf"}},
    {"Floor", {"floor"}},
    {"Ceil", {"ceil"}},
    {"Round", {"round"}},
    {"Sin", {"sin"}},
    {"Cos", {"cos"}},
    {"Sign", {"sign"}},
    {"Atan", {"atan"}},
    {"Tan", {"sin", "cos", "div"}},
    {"Sinh", {"exp", "neg", "sub"}},
    {"Cosh", {"exp", "neg"}},
    {"Asinh", {"sqrt", "log", "sign"}},  // and abs
    {"Acosh", {"sqrt", "log", "sub"}},
    {"Atanh", {"log", "div", "sub"}},
    {"Asin", {"atan", "sqrt", "div"}},
    {"Acos", {"atan", "sqrt", "div"}},
    {"Log", {"log"}},
    {"Reciprocal", {"div"}},
    {"Elu", {"elu", "less", "select"}},
    {"Pow", {"pow", "cast"}},
    {"Mod", {"mod"}},
    {"CumSum", {"cumsum"}},
    {"Expand", {"broadcast_to"}},
    {"LogSoftmax", {"reduce_max", "sub", "exp"}},  // and reduce_sum, log (below)
    {"Selu", {"greater", "exp", "select"}},
    {"Celu", {"exp", "minimum", "div"}},
    {"ThresholdedRelu", {"greater", "select"}},
    {"Softplus", {"exp", "log"}},
    {"Softsign", {"abs", "div"}},
    {"Trilu", {"select"}},
    {"Tile", {"broadcast_to"}},
    {"Shrink", {"less", "greater", "select"}},
    {"Hardmax", {"arg_max", "equal", "select"}},
    {"OneHot", {"equal", "logical_or", "select"}},  // and cast (below)
    {"LayerNormalization", {"sub", "sqrt", "div"}},
    {"InstanceNormalization", {"sub", "sqrt", "div"}},
    {"Det", {"gather", "reduce_prod", "reduce_sum"}},
};

ir::OpKind Kind(const char* ir_name) { return *IrOp(ir_name); }

// Input 0 at run time, which must be float32 ("<Op> of a <type> tensor",
// E1007, with `hint` otherwise).
Expected<ir::TensorId> Float32Input(Context& ctx, const NodeRef& ref, const std::string& hint) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, ref.node->op_type() + " of a " + ir::DTypeName(ctx.graph.tensor(x).dtype) + " tensor",
                           hint);
  }
  return x;
}

Status Bind(Context& ctx, const NodeRef& ref, ir::TensorId y) {
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

// One IR node of `op` over all inputs of the ONNX node.
Status Direct(Context& ctx, const NodeRef& ref, const char* op, std::optional<ir::DType> out_dtype = std::nullopt) {
  std::vector<ir::TensorId> ins;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, RuntimeInput(ctx, ref, k));
    ins.push_back(id);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind(op), ins, {}, OutputName(ref, 0), out_dtype));
  return Bind(ctx, ref, y);
}

// Max, Min, Sum, Mean: a chain of the binary operator over the inputs
// (numpy broadcasting at each step, as ONNX's multidirectional broadcast);
// Mean divides the sum by the input count.
Status Variadic(Context& ctx, const NodeRef& ref, ir::OpKind op, bool mean) {
  const size_t n = NumInputs(ref);
  if (n == 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has no inputs");
  EMBER_ASSIGN_OR_RETURN(ir::TensorId acc, RuntimeInput(ctx, ref, 0));
  const std::string out = OutputName(ref, 0);
  for (size_t k = 1; k < n; ++k) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId next, RuntimeInput(ctx, ref, k));
    const bool last = k + 1 == n && !mean;
    EMBER_ASSIGN_OR_RETURN(acc, AddNode(ctx, ref, op, {acc, next}, {}, last ? out : out + "_" + std::to_string(k)));
  }
  if (mean && n > 1) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId count, AddConst(ctx, ref.name + "_count",
                                                        FloatConst({}, {static_cast<double>(n)})));
    EMBER_ASSIGN_OR_RETURN(acc, AddNode(ctx, ref, Kind("div"), {acc, count}, {}, out));
  }
  return Bind(ctx, ref, acc);
}

Status Reciprocal(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId one, AddConst(ctx, ref.name + "_one", FloatConst({}, {1.0})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("div"), {one, x}, {}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// Elu: alpha 1 (the default) is the IR's elu (x < 0 ? expm1(x) : x, TFLite's
// ELU). Any other alpha is composed exactly in float32:
//   select(less(x, 0), mul(elu(x), alpha), x)
// gives alpha · expm1(x) rounded once for x < 0 and x itself otherwise (NaN
// and -0 pass through), as a direct alpha · expm1f(x) kernel would. ONNX
// types Elu's input float16/float/double; only float32 reaches here.
Status Elu(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const float alpha = AttrFloat(ref, "alpha", 1.0f);
  const std::string out = OutputName(ref, 0);
  if (alpha == 1.0f) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("elu"), {x}, {}, out));
    return Bind(ctx, ref, y);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, AddConst(ctx, ref.name + "_zero", FloatConst({}, {0.0})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, AddConst(ctx, ref.name + "_alpha", FloatConst({}, {alpha})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId neg, AddNode(ctx, ref, Kind("less"), {x, zero}, {}, out + "_negative"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId e, AddNode(ctx, ref, Kind("elu"), {x}, {}, out + "_elu"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId s, AddNode(ctx, ref, ir::OpKind::kMul, {e, a}, {}, out + "_scaled"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("select"), {neg, s, x}, {}, out));
  return Bind(ctx, ref, y);
}

// Pow: the result has the base's type, float32, int32 or int64; the
// exponent may have any numeric type.
//  - A constant exponent becomes a constant of the base's type; for an
//    integer base only integral values, since ONNX Runtime raises an integer
//    base to a float exponent in double and truncates, which an integral
//    exponent reproduces.
//  - A run-time exponent of another type goes through cast (int to float,
//    int to the integer base's type); a float exponent of an integer base
//    computed at run time is refused.
//  - On float32, an exponent of one element equal to 2 or 3 (the squares of
//    variance and RMS norms as exporters write them) is x·x or (x·x)·x,
//    which is what ONNX Runtime computes for such an exponent; it costs a
//    multiplication on the device instead of powf, and in a QDQ model the
//    square stays an int8 mul.
Status Pow(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& in = ctx.graph.tensor(x);
  const ir::DType dt = in.dtype;
  const ir::Shape x_shape = in.shape;
  if (dt != ir::DType::kFloat32 && dt != ir::DType::kInt32 && dt != ir::DType::kInt64) {
    return UnsupportedAttr(ctx, ref, "Pow of a " + std::string(ir::DTypeName(dt)) + " base",
                           "ember computes Pow on float32, int32 and int64 tensors; cast the base in the source model");
  }
  EMBER_ASSIGN_OR_RETURN(Value e, Input(ctx, ref, 1));
  const std::string out = OutputName(ref, 0);
  ir::TensorId y = ir::kNoTensor;
  if (e.c && e.id == ir::kNoTensor) {
    const ConstTensor& c = *e.c;
    ConstTensor ce;
    ce.shape = c.shape;
    if (dt == ir::DType::kFloat32) {
      for (int64_t k = 0; k < c.size(); ++k) ce.f.push_back(static_cast<double>(static_cast<float>(c.at(k))));
      const bool scalar_like = c.size() == 1 && c.shape.size() <= x_shape.size();
      const double v = c.size() == 1 ? ce.f[0] : 0.0;
      if (scalar_like && (v == 2.0 || v == 3.0)) {
        EMBER_ASSIGN_OR_RETURN(ir::TensorId sq, AddNode(ctx, ref, ir::OpKind::kMul, {x, x}, {}, v == 2.0 ? out : out + "_square"));
        if (v == 2.0) return Bind(ctx, ref, sq);
        EMBER_ASSIGN_OR_RETURN(ir::TensorId cube, AddNode(ctx, ref, ir::OpKind::kMul, {sq, x}, {}, out));
        return Bind(ctx, ref, cube);
      }
    } else {
      const bool wide = dt == ir::DType::kInt64;
      ce.elem_type = wide ? pb::TensorProto::INT64 : pb::TensorProto::INT32;
      for (int64_t k = 0; k < c.size(); ++k) {
        const double v = c.is_float() ? c.at(k) : static_cast<double>(c.int_at(k));
        const bool fits = wide ? !c.is_float() || (v >= -9223372036854775808.0 && v < 9223372036854775808.0)
                               : v >= -2147483648.0 && v <= 2147483647.0;
        if (v != std::trunc(v) || !fits) {
          return UnsupportedAttr(ctx, ref,
                                 std::string("an ") + ir::DTypeName(dt) + " base raised to the exponent " + ops::FormatReal(v),
                                 "ember raises integer bases to integral exponents only; cast the base to float "
                                 "in the source model");
        }
        ce.i.push_back(c.is_float() ? static_cast<int64_t>(v) : c.int_at(k));
      }
    }
    EMBER_ASSIGN_OR_RETURN(y, AddConst(ctx, ref.name + "_exponent", ce));
  } else {
    EMBER_ASSIGN_OR_RETURN(y, RuntimeInput(ctx, ref, 1));
    const ir::DType et = ctx.graph.tensor(y).dtype;
    const bool int_exponent = et == ir::DType::kInt32 || et == ir::DType::kInt16 || et == ir::DType::kInt8 ||
                              et == ir::DType::kInt64;
    if (et != dt) {
      if (!int_exponent) {
        return UnsupportedAttr(ctx, ref, std::string("a ") + ir::DTypeName(et) + " exponent of a " + ir::DTypeName(dt) +
                                             " base computed at run time",
                               "ember computes Pow of a float32 base with a float32 or integer exponent, and of an "
                               "integer base with an integer exponent");
      }
      EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, Kind("cast"), {y}, {}, out + "_exponent", dt));
    }
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId z, AddNode(ctx, ref, Kind("pow"), {x, y}, {}, out));
  return Bind(ctx, ref, z);
}

// Expand: x broadcast with the constant `shape` in both directions (numpy
// broadcasting of the two shapes gives the output's). A constant x is folded
// (exporters expand shape arithmetic), an unchanged shape is x itself, and
// otherwise it is broadcast_to.
Status Expand(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(auto sc, ConstInput(ctx, ref, 1, "shape"));
  ir::Shape target;
  for (int64_t k = 0; k < sc->size(); ++k) target.push_back(sc->int_at(k));
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape xs = ShapeOf(ctx, v);
  ir::Shape out;
  const bool valid = std::all_of(target.begin(), target.end(), [](int64_t d) { return d >= 0; });
  if (!valid || !ops::BroadcastShapes(xs, target, &out)) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "cannot expand " + ir::ShapeToString(xs) + " to " + ir::ShapeToString(target),
                     "each dimension must be equal in both shapes or 1 in one of them");
  }
  if (out == xs) {
    BindOutput(ctx, ref, 0, v);
    return Status::Ok();
  }
  if (v.c && v.id == ir::kNoTensor) {
    if (ir::NumElements(out) > kMaxFoldedElements) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kUnsupported,
                       "folds to a constant of shape " + ir::ShapeToString(out) + ", which is too large");
    }
    ConstTensor r;
    r.elem_type = v.c->elem_type;
    r.shape = out;
    for (int64_t o = 0; o < ir::NumElements(out); ++o) {
      const int64_t j = ops::BroadcastIndex(xs, out, o);
      if (v.c->is_float()) r.f.push_back(v.c->f[static_cast<size_t>(j)]);
      else r.i.push_back(v.c->i[static_cast<size_t>(j)]);
    }
    BindOutput(ctx, ref, 0, ConstValue(std::move(r)));
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("broadcast_to"), {x}, {{"shape", out}}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// LogSoftmax as ONNX Runtime computes it: m = max(x), d = x - m,
// y = d - log(sum(exp(d))) over `axis` (opset 13: that axis, default -1;
// opsets 11-12: the flattened trailing axes [axis, rank), default 1), so a
// large spread of inputs gives large negative outputs, not -inf. Over the
// last axis this is the IR's log_softmax; over others, composed of
// reduce_max, sub, exp, reduce_sum and log.
Status LogSoftmax(Context& ctx, const NodeRef& ref) {
  if (!IrOp("reduce_sum") || !IrOp("log")) {
    return UnsupportedAttr(ctx, ref, "LogSoftmax", "this build of ember has no reduce_sum or log operator");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& in = ctx.graph.tensor(x);
  if (in.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, "LogSoftmax of a " + std::string(ir::DTypeName(in.dtype)) + " tensor",
                           "ember composes LogSoftmax in float32; dequantize its input");
  }
  const size_t rank = in.shape.size();
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", ctx.opset >= 13 ? -1 : 1), rank));
  std::vector<int64_t> axes{axis};
  for (auto a = static_cast<size_t>(axis) + 1; ctx.opset < 13 && a < rank; ++a) axes.push_back(static_cast<int64_t>(a));
  const std::string out = OutputName(ref, 0);
  if (axes.size() == 1 && axes[0] == static_cast<int64_t>(rank) - 1 && IrOp("log_softmax")) {
    // Over the last axis: one log_softmax (the same formula, no intermediate tensors).
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("log_softmax"), {x}, {}, out));
    return Bind(ctx, ref, y);
  }
  const ir::Attrs attrs{{"axes", axes}, {"keep_dims", int64_t{1}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId m, AddNode(ctx, ref, Kind("reduce_max"), {x}, attrs, out + "_max"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId d, AddNode(ctx, ref, Kind("sub"), {x, m}, {}, out + "_shifted"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId e, AddNode(ctx, ref, Kind("exp"), {d}, {}, out + "_exp"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId sum, AddNode(ctx, ref, Kind("reduce_sum"), {e}, attrs, out + "_sum"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId l, AddNode(ctx, ref, Kind("log"), {sum}, {}, out + "_log_sum"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("sub"), {d, l}, {}, out));
  return Bind(ctx, ref, y);
}

// A float32 composition for one ONNX node: scalar constants named after the
// node, IR nodes looked up by IR name (FormulaActivation, Trigonometric).
struct Composer {
  Context& ctx;
  const NodeRef& ref;
  Expected<ir::TensorId> Const(const std::string& what, double v) const {
    return AddConst(ctx, ref.name + "_" + what, FloatConst({}, {v}));
  }
  Expected<ir::TensorId> Node(const char* ir_op, std::vector<ir::TensorId> ins, const std::string& name) const {
    return AddNode(ctx, ref, Kind(ir_op), std::move(ins), {}, name);
  }
};

// The activations ONNX defines by a formula, composed of IR operators in
// float32 as the formula reads (ONNX's reference evaluates the same
// expressions):
//   Selu            gamma · (x > 0 ? x : alpha · exp(x) − alpha)
//   Celu            max(0, x) + min(0, alpha · (exp(x / alpha) − 1))
//   ThresholdedRelu x > alpha ? x : 0
//   Softplus        log(exp(x) + 1)
//   Softsign        x / (1 + |x|)
//   Shrink          x < -lambd ? x + bias : (x > lambd ? x - bias : 0)
Status FormulaActivation(Context& ctx, const NodeRef& ref) {
  const std::string& op = ref.node->op_type();
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, Float32Input(ctx, ref, "ember composes " + op + " in float32; dequantize its input"));
  const std::string out = OutputName(ref, 0);
  const Composer k{ctx, ref};
  ir::TensorId y = ir::kNoTensor;
  if (op == "Selu") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId alpha, k.Const("alpha", AttrFloat(ref, "alpha", 1.67326319217681884765625f)));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId gamma, k.Const("gamma", AttrFloat(ref, "gamma", 1.05070102214813232421875f)));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, k.Const("zero", 0.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId pos, k.Node("greater", {x, zero}, out + "_positive"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId e, k.Node("exp", {x}, out + "_exp"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId ae, k.Node("mul", {e, alpha}, out + "_scaled_exp"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId neg, k.Node("sub", {ae, alpha}, out + "_negative"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId s, k.Node("select", {pos, x, neg}, out + "_selected"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("mul", {s, gamma}, out));
  } else if (op == "Celu") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId alpha, k.Const("alpha", AttrFloat(ref, "alpha", 1.0f)));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, k.Const("zero", 0.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId one, k.Const("one", 1.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId d, k.Node("div", {x, alpha}, out + "_scaled"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId e, k.Node("exp", {d}, out + "_exp"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId em1, k.Node("sub", {e, one}, out + "_expm1"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId a, k.Node("mul", {em1, alpha}, out + "_negative"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId mn, k.Node("minimum", {a, zero}, out + "_min"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId r, AddNode(ctx, ref, ir::OpKind::kRelu, {x}, {}, out + "_relu"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("add", {r, mn}, out));
  } else if (op == "ThresholdedRelu") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId alpha, k.Const("alpha", AttrFloat(ref, "alpha", 1.0f)));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, k.Const("zero", 0.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId above, k.Node("greater", {x, alpha}, out + "_above"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("select", {above, x, zero}, out));
  } else if (op == "Softplus") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId one, k.Const("one", 1.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId e, k.Node("exp", {x}, out + "_exp"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId e1, k.Node("add", {e, one}, out + "_exp_plus_one"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("log", {e1}, out));
  } else if (op == "Shrink") {
    const float lambd = AttrFloat(ref, "lambd", 0.5f), bias = AttrFloat(ref, "bias", 0.0f);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId lo, k.Const("minus_lambd", -static_cast<double>(lambd)));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId hi, k.Const("lambd", lambd));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId b, k.Const("bias", bias));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, k.Const("zero", 0.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId below, k.Node("less", {x, lo}, out + "_below"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId above, k.Node("greater", {x, hi}, out + "_above"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId up, k.Node("add", {x, b}, out + "_plus_bias"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId down, k.Node("sub", {x, b}, out + "_minus_bias"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId inner, k.Node("select", {above, down, zero}, out + "_upper"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("select", {below, up, inner}, out));
  } else {  // Softsign
    EMBER_ASSIGN_OR_RETURN(ir::TensorId one, k.Const("one", 1.0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId a, k.Node("abs", {x}, out + "_abs"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId a1, k.Node("add", {a, one}, out + "_abs_plus_one"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("div", {x, a1}, out));
  }
  return Bind(ctx, ref, y);
}

// The trigonometric and hyperbolic functions ember has no operator for,
// composed in float32 of sin, cos, exp, log, sqrt and atan:
//   Tan    sin(x) / cos(x)
//   Sinh   (exp(x) − exp(−x)) · ½          Cosh  (exp(x) + exp(−x)) · ½
//   Asinh  sign(x) · log(|x| + sqrt(x·x + 1))   (odd, no cancellation below 0)
//   Acosh  log(x + sqrt(x·x − 1))          Atanh ½ · log((1 + x) / (1 − x))
//   Asin   atan(x / sqrt(1 − x·x))         (±1: x / 0 = ±inf, atan = ±π/2)
//   Acos   2 · atan(sqrt((1 − x) / (1 + x)))
// Outside a function's domain the result is NaN as in C (sqrt or log of a
// negative number); near 0 the compositions keep an absolute error of about
// one float32 step of 1 rather than a relative one.
Status Trigonometric(Context& ctx, const NodeRef& ref) {
  const std::string& op = ref.node->op_type();
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, Float32Input(ctx, ref, "ember composes " + op + " in float32; dequantize its input"));
  const std::string out = OutputName(ref, 0);
  const Composer k{ctx, ref};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId one, k.Const("one", 1.0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId half, k.Const("half", 0.5));
  ir::TensorId y = ir::kNoTensor;
  if (op == "Tan") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId s, k.Node("sin", {x}, out + "_sin"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId c, k.Node("cos", {x}, out + "_cos"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("div", {s, c}, out));
  } else if (op == "Sinh" || op == "Cosh") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId e, k.Node("exp", {x}, out + "_exp"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId nx, k.Node("neg", {x}, out + "_neg"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId en, k.Node("exp", {nx}, out + "_exp_neg"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId s, k.Node(op == "Sinh" ? "sub" : "add", {e, en}, out + "_twice"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("mul", {s, half}, out));
  } else if (op == "Asinh" || op == "Acosh") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId base, op == "Asinh" ? k.Node("abs", {x}, out + "_abs") : Expected<ir::TensorId>(x));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId sq, k.Node("mul", {x, x}, out + "_square"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId r, k.Node(op == "Asinh" ? "add" : "sub", {sq, one}, out + "_radicand"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId root, k.Node("sqrt", {r}, out + "_sqrt"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId sum, k.Node("add", {base, root}, out + "_sum"));
    if (op == "Acosh") {
      EMBER_ASSIGN_OR_RETURN(y, k.Node("log", {sum}, out));
    } else {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId l, k.Node("log", {sum}, out + "_log"));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId sg, k.Node("sign", {x}, out + "_sign"));
      EMBER_ASSIGN_OR_RETURN(y, k.Node("mul", {sg, l}, out));
    }
  } else if (op == "Atanh") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId num, k.Node("add", {one, x}, out + "_one_plus"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId den, k.Node("sub", {one, x}, out + "_one_minus"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId q, k.Node("div", {num, den}, out + "_ratio"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId l, k.Node("log", {q}, out + "_log"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("mul", {l, half}, out));
  } else if (op == "Asin") {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId sq, k.Node("mul", {x, x}, out + "_square"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId r, k.Node("sub", {one, sq}, out + "_radicand"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId root, k.Node("sqrt", {r}, out + "_sqrt"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId q, k.Node("div", {x, root}, out + "_tangent"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("atan", {q}, out));
  } else {  // Acos
    EMBER_ASSIGN_OR_RETURN(ir::TensorId num, k.Node("sub", {one, x}, out + "_one_minus"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId den, k.Node("add", {one, x}, out + "_one_plus"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId q, k.Node("div", {num, den}, out + "_ratio"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId root, k.Node("sqrt", {q}, out + "_sqrt"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId a, k.Node("atan", {root}, out + "_atan"));
    EMBER_ASSIGN_OR_RETURN(y, k.Node("add", {a, a}, out));
  }
  return Bind(ctx, ref, y);
}

// IsNaN: x != x, true exactly for NaN. IsInf: |x| == +inf, or x == +inf
// (detect_negative 0), x == -inf (detect_positive 0), or x == NaN (neither:
// always false). Float32; a bool result.
Status FloatClass(Context& ctx, const NodeRef& ref) {
  const std::string& op = ref.node->op_type();
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, Float32Input(ctx, ref, "ember imports " + op + " of float32 tensors"));
  const std::string out = OutputName(ref, 0);
  ir::TensorId y = ir::kNoTensor;
  if (op == "IsNaN") {
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, Kind("not_equal"), {x, x}, {}, out));
    return Bind(ctx, ref, y);
  }
  const bool negative = AttrInt(ref, "detect_negative", 1) != 0, positive = AttrInt(ref, "detect_positive", 1) != 0;
  const double inf = std::numeric_limits<double>::infinity();
  const double target = positive ? inf : negative ? -inf : std::numeric_limits<double>::quiet_NaN();
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, AddConst(ctx, ref.name + "_infinity", FloatConst({}, {target})));
  if (positive && negative) {
    EMBER_ASSIGN_OR_RETURN(x, AddNode(ctx, ref, Kind("abs"), {x}, {}, out + "_abs"));
  }
  EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, Kind("equal"), {x, t}, {}, out));
  return Bind(ctx, ref, y);
}

// LRN (local response normalization across channels; NCHW, rank 3 or more):
// the squares x·x padded on the channel axis with floor((size − 1) / 2)
// zeros before and ceil((size − 1) / 2) after, their window sum as the sum
// of `size` shifted strided_slices (in channel order), then
// y = x / (bias + alpha / size · sum)^beta in float32, as ONNX defines it.
Status Lrn(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32 || shape.size() < 3) {
    return UnsupportedAttr(ctx, ref,
                           std::string("LRN of a ") + ir::DTypeName(ctx.graph.tensor(x).dtype) + " tensor of shape " +
                               ir::ShapeToString(shape),
                           "ember imports LRN of float32 tensors [N, C, D1, ...]; dequantize its input");
  }
  const int64_t size = AttrInt(ref, "size", 0);
  if (size < 1 || size > 255) {
    return UnsupportedAttr(ctx, ref, "size " + std::to_string(size), "give a window size from 1 to 255");
  }
  const std::string out = OutputName(ref, 0);
  auto constant = [&](const std::string& what, double v) {
    return AddConst(ctx, ref.name + "_" + what, FloatConst({}, {v}));
  };
  EMBER_ASSIGN_OR_RETURN(ir::TensorId sq, AddNode(ctx, ref, ir::OpKind::kMul, {x, x}, {}, out + "_square"));
  std::vector<int64_t> pads(2 * shape.size(), 0);
  pads[2] = (size - 1) / 2;
  pads[3] = size - 1 - pads[2];
  EMBER_ASSIGN_OR_RETURN(ir::TensorId padded,
                         AddNode(ctx, ref, Kind("pad"), {sq}, {{"pads", pads}, {"value", 0.0}}, out + "_padded"));
  ir::TensorId sum = ir::kNoTensor;
  for (int64_t i = 0; i < size; ++i) {
    std::vector<int64_t> begin(shape.size(), 0), end(shape.begin(), shape.end());
    begin[1] = i;
    end[1] = i + shape[1];
    const ir::Attrs sa = SliceAttrs(begin, end, std::vector<int64_t>(shape.size(), 1));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId tap, AddNode(ctx, ref, Kind("strided_slice"), {padded}, sa,
                                                     out + "_window" + std::to_string(i)));
    if (sum == ir::kNoTensor) {
      sum = tap;
    } else {
      EMBER_ASSIGN_OR_RETURN(sum, AddNode(ctx, ref, ir::OpKind::kAdd, {sum, tap}, {}, out + "_sum"));
    }
  }
  const float alpha = AttrFloat(ref, "alpha", 0.0001f), beta = AttrFloat(ref, "beta", 0.75f);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, constant("alpha_over_size", alpha / static_cast<float>(size)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, constant("bias", AttrFloat(ref, "bias", 1.0f)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId e, constant("beta", beta));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId scaled, AddNode(ctx, ref, ir::OpKind::kMul, {sum, a}, {}, out + "_scaled"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId base, AddNode(ctx, ref, ir::OpKind::kAdd, {scaled, b}, {}, out + "_base"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId den, AddNode(ctx, ref, Kind("pow"), {base, e}, {}, out + "_denominator"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("div"), {x, den}, {}, out));
  return Bind(ctx, ref, y);
}

// Einsum of float32 operands, as data movement around a batch_matmul per
// pair (numpy's einsum):
//   - the equation's labels are letters; "..." stands for the same number of
//     leading labels in every term (right-aligned, as numpy broadcasts);
//     without "->" the output is the ellipsis, then the letters that occur
//     once, in alphabetical order;
//   - a label repeated in one operand takes its diagonal (transpose both
//     axes last, reshape them to one, gather every (n + 1)-th element);
//   - a label in one operand only and not in the output is summed away
//     (reduce_sum);
//   - one operand: a transpose to the output order;
//   - two: the labels of both operands and the output are the batch, those
//     of both but not the output are contracted, the rest are kept from
//     either side; A is moved to [batch, kept_a, contracted] and B to
//     [batch, contracted, kept_b], reshaped to 3-D, multiplied, and the
//     product reshaped and transposed to the output order;
//   - more: contracted pairwise from the left, each product keeping the
//     labels the output or a later operand still has (float32 sums in that
//     order: ONNX Runtime may pair the operands otherwise, which changes the
//     last bits).
// Every label has one size (a size-1 broadcast is E1007).
class EinsumLowering {
 public:
  EinsumLowering(Context& ctx, const NodeRef& ref) : ctx_(ctx), ref_(ref), out_(OutputName(ref, 0)) {}

  Status Run() {
    const std::string eq = AttrString(ref_, "equation", "");
    std::string text;
    for (char c : eq)
      if (c != ' ') text += c;
    const size_t arrow = text.find("->");
    const std::string lhs = text.substr(0, arrow);
    std::vector<std::string> terms;
    for (size_t start = 0;;) {
      const size_t comma = lhs.find(',', start);
      terms.push_back(lhs.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (terms.size() != NumInputs(ref_) || terms.size() > kMaxOperands) {
      return UnsupportedAttr(ctx_, ref_,
                             "equation '" + eq + "' with " + std::to_string(terms.size()) + " terms for " +
                                 std::to_string(NumInputs(ref_)) + " inputs",
                             "ember imports Einsum of 1 to " + std::to_string(kMaxOperands) +
                                 " operands, one term each");
    }
    std::vector<Operand> ops;
    size_t ellipsis = 0;
    for (size_t k = 0; k < terms.size(); ++k) {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx_, ref_, k));
      if (ctx_.graph.tensor(x).dtype != ir::DType::kFloat32) {
        return UnsupportedAttr(ctx_, ref_, std::string("Einsum of a ") + ir::DTypeName(ctx_.graph.tensor(x).dtype) +
                                               " operand", "ember imports Einsum of float32 operands");
      }
      ops.push_back({x, {}});
      const size_t rank = ctx_.graph.tensor(x).shape.size();
      EMBER_ASSIGN_OR_RETURN(size_t e, EllipsisRank(terms[k], rank));
      ellipsis = std::max(ellipsis, e);
    }
    for (size_t k = 0; k < terms.size(); ++k) {
      const size_t rank = ctx_.graph.tensor(ops[k].id).shape.size();
      EMBER_ASSIGN_OR_RETURN(ops[k].labels, Labels(terms[k], rank, ellipsis));
      EMBER_RETURN_IF_ERROR(NoteSizes(ops[k]));
    }
    std::string want;
    if (arrow != std::string::npos) {
      const std::string term = text.substr(arrow + 2);
      const size_t rank = Letters(term) + (term.find("...") != std::string::npos ? ellipsis : 0);
      EMBER_ASSIGN_OR_RETURN(want, Labels(term, rank, ellipsis));
      for (char c : want) {
        if (!size_.count(c) || std::count(want.begin(), want.end(), c) != 1) {
          return Bad("output label '" + std::string(1, c) + "' is not an input label, or repeats");
        }
      }
    } else {
      for (size_t j = 0; j < ellipsis; ++j) want += static_cast<char>('0' + j);
      std::string once;
      for (const auto& [c, n] : size_) {
        (void)n;
        int count = 0;
        for (const Operand& o : ops) count += static_cast<int>(std::count(o.labels.begin(), o.labels.end(), c));
        if (std::isalpha(static_cast<unsigned char>(c)) && count == 1) once += c;
      }
      std::sort(once.begin(), once.end());
      want += once;
    }
    for (Operand& o : ops) EMBER_RETURN_IF_ERROR(Diagonals(o));
    // Sum away the labels of one operand that neither another nor the output has.
    for (size_t k = 0; k < ops.size(); ++k) {
      std::string other;
      for (size_t j = 0; j < ops.size(); ++j)
        if (j != k) other += ops[j].labels;
      std::vector<int64_t> axes;
      std::string kept;
      for (size_t a = 0; a < ops[k].labels.size(); ++a) {
        const char c = ops[k].labels[a];
        if (want.find(c) == std::string::npos && other.find(c) == std::string::npos) axes.push_back(static_cast<int64_t>(a));
        else kept += c;
      }
      if (axes.empty()) continue;
      EMBER_ASSIGN_OR_RETURN(ops[k].id, AddNode(ctx_, ref_, Kind("reduce_sum"), {ops[k].id},
                                                {{"axes", axes}, {"keep_dims", int64_t{0}}}, Name("sum")));
      ops[k].labels = kept;
    }
    Operand y = ops[0];
    for (size_t k = 1; k < ops.size(); ++k) {
      // The labels the product keeps: those of the output or of a later operand.
      std::string later = want;
      for (size_t j = k + 1; j < ops.size(); ++j) later += ops[j].labels;
      std::string keep;
      for (char c : y.labels + ops[k].labels)
        if (later.find(c) != std::string::npos && keep.find(c) == std::string::npos) keep += c;
      EMBER_ASSIGN_OR_RETURN(y, Contract(y, ops[k], keep));
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Permute(y, want, out_));
    return Bind(ctx_, ref_, id);
  }

 private:
  static constexpr size_t kMaxOperands = 16;
  struct Operand {
    ir::TensorId id;
    std::string labels;  // one per axis; '0'.. for the ellipsis axes
  };

  Diagnostic Bad(const std::string& what) {
    return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure,
                     "equation '" + AttrString(ref_, "equation", "") + "': " + what,
                     "the equation names each operand axis with a letter (or '...')");
  }
  std::string Name(const std::string& what) { return out_ + "_" + what + std::to_string(++count_); }

  static size_t Letters(const std::string& term) {
    return static_cast<size_t>(std::count_if(term.begin(), term.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); }));
  }
  // The number of axes "..." stands for in a term of an operand of `rank`.
  Expected<size_t> EllipsisRank(const std::string& term, size_t rank) {
    const size_t dots = term.find("...");
    const size_t letters = Letters(term);
    if (term.size() != letters + (dots == std::string::npos ? 0 : 3) ||
        (dots != std::string::npos && term.find("...", dots + 3) != std::string::npos)) {
      return Bad("term '" + term + "' has characters other than letters and one '...'");
    }
    if (dots == std::string::npos ? letters != rank : letters > rank) {
      return Bad("term '" + term + "' does not match an operand of rank " + std::to_string(rank));
    }
    return dots == std::string::npos ? size_t{0} : rank - letters;
  }
  // One label per axis; the ellipsis axes right-aligned to '0' + ellipsis - 1.
  Expected<std::string> Labels(const std::string& term, size_t rank, size_t ellipsis) {
    EMBER_ASSIGN_OR_RETURN(size_t e, EllipsisRank(term, rank));
    std::string labels;
    for (size_t i = 0; i < term.size(); ++i) {
      if (term[i] != '.') {
        labels += term[i];
        continue;
      }
      for (size_t j = 0; j < e; ++j) labels += static_cast<char>('0' + (ellipsis - e) + j);
      i += 2;
    }
    return labels;
  }
  Status NoteSizes(const Operand& o) {
    const ir::Shape& shape = ctx_.graph.tensor(o.id).shape;
    for (size_t a = 0; a < o.labels.size(); ++a) {
      auto [it, fresh] = size_.emplace(o.labels[a], shape[a]);
      if (!fresh && it->second != shape[a]) {
        return UnsupportedAttr(ctx_, ref_,
                               "label '" + std::string(1, o.labels[a]) + "' of sizes " + std::to_string(it->second) +
                                   " and " + std::to_string(shape[a]) + " (a broadcast)",
                               "give every label one size");
      }
    }
    return Status::Ok();
  }
  ir::Shape Dims(const std::string& labels) const {
    ir::Shape s;
    for (char c : labels) s.push_back(size_.at(c));
    return s;
  }
  // x transposed from `from` to `to` (the same labels in another order).
  Expected<ir::TensorId> Permute(const Operand& x, const std::string& to, const std::string& name) {
    std::vector<int64_t> perm;
    for (char c : to) perm.push_back(static_cast<int64_t>(x.labels.find(c)));
    bool identity = true;
    for (size_t k = 0; k < perm.size(); ++k) identity = identity && perm[k] == static_cast<int64_t>(k);
    if (identity) return x.id;
    return AddNode(ctx_, ref_, ir::OpKind::kTranspose, {x.id}, {{"perm", perm}}, name);
  }
  Expected<ir::TensorId> Reshape(ir::TensorId x, const ir::Shape& shape) {
    if (ctx_.graph.tensor(x).shape == shape) return x;
    return AddNode(ctx_, ref_, ir::OpKind::kReshape, {x}, {{"shape", shape}}, Name("reshaped"));
  }
  // Each label repeated in o: its diagonal.
  Status Diagonals(Operand& o) {
    for (;;) {
      size_t p = 0, q = std::string::npos;
      for (p = 0; p < o.labels.size() && q == std::string::npos; ++p) q = o.labels.find(o.labels[p], p + 1);
      if (q == std::string::npos) return Status::Ok();
      --p;
      const char c = o.labels[p];
      std::string rest;
      std::vector<int64_t> perm;
      for (size_t a = 0; a < o.labels.size(); ++a) {
        if (a == p || a == q) continue;
        rest += o.labels[a];
        perm.push_back(static_cast<int64_t>(a));
      }
      perm.push_back(static_cast<int64_t>(p));
      perm.push_back(static_cast<int64_t>(q));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId t, AddNode(ctx_, ref_, ir::OpKind::kTranspose, {o.id}, {{"perm", perm}},
                                                     Name("diagonal_axes")));
      const int64_t n = size_.at(c);
      ir::Shape flat = Dims(rest);
      flat.push_back(n * n);
      EMBER_ASSIGN_OR_RETURN(t, Reshape(t, flat));
      ConstTensor idx;
      idx.elem_type = pb::TensorProto::INT32;
      idx.shape = {n};
      for (int64_t k = 0; k < n; ++k) idx.i.push_back(k * (n + 1));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId it, AddConst(ctx_, Name("diagonal_indices"), idx));
      EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx_, ref_, ir::OpKind::kGather, {t, it},
                                        {{"axis", static_cast<int64_t>(rest.size())}}, Name("diagonal")));
      o = {t, rest + c};
    }
  }
  Expected<Operand> Contract(const Operand& a, const Operand& b, const std::string& want) {
    std::string batch, contracted, kept_a, kept_b;
    for (char c : want) {
      if (a.labels.find(c) != std::string::npos && b.labels.find(c) != std::string::npos) batch += c;
    }
    for (char c : a.labels) {
      const bool in_b = b.labels.find(c) != std::string::npos, in_out = want.find(c) != std::string::npos;
      if (in_b && !in_out) contracted += c;
      if (!in_b) kept_a += c;
    }
    for (char c : b.labels)
      if (a.labels.find(c) == std::string::npos) kept_b += c;
    auto prod = [&](const std::string& labels) {
      int64_t n = 1;
      for (char c : labels) n *= size_.at(c);
      return n;
    };
    EMBER_ASSIGN_OR_RETURN(ir::TensorId ta, Permute(a, batch + kept_a + contracted, Name("lhs")));
    EMBER_ASSIGN_OR_RETURN(ta, Reshape(ta, {prod(batch), prod(kept_a), prod(contracted)}));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId tb, Permute(b, batch + contracted + kept_b, Name("rhs")));
    EMBER_ASSIGN_OR_RETURN(tb, Reshape(tb, {prod(batch), prod(contracted), prod(kept_b)}));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx_, ref_, Kind("batch_matmul"), {ta, tb}, {}, Name("product")));
    const std::string labels = batch + kept_a + kept_b;
    EMBER_ASSIGN_OR_RETURN(y, Reshape(y, Dims(labels)));
    return Operand{y, labels};
  }

  Context& ctx_;
  const NodeRef& ref_;
  const std::string out_;
  std::map<char, int64_t> size_;
  int count_ = 0;
};

// Mod: the IR's mod with ONNX's `fmod` (0: the divisor's sign, for
// integers; 1: C's truncated remainder, which ONNX requires for floats).
Status Mod(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, RuntimeInput(ctx, ref, 1));
  const int64_t fmod = AttrInt(ref, "fmod", 0);
  if (fmod != 0 && fmod != 1) return UnsupportedAttr(ctx, ref, "fmod " + std::to_string(fmod), "fmod is 0 or 1");
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("mod"), {a, b}, {{"fmod", fmod}}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// CumSum: the constant axis (int32 or int64, one value) and the
// `exclusive` and `reverse` attributes on the IR's cumsum.
Status CumSum(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(auto ac, ConstInput(ctx, ref, 1, "axis"));
  if (ac->is_float() || ac->size() != 1) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "axis has " + std::to_string(ac->size()) + " values",
                     "axis is one integer");
  }
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, ac->int_at(0), ctx.graph.tensor(x).shape.size()));
  const ir::Attrs attrs = {{"axis", axis},
                           {"exclusive", int64_t{AttrInt(ref, "exclusive", 0) != 0 ? 1 : 0}},
                           {"reverse", int64_t{AttrInt(ref, "reverse", 0) != 0 ? 1 : 0}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("cumsum"), {x}, attrs, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// Tile: each axis k repeated repeats[k] times (a constant), as data
// movement: reshape x [d0, d1, ...] to [1, d0, 1, d1, ...], broadcast_to
// [r0, d0, r1, d1, ...] and reshape to [r0·d0, r1·d1, ...], so that output
// index q·dk + i along axis k reads x's index i. Any dtype.
Status Tile(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  EMBER_ASSIGN_OR_RETURN(auto rc, ConstInput(ctx, ref, 1, "repeats"));
  if (rc->is_float() || rc->size() != static_cast<int64_t>(shape.size())) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "repeats has " + std::to_string(rc->size()) + " values for an input of rank " +
                         std::to_string(shape.size()),
                     "give one integer repeat count per input axis");
  }
  ir::Shape interleaved, broadcast, out;
  bool same = true;
  for (size_t k = 0; k < shape.size(); ++k) {
    const int64_t r = rc->int_at(static_cast<int64_t>(k));
    if (r < 1 || r > (int64_t{1} << 31) || shape[k] > (int64_t{1} << 31) / r) {
      return UnsupportedAttr(ctx, ref, "repeats " + std::to_string(r) + " on axis " + std::to_string(k),
                             "ember tiles each axis 1 to 2^31 times, up to 2^31 elements along it");
    }
    same = same && r == 1;
    interleaved.insert(interleaved.end(), {1, shape[k]});
    broadcast.insert(broadcast.end(), {r, shape[k]});
    out.push_back(r * shape[k]);
  }
  if (same) return Bind(ctx, ref, x);
  const std::string name = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, AddNode(ctx, ref, ir::OpKind::kReshape, {x}, {{"shape", interleaved}},
                                                 name + "_interleaved"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, AddNode(ctx, ref, Kind("broadcast_to"), {a}, {{"shape", broadcast}},
                                                 name + "_repeated"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kReshape, {b}, {{"shape", out}}, name));
  return Bind(ctx, ref, y);
}

// The constant positions first, first + 1, ..., first + n - 1 along `axis`
// of a rank-`rank` tensor, size 1 on every other axis.
ConstTensor AxisPositions(size_t rank, int64_t axis, int64_t n, int64_t first, int32_t elem_type) {
  ConstTensor c;
  c.elem_type = elem_type;
  c.shape = ir::Shape(rank, 1);
  c.shape[static_cast<size_t>(axis)] = n;
  for (int64_t k = 0; k < n; ++k) c.i.push_back(first + k);
  return c;
}

// Hardmax (opset 13): 1 where x holds the first largest value along `axis`
// (default -1), 0 elsewhere: select(equal(iota, arg_max(x)), 1, 0), iota
// the constant indices 0..size-1 along the axis (arg_max keeps the first of
// equal values, as ONNX's Hardmax). float32.
Status Hardmax(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32 || shape.empty()) {
    return UnsupportedAttr(ctx, ref, std::string("Hardmax of a ") + ir::DTypeName(ctx.graph.tensor(x).dtype) +
                                         ir::ShapeToString(shape) + " tensor",
                           "ember composes Hardmax in float32 over an input of rank 1 or more");
  }
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", -1), shape.size()));
  const std::string out = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId m, AddNode(ctx, ref, Kind("arg_max"), {x}, {{"axis", axis}, {"keep_dims", int64_t{1}}},
                                                 out + "_argmax", ir::DType::kInt32));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId ids, AddConst(ctx, ref.name + "_indices",
                                                    AxisPositions(shape.size(), axis, shape[static_cast<size_t>(axis)],
                                                                  0, pb::TensorProto::INT32)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId hit, AddNode(ctx, ref, Kind("equal"), {ids, m}, {}, out + "_is_max"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId one, AddConst(ctx, ref.name + "_one", FloatConst({}, {1.0})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, AddConst(ctx, ref.name + "_zero", FloatConst({}, {0.0})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("select"), {hit, one, zero}, {}, out));
  return Bind(ctx, ref, y);
}

// Det (opset 11) of float32 matrices [..., n, n], n at most 4, by
// Leibniz's formula: the n! products of one element from each row and
// column (a gather of constant indices, then reduce_prod), signed by their
// permutation's parity and summed (reduce_sum). No division, so a singular
// matrix gives 0 up to rounding, where an elimination would divide by 0.
constexpr int64_t kMaxDetOrder = 4;

Status Det(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  const size_t rank = shape.size();
  if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32 || rank < 2 || shape[rank - 1] != shape[rank - 2] ||
      shape[rank - 1] < 1 || shape[rank - 1] > kMaxDetOrder) {
    return UnsupportedAttr(ctx, ref, std::string("Det of a ") + ir::DTypeName(ctx.graph.tensor(x).dtype) +
                                         ir::ShapeToString(shape) + " tensor",
                           "ember computes Det of float32 square matrices up to " + std::to_string(kMaxDetOrder) +
                               "x" + std::to_string(kMaxDetOrder));
  }
  const int64_t n = shape[rank - 1];
  std::vector<int64_t> perm(static_cast<size_t>(n)), indices;
  for (int64_t k = 0; k < n; ++k) perm[static_cast<size_t>(k)] = k;
  std::vector<double> signs;
  do {
    int64_t inversions = 0;
    for (int64_t a = 0; a < n; ++a) {
      for (int64_t b = a + 1; b < n; ++b) inversions += perm[static_cast<size_t>(a)] > perm[static_cast<size_t>(b)];
      indices.push_back(a * n + perm[static_cast<size_t>(a)]);
    }
    signs.push_back(inversions % 2 == 0 ? 1.0 : -1.0);
  } while (std::next_permutation(perm.begin(), perm.end()));
  const auto terms = static_cast<int64_t>(signs.size());
  const std::string out = OutputName(ref, 0);
  ir::Shape flat(shape.begin(), shape.end() - 2);
  flat.push_back(n * n);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId f, AddNode(ctx, ref, ir::OpKind::kReshape, {x}, {{"shape", flat}}, out + "_flat"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId g, GatherConstIndices(ctx, ref, f, static_cast<int64_t>(rank) - 2, indices,
                                                            out + "_factors"));
  ir::Shape grouped(shape.begin(), shape.end() - 2);
  grouped.push_back(terms);
  grouped.push_back(n);
  EMBER_ASSIGN_OR_RETURN(g, AddNode(ctx, ref, ir::OpKind::kReshape, {g}, {{"shape", grouped}}, out + "_by_term"));
  const ir::Attrs last{{"axes", std::vector<int64_t>{static_cast<int64_t>(rank) - 1}}, {"keep_dims", int64_t{0}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId p, AddNode(ctx, ref, Kind("reduce_prod"), {g}, last, out + "_products"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId sc, AddConst(ctx, ref.name + "_signs", FloatConst({terms}, signs)));
  EMBER_ASSIGN_OR_RETURN(p, AddNode(ctx, ref, ir::OpKind::kMul, {p, sc}, {}, out + "_signed"));
  const ir::Attrs sum{{"axes", std::vector<int64_t>{static_cast<int64_t>(rank) - 2}}, {"keep_dims", int64_t{0}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("reduce_sum"), {p}, sum, out));
  return Bind(ctx, ref, y);
}

// OneHot (opset 11): indices (run time: int32 or int64, compared as they
// are; float32 ones truncated by a cast to int32, as ONNX casts them to
// integers), a constant depth and the
// constant [off, on] values; a new axis `axis` (default -1) of size depth
// holds `on` where its position is the index or the index + depth (a
// negative index counts from the end), `off` elsewhere, so an index outside
// [-depth, depth) gives all `off`, as ONNX defines:
//   select(or(equal(i, iota), equal(i, iota - depth)), on, off)
// with i reshaped to hold the new axis and iota the constant 0..depth-1
// along it. The output has the values' type (float32, int32 or int64).
Status OneHot(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId idx, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(auto dc, ConstInput(ctx, ref, 1, "depth"));
  EMBER_ASSIGN_OR_RETURN(auto vc, ConstInput(ctx, ref, 2, "values"));
  const ir::Shape ishape = ctx.graph.tensor(idx).shape;
  const ir::DType itype = ctx.graph.tensor(idx).dtype;
  const double dv = dc->size() == 1 ? dc->at(0) : 0.0;
  if (dc->size() != 1 || !(dv >= 1.0) || dv > 65536.0 || vc->size() != 2) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "depth has " + std::to_string(dc->size()) + " values (" + std::to_string(dv) + ") and values " +
                         std::to_string(vc->size()),
                     "OneHot takes one depth from 1 to 65536 and two values [off, on]");
  }
  const auto depth = static_cast<int64_t>(dv);
  const std::string out = OutputName(ref, 0);
  if (itype == ir::DType::kFloat32) {
    EMBER_ASSIGN_OR_RETURN(idx, AddNode(ctx, ref, Kind("cast"), {idx}, {}, out + "_indices", ir::DType::kInt32));
  } else if (itype != ir::DType::kInt32 && itype != ir::DType::kInt64) {
    return UnsupportedAttr(ctx, ref, std::string("OneHot of ") + ir::DTypeName(itype) + " indices",
                           "ember takes float32, int32 or int64 indices");
  }
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", -1), ishape.size() + 1));
  ir::Shape expanded = ishape;
  expanded.insert(expanded.begin() + axis, 1);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId ie, AddNode(ctx, ref, ir::OpKind::kReshape, {idx}, {{"shape", expanded}},
                                                  out + "_indices_expanded"));
  const int32_t etype = itype == ir::DType::kInt64 ? pb::TensorProto::INT64 : pb::TensorProto::INT32;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId pos, AddConst(ctx, ref.name + "_positions",
                                                    AxisPositions(expanded.size(), axis, depth, 0, etype)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId neg, AddConst(ctx, ref.name + "_positions_from_end",
                                                    AxisPositions(expanded.size(), axis, depth, -depth, etype)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId hit, AddNode(ctx, ref, Kind("equal"), {ie, pos}, {}, out + "_hit"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId hit_neg, AddNode(ctx, ref, Kind("equal"), {ie, neg}, {}, out + "_hit_from_end"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId any, AddNode(ctx, ref, Kind("logical_or"), {hit, hit_neg}, {}, out + "_on"));
  ConstTensor off, on;
  off.elem_type = on.elem_type = vc->is_float() ? static_cast<int32_t>(pb::TensorProto::FLOAT) : vc->elem_type;
  if (vc->is_float()) {
    off.f = {vc->f[0]};
    on.f = {vc->f[1]};
  } else {
    off.i = {vc->i[0]};
    on.i = {vc->i[1]};
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId off_t, AddConst(ctx, ref.name + "_off", off));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId on_t, AddConst(ctx, ref.name + "_on", on));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("select"), {any, on_t, off_t}, {}, out));
  return Bind(ctx, ref, y);
}

// Trilu (opset 14): keeps the upper (upper = 1: column − row ≥ k) or lower
// (column − row ≤ k) triangle of each matrix in the last two axes and
// zeroes the rest, as select(mask, x, 0) with the mask a constant bool
// matrix of the last two axes and k (default 0) a constant int64. Copies
// stored values, so it is exact for every dtype select takes (float32,
// int32, int64, bool).
Status Trilu(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  const ir::DType type = ctx.graph.tensor(x).dtype;
  if (shape.size() < 2 || ir::NumElements(shape) == 0) {
    return UnsupportedAttr(ctx, ref, "an input of shape " + ir::ShapeToString(shape),
                           "Trilu takes a non-empty input of rank 2 or more");
  }
  ConstTensor zero;
  zero.i = {0};
  switch (type) {
    case ir::DType::kFloat32: zero = FloatConst({}, {0.0}); break;
    case ir::DType::kInt32: zero.elem_type = pb::TensorProto::INT32; break;
    case ir::DType::kInt64: zero.elem_type = pb::TensorProto::INT64; break;
    case ir::DType::kBool: zero.elem_type = pb::TensorProto::BOOL; break;
    default:
      return UnsupportedAttr(ctx, ref, std::string("Trilu of a ") + ir::DTypeName(type) + " tensor",
                             "ember imports Trilu of float32, int32, int64 and bool tensors");
  }
  int64_t k = 0;
  if (HasInput(ref, 1)) {
    EMBER_ASSIGN_OR_RETURN(auto kc, ConstInput(ctx, ref, 1, "k"));
    if (kc->is_float() || kc->size() != 1) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "k has " + std::to_string(kc->size()) + " values",
                       "k is one int64 value");
    }
    k = kc->int_at(0);
  }
  const bool upper = AttrInt(ref, "upper", 1) != 0;
  const int64_t rows = shape[shape.size() - 2], cols = shape.back();
  ConstTensor mask;
  mask.elem_type = pb::TensorProto::BOOL;
  mask.shape = {rows, cols};
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t c = 0; c < cols; ++c) {
      const int64_t d = c - r;  // dimension-sized, so no overflow; k may be any int64
      mask.i.push_back((upper ? d >= k : d <= k) ? 1 : 0);
    }
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId m, AddConst(ctx, ref.name + "_kept", mask));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId z, AddConst(ctx, ref.name + "_zero", zero));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind("select"), {m, x, z}, {}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

// The normalization LayerNormalization and InstanceNormalization share, in
// float32 as their ONNX function bodies compute it: over `axes` (kept as
// size 1), mean = mean(x), d = x - mean, var = mean(d · d),
// inv = 1 / sqrt(var + epsilon), normalized = d · inv.
struct Normalized {
  ir::TensorId mean = ir::kNoTensor, var = ir::kNoTensor, inv = ir::kNoTensor, normalized = ir::kNoTensor;
};

Expected<Normalized> Normalize(Context& ctx, const NodeRef& ref, ir::TensorId x, const std::vector<int64_t>& axes,
                               const std::string& out) {
  const ir::Attrs attrs{{"axes", axes}, {"keep_dims", int64_t{1}}};
  Normalized r;
  EMBER_ASSIGN_OR_RETURN(r.mean, AddNode(ctx, ref, ir::OpKind::kMean, {x}, attrs, out + "_mean"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId d, AddNode(ctx, ref, Kind("sub"), {x, r.mean}, {}, out + "_centered"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId dd, AddNode(ctx, ref, ir::OpKind::kMul, {d, d}, {}, out + "_squared"));
  EMBER_ASSIGN_OR_RETURN(r.var, AddNode(ctx, ref, ir::OpKind::kMean, {dd}, attrs, out + "_variance"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId eps, AddConst(ctx, ref.name + "_epsilon",
                                                    FloatConst({}, {AttrFloat(ref, "epsilon", 1e-5f)})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId ve, AddNode(ctx, ref, ir::OpKind::kAdd, {r.var, eps}, {}, out + "_variance_eps"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId sd, AddNode(ctx, ref, Kind("sqrt"), {ve}, {}, out + "_stddev"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId one, AddConst(ctx, ref.name + "_one", FloatConst({}, {1.0})));
  EMBER_ASSIGN_OR_RETURN(r.inv, AddNode(ctx, ref, Kind("div"), {one, sd}, {}, out + "_inv_stddev"));
  EMBER_ASSIGN_OR_RETURN(r.normalized, AddNode(ctx, ref, ir::OpKind::kMul, {d, r.inv}, {}, out + "_normalized"));
  return r;
}

// LayerNormalization (opset 17): Normalize over the axes [axis, rank)
// (stash_type 1), y = normalized · scale (+ B); the optional outputs Mean
// and InvStdDev are mean and inv.
Status LayerNorm(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& in = ctx.graph.tensor(x);
  if (in.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, "LayerNormalization of a " + std::string(ir::DTypeName(in.dtype)) + " tensor",
                           "ember composes LayerNormalization in float32; dequantize its input");
  }
  if (AttrInt(ref, "stash_type", 1) != 1) {
    return UnsupportedAttr(ctx, ref, "stash_type " + std::to_string(AttrInt(ref, "stash_type", 1)),
                           "ember computes LayerNormalization in float32 (stash_type 1)");
  }
  const size_t rank = in.shape.size();
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", -1), rank));
  std::vector<int64_t> axes;
  for (auto a = static_cast<size_t>(axis); a < rank; ++a) axes.push_back(static_cast<int64_t>(a));
  const std::string out = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId scale, RuntimeInput(ctx, ref, 1));
  EMBER_ASSIGN_OR_RETURN(const Normalized n, Normalize(ctx, ref, x, axes, out));
  const bool bias = HasInput(ref, 2);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kMul, {n.normalized, scale}, {},
                                                 bias ? out + "_scaled" : out));
  if (bias) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId b, RuntimeInput(ctx, ref, 2));
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kAdd, {y, b}, {}, out));
  }
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  if (ref.node->output_size() > 1 && !ref.node->output(1).empty()) BindOutput(ctx, ref, 1, Value{nullptr, n.mean});
  if (ref.node->output_size() > 2 && !ref.node->output(2).empty()) BindOutput(ctx, ref, 2, Value{nullptr, n.inv});
  return Status::Ok();
}

// The per-channel normalization of InstanceNormalization and
// BatchNormalization's training mode: x [N, C, ...] normalized over `axes`,
// then y = normalized · scale + B, bound to output 0; inputs 1 to `count`
// (scale, B, and for BatchNormalization input_mean, input_var) are
// constants of C values, returned in `params`; scale and B become
// [C, 1, ..., 1] so that they broadcast along the channel axis.
Expected<Normalized> ChannelNorm(Context& ctx, const NodeRef& ref, ir::TensorId x, const std::vector<int64_t>& axes,
                                 size_t count, std::vector<std::shared_ptr<const ConstTensor>>* params) {
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  const int64_t channels = shape[1];
  ir::Shape per_channel(shape.size() - 1, 1);
  per_channel[0] = channels;
  static const char* const kNames[4] = {"scale", "B", "input_mean", "input_var"};
  ir::TensorId affine[2] = {ir::kNoTensor, ir::kNoTensor};
  for (size_t k = 0; k < count && k < 4; ++k) {
    EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, k + 1, kNames[k]));
    if (c->size() != channels) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       std::string(kNames[k]) + " has " + std::to_string(c->size()) + " values for " +
                           std::to_string(channels) + " channels");
    }
    params->push_back(c);
    if (k < 2) {
      ConstTensor r = *c;
      r.shape = per_channel;
      EMBER_ASSIGN_OR_RETURN(affine[k], AddConst(ctx, ref.name + "_" + kNames[k], r));
    }
  }
  const std::string out = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(const Normalized n, Normalize(ctx, ref, x, axes, out));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId s, AddNode(ctx, ref, ir::OpKind::kMul, {n.normalized, affine[0]}, {}, out + "_scaled"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kAdd, {s, affine[1]}, {}, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return n;
}

// InstanceNormalization: Normalize each (batch, channel) over the spatial
// axes [2, rank), then y = normalized · scale[c] + B[c]; the per-channel
// scale and B (constants of shape [C]) become [C, 1, ..., 1] so they
// broadcast along the channel axis of the NCHW tensor.
Status InstanceNorm(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& in = ctx.graph.tensor(x);
  const size_t rank = in.shape.size();
  if (in.dtype != ir::DType::kFloat32 || rank < 3) {
    return UnsupportedAttr(ctx, ref, "InstanceNormalization of a " + std::string(ir::DTypeName(in.dtype)) + " tensor of shape " +
                                         ir::ShapeToString(in.shape),
                           "ember composes InstanceNormalization in float32 over [N, C, spatial...] tensors; "
                           "dequantize its input");
  }
  std::vector<int64_t> axes;
  for (size_t a = 2; a < rank; ++a) axes.push_back(static_cast<int64_t>(a));
  std::vector<std::shared_ptr<const ConstTensor>> params;
  return ChannelNorm(ctx, ref, x, axes, 2, &params).status();
}

// ArgMax/ArgMin: `axis`, `keepdims`, `select_last_index` (ties: the first
// or the last index); the int64 index of ONNX.
Status ArgMinMax(Context& ctx, const NodeRef& ref, const char* op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), ctx.graph.tensor(x).shape.size()));
  const int64_t keep = AttrInt(ref, "keepdims", 1) != 0 ? 1 : 0;
  ir::Attrs attrs{{"axis", axis}, {"keep_dims", keep}};
  if (AttrInt(ref, "select_last_index", 0) != 0) attrs["select_last_index"] = int64_t{1};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, Kind(op), {x}, attrs, OutputName(ref, 0), ir::DType::kInt64));
  return Bind(ctx, ref, y);
}

// The Reduce functions over reduce_sum, in the
// elementwise operators ONNX defines them with, on float32.
Status Reduce(Context& ctx, const NodeRef& ref) {
  const std::string& op = ref.node->op_type();
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& in = ctx.graph.tensor(x);
  if (op != "ReduceSum" && in.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, op + " of a " + ir::DTypeName(in.dtype) + " tensor",
                           "ember composes " + op + " of elementwise operators and a sum in float32; dequantize its input");
  }
  EMBER_ASSIGN_OR_RETURN(ReduceAxes r, GetReduceAxes(ctx, ref, in.shape.size()));
  const std::string out = OutputName(ref, 0);
  auto unary = [&](const char* ir_op, ir::TensorId v, const std::string& name) {
    return AddNode(ctx, ref, Kind(ir_op), {v}, {}, name);
  };
  const bool noop = r.noop;  // ONNX still applies the elementwise part
  const ir::Attrs attrs{{"axes", r.axes}, {"keep_dims", r.keep}};
  // Before the sum: x (Sum, LogSum), x·x (SumSquare, L2), |x| (L1), exp(x) (LogSumExp).
  ir::TensorId v = x;
  const bool after = op == "ReduceL2" || op == "ReduceLogSum" || op == "ReduceLogSumExp";
  const std::string pre_name = noop && !after ? out : out + "_pre";
  if (op == "ReduceSumSquare" || op == "ReduceL2") {
    EMBER_ASSIGN_OR_RETURN(v, AddNode(ctx, ref, ir::OpKind::kMul, {x, x}, {}, pre_name));
  } else if (op == "ReduceL1") {
    EMBER_ASSIGN_OR_RETURN(v, unary("abs", x, pre_name));
  } else if (op == "ReduceLogSumExp") {
    EMBER_ASSIGN_OR_RETURN(v, unary("exp", x, pre_name));
  }
  if (!noop) {
    EMBER_ASSIGN_OR_RETURN(v, AddNode(ctx, ref, Kind("reduce_sum"), {v}, attrs, after ? out + "_sum" : out));
  }
  if (op == "ReduceL2") {
    EMBER_ASSIGN_OR_RETURN(v, unary("sqrt", v, out));
  } else if (op == "ReduceLogSum" || op == "ReduceLogSumExp") {
    EMBER_ASSIGN_OR_RETURN(v, unary("log", v, out));
  }
  return Bind(ctx, ref, v);
}

}  // namespace

Expected<ReduceAxes> GetReduceAxes(Context& ctx, const NodeRef& ref, size_t rank) {
  ReduceAxes r;
  std::vector<int64_t> raw = AttrInts(ref, "axes");
  if (raw.empty() && HasInput(ref, 1)) {
    EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, 1, "axes"));
    for (int64_t k = 0; k < c->size(); ++k) raw.push_back(c->int_at(k));
  }
  for (int64_t a : raw) {
    EMBER_ASSIGN_OR_RETURN(int64_t n, NormAxis(ctx, ref, a, rank));
    r.axes.push_back(n);
  }
  std::sort(r.axes.begin(), r.axes.end());
  r.axes.erase(std::unique(r.axes.begin(), r.axes.end()), r.axes.end());
  if (r.axes.empty()) {
    r.noop = AttrInt(ref, "noop_with_empty_axes", 0) != 0;
    for (size_t a = 0; a < rank && !r.noop; ++a) r.axes.push_back(static_cast<int64_t>(a));
  }
  r.keep = AttrInt(ref, "keepdims", 1) != 0 ? 1 : 0;
  return r;
}

bool IsMathOp(const std::string& op) {
  for (const MathOp& m : kMathOps) {
    if (op != m.onnx) continue;
    for (const char* ir : m.ir) {
      if (ir && !IrOp(ir)) return false;
    }
    return true;
  }
  return false;
}

Status ConvertMathNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  *handled = IsMathOp(op);
  if (!*handled) return Status::Ok();
  if (op == "ArgMax") return ArgMinMax(ctx, ref, "arg_max");
  if (op == "ArgMin") return ArgMinMax(ctx, ref, "arg_min");
  if (op.rfind("Reduce", 0) == 0) return Reduce(ctx, ref);
  if (op == "Max") return Variadic(ctx, ref, Kind("maximum"), false);
  if (op == "Min") return Variadic(ctx, ref, Kind("minimum"), false);
  if (op == "Sum") return Variadic(ctx, ref, ir::OpKind::kAdd, false);
  if (op == "Mean") return Variadic(ctx, ref, ir::OpKind::kAdd, true);
  if (op == "Reciprocal") return Reciprocal(ctx, ref);
  if (op == "Elu") return Elu(ctx, ref);
  if (op == "Pow") return Pow(ctx, ref);
  if (op == "Mod") return Mod(ctx, ref);
  if (op == "CumSum") return CumSum(ctx, ref);
  if (op == "Expand") return Expand(ctx, ref);
  if (op == "LogSoftmax") return LogSoftmax(ctx, ref);
  if (op == "Selu" || op == "Celu" || op == "ThresholdedRelu" || op == "Softplus" || op == "Softsign" ||
      op == "Shrink") {
    return FormulaActivation(ctx, ref);
  }
  if (op == "Tan" || op == "Sinh" || op == "Cosh" || op == "Asinh" || op == "Acosh" || op == "Atanh" ||
      op == "Asin" || op == "Acos") {
    return Trigonometric(ctx, ref);
  }
  if (op == "Trilu") return Trilu(ctx, ref);
  if (op == "IsNaN" || op == "IsInf") return FloatClass(ctx, ref);
  if (op == "LRN") return Lrn(ctx, ref);
  if (op == "Einsum") return EinsumLowering(ctx, ref).Run();
  if (op == "Tile") return Tile(ctx, ref);
  if (op == "Hardmax") return Hardmax(ctx, ref);
  if (op == "Det") return Det(ctx, ref);
  if (op == "OneHot") return OneHot(ctx, ref);
  if (op == "LayerNormalization") return LayerNorm(ctx, ref);
  if (op == "InstanceNormalization") return InstanceNorm(ctx, ref);
  if (op == "Neg" || op == "Abs") {  // of a constant (shape arithmetic): folded
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
    if (v.c && v.id == ir::kNoTensor) {
      ConstTensor c = *v.c;
      for (double& f : c.f) f = op == "Neg" ? -f : std::fabs(f);
      for (int64_t& i : c.i) i = op == "Neg" ? -i : std::llabs(i);
      BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
      return Status::Ok();
    }
  }
  for (const MathOp& m : kMathOps) {
    if (op == m.onnx) return Direct(ctx, ref, m.ir[0]);  // comparisons, Where, logical, unary
  }
  return Status::Ok();
}

Status ConvertBatchMatMul(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, RuntimeInput(ctx, ref, 1));
  const ir::Shape sa = ctx.graph.tensor(a).shape, sb = ctx.graph.tensor(b).shape;
  const auto kind = IrOp("batch_matmul");
  if (!kind || sa.size() < 2 || sb.size() < 2 || sa.size() > 5 || sb.size() > 5) {
    return UnsupportedAttr(ctx, ref, "MatMul of operands of shapes " + ir::ShapeToString(sa) + " and " +
                                         ir::ShapeToString(sb),
                           "ember imports MatMul of operands of rank 1 to 5 (a constant 2-D B as a dense layer); "
                           "fold the extra leading axes in the source model");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, *kind, {a, b}, {}, OutputName(ref, 0)));
  return Bind(ctx, ref, y);
}

Status BatchNormTraining(Context& ctx, const NodeRef& ref) {
  // Over every axis but the channel's: mean and population variance (as
  // ONNX's reference), Y = (x - mean) / sqrt(var + epsilon) · scale + B;
  // running_mean = input_mean · momentum + mean · (1 - momentum), likewise
  // running_var.
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& in = ctx.graph.tensor(x);
  const size_t rank = in.shape.size();
  if (in.dtype != ir::DType::kFloat32 || rank < 2) {
    return UnsupportedAttr(ctx, ref, "training mode on a " + std::string(ir::DTypeName(in.dtype)) + " tensor of shape " +
                                         ir::ShapeToString(in.shape),
                           "ember computes BatchNormalization's batch statistics in float32 over [N, C, ...] "
                           "tensors; export the model in eval() mode");
  }
  const int64_t channels = in.shape[1];
  std::vector<int64_t> axes = {0};
  for (size_t a = 2; a < rank; ++a) axes.push_back(static_cast<int64_t>(a));
  std::vector<std::shared_ptr<const ConstTensor>> p;
  EMBER_ASSIGN_OR_RETURN(const Normalized n, ChannelNorm(ctx, ref, x, axes, 4, &p));
  const float momentum = AttrFloat(ref, "momentum", 0.9f);
  for (size_t k = 1; k <= 2; ++k) {
    if (ref.node->output_size() <= static_cast<int>(k) || OutputName(ref, k).empty()) continue;
    const std::string name = OutputName(ref, k);
    // The batch statistic as [C], scaled by 1 - momentum, plus the input's scaled by momentum.
    EMBER_ASSIGN_OR_RETURN(ir::TensorId stat, AddNode(ctx, ref, ir::OpKind::kReshape, {k == 1 ? n.mean : n.var},
                                                      {{"shape", ir::Shape{channels}}}, name + "_batch"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId keep, AddConst(ctx, name + "_update_weight",
                                                       FloatConst({}, {1.0f - momentum})));
    std::vector<double> prior(static_cast<size_t>(channels));
    for (int64_t c = 0; c < channels; ++c) {
      prior[static_cast<size_t>(c)] = static_cast<float>(p[k + 1]->at(c)) * momentum;
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId old, AddConst(ctx, name + "_prior", FloatConst({channels}, prior)));
    EMBER_ASSIGN_OR_RETURN(stat, AddNode(ctx, ref, ir::OpKind::kMul, {stat, keep}, {}, name + "_weighted"));
    EMBER_ASSIGN_OR_RETURN(stat, AddNode(ctx, ref, ir::OpKind::kAdd, {old, stat}, {}, name));
    BindOutput(ctx, ref, k, Value{nullptr, stat});
  }
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
