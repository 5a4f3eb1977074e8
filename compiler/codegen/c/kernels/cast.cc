// cast: C kernel for the elementwise type conversion (docs/numerics.md,
// "cast"): float -> integer truncates, saturates to int32 (NaN -> 0) and
// wraps to the narrower type; integer -> narrower integer wraps (int64
// keeps its low 32 bits first); int64 -> float rounds to nearest; -> int64
// sign-extends, or saturates a float; written
// without the conversions C leaves implementation-defined or undefined.
// f32 -> f32 with round="float16"/"bfloat16": ember_round_f16/_bf16
// (kernel_math.h), on the bit patterns.
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::string x = OperandName(ctx, 0) + "[i]";
  std::string body;
  const std::string round = ctx.node.GetString("round");
  if (!round.empty()) {
    body = "    out0[i] = " + std::string(round == "float16" ? "ember_round_f16(" : "ember_round_bf16(") + x + ");\n";
  } else if (out.dtype == ir::DType::kFloat32) {
    body = "    out0[i] = (float)" + (in.dtype == ir::DType::kBool ? "(" + x + " ? 1 : 0)" : x) + ";\n";
  } else if (out.dtype == ir::DType::kInt64) {  // sign-extended, or a float saturated (NaN -> 0)
    if (in.dtype == ir::DType::kFloat32) {
      body = "    const float r = " + x + ";\n";
      body += "    out0[i] = r != r ? 0 : (r >= 0x1p63f ? INT64_MAX : (r < -0x1p63f ? INT64_MIN : (int64_t)r));\n";
    } else {
      body = "    out0[i] = (int64_t)" + (in.dtype == ir::DType::kBool ? "(" + x + " ? 1 : 0)" : x) + ";\n";
    }
  } else {
    if (in.dtype == ir::DType::kFloat32) {
      body = "    const float r = " + x + ";\n";
      body += "    const int32_t w = r != r ? 0 : (r >= 0x1p31f ? INT32_MAX : (r < -0x1p31f ? INT32_MIN : (int32_t)r));\n";
    } else if (in.dtype == ir::DType::kBool) {
      body = "    const int32_t w = " + x + " ? 1 : 0;\n";
    } else if (in.dtype == ir::DType::kInt64) {  // the low 32 bits, two's complement
      body = "    const uint32_t u = (uint32_t)((uint64_t)" + x + " & 0xFFFFFFFFu);\n";
      body += "    const int32_t w = " + SignedFromUnsigned("u", ir::DType::kInt32) + ";\n";
    } else {
      body = "    const int32_t w = (int32_t)" + x + ";\n";
    }
    if (out.dtype == ir::DType::kUInt8) {
      body += "    out0[i] = (uint8_t)((uint32_t)w & 0xFFu);\n";
    } else if (out.dtype == ir::DType::kInt8) {
      body += "    const int32_t b = (int32_t)((uint32_t)w & 0xFFu);\n    out0[i] = (int8_t)(b >= 128 ? b - 256 : b);\n";
    } else if (out.dtype == ir::DType::kInt16) {
      body += "    const int32_t h = (int32_t)((uint32_t)w & 0xFFFFu);\n    out0[i] = (int16_t)(h >= 32768 ? h - 65536 : h);\n";
    } else {
      body += "    out0[i] = w;\n";
    }
  }
  Kernel k;
  k.code = FunctionHead(ctx, {std::string("cast ") + ir::DTypeName(in.dtype) + " to " + ir::DTypeName(out.dtype) +
                                 (round.empty() ? "" : ", rounded to " + round)});
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n" + body + "  }\n}\n";
  k.inplace_ok = !in.is_const() && ir::DTypeSize(in.dtype) == ir::DTypeSize(out.dtype);
  return k;
}

}  // namespace

extern const KernelEmitter kCastEmitter = {ir::OpKind::kCast, Emit};

}  // namespace ember::codegen::c
