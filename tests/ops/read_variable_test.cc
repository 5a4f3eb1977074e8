// read_variable (with assign_variable: TFLite READ_VARIABLE /
// ASSIGN_VARIABLE, byte copies out of and into a variable): the variable's
// initial value (Tensor::init) and its update carried over consecutive
// inferences through one ops::EvalState; a fresh state starts from the
// initial value again; Infer refusals.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::FromBytes;
using test::ToBytes;

// out = state + x (float32); state' = out. A running sum starting at [10, -20].
constexpr const char* kAccumulator = R"(graph "acc" {
  input %x : f32[2]
  var %state : f32[2] = hex"000020410000a0c1"
  %old = read_variable(%state) : f32[2]
  %sum = add(%old, %x) {act="none"} : f32[2]
  () = assign_variable(%state, %sum)
  output %sum
})";

ir::Graph Parse(const std::string& text) {
  auto g = ir::Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString();
  return *g;
}

TEST(ReadVariable, StateStartsAtItsInitialValueAndPersists) {
  const ir::Graph g = Parse(kAccumulator);
  ASSERT_TRUE(ir::Verify(g).ok()) << ir::Verify(g).diag().ToString();
  ASSERT_TRUE(ops::CheckGraph(g).ok()) << ops::CheckGraph(g).diag().ToString();
  ops::EvalState state;
  ops::EvalOptions o;
  o.state = &state;
  const std::vector<std::vector<float>> want = {{11, -18}, {12, -16}, {13, -14}};
  for (const auto& w : want) {
    auto r = ops::EvaluateGraph(g, {ToBytes(std::vector<float>{1, 2})}, o);
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(FromBytes<float>(r->outputs[0]), w);
  }
  // A fresh state (reset) starts from the initial value, not from zero.
  auto fresh = ops::EvaluateGraph(g, {ToBytes(std::vector<float>{1, 2})});
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(FromBytes<float>(fresh->outputs[0]), (std::vector<float>{11, -18}));
}

TEST(ReadVariable, InitialValueRoundTripsThroughText) {
  const ir::Graph g = Parse(kAccumulator);
  const ir::Tensor& v = g.tensor(g.FindTensor("state"));
  ASSERT_TRUE(v.init.has_value());
  EXPECT_EQ(FromBytes<float>(*v.init), (std::vector<float>{10, -20}));
  EXPECT_EQ(Parse(ir::Print(g)), g);
}

TEST(ReadVariable, RefusesWhatIsNotAVariable) {
  const ir::Graph g = Parse(R"(graph "g" {
  input %x : i8[2]
  %y = read_variable(%x) : i8[2]
  output %y
})");
  const Status s = ops::CheckGraph(g);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.diag().message.find("not a variable"), std::string::npos) << s.diag().message;
}

}  // namespace
}  // namespace ember
