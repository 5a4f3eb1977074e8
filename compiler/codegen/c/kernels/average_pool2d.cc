// average_pool2d: C emitter. NHWC window average over the in-image taps only.
//
// Bit-exact with ops/average_pool2d.cc: int8 sums the raw values in int32 and
// divides by the tap count n rounding half away from zero,
// acc > 0 ? (acc + n/2) / n : (acc - n/2) / n (C division truncates), then
// clamps to the fused activation range (int16 the same); f32 sums in window order (rows, then
// columns) and divides by (float)n. Interior pixels divide by a constant.
#include <optional>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/mve/kernels.h"
#include "codegen/c/kernels/window_overlap.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/conv_util.h"
#include "ops/op_util.h"

namespace ember::codegen::c {
namespace {

// int32 `v` (a sum of `count` taps) divided by the count rounding half away
// from zero (C division truncates), clamped to `range` and stored to `dst`.
std::string DivideClampStore(const std::string& v, const std::string& count, ops::Int32Range range,
                             const std::string& ctype, const std::string& dst) {
  const std::string lo = std::to_string(range.min), hi = std::to_string(range.max);
  const std::string half = count[0] == '(' ? count + " / 2" : std::to_string(std::stoll(count) / 2);
  return v + " = " + v + " > 0 ? (" + v + " + " + half + ") / " + count + " : (" + v + " - " + half + ") / " + count +
         ";\n" + v + " = " + v + " < " + lo + " ? " + lo + " : " + v + ";\n" + dst + " = (" + ctype + ")(" + v + " > " +
         hi + " ? " + hi + " : " + v + ");\n";
}

// One output pixel over the taps [yb, ye) x [xb, xe); `count` is the tap
// count (a literal for interior pixels).
std::string Body(const ops::PoolGeom& s, bool is_float, const std::string& ctype, ops::Int32Range range,
                 ops::Activation act, const std::string& yb, const std::string& ye, const std::string& xb,
                 const std::string& xe, const std::string& count) {
  const std::string ch = std::to_string(s.channels);
  std::string b = "for (int c = 0; c < " + ch + "; ++c) {\n";
  b += is_float ? "  float acc = 0.0f;\n" : "  int32_t acc = 0;\n";
  b += "  for (int ky = " + yb + "; ky < " + ye + "; ++ky) {\n";
  b += "    for (int kx = " + xb + "; kx < " + xe + "; ++kx) acc += in[((y0 + ky) * " +
       std::to_string(s.in_w) + " + x0 + kx) * " + ch + " + c];\n  }\n";
  if (is_float) {
    const std::string div = count[0] == '(' ? "(float)" + count : CFloat(std::stof(count));
    b += "  const float v = acc / " + div + ";\n" + Reindent(FloatClamp("o[c]", "v", act), 2);
  } else {
    b += Reindent(DivideClampStore("acc", count, range, ctype, "o[c]"), 2);
  }
  return b + "}\n";
}

// int8 with int8_semantics "onnxruntime" (ops/average_pool2d.cc): a window
// that is the whole unpadded input sums in int32 and requantizes with
// ember_requant_f32 (QLinearGlobalAveragePool); any other window sums the
// dequantized taps s_in * (x - z_in) in float32, divides by the tap count and
// quantizes avg / s_out + z_out rounding half to even (QLinearAveragePool;
// with onnx_uint8, z_out + 128 and the result minus 128, as ONNX Runtime
// adds the uint8 zero point).
std::string OrtBody(const ops::PoolGeom& s, bool global, float s_in, int32_t z_in, float s_out, int32_t z_out,
                    int32_t u, float global_scale, ops::Int32Range range, const std::string& yb, const std::string& ye,
                    const std::string& xb, const std::string& xe, const std::string& count) {
  const std::string ch = std::to_string(s.channels);
  const std::string lo = std::to_string(range.min), hi = std::to_string(range.max);
  std::string b = "for (int c = 0; c < " + ch + "; ++c) {\n";
  const std::string tap = "in[((y0 + ky) * " + std::to_string(s.in_w) + " + x0 + kx) * " + ch + " + c]";
  b += global ? "  int32_t acc = 0;\n" : "  float acc = 0.0f;\n";
  b += "  for (int ky = " + yb + "; ky < " + ye + "; ++ky) {\n";
  b += "    for (int kx = " + xb + "; kx < " + xe + "; ++kx) acc += " +
       (global ? tap : CFloat(s_in) + " * (float)(" + tap + " - " + CInt(z_in) + ")") + ";\n  }\n";
  if (global) {
    const auto neg_zn = static_cast<int32_t>(static_cast<uint32_t>(-(int64_t{z_in} * s.in_h * s.in_w)));
    b += "  o[c] = (int8_t)ember_requant_f32(ember_wrap_add(acc, " + CInt(neg_zn) + "), " + CFloat(global_scale) +
         ", " + CInt(z_out) + ", " + lo + ", " + hi + ");\n";
  } else {
    const std::string div = count[0] == '(' ? "(float)" + count : CFloat(std::stof(count));
    // u: on the uint8 values where ONNX Runtime computes on uint8 (ops::OnnxUint8Offset).
    const std::string flo = CFloat(static_cast<float>(range.min + u)), fhi = CFloat(static_cast<float>(range.max + u));
    b += "  float v = acc / " + div + ";\n";
    b += "  v = v / " + CFloat(s_out) + " + " + CFloat(static_cast<float>(z_out + u)) + ";\n";
    b += "  v = v >= " + flo + " ? v : " + flo + ";\n  v = v > " + fhi + " ? " + fhi + " : v;\n";
    b += "  o[c] = (int8_t)" + (u ? "(ember_round_even_small(v) - " + std::to_string(u) + ")" : "ember_round_even_small(v)") +
         ";\n";
  }
  return b + "}\n";
}

// int8 (TFLite's arithmetic) with a window that is the whole unpadded input:
// its pixels are contiguous, so the Helium and DSP variants (kernels/mve/,
// kernels/dsp/ average_pool2d.cc) sum the channels in vectors over them, then
// each channel's rounding division as in the portable kernel.
std::optional<std::string> WholeInputSimd(const KernelContext& ctx, const ops::PoolGeom& s, ops::Int32Range range) {
  const WholeInputPool w{s.batch, s.in_h * s.in_w, s.channels,
                         [&](const std::string& a, const std::string& dst) {
                           return "{\n  int32_t v = " + a + ";\n" +
                                  Reindent(DivideClampStore("v", std::to_string(s.in_h * s.in_w), range, "int8_t", dst), 2) +
                                  "}\n";
                         }};
  if (ctx.target.has_mve) return mve::EmitWholeInputPoolBody(w);
  if (ctx.target.has_dsp) return dsp::EmitWholeInputPoolBody(w);
  return std::nullopt;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  ops::Window w;
  ops::PoolGeom s{};
  ops::Int32Range range{};
  EMBER_RETURN_IF_ERROR(ops::ParsePool(g, n, &w, &s, &range));
  const ir::DType dtype = g.tensor(n.inputs[0]).dtype;
  const bool is_float = dtype == ir::DType::kFloat32;
  const bool int16 = dtype == ir::DType::kInt16;
  const std::string ctype = is_float ? "float" : int16 ? "int16_t" : "int8_t";
  if (w.filter_h * w.filter_w >= (int64_t{1} << (int16 ? 16 : 24))) {
    return EmitError(ctx, "window " + std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                              " has 2^" + (int16 ? "16" : "24") + " taps or more, too many for an int32 sum",
                     "use a smaller pooling window");
  }
  const PixelLoop loop{ctype.c_str(), s.batch, s.channels, s.channels,
                       {s.in_h, w.filter_h, w.stride_h, 1, w.pad_top, s.out_h},
                       {s.in_w, w.filter_w, w.stride_w, 1, w.pad_left, s.out_w}};
  std::string comment = "/* average_pool2d '" + n.name + "': " + TypeString(g, n.inputs[0]) +
                        " -> " + TypeString(g, n.outputs[0]) + ", filter " +
                        std::to_string(w.filter_h) + "x" + std::to_string(w.filter_w) +
                        ", stride " + std::to_string(w.stride_h) + "x" +
                        std::to_string(w.stride_w) + ", pad " + PadString(w) + ", act " +
                        ops::DescribeActivation(w.act);
  const bool ort = !is_float && OnnxRuntimeInt8(ctx);
  const bool global = ort && w.filter_h == s.in_h && w.filter_w == s.in_w && s.out_h == 1 && s.out_w == 1 &&
                      w.pad_top == 0 && w.pad_left == 0 && w.pad_bottom == 0 && w.pad_right == 0;
  if (ort)
    comment += std::string("\n   int8 as ONNX Runtime's ") +
               (global ? "QLinearGlobalAveragePool (int32 sum, float32 scale)" : "QLinearAveragePool (float32 sum)") +
               ", clamp [" + std::to_string(range.min) + ", " + std::to_string(range.max) + "]";
  else if (!is_float)
    comment += "\n   " + std::string(int16 ? "int16" : "int8") + ": same quantization in and out, rounding half away from zero, clamp [" +
               std::to_string(range.min) + ", " + std::to_string(range.max) + "]";
  comment += " */\n";
  const std::string kh = std::to_string(w.filter_h), kw = std::to_string(w.filter_w);
  const TensorQuant qi = ort ? QuantOf(g, n.inputs[0]) : TensorQuant{};
  const TensorQuant qo = ort ? QuantOf(g, n.outputs[0]) : TensorQuant{};
  const float global_scale = global ? ops::OrtMeanScale(g, n, w.filter_h * w.filter_w) : 0.0f;
  auto body = [&](const std::string& yb, const std::string& ye, const std::string& xb, const std::string& xe,
                  const std::string& count) {
    if (ort)
      return OrtBody(s, global, qi.scale, qi.zero_point, qo.scale, qo.zero_point, ops::OnnxUint8Offset(n),
                     global_scale, range, yb, ye, xb, xe, count);
    return Body(s, is_float, ctype, range, w.act, yb, ye, xb, xe, count);
  };
  const bool whole = w.filter_h == s.in_h && w.filter_w == s.in_w && s.out_h == 1 && s.out_w == 1 &&
                     w.pad_top == 0 && w.pad_left == 0 && w.pad_bottom == 0 && w.pad_right == 0;
  if (whole && !is_float && !int16 && !ort) {
    if (std::optional<std::string> simd = WholeInputSimd(ctx, s, range)) {
      Kernel k;
      k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" + *simd + "}\n";
      DeclareOverlap(&k, ChannelStepOverlapDelta(loop, 1, 1));
      return k;
    }
  }
  const std::string interior = body("0", kh, "0", kw, std::to_string(w.filter_h * w.filter_w));
  const std::string border = HasBorder(loop) ? body("kyb", "kye", "kxb", "kxe", "((kye - kyb) * (kxe - kxb))") : "";
  Kernel k;
  k.code = comment + "static void " + ctx.fn_name + "(" + KernelParams(ctx, 0) + ") {\n" +
           EmitPixelLoops(loop, interior, border) + "}\n";
  // Per pixel, each channel is written right after summing its taps.
  DeclareOverlap(&k, ChannelStepOverlapDelta(loop, 1, static_cast<int64_t>(ir::DTypeSize(dtype))));
  return k;
}

}  // namespace

extern const KernelEmitter kAveragePool2DEmitter = {ir::OpKind::kAveragePool2D, Emit};

}  // namespace ember::codegen::c
