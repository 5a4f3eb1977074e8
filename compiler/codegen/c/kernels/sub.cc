// sub: C kernel for elementwise a - b with numpy broadcasting and a fused
// activation (docs/numerics.md, "sub").
//
// The broadcast becomes a loop nest with literal bounds and strides. int8
// follows the reference: both inputs shifted left by 20 bits and rescaled to
// twice the larger input scale, subtracted, rescaled to the output scale; the
// multipliers are computed here in float32 as the reference does and emitted
// as literals; int16 shifts by 15 bits. float32 is min(max(a - b, lo), hi).
#include <algorithm>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

// The reference's Prepare, in float32 (validated by Infer before this runs).
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
  const float twice_max = 2.0f * std::max(q1.scale, q2.scale);
  const float r1 = q1.scale / twice_max;
  const float r2 = q2.scale / twice_max;
  const float ro = twice_max / (static_cast<float>(1 << p.left_shift) * qo.scale);
  p.m1 = ops::QuantizeMultiplier(static_cast<double>(r1));
  p.m2 = ops::QuantizeMultiplier(static_cast<double>(r2));
  p.mo = ops::QuantizeMultiplier(static_cast<double>(ro));
  p.act = int16 ? ops::ActivationRangeInt16(act, qo.scale, qo.zero_point)
                : ops::ActivationRangeInt8(act, qo.scale, qo.zero_point);
  return p;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  const ir::Tensor& b = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  ops::Activation act = ops::Activation::kNone;
  EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &act));
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, b.shape}));
  const std::string x = OperandName(ctx, 0);
  const std::string y = OperandName(ctx, 1);
  std::vector<std::string> details = {"activation " + ops::DescribeActivation(act)};
  LoopBody body;
  if (a.dtype == ir::DType::kFloat32) {
    body = FloatBinaryBody(x, y, "-", act);
  } else if (a.dtype == ir::DType::kInt32 || a.dtype == ir::DType::kInt64) {
    details = {std::string(ir::DTypeName(a.dtype)) + ", wrapping modulo 2^" + (a.dtype == ir::DType::kInt64 ? "64" : "32")};
    body = WideIntBinaryBody(x, y, "-", a.dtype);
  } else {
    const AddSubInt8 p = PrepareInt8(ctx, act);
    for (const std::string& d : AddSubInt8Details(p)) details.push_back(d);
    details[1] += " (from float32 scale arithmetic)";
    body = AddSubInt8Loop(ctx, x, y, p, "-", out.num_elements(), &details);
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitLoops(nest, 2, body) + "}\n";
  // Output element i reads element i of a non-broadcast operand only.
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  if (!b.is_const() && b.shape == out.shape && b.dtype == out.dtype) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace

extern const KernelEmitter kSubEmitter = {ir::OpKind::kSub, Emit};

}  // namespace ember::codegen::c
