// TFLite import of resource variables (VAR_HANDLE, READ_VARIABLE,
// ASSIGN_VARIABLE, CALL_ONCE; docs/frontend-tflite.md): each resource
// becomes one variable whose initial value is what the CALL_ONCE init
// subgraph assigns; reads before an assign copy the variable, reads after one
// see the assigned value, the last value is written back at the end; the
// evaluator keeps the state across runs as TFLite Micro does across
// invocations. What ember cannot run is refused with E0125/E0126/E0127
// naming the operator and its subgraph.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "ir/printer.h"
#include "ops/evaluate.h"
#include "util/resource_models.h"

namespace ember::frontend::tflite {
namespace {

namespace tfl = ::tflite;

std::vector<uint8_t> I8(std::vector<int> v) {
  std::vector<uint8_t> b;
  for (int x : v) b.push_back(static_cast<uint8_t>(static_cast<int8_t>(x)));
  return b;
}

int CountOps(const ir::Graph& g, ir::OpKind k) {
  int n = 0;
  for (const ir::Node& node : g.nodes) n += node.op == k;
  return n;
}

TEST(TfliteImportResource, StreamModelImportsWithInitialValues) {
  auto g = ImportTflite(test::ResourceStreamModel(), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const ir::TensorId buf = g->FindTensor("stream/buffer"), last = g->FindTensor("stream/last");
  ASSERT_NE(buf, ir::kNoTensor) << ir::Print(*g);
  ASSERT_NE(last, ir::kNoTensor);
  EXPECT_TRUE(g->tensor(buf).is_variable);
  ASSERT_TRUE(g->tensor(buf).init.has_value());
  EXPECT_EQ(*g->tensor(buf).init, I8({1, 2, 3, 4}));
  EXPECT_EQ(*g->tensor(last).init, I8({-5, 7}));
  // Two copies out (the reads before the assigns), the read after the assign
  // a reshape of the assigned value, two write-backs last.
  EXPECT_EQ(CountOps(*g, ir::OpKind::kReadVariable), 2) << ir::Print(*g);
  EXPECT_EQ(CountOps(*g, ir::OpKind::kAssignVariable), 2);
  EXPECT_EQ(g->nodes[g->nodes.size() - 1].op, ir::OpKind::kAssignVariable);
  EXPECT_EQ(g->nodes[g->nodes.size() - 2].op, ir::OpKind::kAssignVariable);
}

TEST(TfliteImportResource, StateCarriesOverRunsAsTfliteMicro) {
  auto g = ImportTflite(test::ResourceStreamModel(), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  const auto buf = static_cast<size_t>(g->FindTensor("stream/buffer"));
  const auto last = static_cast<size_t>(g->FindTensor("stream/last"));
  ops::EvalState st;
  ops::EvalOptions o;
  o.state = &st;
  o.keep_intermediates = true;
  // TFLM: CALL_ONCE sets buffer [1,2,3,4], last [-5,7]; each invocation
  // buffer = (buffer ++ x)[2:], last = x; `after` is the new buffer.
  std::vector<int> b = {1, 2, 3, 4};
  const std::vector<std::vector<int>> xs = {{10, -11}, {12, 13}, {-14, 15}};
  for (const auto& x : xs) {
    auto r = ops::EvaluateGraph(*g, {I8(x)}, o);
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    b = {b[2], b[3], x[0], x[1]};
    EXPECT_EQ(st.vars[buf], I8(b));
    EXPECT_EQ(st.vars[last], I8(x));
    EXPECT_EQ(r->all[static_cast<size_t>(g->FindTensor("after"))], I8(b));
  }
}

TEST(TfliteImportResource, CallOnceAfterAReadIsRefused) {
  auto g = ImportTflite(test::ResourceStreamModel(/*call_once_last=*/true), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0126");
  EXPECT_NE(g.diag().message.find("operator 3 (CALL_ONCE"), std::string::npos) << g.diag().message;
  EXPECT_NE(g.diag().message.find("comes after operator 2 of subgraph 0"), std::string::npos) << g.diag().message;
}

TEST(TfliteImportResource, InitSubgraphIndexOutOfRangeIsRefused) {
  for (int32_t k : {0, 2, -1, 1000}) {
    auto g = ImportTflite(test::ResourceStreamModel(false, k), "m.tflite");
    ASSERT_FALSE(g.ok()) << k;
    EXPECT_EQ(g.diag().id, "E0126") << k;
    EXPECT_NE(g.diag().message.find("init_subgraph_index " + std::to_string(k)), std::string::npos)
        << g.diag().message;
  }
}

// main: CALL_ONCE(1); VAR_HANDLE "v" -> h; READ(h) -> y [2] (`read_type`).
// init: VAR_HANDLE "v"; ASSIGN(v, c) with c `init_type` [2]; `init_extra`
// adds an operator to the init subgraph: 1 an input, 2 a nested CALL_ONCE,
// 3 an ASSIGN of a second, int8[3] value to "v", 4 no ASSIGN at all, 5 an
// ADD of two constants whose sum is assigned.
std::vector<uint8_t> SmallModel(TensorType read_type, TensorType init_type, int init_extra = 0) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2});
  const int h = b.AddTensor("h", TensorType::RESOURCE, {});
  const int y = b.AddTensor("y", read_type, {2});
  const int z = b.AddTensor("z", TensorType::FLOAT32, {2});
  b.AddCallOnce(1);
  b.AddVarHandle(h, "v");
  b.AddReadVariable(h, y);
  b.AddOperator(BuiltinOperator::ADD, {x, x}, {z}, BuiltinOptions::AddOptions,
                tfl::CreateAddOptions(b.builder()).Union());
  b.SetInputs({x});
  b.SetOutputs({y, z});
  b.AddSubgraph("init");
  const int ih = b.AddTensor("ih", TensorType::RESOURCE, {});
  const int c = b.AddFloatTensor("c", {2}, {1.5f, -2.0f});
  b.AddVarHandle(ih, "v");
  if (init_extra == 1) b.SetInputs({c});
  if (init_extra == 2) b.AddCallOnce(1);
  if (init_extra == 3) b.AddAssignVariable(ih, b.AddConstTensor("c3", TensorType::INT8, {3}, {1, 2, 3}));
  if (init_extra == 5) {
    const int s = b.AddTensor("s", TensorType::FLOAT32, {2});
    b.AddOperator(BuiltinOperator::ADD, {c, c}, {s}, BuiltinOptions::AddOptions,
                  tfl::CreateAddOptions(b.builder()).Union());
    b.AddAssignVariable(ih, s);
  } else if (init_extra != 4) {
    b.AddAssignVariable(ih, init_type == TensorType::FLOAT32 ? c : b.AddConstTensor("ci", init_type, {2}, {1, 2}));
  }
  b.Select(0);
  return b.Finish();
}

TEST(TfliteImportResource, InitSubgraphIsEvaluatedAtImport) {
  auto g = ImportTflite(SmallModel(TensorType::FLOAT32, TensorType::FLOAT32, 5), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  auto r = ops::EvaluateGraph(*g, {std::vector<uint8_t>(8, 0)});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  std::vector<float> y(2);
  std::memcpy(y.data(), r->outputs[0].data(), 8);
  EXPECT_EQ(y, (std::vector<float>{3.0f, -4.0f}));
}

TEST(TfliteImportResource, RefusalsNameTheOperatorAndSubgraph) {
  struct Case {
    std::vector<uint8_t> file;
    const char* id;
    const char* says;
  };
  const std::vector<Case> cases = {
      {SmallModel(TensorType::INT8, TensorType::FLOAT32), "E0125", "reads resource 'v' of f32[2]"},
      {SmallModel(TensorType::FLOAT32, TensorType::INT8), "E0125", "reads resource 'v' of i8[2]"},
      {SmallModel(TensorType::FLOAT32, TensorType::FLOAT32, 1), "E0126", "it has 1 inputs"},
      {SmallModel(TensorType::FLOAT32, TensorType::FLOAT32, 2), "E0126", "operator 1 of subgraph 1 (CALL_ONCE"},
      {SmallModel(TensorType::FLOAT32, TensorType::FLOAT32, 3), "E0125",
       "assigns f32[2] to resource 'v', which operator 1 of subgraph 1 made i8[3]"},
      {SmallModel(TensorType::FLOAT32, TensorType::FLOAT32, 4), "E0125", "no ASSIGN_VARIABLE of the model assigns"},
  };
  for (const Case& c : cases) {
    auto g = ImportTflite(c.file, "m.tflite");
    ASSERT_FALSE(g.ok()) << c.says;
    EXPECT_EQ(g.diag().id, c.id) << g.diag().ToString();
    EXPECT_NE(g.diag().message.find(c.says), std::string::npos) << g.diag().ToString();
    EXPECT_FALSE(g.diag().hint.empty());
  }
}

TEST(TfliteImportResource, ReadOfATensorThatIsNoHandleIsRefused) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::FLOAT32, {2});
  const int y = b.AddTensor("y", TensorType::FLOAT32, {2});
  b.AddReadVariable(x, y);
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0127");
  EXPECT_NE(g.diag().message.find("not the output of an earlier VAR_HANDLE"), std::string::npos) << g.diag().message;
}

// A resource's bytes are held at import: a declared size beyond 64 MiB (here
// 256 MiB, with no data in the file) is refused before anything is allocated.
TEST(TfliteImportResource, AHugeResourceIsRefusedBeforeAllocating) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::INT8, {1 << 28});
  const int h = b.AddTensor("h", TensorType::RESOURCE, {});
  b.AddVarHandle(h, "big", "");
  b.AddAssignVariable(h, x);
  b.SetInputs({x});
  b.SetOutputs({x});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0125");
  EXPECT_NE(g.diag().message.find("268435456 bytes) to resource 'big'"), std::string::npos) << g.diag().message;
}

