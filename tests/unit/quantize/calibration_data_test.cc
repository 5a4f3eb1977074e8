// Calibration data reader: .npz (stored and deflated), a single .npy and folders of .npy,
// shape/dtype/name checks with diagnostics naming the file and the expected
// shape, malformed and oversized input.
#include "quantize/calibration_data.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <random>

#include "support/npy.h"
#include "util/test_util.h"

namespace ember::quantize {
namespace {

using test::TempDir;
using test::WriteFile;

std::vector<uint8_t> Npy(std::vector<int64_t> shape, const std::string& descr = "<f4", float fill = 0.5f) {
  NpyArray a;
  a.descr = descr;
  a.shape = shape;
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  const size_t item = descr == "<f8" || descr == "<i8" ? 8 : 4;
  a.data.resize(static_cast<size_t>(n) * item);
  for (int64_t k = 0; k < n && item == 4; ++k) {
    const float v = fill + static_cast<float>(k);
    std::memcpy(&a.data[static_cast<size_t>(k) * 4], &v, 4);
  }
  return SerializeNpy(a);
}

// Writes a zip archive of `members` (deflated when `deflate`).
void WriteZip(const std::string& path, const std::vector<std::pair<std::string, std::vector<uint8_t>>>& members,
              bool deflate = false) {
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_options(a, deflate ? "zip:compression=deflate" : "zip:compression=store");
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& [name, bytes] : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(bytes.size()));
    archive_write_header(a, e);
    archive_write_data(a, bytes.data(), bytes.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

const std::vector<ModelInput> kImage = {{"input", {1, 3, 4, 4}, ir::DType::kFloat32}};

TEST(CalibrationData, FolderOfSingleSamples) {
  const std::string dir = TempDir() + "/calib";
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/b.npy", Npy({1, 3, 4, 4}, "<f4", 2.0f));
  WriteFile(dir + "/a.npy", Npy({1, 3, 4, 4}, "<f4", 1.0f));
  WriteFile(dir + "/notes.txt", {'x'});
  auto set = LoadCalibration(dir, kImage);
  ASSERT_TRUE(set.ok()) << set.diag().ToString();
  ASSERT_EQ(set->samples.size(), 2u);
  float first;
  std::memcpy(&first, set->samples[0][0].data(), 4);
  EXPECT_EQ(first, 1.0f);  // name order: a.npy first
  EXPECT_EQ(set->samples[0][0].size(), 48u * 4);
}

// One .npy file of N stacked samples (numpy.save), known by its magic
// whatever its name; --max-samples caps it; a damaged one is refused.
TEST(CalibrationData, SingleNpyFileOfStackedSamples) {
  const std::string file = TempDir() + "/samples.bin";
  WriteFile(file, Npy({5, 3, 4, 4}, "<f4", 1.0f));
  auto set = LoadCalibration(file, kImage);
  ASSERT_TRUE(set.ok()) << set.diag().ToString();
  ASSERT_EQ(set->samples.size(), 5u);
  float second;
  std::memcpy(&second, set->samples[1][0].data(), 4);
  EXPECT_EQ(second, 1.0f + 48.0f);  // the second sample starts at element 48
  set = LoadCalibration(file, kImage, 2);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->samples.size(), 2u);
  EXPECT_EQ(set->available, 5u);
  const std::string damaged = TempDir() + "/damaged.npy";
  WriteFile(damaged, {0x93, 'N', 'U', 'M', 'P', 'Y', 1});
  const auto bad = LoadCalibration(damaged, kImage);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.diag().message.find("damaged.npy"), std::string::npos) << bad.diag().message;
}

// --max-samples: the first N samples; a folder feeding a single-input model
// is read only up to its N-th file (a damaged file after it is not read).
TEST(CalibrationData, MaxSamplesCapsFoldersAndBatches) {
  const std::string dir = TempDir() + "/many";
  std::filesystem::create_directories(dir);
  for (int k = 0; k < 5; ++k) WriteFile(dir + "/s" + std::to_string(k) + ".npy", Npy({1, 3, 4, 4}, "<f4", 1.0f * k));
  WriteFile(dir + "/zz_damaged.npy", {0x93, 'N', 'U'});
  auto set = LoadCalibration(dir, kImage, 3);
  ASSERT_TRUE(set.ok()) << set.diag().ToString();
  ASSERT_EQ(set->samples.size(), 3u);
  float v;
  std::memcpy(&v, set->samples[2][0].data(), 4);
  EXPECT_EQ(v, 2.0f);  // s0, s1, s2 in name order
  EXPECT_FALSE(LoadCalibration(dir, kImage).ok()) << "without a cap the damaged file is read";
  const std::string npz = TempDir() + "/batch.npz";
  WriteZip(npz, {{"input.npy", Npy({7, 3, 4, 4})}});
  set = LoadCalibration(npz, kImage, 4);
  ASSERT_TRUE(set.ok()) << set.diag().ToString();
  EXPECT_EQ(set->samples.size(), 4u);
  EXPECT_EQ(set->available, 7u);
  set = LoadCalibration(npz, kImage, 100);
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->samples.size(), 7u);
}

