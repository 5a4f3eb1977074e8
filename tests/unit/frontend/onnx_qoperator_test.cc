// ONNX import of the QOperator form (QLinearConv, QLinearMatMul, ONNX
// Runtime's com.microsoft QLinearAdd/QLinearMul/QLinearGlobalAveragePool/
// QLinearAveragePool, ConvInteger/MatMulInteger): imported as the QDQ
// equivalent, folded by the pass pipeline into int8 operators; uint8
// activations held as int8; the diagnostics of malformed QOperator nodes.
// The comparison with ONNX Runtime is tests/e2e/qoperator_ort_test.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <cstdlib>
#include <fstream>
#include <functional>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"
#include "util/qoperator_models.h"

namespace ember::frontend::onnx {
namespace {

using ir::OpKind;
using test::OnnxBuilder;
using test::QopModel;
namespace pb = ::onnx;

std::vector<float> Input(const QopModel& m) {
  size_t n = 1;
  for (int64_t d : m.input_shape) n *= static_cast<size_t>(d);
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = 1.6f * std::sin(0.37f * static_cast<float>(i) + 0.2f) + 0.3f;
  return x;
}

ir::Graph Pipelined(const QopModel& m) {
  ir::Graph g = MustImport(m.bytes);
  EXPECT_TRUE(passes::RunPipeline(g).ok());
  return g;
}

// The output of `g` for input x (NCHW, as the ONNX model), NCHW.
std::vector<float> RunModel(const ir::Graph& g, const QopModel& m, const std::vector<float>& x) {
  std::string error;
  auto y = test::RunNchw(g, x, m.input_shape, m.output_shape, &error);
  EXPECT_TRUE(error.empty()) << error;
  return y;
}

// Every QOperator model imports, and after the pass pipeline every
// arithmetic operator is int8 (fold-qdq made int8 operators of the QDQ
// equivalent, uint8 included; QopModel::all_int8 says where the layout pass
// leaves one float) and within one output step of the literal (float)
// evaluation of the imported graph.
TEST(OnnxQOperator, EveryModelFoldsToInt8WithinOneStep) {
  for (const QopModel& m : test::AllQopModels()) {
    SCOPED_TRACE(m.name);
    if (const char* dir = std::getenv("EMBER_QOP_WRITE")) {  // the models, for ember inspect / ONNX Runtime
      std::ofstream(std::string(dir) + "/" + m.name + ".onnx", std::ios::binary)
          .write(reinterpret_cast<const char*>(m.bytes.data()), static_cast<std::streamsize>(m.bytes.size()));
    }
    const ir::Graph literal = MustImport(m.bytes);
    const ir::Graph g = Pipelined(m);
    int float_ops = 0, int8_ops = 0, u8 = 0, transposes = 0;
    for (const auto& n : g.nodes) {
      const ir::Tensor& y = g.tensor(n.outputs[0]);
      transposes += n.op == OpKind::kTranspose;
      const bool compute = n.op != OpKind::kQuantize && n.op != OpKind::kDequantize && n.op != OpKind::kReshape &&
                           n.op != OpKind::kTranspose;
      float_ops += compute && y.dtype == ir::DType::kFloat32;
      int8_ops += compute && y.dtype == ir::DType::kInt8;
    }
    for (const auto& t : g.tensors) u8 += t.dtype == ir::DType::kUInt8;
    if (m.all_int8) {
      EXPECT_EQ(float_ops, 0) << "an operator stayed float";
      EXPECT_GT(int8_ops, 0);
    }
    EXPECT_EQ(u8, 0) << "uint8 tensors left inside the graph";
    // A QLinearMul by a per-channel constant between NHWC operators: the
    // layout pass moves the constant, no transpose is left.
    if (m.name.rfind("mul_average_pool_", 0) == 0) {
      EXPECT_EQ(transposes, 0);
    }
    const auto x = Input(m);
    const auto want = RunModel(literal, m, x);
    const auto got = RunModel(g, m, x);
    ASSERT_EQ(want.size(), got.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_LE(std::fabs(got[i] - want[i]), 1.001f * m.output_scale) << i;
  }
}

// QLinearConv against ONNX's definition computed here: the int32 sum of
// (x - x_zp)(w - w_zp) plus the bias, scaled by x_scale * w_scale / y_scale,
// rounded half to even, plus y_zp, clamped. Per-tensor and per-channel,
// uint8 and int8.
TEST(OnnxQOperator, QLinearConvMatchesOnnxDefinition) {
  for (bool u8 : {true, false}) {
    for (bool per_channel : {false, true}) {
      const QopModel m = test::QLinearConvModel(u8, per_channel);
      SCOPED_TRACE(m.name);
      pb::ModelProto proto;
      ASSERT_TRUE(proto.ParseFromArray(m.bytes.data(), static_cast<int>(m.bytes.size())));
      auto ints = [&](const std::string& name) {
        std::vector<int64_t> v;
        for (const auto& t : proto.graph().initializer())
          if (t.name() == name) v.assign(t.int32_data().begin(), t.int32_data().end());
        return v;
      };
      auto floats = [&](const std::string& name) {
        std::vector<float> v;
        for (const auto& t : proto.graph().initializer())
          if (t.name() == name) v.assign(t.float_data().begin(), t.float_data().end());
        return v;
      };
      const auto w = ints("w"), bias = ints("bias");
      const auto ws = floats("ws");
      const float xs = floats("xs")[0], ys = floats("ys")[0];
      const int64_t xz = ints("xz")[0], yz = ints("yz")[0];
      const int64_t lo = u8 ? 0 : -128, hi = u8 ? 255 : 127;
      const auto x = Input(m);
      std::vector<int64_t> xq(x.size());
      for (size_t i = 0; i < x.size(); ++i) {
        xq[i] = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(x[i] / xs)) + xz, lo, hi);
      }
      std::vector<float> want;
      for (int64_t o = 0; o < 4; ++o)
        for (int64_t oy = 0; oy < 6; ++oy)
          for (int64_t ox = 0; ox < 6; ++ox) {
            int64_t acc = bias[static_cast<size_t>(o)];
            for (int64_t c = 0; c < 3; ++c)
              for (int64_t ky = 0; ky < 3; ++ky)
                for (int64_t kx = 0; kx < 3; ++kx) {
                  const int64_t iy = oy + ky - 1, ix = ox + kx - 1;
                  if (iy < 0 || iy >= 6 || ix < 0 || ix >= 6) continue;
                  acc += (xq[static_cast<size_t>((c * 6 + iy) * 6 + ix)] - xz) * w[static_cast<size_t>(((o * 3 + c) * 3 + ky) * 3 + kx)];
                }
            const float s = xs * ws[per_channel ? static_cast<size_t>(o) : 0] / ys;
            const int64_t q = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(static_cast<float>(acc) * s)) + yz, lo, hi);
            want.push_back(static_cast<float>(q - yz) * ys);
          }
      const auto got = RunModel(Pipelined(m), m, x);
      ASSERT_EQ(got.size(), want.size());
      int off = 0;
      for (size_t i = 0; i < got.size(); ++i) {
        EXPECT_LE(std::fabs(got[i] - want[i]), 1.001f * ys) << i;
        off += got[i] != want[i];
      }
      std::printf("%s: %d of %zu elements differ by one step from ONNX's float requantization\n", m.name.c_str(), off,
                  got.size());
    }
  }
}

