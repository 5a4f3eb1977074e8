// SVDF reference evaluator: values hand-computed from TFLite Micro's formula
// (svdf_common.cc) for float32 and int8 with an int16 or int8 state, over
// consecutive inferences that share the state (ops::EvalState); the state's
// initial value (real zero: an int8 state's zero point); Infer errors.
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::FromBytes;
using test::Quant;
using test::ToBytes;

// x [1,2] -> SVDF (2 filters, memory 3, rank 1) -> out [1,2]. Weights
// feature [[1,2],[3,-1]], time `wt`, bias `bias`; the state a variable.
struct SvdfModel {
  ir::Graph g;
  ir::TensorId state = ir::kNoTensor;
};

ir::Tensor MakeTensor(const std::string& name, ir::DType dtype, ir::Shape shape, std::optional<ir::QuantParams> q) {
  ir::Tensor t;
  t.name = name;
  t.dtype = dtype;
  t.shape = std::move(shape);
  t.quant = std::move(q);
  return t;
}

template <typename W, typename B>
SvdfModel Build(ir::DType x_type, ir::DType time_type, const std::vector<W>& wt, const std::vector<B>& bias,
                const std::string& act, bool quantized, int64_t state_zp = 0) {
  SvdfModel m;
  ir::Graph& g = m.g;
  auto q = [&](float s, int64_t z) { return quantized ? std::optional<ir::QuantParams>(Quant(s, z)) : std::nullopt; };
  ir::Tensor x = MakeTensor("x", x_type, {1, 2}, q(0.5f, -1));
  const ir::TensorId xi = g.AddTensor(x);
  ir::Tensor wf = MakeTensor("wf", x_type, {2, 2}, q(0.25f, 0));
  wf.data = quantized ? ToBytes(std::vector<int8_t>{1, 2, 3, -1}) : ToBytes(std::vector<float>{1, 2, 3, -1});
  const ir::TensorId wfi = g.AddTensor(wf);
  ir::Tensor wtt = MakeTensor("wt", time_type, {2, 3}, q(0.5f, 0));
  wtt.data = ToBytes(wt);
  const ir::TensorId wti = g.AddTensor(wtt);
  ir::Tensor b = MakeTensor("bias", quantized ? ir::DType::kInt32 : ir::DType::kFloat32, {2}, q(0.0625f, 0));
  b.data = ToBytes(bias);
  const ir::TensorId bi = g.AddTensor(b);
  ir::Tensor st = MakeTensor("state", time_type, {1, 6}, q(0.125f, state_zp));
  st.is_variable = true;
  m.state = g.AddTensor(st);
  ir::Tensor out = MakeTensor("out", x_type, {1, 2}, q(0.25f, 3));
  const ir::TensorId oi = g.AddTensor(out);
  ir::Node n;
  n.op = ir::OpKind::kSvdf;
  n.name = "svdf";
  n.inputs = {xi, wfi, wti, bi, m.state};
  n.outputs = {oi};
  n.attrs["rank"] = int64_t{1};
  n.attrs["act"] = act;
  g.nodes.push_back(n);
  g.inputs = {xi};
  g.outputs = {oi};
  return m;
}

template <typename T>
std::vector<T> Step(const ir::Graph& g, const std::vector<T>& x, ops::EvalState* state) {
  ops::EvalOptions o;
  o.state = state;
  auto r = ops::EvaluateGraph(g, {ToBytes(x)}, o);
  EXPECT_TRUE(r.ok()) << r.diag().ToString();
  return r.ok() ? FromBytes<T>(r->outputs[0]) : std::vector<T>{};
}

TEST(Svdf, FloatThreeStepsKeepTheirHistory) {
  // Step 1, x = [1, 1]: newest feature values 3 and 2; state [0,0,3 | 0,0,2];
  // out = [0.5 + 4*3, -1 + 1*2] = [12.5, 1].
  // Step 2, x = [2, 0]: the state moves down by one ([0,3,0 | 0,2,2]) and
  // gets 2 and 6: [0,3,2 | 0,2,6]; out = [0.5 + 2*3 + 4*2, -1 + 6] = [14.5, 5].
  // Step 3, x = [0, 1]: [3,2,2 | 2,6,-1]; out = [0.5 + 3 + 4 + 8, relu(-1 + 2 - 1)] = [15.5, 0].
  SvdfModel m = Build<float, float>(ir::DType::kFloat32, ir::DType::kFloat32, {1, 2, 4, 0.5f, 0, 1}, {0.5f, -1},
                                    "relu", false);
  ASSERT_TRUE(ir::Verify(m.g).ok());
  ASSERT_TRUE(ops::CheckGraph(m.g).ok()) << ops::CheckGraph(m.g).diag().ToString();
  ops::EvalState state;
  EXPECT_EQ(Step<float>(m.g, {1, 1}, &state), (std::vector<float>{12.5f, 1}));
  EXPECT_EQ(Step<float>(m.g, {2, 0}, &state), (std::vector<float>{14.5f, 5}));
  EXPECT_EQ(Step<float>(m.g, {0, 1}, &state), (std::vector<float>{15.5f, 0}));
  EXPECT_EQ(FromBytes<float>(state.vars[static_cast<size_t>(m.state)]), (std::vector<float>{3, 2, 2, 2, 6, -1}));
  // Without a state object every call starts from zeros.
  EXPECT_EQ(Step<float>(m.g, {2, 0}, nullptr), (std::vector<float>{8.5f, 5}));
  EXPECT_EQ(Step<float>(m.g, {2, 0}, nullptr), (std::vector<float>{8.5f, 5}));
}

