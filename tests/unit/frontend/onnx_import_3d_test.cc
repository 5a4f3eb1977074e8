// ONNX import of 3-D convolution, transposed convolution and pooling ([N, C,
// D, H, W] tensors, as PyTorch's Conv3d, ConvTranspose3d, MaxPool3d and
// AvgPool3d export them): each operator
// against a direct 3-D loop written here in ONNX's own terms (strides,
// dilations, pads, auto_pad, groups, depthwise, ceil_mode,
// count_include_pad), quantized weights, and the refusals that remain.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <limits>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using ir::OpKind;
using test::OnnxBuilder;
using I3 = std::array<int64_t, 3>;

int Count(const ir::Graph& g, OpKind k) {
  int n = 0;
  for (const auto& node : g.nodes) n += node.op == k;
  return n;
}

std::vector<int64_t> Vec(const I3& a) { return {a[0], a[1], a[2]}; }

struct Conv3dCase {
  int64_t c, m, group;
  I3 in, k, s, d;
  std::array<int64_t, 6> pads;  // [d, h, w begins, then ends]
  bool bias;
};

// ONNX Conv over [1, C, D, H, W]: y[m, o] = b[m] + sum over c of the
// group of m and the taps t of x[c, o·s − pb + t·d] · w[m, c − g·C/G, t].
std::vector<float> Conv3dRef(const Conv3dCase& p, const std::vector<float>& x, const std::vector<float>& w,
                             const std::vector<float>& b, I3* out) {
  const int64_t cg = p.c / p.group, mg = p.m / p.group;
  for (size_t a = 0; a < 3; ++a)
    (*out)[a] = (p.in[a] + p.pads[a] + p.pads[a + 3] - ((p.k[a] - 1) * p.d[a] + 1)) / p.s[a] + 1;
  const I3 o = *out;
  std::vector<float> y;
  for (int64_t m = 0; m < p.m; ++m)
    for (int64_t z = 0; z < o[0]; ++z)
      for (int64_t i = 0; i < o[1]; ++i)
        for (int64_t j = 0; j < o[2]; ++j) {
          float acc = p.bias ? b[static_cast<size_t>(m)] : 0.0f;
          for (int64_t ci = 0; ci < cg; ++ci) {
            const int64_t c = (m / mg) * cg + ci;
            for (int64_t tz = 0; tz < p.k[0]; ++tz)
              for (int64_t ti = 0; ti < p.k[1]; ++ti)
                for (int64_t tj = 0; tj < p.k[2]; ++tj) {
                  const int64_t zz = z * p.s[0] - p.pads[0] + tz * p.d[0];
                  const int64_t ii = i * p.s[1] - p.pads[1] + ti * p.d[1];
                  const int64_t jj = j * p.s[2] - p.pads[2] + tj * p.d[2];
                  if (zz < 0 || zz >= p.in[0] || ii < 0 || ii >= p.in[1] || jj < 0 || jj >= p.in[2]) continue;
                  acc += x[static_cast<size_t>(((c * p.in[0] + zz) * p.in[1] + ii) * p.in[2] + jj)] *
                         w[static_cast<size_t>((((m * cg + ci) * p.k[0] + tz) * p.k[1] + ti) * p.k[2] + tj)];
                }
          }
          y.push_back(acc);
        }
  return y;
}

