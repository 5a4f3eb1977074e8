// reduce_max: C kernel for the maximum over `axes` (docs/numerics.md,
// "reduce_max").
//
// The kept axes form the outer loop nest (one output each) and the reduced
// axes the inner nest, in input order, as the mean kernel; each output starts
// at the lowest value of its type and takes v > m ? v : m, as the reference
// (so a NaN input never wins). int8 has equal input and output quantization
// (checked by Infer): a raw maximum.
#include <limits>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  LoopNest outer, inner;
  const int64_t count = ReductionNests(ctx, &outer, &inner);
  const bool is_float = in.dtype == ir::DType::kFloat32;
  const std::string x = OperandName(ctx, 0);
  Kernel k;
  k.code = FunctionHead(ctx, {"maximum of " + std::to_string(count) + " elements per output"});
  if (out.num_elements() > 0) {
    const std::string init = is_float ? "float m = " + CFloat(std::numeric_limits<float>::lowest()) + ";"
                                      : std::string("int8_t m = -128;");
    k.code += EmitReduction(
        outer, inner, init,
        [&](const std::string& idx) { return "m = " + x + "[" + idx + "] > m ? " + x + "[" + idx + "] : m;"; },
        [&](const std::string& o, int ind) { return Spaces(ind) + "out0[" + o + "] = m;\n"; });
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kReduceMaxEmitter = {ir::OpKind::kReduceMax, Emit};

}  // namespace ember::codegen::c
