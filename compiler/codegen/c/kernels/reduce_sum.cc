// reduce_sum: C kernel for the sum over `axes` (docs/numerics.md,
// "reduce_sum").
//
// The kept axes form the outer loop nest (one output each) and the reduced
// axes the inner nest, in input order, as the mean kernel, so float sums add
// in the reference's row-major order starting from 0.0f. int8/int16: the raw
// values are summed in int32, then
// out = clamp(Mbqm(sum - z_in * N, M, s) + z_out) with (M, s) of s_in / s_out.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

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
  // Below 2^16 int16 terms (2^24 int8 terms) the int32 sum cannot wrap.
  const int64_t safe = in.dtype == ir::DType::kInt16 ? (int64_t{1} << 16) : (int64_t{1} << 24);
  auto add = [&](const std::string& idx) {
    const std::string v = x + "[" + idx + "]";
    return is_float ? "sum = " + v + " + sum;" : (count < safe ? "sum += " + v + ";" : "sum = ember_wrap_add(sum, " + v + ");");
  };
  std::string finish;
  std::vector<std::string> details{"sum of " + std::to_string(count) + " elements per output"};
  if (!is_float) {
    const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
    const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
    const ops::QuantizedMultiplier m =
        ops::QuantizeMultiplier(static_cast<double>(qi.scale) / static_cast<double>(qo.scale));
    const int32_t neg_zn = NegatedZeroPointSum(qi.zero_point, count);
    const bool i16 = in.dtype == ir::DType::kInt16;
    finish = std::string("(") + CType(in.dtype) + ")ember_clamp_i32(ember_wrap_add(ember_mbqm(ember_wrap_add(sum, " +
             CInt(neg_zn) + "), " + CInt(m.multiplier) + ", " + std::to_string(m.shift) + "), " +
             CInt(qo.zero_point) + "), " + (i16 ? "-32768, 32767" : "-128, 127") + ")";
    details.push_back("requantized by (" + std::to_string(m.multiplier) + ", " + std::to_string(m.shift) + ")");
  }
  Kernel k;
  k.code = FunctionHead(ctx, details);
  if (out.num_elements() > 0) {
    k.code += EmitReduction(outer, inner, is_float ? "float sum = 0.0f;" : "int32_t sum = 0;", add,
                            [&](const std::string& o, int ind) {
                              return Spaces(ind) + "out0[" + o + "] = " + (is_float ? std::string("sum") : finish) + ";\n";
                            });
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kReduceSumEmitter = {ir::OpKind::kReduceSum, Emit};

}  // namespace ember::codegen::c
