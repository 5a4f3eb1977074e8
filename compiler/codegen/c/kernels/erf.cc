// erf: C kernel for the elementwise error function (libm's erff; host and
// device libraries may differ in the last bit); float32 only: out0[i] =
// erff(x), as the reference (ops/erf.cc).
#include "codegen/c/kernels/unary_emit.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) { return EmitFloatUnaryKernel(ctx, "erff(x)", {}); }

}  // namespace

extern const KernelEmitter kErfEmitter = {ir::OpKind::kErf, Emit};

}  // namespace ember::codegen::c