// A uint8 graph input and a uint8 graph output keep their type; inside they
// are int8 (one quantize at each end). (N=4, 1x1 pixels: NCHW and NHWC
// hold the same bytes.)
TEST(OnnxQOperator, Uint8GraphInputAndOutputKeepTheirType) {
  OnnxBuilder b;
  b.Input("xq", {4, 2, 1, 1}, pb::TensorProto::UINT8);
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", pb::TensorProto::UINT8, {}, {128});
  b.InitInt("w", pb::TensorProto::INT8, {2, 2, 1, 1}, {127, -30, 20, -127});
  b.Init("ws", {}, {0.01f});
  b.InitInt("wz", pb::TensorProto::INT8, {}, {0});
  b.Init("ys", {}, {0.003f});
  b.InitInt("yz", pb::TensorProto::UINT8, {}, {100});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"yq"}, "conv");
  b.Output("yq", pb::TensorProto::UINT8);
  const ir::Graph literal = MustImport(b.Bytes());
  EXPECT_EQ(literal.tensor(literal.inputs[0]).dtype, ir::DType::kUInt8);
  EXPECT_EQ(literal.tensor(literal.outputs[0]).dtype, ir::DType::kUInt8);
  EXPECT_EQ(literal.tensor(literal.outputs[0]).name, "yq");
  ir::Graph g = literal;
  const Status st = passes::RunPipeline(g);
  ASSERT_TRUE(st.ok()) << st.diag().ToString();
  EXPECT_EQ(g.tensor(g.inputs[0]).dtype, ir::DType::kUInt8);
  EXPECT_EQ(g.tensor(g.outputs[0]).dtype, ir::DType::kUInt8);
  int convs = 0;
  for (const auto& n : g.nodes) convs += n.op == OpKind::kConv2D && g.tensor(n.outputs[0]).dtype == ir::DType::kInt8;
  EXPECT_EQ(convs, 1);
  std::vector<uint8_t> x(8);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<uint8_t>(i * 37 % 256);
  auto a = ops::EvaluateGraph(literal, {x});
  auto r = ops::EvaluateGraph(g, {x});
  ASSERT_TRUE(a.ok() && r.ok());
  ASSERT_EQ(a->outputs[0].size(), r->outputs[0].size());
  int differ = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    EXPECT_LE(std::abs(a->outputs[0][i] - r->outputs[0][i]), 1) << i;
    differ += a->outputs[0][i] != r->outputs[0][i];
  }
  // The int8 outputs span the uint8 range (the shift by 128 is exercised).
  EXPECT_LT(differ, 8);
}

