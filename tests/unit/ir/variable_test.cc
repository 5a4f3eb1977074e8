// Variables (Tensor::is_variable) in the text form and the memory plan: `var`
// round-trips; the plan puts every variable in the state region, each at its
// own aligned offset, outside the arena, and VerifyPlan checks it.
#include <gtest/gtest.h>

#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "memory/planner.h"

namespace ember::ir {
namespace {

constexpr const char* kText = R"(graph "g" {
  input %x : f32[1,2]
  const %wf : f32[2,2] = hex"0000803f000000400000404000000000"
  const %wt : f32[2,1] = hex"0000803f0000803f"
  var %s1 : f32[1,2]
  var %s2 : i8[3] quant(0.5, 4)
  %y = svdf(%x, %wf, %wt, _, %s1) {rank=1} : f32[1,2]
  output %y
}
)";

TEST(Variables, TextRoundTrip) {
  auto g = Parse(kText);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ASSERT_TRUE(Verify(*g).ok()) << Verify(*g).diag().ToString();
  EXPECT_TRUE(g->tensor(g->FindTensor("s1")).is_variable);
  EXPECT_FALSE(g->tensor(g->FindTensor("x")).is_variable);
  EXPECT_EQ(VariableInitByte(g->tensor(g->FindTensor("s2"))), 4);
  EXPECT_EQ(VariableInitByte(g->tensor(g->FindTensor("s1"))), 0);
  const std::string printed = Print(*g);
  EXPECT_NE(printed.find("var %s1 : f32[1,2]"), std::string::npos) << printed;
  auto again = Parse(printed);
  ASSERT_TRUE(again.ok()) << again.diag().ToString();
  EXPECT_EQ(*again, *g);
}

TEST(Variables, PlanGivesEachItsOwnStateSlot) {
  auto g = Parse(kText);
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  memory::PlanOptions o;
  o.io_in_arena = true;
  auto plan = memory::PlanMemory(*g, {}, o);
  ASSERT_TRUE(plan.ok()) << plan.diag().ToString();
  const memory::Allocation* s1 = plan->Find(g->FindTensor("s1"));
  const memory::Allocation* s2 = plan->Find(g->FindTensor("s2"));
  ASSERT_NE(s1, nullptr);
  ASSERT_NE(s2, nullptr);
  EXPECT_TRUE(s1->in_state && !s1->in_arena);
  EXPECT_TRUE(s2->in_state && !s2->in_arena);
  EXPECT_EQ(s1->offset, 0);
  EXPECT_EQ(s1->bytes, 8);
  EXPECT_EQ(s2->offset, 16);  // aligned to 16, never overlapping s1
  EXPECT_EQ(plan->state_bytes, 32);
  EXPECT_EQ(s1->first, -1);
  EXPECT_EQ(s1->last, 1);
  // The arena holds the input and output only (io_in_arena): the state is not in it.
  EXPECT_EQ(plan->arena_bytes, 32);
  // A plan that puts the two variables on top of each other fails verification.
  memory::MemoryPlan bad = *plan;
  for (auto& a : bad.allocations)
    if (a.in_state) a.offset = 0;
  EXPECT_FALSE(memory::VerifyPlan(*g, {}, bad).ok());
}

}  // namespace
}  // namespace ember::ir