TEST(OnnxImport3d, ConvMatchesADirectLoop) {
  const Conv3dCase cases[] = {
      {2, 3, 1, {5, 4, 6}, {3, 2, 3}, {2, 1, 2}, {1, 1, 1}, {1, 0, 1, 1, 1, 0}, true},  // strides, pads
      {2, 2, 1, {6, 5, 6}, {2, 2, 2}, {1, 1, 1}, {2, 1, 2}, {0, 0, 0, 0, 0, 0}, false},  // dilations
      {4, 4, 2, {3, 4, 4}, {2, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1, 1, 1, 1}, true},   // groups
      {3, 6, 3, {4, 4, 4}, {2, 2, 2}, {1, 2, 1}, {1, 1, 1}, {1, 0, 0, 0, 1, 1}, true},   // depthwise, multiplier 2
      {2, 3, 1, {3, 5, 5}, {1, 3, 3}, {1, 1, 1}, {1, 1, 1}, {0, 1, 1, 0, 1, 1}, true},   // one depth tap
  };
  for (const Conv3dCase& p : cases) {
    SCOPED_TRACE("C " + std::to_string(p.c) + " M " + std::to_string(p.m) + " group " + std::to_string(p.group) +
                 " kernel " + std::to_string(p.k[0]) + "x" + std::to_string(p.k[1]) + "x" + std::to_string(p.k[2]));
    const size_t nx = static_cast<size_t>(p.c * p.in[0] * p.in[1] * p.in[2]);
    const size_t nw = static_cast<size_t>(p.m * (p.c / p.group) * p.k[0] * p.k[1] * p.k[2]);
    const std::vector<float> x = Ramp(nx, 0.125f, -0.75f), w = Ramp(nw, 0.0625f, -0.375f);
    const std::vector<float> b = Ramp(static_cast<size_t>(p.m), 0.25f, -0.5f);
    OnnxBuilder ob;
    ob.Input("x", {1, p.c, p.in[0], p.in[1], p.in[2]});
    ob.Init("w", {p.m, p.c / p.group, p.k[0], p.k[1], p.k[2]}, w);
    std::vector<std::string> ins = {"x", "w"};
    if (p.bias) {
      ob.Init("b", {p.m}, b);
      ins.push_back("b");
    }
    ob.Node("Conv", ins, {"y"}, "conv3d")
        .Ints("strides", Vec(p.s))
        .Ints("dilations", Vec(p.d))
        .Ints("pads", std::vector<int64_t>(p.pads.begin(), p.pads.end()))
        .Int("group", p.group);
    ob.Output("y");
    const ir::Graph g = MustImport(ob.Bytes());
    EXPECT_EQ(Count(g, OpKind::kConv2D), 1);
    I3 o;
    const std::vector<float> ref = Conv3dRef(p, x, w, b, &o);
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, p.m, o[0], o[1], o[2]}));
    ExpectNear(Eval(g, x), ref, 1e-4f);
  }
}

TEST(OnnxImport3d, ConvWithSameUpperAutoPad) {
  Conv3dCase p{2, 2, 1, {5, 5, 5}, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1, 1, 1, 1}, false};
  const std::vector<float> x = Ramp(250, 0.125f, -0.75f), w = Ramp(108, 0.0625f, -0.375f);
  OnnxBuilder ob;
  ob.Input("x", {1, 2, 5, 5, 5});
  ob.Init("w", {2, 2, 3, 3, 3}, w);
  ob.Node("Conv", {"x", "w"}, {"y"}).Ints("strides", {2, 2, 2}).Str("auto_pad", "SAME_UPPER");
  ob.Output("y");
  const ir::Graph g = MustImport(ob.Bytes());
  I3 o;
  // SAME_UPPER: output ceil(5 / 2) = 3, total padding (3 − 1)·2 + 3 − 5 = 2, split 1 and 1.
  const std::vector<float> ref = Conv3dRef(p, x, w, {}, &o);
  EXPECT_EQ(o, (I3{3, 3, 3}));
  ExpectNear(Eval(g, x), ref, 1e-4f);
}

