// squared_difference: C kernel for elementwise (a - b)^2 with numpy
// broadcasting (docs/numerics.md, "squared_difference"). The broadcast is a
// loop nest with literal bounds and strides. float32: d = a - b; d * d.
// int8: both inputs rescaled by Mbqm((x - z) * 128, M) with the reference's
// multipliers as literals, the squared difference rescaled by M_o, + z_out,
// clamped.
#include <algorithm>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

std::string Rescale(const std::string& x, int32_t z, ops::QuantizedMultiplier m) {
  return "ember_mbqm(((int32_t)" + x + MinusZ(z) + ") * 128, " + CInt(m.multiplier) + ", " + std::to_string(m.shift) +
         ")";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  const ir::Tensor& b = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  const std::string x = OperandName(ctx, 0), y = OperandName(ctx, 1);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, b.shape}));
  std::vector<std::string> details;
  LoopBody body;
  if (a.dtype == ir::DType::kFloat32) {
    details.push_back("d = a - b; out = d * d");
    body = [&](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const float d = " + x + "[" + i[1] + "] - " + y + "[" + i[2] + "];\n" + Spaces(in) +
             "out0[" + i[0] + "] = d * d;\n";
    };
  } else {
    const TensorQuant qa = QuantOf(g, n.inputs[0]), qb = QuantOf(g, n.inputs[1]), qo = QuantOf(g, n.outputs[0]);
    const double twice_max = 2.0 * static_cast<double>(std::max(qa.scale, qb.scale));
    const ops::QuantizedMultiplier ma = ops::QuantizeMultiplier(static_cast<double>(qa.scale) / twice_max);
    const ops::QuantizedMultiplier mb = ops::QuantizeMultiplier(static_cast<double>(qb.scale) / twice_max);
    const ops::QuantizedMultiplier mo = ops::QuantizeMultiplier(
        twice_max * twice_max / static_cast<double>(static_cast<float>(1 << 14) * qo.scale));
    details.push_back("a' = Mbqm((a - z_a) * 128, " + std::to_string(ma.multiplier) + ", " + std::to_string(ma.shift) +
                      "), b' likewise with " + std::to_string(mb.multiplier) + ", " + std::to_string(mb.shift));
    details.push_back("out = clamp(Mbqm((a' - b')^2, " + std::to_string(mo.multiplier) + ", " +
                      std::to_string(mo.shift) + ") + " + std::to_string(qo.zero_point) + ", -128, 127)");
    body = [&, qa, qb, qo, ma, mb, mo](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const int32_t d = " + Rescale(x + "[" + i[1] + "]", qa.zero_point, ma) + " - " +
             Rescale(y + "[" + i[2] + "]", qb.zero_point, mb) + ";\n" + Spaces(in) + "out0[" + i[0] +
             "] = (int8_t)ember_clamp_i32(ember_mbqm(d * d, " + CInt(mo.multiplier) + ", " +
             std::to_string(mo.shift) + ") + " + CInt(qo.zero_point) + ", -128, 127);\n";
    };
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  if (!b.is_const() && b.shape == out.shape) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace

extern const KernelEmitter kSquaredDifferenceEmitter = {ir::OpKind::kSquaredDifference, Emit};

}  // namespace ember::codegen::c