// QDQ models with uint8 activations (ONNX Runtime's default) fold too: the
// uint8 QuantizeLinear/DequantizeLinear pairs are held as int8.
TEST(OnnxQOperator, QdqWithUint8ActivationsFoldsToInt8) {
  OnnxBuilder b;
  b.Input("x", {1, 2, 4, 4});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", pb::TensorProto::UINT8, {}, {128});
  b.InitInt("w", pb::TensorProto::INT8, {2, 2, 3, 3}, test::qop_detail::Weights(36, 2, 3));
  b.Init("ws", {}, {0.01f});
  b.InitInt("wz", pb::TensorProto::INT8, {}, {0});
  b.Init("ys", {}, {0.05f});
  b.InitInt("yz", pb::TensorProto::UINT8, {}, {120});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xf"});
  b.Node("DequantizeLinear", {"w", "ws", "wz"}, {"wf"});
  b.Node("Conv", {"xf", "wf"}, {"yf"}).Ints("pads", {1, 1, 1, 1});
  b.Node("QuantizeLinear", {"yf", "ys", "yz"}, {"yq"});
  b.Node("DequantizeLinear", {"yq", "ys", "yz"}, {"y"});
  b.Output("y");
  QopModel m{"qdq_u8", b.Bytes(), {1, 2, 4, 4}, {1, 2, 4, 4}, 0.05f};
  const ir::Graph literal = MustImport(m.bytes);
  const ir::Graph g = Pipelined(m);
  int convs = 0;
  for (const auto& n : g.nodes) convs += n.op == OpKind::kConv2D && g.tensor(n.outputs[0]).dtype == ir::DType::kInt8;
  EXPECT_EQ(convs, 1);
  std::vector<float> x(32);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.11f * static_cast<float>(i) - 1.7f;
  const auto want = RunModel(literal, m, x), got = RunModel(g, m, x);
  ASSERT_EQ(want.size(), got.size());
  for (size_t i = 0; i < got.size(); ++i) EXPECT_LE(std::fabs(got[i] - want[i]), 1.001f * m.output_scale) << i;
}

// The 2x3 `x` quantized to uint8 with (scale, zp) times the int8 weights
// {{1, -2}, {3, 4}, {-5, 6}} less w_zp, summed in int32, times out_scale:
// MatMulInteger's definition written out.
std::vector<float> IntegerMatMul(const std::vector<float>& x, float scale, int zp, int w_zp, float out_scale) {
  std::vector<float> want;
  const int w[3][2] = {{1, -2}, {3, 4}, {-5, 6}};
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 2; ++c) {
      int acc = 0;
      for (int k = 0; k < 3; ++k) {
        const int q = std::clamp(static_cast<int>(std::nearbyint(x[static_cast<size_t>(r * 3 + k)] / scale)) + zp, 0, 255);
        acc += (q - zp) * (w[k][c] - w_zp);
      }
      want.push_back(out_scale * static_cast<float>(acc));
    }
  return want;
}

// ConvInteger / MatMulInteger read through a Cast to float (integer-ops
// quantization with a static input scale): the same integers in float.
TEST(OnnxQOperator, MatMulIntegerThroughCastToFloat) {
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.Init("xs", {}, {0.1f});
  b.InitInt("xz", pb::TensorProto::UINT8, {}, {120});
  b.InitInt("w", pb::TensorProto::INT8, {3, 2}, {1, -2, 3, 4, -5, 6});
  b.InitInt("wz", pb::TensorProto::INT8, {}, {1});
  b.Init("s", {}, {0.5f});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("MatMulInteger", {"xq", "w", "xz", "wz"}, {"acc"}, "mmi");
  b.Node("Cast", {"acc"}, {"accf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Mul", {"accf", "s"}, {"y"});
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x = {0.3f, -1.2f, 2.0f, 0.0f, 5.0f, -3.3f};
  ExpectNear(Eval(g, x), IntegerMatMul(x, 0.1f, 120, 1, 0.5f), 1e-5f);
}

// ConvInteger's int32 result as a graph output: exact (a cast of the float32
// sums) while no partial sum can reach 2^24, else refused; an operator
// reading it directly is refused.
TEST(OnnxQOperator, ConvIntegerInt32OutputWhenExact) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 3, 3}, pb::TensorProto::UINT8);
  b.InitInt("w", pb::TensorProto::UINT8, {1, 1, 2, 2}, {1, 2, 3, 250});
  b.InitInt("xz", pb::TensorProto::UINT8, {}, {3});
  b.Node("ConvInteger", {"x", "w", "xz"}, {"y"}, "convint");
  b.Output("y", pb::TensorProto::INT32);
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<uint8_t> x = {0, 255, 7, 100, 3, 9, 200, 1, 54};
  auto r = ops::EvaluateGraph(g, {x});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  std::vector<int32_t> y(r->outputs[0].size() / 4), want;
  std::memcpy(y.data(), r->outputs[0].data(), r->outputs[0].size());
  const int w[4] = {1, 2, 3, 250};
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      int acc = 0;
      for (int a = 0; a < 2; ++a)
        for (int c = 0; c < 2; ++c) acc += (x[static_cast<size_t>((i + a) * 3 + j + c)] - 3) * w[a * 2 + c];
      want.push_back(acc);
    }
  EXPECT_EQ(y, want);

  // 300 channels of weights 255: partial sums up to 300·255·255 > 2^24.
  OnnxBuilder big;
  big.Input("x", {1, 300, 1, 1}, pb::TensorProto::UINT8);
  big.InitInt("w", pb::TensorProto::UINT8, {1, 300, 1, 1}, std::vector<int32_t>(300, 255));
  big.Node("ConvInteger", {"x", "w"}, {"y"}, "convint");
  big.Output("y", pb::TensorProto::INT32);
  Diagnostic d = MustFail(big.Bytes());
  EXPECT_EQ(d.id, "E1007") << d.ToString();
  EXPECT_NE(d.message.find("partial sums can reach 2^24"), std::string::npos) << d.message;

  // Read by an operator other than Cast: refused.
  OnnxBuilder read;
  read.Input("x", {1, 1, 3, 3}, pb::TensorProto::UINT8);
  read.InitInt("w", pb::TensorProto::UINT8, {1, 1, 2, 2}, {1, 2, 3, 4});
  read.InitInt("one", pb::TensorProto::INT32, {}, {1});
  read.Node("ConvInteger", {"x", "w"}, {"acc"}, "convint");
  read.Node("Add", {"acc", "one"}, {"y"});
  read.Output("y", pb::TensorProto::INT32);
  d = MustFail(read.Bytes());
  EXPECT_EQ(d.id, "E1007") << d.ToString();
  EXPECT_NE(d.message.find("ConvInteger"), std::string::npos) << d.message;
  EXPECT_NE(d.hint.find("Cast to float"), std::string::npos) << d.hint;
}

