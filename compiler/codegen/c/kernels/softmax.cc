// softmax: C kernel for exp(beta * x) / sum over the last axis, one row at a
// time (docs/numerics.md, "softmax").
//
// int8 -> int8 is the reference's gemmlowp fixed-point algorithm with the
// device twins in ember/fixed_point.h: per row, the maximum; the sum of
// Rdbpot(exp(Srdhm(d * 2^LS, M)), 12) over the differences d >= diff_min
// (Q12.19); the fixed-point reciprocal of the normalised sum; then each
// exponential times the reciprocal. M, LS and diff_min are literals.
//
// The reference reports an error for a row whose sum reaches 512.0 (TFLite
// Micro aborts there); a generated kernel cannot fail, so for rows long
// enough to get there (>= 512 elements) it saturates the sum just below
// 512.0 and produces a defined output instead.
//
// float32: per row, max; e = expf((x - max) * beta) stored in the output and
// summed in order; out = e / sum.
#include <cmath>
#include <limits>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {
namespace {

struct Int8Params {
  ops::QuantizedMultiplier m;  // beta * s_in * 2^26
  int32_t diff_min = 0;
};

// The reference's Prepare (validated by Infer before this runs).
Int8Params PrepareInt8(const KernelContext& ctx, double beta) {
  Int8Params p;
  const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
  const double max_real = static_cast<double>(std::numeric_limits<int32_t>::max());
  const double real =
      std::min(beta * static_cast<double>(qi.scale) * static_cast<double>(int64_t{1} << 26), max_real);
  p.m = ops::QuantizeMultiplier(real);
  const double radius =
      31.0 * static_cast<double>(int64_t{1} << 26) / static_cast<double>(int64_t{1} << p.m.shift);
  p.diff_min = -static_cast<int32_t>(std::floor(radius));
  return p;
}

std::string Int8Body(const Int8Params& p, int64_t depth) {
  const std::string d = CInt(depth);
  // Each term is at most 2^19, so an int32 sum cannot wrap below 4096 elements.
  const std::string sum_type = depth < 4096 ? "int32_t" : "int64_t";
  const std::string exp = "ember_exp_on_negative_values(ember_srdhm(ember_wrap_shl(diff, " +
                          std::to_string(p.m.shift) + "), " + CInt(p.m.multiplier) + "), 5)";
  std::string s;
  s += "    int32_t max_value = -128;\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) if (x[c] > max_value) max_value = x[c];\n";
  s += "    " + sum_type + " sum = 0;  /* Q12.19 */\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      const int32_t diff = x[c] - max_value;\n";
  s += "      if (diff >= " + CInt(p.diff_min) + ") sum += ember_rdbpot(" + exp + ", 12);\n";
  s += "    }\n";
  if (depth >= 512) s += "    if (sum > 268435455) sum = 268435455;  /* the reference rejects such rows */\n";
  s += "    const uint32_t sum32 = (uint32_t)sum;\n";
  s += "    const int headroom = ember_clz32(sum32);\n";
  s += "    const int32_t reciprocal = ember_one_over_one_plus_x((int32_t)((sum32 << headroom) - 0x80000000u));\n";
  s += "    const int exponent = (12 - headroom) + 31 - 8;\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      const int32_t diff = x[c] - max_value;\n";
  s += "      int32_t o = -128;\n";
  s += "      if (diff >= " + CInt(p.diff_min) + ") {\n";
  s += "        o = ember_clamp_i32(ember_rdbpot(ember_srdhm(reciprocal, " + exp +
       "), exponent) - 128, -128, 127);\n";
  s += "      }\n";
  s += "      y[c] = (int8_t)o;\n";
  s += "    }\n";
  return s;
}

std::string FloatBody(float beta, int64_t depth) {
  const std::string d = CInt(depth);
  std::string s;
  s += "    float max_value = " + CFloat(std::numeric_limits<float>::lowest()) + ";\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) if (max_value < x[c]) max_value = x[c];\n";
  s += "    float sum = 0.0f;\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      y[c] = expf((x[c] - max_value) * " + CFloat(beta) + ");\n";
  s += "      sum += y[c];\n";
  s += "    }\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) y[c] = y[c] / sum;\n";
  return s;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const int64_t depth = in.shape.back();
  const int64_t rows = depth == 0 ? 0 : in.num_elements() / depth;
  const double beta = ctx.node.GetReal("beta", 1.0);
  const char* ctype = CType(in.dtype);
  std::vector<std::string> details = {std::to_string(rows) + " rows of " + std::to_string(depth) +
                                      ", beta " + Num(beta)};
  std::string body;
  if (in.dtype == ir::DType::kFloat32) {
    body = FloatBody(static_cast<float>(beta), depth);
  } else {
    const Int8Params p = PrepareInt8(ctx, beta);
    details.push_back("input multiplier " + std::to_string(p.m.multiplier) + " shift " +
                      std::to_string(p.m.shift) + ", diff_min " + std::to_string(p.diff_min));
    body = Int8Body(p, depth);
  }
  Kernel k;
  k.code = FunctionHead(ctx, details);
  if (rows > 0) {
    k.code += "  for (int32_t r = 0; r < " + CInt(rows) + "; ++r) {\n";
    k.code += "    const " + std::string(ctype) + "* x = " + OperandName(ctx, 0) + " + r * " +
              CInt(depth) + ";\n";
    k.code += "    " + std::string(ctype) + "* y = out0 + r * " + CInt(depth) + ";\n";
    k.code += body + "  }\n";
  }
  k.code += "}\n";
  // Element c of a row is read (for the last time) just before it is written.
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kSoftmaxEmitter = {ir::OpKind::kSoftmax, Emit};

}  // namespace ember::codegen::c