TEST(OnnxImport3d, QuantizedConvWeightsKeepTheirIntegersAndChannelScales) {
  // int8 weights per output channel (axis 0), zero points 0: one integer
  // constant in the filter layout [M, KH, KW, C·KD] before a dequantize.
  Conv3dCase p{2, 2, 1, {3, 3, 3}, {2, 2, 2}, {1, 1, 1}, {1, 1, 1}, {0, 0, 0, 0, 0, 0}, false};
  std::vector<int32_t> q;
  for (int i = 0; i < 32; ++i) q.push_back((i * 37) % 51 - 25);
  const std::vector<float> scale = {0.5f, 0.125f};
  std::vector<float> w;
  for (size_t e = 0; e < q.size(); ++e) w.push_back(static_cast<float>(q[e]) * scale[e / 16]);
  OnnxBuilder ob;
  ob.Input("x", {1, 2, 3, 3, 3});
  ob.InitInt("w_q", ::onnx::TensorProto::INT8, {2, 2, 2, 2, 2}, q);
  ob.Init("w_s", {2}, scale);
  ob.Node("DequantizeLinear", {"w_q", "w_s"}, {"w"}).Int("axis", 0);
  ob.Node("Conv", {"x", "w"}, {"y"});
  ob.Output("y");
  const ir::Graph g = MustImport(ob.Bytes());
  ASSERT_EQ(Count(g, OpKind::kDequantize), 1);
  for (const ir::Node& n : g.nodes) {
    if (n.op != OpKind::kDequantize) continue;
    const ir::Tensor& wq = g.tensor(n.inputs[0]);
    EXPECT_EQ(wq.dtype, ir::DType::kInt8);
    EXPECT_EQ(wq.shape, (ir::Shape{2, 2, 2, 4}));
    ASSERT_TRUE(wq.quant.has_value());
    EXPECT_EQ(wq.quant->axis, 0);
  }
  const std::vector<float> x = Ramp(54, 0.125f, -0.75f);
  I3 o;
  ExpectNear(Eval(g, x), Conv3dRef(p, x, w, {}, &o), 1e-4f);
}

struct Pool3dCase {
  bool max, include_pad, ceil;
  I3 in, k, s;
  std::array<int64_t, 6> pads;
};

// ONNX MaxPool/AveragePool over [1, C, D, H, W]: the taps of the window
// inside the input (max, and the average without count_include_pad), or
// inside the padded input (count_include_pad: padded zeros count).
std::vector<float> Pool3dRef(const Pool3dCase& p, int64_t c, const std::vector<float>& x, I3* out) {
  for (size_t a = 0; a < 3; ++a) {
    const int64_t span = p.in[a] + p.pads[a] + p.pads[a + 3] - p.k[a];
    (*out)[a] = (p.ceil ? (span + p.s[a] - 1) / p.s[a] : span / p.s[a]) + 1;
  }
  const I3 o = *out;
  std::vector<float> y;
  for (int64_t ch = 0; ch < c; ++ch)
    for (int64_t z = 0; z < o[0]; ++z)
      for (int64_t i = 0; i < o[1]; ++i)
        for (int64_t j = 0; j < o[2]; ++j) {
          float mx = std::numeric_limits<float>::lowest(), sum = 0.0f;
          int64_t count = 0;
          for (int64_t tz = 0; tz < p.k[0]; ++tz)
            for (int64_t ti = 0; ti < p.k[1]; ++ti)
              for (int64_t tj = 0; tj < p.k[2]; ++tj) {
                const int64_t pos[3] = {z * p.s[0] - p.pads[0] + tz, i * p.s[1] - p.pads[1] + ti,
                                        j * p.s[2] - p.pads[2] + tj};
                bool inside = true, in_padded = true;
                for (size_t a = 0; a < 3; ++a) {
                  inside = inside && pos[a] >= 0 && pos[a] < p.in[a];
                  in_padded = in_padded && pos[a] >= -p.pads[a] && pos[a] < p.in[a] + p.pads[a + 3];
                }
                if (p.include_pad ? in_padded : inside) ++count;
                if (!inside) continue;
                const float v = x[static_cast<size_t>(((ch * p.in[0] + pos[0]) * p.in[1] + pos[1]) * p.in[2] + pos[2])];
                mx = std::max(mx, v);
                sum += v;
              }
          y.push_back(p.max ? mx : sum / static_cast<float>(count));
        }
  return y;
}

