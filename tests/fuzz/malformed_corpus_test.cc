// Generator of the malformed-model corpus in tests/fuzz/corpus/.
//
// Every corpus file is derived from our own test models (tests/util/
// test_models.h) or written with ModelBuilder, so the corpus is reproducible:
//   EMBER_WRITE_CORPUS=1 build/bin/ember_fuzz_tests --gtest_filter='MalformedCorpus.*'
// rewrites the files; without the variable the test checks that the committed
// files are exactly what the generator produces (and fails when one is stale
// or missing). Each entry must be rejected by ImportTflite with a diagnostic;
// malformed_model_test.cc and cli_corpus_test.cc check that on the files.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "frontend/tflite/builder.h"
#include "frontend/tflite/import.h"
#include "util/test_models.h"

namespace ember::test {
namespace {

using namespace frontend::tflite;  // NOLINT: builder vocabulary
namespace tfl = ::tflite;
using Bytes = std::vector<uint8_t>;

// Little-endian store of `v` at byte `at` (ignores bytes past the end).
void PutU32(Bytes& b, size_t at, uint32_t v) {
  for (size_t k = 0; k < 4 && at + k < b.size(); ++k) b[at + k] = static_cast<uint8_t>(v >> (8 * k));
}

// Byte offset of an object inside the model buffer.
size_t OffsetOf(const Bytes& b, const void* p) {
  return static_cast<size_t>(static_cast<const uint8_t*>(p) - b.data());
}

// x f32[1,4] -> RELU -> y, with hooks to break one thing.
struct Relu {
  ModelBuilder b;
  int x, y;
  explicit Relu(std::vector<int32_t> x_shape = {1, 4}, TensorType type = TensorType::FLOAT32,
                uint32_t x_buffer = 0) {
    x = b.AddTensor("x", type, x_shape, std::nullopt, x_buffer);
    y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
  }
  Bytes Finish(std::vector<int32_t> in, std::vector<int32_t> out) {
    b.SetInputs({x});
    b.SetOutputs({y});
    b.AddOperator(BuiltinOperator::RELU, in, out);
    return b.Finish();
  }
};

void AddStructural(std::map<std::string, Bytes>& c) {
  const Bytes tiny = TinyConvModel();
  c["empty.tflite"] = {};
  for (size_t n = 1; n <= 7; ++n) c["prefix_" + std::to_string(n) + ".tflite"] = Bytes(tiny.begin(), tiny.begin() + static_cast<long>(n));
  for (size_t n : {8u, 12u, 16u, 32u, 64u, 128u, 256u, 512u, 1024u}) {
    c["truncated_" + std::to_string(n) + ".tflite"] = Bytes(tiny.begin(), tiny.begin() + static_cast<long>(n));
  }
  c["truncated_half.tflite"] = Bytes(tiny.begin(), tiny.begin() + static_cast<long>(tiny.size() / 2));
  c["truncated_minus_1.tflite"] = Bytes(tiny.begin(), tiny.end() - 1);
  c["truncated_minus_16.tflite"] = Bytes(tiny.begin(), tiny.end() - 16);
  Bytes wrong = tiny;
  std::memcpy(wrong.data() + 4, "TFL2", 4);
  c["wrong_identifier.tflite"] = wrong;
  const std::string text = "ember test corpus: this is a text file, not a TFLite model.\n";
  c["text_file.tflite"] = Bytes(text.begin(), text.end());
  Bytes root = tiny;
  PutU32(root, 0, 0xFFFFFF00u);
  c["root_offset_out_of_bounds.tflite"] = root;
  Bytes root2 = tiny;
  PutU32(root2, 0, static_cast<uint32_t>(tiny.size() - 2));
  c["root_offset_at_end.tflite"] = root2;

  // A valid flatbuffer whose root is a Buffer table, not a Model.
  flatbuffers::FlatBufferBuilder fbb;
  fbb.Finish(tfl::CreateBuffer(fbb, fbb.CreateVector(Bytes{1, 2, 3, 4, 5, 6, 7, 8})));
  c["flatbuffer_not_a_model.tflite"] = Bytes(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
  flatbuffers::FlatBufferBuilder fbb2;
  fbb2.Finish(tfl::CreateBuffer(fbb2, fbb2.CreateVector(Bytes{1, 2, 3})), "ABCD");
  c["flatbuffer_other_identifier.tflite"] = Bytes(fbb2.GetBufferPointer(), fbb2.GetBufferPointer() + fbb2.GetSize());
  // A model with no subgraph.
  flatbuffers::FlatBufferBuilder fbb3;
  auto m = tfl::CreateModel(fbb3, 3, 0, fbb3.CreateVector(std::vector<flatbuffers::Offset<tfl::SubGraph>>{}));
  fbb3.Finish(m, tfl::ModelIdentifier());
  c["no_subgraph.tflite"] = Bytes(fbb3.GetBufferPointer(), fbb3.GetBufferPointer() + fbb3.GetSize());

  // Huge vector lengths patched into a valid model.
  Bytes huge = tiny;
  const auto* sg = tfl::GetModel(huge.data())->subgraphs()->Get(0);
  PutU32(huge, OffsetOf(huge, sg->tensors()), 0x7FFFFFFFu);
  c["huge_tensor_vector_length.tflite"] = huge;
  Bytes huge2 = tiny;
  const auto* model2 = tfl::GetModel(huge2.data());
  PutU32(huge2, OffsetOf(huge2, model2->buffers()->Get(1)->data()), 0xFFFFFFF0u);
  c["huge_buffer_length.tflite"] = huge2;
  Bytes huge3 = tiny;
  const auto* sg3 = tfl::GetModel(huge3.data())->subgraphs()->Get(0);
  PutU32(huge3, OffsetOf(huge3, sg3->tensors()->Get(0)->name()), 0x40000000u);
  c["huge_string_length.tflite"] = huge3;
}

void AddSemantic(std::map<std::string, Bytes>& c) {
  c["negative_dim.tflite"] = Relu({1, -4}).Finish({0}, {1});
  c["shape_product_overflow.tflite"] = Relu({1 << 30, 1 << 30, 1 << 30, 8}).Finish({0}, {1});
  c["buffer_index_out_of_range.tflite"] = Relu({1, 4}, TensorType::FLOAT32, 999).Finish({0}, {1});
  c["input_tensor_index_out_of_range.tflite"] = Relu().Finish({99}, {1});
  c["output_tensor_index_out_of_range.tflite"] = Relu().Finish({0}, {-7});
  c["op_reads_own_output.tflite"] = Relu().Finish({1}, {1});
  c["unsupported_type_float16.tflite"] = Relu({1, 4}, TensorType::FLOAT16).Finish({0}, {1});
  c["unsupported_type_string.tflite"] = Relu({1, 4}, TensorType::STRING).Finish({0}, {1});
  c["unknown_type_99.tflite"] = Relu({1, 4}, static_cast<TensorType>(99)).Finish({0}, {1});
  c["op_without_outputs.tflite"] = Relu().Finish({0}, {});
  {
    Relu r;
    r.b.AddOperatorWithCodeIndex(7, {r.x}, {r.y});
    r.b.SetInputs({r.x});
    r.b.SetOutputs({r.y});
    c["opcode_index_out_of_range.tflite"] = r.b.Finish();
  }
  {  // Two operators reading each other's outputs.
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
    const int p = b.AddTensor("p", TensorType::FLOAT32, {1, 4});
    const int q = b.AddTensor("q", TensorType::FLOAT32, {1, 4});
    b.AddAdd(x, q, p);
    b.AddAdd(x, p, q);
    b.SetInputs({x});
    b.SetOutputs({q});
    c["cycle_two_ops.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
    const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
    b.AddOperator(BuiltinOperator::RELU, {x}, {y});
    b.AddOperator(BuiltinOperator::RELU6, {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    c["tensor_written_twice.tflite"] = b.Finish();
  }
  {
    Relu r;
    r.b.SetOpCodeStyle(OpCodeStyle::kModern);
    const int z = r.b.AddTensor("z", TensorType::FLOAT32, {1, 4});
    r.b.AddOperator(BuiltinOperator::RELU, {r.x}, {r.y});
    r.b.SetInputs({r.x});
    r.b.SetOutputs({z});
    c["graph_output_not_produced.tflite"] = r.b.Finish();
  }
  {
    Relu r;
    r.b.AddOperator(BuiltinOperator::RELU, {r.x}, {r.y});
    r.b.SetInputs({r.x});
    c["no_graph_outputs.tflite"] = r.b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::INT8, {1, 4}, QuantSpec{{0.1f, 0.2f}, {0}, 1});
    const int y = b.AddTensor("y", TensorType::INT8, {1, 4}, Quant(0.1f, 0));
    b.AddOperator(BuiltinOperator::RELU, {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    c["quant_count_mismatch.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::INT8, {1, 4}, QuantSpec{{0.1f, 0.2f}, {0, 0}, 5});
    const int y = b.AddTensor("y", TensorType::INT8, {1, 4}, Quant(0.1f, 0));
    b.AddOperator(BuiltinOperator::RELU, {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    c["quant_dimension_out_of_range.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::INT8, {1, 4}, Quant(-1.0f, 0));
    const int y = b.AddTensor("y", TensorType::INT8, {1, 4}, Quant(0.1f, 0));
    b.AddOperator(BuiltinOperator::RELU, {x}, {y});
    b.SetInputs({x});
    b.SetOutputs({y});
    c["quant_negative_scale.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4});
    const int w = b.AddConstTensor("w", TensorType::FLOAT32, {1, 4}, Bytes(7, 0));
    const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4});
    b.AddAdd(x, w, y);
    b.SetInputs({x});
    b.SetOutputs({y});
    c["buffer_size_mismatch.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4, 4, 1});
    const int w = b.AddFloatTensor("w", {1, 3, 3, 1}, std::vector<float>(9, 0.5f));
    const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4, 4, 1});
    b.AddConv2D(x, w, -1, y, Padding::SAME, 0, 1);
    b.SetInputs({x});
    b.SetOutputs({y});
    c["conv_stride_zero.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {1, 4, 4, 1});
    const int w = b.AddFloatTensor("w", {1, 3, 3, 1}, std::vector<float>(9, 0.5f));
    const int y = b.AddTensor("y", TensorType::FLOAT32, {1, 4, 4, 1});
    b.AddConv2D(x, w, -1, y, static_cast<Padding>(7), 1, 1);
    b.SetInputs({x});
    b.SetOutputs({y});
    c["conv_unknown_padding.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {4, 4});
    const int w = b.AddFloatTensor("w", {1, 3, 3, 1}, std::vector<float>(9, 0.5f));
    const int y = b.AddTensor("y", TensorType::FLOAT32, {4, 4});
    b.AddConv2D(x, w, -1, y, Padding::SAME, 1, 1);
    b.SetInputs({x});
    b.SetOutputs({y});
    c["conv_input_rank_2.tflite"] = b.Finish();
  }
  {
    ModelBuilder b;
    const int x = b.AddTensor("x", TensorType::FLOAT32, {2, 6});
    const int s = b.AddInt32Tensor("s", {2}, {-1, -1});
    const int y = b.AddTensor("y", TensorType::FLOAT32, {3, 4});
    b.AddReshape(x, s, y);
    b.SetInputs({x});
    b.SetOutputs({y});
    c["reshape_two_unknown_dims.tflite"] = b.Finish();
  }
  {
    Relu r;
    r.b.AddOperator(static_cast<BuiltinOperator>(9999), {r.x}, {r.y});
    r.b.SetInputs({r.x});
    r.b.SetOutputs({r.y});
    c["unknown_operator_code.tflite"] = r.b.Finish();
  }
  {
    Relu r;
    r.b.AddCustom("NotAnEmberOp", {r.x}, {r.y});
    r.b.SetInputs({r.x});
    r.b.SetOutputs({r.y});
    c["custom_operator.tflite"] = r.b.Finish();
  }
}

// A few bit flips of TinyConvModel at deterministic positions (xorshift) that
// the importer must reject; flips that still give a valid model are skipped.
void AddBitFlips(std::map<std::string, Bytes>& c) {
  const Bytes tiny = TinyConvModel();
  XorShift32 rng(0xC0FFEEu);
  int kept = 0;
  for (int tries = 0; tries < 2000 && kept < 8; ++tries) {
    Bytes m = tiny;
    const size_t pos = rng.Next() % m.size();
    m[pos] ^= static_cast<uint8_t>(1u << (rng.Next() % 8));
    if (frontend::tflite::ImportTflite(m, "flip").ok()) continue;
    c["bitflip_" + std::to_string(pos) + ".tflite"] = m;
    ++kept;
  }
}

std::map<std::string, Bytes> MalformedCorpus() {
  std::map<std::string, Bytes> c;
  AddStructural(c);
  AddSemantic(c);
  AddBitFlips(c);
  return c;
}

TEST(MalformedCorpus, FilesMatchGenerator) {
  const std::filesystem::path dir = std::filesystem::path(EMBER_SOURCE_DIR) / "tests/fuzz/corpus";
  const auto corpus = MalformedCorpus();
  ASSERT_GE(corpus.size(), 40u);
  const bool write = std::getenv("EMBER_WRITE_CORPUS") != nullptr;
  if (write) std::filesystem::create_directories(dir);
  for (const auto& [name, bytes] : corpus) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(frontend::tflite::ImportTflite(bytes, name).ok());
    const std::filesystem::path p = dir / name;
    if (write) {
      std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()),
                                              static_cast<std::streamsize>(bytes.size()));
      continue;
    }
    std::ifstream f(p, std::ios::binary);
    ASSERT_TRUE(f.good()) << p << " is missing; regenerate with EMBER_WRITE_CORPUS=1";
    const Bytes on_disk((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    EXPECT_EQ(on_disk, bytes) << p << " is stale; regenerate with EMBER_WRITE_CORPUS=1";
  }
}

}  // namespace
}  // namespace ember::test
