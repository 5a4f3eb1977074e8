// TFLite import of UNIDIRECTIONAL_SEQUENCE_LSTM: the 24 TFLite inputs become
// the IR's 15 operands (docs/frontend-tflite.md), the options become
// time_major and cell_clip, the states stay variables, and the graph
// evaluates; the LSTM variants TFLite Micro refuses (peephole, projection,
// layer norm, CIFG, a cell activation other than tanh) are refused with
// E0111 naming the operator.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "ops/evaluate.h"

namespace ember::frontend::tflite {
namespace {

namespace tfl = ::tflite;

std::vector<uint8_t> Floats(size_t n, float start) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = start + 0.125f * static_cast<float>(i % 7) - 0.375f;
  std::vector<uint8_t> b(n * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

// x [1, 2, 3] -> LSTM (2 units) -> out [1, 2, 2], float32. `extra` adds
// an input at that TFLite position (a peephole, projection or layer-norm
// tensor); `drop` removes one (-1 at that position).
std::vector<uint8_t> LstmModel(tfl::ActivationFunctionType act, int extra = -1, int drop = -1) {
  ModelBuilder b;
  std::vector<int32_t> in(24, -1);
  in[0] = b.AddTensor("x", TensorType::FLOAT32, {1, 2, 3});
  for (int k = 1; k <= 8; ++k)
    in[static_cast<size_t>(k)] = b.AddConstTensor("w" + std::to_string(k), TensorType::FLOAT32, {2, k <= 4 ? 3 : 2},
                                                  Floats(k <= 4 ? 6 : 4, 0.1f * static_cast<float>(k)));
  for (int k = 12; k <= 15; ++k)
    in[static_cast<size_t>(k)] = b.AddConstTensor("b" + std::to_string(k), TensorType::FLOAT32, {2}, Floats(2, 0.0f));
  in[18] = b.AddTensor("hidden", TensorType::FLOAT32, {1, 2});
  in[19] = b.AddTensor("cell", TensorType::FLOAT32, {1, 2});
  b.SetVariable(in[18]);
  b.SetVariable(in[19]);
  if (extra >= 0) in[static_cast<size_t>(extra)] = b.AddConstTensor("extra", TensorType::FLOAT32, {2}, Floats(2, 0.5f));
  if (drop >= 0) in[static_cast<size_t>(drop)] = -1;
  const int out = b.AddTensor("out", TensorType::FLOAT32, {1, 2, 2});
  const auto o = tfl::CreateUnidirectionalSequenceLSTMOptions(b.builder(), act, 2.5f, 0.0f, false);
  b.AddOperator(tfl::BuiltinOperator::UNIDIRECTIONAL_SEQUENCE_LSTM, in, {out},
                tfl::BuiltinOptions::UnidirectionalSequenceLSTMOptions, o.Union());
  b.SetInputs({in[0]});
  b.SetOutputs({out});
  return b.Finish();
}

TEST(TfliteImportLstm, StandardLstmImportsAndEvaluates) {
  auto g = ImportTflite(LstmModel(tfl::ActivationFunctionType::TANH), "m.tflite");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  ASSERT_EQ(g->nodes.size(), 1u);
  const ir::Node& n = g->nodes[0];
  EXPECT_EQ(n.op, ir::OpKind::kUnidirectionalSequenceLstm);
  ASSERT_EQ(n.inputs.size(), 15u);
  // TFLite inputs 0-8, 12-15, 18, 19 in that order.
  const char* names[] = {"x", "w1", "w2", "w3", "w4", "w5", "w6", "w7", "w8", "b12", "b13", "b14", "b15", "hidden", "cell"};
  for (size_t i = 0; i < 15; ++i) EXPECT_EQ(g->tensor(n.inputs[i]).name, names[i]) << i;
  EXPECT_TRUE(g->tensor(n.inputs[13]).is_variable);
  EXPECT_TRUE(g->tensor(n.inputs[14]).is_variable);
  EXPECT_EQ(n.GetInt("time_major", -1), 0);
  EXPECT_DOUBLE_EQ(n.GetReal("cell_clip", 0), 2.5);
  ASSERT_TRUE(ops::CheckGraph(*g).ok()) << ops::CheckGraph(*g).diag().ToString();
  std::vector<uint8_t> x = Floats(6, 0.3f);
  auto r = ops::EvaluateGraph(*g, {x});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs[0].size(), 16u);
  float first = 0;
  std::memcpy(&first, r->outputs[0].data(), 4);
  EXPECT_TRUE(first > -1.0f && first < 1.0f && first != 0.0f) << first;  // tanh(c) * sigmoid(.)
}

void ExpectRefused(const std::vector<uint8_t>& model, const std::string& words) {
  auto g = ImportTflite(model, "m.tflite");
  ASSERT_FALSE(g.ok());
  EXPECT_EQ(g.diag().id, "E0111") << g.diag().ToString();
  EXPECT_NE(g.diag().message.find("UNIDIRECTIONAL_SEQUENCE_LSTM"), std::string::npos) << g.diag().ToString();
  EXPECT_NE(g.diag().message.find(words), std::string::npos) << g.diag().ToString();
}

TEST(TfliteImportLstm, VariantsTflmRefusesAreRefused) {
  ExpectRefused(LstmModel(tfl::ActivationFunctionType::TANH, 9), "peephole");
  ExpectRefused(LstmModel(tfl::ActivationFunctionType::TANH, 16), "projection");
  ExpectRefused(LstmModel(tfl::ActivationFunctionType::TANH, 21), "layer normalization");
  ExpectRefused(LstmModel(tfl::ActivationFunctionType::TANH, -1, 1), "input gate");
  ExpectRefused(LstmModel(tfl::ActivationFunctionType::RELU), "tanh");
}

}  // namespace
}  // namespace ember::frontend::tflite