TEST(OnnxImport3d, PoolingMatchesADirectLoop) {
  const Pool3dCase cases[] = {
      {true, false, false, {5, 4, 6}, {2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 1}},
      {false, false, false, {5, 4, 6}, {2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 1}},
      {false, true, false, {5, 4, 6}, {2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 1}},
      {true, false, true, {5, 5, 4}, {2, 2, 3}, {2, 2, 2}, {0, 0, 0, 0, 0, 0}},   // ceil_mode: 3 x 3 x 2
      {false, false, true, {5, 5, 4}, {2, 2, 3}, {2, 2, 2}, {0, 0, 0, 0, 0, 0}},
      {true, false, false, {4, 4, 4}, {1, 2, 2}, {1, 2, 2}, {0, 0, 0, 0, 0, 0}},  // no depth stage
  };
  const int64_t c = 2;
  for (const Pool3dCase& p : cases) {
    SCOPED_TRACE(std::string(p.max ? "MaxPool" : "AveragePool") + (p.include_pad ? " count_include_pad" : "") +
                 (p.ceil ? " ceil_mode" : ""));
    const std::vector<float> x = Ramp(static_cast<size_t>(c * p.in[0] * p.in[1] * p.in[2]), 0.125f, -0.75f);
    OnnxBuilder ob;
    ob.Input("x", {1, c, p.in[0], p.in[1], p.in[2]});
    auto node = ob.Node(p.max ? "MaxPool" : "AveragePool", {"x"}, {"y"})
                    .Ints("kernel_shape", Vec(p.k))
                    .Ints("strides", Vec(p.s))
                    .Ints("pads", std::vector<int64_t>(p.pads.begin(), p.pads.end()))
                    .Int("ceil_mode", p.ceil ? 1 : 0);
    if (p.include_pad) node.Int("count_include_pad", 1);
    ob.Output("y");
    const ir::Graph g = MustImport(ob.Bytes());
    I3 o;
    const std::vector<float> ref = Pool3dRef(p, c, x, &o);
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, c, o[0], o[1], o[2]}));
    ExpectNear(Eval(g, x), ref, 1e-5f);
  }
}

TEST(OnnxImport3d, WhatRemainsRefused) {
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4, 4, 4});
    b.Node("MaxPool", {"x"}, {"y"}, "pool4d").Ints("kernel_shape", {2, 2, 2, 2});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("'pool4d' (MaxPool, opset 13)"), std::string::npos) << d.message;
    EXPECT_NE(d.hint.find("1-D, 2-D and 3-D"), std::string::npos) << d.hint;
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 6, 6, 6});
    b.Node("MaxPool", {"x"}, {"y"}, "dilated").Ints("kernel_shape", {2, 2, 2}).Ints("dilations", {2, 2, 2});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("3-D pooling with dilations"), std::string::npos) << d.message;
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4, 4});
    b.Input("w", {3, 2, 2, 2, 2});
    b.Node("Conv", {"x", "w"}, {"y"}, "runtime_w").Ints("kernel_shape", {2, 2, 2});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1013") << d.ToString();
    EXPECT_NE(d.message.find("3-D convolution"), std::string::npos) << d.message;
  }
  {
    OnnxBuilder b;
    b.Input("x", {1, 2, 4, 4, 4});
    b.Init("w", {2, 3, 2, 2, 2}, Ramp(48));
    b.Node("ConvTranspose", {"x", "w"}, {"y"}, "deconv3d").Ints("dilations", {1, 2, 1});
    b.Output("y");
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("dilations != 1 on H or W"), std::string::npos) << d.message;
  }
}

struct Deconv3dCase {
  int64_t c, m;
  I3 in, k, s;
  int64_t dd;
  std::array<int64_t, 6> pads;
  I3 out_pad;
  bool bias;
};

