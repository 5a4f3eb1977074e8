// gru reference evaluator: one unit and one input over two steps against the
// GRU equations computed by hand in double (both linear_before_reset
// forms); the state carries over to the next inference; time major equals
// batch major on the transposed sequence; the refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "ops/evaluate.h"
#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::OneNode;

// Gates in the order update, reset, hidden (one unit, one input).
const float kW[3] = {0.5f, 1.0f, 2.0f};
const float kR[3] = {0.25f, -0.5f, 1.5f};
const float kWb[3] = {0.1f, 0.0f, -0.2f};
const float kRb[3] = {0.0f, 0.3f, 0.05f};

// x [batch, steps, 1] (time_major: [steps, batch, 1]) -> gru (1 unit).
OneNode Gru(int64_t batch, int64_t steps, const std::vector<float>& x, bool time_major, int64_t lbr) {
  OneNode n(ir::OpKind::kGru, "gru");
  n.In<float>(time_major ? ir::Shape{steps, batch, 1} : ir::Shape{batch, steps, 1}, x);
  for (const float* v : {kW, kR})
    for (int g = 0; g < 3; ++g) n.Const<float>({1, 1}, {v[g]});
  for (const float* v : {kWb, kRb})
    for (int g = 0; g < 3; ++g) n.Const<float>({1}, {v[g]});
  ir::Tensor h;
  h.name = "h";
  h.dtype = ir::DType::kFloat32;
  h.shape = {batch, 1};
  h.is_variable = true;
  n.node().inputs.push_back(n.graph().AddTensor(std::move(h)));
  n.Out(ir::DType::kFloat32, time_major ? ir::Shape{steps, batch, 1} : ir::Shape{batch, steps, 1});
  n.Attr("time_major", int64_t{time_major ? 1 : 0}).Attr("linear_before_reset", lbr);
  return n;
}

double Sigmoid(double v) { return 1.0 / (1.0 + std::exp(-v)); }

// The GRU equations in double over one sequence from h = 0.
std::vector<double> ByHand(const std::vector<float>& x, bool lbr) {
  double h = 0.0;
  std::vector<double> out;
  for (float xf : x) {
    const double xv = xf;
    const double z = Sigmoid(kW[0] * xv + kWb[0] + kR[0] * h + kRb[0]);
    const double r = Sigmoid(kW[1] * xv + kWb[1] + kR[1] * h + kRb[1]);
    const double n = lbr ? std::tanh(kW[2] * xv + kWb[2] + r * (kR[2] * h + kRb[2]))
                         : std::tanh(kW[2] * xv + kWb[2] + kR[2] * (r * h) + kRb[2]);
    h = (1.0 - z) * n + z * h;
    out.push_back(h);
  }
  return out;
}

TEST(GruEval, MatchesTheEquationsBothResetForms) {
  const std::vector<float> x = {1.0f, -0.5f, 0.75f};
  for (int64_t lbr : {0, 1}) {
    SCOPED_TRACE(lbr);
    auto y = Gru(1, 3, x, false, lbr).Run<float>();
    ASSERT_TRUE(y.ok()) << y.diag().ToString();
    const std::vector<double> want = ByHand(x, lbr == 1);
    ASSERT_EQ(y->size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR((*y)[i], want[i], 1e-6) << i;
  }
  // The two forms differ once the state is not zero.
  EXPECT_NE(ByHand(x, false)[1], ByHand(x, true)[1]);
}

TEST(GruEval, StateCarriesOverToTheNextInference) {
  const std::vector<float> x = {1.0f, -0.5f, 0.75f, 0.2f};
  OneNode first = Gru(1, 2, {x[0], x[1]}, false, 1);
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  auto a = ops::EvaluateGraph(first.graph(), {test::ToBytes(std::vector<float>{x[0], x[1]})}, o);
  auto b = ops::EvaluateGraph(first.graph(), {test::ToBytes(std::vector<float>{x[2], x[3]})}, o);
  ASSERT_TRUE(a.ok() && b.ok());
  const std::vector<double> want = ByHand(x, true);
  const auto yb = test::FromBytes<float>(b->outputs[0]);
  EXPECT_NEAR(yb[0], want[2], 1e-6);
  EXPECT_NEAR(yb[1], want[3], 1e-6);
}

TEST(GruEval, TimeMajorEqualsBatchMajor) {
  // Two sequences of three steps: batch major [2,3,1], time major [3,2,1].
  const std::vector<float> bm = {1.0f, -0.5f, 0.75f, -2.0f, 0.3f, 0.9f};
  const std::vector<float> tm = {bm[0], bm[3], bm[1], bm[4], bm[2], bm[5]};
  auto yb = Gru(2, 3, bm, false, 0).Run<float>();
  auto yt = Gru(2, 3, tm, true, 0).Run<float>();
  ASSERT_TRUE(yb.ok() && yt.ok());
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t)
      EXPECT_EQ((*yb)[static_cast<size_t>(b * 3 + t)], (*yt)[static_cast<size_t>(t * 2 + b)]) << b << " " << t;
}

TEST(GruEval, Refusals) {
  {
    OneNode n = Gru(1, 2, {1, 2}, false, 2);
    EXPECT_NE(n.Check().ToString().find("linear_before_reset must be 0 or 1"), std::string::npos);
  }
  {
    OneNode n = Gru(1, 2, {1, 2}, false, 0);
    n.in_tensor(13).is_variable = false;
    EXPECT_NE(n.Check().ToString().find("is not a variable"), std::string::npos);
  }
  {
    OneNode n = Gru(1, 2, {1, 2}, false, 0);
    n.in_tensor(5).shape = {1, 2};
    EXPECT_NE(n.Check().ToString().find("the reset gate's recurrent weights"), std::string::npos) << n.Check().ToString();
  }
  {
    OneNode n = Gru(1, 2, {1, 2}, false, 0);
    n.in_tensor(9).data.reset();
    EXPECT_NE(n.Check().ToString().find("the hidden gate's input bias"), std::string::npos) << n.Check().ToString();
  }
  {
    OneNode n = Gru(1, 2, {1, 2}, false, 0);
    n.in_tensor(0).dtype = ir::DType::kInt8;
    EXPECT_NE(n.Check().ToString().find("must be float32"), std::string::npos) << n.Check().ToString();
  }
}

}  // namespace
}  // namespace ember
