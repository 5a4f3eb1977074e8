// dequantize: C kernel for integer -> float32, y = float(double(s) * (x - z))
// (docs/numerics.md, "dequantize").
//
// For i8, u8 and i16 inputs |x - z| < 2^24, so the double product is exact
// and its rounding to float equals one float32 multiplication of the exact
// operands: the kernel multiplies in float (cheap on single-precision FPUs).
// i32 inputs keep the double product and the wrapping int32 difference.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
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