// ONNX ConvTranspose over [1, C, D, H, W] (group 1): every x[c, d, h, w]
// adds x · w[c, m, t] to y[m, d·s − pb + t·dil] (dilation on D only).
std::vector<float> ConvTranspose3dRef(const Deconv3dCase& p, const std::vector<float>& x, const std::vector<float>& w,
                                      const std::vector<float>& b, I3* out) {
  const I3 dil = {p.dd, 1, 1};
  for (size_t a = 0; a < 3; ++a)
    (*out)[a] = (p.in[a] - 1) * p.s[a] + p.out_pad[a] + (p.k[a] - 1) * dil[a] + 1 - p.pads[a] - p.pads[a + 3];
  const I3 o = *out;
  std::vector<float> y(static_cast<size_t>(p.m * o[0] * o[1] * o[2]));
  for (int64_t m = 0; m < p.m; ++m)
    for (int64_t e = 0; e < o[0] * o[1] * o[2]; ++e) y[static_cast<size_t>(m * o[0] * o[1] * o[2] + e)] = p.bias ? b[static_cast<size_t>(m)] : 0.0f;
  for (int64_t c = 0; c < p.c; ++c)
    for (int64_t z = 0; z < p.in[0]; ++z)
      for (int64_t i = 0; i < p.in[1]; ++i)
        for (int64_t j = 0; j < p.in[2]; ++j)
          for (int64_t m = 0; m < p.m; ++m)
            for (int64_t tz = 0; tz < p.k[0]; ++tz)
              for (int64_t ti = 0; ti < p.k[1]; ++ti)
                for (int64_t tj = 0; tj < p.k[2]; ++tj) {
                  const int64_t oz = z * p.s[0] - p.pads[0] + tz * p.dd, oi = i * p.s[1] - p.pads[1] + ti,
                                oj = j * p.s[2] - p.pads[2] + tj;
                  if (oz < 0 || oz >= o[0] || oi < 0 || oi >= o[1] || oj < 0 || oj >= o[2]) continue;
                  y[static_cast<size_t>(((m * o[0] + oz) * o[1] + oi) * o[2] + oj)] +=
                      x[static_cast<size_t>(((c * p.in[0] + z) * p.in[1] + i) * p.in[2] + j)] *
                      w[static_cast<size_t>((((c * p.m + m) * p.k[0] + tz) * p.k[1] + ti) * p.k[2] + tj)];
                }
  return y;
}

TEST(OnnxImport3d, ConvTransposeMatchesADirectLoop) {
  const Deconv3dCase cases[] = {
      {2, 3, {3, 4, 3}, {3, 2, 3}, {2, 1, 2}, 1, {1, 0, 1, 0, 1, 0}, {1, 0, 1}, true},  // strides, pads, output_padding
      {2, 2, {4, 3, 3}, {2, 2, 2}, {1, 2, 1}, 2, {0, 0, 0, 0, 0, 0}, {0, 0, 0}, false},  // dilation on D
      {3, 2, {4, 3, 3}, {2, 3, 2}, {2, 1, 1}, 1, {2, 1, 0, 1, 1, 1}, {0, 0, 0}, true},   // pads beyond the kernel: crop
      {2, 2, {1, 3, 3}, {3, 2, 2}, {2, 2, 2}, 1, {1, 0, 0, 1, 0, 0}, {0, 1, 1}, false},  // depth 1
  };
  for (const Deconv3dCase& p : cases) {
    SCOPED_TRACE("C " + std::to_string(p.c) + " M " + std::to_string(p.m) + " depth stride " +
                 std::to_string(p.s[0]) + " dilation " + std::to_string(p.dd));
    const std::vector<float> x = Ramp(static_cast<size_t>(p.c * p.in[0] * p.in[1] * p.in[2]), 0.125f, -0.75f);
    const std::vector<float> w = Ramp(static_cast<size_t>(p.c * p.m * p.k[0] * p.k[1] * p.k[2]), 0.0625f, -0.375f);
    const std::vector<float> b = Ramp(static_cast<size_t>(p.m), 0.25f, -0.5f);
    OnnxBuilder ob;
    ob.Input("x", {1, p.c, p.in[0], p.in[1], p.in[2]});
    ob.Init("w", {p.c, p.m, p.k[0], p.k[1], p.k[2]}, w);
    std::vector<std::string> ins = {"x", "w"};
    if (p.bias) {
      ob.Init("b", {p.m}, b);
      ins.push_back("b");
    }
    ob.Node("ConvTranspose", ins, {"y"}, "deconv3d")
        .Ints("strides", Vec(p.s))
        .Ints("dilations", {p.dd, 1, 1})
        .Ints("pads", std::vector<int64_t>(p.pads.begin(), p.pads.end()))
        .Ints("output_padding", Vec(p.out_pad));
    ob.Output("y");
    const ir::Graph g = MustImport(ob.Bytes());
    EXPECT_EQ(Count(g, OpKind::kTransposeConv), 1);
    I3 o;
    const std::vector<float> ref = ConvTranspose3dRef(p, x, w, b, &o);
    EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, p.m, o[0], o[1], o[2]}));
    ExpectNear(Eval(g, x), ref, 1e-4f);
  }
}

