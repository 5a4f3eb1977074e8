// A model whose graph input is int64, as PyTorch exports token ids for
// nn.Embedding: a bag-of-embeddings text classifier (Gather of the ids into
// an embedding table, a padding mask Not(Equal(ids, 0)), position ids
// computed from the mask as RoBERTa's exporters write them, cumsum(mask) *
// mask + 1 in int32 and int64, a second table for them, the masked mean,
// then Gemm), and an int64-in int64-out model (Max, Where and Mod of the ids):
//   - `ember eval` of the classifier against ONNX Runtime when node and
//     onnxruntime-node are present (skipped with a message otherwise);
//   - uint8 arithmetic (a raw image input), which wraps modulo 256, against
//     the loops below;
//   - the int64 model against the loop below, and a keypoint decoder (the
//     ArgMax of a flattened heatmap split into row and column by int64 Div
//     and Mod) against the heatmap's maximum;
//   - the C that `ember compile --target host` generates, run by `ember run`,
//     against `ember eval`, and the classifier compiled for the Cortex-M4 and
//     run on its emulated board;
//   - `ember quantize` of the classifier with int64 calibration samples: an
//     int8 embedding table and gather, ONNX Runtime loads the QDQ model, and
//     the int8 host build equals `ember eval` byte for byte.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "support/npy.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

constexpr int64_t kTokens = 8, kVocab = 16, kDim = 4, kClasses = 3;

// Token ids with padding (0) at the end, and one id at the top of the table.
const std::vector<int64_t> kIds = {3, 15, 7, 7, 1, 0, 0, 0};

std::vector<uint8_t> Int64Bytes(const std::vector<int64_t>& v) {
  std::vector<uint8_t> b(v.size() * 8);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

void WriteInt64Npy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<int64_t>& v) {
  NpyArray a;
  a.descr = "<i8";
  a.shape = shape;
  a.data = Int64Bytes(v);
  WriteFile(path, SerializeNpy(a));
}

