// ONNX import of 1-D convolution and pooling ([N, C, W] tensors, as
// PyTorch's Conv1d, ConvTranspose1d, MaxPool1d, AvgPool1d and
// AdaptiveAvgPool1d(1) export them): each operator against a direct 1-D loop
// written here in ONNX's own terms, the 2-D IR operator over H = 1 that the
// importer makes, and the pass pipeline on a plain 1-D CNN (no transpose or
// reshape left between the operators, BatchNormalization folded).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ir/printer.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using ir::OpKind;
using test::OnnxBuilder;

int Count(const ir::Graph& g, OpKind k) {
  int n = 0;
  for (const auto& node : g.nodes) n += node.op == k;
  return n;
}

const ir::Node* Find(const ir::Graph& g, OpKind k) {
  for (const auto& node : g.nodes)
    if (node.op == k) return &node;
  return nullptr;
}

// ONNX Conv over [N, C, W]: weights [O, C/group, K], pads [begin, end].
std::vector<float> Conv1dRef(const std::vector<float>& x, int64_t n, int64_t c, int64_t w, const std::vector<float>& wt,
                             int64_t o, int64_t k, const std::vector<float>& bias, int64_t group, int64_t stride,
                             int64_t dil, int64_t pb, int64_t pe, int64_t* ow) {
  const int64_t cg = c / group, opg = o / group;
  *ow = (w + pb + pe - ((k - 1) * dil + 1)) / stride + 1;
  std::vector<float> y(static_cast<size_t>(n * o * *ow));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t ox = 0; ox < *ow; ++ox) {
        float acc = bias.empty() ? 0.0f : bias[static_cast<size_t>(oc)];
        for (int64_t ic = 0; ic < cg; ++ic)
          for (int64_t kx = 0; kx < k; ++kx) {
            const int64_t ix = ox * stride - pb + kx * dil;
            if (ix < 0 || ix >= w) continue;
            const int64_t cin = (oc / opg) * cg + ic;
            acc += x[static_cast<size_t>((b * c + cin) * w + ix)] * wt[static_cast<size_t>((oc * cg + ic) * k + kx)];
          }
        y[static_cast<size_t>((b * o + oc) * *ow + ox)] = acc;
      }
  return y;
}

struct Conv1dCase {
  const char* name;
  int64_t c, w, o, k, group, stride, dil, pb, pe;
  const char* auto_pad;
  OpKind expect;
};

class OnnxConv1d : public testing::TestWithParam<Conv1dCase> {};

