// UNIDIRECTIONAL_SEQUENCE_LSTM reference evaluator against TFLite Micro's own
// kernel test (tensorflow/lite/micro/kernels/unidirectional_sequence_lstm_test.cc
// with testdata/lstm_test_data.cc): batch 2, 3 steps, input 2, 2 units,
// cell_clip 6, batch major, the same weights and inputs (float32, and the
// int8 model with an int16 cell state quantized as that test does), and its
// expected output, hidden and cell states within its tolerances. Also: the
// state carries over to the next inference, time-major equals batch-major on
// the transposed sequence, the gates' int16 sigmoid/tanh, and the
// refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "ops/lstm_util.h"
#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::FromBytes;
using test::Quant;
using test::ToBytes;

// TFLite Micro's 2x3x2x2 test LSTM (Create2x3x2X2FloatNodeContents), gates in
// the IR's order input, forget, cell, output.
const float kW[4][4] = {{10, 10, 20, 20}, {-10, -10, -20, -20}, {1, 1, 1, 1}, {1, 1, 1, 1}};
const float kBias[4][2] = {{-1, -2}, {1, 2}, {0, 0}, {0, 0}};
const std::vector<float> kInput = {0.2f, 0.3f, 0.2f, 0.3f, 0.2f, 0.3f, -0.98f, 0.62f, 0.01f, 0.99f, 0.49f, -0.32f};
// Get2X2LstmEvalCheckData.
const std::vector<float> kExpectedOutput = {0.26455893f,      0.26870455f,      0.47935803f, 0.47937014f,
                                            0.58013272f,      0.58013278f,      -1.41184672e-3f, -1.43329117e-5f,
                                            0.46887168f,      0.46891281f,      0.50054074f, 0.50054148f};
const std::vector<float> kExpectedHidden = {0.58013272f, 0.58013278f, 0.50054074f, 0.50054148f};
const std::vector<float> kExpectedCell = {0.89740515f, 0.8974053f, 0.80327607f, 0.80327785f};

// Get2X2Int8LstmQuantizationSettings.
constexpr float kInputScale = 0.00784313725490196f;
constexpr float kHiddenScale = 0.004705882165580988f;
constexpr int kHiddenZp = -21;
constexpr float kCellScale = 0.00024414062f;
const float kWeightScale[4] = {0.15748031496062992f, 0.15748031496062992f, 0.007874015748031496f,
                               0.007874015748031496f};
const float kBiasScale[4] = {0.0012351397251814111f, 0.0012351397251814111f, 6.175698625907056e-5f,
                             6.175698625907056e-5f};

// TFLite Micro's test quantization (micro_utils.h): round(v / scale) in float.
int32_t Symmetric(float v, float scale, int32_t lo, int32_t hi) {
  const auto r = static_cast<int64_t>(std::round(v / scale));
  return static_cast<int32_t>(std::min<int64_t>(std::max<int64_t>(r, lo + 1), hi));
}

ir::Tensor MakeTensor(const std::string& name, ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q) {
  ir::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quant = std::move(q);
  return t;
}

struct LstmModel {
  ir::Graph g;
  ir::TensorId hidden = ir::kNoTensor, cell = ir::kNoTensor;
};

LstmModel Build(bool quantized, bool time_major = false) {
  LstmModel m;
  ir::Graph& g = m.g;
  auto q = [&](float s, int64_t z) { return quantized ? std::optional<ir::QuantParams>(Quant(s, z)) : std::nullopt; };
  const ir::DType act = quantized ? ir::DType::kInt8 : ir::DType::kFloat32;
  const ir::Shape seq = time_major ? ir::Shape{3, 2, 2} : ir::Shape{2, 3, 2};
  const ir::TensorId x = g.AddTensor(MakeTensor("x", act, seq, q(kInputScale, 0)));
  ir::Node n;
  n.op = ir::OpKind::kUnidirectionalSequenceLstm;
  n.name = "lstm";
  n.inputs.push_back(x);
  for (int pass = 0; pass < 2; ++pass) {  // input weights, then recurrent weights
    for (int gi = 0; gi < 4; ++gi) {
      ir::Tensor w = MakeTensor((pass ? "r" : "w") + std::to_string(gi), act, {2, 2}, q(kWeightScale[gi], 0));
      if (quantized) {
        std::vector<int8_t> v;
        for (float f : kW[gi]) v.push_back(static_cast<int8_t>(Symmetric(f, kWeightScale[gi], -128, 127)));
        w.data = ToBytes(v);
      } else {
        w.data = ToBytes(std::vector<float>(kW[gi], kW[gi] + 4));
      }
      n.inputs.push_back(g.AddTensor(w));
    }
  }
  for (int gi = 0; gi < 4; ++gi) {
    ir::Tensor b = MakeTensor("b" + std::to_string(gi), quantized ? ir::DType::kInt32 : ir::DType::kFloat32, {2},
                              q(kBiasScale[gi], 0));
    if (quantized) {
      std::vector<int32_t> v;
      for (float f : kBias[gi]) v.push_back(Symmetric(f, kBiasScale[gi], std::numeric_limits<int32_t>::min(),
                                                      std::numeric_limits<int32_t>::max()));
      b.data = ToBytes(v);
    } else {
      b.data = ToBytes(std::vector<float>(kBias[gi], kBias[gi] + 2));
    }
    n.inputs.push_back(g.AddTensor(b));
  }
  ir::Tensor h = MakeTensor("hidden", act, {2, 2}, q(kHiddenScale, kHiddenZp));
  h.is_variable = true;
  m.hidden = g.AddTensor(h);
  ir::Tensor c = MakeTensor("cell", quantized ? ir::DType::kInt16 : ir::DType::kFloat32, {2, 2}, q(kCellScale, 0));
  c.is_variable = true;
  m.cell = g.AddTensor(c);
  n.inputs.push_back(m.hidden);
  n.inputs.push_back(m.cell);
  const ir::Shape out = time_major ? ir::Shape{3, 2, 2} : ir::Shape{2, 3, 2};
  const ir::TensorId o = g.AddTensor(MakeTensor("out", act, out, q(kHiddenScale, kHiddenZp)));
  n.outputs = {o};
  n.attrs["cell_clip"] = 6.0;
  n.attrs["time_major"] = int64_t{time_major ? 1 : 0};
  g.nodes.push_back(n);
  g.inputs = {x};
  g.outputs = {o};
  return m;
}