std::vector<uint8_t> ClassifierModel() {
  OnnxBuilder b(13);
  b.Input("ids", {1, kTokens}, pb::TensorProto::INT64);
  b.Init("table", {kVocab, kDim}, Seeded(kVocab * kDim, 3, 1.0f));
  b.Init("w", {kClasses, kDim}, Seeded(kClasses * kDim, 5, 0.5f));
  b.Init("bias", {kClasses}, {0.1f, -0.2f, 0.05f});
  b.Init("one", {}, {1.0f});
  b.InitInt64("pad", {}, {0});
  b.InitInt64("axis1", {1}, {1});
  b.InitInt64("axis2", {1}, {2});
  b.Init("positions", {kTokens + 2, kDim}, Seeded((kTokens + 2) * kDim, 4, 0.25f));
  b.InitInt("axis1_i32", pb::TensorProto::INT32, {}, {1});
  b.InitInt64("first_position", {}, {1});
  b.Node("Gather", {"table", "ids"}, {"tokens"}, "embedding");
  b.Node("Equal", {"ids", "pad"}, {"is_pad"}, "padding");
  b.Node("Not", {"is_pad"}, {"keep"});
  // Position ids: cumsum(mask) * mask + 1 (1 for padding), int32 then int64.
  b.Node("Cast", {"keep"}, {"keep_i32"}).Int("to", pb::TensorProto::INT32);
  b.Node("CumSum", {"keep_i32", "axis1_i32"}, {"count_i32"});
  b.Node("Mul", {"count_i32", "keep_i32"}, {"pos_i32"});
  b.Node("Cast", {"pos_i32"}, {"pos_i64"}).Int("to", pb::TensorProto::INT64);
  b.Node("Add", {"pos_i64", "first_position"}, {"pos"});
  b.Node("Gather", {"positions", "pos"}, {"pos_emb"}, "position_embedding");
  b.Node("Add", {"tokens", "pos_emb"}, {"emb"});
  b.Node("Cast", {"keep"}, {"mask"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Unsqueeze", {"mask", "axis2"}, {"mask3"});
  b.Node("Mul", {"emb", "mask3"}, {"masked"});
  b.Node("ReduceSum", {"masked", "axis1"}, {"sum"}).Int("keepdims", 0);
  b.Node("ReduceSum", {"mask", "axis1"}, {"count"}).Int("keepdims", 1);
  b.Node("Max", {"count", "one"}, {"count1"});
  b.Node("Div", {"sum", "count1"}, {"mean"});
  b.Node("Gemm", {"mean", "w", "bias"}, {"logits"}, "classifier").Int("transB", 1);
  b.OutputWithShape("logits", {1, kClasses});
  return b.Bytes();
}

// max(ids, 2), then the ids above 6 kept and the rest -1, modulo 5 (the
// remainder takes the divisor's sign): int64 in, int64 out.
std::vector<uint8_t> Int64Model() {
  OnnxBuilder b(13);
  b.Input("ids", {1, kTokens}, pb::TensorProto::INT64);
  b.InitInt64("two", {}, {2});
  b.InitInt64("six", {}, {6});
  b.InitInt64("minus1", {}, {-1});
  b.InitInt64("five", {}, {5});
  b.Node("Max", {"ids", "two"}, {"floor"});
  b.Node("Greater", {"floor", "six"}, {"big"});
  b.Node("Where", {"big", "floor", "minus1"}, {"kept"});
  b.Node("Mod", {"kept", "five"}, {"y"});
  b.OutputWithShape("y", {1, kTokens}, pb::TensorProto::INT64);
  return b.Bytes();
}

TEST(OnnxInt64Input, EmbeddingClassifierAgreesWithOnnxRuntimeTheHostAndTheCortexM4) {
  const std::string dir = TempDir();
  const std::string model = dir + "/bag.onnx";
  WriteFile(model, ClassifierModel());
  WriteInt64Npy(dir + "/x.npy", {1, kTokens}, kIds);
  EvalAndRunOnHost(model, dir, "bag");
  const NpyArray e = ReadNpy(dir + "/bag.npy");
  ASSERT_EQ(e.descr, "<f4");
  const std::vector<float> y = BytesToFloats(e.data);
  ASSERT_EQ(y.size(), static_cast<size_t>(kClasses));
  EXPECT_LE(RelError(ReadFloatNpy(dir + "/bag_run.npy"), y), 1e-6);

  // The same computation written out: the mean of the five non-padding
  // rows, token k's row plus position row k + 2 (1-based, after 1 for padding).
  const std::vector<float> table = Seeded(kVocab * kDim, 3, 1.0f), w = Seeded(kClasses * kDim, 5, 0.5f);
  const std::vector<float> positions = Seeded((kTokens + 2) * kDim, 4, 0.25f);
  const float bias[kClasses] = {0.1f, -0.2f, 0.05f};
  std::vector<float> mean(kDim, 0.0f);
  float count = 0.0f;
  for (size_t k = 0; k < kIds.size(); ++k) {
    const int64_t id = kIds[k];
    if (id == 0) continue;
    count += 1.0f;
    const auto pos = static_cast<int64_t>(count) + 1;
    for (int64_t d = 0; d < kDim; ++d) {
      mean[static_cast<size_t>(d)] +=
          table[static_cast<size_t>(id * kDim + d)] + positions[static_cast<size_t>(pos * kDim + d)];
    }
  }
  std::vector<float> want(kClasses);
  for (int64_t c = 0; c < kClasses; ++c) {
    float acc = bias[c];
    for (int64_t d = 0; d < kDim; ++d) acc += w[static_cast<size_t>(c * kDim + d)] * mean[static_cast<size_t>(d)] / count;
    want[static_cast<size_t>(c)] = acc;
  }
  EXPECT_LE(RelError(y, want), 1e-5);

  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> ort = RunOrt(model, Int64Bytes(kIds), "1x8", dir, "", /*int64_input=*/true);
    const double rel = RelError(y, ort);
    EXPECT_LE(rel, 1e-6);
    std::printf("int64 token ids, bag of embeddings, ember eval vs ONNX Runtime: max relative error %.3g\n", rel);
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }

  if (const std::string why = qemu::MissingTools(); why.empty()) {
    qemu::HarnessResult h;
    const std::string err = CompileAndEmulateOnCortexM4(model, "bag", Int64Bytes(kIds), dir, &h);
    ASSERT_EQ(err, "");
    ExpectHarnessOutputEqualsEval(h, dir + "/bag.npy", false, "int64 token ids, bag of embeddings");
  } else {
    std::printf("Cortex-M4 check skipped: %s\n", why.c_str());
  }
}

TEST(OnnxInt64Input, EmbeddingClassifierQuantizesWithAnInt8Table) {
  const std::string dir = TempDir();
  const std::string model = dir + "/bag.onnx", qmodel = dir + "/bag_q.onnx";
  WriteFile(model, ClassifierModel());
  std::filesystem::create_directories(dir + "/calib");
  // 32 sentences of 1 to 8 tokens (ids 1..15, then padding).
  constexpr int64_t kSamples = 32;
  std::vector<int64_t> calib;
  uint32_t s = 7;
  for (int64_t k = 0; k < kSamples; ++k)
    for (int64_t t = 0; t < kTokens; ++t) {
      s = s * 1664525u + 1013904223u;
      calib.push_back(t <= k % kTokens ? 1 + static_cast<int64_t>(s >> 16) % (kVocab - 1) : 0);
    }
  WriteInt64Npy(dir + "/calib/ids.npy", {kSamples, kTokens}, calib);
  const CliResult q = RunCli({"quantize", model, "--calibration", dir + "/calib", "-o", qmodel});
  ASSERT_EQ(q.exit_code, 0) << q.err;
  // The output's scale, from the report's row "N logits (output) Gemm SCALE ...".
  const size_t row = q.out.find("logits (output)");
  ASSERT_NE(row, std::string::npos) << q.out;
  std::istringstream fields(q.out.substr(row + std::string("logits (output)").size()));
  std::string producer;
  double step = 0.0;
  fields >> producer >> step;
  ASSERT_GT(step, 0.0) << q.out;

  // The two tables are int8 and the gathers copy int8 rows.
  const CliResult i = RunCli({"inspect", qmodel});
  ASSERT_EQ(i.exit_code, 0) << i.err;
  const std::vector<std::string> gathers = LinesWith(i.out, "gather");
  ASSERT_EQ(gathers.size(), 2u) << i.out;
  for (const std::string& g : gathers) EXPECT_NE(g.find("i8[1,8,4]"), std::string::npos) << g;
  EXPECT_NE(i.out.find("const %table_quantized : i8[16,4]"), std::string::npos) << i.out;
  EXPECT_NE(i.out.find("const %positions_quantized : i8[10,4]"), std::string::npos) << i.out;

  WriteInt64Npy(dir + "/x.npy", {1, kTokens}, kIds);
  EvalAndRunOnHost(qmodel, dir, "bag_q");
  const std::vector<float> y = ReadFloatNpy(dir + "/bag_q.npy");
  ASSERT_EQ(y.size(), static_cast<size_t>(kClasses));
  EXPECT_EQ(ReadNpy(dir + "/bag_q_run.npy").data, ReadNpy(dir + "/bag_q.npy").data);
  const CliResult f = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/bag_f.npy"});
  ASSERT_EQ(f.exit_code, 0) << f.err;
  const Distance d = MaxDistance(y, ReadFloatNpy(dir + "/bag_f.npy"));
  // Several quantized tensors in a chain (the rows, their sum, the count,
  // the mean, the logits), on a sentence the calibration set lacks: a few
  // output steps at most (0.1 measured).
  EXPECT_LE(d.err, 5.0 * step) << "int8 against float";

  if (const std::string why = OrtMissing(); why.empty()) {
    const std::vector<float> ort = RunOrt(qmodel, Int64Bytes(kIds), "1x8", dir, "", /*int64_input=*/true);
    ASSERT_EQ(ort.size(), y.size());
    const Distance o = MaxDistance(y, ort);
    EXPECT_LE(o.err, 2.0 * step);
    std::printf("quantized bag of embeddings: ember int8 vs ONNX Runtime %.2f output steps, vs float %.2f\n",
                o.err / step, d.err / step);
  } else {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
  }
}

// heat[1,1,6,7] -> Reshape [1,42] -> ArgMax -> Div 7, Mod 7 -> Concat ->
// [1,2] int64 (row, column).
std::vector<uint8_t> KeypointModel() {
  OnnxBuilder b(13);
  b.Input("heat", {1, 1, 6, 7});
  b.InitInt64("flat", {2}, {1, 42});
  b.InitInt64("width", {}, {7});
  b.Node("Reshape", {"heat", "flat"}, {"scores"});
  b.Node("ArgMax", {"scores"}, {"index"}).Int("axis", 1);
  b.Node("Div", {"index", "width"}, {"row"});
  b.Node("Mod", {"index", "width"}, {"col"});
  b.Node("Concat", {"row", "col"}, {"y"}).Int("axis", 1);
  b.OutputWithShape("y", {1, 2}, pb::TensorProto::INT64);
  return b.Bytes();
}

TEST(OnnxInt64Input, KeypointDecoderSplitsTheArgMaxWithDivAndMod) {
  const std::string dir = TempDir();
  const std::string model = dir + "/keypoint.onnx";
  WriteFile(model, KeypointModel());
  for (const int64_t peak : {int64_t{0}, int64_t{23}, int64_t{41}}) {
    SCOPED_TRACE(peak);
    std::vector<float> heat = Seeded(42, 13, 0.5f);
    heat[static_cast<size_t>(peak)] = 2.0f;
    WriteFloatNpy(dir + "/x.npy", {1, 1, 6, 7}, heat);
    EvalAndRunOnHost(model, dir, "keypoint");
    for (const char* out : {"/keypoint.npy", "/keypoint_run.npy"}) {
      const NpyArray a = ReadNpy(dir + out);
      ASSERT_EQ(a.data.size(), 16u) << out;
      int64_t y[2];
      std::memcpy(y, a.data.data(), 16);
      EXPECT_EQ(y[0], peak / 7) << out;
      EXPECT_EQ(y[1], peak % 7) << out;
    }
  }
}

// A raw uint8 image input: (x + 100) wraps, x - 5 wraps, x * 3 wraps, x / d
// with a zero divisor, x mod 7, the maximum with 128, x shifted left by
// constant amounts (0, 3, 7, 9: bits shifted out), x shifted right by the
// run-time amount x mod 7, and a 2x2 MaxPool, all uint8 (widened to int32
// or float32 and cast back).
std::vector<uint8_t> Uint8Model() {
  OnnxBuilder b(14);
  b.Input("x", {1, 1, 4, 4}, pb::TensorProto::UINT8);
  b.InitInt("hundred", pb::TensorProto::UINT8, {}, {100});
  b.InitInt("five", pb::TensorProto::UINT8, {}, {5});
  b.InitInt("three", pb::TensorProto::UINT8, {}, {3});
  b.InitInt("divisors", pb::TensorProto::UINT8, {4}, {0, 1, 2, 9});
  b.InitInt("seven", pb::TensorProto::UINT8, {}, {7});
  b.InitInt("half", pb::TensorProto::UINT8, {}, {128});
  b.InitInt("shifts", pb::TensorProto::UINT8, {4}, {0, 3, 7, 9});
  b.Node("Add", {"x", "hundred"}, {"a"});
  b.Node("Sub", {"x", "five"}, {"s"});
  b.Node("Mul", {"x", "three"}, {"m"});
  b.Node("Div", {"x", "divisors"}, {"d"});
  b.Node("Mod", {"x", "seven"}, {"r"});
  b.Node("Max", {"x", "half"}, {"hi"});
  b.Node("BitShift", {"x", "shifts"}, {"shl"}).Str("direction", "LEFT");
  b.Node("BitShift", {"x", "r"}, {"shr"}).Str("direction", "RIGHT");
  b.Node("MaxPool", {"x"}, {"p4"}).Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2});
  b.InitInt64("flat", {1}, {-1});
  b.Node("Reshape", {"p4", "flat"}, {"p"});
  for (const char* t : {"a", "s", "m", "d", "r", "hi", "shl", "shr"})
    b.Node("Reshape", {t, "flat"}, {std::string(t) + "_flat"});
  b.Node("Concat", {"a_flat", "s_flat", "m_flat", "d_flat", "r_flat", "hi_flat", "shl_flat", "shr_flat", "p"}, {"y"})
      .Int("axis", 0);
  b.OutputWithShape("y", {8 * 16 + 4}, pb::TensorProto::UINT8);
  return b.Bytes();
}

