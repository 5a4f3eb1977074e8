// TensorFlow Lite Micro's LSTM models with TFLM's own test data, read from a
// TFLM tree (tflm_util.h; skipped when there is none):
//   - examples/dtln/dtln_noise_suppression.tflite: dtln_test.cc feeds
//     feature_data and expects golden_ref byte for byte (int8 LSTMs with
//     int16 cell states, FULLY_CONNECTED, LOGISTIC);
//   - third_party/xtensa/examples/micro_speech_lstm: micro_speech_lstm_test.cc
//     expects the "yes" features to score highest on yes (index 0) and the
//     "no" features on no (index 1).
// ember's reference evaluator, the compiled C on the host and the firmware on
// the emulated Cortex-M4 must give TFLM's expectations, with the same bytes.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "e2e/tflm_util.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

// The integers of the C array `name` in the source text `src` ("name[] = {
// ... };"); empty when absent.
std::vector<int> CArray(const std::string& src, const std::string& name) {
  const size_t at = src.find(name + "[");
  if (at == std::string::npos) return {};
  const size_t open = src.find('{', at), close = src.find('}', at);
  if (open == std::string::npos || close == std::string::npos || close < open) return {};
  const std::string body = src.substr(open + 1, close - open - 1);
  std::vector<int> out;
  static const std::regex kInt("-?[0-9]+");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), kInt); it != std::sregex_iterator(); ++it)
    out.push_back(std::stoi(it->str()));
  return out;
}

std::vector<uint8_t> Int8Bytes(const std::vector<int>& v) {
  std::vector<uint8_t> b;
  for (int x : v) b.push_back(static_cast<uint8_t>(static_cast<int8_t>(x)));
  return b;
}

class TflmLstm : public testing::Test {
 protected:
  void SetUp() override {
    src_ = tflm::Find();
    if (src_.dir.empty() && src_.git_dir.empty()) GTEST_SKIP() << tflm::MissingMessage() << "; skipped";
    dir_ = TempDir();
  }
  // Extracts `path` of the tree into dir_ (as `name`); skips when absent.
  std::string Get(const std::string& path, const std::string& name) {
    const std::string dest = dir_ + "/" + name;
    if (!tflm::Extract(src_, path, dest)) return "";
    return dest;
  }
  std::string Text(const std::string& file) {
    const std::vector<uint8_t> b = ReadFile(file);
    return std::string(b.begin(), b.end());
  }
  // `ember eval`, `ember compile --target host` + `ember run`, and (when the
  // tools are there) the cortex-m4 firmware under QEMU on each input file:
  // every output, in that order per input, after checking that they agree.
  std::vector<std::vector<uint8_t>> RunEverywhere(const std::string& model, const std::vector<std::string>& inputs,
                                                  bool m4) {
    std::vector<std::vector<uint8_t>> refs;
    const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir_ + "/host.tar"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    for (size_t k = 0; k < inputs.size(); ++k) {
      const std::string want = dir_ + "/want" + std::to_string(k) + ".bin";
      const CliResult e = RunCli({"eval", model, "--input", inputs[k], "--output", want});
      EXPECT_EQ(e.exit_code, 0) << e.err;
      refs.push_back(ReadFile(want));
      const std::string got = dir_ + "/got" + std::to_string(k) + ".bin";
      const CliResult r = RunCli({"run", dir_ + "/host.tar", "--input", inputs[k], "--output", got});
      EXPECT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(ReadFile(got), refs.back()) << inputs[k] << ": compiled C on the host differs from ember eval";
    }
    if (m4 && qemu::MissingTools().empty()) {
      const CliResult cm = RunCli({"compile", model, "--target", "cortex-m4", "--module-name", "lstm", "-o", dir_ + "/mlf"});
      EXPECT_EQ(cm.exit_code, 0) << cm.err;
      for (size_t k = 0; k < inputs.size(); ++k) {
        qemu::HarnessResult h;
        const std::string failed =
            qemu::BuildAndEmulate(dir_ + "/mlf", inputs[k], dir_ + "/m4_" + std::to_string(k) + ".elf", "mps2-an386", 300, &h);
        EXPECT_EQ(failed, "");
        EXPECT_EQ(h.outputs.size(), 1u);
        if (h.outputs.size() == 1) {
          EXPECT_EQ(h.outputs[0], refs[k]) << inputs[k] << ": cortex-m4 differs from ember eval";
        }
        if (!h.instructions.empty())
          std::printf("%s on cortex-m4: %llu instructions per inference\n", model.c_str(),
                      static_cast<unsigned long long>(h.instructions[0]));
      }
    }
    return refs;
  }

