// rnn reference evaluator: two units, one input, three steps against the RNN
// equation computed by hand in double, for each activation; the state carries
// over to the next inference; time major equals batch major on the
// transposed sequence; the refusals.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "ops/evaluate.h"
#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;

const std::vector<float> kW = {0.5f, -1.25f};             // [2 units, 1 input]
const std::vector<float> kR = {0.25f, -0.5f, 0.75f, 0.1f};  // [2, 2]
const std::vector<float> kWb = {0.1f, -0.2f};
const std::vector<float> kRb = {0.05f, 0.3f};

// x [batch, steps, 1] (time_major: [steps, batch, 1]) -> rnn (2 units).
OneNode Rnn(int64_t batch, int64_t steps, const std::vector<float>& x, bool time_major, const std::string& act) {
  OneNode n(ir::OpKind::kRnn, "rnn");
  n.In<float>(time_major ? ir::Shape{steps, batch, 1} : ir::Shape{batch, steps, 1}, x);
  n.Const<float>({2, 1}, kW).Const<float>({2, 2}, kR).Const<float>({2}, kWb).Const<float>({2}, kRb);
  ir::Tensor h;
  h.name = "h";
  h.dtype = ir::DType::kFloat32;
  h.shape = {batch, 2};
  h.is_variable = true;
  n.node().inputs.push_back(n.graph().AddTensor(std::move(h)));
  n.Out(ir::DType::kFloat32, time_major ? ir::Shape{steps, batch, 2} : ir::Shape{batch, steps, 2});
  n.Attr("time_major", int64_t{time_major ? 1 : 0}).Attr("activation", act);
  return n;
}

std::vector<double> ByHand(const std::vector<float>& x, const std::string& act) {
  double h[2] = {0.0, 0.0};
  std::vector<double> out;
  for (float xf : x) {
    double next[2];
    for (int u = 0; u < 2; ++u) {
      const double v = kW[static_cast<size_t>(u)] * static_cast<double>(xf) + kWb[static_cast<size_t>(u)] +
                       kR[static_cast<size_t>(2 * u)] * h[0] + kR[static_cast<size_t>(2 * u + 1)] * h[1] +
                       kRb[static_cast<size_t>(u)];
      next[u] = act == "tanh" ? std::tanh(v) : act == "relu" ? std::max(v, 0.0) : 1.0 / (1.0 + std::exp(-v));
    }
    h[0] = next[0];
    h[1] = next[1];
    out.push_back(h[0]);
    out.push_back(h[1]);
  }
  return out;
}

TEST(RnnEval, MatchesTheEquationForEachActivation) {
  const std::vector<float> x = {1.0f, -0.5f, 2.0f};
  for (const char* act : {"tanh", "relu", "sigmoid"}) {
    SCOPED_TRACE(act);
    auto y = Rnn(1, 3, x, false, act).Run<float>();
    ASSERT_TRUE(y.ok()) << y.diag().ToString();
    const std::vector<double> want = ByHand(x, act);
    ASSERT_EQ(y->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR((*y)[i], want[i], 1e-6) << i;
  }
  // relu clips a negative unit to 0 somewhere in the sequence.
  const std::vector<double> relu = ByHand(x, "relu");
  EXPECT_NE(std::count(relu.begin(), relu.end(), 0.0), 0);
}

TEST(RnnEval, StateCarriesOverToTheNextInference) {
  OneNode n = Rnn(1, 2, {1.0f, -0.5f}, false, "tanh");
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  auto a = ops::EvaluateGraph(n.graph(), {test::ToBytes(std::vector<float>{1.0f, -0.5f})}, o);
  auto b = ops::EvaluateGraph(n.graph(), {test::ToBytes(std::vector<float>{2.0f, 0.25f})}, o);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<double> want = ByHand({1.0f, -0.5f, 2.0f, 0.25f}, "tanh");
  const auto yb = test::FromBytes<float>(b->outputs[0]);
  for (size_t i = 0; i < 4; ++i) EXPECT_NEAR(yb[i], want[4 + i], 1e-6) << i;
}

TEST(RnnEval, TimeMajorEqualsBatchMajor) {
  const std::vector<float> bm = {1.0f, -0.5f, 0.75f, -2.0f, 0.3f, 0.9f};  // [2 batches, 3 steps, 1]
  const std::vector<float> tm = {bm[0], bm[3], bm[1], bm[4], bm[2], bm[5]};
  auto yb = Rnn(2, 3, bm, false, "relu").Run<float>();
  auto yt = Rnn(2, 3, tm, true, "relu").Run<float>();
  ASSERT_TRUE(yb.ok() && yt.ok());
  for (size_t b = 0; b < 2; ++b)
    for (size_t t = 0; t < 3; ++t)
      for (size_t u = 0; u < 2; ++u) EXPECT_EQ((*yb)[(b * 3 + t) * 2 + u], (*yt)[(t * 2 + b) * 2 + u]);
}

TEST(RnnEval, Refusals) {
  {
    OneNode n = Rnn(1, 2, {1, 2}, false, "elu");
    EXPECT_NE(n.Check().ToString().find("has activation 'elu'"), std::string::npos) << n.Check().ToString();
  }
  {
    OneNode n = Rnn(1, 2, {1, 2}, false, "tanh");
    n.in_tensor(5).is_variable = false;
    EXPECT_NE(n.Check().ToString().find("is not a variable"), std::string::npos);
  }
  {
    OneNode n = Rnn(1, 2, {1, 2}, false, "tanh");
    n.in_tensor(2).shape = {2, 3};
    EXPECT_NE(n.Check().ToString().find("the recurrent weights"), std::string::npos) << n.Check().ToString();
  }
  {
    OneNode n = Rnn(1, 2, {1, 2}, false, "tanh");
    n.in_tensor(4).data.reset();
    EXPECT_NE(n.Check().ToString().find("the recurrent bias"), std::string::npos) << n.Check().ToString();
  }
}

}  // namespace
}  // namespace ember