TEST(Svdf, Int8WithInt16State) {
  // s_x 0.5 (z -1), s_wf 0.25, s_state 0.125, s_wt 0.5, s_out 0.25 (z 3):
  // M1 = 1 (the feature sum is the state value), M2 = 1/4.
  // Step 1, x = [1, 3] (x - z = [2, 4]): d = [10, 2], state [0,0,10 | 0,0,2];
  // acc = [2 + 4*10, -4 + 2*2] = [42, 0] -> 10.5 -> 11, 0 -> out [14, 3].
  // Step 2, x = [-1, 0] ([0, 1]): d = [2, -1], state [0,10,2 | 0,2,-1];
  // acc = [2 + 2*10 + 4*2, -4 + 2*(-1)] = [30, -6] -> 7.5 -> 8, -1.5 -> -2
  // (ties away from zero) -> out [11, 1].
  SvdfModel m = Build<int16_t, int32_t>(ir::DType::kInt8, ir::DType::kInt16, {1, 2, 4, 1, 0, 2}, {2, -4}, "none",
                                        true);
  ASSERT_TRUE(ops::CheckGraph(m.g).ok()) << ops::CheckGraph(m.g).diag().ToString();
  ops::EvalState state;
  EXPECT_EQ(Step<int8_t>(m.g, {1, 3}, &state), (std::vector<int8_t>{14, 3}));
  EXPECT_EQ(Step<int8_t>(m.g, {-1, 0}, &state), (std::vector<int8_t>{11, 1}));
  EXPECT_EQ(FromBytes<int16_t>(state.vars[static_cast<size_t>(m.state)]),
            (std::vector<int16_t>{0, 10, 2, 0, 2, -1}));
}

TEST(Svdf, Int8StateStartsAtItsZeroPoint) {
  // An int8 state with zero point 5 starts as 5 everywhere (real zero, as
  // TFLite Micro resets it): the first step gives the same outputs as above.
  SvdfModel m = Build<int8_t, int32_t>(ir::DType::kInt8, ir::DType::kInt8, {1, 2, 4, 1, 0, 2}, {2, -4}, "none",
                                       true, /*state_zp=*/5);
  ops::EvalState state;
  EXPECT_EQ(Step<int8_t>(m.g, {1, 3}, &state), (std::vector<int8_t>{14, 3}));
  EXPECT_EQ(FromBytes<int8_t>(state.vars[static_cast<size_t>(m.state)]), (std::vector<int8_t>{5, 5, 15, 5, 5, 7}));
}

TEST(Svdf, InferErrors) {
  {
    SvdfModel m = Build<float, float>(ir::DType::kFloat32, ir::DType::kFloat32, {1, 2, 4, 0.5f, 0, 1}, {0.5f, -1},
                                      "none", false);
    m.g.tensors[static_cast<size_t>(m.state)].is_variable = false;
    const Status s = ops::CheckGraph(m.g);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.diag().message.find("not a variable"), std::string::npos) << s.diag().ToString();
  }
  {
    SvdfModel m = Build<float, float>(ir::DType::kFloat32, ir::DType::kFloat32, {1, 2, 4, 0.5f, 0, 1}, {0.5f, -1},
                                      "none", false);
    m.g.nodes[0].attrs["rank"] = int64_t{3};  // does not divide 2 filters
    EXPECT_FALSE(ops::CheckGraph(m.g).ok());
  }
  {
    // int8 x with an int16 time weight but an int8 state: the two must match.
    SvdfModel m = Build<int16_t, int32_t>(ir::DType::kInt8, ir::DType::kInt16, {1, 2, 4, 1, 0, 2}, {2, -4}, "none",
                                          true);
    m.g.tensors[static_cast<size_t>(m.state)].dtype = ir::DType::kInt8;
    m.g.tensors[static_cast<size_t>(m.state)].shape = {1, 6};
    EXPECT_FALSE(ops::CheckGraph(m.g).ok());
  }
}

TEST(Svdf, VerifierRejectsAVariableWithDataOrWrittenByANode) {
  SvdfModel m = Build<float, float>(ir::DType::kFloat32, ir::DType::kFloat32, {1, 2, 4, 0.5f, 0, 1}, {0.5f, -1},
                                    "none", false);
  ir::Graph with_data = m.g;
  with_data.tensors[static_cast<size_t>(m.state)].data = std::vector<uint8_t>(24, 0);
  const Status a = ir::Verify(with_data);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.diag().id, "E0240");
  ir::Graph written = m.g;
  written.nodes[0].outputs = {m.state};
  EXPECT_FALSE(ir::Verify(written).ok());
}

}  // namespace
}  // namespace ember