TEST_P(OnnxConv1d, IsTheTwoDOperatorOverHeightOneAndMatchesADirectLoop) {
  const Conv1dCase& p = GetParam();
  const int64_t n = 1;
  OnnxBuilder b;
  b.Input("x", {n, p.c, p.w});
  const std::vector<float> wt = Ramp(static_cast<size_t>(p.o * (p.c / p.group) * p.k), 0.125f, -0.5f);
  const std::vector<float> bias = Ramp(static_cast<size_t>(p.o), 0.5f, -1.0f);
  b.Init("w", {p.o, p.c / p.group, p.k}, wt);
  b.Init("b", {p.o}, bias);
  auto node = b.Node("Conv", {"x", "w", "b"}, {"y"}, "conv1d");
  node.Int("group", p.group).Ints("strides", {p.stride}).Ints("dilations", {p.dil});
  if (std::string(p.auto_pad).empty()) node.Ints("pads", {p.pb, p.pe}); else node.Str("auto_pad", p.auto_pad);
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  const ir::Node* conv = Find(g, p.expect);
  ASSERT_NE(conv, nullptr) << ir::Print(g);
  // The 2-D operator over [N, 1, W, C]: H stride 1, no H padding, an H kernel of 1.
  EXPECT_EQ(g.tensor(conv->inputs[0]).shape, (ir::Shape{n, 1, p.w, p.c}));
  EXPECT_EQ(conv->GetInts("stride"), (std::vector<int64_t>{1, p.stride}));
  EXPECT_EQ(conv->GetInts("dilation"), (std::vector<int64_t>{1, p.dil}));
  EXPECT_EQ(g.tensor(conv->inputs[1]).shape[1], 1);
  EXPECT_EQ(g.tensor(g.inputs[0]).shape, (ir::Shape{n, p.c, p.w}));  // ONNX layout at the input
  int64_t pb = p.pb, pe = p.pe;
  if (std::string(p.auto_pad) == "VALID") pb = pe = 0;
  if (std::string(p.auto_pad).rfind("SAME", 0) == 0) {
    const int64_t out = (p.w + p.stride - 1) / p.stride;
    const int64_t total = std::max<int64_t>(0, (out - 1) * p.stride + (p.k - 1) * p.dil + 1 - p.w);
    pb = std::string(p.auto_pad) == "SAME_UPPER" ? total / 2 : total - total / 2;
    pe = total - pb;
  }
  EXPECT_EQ(conv->GetInts("pad"), (std::vector<int64_t>{0, pb, 0, pe}));
  const std::vector<float> x = Ramp(static_cast<size_t>(n * p.c * p.w));
  int64_t ow = 0;
  const std::vector<float> ref = Conv1dRef(x, n, p.c, p.w, wt, p.o, p.k, bias, p.group, p.stride, p.dil, pb, pe, &ow);
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{n, p.o, ow}));
  EXPECT_EQ(g.tensor(g.outputs[0]).name, "y");
  ExpectNear(Eval(g, x), ref, 1e-4f);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, OnnxConv1d,
    testing::Values(Conv1dCase{"plain", 3, 10, 4, 3, 1, 1, 1, 1, 1, "", OpKind::kConv2D},
                    Conv1dCase{"strided_asym_pads", 2, 11, 3, 4, 1, 2, 1, 2, 1, "", OpKind::kConv2D},
                    Conv1dCase{"dilated", 2, 16, 2, 3, 1, 1, 2, 0, 0, "", OpKind::kConv2D},
                    Conv1dCase{"grouped", 4, 9, 6, 3, 2, 1, 1, 1, 1, "", OpKind::kConv2D},
                    Conv1dCase{"depthwise", 4, 12, 4, 5, 4, 2, 1, 2, 2, "", OpKind::kDepthwiseConv2D},
                    Conv1dCase{"depthwise_mult2", 3, 9, 6, 3, 3, 1, 1, 0, 0, "", OpKind::kDepthwiseConv2D},
                    Conv1dCase{"same_upper", 2, 13, 3, 4, 1, 2, 1, 0, 0, "SAME_UPPER", OpKind::kConv2D},
                    Conv1dCase{"same_lower", 2, 13, 3, 4, 1, 2, 1, 0, 0, "SAME_LOWER", OpKind::kConv2D},
                    Conv1dCase{"valid", 2, 13, 3, 3, 1, 2, 1, 0, 0, "VALID", OpKind::kConv2D}),
    [](const testing::TestParamInfo<Conv1dCase>& i) { return std::string(i.param.name); });

// ONNX MaxPool / AveragePool over [N, C, W] (count_include_pad, ceil_mode).
std::vector<float> Pool1dRef(const std::vector<float>& x, int64_t n, int64_t c, int64_t w, int64_t k, int64_t s,
                             int64_t pb, int64_t pe, bool max, bool include_pad, bool ceil, int64_t* ow) {
  const int64_t span = w + pb + pe - k;
  *ow = (ceil ? (span + s - 1) / s : span / s) + 1;
  std::vector<float> y(static_cast<size_t>(n * c * *ow));
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t ox = 0; ox < *ow; ++ox) {
        float acc = max ? -std::numeric_limits<float>::infinity() : 0.0f;
        int64_t count = 0;
        for (int64_t kx = 0; kx < k; ++kx) {
          const int64_t ix = ox * s - pb + kx;
          if (ix >= w + pe) break;  // beyond the padded input (ceil_mode's last window)
          if (ix < 0 || ix >= w) {
            count += include_pad;
            continue;
          }
          const float v = x[static_cast<size_t>((b * c + ch) * w + ix)];
          acc = max ? std::max(acc, v) : acc + v;
          ++count;
        }
        y[static_cast<size_t>((b * c + ch) * *ow + ox)] = max ? acc : acc / static_cast<float>(count);
      }
  return y;
}

struct Pool1dCase {
  const char* name;
  bool max;
  int64_t k, s, pb, pe;
  bool include_pad, ceil;
};

