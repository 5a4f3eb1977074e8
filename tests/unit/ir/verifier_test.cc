// ir::Verify: one test per structural diagnostic (ids listed in docs/ir.md).
#include <limits>

#include <gtest/gtest.h>

#include "ir/verifier.h"

namespace ember::ir {
namespace {

// input x:i8[1,4] -> relu -> y ; y + c (constant) -> z ; output z.
struct Fixture {
  Graph g;
  TensorId x, y, c, z;
  Fixture() {
    Tensor t;
    t.dtype = DType::kInt8;
    t.shape = {1, 4};
    t.quant = QuantParams{{0.5f}, {-3}, 0};
    t.name = "x";
    x = g.AddTensor(t);
    t.name = "y";
    y = g.AddTensor(t);
    t.name = "c";
    t.data = std::vector<uint8_t>(4, 2);
    c = g.AddTensor(t);
    t.name = "z";
    t.data.reset();
    z = g.AddTensor(t);
    Node relu;
    relu.op = OpKind::kRelu;
    relu.name = "act";
    relu.inputs = {x};
    relu.outputs = {y};
    Node add;
    add.op = OpKind::kAdd;
    add.name = "sum";
    add.inputs = {y, c};
    add.outputs = {z};
    g.nodes = {relu, add};
    g.inputs = {x};
    g.outputs = {z};
  }
};

// Expects Verify to fail with `id` and a message containing each of `parts`.
void ExpectDiag(const Graph& g, const std::string& id, std::initializer_list<std::string> parts) {
  Status st = Verify(g);
  ASSERT_FALSE(st.ok()) << "expected " << id;
  EXPECT_EQ(st.diag().id, id) << st.ToString();
  for (const std::string& p : parts) EXPECT_NE(st.diag().message.find(p), std::string::npos) << st.ToString();
  EXPECT_FALSE(st.diag().hint.empty());
}

TEST(IrVerify, AcceptsValidGraph) {
  Fixture f;
  EXPECT_TRUE(Verify(f.g).ok()) << Verify(f.g).ToString();
}

TEST(IrVerify, AcceptsAbsentOperandAndUnusedTensor) {
  Fixture f;
  f.g.nodes[0].inputs.push_back(kNoTensor);
  Tensor dead;
  dead.name = "dead";  // left behind by a pass: no role, never read
  f.g.AddTensor(dead);
  EXPECT_TRUE(Verify(f.g).ok()) << Verify(f.g).ToString();
}

TEST(IrVerify, E0201NodeOperandOutOfRange) {
  Fixture f;
  f.g.nodes[1].inputs[1] = 9;
  ExpectDiag(f.g, "E0201", {"node 1 'sum' (add)", "tensor id 9", "4 tensors"});
}

TEST(IrVerify, E0201NodeOutputOutOfRange) {
  Fixture f;
  f.g.nodes[0].outputs[0] = -7;
  ExpectDiag(f.g, "E0201", {"node 0 'act' (relu)", "writes tensor id -7"});
}

TEST(IrVerify, E0202GraphOutputOutOfRange) {
  Fixture f;
  f.g.outputs.push_back(4);
  ExpectDiag(f.g, "E0202", {"graph output", "tensor id 4"});
}

TEST(IrVerify, E0203EmptyName) {
  Fixture f;
  f.g.tensors[2].name.clear();
  ExpectDiag(f.g, "E0203", {"tensor 2 has an empty name"});
}

TEST(IrVerify, E0204DuplicateName) {
  Fixture f;
  f.g.tensors[3].name = "y";
  ExpectDiag(f.g, "E0204", {"tensor 3 'y'", "tensor 1"});
}

TEST(IrVerify, E0205UseBeforeDef) {
  Fixture f;
  std::swap(f.g.nodes[0], f.g.nodes[1]);
  ExpectDiag(f.g, "E0205", {"node 0 'sum' (add) reads tensor 1 'y'", "node 1 'act' (relu)"});
}

TEST(IrVerify, E0206UndefinedOperand) {
  Fixture f;
  f.g.inputs.clear();
  ExpectDiag(f.g, "E0206", {"node 0 'act' (relu) reads tensor 0 'x'"});
}

TEST(IrVerify, E0207TwoProducers) {
  Fixture f;
  f.g.nodes[1].outputs[0] = f.y;
  ExpectDiag(f.g, "E0207", {"tensor 1 'y'", "node 0 'act'", "node 1 'sum'"});
}

TEST(IrVerify, E0208ProducedInput) {
  Fixture f;
  f.g.nodes[1].outputs[0] = f.x;
  ExpectDiag(f.g, "E0208", {"node 1 'sum'", "tensor 0 'x'", "graph input"});
}

TEST(IrVerify, E0208ProducedConstant) {
  Fixture f;
  f.g.nodes[0].outputs[0] = f.c;
  ExpectDiag(f.g, "E0208", {"tensor 2 'c'", "constant"});
}

TEST(IrVerify, E0209OutputNotDefined) {
  Fixture f;
  Tensor t;
  t.name = "nowhere";
  f.g.outputs.push_back(f.g.AddTensor(t));
  ExpectDiag(f.g, "E0209", {"graph output tensor 4 'nowhere'"});
}

TEST(IrVerify, E0210ConstSizeMismatch) {
  Fixture f;
  f.g.tensors[2].data->pop_back();
  ExpectDiag(f.g, "E0210", {"tensor 2 'c' holds 3 bytes", "i8[1,4] needs 4"});
}

TEST(IrVerify, E0210ConstSizeMismatchWideType) {
  Fixture f;
  f.g.tensors[2].dtype = DType::kInt32;  // 4 elements of 4 bytes = 16
  f.g.tensors[2].quant.reset();
  ExpectDiag(f.g, "E0210", {"holds 4 bytes", "needs 16"});
}

TEST(IrVerify, E0211NegativeDimension) {
  Fixture f;
  f.g.tensors[1].shape = {1, -4};
  ExpectDiag(f.g, "E0211", {"tensor 1 'y'", "[1,-4]"});
}

TEST(IrVerify, E0211ElementCountOverflow) {
  Fixture f;
  f.g.tensors[2].shape = {int64_t{1} << 40, int64_t{1} << 40};
  ExpectDiag(f.g, "E0211", {"tensor 2 'c'", "overflow"});
}

TEST(IrVerify, E0212QuantCountMismatch) {
  Fixture f;
  f.g.tensors[0].quant->zero_point = {1, 2};
  ExpectDiag(f.g, "E0212", {"tensor 0 'x' has 1 quantization scales and 2 zero points"});
}

TEST(IrVerify, E0212EmptyQuant) {
  Fixture f;
  f.g.tensors[0].quant = QuantParams{};
  ExpectDiag(f.g, "E0212", {"0 quantization scales"});
}

TEST(IrVerify, E0213PerAxisCount) {
  Fixture f;
  f.g.tensors[2].quant = QuantParams{{0.1f, 0.2f, 0.3f}, {0, 0, 0}, 1};  // axis 1 has size 4
  ExpectDiag(f.g, "E0213", {"tensor 2 'c' has 3 per-axis scales but axis 1 has size 4"});
}

TEST(IrVerify, E0214BadAxis) {
  Fixture f;
  f.g.tensors[2].quant = QuantParams{{0.1f, 0.2f}, {0, 0}, 2};
  ExpectDiag(f.g, "E0214", {"axis 2", "rank 2"});
  f.g.tensors[2].quant->axis = -1;
  ExpectDiag(f.g, "E0214", {"axis -1"});
}

TEST(IrVerify, E0215BadScale) {
  Fixture f;
  f.g.tensors[1].quant->scale[0] = 0.0f;
  ExpectDiag(f.g, "E0215", {"tensor 1 'y'"});
  f.g.tensors[1].quant->scale[0] = -1.0f;
  ExpectDiag(f.g, "E0215", {"tensor 1 'y'"});
  f.g.tensors[1].quant->scale[0] = std::numeric_limits<float>::quiet_NaN();
  ExpectDiag(f.g, "E0215", {"tensor 1 'y'"});
  f.g.tensors[1].quant->scale[0] = std::numeric_limits<float>::infinity();
  ExpectDiag(f.g, "E0215", {"tensor 1 'y'"});
}

TEST(IrVerify, E0216UnknownOp) {
  Fixture f;
  f.g.nodes[1].op = static_cast<OpKind>(kNumOpKinds);
  ExpectDiag(f.g, "E0216", {"node 1 'sum'", "unknown op kind"});
}

TEST(IrVerify, E0217NoOutputs) {
  Fixture f;
  f.g.nodes[0].outputs.clear();
  ExpectDiag(f.g, "E0217", {"node 0 'act' (relu) has no outputs"});
}

TEST(IrVerify, E0217AbsentOutput) {
  Fixture f;
  f.g.nodes[0].outputs.push_back(kNoTensor);
  ExpectDiag(f.g, "E0217", {"node 0 'act'", "absent output"});
}

TEST(IrVerify, E0218DuplicateInput) {
  Fixture f;
  f.g.inputs.push_back(f.x);
  ExpectDiag(f.g, "E0218", {"tensor 0 'x' is listed twice"});
}

TEST(IrVerify, E0218ConstantInput) {
  Fixture f;
  f.g.inputs.push_back(f.c);
  ExpectDiag(f.g, "E0218", {"tensor 2 'c'", "constant data"});
}

TEST(IrVerify, E0219ZeroPointOutOfRange) {
  Fixture f;
  f.g.tensors[1].quant->zero_point[0] = 128;  // i8 holds -128..127
  ExpectDiag(f.g, "E0219", {"tensor 1 'y' has zero point 128", "i8"});
  f.g.tensors[1].quant->zero_point[0] = 127;
  EXPECT_TRUE(Verify(f.g).ok());
  f.g.tensors[1].dtype = DType::kUInt8;
  f.g.tensors[1].quant->zero_point[0] = -1;
  ExpectDiag(f.g, "E0219", {"zero point -1", "u8"});
}

}  // namespace
}  // namespace ember::ir
