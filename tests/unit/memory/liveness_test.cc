#include "memory/liveness.h"

#include <gtest/gtest.h>

namespace ember::memory {
namespace {

ir::TensorId Act(ir::Graph& g, const std::string& name, int64_t bytes) {
  ir::Tensor t;
  t.name = name;
  t.dtype = ir::DType::kInt8;
  t.shape = {bytes};
  return g.AddTensor(t);
}

// x(100) -> a(200) -> b(50) ; add(a, b) -> y(30). `a` stays live across b.
ir::Graph Residual() {
  ir::Graph g;
  const auto x = Act(g, "x", 100);
  const auto a = Act(g, "a", 200);
  const auto b = Act(g, "b", 50);
  const auto y = Act(g, "y", 30);
  ir::Tensor w;
  w.name = "w";
  w.dtype = ir::DType::kInt8;
  w.shape = {1000};
  w.data = std::vector<uint8_t>(1000, 0);
  const auto wid = g.AddTensor(w);
  g.inputs = {x};
  g.outputs = {y};
  g.nodes.push_back({ir::OpKind::kRelu, "n0", {x}, {a}, {}});
  g.nodes.push_back({ir::OpKind::kRelu, "n1", {a, wid}, {b}, {}});
  g.nodes.push_back({ir::OpKind::kAdd, "n2", {a, b}, {y}, {}});
  return g;
}

TEST(Liveness, Lifetimes) {
  const auto lt = ComputeLifetimes(Residual());
  ASSERT_EQ(lt.size(), 4u);  // the constant is not an activation
  EXPECT_EQ(lt[0].first, -1);
  EXPECT_EQ(lt[0].last, 0);
  EXPECT_EQ(lt[1].first, 0);
  EXPECT_EQ(lt[1].last, 2);
  EXPECT_EQ(lt[2].first, 1);
  EXPECT_EQ(lt[2].last, 2);
  EXPECT_EQ(lt[3].first, 2);
  EXPECT_EQ(lt[3].last, 3);  // graph output lives to the end
}

TEST(Liveness, LiveBytesAndLowerBound) {
  const ir::Graph g = Residual();
  const auto live = LiveBytesPerStep(g);
  ASSERT_EQ(live.size(), 3u);
  EXPECT_EQ(live[0], 100 + 200);
  EXPECT_EQ(live[1], 200 + 50);
  EXPECT_EQ(live[2], 200 + 50 + 30);
  EXPECT_EQ(ActivationLowerBound(g), 300);
}

TEST(Liveness, GraphWithoutNodes) {
  ir::Graph g;
  const auto x = Act(g, "x", 64);
  g.inputs = {x};
  g.outputs = {x};
  EXPECT_EQ(ActivationLowerBound(g), 64);
}

}  // namespace
}  // namespace ember::memory
