// TensorFlow Lite Micro's generated integration tests (integration_tests/
// seanet/<op>/<op>N.tflite): one-layer models cut from a 16x8 (int16
// activations) audio model, each with its input and golden output as CSV.
// Every model of the operators ember runs in 16x8 is imported, evaluated
// (`ember eval`) and compared with the golden output; some are also compiled
// for the host and run (`ember run`), the first conv and transpose_conv
// models on an emulated Cortex-M4. Skipped without a TFLM tree (tflm_util.h).
//
// The goldens come from TFLite's reference kernels (the LiteRT interpreter),
// and TFLM's own test accepts a difference of 1. Where TFLite and TFLite Micro
// compute the same thing (conv, transpose_conv, add, leaky_relu, pad, strided_slice) ember equals the
// goldens exactly. SUB differs: TFLite Micro forms its multipliers in float32,
// TFLite in double, and ember follows TFLite Micro; there the test allows
// TFLM's difference of 1 and requires the compiled C to equal `ember eval`.
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/tflm_util.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

const char kDir[] = "tensorflow/lite/micro/integration_tests/seanet/";

// A CSV of integers as little-endian bytes of `width` (1, 2 or 4) each.
std::vector<uint8_t> CsvBytes(const std::vector<uint8_t>& csv, int width) {
  std::vector<uint8_t> out;
  std::stringstream in(std::string(csv.begin(), csv.end()));
  std::string item;
  while (std::getline(in, item, ',')) {
    if (item.find_first_not_of(" \r\n\t") == std::string::npos) continue;
    const long long v = std::stoll(item);
    for (int b = 0; b < width; ++b) out.push_back(static_cast<uint8_t>(static_cast<unsigned long long>(v) >> (8 * b)));
  }
  return out;
}

int WidthOf(const std::string& csv_name) {
  if (csv_name.find("_int16.csv") != std::string::npos) return 2;
  if (csv_name.find("_int32.csv") != std::string::npos) return 4;
  return 1;
}

// Largest |a - b| over int16 elements (sizes must match).
int MaxInt16Diff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, size_t* differing) {
  int worst = 0;
  *differing = 0;
  for (size_t i = 0; i + 1 < a.size() && i + 1 < b.size(); i += 2) {
    const int x = static_cast<int16_t>(a[i] | (a[i + 1] << 8));
    const int y = static_cast<int16_t>(b[i] | (b[i + 1] << 8));
    if (x != y) ++*differing;
    worst = std::max(worst, std::abs(x - y));
  }
  return worst;
}

struct Model {
  std::string op, name;  // "conv", "conv0"
  std::vector<std::string> inputs;
  std::string golden;
};

std::vector<Model> Models(const tflm::Source& src, const std::string& op) {
  std::vector<Model> out;
  const std::vector<std::string> csvs = tflm::ListFiles(src, ".csv");
  for (const std::string& f : tflm::ListFiles(src, ".tflite")) {
    if (f.rfind(std::string(kDir) + op + "/", 0) != 0) continue;
    Model m;
    m.op = op;
    m.name = f.substr(f.rfind('/') + 1, f.size() - f.rfind('/') - 1 - 7);
    const std::string stem = f.substr(0, f.size() - 7);
    for (int k = 0; k < 4; ++k)
      for (const std::string& c : csvs)
        if (c.rfind(stem + "_input" + std::to_string(k) + "_", 0) == 0) m.inputs.push_back(c);
    for (const std::string& c : csvs)
      if (c.rfind(stem + "_golden_", 0) == 0) m.golden = c;
    if (!m.golden.empty() && !m.inputs.empty()) out.push_back(m);
  }
  return out;
}

class TflmSeanetGolden : public ::testing::Test {
 protected:
  // Runs `m` through eval and, when `host` is given, the host C, in `dir`
  // (model.tflite, all.bin: the inputs' bytes in order); fills the outputs.
  void RunHost(const tflm::Source& src, const Model& m, const std::string& dir, std::vector<uint8_t>* golden,
               std::vector<uint8_t>* eval, std::vector<uint8_t>* host) {
    std::filesystem::create_directories(dir);
    const std::string model = dir + "/model.tflite";
    ASSERT_TRUE(tflm::Extract(src, std::string(kDir) + m.op + "/" + m.name + ".tflite", model));
    std::vector<std::string> args;
    std::vector<uint8_t> all;
    for (size_t k = 0; k < m.inputs.size(); ++k) {
      const std::string csv = dir + "/in" + std::to_string(k) + ".csv";
      ASSERT_TRUE(tflm::Extract(src, m.inputs[k], csv));
      const std::vector<uint8_t> bytes = CsvBytes(ReadFile(csv), WidthOf(m.inputs[k]));
      const std::string bin = dir + "/in" + std::to_string(k) + ".bin";
      WriteFile(bin, bytes);
      all.insert(all.end(), bytes.begin(), bytes.end());
      args.insert(args.end(), {"--input", bin});
    }
    WriteFile(dir + "/all.bin", all);
    ASSERT_TRUE(tflm::Extract(src, m.golden, dir + "/golden.csv"));
    *golden = CsvBytes(ReadFile(dir + "/golden.csv"), WidthOf(m.golden));
    std::vector<std::string> e = {"eval", model};
    e.insert(e.end(), args.begin(), args.end());
    e.insert(e.end(), {"--output", dir + "/eval.bin"});
    const CliResult er = RunCli(e);
    ASSERT_EQ(er.exit_code, 0) << er.err;
    *eval = ReadFile(dir + "/eval.bin");
    if (host == nullptr) return;
    const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/host.tar"});
    ASSERT_EQ(c.exit_code, 0) << c.err;
    std::vector<std::string> r = {"run", dir + "/host.tar"};
    r.insert(r.end(), args.begin(), args.end());
    r.insert(r.end(), {"--output", dir + "/host.bin"});
    const CliResult rr = RunCli(r);
    ASSERT_EQ(rr.exit_code, 0) << rr.err;
    *host = ReadFile(dir + "/host.bin");
  }
};

