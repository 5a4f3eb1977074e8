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

}  // namespace ember::frontend::onnx::detail