// Without CALL_ONCE a resource starts as its first assigned value's zero
// point in every byte (TFLite Micro's MicroResourceVariables::Allocate):
// here uint8 with zero point 128.
TEST(TfliteImportResource, WithoutCallOnceTheStateStartsAtTheZeroPoint) {
  ModelBuilder b;
  const int x = b.AddTensor("x", TensorType::UINT8, {3}, Quant(0.5f, 128));
  const int h = b.AddTensor("h", TensorType::RESOURCE, {});
  const int y = b.AddTensor("y", TensorType::UINT8, {3}, Quant(0.5f, 128));
  b.AddVarHandle(h, "v", "container");
  b.AddReadVariable(h, y);
  b.AddAssignVariable(h, x);
  b.SetInputs({x});
  b.SetOutputs({y});
  auto g = ImportTflite(b.Finish(), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ops::EvalState st;
  ops::EvalOptions o;
  o.state = &st;
  auto r1 = ops::EvaluateGraph(*g, {std::vector<uint8_t>{1, 2, 3}}, o);
  ASSERT_TRUE(r1.ok()) << r1.diag().ToString();
  EXPECT_EQ(r1->outputs[0], (std::vector<uint8_t>{128, 128, 128}));
  auto r2 = ops::EvaluateGraph(*g, {std::vector<uint8_t>{4, 5, 6}}, o);
  ASSERT_TRUE(r2.ok());
  EXPECT_EQ(r2->outputs[0], (std::vector<uint8_t>{1, 2, 3}));
}

}  // namespace
}  // namespace ember::frontend::tflite