TEST(OnnxInt64Input, Uint8ArithmeticWrapsOnTheHostAsDefined) {
  const std::string dir = TempDir();
  const std::string model = dir + "/u8.onnx";
  WriteFile(model, Uint8Model());
  std::vector<uint8_t> x(16);
  for (size_t i = 0; i < 16; ++i) x[i] = static_cast<uint8_t>(i * 17 % 256);
  NpyArray in;
  in.descr = "|u1";
  in.shape = {1, 1, 4, 4};
  in.data = x;
  WriteFile(dir + "/x.npy", SerializeNpy(in));
  EvalAndRunOnHost(model, dir, "u8");
  std::vector<uint8_t> want;
  for (uint8_t v : x) want.push_back(static_cast<uint8_t>(v + 100));
  for (uint8_t v : x) want.push_back(static_cast<uint8_t>(v - 5));
  for (uint8_t v : x) want.push_back(static_cast<uint8_t>(v * 3));
  const uint8_t divisors[4] = {0, 1, 2, 9};
  for (size_t i = 0; i < 16; ++i) want.push_back(divisors[i % 4] == 0 ? 0 : static_cast<uint8_t>(x[i] / divisors[i % 4]));
  for (uint8_t v : x) want.push_back(static_cast<uint8_t>(v % 7));
  for (uint8_t v : x) want.push_back(std::max<uint8_t>(v, 128));
  const int shifts[4] = {0, 3, 7, 9};
  for (size_t i = 0; i < 16; ++i)
    want.push_back(shifts[i % 4] >= 8 ? 0 : static_cast<uint8_t>(x[i] << shifts[i % 4]));
  for (uint8_t v : x) want.push_back(static_cast<uint8_t>(v >> (v % 7)));
  for (size_t r = 0; r < 4; r += 2)
    for (size_t c = 0; c < 4; c += 2)
      want.push_back(std::max({x[r * 4 + c], x[r * 4 + c + 1], x[(r + 1) * 4 + c], x[(r + 1) * 4 + c + 1]}));
  for (const char* out : {"/u8.npy", "/u8_run.npy"}) {
    const NpyArray a = ReadNpy(dir + out);
    EXPECT_EQ(a.descr, "|u1") << out;
    EXPECT_EQ(a.data, want) << out;
  }
}