// ONNX Runtime's dynamic quantization: DynamicQuantizeLinear's uint8 result
// and zero point, computed at run time, feed MatMulInteger; the result
// equals the definition written out. Any other reader of the uint8 result
// is refused.
TEST(OnnxQOperator, DynamicQuantizationEqualsTheDefinition) {
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.InitInt("w", pb::TensorProto::INT8, {3, 2}, {1, -2, 3, 4, -5, 6});
  b.Node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"}, "dql");
  b.Node("MatMulInteger", {"xq", "w", "xz"}, {"acc"}, "mmi");
  b.Node("Cast", {"acc"}, {"accf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Mul", {"accf", "xs"}, {"y"});
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x = {0.3f, -1.2f, 2.0f, 0.0f, 5.0f, -3.3f};
  const float scale = (5.0f - -3.3f) / 255.0f;
  const int zp = static_cast<int>(std::nearbyint(std::clamp(0.0f - -3.3f / scale, 0.0f, 255.0f)));
  ExpectNear(Eval(g, x), IntegerMatMul(x, scale, zp, 0, scale), 1e-6f);

  // uint8 arithmetic on the result (wrapping modulo 256 in ONNX), also
  // behind an Identity, is refused; a Cast to float reads the numbers.
  for (const bool identity : {false, true}) {
    OnnxBuilder direct(14);  // Add takes uint8 from opset 14
    direct.Input("x", {2, 3});
    direct.Node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"}, "dql");
    direct.Node("Identity", {"xq"}, {"xi"});
    direct.Node("Add", {identity ? "xi" : "xq", "xz"}, {"y"}, "shift");
    direct.Output("y", pb::TensorProto::UINT8);
    const Diagnostic d = MustFail(direct.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find(identity ? "'xi' of DynamicQuantizeLinear" : "'xq' of DynamicQuantizeLinear"),
              std::string::npos)
        << d.message;
    EXPECT_NE(d.hint.find("MatMulInteger"), std::string::npos) << d.hint;
  }
  // DequantizeLinear of the results: x fake-quantized at run time.
  OnnxBuilder fake;
  fake.Input("x", {2, 3});
  fake.Node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"}, "dql");
  fake.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"y"});
  fake.Output("y");
  const ir::Graph gf = MustImport(fake.Bytes());
  const std::vector<float> yf = Eval(gf, x);
  for (size_t k = 0; k < x.size(); ++k) {
    const int q = std::clamp(static_cast<int>(std::nearbyint(x[k] / scale)) + zp, 0, 255);
    EXPECT_EQ(yf[k], static_cast<float>(q - zp) * scale) << k;
  }
  OnnxBuilder cast;
  cast.Input("x", {2, 3});
  cast.Node("DynamicQuantizeLinear", {"x"}, {"xq", "xs", "xz"}, "dql");
  cast.Node("Cast", {"xq"}, {"y"}).Int("to", pb::TensorProto::FLOAT);
  cast.Output("y");
  const ir::Graph gc = MustImport(cast.Bytes());
  const std::vector<float> yc = Eval(gc, x);
  for (size_t k = 0; k < x.size(); ++k) {
    EXPECT_EQ(yc[k], static_cast<float>(std::clamp(static_cast<int>(std::nearbyint(x[k] / scale)) + zp, 0, 255))) << k;
  }
}