class OnnxPool1d : public testing::TestWithParam<Pool1dCase> {};

TEST_P(OnnxPool1d, IsTheTwoDPoolOverHeightOneAndMatchesADirectLoop) {
  const Pool1dCase& p = GetParam();
  const int64_t n = 1, c = 3, w = 11;
  OnnxBuilder b;
  b.Input("x", {n, c, w});
  auto node = b.Node(p.max ? "MaxPool" : "AveragePool", {"x"}, {"y"}, "pool1d");
  node.Ints("kernel_shape", {p.k}).Ints("strides", {p.s}).Ints("pads", {p.pb, p.pe});
  if (p.include_pad) node.Int("count_include_pad", 1);
  if (p.ceil) node.Int("ceil_mode", 1);
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  const ir::Node* pool = Find(g, p.max ? OpKind::kMaxPool2D : OpKind::kAveragePool2D);
  ASSERT_NE(pool, nullptr) << ir::Print(g);
  EXPECT_EQ(pool->GetInts("filter"), (std::vector<int64_t>{1, p.k}));
  EXPECT_EQ(pool->GetInts("stride"), (std::vector<int64_t>{1, p.s}));
  const std::vector<float> x = Ramp(static_cast<size_t>(n * c * w));
  int64_t ow = 0;
  const std::vector<float> ref = Pool1dRef(x, n, c, w, p.k, p.s, p.pb, p.pe, p.max, p.include_pad, p.ceil, &ow);
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{n, c, ow}));
  ExpectNear(Eval(g, x), ref, 1e-5f);
}

INSTANTIATE_TEST_SUITE_P(Cases, OnnxPool1d,
                         testing::Values(Pool1dCase{"max", true, 2, 2, 0, 0, false, false},
                                         Pool1dCase{"max_padded", true, 3, 2, 1, 1, false, false},
                                         Pool1dCase{"max_ceil", true, 3, 2, 0, 0, false, true},
                                         Pool1dCase{"avg", false, 3, 1, 0, 0, false, false},
                                         Pool1dCase{"avg_padded", false, 3, 2, 1, 1, false, false},
                                         Pool1dCase{"avg_include_pad", false, 3, 2, 1, 1, true, false},
                                         Pool1dCase{"avg_ceil", false, 2, 2, 0, 0, false, true}),
                         [](const testing::TestParamInfo<Pool1dCase>& i) { return std::string(i.param.name); });

TEST(OnnxImport1d, GlobalPoolsReduceTheSignalAxis) {
  const int64_t n = 1, c = 4, w = 7;
  for (const bool max : {false, true}) {
    OnnxBuilder b;
    b.Input("x", {n, c, w});
    b.Node(max ? "GlobalMaxPool" : "GlobalAveragePool", {"x"}, {"y"}, "gp");
    b.Output("y");
    const ir::Graph g = MustImport(b.Bytes());
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{n, c, 1}));
    const std::vector<float> x = Ramp(static_cast<size_t>(n * c * w));
    std::vector<float> ref;
    for (int64_t ch = 0; ch < c; ++ch) {
      float acc = max ? -std::numeric_limits<float>::infinity() : 0.0f;
      for (int64_t i = 0; i < w; ++i) {
        const float v = x[static_cast<size_t>(ch * w + i)];
        acc = max ? std::max(acc, v) : acc + v;
      }
      ref.push_back(max ? acc : acc / static_cast<float>(w));
    }
    ExpectNear(Eval(g, x), ref, 1e-5f);
  }
}

// ONNX ConvTranspose over [N = 1, C, W]: weights [C, O, K], dilation d,
// pads [pb, pe], output_padding op: y[o, i*s - pb + kx*d] += x[c, i] * w[c, o, kx].
std::vector<float> ConvTranspose1dRef(const std::vector<float>& x, int64_t c, int64_t w, const std::vector<float>& wt,
                                      const std::vector<float>& bias, int64_t o, int64_t k, int64_t s, int64_t d,
                                      int64_t pb, int64_t pe, int64_t op) {
  const int64_t ow = s * (w - 1) + op + (k - 1) * d + 1 - pb - pe;
  std::vector<float> ref(static_cast<size_t>(o * ow));
  for (int64_t oc = 0; oc < o; ++oc)
    for (int64_t j = 0; j < ow; ++j) ref[static_cast<size_t>(oc * ow + j)] = bias[static_cast<size_t>(oc)];
  for (int64_t ic = 0; ic < c; ++ic)
    for (int64_t i = 0; i < w; ++i)
      for (int64_t oc = 0; oc < o; ++oc)
        for (int64_t kx = 0; kx < k; ++kx) {
          const int64_t j = i * s - pb + kx * d;
          if (j < 0 || j >= ow) continue;
          ref[static_cast<size_t>(oc * ow + j)] +=
              x[static_cast<size_t>(ic * w + i)] * wt[static_cast<size_t>((ic * o + oc) * k + kx)];
        }
  return ref;
}

