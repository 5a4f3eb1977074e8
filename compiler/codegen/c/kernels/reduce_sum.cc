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

// The int8/int16 result of output `sum`: requantized and clamped.
std::string IntResult(const KernelContext& ctx, int64_t count, std::vector<std::string>* details) {
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
  const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
  const ops::QuantizedMultiplier m =
      ops::QuantizeMultiplier(static_cast<double>(qi.scale) / static_cast<double>(qo.scale));
  const int32_t neg_zn = NegatedZeroPointSum(qi.zero_point, count);
  const bool i16 = in.dtype == ir::DType::kInt16;
  details->push_back("requantized by (" + std::to_string(m.multiplier) + ", " + std::to_string(m.shift) + ")");
  return std::string("(") + CType(in.dtype) + ")ember_clamp_i32(ember_wrap_add(ember_mbqm(ember_wrap_add(sum, " +
         CInt(neg_zn) + "), " + CInt(m.multiplier) + ", " + std::to_string(m.shift) + "), " + CInt(qo.zero_point) +
         "), " + (i16 ? "-32768, 32767" : "-128, 127") + ")";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  const ir::DType t = ctx.graph.tensor(ctx.node.inputs[0]).dtype;
  // Below 2^16 int16 terms (2^24 int8 terms) the int32 sum cannot wrap.
  const int64_t safe = t == ir::DType::kInt16 ? (int64_t{1} << 16) : (int64_t{1} << 24);
  return EmitReductionKernel(ctx, [&](const ReductionInput& r) {
    ReductionBody b;
    b.details = {"sum of " + std::to_string(r.count) + " elements per output"};
    const std::string result = r.is_float ? std::string("sum") : IntResult(ctx, r.count, &b.details);
    b.init = r.is_float ? "float sum = 0.0f;" : "int32_t sum = 0;";
    b.step = [r, safe](const std::string& idx) {
      const std::string v = r.x + "[" + idx + "]";
      return r.is_float ? "sum = " + v + " + sum;"
                        : (r.count < safe ? "sum += " + v + ";" : "sum = ember_wrap_add(sum, " + v + ");");
    };
    b.finish = [result](const std::string& o, int ind) { return Spaces(ind) + "out0[" + o + "] = " + result + ";\n"; };
    return b;
  });
}

}  // namespace

extern const KernelEmitter kReduceSumEmitter = {ir::OpKind::kReduceSum, Emit};

}  // namespace ember::codegen::c
