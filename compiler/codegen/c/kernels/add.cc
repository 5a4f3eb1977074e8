// add: C kernel for elementwise a + b with numpy broadcasting and a fused
// activation (docs/numerics.md, "add").
//
// The broadcast is resolved at compile time into a loop nest with literal
// bounds and strides (same-shape inputs give one flat loop). int8 follows the
// reference: both inputs shifted left by 20 bits and rescaled to twice the
// larger input scale, summed, rescaled to the output scale; the multipliers,
// shifts and activation bounds are computed here with the reference's
// functions and emitted as literals; int16 shifts by 15 bits. float32 is min(max(a + b, lo), hi).
#include <algorithm>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "codegen/c/kernels/mve/kernels.h"
#include "ops/add_sub_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

// The reference's Prepare in double (validated by Infer before this runs).
AddSubInt8 PrepareInt8(const KernelContext& ctx, ops::Activation act) {
  const TensorQuant q1 = QuantOf(ctx.graph, ctx.node.inputs[0]);
  const TensorQuant q2 = QuantOf(ctx.graph, ctx.node.inputs[1]);
  const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
  AddSubInt8 p;
  p.z1 = q1.zero_point;
  p.z2 = q2.zero_point;
  p.zo = qo.zero_point;
  const bool int16 = ctx.graph.tensor(ctx.node.inputs[0]).dtype == ir::DType::kInt16;
  p.left_shift = int16 ? 15 : 20;  // TFLite Micro's pre-scaling of int16 / int8 inputs
  if (int16) p.ctype = "int16_t";
  const double twice_max = 2.0 * static_cast<double>(std::max(q1.scale, q2.scale));
  p.m1 = ops::QuantizeMultiplier(static_cast<double>(q1.scale) / twice_max);
  p.m2 = ops::QuantizeMultiplier(static_cast<double>(q2.scale) / twice_max);
  p.mo = ops::QuantizeMultiplier(twice_max / (static_cast<double>(1 << p.left_shift) *
                                              static_cast<double>(qo.scale)));
  p.act = int16 ? ops::ActivationRangeInt16(act, qo.scale, qo.zero_point)
                : ops::ActivationRangeInt8(act, qo.scale, qo.zero_point);
  return p;
}

// The Helium kernel (cortex-m55) for two same-shape run-time int8 operands,
// or nullopt for the portable loops.
std::optional<Kernel> MveAdd(const KernelContext& ctx, const mve::AddS8& v, const std::vector<std::string>& details) {
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& a = g.tensor(ctx.node.inputs[0]);
  const ir::Tensor& b = g.tensor(ctx.node.inputs[1]);
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  if (!ctx.target.has_mve || a.is_const() || b.is_const() || a.shape != out.shape || b.shape != out.shape ||
      a.dtype != ir::DType::kInt8 || out.dtype != ir::DType::kInt8 || !mve::AddApplies(v))
    return std::nullopt;
  Kernel k;
  k.code = FunctionHead(ctx, details) + mve::EmitAddS8Body(v) + "}\n";
  k.inplace_ok = true;  // element i reads in0[i] and in1[i] before writing out0[i]
  k.overlaps.push_back({1, 0});
  return k;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  ops::Activation act = ops::Activation::kNone;
  EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &act));
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, g.tensor(n.inputs[1]).shape}));
  const std::string x = OperandName(ctx, 0);
  const std::string y = OperandName(ctx, 1);
  std::vector<std::string> details = {"activation " + ops::DescribeActivation(act)};
  LoopBody body;
  if (a.dtype == ir::DType::kFloat32) {
    body = FloatBinaryBody(x, y, "+", act);
  } else if (a.dtype == ir::DType::kInt32 || a.dtype == ir::DType::kInt64) {
    details = {std::string(ir::DTypeName(a.dtype)) + ", wrapping modulo 2^" + (a.dtype == ir::DType::kInt64 ? "64" : "32")};
    body = WideIntBinaryBody(x, y, "+", a.dtype);
  } else {
    const AddSubInt8 p = PrepareInt8(ctx, act);
    if (OnnxRuntimeInt8(ctx)) {
      const TensorQuant q1 = QuantOf(g, n.inputs[0]), q2 = QuantOf(g, n.inputs[1]), qo = QuantOf(g, n.outputs[0]);
      // On the uint8 values (+128) where ONNX Runtime computes on uint8 (ops::OnnxUint8Offset).
      const int32_t u = ops::OnnxUint8Offset(n);
      const ops::OrtAddParams o = ops::PrepareOrtAdd(q1.scale, q1.zero_point + u, q2.scale, q2.zero_point + u,
                                                     qo.scale, qo.zero_point + u, {p.act.min + u, p.act.max + u});
      details.push_back(std::string("int8 as ONNX Runtime's QLinearAdd") + (u ? " on the uint8 values a + 128, b + 128" : "") +
                        ": fma(a, " + CFloat(o.ra) + ", fma(b, " + CFloat(o.rb) + ", " + CFloat(o.fixed) +
                        ")) rounded half to even, clamp [" + std::to_string(o.act.min) + ", " +
                        std::to_string(o.act.max) + "]" + (u ? ", minus 128" : ""));
      mve::AddS8 v{out.num_elements(), p.z1, p.z2, p.zo, p.m1, p.m2, p.mo, o.act};
      v.ort = true, v.ra = o.ra, v.rb = o.rb, v.fixed = o.fixed, v.uint8_offset = u;
      if (auto k = MveAdd(ctx, v, details)) return *k;
      const std::string lo = CFloat(static_cast<float>(o.act.min)), hi = CFloat(static_cast<float>(o.act.max));
      const std::string plus_u = u ? " + " + std::to_string(u) : "";
      body = [x, y, o, lo, hi, u, plus_u](const std::vector<std::string>& i, int in) {
        const std::string call = "ember_qlinear_add(" + x + "[" + i[1] + "]" + plus_u + ", " + y + "[" + i[2] + "]" +
                                 plus_u + ", " + CFloat(o.ra) + ", " + CFloat(o.rb) + ", " + CFloat(o.fixed) + ", " +
                                 lo + ", " + hi + ")";
        return Spaces(in) + "out0[" + i[0] + "] = (int8_t)" + (u ? "(" + call + " - " + std::to_string(u) + ")" : call) +
               ";\n";
      };
    } else {
    for (const std::string& d : AddSubInt8Details(p)) details.push_back(d);
    const mve::AddS8 v{out.num_elements(), p.z1, p.z2, p.zo, p.m1, p.m2, p.mo, p.act};
    if (auto k = MveAdd(ctx, v, details)) return *k;
    body = AddSubInt8Loop(ctx, x, y, p, "+", out.num_elements(), &details);
    }
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