TEST(OnnxImport1d, ConvTransposeMatchesADirectLoop) {
  for (const int64_t d : {1, 3}) {
    SCOPED_TRACE("dilation " + std::to_string(d));
    const int64_t c = 2, w = 5, o = 3, k = 3, s = 2, pb = 1, pe = 0, op = 1;
    OnnxBuilder b;
    b.Input("x", {1, c, w});
    const std::vector<float> wt = Ramp(static_cast<size_t>(c * o * k), 0.125f, -0.5f);
    const std::vector<float> bias = {0.5f, -0.25f, 1.0f};
    b.Init("w", {c, o, k}, wt);
    b.Init("b", {o}, bias);
    b.Node("ConvTranspose", {"x", "w", "b"}, {"y"}, "deconv1d")
        .Ints("strides", {s})
        .Ints("pads", {pb, pe})
        .Ints("output_padding", {op})
        .Ints("dilations", {d});
    b.Output("y");
    const ir::Graph g = MustImport(b.Bytes());
    ASSERT_EQ(Count(g, OpKind::kTransposeConv), 1) << ir::Print(g);
    const int64_t ow = s * (w - 1) + op + (k - 1) * d + 1 - pb - pe;
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, o, ow}));
    const std::vector<float> x = Ramp(static_cast<size_t>(c * w));
    ExpectNear(Eval(g, x), ConvTranspose1dRef(x, c, w, wt, bias, o, k, s, d, pb, pe, op), 1e-4f);
  }
}

// Grouped ConvTranspose over [1, C, H, W] by ONNX's definition: input
// channel ic of group g = ic / (C/G) adds to output channels g·Mg .. g·Mg +
// Mg − 1, with weights w[ic, o − g·Mg, kh, kw].
std::vector<float> GroupedConvTranspose2dRef(const std::vector<float>& x, int64_t c, int64_t h, int64_t w,
                                             const std::vector<float>& wt, const std::vector<float>& bias, int64_t group,
                                             int64_t mg, int64_t k, int64_t s, int64_t* oh, int64_t* ow) {
  *oh = (h - 1) * s + k;
  *ow = (w - 1) * s + k;
  const int64_t m = group * mg, cg = c / group;
  std::vector<float> y(static_cast<size_t>(m * *oh * *ow));
  for (int64_t o = 0; o < m; ++o)
    for (int64_t e = 0; e < *oh * *ow; ++e) y[static_cast<size_t>(o * *oh * *ow + e)] = bias[static_cast<size_t>(o)];
  for (int64_t ic = 0; ic < c; ++ic)
    for (int64_t i = 0; i < h; ++i)
      for (int64_t j = 0; j < w; ++j)
        for (int64_t om = 0; om < mg; ++om)
          for (int64_t ki = 0; ki < k; ++ki)
            for (int64_t kj = 0; kj < k; ++kj) {
              const int64_t o = (ic / cg) * mg + om;
              y[static_cast<size_t>((o * *oh + i * s + ki) * *ow + j * s + kj)] +=
                  x[static_cast<size_t>((ic * h + i) * w + j)] * wt[static_cast<size_t>(((ic * mg + om) * k + ki) * k + kj)];
            }
  return y;
}

