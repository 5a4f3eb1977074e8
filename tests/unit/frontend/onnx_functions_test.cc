// Model-local functions (import_functions.cc): every call is inlined before
// the checker, with its formal inputs and outputs bound to the call's values,
// attribute references resolved from the call, nested calls inlined in turn;
// the result computes exactly what the same network without functions
// computes. Recursion, a call of the wrong arity and a function whose opset
// differs from the model's are refused with a diagnostic.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_function_models.h"

namespace ember::frontend::onnx {
namespace {

using test::FunctionForm;
using test::FunctionModel;

std::vector<std::vector<uint8_t>> Outputs(const ir::Graph& g, const std::vector<float>& x) {
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto r = ops::EvaluateGraph(g, {in});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diag().ToString());
  return r.ok() ? r->outputs : std::vector<std::vector<uint8_t>>{};
}

TEST(OnnxFunctions, CallsAreInlinedAndComputeTheFlatNetwork) {
  const ir::Graph g = MustImport(FunctionModel());
  const ir::Graph flat = MustImport(test::FlatFunctionModel());
  const std::vector<float> x = Ramp(50);
  const auto got = Outputs(g, x), want = Outputs(flat, x);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got, want);
  // The operators inside carry the call's name, and a nested call both names.
  std::string locs;
  for (const ir::Node& n : g.nodes) locs += n.name + " ";
  EXPECT_NE(locs.find("block1/Conv"), std::string::npos) << locs;
  EXPECT_NE(locs.find("block2/Act/LeakyRelu"), std::string::npos) << locs;
}

// IR version 10: overloads pick the function, an attribute the call does not
// give takes the function's default (attribute_proto); opset 21.
TEST(OnnxFunctions, OverloadsAndAttributeDefaultsOfIr10) {
  const ir::Graph g = MustImport(FunctionModel(FunctionForm::kIr10));
  const ir::Graph flat = MustImport(test::FlatFunctionModel());
  const std::vector<float> x = Ramp(50);
  EXPECT_EQ(Outputs(g, x), Outputs(flat, x));
}

TEST(OnnxFunctions, RefusedForms) {
  struct Case {
    FunctionForm form;
    const char* id;
    const char* message;
  };
  for (const Case& c : {Case{FunctionForm::kRecursive, "E1006", "nested more than 32 calls deep"},
                        Case{FunctionForm::kTooManyInputs, "E1015", "with 4 inputs and 1 outputs; it takes 3 and 2"},
                        Case{FunctionForm::kOtherOpset, "E1005", "uses opset 13 of the default ONNX domain, the model opset 17"}}) {
    const Diagnostic d = MustFail(FunctionModel(c.form));
    SCOPED_TRACE(d.ToString());
    EXPECT_EQ(d.id, c.id);
    EXPECT_NE(d.message.find(c.message), std::string::npos);
    EXPECT_NE(d.message.find("pkg.custom."), std::string::npos) << "names the function";
    EXPECT_FALSE(d.hint.empty());
  }
}

}  // namespace
}  // namespace ember::frontend::onnx
