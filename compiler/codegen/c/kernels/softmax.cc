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
// int8 -> int16 is the same with 16-bit output steps (zero point -32768);
// the reference refuses rows whose sum reaches 4096.0 (TFLite Micro's int32
// sum overflows), so for rows of 4096 elements or more the kernel saturates
// the sum just below 4096.0.
//
// int16 -> int16 is the reference's table algorithm: the interpolated exp and
// 1/(1 + x) tables (513 entries each, the same for every model) are constant
// arrays of the generated file, computed at compile time by the reference
// evaluator's code; per row the exponentials are kept in the output until
// the reciprocal of their int32 sum is known.
//
// float32: per row, max; e = expf((x - max) * beta) stored in the output and
// summed in order; out = e / sum.
#include <cmath>
#include <limits>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/int16_activation.h"
#include "ops/quant_math.h"
#include "ops/softmax_scaling.h"

namespace ember::codegen::c {
namespace {

using Int8Params = ops::SoftmaxDiffScaling;

// The reference's Prepare (validated by Infer before this runs).
Int8Params PrepareInt8(const KernelContext& ctx, double beta) {
  return ops::GetSoftmaxDiffScaling(beta * static_cast<double>(QuantOf(ctx.graph, ctx.node.inputs[0]).scale));
}

// `out_bits` 8 or 16: the output type's width.
std::string Int8Body(const Int8Params& p, int64_t depth, int out_bits) {
  const std::string d = CInt(depth);
  const std::string out_min = out_bits == 8 ? "-128" : "-32768", out_max = out_bits == 8 ? "127" : "32767";
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
  if (out_bits == 8 && depth >= 512) {
    s += "    if (sum > 268435455) sum = 268435455;  /* the reference rejects such rows */\n";
  }
  if (out_bits == 16 && depth >= 4096) {
    s += "    if (sum > 2147483647) sum = 2147483647;  /* the reference rejects such rows */\n";
  }
  s += "    const uint32_t sum32 = (uint32_t)sum;\n";
  s += "    const int headroom = ember_clz32(sum32);\n";
  s += "    const int32_t reciprocal = ember_one_over_one_plus_x((int32_t)((sum32 << headroom) - 0x80000000u));\n";
  s += "    const int exponent = (12 - headroom) + 31 - " + std::to_string(out_bits) + ";\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      const int32_t diff = x[c] - max_value;\n";
  s += "      int32_t o = " + out_min + ";\n";
  s += "      if (diff >= " + CInt(p.diff_min) + ") {\n";
  s += "        o = ember_clamp_i32(ember_rdbpot(ember_srdhm(reciprocal, " + exp + "), exponent) - " + out_min.substr(1) +
       ", " + out_min + ", " + out_max + ");\n";
  s += "      }\n";
  s += "      y[c] = (int" + std::to_string(out_bits) + "_t)o;\n";
  s += "    }\n";
  return s;
}

// int16 -> int16: `exp_lut` and `reciprocal_lut` name the tables.
std::string Int16Body(ops::QuantizedMultiplier m, int64_t depth, const std::string& exp_lut,
                      const std::string& reciprocal_lut) {
  const std::string d = CInt(depth);
  std::string s;
  s += "    int32_t max_value = -32768;\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) if (x[c] > max_value) max_value = x[c];\n";
  s += "    int32_t sum = 0;  /* Q16.15; rows are at most 65537 long, so it cannot wrap */\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      /* [-65535, 0] means [-10, 0], recentred to the table's [-32768, 32767] */\n";
  s += "      const int32_t v = ember_wrap_add(ember_mbqm(x[c] - max_value, " + CInt(m.multiplier) + ", " +
       std::to_string(m.shift) + "), 32767);\n";
  s += "      y[c] = ember_lut16_lookup(" + exp_lut + ", (int16_t)ember_clamp_i32(v, -32768, 32767));\n";
  s += "      sum += y[c];\n";
  s += "    }\n";
  s += "    /* the sum normalised to [1, 2) in Q1.14, minus 1, recentred: 1 / (1 + x) */\n";
  s += "    const int headroom = ember_clz32((uint32_t)sum);\n";
  s += "    const int32_t shifted = (int32_t)((((int64_t)sum << (headroom - 1)) + 8192) >> 14);\n";
  s += "    const int32_t reciprocal = ember_lut16_lookup(" + reciprocal_lut +
       ", (int16_t)ember_clamp_i32(shifted - 98304, -32768, 32767));\n";
  s += "    const int right_shift = 31 - headroom;\n";
  s += "    const int64_t round = (int64_t)1 << (right_shift - 1);\n";
  s += "    for (int32_t c = 0; c < " + d + "; ++c) {\n";
  s += "      const int64_t r = ((int64_t)y[c] * reciprocal + round) >> right_shift;\n";
  s += "      y[c] = (int16_t)(r < 0 ? 0 : (r > 32767 ? 32767 : r));\n";
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
  const LastAxisRows row_shape = GetLastAxisRows(in);
  const int64_t depth = row_shape.depth, rows = row_shape.rows;
  const double beta = ctx.node.GetReal("beta", 1.0);
  const ir::DType out_dtype = ctx.graph.tensor(ctx.node.outputs[0]).dtype;
  const char* ctype = CType(in.dtype);
  const char* out_ctype = CType(out_dtype);
  std::vector<std::string> details = {std::to_string(rows) + " rows of " + std::to_string(depth) +
                                      ", beta " + Num(beta)};
  std::string body;
  if (in.dtype == ir::DType::kFloat32) {
    body = FloatBody(static_cast<float>(beta), depth);
  } else if (in.dtype == ir::DType::kInt16) {
    const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
    const ops::QuantizedMultiplier m =
        ops::QuantizeMultiplier(static_cast<double>(qi.scale) * beta / (10.0 / 65535.0));
    const std::string exp_lut = ctx.consts.AddInt16("softmax_exp_lut", ops::SoftmaxInt16ExpLut());
    const std::string reciprocal_lut =
        ctx.consts.AddInt16("softmax_one_over_one_plus_x_lut", ops::SoftmaxInt16ReciprocalLut());
    details.push_back("input multiplier " + std::to_string(m.multiplier) + " shift " + std::to_string(m.shift) +
                      " (beta * s_in / (10 / 65535))");
    details.push_back(exp_lut + ": exp on [-10, 0], " + reciprocal_lut +
                      ": 1 / (1 + x) on [0, 1], Q0.15 (513 entries, interpolated)");
    body = Int16Body(m, depth, exp_lut, reciprocal_lut);
  } else {
    const Int8Params p = PrepareInt8(ctx, beta);
    details.push_back("input multiplier " + std::to_string(p.m.multiplier) + " shift " +
                      std::to_string(p.m.shift) + ", diff_min " + std::to_string(p.diff_min) +
                      (out_dtype == ir::DType::kInt16 ? ", int16 output" : ""));
    body = Int8Body(p, depth, out_dtype == ir::DType::kInt16 ? 16 : 8);
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitRowLoop(ctx, row_shape, ctype, out_ctype, body) + "}\n";
  // Element c of a row is read (for the last time) just before it is written;
  // int8 -> int16 writes two bytes per input byte, so it is never in place.
  k.inplace_ok = !in.is_const() && in.dtype == out_dtype;
  return k;
}

}  // namespace

extern const KernelEmitter kSoftmaxEmitter = {ir::OpKind::kSoftmax, Emit};

}  // namespace ember::codegen::c
