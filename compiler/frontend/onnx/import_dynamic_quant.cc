// DynamicQuantizeLinear (opset 11): the activation side of ONNX Runtime's
// dynamic quantization (quantize_dynamic), whose models read its results
// with MatMulInteger / ConvInteger. Per run, over the whole tensor x:
//   lo = min(0, min(x)), hi = max(0, max(x))
//   y_scale = hi == lo ? 1 : (hi - lo) / 255     (ONNX Runtime's kernel; the
//             ONNX reference takes 1/255 there, where x is all zeros)
//   y_zero_point = round(clamp(0 - lo / y_scale, 0, 255))
//   y = clamp(round(x / y_scale) + y_zero_point, 0, 255)
// rounding half to even. Computed in float32 (division, not a reciprocal, as
// ONNX Runtime's QuantizeLinear): y and y_zero_point are uint8 values held
// in float32 tensors (ctx.u8_in_float), exact. MatMulInteger / ConvInteger
// read them as x - x_zero_point (import_qop.cc); a graph output gets them
// through a `cast` to uint8; any other reader is refused (E1007).
// Below it, QuantizeLinear and DequantizeLinear whose scale or zero point is
// computed at run time (the operator's function body written out), by the
// same float32 arithmetic.
#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {

Status ConvertDynamicQuantizeLinear(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor& xt = ctx.graph.tensor(x);
  if (xt.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("DynamicQuantizeLinear of a ") + ir::DTypeName(xt.dtype) + " tensor",
                           "its input is float32 in ONNX");
  }
  std::vector<int64_t> axes;
  for (size_t a = 0; a < xt.shape.size(); ++a) axes.push_back(static_cast<int64_t>(a));
  const std::string base = OutputName(ref, 0);
  auto scalar = [&](const std::string& name, double v) { return AddConst(ctx, base + "_" + name, FloatConst({}, {v})); };
  auto node = [&](ir::OpKind op, std::vector<ir::TensorId> in, const std::string& name, ir::Attrs attrs = {},
                  std::optional<ir::DType> dtype = std::nullopt) {
    return AddNode(ctx, ref, op, std::move(in), std::move(attrs), name, dtype);
  };
  // The IR tensors of the three results take the ONNX outputs' names.
  auto result = [&](size_t k, const char* fallback) {
    const std::string o = OutputName(ref, k);
    return o.empty() ? base + "_" + fallback : o;
  };
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zero, scalar("zero", 0.0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId one, scalar("one", 1.0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId qmax, scalar("qmax", 255.0));
  const ir::Attrs all{{"axes", axes}, {"keep_dims", int64_t{0}}};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId mn, node(ir::OpKind::kReduceMin, {x}, base + "_min", all));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId mx, node(ir::OpKind::kReduceMax, {x}, base + "_max", all));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId lo, node(ir::OpKind::kMinimum, {mn, zero}, base + "_lo"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId hi, node(ir::OpKind::kMaximum, {mx, zero}, base + "_hi"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId range, node(ir::OpKind::kSub, {hi, lo}, base + "_range"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId flat, node(ir::OpKind::kEqual, {range, zero}, base + "_flat", {}, ir::DType::kBool));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId step, node(ir::OpKind::kDiv, {range, qmax}, base + "_step"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId scale, node(ir::OpKind::kSelect, {flat, one, step}, result(1, "scale"), {}, ir::DType::kFloat32));
  // The zero point: round(clamp(0 - lo / scale, 0, 255)).
  EMBER_ASSIGN_OR_RETURN(ir::TensorId lo_steps, node(ir::OpKind::kDiv, {lo, scale}, base + "_lo_steps"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zp_raw, node(ir::OpKind::kSub, {zero, lo_steps}, base + "_zp_raw"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zp_low, node(ir::OpKind::kMaximum, {zp_raw, zero}, base + "_zp_low"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zp_clamped, node(ir::OpKind::kMinimum, {zp_low, qmax}, base + "_zp_clamped"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId zp, node(ir::OpKind::kRound, {zp_clamped}, result(2, "zero_point")));
  // y = clamp(round(x / scale) + zp, 0, 255).
  EMBER_ASSIGN_OR_RETURN(ir::TensorId steps, node(ir::OpKind::kDiv, {x, scale}, base + "_steps"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId rounded, node(ir::OpKind::kRound, {steps}, base + "_rounded"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId shifted, node(ir::OpKind::kAdd, {rounded, zp}, base + "_shifted"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId low, node(ir::OpKind::kMaximum, {shifted, zero}, base + "_low"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, node(ir::OpKind::kMinimum, {low, qmax}, result(0, "y")));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  BindOutput(ctx, ref, 1, Value{nullptr, scale});
  BindOutput(ctx, ref, 2, Value{nullptr, zp});
  for (size_t k : {size_t{0}, size_t{2}}) {
    if (const std::string o = OutputName(ref, k); !o.empty()) ctx.u8_in_float.insert(o);
  }
  return Status::Ok();
}

namespace {

// Input `pos` (scale or zero point) as a float32 IR tensor shaped to
// broadcast against x of rank `rank` along `axis` (a 1-D per-axis tensor
// becomes [C, 1, ...]; a scalar or one-element tensor stays as it is):
// a constant as float32 values, a run-time one through a `cast` when it is
// not float32 (a uint8 or int8 zero point).
Expected<ir::TensorId> QuantOperand(Context& ctx, const NodeRef& ref, size_t pos, size_t rank, int64_t axis,
                                    const std::string& name) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
  const ir::Shape shape = ShapeOf(ctx, v);
  ir::TensorId t = ir::kNoTensor;
  if (v.c && v.id == ir::kNoTensor) {
    std::vector<double> f;
    for (int64_t k = 0; k < v.c->size(); ++k) f.push_back(v.c->at(k));
    EMBER_ASSIGN_OR_RETURN(t, AddConst(ctx, name, FloatConst(shape, std::move(f))));
  } else {
    EMBER_ASSIGN_OR_RETURN(t, RuntimeInput(ctx, ref, pos));
    if (ctx.graph.tensor(t).dtype != ir::DType::kFloat32) {
      EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, ir::OpKind::kCast, {t}, {}, name, ir::DType::kFloat32));
    }
  }
  if (ir::NumElements(shape) == 1 || shape.size() != 1) return t;
  ir::Shape b(rank - static_cast<size_t>(axis), 1);
  b[0] = shape[0];
  return AddNode(ctx, ref, ir::OpKind::kReshape, {t}, {{"shape", b}}, name + "_per_axis");
}

Expected<int64_t> QuantAxis(Context& ctx, const NodeRef& ref, size_t rank) {
  EMBER_ASSIGN_OR_RETURN(Value s, Input(ctx, ref, 1));
  const ir::Shape ss = ShapeOf(ctx, s);
  if (ss.size() > 1) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a scale of shape " + ir::ShapeToString(ss),
                     "the scale is a scalar or a 1-D tensor along `axis`");
  }
  if (ss.size() == 1 && ss[0] != 1) return NormAxis(ctx, ref, AttrInt(ref, "axis", 1), rank);
  return int64_t{0};
}

}  // namespace

// QuantizeLinear whose scale or zero point is computed at run time (the
// function body of DynamicQuantizeLinear), or per-axis on a run-time
// tensor, as ONNX defines it, in float32:
//   y = cast(clamp(round(x / scale) + zero_point, lo, hi))
// rounding half to even, [lo, hi] the zero point's type's range (uint8
// without one). The clamped value is an integer in range, so the `cast` to
// uint8 / int8 is exact. y is a plain 8-bit tensor (no quantization), as a
// Cast's result is: a graph output, 8-bit arithmetic, a Cast or a
// DequantizeLinear computed alike read it.
Status ConvertComputedQuantize(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor xt = ctx.graph.tensor(x);
  if (xt.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("QuantizeLinear of a ") + ir::DTypeName(xt.dtype) + " tensor",
                           "ember quantizes float32 at run time");
  }
  ir::DType out = ir::DType::kUInt8;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(Value z, Input(ctx, ref, 2));
    const std::optional<ir::DType> zt =
        z.c && z.id == ir::kNoTensor ? ToDType(z.c->elem_type) : std::optional(ctx.graph.tensor(z.id).dtype);
    if (!zt || (*zt != ir::DType::kUInt8 && *zt != ir::DType::kInt8)) {
      return UnsupportedAttr(ctx, ref, "a zero point that is not uint8 or int8");
    }
    if (z.id != ir::kNoTensor && ctx.graph.tensor(z.id).quant) {
      return UnsupportedAttr(ctx, ref, "a zero point read from a quantized tensor");
    }
    out = *zt;
  }
  const size_t rank = xt.shape.size();
  EMBER_ASSIGN_OR_RETURN(const int64_t axis, QuantAxis(ctx, ref, rank));
  const std::string base = OutputName(ref, 0);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId scale, QuantOperand(ctx, ref, 1, rank, axis, base + "_scale"));
  auto node = [&](ir::OpKind op, std::vector<ir::TensorId> in, const std::string& name) {
    return AddNode(ctx, ref, op, std::move(in), {}, name);
  };
  EMBER_ASSIGN_OR_RETURN(ir::TensorId steps, node(ir::OpKind::kDiv, {x, scale}, base + "_steps"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId q, node(ir::OpKind::kRound, {steps}, base + "_rounded"));
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId zp, QuantOperand(ctx, ref, 2, rank, axis, base + "_zero_point"));
    EMBER_ASSIGN_OR_RETURN(q, node(ir::OpKind::kAdd, {q, zp}, base + "_shifted"));
  }
  const bool u8 = out == ir::DType::kUInt8;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId lo, AddConst(ctx, base + "_lo", FloatConst({}, {u8 ? 0.0 : -128.0})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId hi, AddConst(ctx, base + "_hi", FloatConst({}, {u8 ? 255.0 : 127.0})));
  EMBER_ASSIGN_OR_RETURN(q, node(ir::OpKind::kMaximum, {q, lo}, base + "_low"));
  EMBER_ASSIGN_OR_RETURN(q, node(ir::OpKind::kMinimum, {q, hi}, base + "_clamped"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kCast, {q}, {}, base, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

// DequantizeLinear whose scale or zero point is computed at run time, or
// whose input is a plain 8-bit tensor computed at run time (a computed
// QuantizeLinear's or a Cast's result, or DynamicQuantizeLinear's, held in
// float32), as ONNX defines it, in float32:
//   y = (float(x) - float(zero_point)) * scale
// (exact up to the multiplication, as ONNX Runtime computes it).
Status ConvertComputedDequantize(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Tensor xt = ctx.graph.tensor(x);
  // DynamicQuantizeLinear's uint8 values are held in float32 already.
  const bool in_float = ctx.u8_in_float.count(ref.node->input(0)) > 0;
  if (xt.quant || ctx.u8_as_i8.count(x) ||
      (!in_float && xt.dtype != ir::DType::kUInt8 && xt.dtype != ir::DType::kInt8 && xt.dtype != ir::DType::kInt16 &&
       xt.dtype != ir::DType::kInt32)) {
    return UnsupportedAttr(ctx, ref, std::string("a run-time scale or zero point for a ") +
                                         (xt.quant ? "quantized " : "") + ir::DTypeName(xt.dtype) + " tensor",
                           "ember dequantizes plain uint8, int8, int16 and int32 tensors with run-time parameters");
  }
  const size_t rank = xt.shape.size();
  EMBER_ASSIGN_OR_RETURN(const int64_t axis, QuantAxis(ctx, ref, rank));
  const std::string base = OutputName(ref, 0);
  ir::TensorId v = x;
  if (!in_float) {
    EMBER_ASSIGN_OR_RETURN(v, AddNode(ctx, ref, ir::OpKind::kCast, {x}, {}, base + "_values", ir::DType::kFloat32));
  }
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId zp, QuantOperand(ctx, ref, 2, rank, axis, base + "_zero_point"));
    EMBER_ASSIGN_OR_RETURN(v, AddNode(ctx, ref, ir::OpKind::kSub, {v, zp}, {}, base + "_centered"));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId scale, QuantOperand(ctx, ref, 1, rank, axis, base + "_scale"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kMul, {v, scale}, {}, base));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