TEST(CalibrationData, NpzBatchedStoredAndDeflated) {
  for (bool deflate : {false, true}) {
    const std::string path = TempDir() + (deflate ? "/c.npz" : "/s.npz");
    WriteZip(path, {{"input.npy", Npy({5, 3, 4, 4})}}, deflate);
    auto set = LoadCalibration(path, kImage);
    ASSERT_TRUE(set.ok()) << set.diag().ToString();
    EXPECT_EQ(set->samples.size(), 5u);
    // [N, 1, 3, 4, 4] is N samples too.
    WriteZip(path, {{"arr_0.npy", Npy({2, 1, 3, 4, 4})}}, deflate);
    set = LoadCalibration(path, kImage);
    ASSERT_TRUE(set.ok()) << set.diag().ToString();
    EXPECT_EQ(set->samples.size(), 2u);
  }
}

TEST(CalibrationData, WrongShapeNamesTheFileAndTheExpectedShape) {
  const std::string path = TempDir() + "/bad.npz";
  WriteZip(path, {{"input.npy", Npy({1, 4, 4, 3})}});
  auto set = LoadCalibration(path, kImage);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.diag().id, kCalibMismatch);
  EXPECT_NE(set.diag().message.find("bad.npz:input.npy"), std::string::npos) << set.diag().message;
  EXPECT_NE(set.diag().message.find("1x4x4x3"), std::string::npos);
  EXPECT_NE(set.diag().message.find("1x3x4x4"), std::string::npos);
}

TEST(CalibrationData, WrongDtypeIsRefused) {
  const std::string dir = TempDir() + "/i4";
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/x.npy", Npy({1, 3, 4, 4}, "<i4"));
  auto set = LoadCalibration(dir, kImage);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.diag().id, kCalibMismatch);
  EXPECT_NE(set.diag().message.find("<i4"), std::string::npos);
  EXPECT_NE(set.diag().message.find("x.npy"), std::string::npos);
}

