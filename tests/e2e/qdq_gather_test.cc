// A quantized embedding table, as ONNX Runtime's quantizer writes one (an
// int8 initializer -> DequantizeLinear -> Gather by the model's int64
// indices -> float operators): after the passes the gather reads the int8
// table and only the picked rows are dequantized, so the model's constant
// data holds the table as int8 (one byte per entry, not four). `ember eval`
// equals ONNX Runtime's run on every element, negative indices included
// (skipped with a message without onnxruntime-node), and the host build
// equals `ember eval` byte for byte.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

constexpr int64_t kRows = 200, kWidth = 16;

std::vector<uint8_t> EmbeddingModel() {
  OnnxBuilder b;
  b.Input("ids", {1, 6}, pb::TensorProto::INT64);
  std::vector<int32_t> table;
  uint32_t s = 12345u;
  for (int64_t k = 0; k < kRows * kWidth; ++k) {
    s = s * 1664525u + 1013904223u;
    table.push_back(static_cast<int32_t>(s >> 24) - 128);
  }
  b.InitInt("table", pb::TensorProto::INT8, {kRows, kWidth}, table);
  b.Init("scale", {}, {0.0125f});
  b.InitInt("zero", pb::TensorProto::INT8, {}, {-3});
  b.Init("bias", {kWidth}, std::vector<float>(kWidth, 0.1f));
  b.Node("DequantizeLinear", {"table", "scale", "zero"}, {"embeddings"});
  b.Node("Gather", {"embeddings", "ids"}, {"picked"}, "embed").Int("axis", 0);
  b.Node("Add", {"picked", "bias"}, {"y"});
  b.OutputWithShape("y", {1, 6, kWidth});
  return b.Bytes();
}

TEST(QdqGather, Int8EmbeddingTableStaysInt8) {
  const std::string dir = TempDir();
  const std::string model = dir + "/embedding.onnx";
  WriteFile(model, EmbeddingModel());
  const CliResult ins = RunCli({"inspect", model});
  ASSERT_EQ(ins.exit_code, 0) << ins.err;
  EXPECT_NE(ins.out.find("const %table : i8[200,16]"), std::string::npos) << ins.out;
  EXPECT_EQ(ins.out.find("f32[200,16]"), std::string::npos) << "a float table is left\n" << ins.out;

  const std::vector<int64_t> ids = {0, 199, 57, -1, -200, 3};
  NpyArray x;
  x.descr = "<i8";
  x.shape = {1, 6};
  x.data.resize(ids.size() * 8);
  std::memcpy(x.data.data(), ids.data(), x.data.size());
  WriteFile(dir + "/x.npy", SerializeNpy(x));
  ExpectEvalEqualsHostAndOnnxRuntime(model, dir, "embedding", x.data, "1x6", static_cast<size_t>(6 * kWidth),
                                     /*int64_input=*/true);
}

}  // namespace
}  // namespace ember::test
