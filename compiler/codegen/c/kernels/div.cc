// div: C kernel for elementwise a / b with numpy broadcasting and a fused
// activation (docs/numerics.md, "div"); float32, and int32 / int64 truncated
// toward zero with x / 0 = 0 and MIN / -1 = MIN (Infer rejects int8).
//
// The broadcast becomes a loop nest with literal bounds and strides; each
// element is min(max(a / b, lo), hi), as the reference.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

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
  LoopBody body = FloatBinaryBody(OperandName(ctx, 0), OperandName(ctx, 1), "/", act);
  std::string detail = "activation " + ops::DescribeActivation(act);
  if (a.dtype == ir::DType::kInt32 || a.dtype == ir::DType::kInt64) {
    const std::string t = CType(a.dtype), u = a.dtype == ir::DType::kInt64 ? "uint64_t" : "uint32_t";
    const std::string x = OperandName(ctx, 0), y = OperandName(ctx, 1), neg = SignedFromUnsigned("neg", a.dtype);
    detail = std::string(ir::DTypeName(a.dtype)) + ", truncated toward zero; x / 0 = 0, MIN / -1 = MIN";
    body = [=](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const " + t + " x = " + x + "[" + i[1] + "], y = " + y + "[" + i[2] + "];\n" +
             Spaces(in) + "const " + u + " neg = (" + u + ")0 - (" + u + ")x;\n" + Spaces(in) + "out0[" + i[0] +
             "] = y == 0 ? 0 : (y == -1 ? (" + neg + ") : x / y);\n";
    };
  }
  Kernel k;
  k.code = FunctionHead(ctx, {detail}) + EmitLoops(nest, 2, body) + "}\n";
  k.inplace_ok = !a.is_const() && a.shape == out.shape;
  if (!b.is_const() && b.shape == out.shape) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace

extern const KernelEmitter kDivEmitter = {ir::OpKind::kDiv, Emit};

}  // namespace ember::codegen::c