// QuantizeLinear and DequantizeLinear whose scale is computed at run time
// (per-tensor symmetric fake quantization, x's largest magnitude / 127),
// a per-axis QuantizeLinear of a run-time tensor, and a MatMulInteger of a
// run-time quantized uint8 tensor, against the definition:
// q = clamp(round_half_even(x / s) + zp), x' = (q - zp)·s.
TEST(OnnxQOperator, RunTimeQuantizationEqualsTheDefinition) {
  OnnxBuilder b(13);
  b.Input("x", {2, 4});
  b.InitInt("zp", pb::TensorProto::INT8, {}, {3});
  b.Init("levels", {}, {127.0f});
  b.Node("Abs", {"x"}, {"mag"});
  b.Node("ReduceMax", {"mag"}, {"peak"}).Int("keepdims", 0);
  b.Node("Div", {"peak", "levels"}, {"s"});
  b.Node("QuantizeLinear", {"x", "s", "zp"}, {"q"});
  b.Node("DequantizeLinear", {"q", "s", "zp"}, {"y"});
  b.Output("y");
  b.Output("q", pb::TensorProto::INT8);
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x = {0.3f, -1.2f, 2.0f, 0.0f, 5.0f, -3.3f, 2.5f, -0.0196850f};
  const float s = 5.0f / 127.0f;
  std::vector<float> want;
  std::vector<int8_t> want_q;
  for (float v : x) {
    const int q = std::clamp(static_cast<int>(std::nearbyint(v / s)) + 3, -128, 127);
    want_q.push_back(static_cast<int8_t>(q));
    want.push_back(static_cast<float>(q - 3) * s);
  }
  EXPECT_EQ(Eval(g, x), want);
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto r = ops::EvaluateGraph(g, {in});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(std::vector<int8_t>(r->outputs[1].begin(), r->outputs[1].end()), want_q);

  // Per axis 1 of a run-time [2, 3], uint8 zero points: 127 + 200/0.5 saturates.
  OnnxBuilder pa(13);
  pa.Input("x", {2, 3});
  pa.Init("s", {3}, {0.5f, 0.25f, 2.0f});
  pa.InitInt("z", pb::TensorProto::UINT8, {3}, {0, 127, 250});
  pa.Node("QuantizeLinear", {"x", "s", "z"}, {"q"}).Int("axis", 1);
  pa.Output("q", pb::TensorProto::UINT8);
  const ir::Graph gp = MustImport(pa.Bytes());
  const std::vector<float> xp = {1.25f, -40.0f, 9.0f, 200.0f, 31.875f, -600.0f};
  std::vector<uint8_t> inp(xp.size() * 4);
  std::memcpy(inp.data(), xp.data(), inp.size());
  auto rp = ops::EvaluateGraph(gp, {inp});
  ASSERT_TRUE(rp.ok()) << rp.diag().ToString();
  // 1.25/0.5 = 2.5 -> 2 (half to even); -40/0.25 + 127 = -33 -> 0; 9/2 = 4.5 -> 4, + 250 = 254;
  // 200/0.5 = 400 -> 255; 31.875/0.25 = 127.5 -> 128, + 127 = 255; -600/2 + 250 = -50 -> 0.
  EXPECT_EQ(std::vector<uint8_t>(rp->outputs[0].begin(), rp->outputs[0].end()),
            (std::vector<uint8_t>{2, 0, 254, 255, 255, 0}));

  OnnxBuilder mm(13);
  mm.Input("x", {2, 3});
  mm.Init("levels", {}, {255.0f});
  mm.InitInt("w", pb::TensorProto::INT8, {3, 2}, {1, -2, 3, 4, -5, 6});
  mm.Node("ReduceMax", {"x"}, {"peak"}).Int("keepdims", 0);
  mm.Node("Div", {"peak", "levels"}, {"s_rt"});
  mm.Node("QuantizeLinear", {"x", "s_rt"}, {"xq"});
  mm.Node("MatMulInteger", {"xq", "w"}, {"acc"});
  mm.Node("Cast", {"acc"}, {"y"}).Int("to", pb::TensorProto::FLOAT);
  mm.Output("y");
  const ir::Graph gm = MustImport(mm.Bytes());
  const std::vector<float> xm = {0.3f, -1.2f, 2.0f, 0.0f, 5.0f, -3.3f};
  const std::vector<int> wm = {1, -2, 3, 4, -5, 6};
  const float sm = 5.0f / 255.0f;
  std::vector<float> want_m;
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 2; ++j) {
      int acc = 0;
      for (int k = 0; k < 3; ++k)
        acc += std::clamp(static_cast<int>(std::nearbyint(xm[static_cast<size_t>(i * 3 + k)] / sm)), 0, 255) *
               wm[static_cast<size_t>(k * 2 + j)];
      want_m.push_back(static_cast<float>(acc));
    }
  EXPECT_EQ(Eval(gm, xm), want_m);
}

// QLinearAdd with `drop` input removed / replaced (malformed contrib nodes:
// libonnx has no schema for them, the importer checks them).
std::vector<uint8_t> QLinearAdd(const std::function<void(OnnxBuilder&, std::vector<std::string>&)>& edit) {
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 2, 2, 2});
  b.Init("s", {}, {0.1f});
  b.InitInt("z", pb::TensorProto::INT8, {}, {3});
  std::vector<std::string> in = {"xq", "s", "z", "xq", "s", "z", "s", "z"};
  edit(b, in);
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("QLinearAdd", in, {"aq"}, "add").proto()->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"aq", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 2, 2, 2});
  return b.Bytes();
}

