// prelu: C kernel for x >= 0 ? x : alpha * x with numpy broadcasting of the
// alpha operand (docs/numerics.md, "prelu").
//
// The broadcast becomes a loop nest with literal bounds and strides. int8:
// v = x - z_in; o = z_out + (v >= 0 ? Mbqm(v, M1, e1) : Mbqm(v * (a - z_a),
// M2, e2)), clamped to [-128, 127], with the multipliers computed here as the
// reference does and emitted as literals. float32: x >= 0 ? x : x * alpha.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::Tensor& al = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {x.shape, al.shape}));
  const std::string xs = OperandName(ctx, 0);
  const std::string as = OperandName(ctx, 1);
  std::vector<std::string> details;
  LoopBody body;
  if (x.dtype == ir::DType::kFloat32) {
    body = [&](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const float v = " + xs + "[" + i[1] + "];\n" + Spaces(in) + "out0[" +
             i[0] + "] = v >= 0.0f ? v : v * " + as + "[" + i[2] + "];\n";
    };
  } else {
    const TensorQuant qi = QuantOf(g, n.inputs[0]);
    const TensorQuant qa = QuantOf(g, n.inputs[1]);
    const TensorQuant qo = QuantOf(g, n.outputs[0]);
    const ops::QuantizedMultiplier m1 = ops::QuantizeMultiplier(
        static_cast<double>(qi.scale) / static_cast<double>(qo.scale));
    const ops::QuantizedMultiplier m2 = ops::QuantizeMultiplier(
        static_cast<double>(qi.scale) * static_cast<double>(qa.scale) / static_cast<double>(qo.scale));
    details.push_back("identity multiplier " + std::to_string(m1.multiplier) + " shift " +
                      std::to_string(m1.shift) + ", alpha multiplier " +
                      std::to_string(m2.multiplier) + " shift " + std::to_string(m2.shift));
    // |v| <= 255 and |a - z_a| <= 255: the product fits in int32.
    body = [&, qi, qa, qo, m1, m2](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const int32_t v = (int32_t)" + xs + "[" + i[1] + "]" +
             MinusZ(qi.zero_point) + ";\n" + Spaces(in) +
             "const int32_t o = ember_wrap_add(" + CInt(qo.zero_point) + ", v >= 0 ? ember_mbqm(v, " +
             CInt(m1.multiplier) + ", " + std::to_string(m1.shift) + ") : ember_mbqm(v * ((int32_t)" +
             as + "[" + i[2] + "]" + MinusZ(qa.zero_point) + "), " + CInt(m2.multiplier) + ", " +
             std::to_string(m2.shift) + "));\n" + Spaces(in) + "out0[" + i[0] +
             "] = (int8_t)ember_clamp_i32(o, -128, 127);\n";
    };
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !x.is_const() && x.shape == out.shape;
  return k;
}

}  // namespace

extern const KernelEmitter kPreluEmitter = {ir::OpKind::kPrelu, Emit};

}  // namespace ember::codegen::c
