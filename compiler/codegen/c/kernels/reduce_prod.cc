// reduce_prod: C kernel for the product over `axes` (docs/numerics.md,
// "reduce_prod"). The loops are EmitReductionKernel's, in the reference's
// row-major order: each output starts at 1 and multiplies its inputs
// (float32 rounded at each step; int32 wrapping through ember_wrap_mul).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitReductionKernel(ctx, [](const ReductionInput& r) {
    ReductionBody b;
    b.details = {"product of " + std::to_string(r.count) + " elements per output"};
    b.init = r.is_float ? "float p = 1.0f;" : "int32_t p = 1;";
    b.step = [r](const std::string& idx) {
      const std::string v = r.x + "[" + idx + "]";
      return r.is_float ? "p = p * " + v + ";" : "p = ember_wrap_mul(p, " + v + ");";
    };
    b.finish = [](const std::string& o, int ind) { return Spaces(ind) + "out0[" + o + "] = p;\n"; };
    return b;
  });
}

}  // namespace

extern const KernelEmitter kReduceProdEmitter = {ir::OpKind::kReduceProd, Emit};

}  // namespace ember::codegen::c
