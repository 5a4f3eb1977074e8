// transpose_conv: C kernel for the transposed 2-D convolution
// (docs/numerics.md, "transpose_conv"), portable C for every target.
//
// A gather per output element (b, oy, ox, oc): filter rows ky from KH-1 down
// to 0 whose input row iy = (oy + pad_top - ky) / stride_h is whole and in
// the image (likewise columns), so input pixels come in ascending (iy, ix)
// order and channels ascending, the reference's float32 order; no scratch
// buffer. int8: acc = sum w*(x - z_in) in int32 (wrapping form when the
// compile-time bound exceeds int32), + bias, then conv2d's per-channel
// requantization with the reference's multipliers as literals. 16x8 (int16
// input and output, int8 filter, int64 or int16 bias): the products summed as
// conv2d's 16x8 kernel does (conv_int16.h), + bias, then MBQM64. float32: acc
// from 0.0f, + bias, then the activation clamp.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/conv_int16.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/transpose_conv_util.h"

namespace ember::codegen::c {
namespace {

// The loops over the filter taps and input channels reaching output (oy, ox)
// for channel oc; `mac` is the statement run per channel with p, q the input
// and filter offsets.
std::string TapLoops(const ops::TransposeConvGeom& s, const ops::Window& w, const std::string& mac) {
  std::string c;
  c += "        for (int32_t ky = " + CInt(s.k_h - 1) + "; ky >= 0; --ky) {\n";
  c += "          const int32_t ty = oy + " + CInt(w.pad_top) + " - ky;\n";
  c += "          if (ty < 0 || ty % " + CInt(w.stride_h) + " != 0 || ty / " + CInt(w.stride_h) +
       " >= " + CInt(s.in_h) + ") continue;\n";
  c += "          for (int32_t kx = " + CInt(s.k_w - 1) + "; kx >= 0; --kx) {\n";
  c += "            const int32_t tx = ox + " + CInt(w.pad_left) + " - kx;\n";
  c += "            if (tx < 0 || tx % " + CInt(w.stride_w) + " != 0 || tx / " + CInt(w.stride_w) +
       " >= " + CInt(s.in_w) + ") continue;\n";
  c += "            {\n";
  c += "              const int32_t p = ((b * " + CInt(s.in_h) + " + ty / " + CInt(w.stride_h) +
       ") * " + CInt(s.in_w) + " + tx / " + CInt(w.stride_w) + ") * " + CInt(s.in_c) + ";\n";
  c += "              const int32_t q = ((oc * " + CInt(s.k_h) + " + ky) * " + CInt(s.k_w) +
       " + kx) * " + CInt(s.in_c) + ";\n";
  c += "              for (int32_t ic = 0; ic < " + CInt(s.in_c) + "; ++ic) " + mac + "\n";
  c += "            }\n          }\n        }\n";
  return c;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  ops::Window w;
  ops::TransposeConvGeom s{};
  bool quantized = false;
  EMBER_RETURN_IF_ERROR(ops::ParseTransposeConv(g, n, &w, &s, &quantized));
  const std::string x = OperandName(ctx, 0);
  const std::string f = OperandName(ctx, 1);
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  const std::string bias = has_bias ? OperandName(ctx, 2) : "";
  std::vector<std::string> details = {
      "stride " + std::to_string(w.stride_h) + "x" + std::to_string(w.stride_w) + ", pad [" +
      std::to_string(w.pad_top) + ", " + std::to_string(w.pad_left) + ", " +
      std::to_string(w.pad_bottom) + ", " + std::to_string(w.pad_right) + "], filter " +
      std::to_string(s.k_h) + "x" + std::to_string(s.k_w) + ", activation " +
      ops::DescribeActivation(w.act)};
  std::string body;
  if (quantized && g.tensor(n.inputs[0]).dtype == ir::DType::kInt16) {
    // 16x8: the products summed as conv2d's 16x8 kernel (int32 when the
    // compile-time bound fits, else the 64-bit sum), + bias, MBQM64.
    Int16Requant rq;
    EMBER_RETURN_IF_ERROR(rq.Init(ctx, s.out_c, ops::MultiplierFormula::kDouble));
    const std::vector<int8_t> filter = Int8Data(g, n.inputs[1]);  // empty when computed at run time
    rq.SetBound(filter.empty() ? s.k_h * s.k_w * s.in_c * 128 * 32768 : SumBound(filter, s.out_c, 0, LeadingRow));
    details.push_back(rq.Describe());
    body += "        " + rq.Decl();
    body += TapLoops(s, w, rq.Term("(int32_t)" + f + "[q + ic] * " + x + "[p + ic]"));
    body += "        " + rq.Store("out0[o]", "oc");
  } else if (quantized) {
    Requant rq;
    EMBER_RETURN_IF_ERROR(rq.Init(ctx, s.out_c, ops::MultiplierFormula::kDouble));
    details.push_back(rq.Describe());
    const AccType acc = ChooseAcc(s.k_h * s.k_w * s.in_c * 255 * 128);
    const std::string mac = "acc += " + acc.From("(int32_t)" + f + "[q + ic] * ((int32_t)" + x +
                                                  "[p + ic]" + MinusZ(rq.params().input_zp) + ")") +
                            ";";
    body += "        " + acc.Decl() + " acc = 0;\n";
    body += TapLoops(s, w, mac);
    body += "        {\n          const int32_t total = " +
            (has_bias ? "ember_wrap_add(" + acc.ToInt32("acc") + ", " + bias + "[oc])"
                      : acc.ToInt32("acc")) +
            ";\n";
    body += "          " + rq.Store("out0[o]", "total", "oc") + "\n        }\n";
  } else {
    body += "        float acc = 0.0f;\n";
    body += TapLoops(s, w, "acc += " + x + "[p + ic] * " + f + "[q + ic];");
    body += "        {\n          const float v = acc + " + (has_bias ? bias + "[oc]" : "0.0f") +
            ";\n";
    body += "          " + FloatClamp("out0[o]", "v", w.act) + "\n        }\n";
  }
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  int32_t o = 0;\n";
  k.code += "  for (int32_t b = 0; b < " + CInt(s.batch) + "; ++b) {\n";
  k.code += "  for (int32_t oy = 0; oy < " + CInt(s.out_h) + "; ++oy) {\n";
  k.code += "    for (int32_t ox = 0; ox < " + CInt(s.out_w) + "; ++ox) {\n";
  k.code += "      for (int32_t oc = 0; oc < " + CInt(s.out_c) + "; ++oc, ++o) {\n";
  k.code += body;
  k.code += "      }\n    }\n  }\n  }\n}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kTransposeConvEmitter = {ir::OpKind::kTransposeConv, Emit};

}  // namespace ember::codegen::c
