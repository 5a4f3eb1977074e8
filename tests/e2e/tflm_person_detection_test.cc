// TensorFlow Lite Micro's person-detection example with TFLM's own files
// (tensorflow/lite/micro/models/person_detect.tflite and the two images of
// examples/person_detection/testdata), read from a TFLM tree (tflm_util.h;
// skipped when there is none). TFLM's person_detection_test expects the
// person image to score higher on "person" (index 1) and the no-person image
// on "no person" (index 0); ember's reference evaluator, the compiled C on the
// host and the firmware on the emulated Cortex-M4 must give those
// classifications, with the same bytes.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "e2e/tflm_util.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

constexpr const char* kModel = "tensorflow/lite/micro/models/person_detect.tflite";
constexpr const char* kImages = "tensorflow/lite/micro/examples/person_detection/testdata/";

uint32_t Le(const std::vector<uint8_t>& b, size_t at, size_t n) {
  uint32_t v = 0;
  for (size_t i = 0; i < n; ++i) v |= static_cast<uint32_t>(b.at(at + i)) << (8 * i);
  return v;
}

// The pixels of an 8-bit BMP in top-to-bottom order, as TFLM's
// generate_cc_arrays.py (PIL's Image.tobytes) makes person_image_data.
std::vector<uint8_t> BmpPixels(const std::vector<uint8_t>& bmp, int* width, int* height) {
  if (bmp.size() < 54 || bmp[0] != 'B' || bmp[1] != 'M' || Le(bmp, 28, 2) != 8) return {};
  const uint32_t offset = Le(bmp, 10, 4);
  const auto w = static_cast<int32_t>(Le(bmp, 18, 4));
  const auto h = static_cast<int32_t>(Le(bmp, 22, 4));
  const int rows = h < 0 ? -h : h;
  const size_t stride = (static_cast<size_t>(w) + 3) / 4 * 4;
  if (w <= 0 || offset + stride * static_cast<size_t>(rows) > bmp.size()) return {};
  std::vector<uint8_t> px;
  for (int r = 0; r < rows; ++r) {
    const int file_row = h > 0 ? rows - 1 - r : r;  // positive height: bottom-up
    const size_t at = offset + stride * static_cast<size_t>(file_row);
    px.insert(px.end(), bmp.begin() + static_cast<long>(at), bmp.begin() + static_cast<long>(at) + w);
  }
  *width = w;
  *height = rows;
  return px;
}

struct Image {
  const char* file;
  bool person;
};
constexpr Image kTestImages[] = {{"person.bmp", true}, {"no_person.bmp", false}};

class TflmPersonDetection : public testing::Test {
 protected:
  // Writes the model and the two inputs into dir_; false (with a skip
  // message in why_) when the TFLM tree lacks them.
  void SetUp() override {
    src_ = tflm::Find();
    if (src_.dir.empty() && src_.git_dir.empty()) GTEST_SKIP() << tflm::MissingMessage() << "; skipped";
    dir_ = TempDir();
    model_ = dir_ + "/person_detect.tflite";
    if (!tflm::Extract(src_, kModel, model_))
      GTEST_SKIP() << kModel << " is absent from " << src_.Describe() << " (a large file the copy lacks); skipped";
    for (const Image& im : kTestImages) {
      const std::string bmp = dir_ + "/" + im.file;
      ASSERT_TRUE(tflm::Extract(src_, std::string(kImages) + im.file, bmp)) << im.file << " in " << src_.Describe();
      int w = 0, h = 0;
      const std::vector<uint8_t> px = BmpPixels(ReadFile(bmp), &w, &h);
      ASSERT_EQ(w, 96) << im.file;
      ASSERT_EQ(h, 96) << im.file;
      ASSERT_EQ(px.size(), 96u * 96u);
      WriteFile(Input(im), px);
    }
  }
  std::string Input(const Image& im) const { return dir_ + "/" + im.file + ".bin"; }

  // Checks the [1, 2] int8 scores against TFLM's expectation.
  static void ExpectClass(const std::vector<uint8_t>& out, const Image& im, const std::string& where) {
    ASSERT_EQ(out.size(), 2u) << where;
    const auto no_person = static_cast<int8_t>(out[0]), person = static_cast<int8_t>(out[1]);
    std::printf("%s, %s: person score %d, no-person score %d\n", where.c_str(), im.file, person, no_person);
    if (im.person) {
      EXPECT_GT(person, no_person) << where << " " << im.file;
    } else {
      EXPECT_GT(no_person, person) << where << " " << im.file;
    }
  }

  std::vector<uint8_t> Eval(const Image& im) {
    const std::string out = dir_ + "/" + im.file + ".eval.bin";
    const CliResult e = RunCli({"eval", model_, "--input", Input(im), "--output", out});
    EXPECT_EQ(e.exit_code, 0) << e.err;
    return ReadFile(out);
  }

  tflm::Source src_;
  std::string dir_, model_;
};

// The model carries quantized_dimension 3 on its 1-D biases: imported with
// one warning line, not refused.
TEST_F(TflmPersonDetection, ImportsWithAWarning) {
  const CliResult r = RunCli({"inspect", model_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning[W0101]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("13 more like it"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("error["), std::string::npos) << r.err;
}

TEST_F(TflmPersonDetection, ClassifiesLikeTflmOnTheHost) {
  const CliResult c = RunCli({"compile", model_, "--target", "host", "-o", dir_ + "/host.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const Image& im : kTestImages) {
    const std::vector<uint8_t> ref = Eval(im);
    ExpectClass(ref, im, "ember eval");
    const std::string out = dir_ + "/" + im.file + ".host.bin";
    const CliResult r = RunCli({"run", dir_ + "/host.tar", "--input", Input(im), "--output", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFile(out), ref) << im.file << ": compiled C differs from the reference evaluator";
    ExpectClass(ReadFile(out), im, "host C");
  }
}

TEST_F(TflmPersonDetection, ClassifiesLikeTflmOnCortexM4) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const CliResult c = RunCli({"compile", model_, "--target", "cortex-m4", "--module-name", "person", "-o",
                              dir_ + "/mlf"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  for (const Image& im : kTestImages) {
    const std::vector<uint8_t> ref = Eval(im);
    const std::string elf = dir_ + "/" + im.file + ".elf";
    qemu::HarnessResult h;
    const std::string failed = qemu::BuildAndEmulate(dir_ + "/mlf", Input(im), elf, "mps2-an386", 300, &h);
    ASSERT_EQ(failed, "");
    ASSERT_EQ(h.outputs.size(), 1u);
    EXPECT_EQ(h.outputs[0], ref) << im.file << ": cortex-m4 differs from the reference evaluator";
    ExpectClass(h.outputs[0], im, "cortex-m4");
    if (!h.instructions.empty())
      std::printf("person_detect on cortex-m4 (mps2-an386): %llu instructions per inference\n",
                  static_cast<unsigned long long>(h.instructions[0]));
  }
}

}  // namespace
}  // namespace ember::test