// Operators whose 16x8 models equal TFLite's goldens exactly: every model
// through `ember eval`, the first three of each operator also as host C (the
// coverage test, tflm_coverage_test.cc, compares every model's C with eval).
TEST_F(TflmSeanetGolden, ExactOperatorsEqualTheGoldensOnTheHost) {
  EMBER_REQUIRE_TFLM(src);
  size_t count = 0;
  for (const char* op : {"conv", "transpose_conv", "add", "leaky_relu", "pad", "strided_slice"}) {
    const std::vector<Model> models = Models(src, op);
    EXPECT_FALSE(models.empty()) << "no seanet " << op << " models in " << src.Describe();
    for (size_t i = 0; i < models.size(); ++i) {
      const Model& m = models[i];
      SCOPED_TRACE(m.name);
      std::vector<uint8_t> golden, eval, host;
      RunHost(src, m, TempDir() + "/" + m.name, &golden, &eval, i < 3 ? &host : nullptr);
      EXPECT_EQ(eval, golden) << "ember eval differs from the golden output";
      if (i < 3) {
        EXPECT_EQ(host, golden) << "the host C differs from the golden output";
      }
      ++count;
    }
  }
  std::printf("%zu seanet models equal their goldens (conv, transpose_conv, add, leaky_relu, pad, strided_slice)\n",
              count);
}

// SUB: TFLite Micro's float32 multipliers against TFLite's double ones.
TEST_F(TflmSeanetGolden, SubIsWithinTflmsToleranceAndTheCEqualsTheEvaluator) {
  EMBER_REQUIRE_TFLM(src);
  const std::vector<Model> models = Models(src, "sub");
  EXPECT_FALSE(models.empty());
  for (const Model& m : models) {
    SCOPED_TRACE(m.name);
    std::vector<uint8_t> golden, eval, host;
    RunHost(src, m, TempDir() + "/" + m.name, &golden, &eval, &host);
    EXPECT_EQ(host, eval) << "the host C differs from ember eval";
    ASSERT_EQ(eval.size(), golden.size());
    size_t differing = 0;
    EXPECT_LE(MaxInt16Diff(eval, golden, &differing), 1);
    std::printf("%s: %zu of %zu elements differ from TFLite's golden by 1\n", m.name.c_str(), differing,
                golden.size() / 2);
  }
}

// The first conv and transpose_conv models on an emulated Cortex-M4 (the
// portable 16x8 kernels).
TEST_F(TflmSeanetGolden, ConvAndTransposeConvEqualTheGoldensOnCortexM4) {
  EMBER_REQUIRE_TFLM(src);
  EMBER_REQUIRE_QEMU_TOOLS();
  for (const char* op : {"conv", "transpose_conv"}) {
    const std::vector<Model> models = Models(src, op);
    ASSERT_GE(models.size(), 3u) << op;
    for (size_t i = 0; i < 3; ++i) {
      const Model& m = models[i];
      SCOPED_TRACE(m.name);
      const std::string dir = TempDir() + "/" + m.name;
      std::vector<uint8_t> golden, eval, host;
      RunHost(src, m, dir, &golden, &eval, &host);
      const CliResult c = RunCli({"compile", dir + "/model.tflite", "--target", "cortex-m4", "--module-name",
                                  "seanet", "-o", dir + "/mlf"});
      ASSERT_EQ(c.exit_code, 0) << c.err;
      qemu::HarnessResult h;
      const std::string failed =
          qemu::BuildAndEmulate(dir + "/mlf", dir + "/all.bin", dir + "/m4.elf", "mps2-an386", 300, &h);
      ASSERT_EQ(failed, "");
      ASSERT_EQ(h.outputs.size(), 1u);
      EXPECT_EQ(h.outputs[0], golden) << "cortex-m4 differs from the golden output";
    }
  }
}

// `ember analyze` counts int16 tensors at 2 bytes per element and an int64
// bias at 8 (conv0: i16[1,8,166,2] -> i16[1,2,160,8], filter i8[8,7,7,2], bias i64[8]).
TEST_F(TflmSeanetGolden, AnalyzeCountsInt16AndInt64Bytes) {
  EMBER_REQUIRE_TFLM(src);
  const std::string dir = TempDir();
  ASSERT_TRUE(tflm::Extract(src, std::string(kDir) + "conv/conv0.tflite", dir + "/conv0.tflite"));
  const CliResult a = RunCli({"analyze", dir + "/conv0.tflite", "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto j = nlohmann::json::parse(a.out);
  EXPECT_EQ(j.at("input_bytes").get<int64_t>(), 8 * 166 * 2 * 2);
  EXPECT_EQ(j.at("output_bytes").get<int64_t>(), 2 * 160 * 8 * 2);
  EXPECT_EQ(j.at("param_bytes").get<int64_t>(), 8 * 7 * 7 * 2 + 8 * 8);
  EXPECT_EQ(j.at("activation_lower_bound_bytes").get<int64_t>(), 8 * 166 * 2 * 2 + 2 * 160 * 8 * 2);
}

}  // namespace
}  // namespace ember::test
