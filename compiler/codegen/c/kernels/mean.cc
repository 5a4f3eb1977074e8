// mean: C kernel for the average over `axes` (docs/numerics.md, "mean").
//
// The kept axes form the outer loop nest (one output each) and the reduced
// axes the inner nest, in input order, so float sums add in the reference's
// row-major order; adjacent axes that are contiguous merge (MEAN over H, W of
// NHWC is one inner loop with stride C). int8: the raw values are summed in
// int32, then out = clamp(Mbqm(sum - z_in * N, M', s') + z_out) with
// M' = trunc(M * 2^k / N) and s' = s - k computed here as the reference
// does; with int8_semantics "onnxruntime", ONNX Runtime's
// QLinearGlobalAveragePool: ember_requant_f32(sum - z_in * N, s_in / (s_out * N)).
// float32: sum / float(N).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

// Statements that finish output `o` from `sum`.
std::string Finish(const KernelContext& ctx, int64_t count, const std::string& o, int in) {
  const ir::Tensor& t = ctx.graph.tensor(ctx.node.inputs[0]);
  if (t.dtype == ir::DType::kFloat32)
    return Spaces(in) + "out0[" + o + "] = sum / " + CFloat(static_cast<float>(count)) + ";\n";
  const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
  const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
  const int32_t neg_zn = NegatedZeroPointSum(qi.zero_point, count);
  if (OnnxRuntimeInt8(ctx)) {  // QLinearGlobalAveragePool: float32 scale s_in / (s_out * N)
    return Spaces(in) + "out0[" + o + "] = (int8_t)ember_requant_f32(ember_wrap_add(sum, " + CInt(neg_zn) + "), " +
           CFloat(ops::OrtMeanScale(ctx.graph, ctx.node, count)) + ", " + CInt(qo.zero_point) + ", -128, 127);\n";
  }
  const ops::QuantizedMultiplier m = ops::DivideMultiplierByCount(
      ops::QuantizeMultiplier(static_cast<double>(qi.scale) / static_cast<double>(qo.scale)), count);
  return Spaces(in) + "out0[" + o + "] = (int8_t)ember_clamp_i32(ember_wrap_add(ember_mbqm(" +
         "ember_wrap_add(sum, " + CInt(neg_zn) + "), " + CInt(m.multiplier) + ", " +
         std::to_string(m.shift) + "), " + CInt(qo.zero_point) + "), -128, 127);\n";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  return EmitReductionKernel(ctx, [&](const ReductionInput& r) {
    ReductionBody b;
    b.details = {"average of " + std::to_string(r.count) + " elements per output"};
    b.init = r.is_float ? "float sum = 0.0f;" : "int32_t sum = 0;";
    b.step = [r](const std::string& idx) {
      return r.is_float || r.count < (int64_t{1} << 24) ? "sum += " + r.x + "[" + idx + "];"
                                                        : "sum = ember_wrap_add(sum, " + r.x + "[" + idx + "]);";
    };
    b.finish = [&ctx, r](const std::string& o, int ind) { return Finish(ctx, r.count, o, ind); };
    return b;
  });
}

}  // namespace

extern const KernelEmitter kMeanEmitter = {ir::OpKind::kMean, Emit};

}  // namespace ember::codegen::c
