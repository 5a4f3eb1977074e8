// relu: C kernel for max(x, 0) elementwise (docs/numerics.md, "relu").
//
// int8 requantizes like the reference: out = clamp(z_out + Mbqm(x - z_in, M,
// shift), max(-128, z_out), 127) with (M, shift) from the float32 division
// s_in / s_out, emitted as literals. When input and output share their
// quantization (M = 2^30, shift 1, equal zero points) Mbqm is the identity
// and the kernel is a plain clamp. float32: x < 0 ? 0 : x.
#include <algorithm>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const std::string x = OperandName(ctx, 0) + "[i]";
  std::vector<std::string> details;
  std::string stmt;
  if (in.dtype == ir::DType::kFloat32) {
    stmt = "out0[i] = " + x + " < 0.0f ? 0.0f : " + x + ";";
  } else {
    const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
    const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
    const float ratio = qi.scale / qo.scale;  // float32 division, as the reference
    const ops::QuantizedMultiplier m = ops::QuantizeMultiplier(static_cast<double>(ratio));
    const int32_t lo = std::max(-128, qo.zero_point);
    details.push_back("multiplier " + std::to_string(m.multiplier) + " shift " +
                      std::to_string(m.shift) + ", output range [" + std::to_string(lo) + ", 127]");
    if (m.multiplier == (int32_t{1} << 30) && m.shift == 1 && qi.zero_point == qo.zero_point) {
      stmt = "out0[i] = " + ClampInt8Expr(x, lo, 127) + ";";
    } else {
      stmt = "out0[i] = (int8_t)ember_clamp_i32(ember_wrap_add(" + CInt(qo.zero_point) +
             ", ember_mbqm((int32_t)" + x + MinusZ(qi.zero_point) + ", " +
             CInt(m.multiplier) + ", " + std::to_string(m.shift) + ")), " + CInt(lo) + ", 127);";
    }
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + "  for (int32_t i = 0; i < " + CInt(in.num_elements()) +
           "; ++i) " + stmt + "\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kReluEmitter = {ir::OpKind::kRelu, Emit};

}  // namespace ember::codegen::c