// float16 and float64 samples of a float input are read as float32 (a
// half-precision model's calibration data); values exact where float32
// holds them.
TEST(CalibrationData, Float16AndFloat64SamplesOfAFloatInput) {
  const std::string dir = TempDir() + "/wide";
  std::filesystem::create_directories(dir);
  const std::vector<float> want = {0.5f, -2.0f, 65504.0f, 0.0f, 1.0f / 1024, 3.140625f};
  NpyArray h{"<f2", {2, 1, 3, 1, 1}, {}};
  for (uint16_t bits : {0x3800, 0xC000, 0x7BFF, 0x0000, 0x1400, 0x4248}) {
    h.data.push_back(static_cast<uint8_t>(bits & 0xFF));
    h.data.push_back(static_cast<uint8_t>(bits >> 8));
  }
  NpyArray d{"<f8", {2, 1, 3, 1, 1}, std::vector<uint8_t>(48)};
  for (size_t i = 0; i < want.size(); ++i) {
    const double v = want[i];
    std::memcpy(&d.data[i * 8], &v, 8);
  }
  const std::vector<ModelInput> in = {{"input", {1, 3, 1, 1}, ir::DType::kFloat32}};
  for (const NpyArray& a : {h, d}) {
    WriteFile(dir + "/x.npy", SerializeNpy(a));
    auto set = LoadCalibration(dir + "/x.npy", in);
    ASSERT_TRUE(set.ok()) << a.descr << ": " << set.diag().ToString();
    ASSERT_EQ(set->samples.size(), 2u) << a.descr;
    for (size_t k = 0; k < 2; ++k) {
      ASSERT_EQ(set->samples[k][0].size(), 12u) << a.descr;
      float got[3];
      std::memcpy(got, set->samples[k][0].data(), 12);
      for (size_t i = 0; i < 3; ++i) EXPECT_EQ(got[i], want[k * 3 + i]) << a.descr << " sample " << k << " value " << i;
    }
  }
  // Not for an int input, and a truncated float16 array is malformed.
  const std::vector<ModelInput> ints = {{"input", {1, 3, 1, 1}, ir::DType::kInt32}};
  WriteFile(dir + "/x.npy", SerializeNpy(h));
  EXPECT_FALSE(LoadCalibration(dir + "/x.npy", ints).ok());
  h.data.resize(11);
  WriteFile(dir + "/x.npy", SerializeNpy(h));
  EXPECT_FALSE(LoadCalibration(dir + "/x.npy", in).ok());
}

TEST(CalibrationData, MultiInputNeedsNamesAndEqualCounts) {
  const std::vector<ModelInput> two = {{"a", {1, 2}, ir::DType::kFloat32}, {"b", {1, 3}, ir::DType::kFloat32}};
  const std::string path = TempDir() + "/two.npz";
  WriteZip(path, {{"a.npy", Npy({4, 2})}, {"b.npy", Npy({4, 3})}});
  auto set = LoadCalibration(path, two);
  ASSERT_TRUE(set.ok()) << set.diag().ToString();
  ASSERT_EQ(set->samples.size(), 4u);
  EXPECT_EQ(set->samples[0][1].size(), 12u);
  WriteZip(path, {{"a.npy", Npy({4, 2})}, {"b.npy", Npy({3, 3})}});
  set = LoadCalibration(path, two);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.diag().id, kCalibMismatch);
  WriteZip(path, {{"arr_0.npy", Npy({4, 2})}});
  set = LoadCalibration(path, two);
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.diag().message.find("names no model input"), std::string::npos);
}

TEST(CalibrationData, MalformedInputFailsCleanly) {
  const std::string dir = TempDir();
  // Not a zip at all.
  WriteFile(dir + "/junk.npz", std::vector<uint8_t>(100, 0x41));
  auto set = LoadCalibration(dir + "/junk.npz", kImage);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.diag().id, kCalibRead);
  // A truncated zip.
  WriteZip(dir + "/t.npz", {{"input.npy", Npy({5, 3, 4, 4})}});
  std::vector<uint8_t> bytes = test::ReadFile(dir + "/t.npz");
  bytes.resize(bytes.size() / 2);
  WriteFile(dir + "/t.npz", bytes);
  set = LoadCalibration(dir + "/t.npz", kImage);
  EXPECT_FALSE(set.ok());
  // A truncated .npy inside a valid zip.
  std::vector<uint8_t> npy = Npy({1, 3, 4, 4});
  npy.resize(npy.size() - 7);
  WriteZip(dir + "/n.npz", {{"input.npy", npy}});
  set = LoadCalibration(dir + "/n.npz", kImage);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.diag().id, kCalibMalformed);
  // Missing path, empty folder.
  EXPECT_EQ(LoadCalibration(dir + "/none.npz", kImage).diag().id, kCalibRead);
  std::filesystem::create_directories(dir + "/empty");
  EXPECT_EQ(LoadCalibration(dir + "/empty", kImage).diag().id, kCalibRead);
  // An empty archive.
  WriteZip(dir + "/e.npz", {});
  EXPECT_FALSE(LoadCalibration(dir + "/e.npz", kImage).ok());
}