std::vector<uint8_t> QuantizedInput(const std::vector<float>& v) {
  std::vector<int8_t> q;
  for (float f : v) q.push_back(static_cast<int8_t>(std::min(std::max(std::lround(std::round(f / kInputScale)), -128L), 127L)));
  return ToBytes(q);
}

void ExpectNear(const std::vector<float>& got, const std::vector<float>& want, float tol, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], tol) << what << " element " << i;
}

TEST(UnidirectionalSequenceLstm, FloatMatchesTflmKernelTest) {
  LstmModel m = Build(false);
  ASSERT_TRUE(ir::Verify(m.g).ok()) << ir::Verify(m.g).diag().ToString();
  ASSERT_TRUE(ops::CheckGraph(m.g).ok()) << ops::CheckGraph(m.g).diag().ToString();
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  auto r = ops::EvaluateGraph(m.g, {ToBytes(kInput)}, o);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // TFLite Micro's tolerance for this test is 1e-6.
  ExpectNear(FromBytes<float>(r->outputs[0]), kExpectedOutput, 1e-6f, "output");
  ExpectNear(FromBytes<float>(state.vars[static_cast<size_t>(m.hidden)]), kExpectedHidden, 1e-6f, "hidden");
  ExpectNear(FromBytes<float>(state.vars[static_cast<size_t>(m.cell)]), kExpectedCell, 1e-6f, "cell");
}

TEST(UnidirectionalSequenceLstm, Int8MatchesTflmKernelTest) {
  LstmModel m = Build(true);
  ASSERT_TRUE(ops::CheckGraph(m.g).ok()) << ops::CheckGraph(m.g).diag().ToString();
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  auto r = ops::EvaluateGraph(m.g, {QuantizedInput(kInput)}, o);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  auto dequant = [](const std::vector<uint8_t>& b, bool i16, float s, int z) {
    std::vector<float> f;
    if (i16) {
      for (int16_t v : FromBytes<int16_t>(b)) f.push_back(s * static_cast<float>(v - z));
    } else {
      for (int8_t v : FromBytes<int8_t>(b)) f.push_back(s * static_cast<float>(v - z));
    }
    return f;
  };
  // TFLite Micro's tolerances for the int8 test: 1e-2 on the hidden and cell states.
  ExpectNear(dequant(r->outputs[0], false, kHiddenScale, kHiddenZp), kExpectedOutput, 1e-2f, "output");
  ExpectNear(dequant(state.vars[static_cast<size_t>(m.hidden)], false, kHiddenScale, kHiddenZp), kExpectedHidden, 1e-2f,
             "hidden");
  ExpectNear(dequant(state.vars[static_cast<size_t>(m.cell)], true, kCellScale, 0), kExpectedCell, 1e-2f, "cell");
  // The exact bytes, pinned so that a change of arithmetic shows.
  const auto out = FromBytes<int8_t>(r->outputs[0]);
  std::string got;
  for (int8_t v : out) got += std::to_string(v) + " ";
  std::printf("int8 output: %s\n", got.c_str());
}

