// relu6: C kernel for min(max(x, 0), 6) elementwise (docs/numerics.md,
// "relu6").
//
// int8 does not requantize: the clamp bounds z_in and
// clamp(round(6 / s_in) + z_in, -128, 127) are computed here as the reference
// does (float32 division, ties away from zero) and emitted as literals; the
// output quantization is ignored. float32: x > 6 ? 6 : (x < 0 ? 0 : x).
#include <algorithm>
#include <cmath>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const std::string x = OperandName(ctx, 0) + "[i]";
  std::vector<std::string> details;
  std::string expr = x + " > 6.0f ? 6.0f : (" + x + " < 0.0f ? 0.0f : " + x + ")";
  if (in.dtype == ir::DType::kInt8) {
    const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
    const float six = std::min(std::round(6.0f / qi.scale), 255.0f);
    const int32_t hi = std::min(std::max(static_cast<int32_t>(six) + qi.zero_point, -128), 127);
    details.push_back("range [" + std::to_string(qi.zero_point) + ", " + std::to_string(hi) +
                      "] in the input quantization");
    expr = ClampInt8Expr(x, qi.zero_point, hi);
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + "  for (int32_t i = 0; i < " + CInt(in.num_elements()) +
           "; ++i) out0[i] = " + expr + ";\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kRelu6Emitter = {ir::OpKind::kRelu6, Emit};

}  // namespace ember::codegen::c