TEST(CalibrationData, OversizedDeflatedMemberStopsAtTheLimit) {
  // A member that inflates to more than kMaxCalibrationFileBytes (zeros
  // compress ~1000:1): the reader stops at the limit instead of allocating it all.
  const std::string path = TempDir() + "/bomb.npz";
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  archive_write_set_options(a, "zip:compression=deflate");
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "input.npy");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0644);
  archive_write_header(a, e);  // size unset: streamed
  std::vector<uint8_t> zeros(1 << 20, 0);
  for (uint64_t done = 0; done <= kMaxCalibrationFileBytes; done += zeros.size()) {
    archive_write_data(a, zeros.data(), zeros.size());
  }
  archive_entry_free(e);
  archive_write_close(a);
  archive_write_free(a);
  auto set = LoadCalibration(path, kImage);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.diag().id, kCalibTooLarge) << set.diag().ToString();
}

TEST(CalibrationData, MutatedArchivesNeverCrash) {
  // Random byte flips, truncations and insertions in a valid .npz (stored
  // and deflated): every result is samples or a diagnostic (run under ASan
  // and UBSan by make test-asan).
  const std::string dir = TempDir();
  std::mt19937 rng(13);
  for (bool deflate : {false, true}) {
    WriteZip(dir + "/ok.npz", {{"input.npy", Npy({3, 3, 4, 4})}, {"arr_1.npy", Npy({1, 3, 4, 4})}}, deflate);
    const std::vector<uint8_t> good = test::ReadFile(dir + "/ok.npz");
    for (int round = 0; round < 150; ++round) {
      std::vector<uint8_t> b = good;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits && !b.empty(); ++e) {
        const size_t at = rng() % b.size();
        switch (rng() % 3) {
          case 0: b[at] = static_cast<uint8_t>(rng()); break;
          case 1: b.resize(at); break;
          default: b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), static_cast<uint8_t>(rng()));
        }
      }
      WriteFile(dir + "/m.npz", b);
      auto set = LoadCalibration(dir + "/m.npz", kImage);
      if (set.ok()) {
        for (const auto& sample : set->samples) EXPECT_EQ(sample[0].size(), 48u * 4);
      } else {
        EXPECT_FALSE(set.diag().id.empty());
      }
    }
  }
}

// Token ids: an int64 input takes '<i8' arrays (8 bytes an element), and a
// float array for it is refused with the type it needs.
TEST(CalibrationData, IntegerInputsTakeArraysOfTheirType) {
  const std::vector<ModelInput> ids = {{"ids", {1, 4}, ir::DType::kInt64}};
  auto set = SplitCalibration({{"ids.npy", Npy({3, 4}, "<i8")}}, ids, "x");
  ASSERT_TRUE(set.ok()) << set.diag().ToString();
  ASSERT_EQ(set->samples.size(), 3u);
  EXPECT_EQ(set->samples[0][0].size(), 32u);
  auto wrong = SplitCalibration({{"ids.npy", Npy({1, 4})}}, ids, "x");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.diag().id, kCalibMismatch);
  EXPECT_NE(wrong.diag().message.find("expected i64 (<i8)"), std::string::npos) << wrong.diag().message;
  EXPECT_NE(wrong.diag().hint.find("astype('<i8')"), std::string::npos) << wrong.diag().hint;
}

}  // namespace
}  // namespace ember::quantize