TEST(OnnxQOperator, MalformedContribNodesGiveDiagnostics) {
  // Fine as it is.
  MustImport(QLinearAdd([](OnnxBuilder&, std::vector<std::string>&) {}));
  struct Case {
    const char* what;
    std::function<void(OnnxBuilder&, std::vector<std::string>&)> edit;
    const char* id;
    const char* text;
  };
  const Case cases[] = {
      {"missing scale", [](OnnxBuilder&, std::vector<std::string>& in) { in.resize(4); }, "E1015", "input 4 (scale of the second input) is missing"},
      {"float zero point",
       [](OnnxBuilder& b, std::vector<std::string>& in) {
         b.Init("zf", {}, {0.0f});
         in[5] = "zf";
       },
       "E1015", "has type FLOAT"},
      {"uint8 zero point of an int8 tensor",
       [](OnnxBuilder& b, std::vector<std::string>& in) {
         b.InitInt("zu", pb::TensorProto::UINT8, {}, {3});
         in[2] = "zu";
       },
       "E1015", "must have the same type"},
      {"scale of two values",
       [](OnnxBuilder& b, std::vector<std::string>& in) {
         b.Init("s2", {2}, {0.1f, 0.2f});
         in[4] = "s2";
       },
       "E1015", "has 2 values"},
      {"scale computed at run time", [](OnnxBuilder&, std::vector<std::string>& in) { in[6] = "x"; }, "E1013", "run time"},
      {"negative scale",
       [](OnnxBuilder& b, std::vector<std::string>& in) {
         b.Init("sn", {}, {-0.1f});
         in[1] = "sn";
       },
       "E1015", "not positive"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.what);
    const Diagnostic d = MustFail(QLinearAdd(c.edit));
    EXPECT_EQ(d.id, c.id) << d.ToString();
    EXPECT_NE(d.message.find(c.text), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("QLinearAdd"), std::string::npos) << d.message;
  }
}

TEST(OnnxQOperator, QLinearConcatAndSoftmaxDiagnostics) {
  OnnxBuilder b;
  b.Domain("com.microsoft", 1);
  b.Input("x", {1, 4});
  b.Init("s", {}, {0.1f});
  b.InitInt("z", ::onnx::TensorProto::INT8, {}, {0});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("QLinearConcat", {"s", "z", "xq", "s"}, {"cq"}, "concat").Int("axis", 1).proto()->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"cq", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 4});
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_NE(d.ToString().find("QLinearConcat takes the output scale and zero point"), std::string::npos) << d.ToString();

  OnnxBuilder c;
  c.Domain("com.microsoft", 1);
  c.Input("x", {1, 4, 3});
  c.Init("s", {}, {0.1f});
  c.InitInt("z", ::onnx::TensorProto::INT8, {}, {0});
  c.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  // Opset-11 semantics (flatten at axis 1) in an opset-13 model: refused.
  c.Node("QLinearSoftmax", {"xq", "s", "z", "s", "z"}, {"mq"}, "softmax").Int("axis", 1).Int("opset", 11).proto()->set_domain("com.microsoft");
  c.Node("DequantizeLinear", {"mq", "s", "z"}, {"y"});
  c.OutputWithShape("y", {1, 4, 3});
  const Diagnostic e = MustFail(c.Bytes());
  EXPECT_EQ(e.id, "E1007") << e.ToString();
}

// QLinearAveragePool with channels_last=1 pools an NHWC tensor: the same
// numbers as the NCHW pool between transposes, before and after the passes,
// with no transpose left after them (refused before, E1007). Against ONNX
// Runtime: QOperatorOrt.QLinearAveragePoolChannelsLastEqualsOnnxRuntime.
TEST(OnnxQOperator, QLinearAveragePoolChannelsLast) {
  auto model = [](bool channels_last) {
    OnnxBuilder b;
    b.Domain("com.microsoft", 1);
    b.Input("x", {1, 5, 6, 3});
    b.Init("xs", {}, {0.07f});
    b.InitInt("xz", pb::TensorProto::UINT8, {}, {131});
    b.Init("ys", {}, {0.045f});
    b.InitInt("yz", pb::TensorProto::UINT8, {}, {133});
    std::string in = "x";
    if (!channels_last) {
      b.Node("Transpose", {"x"}, {"xt"}).Ints("perm", {0, 3, 1, 2});
      in = "xt";
    }
    b.Node("QuantizeLinear", {in, "xs", "xz"}, {"xq"});
    b.Node("QLinearAveragePool", {"xq", "xs", "xz", "ys", "yz"}, {"pq"}, "pool")
        .Ints("kernel_shape", {3, 2})
        .Ints("strides", {2, 2})
        .Ints("pads", {1, 0, 1, 1})
        .Int("count_include_pad", 0)
        .Int("channels_last", channels_last ? 1 : 0)
        .proto()
        ->set_domain("com.microsoft");
    b.Node("DequantizeLinear", {"pq", "ys", "yz"}, {channels_last ? "y" : "yt"});
    if (!channels_last) b.Node("Transpose", {"yt"}, {"y"}).Ints("perm", {0, 2, 3, 1});
    b.OutputWithShape("y", {1, 3, 3, 3});
    return b.Bytes();
  };
  std::vector<float> x(90);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 2.5f * std::sin(0.61f * static_cast<float>(i) + 0.3f);
  std::vector<uint8_t> bytes(x.size() * 4);
  std::memcpy(bytes.data(), x.data(), bytes.size());
  std::vector<std::vector<uint8_t>> results;
  for (const bool channels_last : {true, false}) {
    for (const bool pipelined : {false, true}) {
      ir::Graph g = MustImport(model(channels_last));
      if (pipelined) {
        ASSERT_TRUE(passes::RunPipeline(g).ok());
      }
      ASSERT_EQ(g.tensor(g.inputs[0]).shape, (ir::Shape{1, 5, 6, 3}));
      if (pipelined && channels_last) {
        for (const auto& n : g.nodes) EXPECT_NE(n.op, OpKind::kTranspose);
      }
      auto r = ops::EvaluateGraph(g, {bytes});
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      results.push_back(r->outputs[0]);
    }
  }
  // Literal with literal, int8 with int8 (the int8 pool adds the uint8 zero
  // points in float as ONNX Runtime does, so on ties it may differ from the
  // literal evaluation).
  ASSERT_EQ(results[0].size(), 27u * 4);
  EXPECT_EQ(results[2], results[0]);
  EXPECT_EQ(results[3], results[1]);
}

