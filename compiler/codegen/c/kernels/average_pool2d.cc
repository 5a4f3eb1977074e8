// average_pool2d: C emitter. NHWC window average over the in-image taps only.
//
// Bit-exact with ops/average_pool2d.cc: int8 sums the raw values in int32 and
// divides by the tap count n rounding half away from zero,
// acc > 0 ? (acc + n/2) / n : (acc - n/2) / n (C division truncates), then
// clamps to the fused activation range (int16 the same); f32 sums in window order (rows, then
// columns) and divides by (float)n. Interior pixels divide by a constant.
#include <algorithm>
#include <optional>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/window_overlap.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/conv_util.h"
#include "ops/op_util.h"

namespace ember::codegen::c {
namespace {

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
    const std::string lo = std::to_string(range.min), hi = std::to_string(range.max);
    const std::string half = count[0] == '(' ? count + " / 2" : std::to_string(std::stoll(count) / 2);
    b += "  acc = acc > 0 ? (acc + " + half + ") / " + count + " : (acc - " + half + ") / " + count +
         ";\n";
    b += "  acc = acc < " + lo + " ? " + lo + " : acc;\n";
    b += "  o[c] = (" + ctype + ")(acc > " + hi + " ? " + hi + " : acc);\n";
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

// The rounding division of int32 `a` (a sum of `n` taps) and the clamp, stored to `dst`.
std::string DivideStore(const std::string& a, int64_t n, ops::Int32Range range, const std::string& dst) {
  const std::string ns = std::to_string(n), half = std::to_string(n / 2);
  const std::string lo = std::to_string(range.min), hi = std::to_string(range.max);
  return "{\n  int32_t v = " + a + ";\n  v = v > 0 ? (v + " + half + ") / " + ns + " : (v - " + half + ") / " + ns +
         ";\n  v = v < " + lo + " ? " + lo + " : v;\n  " + dst + " = (int8_t)(v > " + hi + " ? " + hi + " : v);\n}\n";
}

// int8 (TFLite's arithmetic) with a window that is the whole unpadded input:
// its pixels are contiguous, so the channels are summed in vectors over them.
// Helium: int32 lanes, 16 channels per pass (ember_mve_ld8x4 widening loads;
// the last channels' loads read only the channels that exist). DSP cores:
// int16 lane pairs (SXTB16, SADD16), 8 channels per pass, when the window
// has at most 255 taps (|sum| <= 255 * 128 < 2^15); the channels beyond the
// last multiple of 8 in plain C. Then each channel's rounding division as in
// the portable kernel. Channels are finished in ascending groups, each after
// its own taps were read (the channel-step access order of the portable
// kernel, with fewer writes between reads).
std::optional<std::string> WholeInputSimd(const KernelContext& ctx, const ops::PoolGeom& s, ops::Int32Range range) {
  const int64_t n = s.in_h * s.in_w, c = s.channels;
  const std::string ns = std::to_string(n), cs = std::to_string(c);
  std::string b = "for (int b = 0; b < " + std::to_string(s.batch) + "; ++b) {\n";
  b += "  const int8_t* const x = in0 + b * " + std::to_string(n * c) + ";\n";
  b += "  int8_t* const o = out0 + b * " + cs + ";\n";
  std::string g;
  if (ctx.target.has_mve) {
    // A group of `ch` channels from `c0` (literal, or "c" in the loop).
    auto group = [&](const std::string& c0, int64_t ch) {
      const int64_t vecs = (ch + 3) / 4;
      std::string t = "ember_v32 ";
      for (int64_t v = 0; v < vecs; ++v) t += (v ? ", s" : "s") + std::to_string(v) + " = ember_mve_set4(0, 0, 0, 0)";
      t += ";\nconst int8_t* p = x + " + c0 + ";\n";
      t += "for (int i = 0; i < " + ns + "; ++i, p += " + cs + ") {\n";
      for (int64_t v = 0; v < vecs; ++v) {
        const int64_t lanes = std::min<int64_t>(4, ch - 4 * v);
        const std::string at = v ? "p + " + std::to_string(4 * v) : "p";
        t += "  s" + std::to_string(v) + " = ember_mve_add(s" + std::to_string(v) + ", " +
             (lanes == 4 ? "ember_mve_ld8x4(" + at + ")" : "ember_mve_ld8x4_n(" + at + ", " + std::to_string(lanes) + ")") +
             ");\n";
      }
      t += "}\n{\n  int32_t t[" + std::to_string(4 * vecs) + "];\n";
      for (int64_t v = 0; v < vecs; ++v)
        t += "  ember_mve_st32(t + " + std::to_string(4 * v) + ", s" + std::to_string(v) + ");\n";
      t += "  for (int j = 0; j < " + std::to_string(ch) + "; ++j)\n";
      t += Reindent(DivideStore("t[j]", n, range, "o[" + c0 + " + j]"), 4) + "}\n";
      return t;
    };
    const int64_t full = c / 16 * 16;
    if (full > 0) g += "for (int c = 0; c < " + std::to_string(full) + "; c += 16) {\n" + Reindent(group("c", 16), 2) + "}\n";
    if (c > full) g += "{\n" + Reindent(group(std::to_string(full), c - full), 2) + "}\n";
    b += "  /* Helium: int32 sums of 16 channels per pass over the " + ns + " contiguous pixels */\n";
  } else if (ctx.target.has_dsp && n <= 255) {
    const int64_t full = c / 8 * 8;
    if (full > 0) {
      g += "for (int c = 0; c < " + std::to_string(full) + "; c += 8) {\n";
      g += "  int32_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;  /* channels (0, 2), (1, 3), (4, 6), (5, 7) */\n";
      g += "  const int8_t* p = x + c;\n";
      g += "  for (int i = 0; i < " + ns + "; ++i, p += " + cs + ") {\n";
      g += "    const int32_t u = ember_read_s8x4(p), v = ember_read_s8x4(p + 4);\n";
      g += "    a0 = ember_sadd16(a0, ember_sxtb16(u));\n    a1 = ember_sadd16(a1, ember_sxtb16_ror8(u));\n";
      g += "    a2 = ember_sadd16(a2, ember_sxtb16(v));\n    a3 = ember_sadd16(a3, ember_sxtb16_ror8(v));\n  }\n";
      g += "  {\n    const int32_t t[8] = {(int16_t)a0, (int16_t)a1, (int16_t)((uint32_t)a0 >> 16), (int16_t)((uint32_t)a1 >> 16),\n                         (int16_t)a2, (int16_t)a3, (int16_t)((uint32_t)a2 >> 16), (int16_t)((uint32_t)a3 >> 16)};\n";
      g += "    for (int j = 0; j < 8; ++j)\n" + Reindent(DivideStore("t[j]", n, range, "o[c + j]"), 6) + "  }\n}\n";
    }
    if (c > full) {
      g += "for (int c = " + std::to_string(full) + "; c < " + cs + "; ++c) {  /* the last channels */\n";
      g += "  int32_t a = 0;\n  for (int i = 0; i < " + ns + "; ++i) a += x[i * " + cs + " + c];\n";
      g += Reindent(DivideStore("a", n, range, "o[c]"), 2) + "}\n";
    }
    b += "  /* DSP: int16 sums of 8 channels per pass (SXTB16, SADD16) over the " + ns + " contiguous pixels */\n";
  } else {
    return std::nullopt;
  }
  return b + Reindent(g, 2) + "}\n";
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