// A plain int8 input (no quantization): x + 100 wraps, x / -3 truncates,
// Clip to [-5, 5], the minimum with -3, all int8.
TEST(OnnxInt64Input, Int8ArithmeticWithoutQuantizationWrapsOnTheHost) {
  OnnxBuilder b(14);  // Add, Div take int8 from opset 14
  b.Input("x", {8}, pb::TensorProto::INT8);
  b.InitInt("hundred", pb::TensorProto::INT8, {}, {100});
  b.InitInt("minus3", pb::TensorProto::INT8, {}, {-3});
  b.InitInt("lo", pb::TensorProto::INT8, {}, {-5});
  b.InitInt("hi", pb::TensorProto::INT8, {}, {5});
  b.Node("Add", {"x", "hundred"}, {"a"});
  b.Node("Div", {"x", "minus3"}, {"d"});
  b.Node("Clip", {"x", "lo", "hi"}, {"c"});
  b.Node("Min", {"x", "minus3"}, {"m"});
  b.Node("Concat", {"a", "d", "c", "m"}, {"y"}).Int("axis", 0);
  b.OutputWithShape("y", {32}, pb::TensorProto::INT8);
  const std::string dir = TempDir();
  const std::string model = dir + "/i8.onnx";
  WriteFile(model, b.Bytes());
  const std::vector<int8_t> x = {-128, -100, -7, -1, 0, 6, 27, 127};
  NpyArray in;
  in.descr = "|i1";
  in.shape = {8};
  in.data.assign(reinterpret_cast<const uint8_t*>(x.data()), reinterpret_cast<const uint8_t*>(x.data()) + 8);
  WriteFile(dir + "/x.npy", SerializeNpy(in));
  EvalAndRunOnHost(model, dir, "i8");
  std::vector<int8_t> want;
  for (int8_t v : x) want.push_back(static_cast<int8_t>(static_cast<uint8_t>(v + 100)));
  for (int8_t v : x) want.push_back(static_cast<int8_t>(v / -3));
  for (int8_t v : x) want.push_back(static_cast<int8_t>(std::clamp<int>(v, -5, 5)));
  for (int8_t v : x) want.push_back(std::min<int8_t>(v, -3));
  for (const char* out : {"/i8.npy", "/i8_run.npy"}) {
    const NpyArray a = ReadNpy(dir + out);
    EXPECT_EQ(a.descr, "|i1") << out;
    ASSERT_EQ(a.data.size(), want.size()) << out;
    EXPECT_EQ(std::vector<int8_t>(a.data.begin(), a.data.end()), want) << out;
  }
}

