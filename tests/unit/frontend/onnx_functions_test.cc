// Model-local functions (import_functions.cc): every call is inlined before
// the checker, with its formal inputs and outputs bound to the call's values,
// attribute references resolved from the call, nested calls inlined in turn;
// the result computes exactly what the same network without functions
// computes. Recursion, a call of the wrong arity and a function whose opset
// differs from the model's are refused with a diagnostic.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>

#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"
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

// Operators ember has no converter for but whose ONNX schema defines them by
// a function body are expanded into the body's nodes: MeanVarianceNormalization
// (a static body) and CastLike (a body built from the input types).
TEST(OnnxFunctions, SchemaFunctionBodiesAreExpanded) {
  test::OnnxBuilder b(15);
  b.Input("x", {1, 2, 2, 3});
  b.InitInt("like", ::onnx::TensorProto::INT32, {1}, {0});
  b.Node("MeanVarianceNormalization", {"x"}, {"y"}, "mvn");
  b.Node("CastLike", {"x", "like"}, {"z"}, "cast_like");
  b.Output("y");
  b.Output("z", ::onnx::TensorProto::INT32);
  const ir::Graph g = MustImport(b.Bytes());
  std::string ops;
  for (const ir::Node& n : g.nodes) ops += n.name + " ";
  EXPECT_NE(ops.find("mvn/"), std::string::npos) << "the body's nodes are named under the node: " << ops;
  std::vector<float> x = Ramp(12, 0.7f, -2.0f);
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto r = ops::EvaluateGraph(g, {in});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs.size(), 2u);
  std::vector<float> y(12);
  ASSERT_EQ(r->outputs[0].size(), 48u);
  std::memcpy(y.data(), r->outputs[0].data(), 48);
  // Per channel over N, H, W: (x - mean) / (sqrt(E[x^2] - mean^2) + 1e-9).
  for (int c = 0; c < 2; ++c) {
    double sum = 0, sq = 0;
    for (int k = 0; k < 6; ++k) sum += x[c * 6 + k], sq += double(x[c * 6 + k]) * x[c * 6 + k];
    const double mean = sum / 6, sd = std::sqrt(sq / 6 - mean * mean);
    for (int k = 0; k < 6; ++k) EXPECT_NEAR(y[c * 6 + k], (x[c * 6 + k] - mean) / sd, 2e-6) << c << "," << k;
  }
  std::vector<int32_t> z(12);
  ASSERT_EQ(r->outputs[1].size(), 48u);
  std::memcpy(z.data(), r->outputs[1].data(), 48);
  for (int k = 0; k < 12; ++k) EXPECT_EQ(z[k], static_cast<int32_t>(x[k])) << "truncates toward zero, element " << k;
}

// A window operator of a constant size folds to a constant at import (each
// node of its body has constant inputs): the periodic Hann window
// 0.5 − 0.5·cos(2πn/N), applied to the input.
TEST(OnnxFunctions, WindowOfConstantSizeFolds) {
  test::OnnxBuilder b(17);
  b.Input("x", {8});
  b.InitInt64("size", {}, {8});
  b.Node("HannWindow", {"size"}, {"w"}, "hann");
  b.Node("Mul", {"x", "w"}, {"y"});
  b.Output("y");
  const ir::Graph g = MustImport(b.Bytes());
  ASSERT_EQ(g.nodes.size(), 1u) << "the window is a constant operand of the one mul";
  const std::vector<float> x = Ramp(8, 0.5f, 1.0f);
  const std::vector<float> y = Eval(g, x);
  ASSERT_EQ(y.size(), 8u);
  for (int n = 0; n < 8; ++n) {
    const double w = 0.5 - 0.5 * std::cos(2 * 3.141592653589793 * n / 8);
    EXPECT_NEAR(y[n], x[n] * w, 2e-6) << n;
  }
}

// A body with an operator ember does not import names that operator, the
// node it came from and the function it expanded.
TEST(OnnxFunctions, SchemaFunctionBodyWithAnUnsupportedOperator) {
  test::OnnxBuilder b(15);
  b.Input("x", {1, 4});
  b.Node("Bernoulli", {"x"}, {"y"}, "coin");
  b.Output("y");
  const Diagnostic d = MustFail(b.Bytes());
  SCOPED_TRACE(d.ToString());
  EXPECT_EQ(d.id, "E1006");
  EXPECT_NE(d.message.find("RandomUniformLike"), std::string::npos);
  EXPECT_NE(d.message.find("in the ONNX function body of Bernoulli node 'coin'"), std::string::npos);
  EXPECT_FALSE(d.hint.empty());
}

}  // namespace
}  // namespace ember::frontend::onnx