// QLinearWhere: too few inputs, X and Y of different types, a missing
// condition: each a diagnostic naming the node.
TEST(OnnxQOperator, QLinearWhereDiagnostics) {
  auto model = [](const std::vector<std::string>& in) {
    OnnxBuilder b;
    b.Domain("com.microsoft", 1);
    b.Input("x", {1, 4});
    b.Init("s", {}, {0.1f});
    b.InitInt("z", ::onnx::TensorProto::INT8, {}, {0});
    b.InitInt("u", ::onnx::TensorProto::UINT8, {}, {128});
    b.InitInt("c", ::onnx::TensorProto::BOOL, {4}, {1, 0, 0, 1});
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
    b.Node("QuantizeLinear", {"x", "s", "u"}, {"uq"});
    b.Node("QLinearWhere", in, {"wq"}, "where").proto()->set_domain("com.microsoft");
    b.Node("DequantizeLinear", {"wq", "s", "z"}, {"y"});
    b.OutputWithShape("y", {1, 4});
    return b.Bytes();
  };
  struct Case {
    std::vector<std::string> in;
    std::string text;
  };
  const std::vector<Case> cases = {
      {{"c", "xq", "s", "z", "xq", "s", "z"}, "QLinearWhere takes the condition"},
      {{"c", "xq", "s", "z", "uq", "s", "u", "s", "z"}, "'uq' has type UINT8 where 'xq' is INT8"},
      {{"", "xq", "s", "z", "xq", "s", "z", "s", "z"}, "the condition (input 0) is missing"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    const Diagnostic d = MustFail(model(c.in));
    EXPECT_NE(d.ToString().find(c.text), std::string::npos) << d.ToString();
    EXPECT_NE(d.ToString().find("'where'"), std::string::npos) << d.ToString();
  }
  // The well-formed node imports.
  const ir::Graph g = MustImport(model({"c", "xq", "s", "z", "xq", "s", "z", "s", "z"}));
  EXPECT_FALSE(g.nodes.empty());
}

TEST(OnnxQOperator, QLinearConvWeightScaleOfWrongLength) {
  OnnxBuilder b;
  b.Input("xq", {1, 2, 4, 4}, pb::TensorProto::INT8);
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", pb::TensorProto::INT8, {}, {0});
  b.InitInt("w", pb::TensorProto::INT8, {2, 2, 1, 1}, {127, -30, 20, -127});
  b.Init("ws", {3}, {0.01f, 0.02f, 0.03f});
  b.InitInt("wz", pb::TensorProto::INT8, {3}, {0, 0, 0});
  b.Init("ys", {}, {0.03f});
  b.InitInt("yz", pb::TensorProto::INT8, {}, {0});
  b.Node("QLinearConv", {"xq", "xs", "xz", "w", "ws", "wz", "ys", "yz"}, {"yq"}, "conv");
  b.OutputWithShape("yq", {1, 2, 4, 4}, pb::TensorProto::INT8);
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1015") << d.ToString();
  EXPECT_NE(d.message.find("QLinearConv"), std::string::npos) << d.message;
  EXPECT_NE(d.message.find("has 3 values; expected 1 or 2"), std::string::npos) << d.message;
}

TEST(OnnxQOperator, ContribOperatorWithoutItsDomainImportIsRefused) {
  OnnxBuilder b;  // no com.microsoft opset import
  b.Input("x", {1, 2, 2, 2});
  b.Init("s", {}, {0.1f});
  b.InitInt("z", pb::TensorProto::INT8, {}, {3});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"xq"});
  b.Node("QLinearAdd", {"xq", "s", "z", "xq", "s", "z", "s", "z"}, {"aq"}, "add").proto()->set_domain("com.microsoft");
  b.Node("DequantizeLinear", {"aq", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 2, 2, 2});
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1003") << d.ToString();
}