TEST(OnnxImport1d, GroupedConvTransposeIsOneTransposeConvPerGroup) {
  // group 2 (2 outputs per group) and depthwise (group = C, 1 output each).
  for (const int64_t group : {2, 4}) {
    SCOPED_TRACE("group " + std::to_string(group));
    const int64_t c = 4, h = 3, w = 3, mg = group == 2 ? 2 : 1, k = 3, s = 2;
    const std::vector<float> wt = Ramp(static_cast<size_t>(c * mg * k * k), 0.125f, -0.5f);
    const std::vector<float> bias = Ramp(static_cast<size_t>(group * mg), 0.25f, -0.25f);
    OnnxBuilder b;
    b.Input("x", {1, c, h, w});
    b.Init("w", {c, mg, k, k}, wt);
    b.Init("b", {group * mg}, bias);
    b.Node("ConvTranspose", {"x", "w", "b"}, {"y"}).Ints("strides", {s, s}).Int("group", group);
    b.Output("y");
    const ir::Graph g = MustImport(b.Bytes());
    EXPECT_EQ(Count(g, OpKind::kTransposeConv), group);
    const std::vector<float> x = Ramp(static_cast<size_t>(c * h * w), 0.5f, -1.5f);
    int64_t oh = 0, ow = 0;
    const std::vector<float> ref = GroupedConvTranspose2dRef(x, c, h, w, wt, bias, group, mg, k, s, &oh, &ow);
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, group * mg, oh, ow}));
    ExpectNear(Eval(g, x), ref, 1e-4f);
  }
}

TEST(OnnxImport1d, QuantizedGroupedConvTransposeFoldsToInt8PerGroup) {
  // QDQ with TFLite's arithmetic (as ember quantize writes it): each group's
  // transpose_conv reads its int8 weight rows and int32 bias rows, and the
  // groups are concatenated in int8.
  OnnxBuilder b;
  b.Input("x", {1, 4, 3, 3});
  b.Init("xs", {}, {0.05f});
  b.InitInt("xz", ::onnx::TensorProto::INT8, {}, {2});
  std::vector<int32_t> w(4 * 2 * 2 * 2);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int32_t>((i * 29) % 201) - 100;
  b.InitInt("w", ::onnx::TensorProto::INT8, {4, 2, 2, 2}, w);
  b.Init("ws", {}, {0.01f});
  b.InitInt("bias", ::onnx::TensorProto::INT32, {4}, {300, -200, 100, 50});
  b.Init("bs", {}, {0.0005f});
  b.Init("ys", {}, {0.1f});
  b.InitInt("yz", ::onnx::TensorProto::INT8, {}, {-3});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.Node("DequantizeLinear", {"w", "ws"}, {"wd"});
  b.Node("DequantizeLinear", {"bias", "bs"}, {"bd"});
  b.Node("ConvTranspose", {"xd", "wd", "bd"}, {"t"}).Ints("strides", {2, 2}).Int("group", 2);
  b.Node("QuantizeLinear", {"t", "ys", "yz"}, {"tq"});
  b.Node("DequantizeLinear", {"tq", "ys", "yz"}, {"y"});
  b.Output("y");
  const ir::Graph literal = MustImport(b.Bytes());
  ir::Graph g = literal;
  passes::PipelineOptions o;
  o.pass.int8_semantics = "tflite";
  ASSERT_TRUE(passes::RunPipeline(g, o).ok());
  const std::string text = ir::Print(g);
  int int8_deconvs = 0;
  for (const ir::Node& n : g.nodes) {
    if (n.op == OpKind::kTransposeConv) int8_deconvs += g.tensor(n.outputs[0]).dtype == ir::DType::kInt8;
    if (n.op == OpKind::kConcatenation) {
      EXPECT_EQ(g.tensor(n.outputs[0]).dtype, ir::DType::kInt8) << text;
    }
  }
  EXPECT_EQ(int8_deconvs, 2) << text;
  EXPECT_EQ(Count(g, OpKind::kDequantize), 1) << text;  // the output's
  // Within one output step of the QDQ graph evaluated literally.
  const std::vector<float> x = Ramp(36, 0.05f, -0.6f);
  std::vector<float> x_nhwc(36);
  for (int ch = 0; ch < 4; ++ch)
    for (int p = 0; p < 9; ++p) x_nhwc[static_cast<size_t>(p * 4 + ch)] = x[static_cast<size_t>(ch * 9 + p)];
  const std::vector<float> want = Eval(literal, x), got = Eval(g, x_nhwc);
  ASSERT_EQ(got.size(), want.size());
  for (int ch = 0; ch < 4; ++ch)
    for (int p = 0; p < 36; ++p)
      EXPECT_LE(std::fabs(got[static_cast<size_t>(p * 4 + ch)] - want[static_cast<size_t>(ch * 36 + p)]), 0.1001f);
}

