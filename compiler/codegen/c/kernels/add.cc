// add: C kernel for elementwise a + b with numpy broadcasting and a fused
// activation (docs/numerics.md, "add").
//
// The broadcast is resolved at compile time into a loop nest with literal
// bounds and strides (same-shape inputs give one flat loop). int8 follows the
// reference: both inputs shifted left by 20 bits and rescaled to twice the
// larger input scale, summed, rescaled to the output scale; the multipliers,
// shifts and activation bounds are computed here with the reference's
// functions and emitted as literals. float32 is min(max(a + b, lo), hi).
#include <algorithm>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/mve/kernels.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

using ops::QuantizedMultiplier;

// The reference's Prepare (validated by Infer before this runs).
struct Int8Params {
  TensorQuant q1, q2, qo;
  QuantizedMultiplier m1, m2, mo;
  ops::Int32Range act{-128, 127};
};

Int8Params PrepareInt8(const KernelContext& ctx, ops::Activation act) {
  Int8Params p;
  p.q1 = QuantOf(ctx.graph, ctx.node.inputs[0]);
  p.q2 = QuantOf(ctx.graph, ctx.node.inputs[1]);
  p.qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
  const double twice_max = 2.0 * static_cast<double>(std::max(p.q1.scale, p.q2.scale));
  p.m1 = ops::QuantizeMultiplier(static_cast<double>(p.q1.scale) / twice_max);
  p.m2 = ops::QuantizeMultiplier(static_cast<double>(p.q2.scale) / twice_max);
  p.mo = ops::QuantizeMultiplier(twice_max / (static_cast<double>(1 << 20) *
                                              static_cast<double>(p.qo.scale)));
  p.act = ops::ActivationRangeInt8(act, p.qo.scale, p.qo.zero_point);
  return p;
}

// One input rescaled to the common scale: Rdbpot(Srdhm((x - z) * 2^20, M), -e).
// |x - z| <= 255, so the shifted value and the sum of two stay below 2^29.
std::string Rescale(const std::string& x, int32_t z, QuantizedMultiplier m) {
  return "ember_rdbpot(ember_srdhm(((int32_t)" + x + MinusZ(z) + ") * 1048576, " +
         CInt(m.multiplier) + "), " + std::to_string(-m.shift) + ")";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  ops::Activation act = ops::Activation::kNone;
  ops::ParseActivation(n.GetString("act", "none"), &act);
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, g.tensor(n.inputs[1]).shape}));
  const std::string x = OperandName(ctx, 0);
  const std::string y = OperandName(ctx, 1);
  std::vector<std::string> details = {std::string("activation ") + ops::ActivationName(act)};
  LoopBody body;
  if (a.dtype == ir::DType::kFloat32) {
    body = FloatBinaryBody(x, y, "+", act);
  } else {
    const Int8Params p = PrepareInt8(ctx, act);
    details.push_back("in0 multiplier " + std::to_string(p.m1.multiplier) + " shift " +
                      std::to_string(p.m1.shift) + ", in1 multiplier " +
                      std::to_string(p.m2.multiplier) + " shift " + std::to_string(p.m2.shift) +
                      ", output multiplier " + std::to_string(p.mo.multiplier) + " shift " +
                      std::to_string(p.mo.shift));
    details.push_back("output range [" + std::to_string(p.act.min) + ", " +
                      std::to_string(p.act.max) + "]");
    const ir::Tensor& b = g.tensor(n.inputs[1]);
    const mve::AddS8 v{out.num_elements(), p.q1.zero_point, p.q2.zero_point, p.qo.zero_point,
                       p.m1, p.m2, p.mo, p.act};
    if (ctx.target.has_mve && !a.is_const() && !b.is_const() && a.shape == out.shape &&
        b.shape == out.shape && out.dtype == ir::DType::kInt8 && mve::AddApplies(v)) {
      Kernel k;
      k.code = FunctionHead(ctx, details) + mve::EmitAddS8Body(v) + "}\n";
      k.inplace_ok = true;  // element i reads in0[i] and in1[i] before writing out0[i]
      k.overlaps.push_back({1, 0});
      return k;
    }
    body = [&, p](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const int32_t a = " + Rescale(x + "[" + i[1] + "]", p.q1.zero_point, p.m1) +
             ";\n" + Spaces(in) + "const int32_t b = " +
             Rescale(y + "[" + i[2] + "]", p.q2.zero_point, p.m2) + ";\n" + Spaces(in) +
             "const int32_t o = ember_rdbpot(ember_srdhm(a + b, " + CInt(p.mo.multiplier) + "), " +
             std::to_string(-p.mo.shift) + ") + " + CInt(p.qo.zero_point) + ";\n" + Spaces(in) +
             "out0[" + i[0] + "] = (int8_t)ember_clamp_i32(o, " + CInt(p.act.min) + ", " +
             CInt(p.act.max) + ");\n";
    };
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitLoops(nest, 2, body) + "}\n";
  // Output element i reads in0 element i only (in0 is not broadcast).
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  // Likewise for in1 when it is not broadcast (a residual add may overwrite
  // whichever operand dies here).
  const ir::Tensor& b = g.tensor(n.inputs[1]);
  if (!b.is_const() && b.shape == out.shape && b.dtype == out.dtype) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace

extern const KernelEmitter kAddEmitter = {ir::OpKind::kAdd, Emit};

}  // namespace ember::codegen::c
