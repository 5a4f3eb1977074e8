// dequantize: C kernel for integer -> float32, y = float(double(s) * (x - z))
// (docs/numerics.md, "dequantize").
//
// For i8, u8 and i16 inputs |x - z| < 2^24, so the double product is exact
// and its rounding to float equals one float32 multiplication of the exact
// operands: the kernel multiplies in float (cheap on single-precision FPUs).
// i32 inputs keep the double product and the wrapping int32 difference.
// Per-axis quantization (one scale and zero point per index of the axis)
// reads them from two constant arrays in a loop over (outer, axis, inner).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

// The per-axis form: loops over (outer, channel, inner), scale and zero point
// from constant arrays.
Expected<Kernel> EmitPerAxis(const KernelContext& ctx) {
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::QuantParams& q = *in.quant;
  const size_t axis = static_cast<size_t>(q.axis);
  int64_t outer = 1, inner = 1;
  for (size_t k = 0; k < axis; ++k) outer *= in.shape[k];
  for (size_t k = axis + 1; k < in.shape.size(); ++k) inner *= in.shape[k];
  const std::string scales = ctx.consts.AddFloat(ctx.fn_name + "_scale", q.scale);
  // i32: the negated zero points (wrapping), added with wrap-around.
  const bool i32 = in.dtype == ir::DType::kInt32;
  std::vector<int32_t> zps;
  for (int64_t z : q.zero_point) zps.push_back(i32 ? ops::WrapSub(0, static_cast<int32_t>(z)) : static_cast<int32_t>(z));
  const std::string zeros = ctx.consts.AddInt32(ctx.fn_name + (i32 ? "_neg_zero_point" : "_zero_point"), zps);
  const std::string x = OperandName(ctx, 0) + "[i]";
  const std::string diff = i32 ? "(double)ember_wrap_add(" + x + ", " + zeros + "[c])"
                                                         : "(float)((int32_t)" + x + " - " + zeros + "[c])";
  const std::string stmt = i32 ? "out0[i] = (float)((double)" + scales + "[c] * " + diff + ");"
                                                         : "out0[i] = " + diff + " * " + scales + "[c];";
  Kernel k;
  k.code = FunctionHead(ctx, {"per axis " + std::to_string(q.axis) + ": one scale and zero point per index"}) +
           "  int32_t i = 0;\n"
           "  for (int32_t o = 0; o < " + CInt(outer) + "; ++o) {\n"
           "    for (int32_t c = 0; c < " + CInt(static_cast<int64_t>(q.scale.size())) + "; ++c) {\n"
           "      for (int32_t j = 0; j < " + CInt(inner) + "; ++j, ++i) " + stmt + "\n"
           "    }\n"
           "  }\n"
           "}\n";
  k.inplace_ok = false;
  return k;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  if (in.quant && in.quant->per_axis()) return EmitPerAxis(ctx);
  const TensorQuant q = QuantOf(ctx.graph, ctx.node.inputs[0]);
  const std::string x = OperandName(ctx, 0) + "[i]";
  std::string stmt;
  if (in.dtype == ir::DType::kInt32) {
    stmt = "out0[i] = (float)((double)" + CFloat(q.scale) + " * (double)ember_wrap_add(" + x + ", " +
           CInt(ops::WrapSub(0, q.zero_point)) + "));";
  } else {
    stmt = "out0[i] = (float)((int32_t)" + x + MinusZ(q.zero_point) + ") * " + CFloat(q.scale) + ";";
  }
  Kernel k;
  k.code = FunctionHead(ctx, {}) + "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) " +
           stmt + "\n}\n";
  // The output elements are 4 bytes: only an i32 input has the same addresses.
  k.inplace_ok = !in.is_const() && in.dtype == ir::DType::kInt32;
  return k;
}

}  // namespace

extern const KernelEmitter kDequantizeEmitter = {ir::OpKind::kDequantize, Emit};

}  // namespace ember::codegen::c