TEST(OnnxImport1d, DilatedQuantizedConvTransposeFillsTheGapsWithTheZeroPoint) {
  // int8 weights quantized per output channel (axis 1) with zero points
  // other than 0: the taps the dilation inserts must dequantize to 0.
  const int64_t c = 2, w = 4, o = 3, k = 2, s = 1, d = 2;
  const std::vector<int32_t> q = {5, -7, 9, 2, -3, 11, -4, 6, 8, -1, 0, 12};
  const std::vector<float> scale = {0.5f, 0.25f, 0.125f};
  const std::vector<int32_t> zp = {0, 3, -2};
  std::vector<float> wt;
  for (size_t e = 0; e < q.size(); ++e) {
    const size_t oc = (e / static_cast<size_t>(k)) % static_cast<size_t>(o);
    wt.push_back(static_cast<float>(q[e] - zp[oc]) * scale[oc]);
  }
  OnnxBuilder b;
  b.Input("x", {1, c, w});
  b.InitInt("w_q", ::onnx::TensorProto::INT8, {c, o, k}, q);
  b.Init("w_s", {o}, scale);
  b.InitInt("w_z", ::onnx::TensorProto::INT8, {o}, zp);
  b.Node("DequantizeLinear", {"w_q", "w_s", "w_z"}, {"w"}).Int("axis", 1);
  b.Node("ConvTranspose", {"x", "w"}, {"y"}).Ints("dilations", {d});
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  ASSERT_EQ(Count(g, OpKind::kTransposeConv), 1) << ir::Print(g);
  const std::vector<float> x = Ramp(static_cast<size_t>(c * w), 0.5f, -1.5f);
  ExpectNear(Eval(g, x), ConvTranspose1dRef(x, c, w, wt, {0, 0, 0}, o, k, s, d, 0, 0, 0), 1e-5f);
}

// Conv1d -> BatchNorm1d -> ReLU -> depthwise Conv1d -> ReLU -> MaxPool1d ->
// Conv1d -> GlobalAveragePool -> Flatten -> Gemm, as PyTorch exports it.
std::vector<uint8_t> PlainCnn1d() {
  OnnxBuilder b;
  b.Input("x", {1, 3, 16});
  b.Init("w1", {8, 3, 3}, Ramp(72, 0.0625f, -0.4f));
  b.Init("b1", {8}, Ramp(8, 0.1f, -0.3f));
  b.Init("bn_s", {8}, Ramp(8, 0.05f, 0.8f));
  b.Init("bn_b", {8}, Ramp(8, 0.1f, -0.2f));
  b.Init("bn_m", {8}, Ramp(8, 0.02f, -0.1f));
  b.Init("bn_v", {8}, Ramp(8, 0.1f, 0.5f));
  b.Init("wd", {8, 1, 5}, Ramp(40, 0.07f, -0.45f));
  b.Init("bd", {8}, Ramp(8, 0.03f, 0.0f));
  b.Init("w3", {6, 8, 1}, Ramp(48, 0.05f, -0.3f));
  b.Init("b3", {6}, Ramp(6, 0.1f, -0.2f));
  b.Init("wf", {4, 6}, Ramp(24, 0.1f, -0.6f));
  b.Init("bf", {4}, Ramp(4, 0.2f, -0.3f));
  b.Node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv1").Ints("pads", {1, 1});
  b.Node("BatchNormalization", {"c1", "bn_s", "bn_b", "bn_m", "bn_v"}, {"bn"}, "bn1");
  b.Node("Relu", {"bn"}, {"r1"}, "relu1");
  b.Node("Conv", {"r1", "wd", "bd"}, {"dw"}, "dwconv").Int("group", 8).Ints("pads", {2, 2});
  b.Node("Relu", {"dw"}, {"r2"}, "relu2");
  b.Node("MaxPool", {"r2"}, {"mp"}, "pool").Ints("kernel_shape", {2}).Ints("strides", {2});
  b.Node("Conv", {"mp", "w3", "b3"}, {"c3"}, "conv3");
  b.Node("GlobalAveragePool", {"c3"}, {"gap"}, "gap");
  b.Node("Flatten", {"gap"}, {"flat"}, "flatten");
  b.Node("Gemm", {"flat", "wf", "bf"}, {"y"}, "fc").Int("transB", 1);
  b.Output("y");
  return b.Bytes();
}