TEST(OnnxImport3d, ConvTransposeWithSameUpperAndQuantizedWeights) {
  // SAME_UPPER: the output is the input times the strides; int8 weights per
  // output channel (axis 1 of [C_in, C_out, ...]) keep their integers.
  Deconv3dCase p{2, 2, {2, 3, 2}, {3, 3, 3}, {2, 2, 2}, 1, {0, 0, 0, 0, 0, 0}, {0, 0, 0}, false};
  std::vector<int32_t> q;
  for (int i = 0; i < 108; ++i) q.push_back((i * 29) % 61 - 30);
  const std::vector<float> scale = {0.25f, 0.0625f};
  std::vector<float> w;
  for (size_t e = 0; e < q.size(); ++e) w.push_back(static_cast<float>(q[e]) * scale[(e / 27) % 2]);
  OnnxBuilder ob;
  ob.Input("x", {1, 2, 2, 3, 2});
  ob.InitInt("w_q", ::onnx::TensorProto::INT8, {2, 2, 3, 3, 3}, q);
  ob.Init("w_s", {2}, scale);
  ob.Node("DequantizeLinear", {"w_q", "w_s"}, {"w"}).Int("axis", 1);
  ob.Node("ConvTranspose", {"x", "w"}, {"y"}).Ints("strides", {2, 2, 2}).Str("auto_pad", "SAME_UPPER");
  ob.Output("y");
  const ir::Graph g = MustImport(ob.Bytes());
  ASSERT_EQ(Count(g, OpKind::kDequantize), 1);
  for (const ir::Node& n : g.nodes) {
    if (n.op != OpKind::kDequantize) continue;
    const ir::Tensor& wq = g.tensor(n.inputs[0]);
    EXPECT_EQ(wq.dtype, ir::DType::kInt8);
    EXPECT_EQ(wq.shape, (ir::Shape{2, 3, 3, 6}));
    ASSERT_TRUE(wq.quant.has_value());
    EXPECT_EQ(wq.quant->axis, 0);
  }
  // Total padding per axis (I − 1)·2 + 3 − 2·I = 1: SAME_UPPER puts it at the end.
  p.pads = {0, 0, 0, 1, 1, 1};
  const std::vector<float> x = Ramp(24, 0.125f, -0.75f);
  I3 o;
  const std::vector<float> ref = ConvTranspose3dRef(p, x, w, {}, &o);
  EXPECT_EQ(o, (I3{4, 6, 4}));
  EXPECT_EQ(g.tensor(g.outputs[0]).shape, (ir::Shape{1, 2, 4, 6, 4}));
  ExpectNear(Eval(g, x), ref, 1e-4f);
}

}  // namespace
}  // namespace ember::frontend::onnx