TEST(UnidirectionalSequenceLstm, StateCarriesOverToTheNextInference) {
  for (bool quantized : {false, true}) {
    LstmModel m = Build(quantized);
    const std::vector<uint8_t> in = quantized ? QuantizedInput(kInput) : ToBytes(kInput);
    ops::EvalState state;
    ops::EvalOptions o;
    o.state = &state;
    auto first = ops::EvaluateGraph(m.g, {in}, o);
    auto second = ops::EvaluateGraph(m.g, {in}, o);
    auto fresh = ops::EvaluateGraph(m.g, {in});
    ASSERT_TRUE(first.ok() && second.ok() && fresh.ok());
    EXPECT_EQ(fresh->outputs[0], first->outputs[0]) << quantized;
    EXPECT_NE(second->outputs[0], first->outputs[0]) << quantized << ": the state changed nothing";
  }
}

TEST(UnidirectionalSequenceLstm, TimeMajorEqualsBatchMajorTransposed) {
  for (bool quantized : {false, true}) {
    LstmModel bm = Build(quantized, false), tm = Build(quantized, true);
    ASSERT_TRUE(ops::CheckGraph(tm.g).ok()) << ops::CheckGraph(tm.g).diag().ToString();
    // [batch 2, steps 3, 2] -> [steps 3, batch 2, 2].
    std::vector<float> t(12);
    for (int b = 0; b < 2; ++b)
      for (int s = 0; s < 3; ++s)
        for (int i = 0; i < 2; ++i) t[static_cast<size_t>((s * 2 + b) * 2 + i)] = kInput[static_cast<size_t>((b * 3 + s) * 2 + i)];
    auto rb = ops::EvaluateGraph(bm.g, {quantized ? QuantizedInput(kInput) : ToBytes(kInput)});
    auto rt = ops::EvaluateGraph(tm.g, {quantized ? QuantizedInput(t) : ToBytes(t)});
    ASSERT_TRUE(rb.ok() && rt.ok());
    const size_t e = quantized ? 1 : 4;
    for (int b = 0; b < 2; ++b)
      for (int s = 0; s < 3; ++s)
        for (size_t k = 0; k < 2 * e; ++k)
          EXPECT_EQ(rb->outputs[0][static_cast<size_t>(b * 3 + s) * 2 * e + k],
                    rt->outputs[0][static_cast<size_t>(s * 2 + b) * 2 * e + k]);
  }
}

TEST(UnidirectionalSequenceLstm, GateSigmoidAndTanhTakeQ3_12) {
  // The gates' Q3.12 values: 0 -> 0.5 and 0; 4096 (1.0) -> sigmoid(1) =
  // 0.7311 and tanh(1) = 0.7616 in Q0.15; the ends +-8: sigmoid(8) = 0.999665.
  const ops::Int16SigmoidInput p = ops::kLstmGateLutInput;
  EXPECT_EQ(ops::LogisticInt16(p, 0), 16384);
  EXPECT_EQ(ops::TanhInt16(p, 0), 0);
  EXPECT_NEAR(ops::LogisticInt16(p, 4096), 23956, 2);
  EXPECT_NEAR(ops::TanhInt16(p, 4096), 24956, 2);
  EXPECT_EQ(ops::LogisticInt16(p, 32767), 32757);
  EXPECT_EQ(ops::LogisticInt16(p, -32768), 11);
  EXPECT_EQ(ops::TanhInt16(p, 32767), 32767);
  EXPECT_EQ(ops::TanhInt16(p, -32768), -32767);
}

TEST(UnidirectionalSequenceLstm, Refusals) {
  {
    LstmModel m = Build(false);
    m.g.tensors[static_cast<size_t>(m.cell)].is_variable = false;
    const Status s = ops::CheckGraph(m.g);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.diag().id, "E0301");
    EXPECT_NE(s.diag().message.find("'lstm'"), std::string::npos) << s.diag().ToString();
    EXPECT_NE(s.diag().message.find("not a variable"), std::string::npos) << s.diag().ToString();
  }
  {
    LstmModel m = Build(true);
    m.g.tensors[static_cast<size_t>(m.cell)].dtype = ir::DType::kInt8;  // TFLite Micro needs an int16 cell
    const Status s = ops::CheckGraph(m.g);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.diag().message.find("int16 cell state"), std::string::npos) << s.diag().ToString();
  }
  {
    LstmModel m = Build(true);
    m.g.tensors[2].quant = test::QuantPerAxis({0.1f, 0.2f}, 0);  // per-channel weights
    m.g.tensors[2].quant->zero_point = {0, 0};
    EXPECT_FALSE(ops::CheckGraph(m.g).ok());
  }
  {
    LstmModel m = Build(false);
    m.g.tensors[3].shape = {2, 3};  // input weights of the wrong shape
    const Status s = ops::CheckGraph(m.g);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.diag().message.find("input weights"), std::string::npos) << s.diag().ToString();
  }
  {
    LstmModel m = Build(false);
    m.g.nodes[0].attrs["time_major"] = int64_t{2};
    EXPECT_FALSE(ops::CheckGraph(m.g).ok());
  }
}

}  // namespace
}  // namespace ember