TEST(OnnxImport1d, PipelineLeavesNoTransposeOrReshapeBetweenTheOperatorsAndFoldsBatchNorm) {
  const ir::Graph before = MustImport(PlainCnn1d());
  ir::Graph after = before;
  ASSERT_TRUE(passes::RunPipeline(after, {}).ok());
  const std::string text = ir::Print(after);
  EXPECT_EQ(Count(after, OpKind::kTranspose), 0) << text;
  EXPECT_EQ(Count(after, OpKind::kMul), 0) << text;  // BatchNormalization folded into conv1
  EXPECT_EQ(Count(after, OpKind::kAdd), 0) << text;
  EXPECT_EQ(Count(after, OpKind::kRelu), 0) << text;  // fused into the convolutions
  EXPECT_EQ(Count(after, OpKind::kConv2D), 2) << text;
  EXPECT_EQ(Count(after, OpKind::kDepthwiseConv2D), 1) << text;
  // Only the flattening reshapes remain: the input side's [N,W,C] ->
  // [N,1,W,C] and the one after the pooling.
  EXPECT_LE(Count(after, OpKind::kReshape), 3) << text;
  const ir::Tensor& in = after.tensor(after.inputs[0]);
  EXPECT_EQ(in.shape, (ir::Shape{1, 16, 3})) << text;
  EXPECT_EQ(in.source_layout, "NCW");
  for (const ir::Node& n : after.nodes) {
    if (n.op == OpKind::kConv2D || n.op == OpKind::kDepthwiseConv2D) {
      EXPECT_EQ(n.GetString("act", "none"), n.name == "conv3" ? "none" : "relu") << n.name;
    }
  }
  // Same values: the input given to the compiled graph in its NWC layout.
  const std::vector<float> x = Ramp(48, 0.1f, -1.2f);
  std::vector<float> x_nwc(48);
  for (int c = 0; c < 3; ++c)
    for (int w = 0; w < 16; ++w) x_nwc[static_cast<size_t>(w * 3 + c)] = x[static_cast<size_t>(c * 16 + w)];
  ExpectNear(Eval(after, x_nwc), Eval(before, x), 1e-4f);
}

TEST(OnnxImport1d, GraphOutputOfAOneDimensionalOperatorBecomesNwc) {
  // Conv -> Relu as the whole model: input and output NCW in the source,
  // NWC compiled, with nothing but the convolution and its reshapes left.
  OnnxBuilder b;
  b.Input("x", {1, 2, 9});
  const std::vector<float> wt = Ramp(18, 0.125f, -0.5f);
  b.Init("w", {3, 2, 3}, wt);
  b.Node("Conv", {"x", "w"}, {"c"}, "conv").Ints("pads", {1, 1});
  b.Node("Relu", {"c"}, {"y"}, "relu");
  b.Output("y");
  const ir::Graph before = MustImport(b.Bytes());
  ir::Graph after = before;
  ASSERT_TRUE(passes::RunPipeline(after, {}).ok());
  const std::string text = ir::Print(after);
  EXPECT_EQ(Count(after, OpKind::kTranspose), 0) << text;
  EXPECT_EQ(Count(after, OpKind::kRelu), 0) << text;
  const ir::Tensor& in = after.tensor(after.inputs[0]);
  const ir::Tensor& out = after.tensor(after.outputs[0]);
  EXPECT_EQ(in.shape, (ir::Shape{1, 9, 2})) << text;
  EXPECT_EQ(in.source_layout, "NCW");
  EXPECT_EQ(out.shape, (ir::Shape{1, 9, 3})) << text;
  EXPECT_EQ(out.source_layout, "NCW");
  EXPECT_EQ(out.name, "y");
  const std::vector<float> x = Ramp(18);
  std::vector<float> x_nwc(18);
  for (int c = 0; c < 2; ++c)
    for (int w = 0; w < 9; ++w) x_nwc[static_cast<size_t>(w * 2 + c)] = x[static_cast<size_t>(c * 9 + w)];
  int64_t ow = 0;
  std::vector<float> ref = Conv1dRef(x, 1, 2, 9, wt, 3, 3, {}, 1, 1, 1, 1, 1, &ow);
  std::vector<float> ref_nwc(ref.size());
  for (int c = 0; c < 3; ++c)
    for (int w = 0; w < 9; ++w) ref_nwc[static_cast<size_t>(w * 3 + c)] = std::max(ref[static_cast<size_t>(c * 9 + w)], 0.0f);
  ExpectNear(Eval(after, x_nwc), ref_nwc, 1e-4f);
}