  tflm::Source src_;
  std::string dir_;
};

TEST_F(TflmLstm, DtlnNoiseSuppressionEqualsTflmGolden) {
  const std::string model = Get("tensorflow/lite/micro/examples/dtln/dtln_noise_suppression.tflite", "dtln.tflite");
  const std::string data = Get("tensorflow/lite/micro/examples/dtln/dtln_inout_data.cc", "dtln_inout_data.cc");
  if (model.empty() || data.empty()) GTEST_SKIP() << "the dtln example is absent from " << src_.Describe();
  const std::string text = Text(data);
  const std::vector<int> features = CArray(text, "feature_data"), golden = CArray(text, "golden_ref");
  ASSERT_EQ(features.size(), 257u);
  ASSERT_EQ(golden.size(), 257u);
  WriteFile(dir_ + "/features.bin", Int8Bytes(features));
  const auto outs = RunEverywhere(model, {dir_ + "/features.bin"}, true);
  ASSERT_EQ(outs.size(), 1u);
  EXPECT_EQ(outs[0], Int8Bytes(golden)) << "dtln_test.cc's golden_ref";
}

TEST_F(TflmLstm, MicroSpeechLstmClassifiesYesAndNo) {
  const std::string base = "third_party/xtensa/examples/micro_speech_lstm/";
  const std::string model = Get(base + "micro_speech_lstm.tflite", "micro_speech_lstm.tflite");
  const std::string yes = Get(base + "yes_micro_features_data.cc", "yes.cc");
  const std::string no = Get(base + "no_micro_features_data.cc", "no.cc");
  if (model.empty() || yes.empty() || no.empty()) GTEST_SKIP() << "micro_speech_lstm is absent from " << src_.Describe();
  const std::vector<int> yes_features = CArray(Text(yes), "g_yes_micro_f2e59fea_nohash_1_data");
  const std::vector<int> no_features = CArray(Text(no), "g_no_micro_f9643d42_nohash_4_data");
  ASSERT_FALSE(yes_features.empty());
  ASSERT_EQ(yes_features.size(), no_features.size());
  WriteFile(dir_ + "/yes.bin", Int8Bytes(yes_features));
  WriteFile(dir_ + "/no.bin", Int8Bytes(no_features));
  const auto outs = RunEverywhere(model, {dir_ + "/yes.bin", dir_ + "/no.bin"}, true);
  ASSERT_EQ(outs.size(), 2u);
  for (size_t k = 0; k < 2; ++k) {
    ASSERT_EQ(outs[k].size(), 3u);
    const int yes_score = static_cast<int8_t>(outs[k][0]) + 128, no_score = static_cast<int8_t>(outs[k][1]) + 128,
              unknown = static_cast<int8_t>(outs[k][2]) + 128;
    std::printf("%s: yes %d, no %d, unknown %d\n", k == 0 ? "yes features" : "no features", yes_score, no_score, unknown);
    const int expected = k == 0 ? yes_score : no_score, other = k == 0 ? no_score : yes_score;
    EXPECT_GT(expected, unknown) << k;
    EXPECT_GT(expected, other) << k;
  }
}

}  // namespace
}  // namespace ember::test