TEST(OnnxInt64Input, Int64InInt64OutEqualsTheDefinition) {
  const std::string dir = TempDir();
  const std::string model = dir + "/ids.onnx";
  WriteFile(model, Int64Model());
  const std::vector<int64_t> ids = {-9, 0, 7, 12, 3, 6, 5000000000LL, -5000000000LL};
  WriteInt64Npy(dir + "/x.npy", {1, kTokens}, ids);
  EvalAndRunOnHost(model, dir, "ids");
  std::vector<int64_t> want;
  for (int64_t v : ids) {
    const int64_t f = std::max<int64_t>(v, 2);
    const int64_t k = f > 6 ? f : -1;
    const int64_t r = k % 5;
    want.push_back(r != 0 && (r < 0) != (5 < 0) ? r + 5 : r);
  }
  for (const char* out : {"/ids.npy", "/ids_run.npy"}) {
    const NpyArray a = ReadNpy(dir + out);
    EXPECT_EQ(a.descr, "<i8") << out;
    ASSERT_EQ(a.data.size(), want.size() * 8) << out;
    std::vector<int64_t> y(want.size());
    std::memcpy(y.data(), a.data.data(), a.data.size());
    EXPECT_EQ(y, want) << out;
  }
}

}  // namespace
}  // namespace ember::test