TEST(OnnxImport1d, RankThreeTransposeOfAnotherKindKeepsTheInputLayout) {
  // A Transpose [0,2,1] of the input that no 1-D operator reads: the input
  // keeps its source layout (only the 1-D operators' pattern moves it).
  OnnxBuilder b;
  b.Input("x", {1, 2, 5});
  b.Node("Transpose", {"x"}, {"t"}, "tr").Ints("perm", {0, 2, 1});
  b.Node("Relu", {"t"}, {"y"}, "relu");
  b.Output("y");
  ir::Graph g = MustImport(b.Bytes());
  ASSERT_TRUE(passes::RunPipeline(g, {}).ok());
  EXPECT_EQ(g.tensor(g.inputs[0]).shape, (ir::Shape{1, 2, 5})) << ir::Print(g);
  EXPECT_EQ(g.tensor(g.inputs[0]).source_layout, "");
  EXPECT_EQ(g.tensor(g.outputs[0]).source_layout, "");
}

TEST(OnnxImport1d, QLinearConvOnASignalFoldsToAnInt8Conv2d) {
  // The QOperator form: x -> QuantizeLinear -> QLinearConv (int8 weights
  // [4,3,3] per channel, int32 bias) -> DequantizeLinear on [1,3,10].
  OnnxBuilder b;
  b.Input("x", {1, 3, 10});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", ::onnx::TensorProto::INT8, {}, {3});
  std::vector<int32_t> w(36);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<int32_t>((i * 37) % 255) - 127;
  b.InitInt("w", ::onnx::TensorProto::INT8, {4, 3, 3}, w);
  b.Init("ws", {4}, {0.004f, 0.005f, 0.006f, 0.007f});
  b.InitInt("wz", ::onnx::TensorProto::INT8, {4}, {0, 0, 0, 0});
  b.InitInt("bias", ::onnx::TensorProto::INT32, {4}, {1500, -2300, 700, 40});
  b.Init("ys", {}, {0.04f});
  b.InitInt("yz", ::onnx::TensorProto::INT8, {}, {-5});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz", "bias"}, {"yq"}, "qconv1d").Ints("pads", {1, 1});
  b.Node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.Output("y");
  const ir::Graph literal = MustImport(b.Bytes());
  ir::Graph g = literal;
  ASSERT_TRUE(passes::RunPipeline(g, {}).ok());
  const std::string text = ir::Print(g);
  const ir::Node* conv = Find(g, OpKind::kConv2D);
  ASSERT_NE(conv, nullptr) << text;
  EXPECT_EQ(g.tensor(conv->outputs[0]).dtype, ir::DType::kInt8) << text;
  EXPECT_EQ(Count(g, OpKind::kTranspose), 0) << text;
  const std::vector<float> x = Ramp(30, 0.05f, -0.7f);
  std::vector<float> x_nwc(30);
  for (int c = 0; c < 3; ++c)
    for (int i = 0; i < 10; ++i) x_nwc[static_cast<size_t>(i * 3 + c)] = x[static_cast<size_t>(c * 10 + i)];
  const std::vector<float> want = Eval(literal, x), got = Eval(g, x_nwc);
  ASSERT_EQ(got.size(), want.size());
  for (int c = 0; c < 4; ++c)
    for (int i = 0; i < 10; ++i)  // within one output step of the literal QOperator meaning
      EXPECT_LE(std::fabs(got[static_cast<size_t>(i * 4 + c)] - want[static_cast<size_t>(c * 10 + i)]), 0.0401f);
}

}  // namespace
}  // namespace ember::frontend::onnx