// A linear Resize of the quantized integers themselves (2x2 -> 4x4,
// asymmetric): ONNX Runtime's rule, worked by hand here. Each output is
// (d2x d2y) X11 + (d1x d2y) X21 + (d2x d1y) X12 + (d1x d1y) X22 of the stored
// values, truncated toward zero (0.5 -> 0, 3.5 -> 3, -1.5 -> -1: neither
// rounding nor floor); where both neighbours are the last pixel, each gets
// 0.5. uint8 values are interpolated as uint8 (held as int8 inside), int8
// as int8; with and without the passes.
TEST(OnnxQOperator, LinearResizeOfIntegersTruncatesAsOnnxRuntime) {
  struct Case {
    int32_t elem;
    std::vector<float> x;
    std::vector<float> want;
  };
  const Case cases[] = {
      {pb::TensorProto::INT8,
       {-3, 4, 10, -7},
       {-3, 0, 4, 4, 3, 1, -1, -1, 10, 1, -7, -7, 10, 1, -7, -7}},
      {pb::TensorProto::UINT8,
       {200, 13, 0, 255},
       {200, 106, 13, 13, 100, 117, 134, 134, 0, 127, 255, 255, 0, 127, 255, 255}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.elem);
    OnnxBuilder b;
    b.Input("x", {1, 1, 2, 2});
    b.Init("s", {}, {1.0f});
    b.InitInt("z", c.elem, {}, {0});
    b.Init("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
    b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
    b.Node("Resize", {"q", "", "scales"}, {"r"}).Str("mode", "linear").Str("coordinate_transformation_mode", "asymmetric");
    b.Node("DequantizeLinear", {"r", "s", "z"}, {"y"});
    b.OutputWithShape("y", {1, 1, 4, 4});
    const QopModel m{"resize", b.Bytes(), {1, 1, 2, 2}, {1, 1, 4, 4}, 1.0f};
    EXPECT_EQ(RunModel(MustImport(m.bytes), m, c.x), c.want);
    EXPECT_EQ(RunModel(Pipelined(m), m, c.x), c.want);
  }
}

// ArgMax / ArgMin of a quantized uint8 tensor (ONNX Runtime's QOperator
// quantizer leaves them on the quantized values) read its int8 form: the
// same order, so the same indices, ties included (first or last index); no
// uint8 copy is made.
TEST(OnnxQOperator, ArgMaxOfUint8ReadsTheInt8Form) {
  for (const char* op : {"ArgMax", "ArgMin"}) {
    for (const int64_t last : {0, 1}) {
      SCOPED_TRACE(std::string(op) + (last ? " last" : " first"));
      OnnxBuilder b;
      b.Input("x", {1, 3, 1, 2});
      b.Init("s", {}, {1.0f});
      b.InitInt("z", pb::TensorProto::UINT8, {}, {0});
      b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
      b.Node(op, {"q"}, {"i"}).Int("axis", 1).Int("select_last_index", last);
      b.Node("Cast", {"i"}, {"y"}).Int("to", pb::TensorProto::FLOAT);
      b.OutputWithShape("y", {1, 1, 1, 2});
      // Channels of position 0: 5, 200, 200; of position 1: 130, 7, 7.
      const std::vector<float> x = {5, 130, 200, 7, 200, 7};
      const std::vector<float> want = std::string(op) == "ArgMax" ? std::vector<float>{last ? 2.0f : 1.0f, 0.0f}
                                                                  : std::vector<float>{0.0f, last ? 2.0f : 1.0f};
      const QopModel m{"argmax", b.Bytes(), {1, 3, 1, 2}, {1, 1, 1, 2}, 1.0f};
      const ir::Graph g = MustImport(m.bytes);
      for (const auto& t : g.tensors) EXPECT_NE(t.dtype, ir::DType::kUInt8) << t.name;
      EXPECT_EQ(RunModel(g, m, x), want);
      EXPECT_EQ(RunModel(Pipelined(m), m, x), want);
    }
  }
}

// Coordinate modes whose integer interpolation ember does not reproduce are
// refused by name.
TEST(OnnxQOperator, LinearResizeOfIntegersOtherModesAreRefused) {
  OnnxBuilder b;
  b.Input("x", {1, 1, 2, 2});
  b.Init("s", {}, {1.0f});
  b.InitInt("z", pb::TensorProto::INT8, {}, {0});
  b.Init("scales", {4}, {1.0f, 1.0f, 2.0f, 2.0f});
  b.Node("QuantizeLinear", {"x", "s", "z"}, {"q"});
  b.Node("Resize", {"q", "", "scales"}, {"r"}, "up")
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "tf_half_pixel_for_nn");
  b.Node("DequantizeLinear", {"r", "s", "z"}, {"y"});
  b.OutputWithShape("y", {1, 1, 4, 4});
  const Diagnostic d = MustFail(b.Bytes());
  EXPECT_EQ(d.id, "E1007") << d.ToString();
  EXPECT_NE(d.message.find("a linear Resize of a i8 tensor with coordinate_transformation_mode 'tf_half_pixel_for_nn'"),
            std::string::npos)
      << d.ToString();
}

}  // namespace
}  // namespace ember::frontend::onnx
