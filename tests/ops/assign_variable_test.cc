// assign_variable (TFLite ASSIGN_VARIABLE): refusals of Infer (another data
// type or element count) and of the verifier (a use of the variable after
// the write, E0241; an initial value of the wrong size or on a tensor that is
// not a variable). Its evaluation with read_variable: read_variable_test.cc.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "ir/parser.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"

namespace ember {
namespace {

ir::Graph Parse(const std::string& text) {
  auto g = ir::Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString();
  return *g;
}

constexpr const char* kAssign = R"(graph "g" {
  input %x : i8[2]
  var %v : i8[2] = hex"0102"
  %old = read_variable(%v) : i8[2]
  () = assign_variable(%v, %x)
  output %old
})";

TEST(AssignVariable, RefusesAnotherTypeOrSize) {
  for (const char* value : {"i8[3]", "u8[2]"}) {
    const ir::Graph g = Parse(std::string(R"(graph "g" {
  input %x : )") + value + R"(
  var %v : i8[2]
  () = assign_variable(%v, %x)
  %y = read_variable(%v) : i8[2]
  output %x
})");
    const Status s = ops::CheckGraph(g);
    ASSERT_FALSE(s.ok()) << value;
    EXPECT_NE(s.diag().message.find(std::string("assigns ") + value + " to variable 'v' of i8[2]"), std::string::npos)
        << s.diag().message;
    EXPECT_NE(s.diag().hint.find("data type and element count"), std::string::npos) << s.diag().hint;
  }
}

TEST(AssignVariable, VerifierRefusesAUseAfterTheWrite) {
  const ir::Graph g = Parse(R"(graph "g" {
  input %x : i8[2]
  var %v : i8[2]
  () = assign_variable(%v, %x)
  %y = read_variable(%v) : i8[2]
  output %y
})");
  const Status s = ir::Verify(g);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.diag().id, "E0241");
}

TEST(AssignVariable, InitialValueOnlyOnVariablesAndOfTheRightSize) {
  ir::Graph g = Parse(kAssign);
  EXPECT_TRUE(ir::Verify(g).ok()) << ir::Verify(g).diag().ToString();
  EXPECT_TRUE(ops::CheckGraph(g).ok()) << ops::CheckGraph(g).diag().ToString();
  g.tensor(g.FindTensor("v")).init->pop_back();
  EXPECT_EQ(ir::Verify(g).diag().id, "E0210");
  ir::Graph h = Parse(kAssign);
  h.tensor(h.FindTensor("x")).init = std::vector<uint8_t>(2, 0);
  EXPECT_EQ(ir::Verify(h).diag().id, "E0240");
}

}  // namespace
}  // namespace ember
