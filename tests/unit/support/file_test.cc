// Bounded whole-file reads: limits checked before reading, and files that
// have no size (devices, FIFOs) or are folders refused at once.
#include "support/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "util/test_util.h"

namespace ember {
namespace {

using Clock = std::chrono::steady_clock;

void Write(const std::string& path, const std::string& text) {
  test::WriteFile(path, std::vector<uint8_t>(text.begin(), text.end()));
}

TEST(ReadFile, ReadsUpToTheLimit) {
  const std::string path = test::TempDir() + "/ten.bin";
  Write(path, "0123456789");
  auto bytes = ReadFileBytes(path, 10, "a test file");
  ASSERT_TRUE(bytes.ok()) << bytes.diag().ToString();
  EXPECT_EQ(bytes->size(), 10u);
  auto text = ReadFileText(path, 10, "a test file");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "0123456789");
  Write(path, "");
  ASSERT_TRUE(ReadFileText(path, 0, "a test file").ok());
}

TEST(ReadFile, RefusesAFileOverTheLimitNamingBothSizes) {
  const std::string path = test::TempDir() + "/eleven.bin";
  Write(path, "0123456789a");
  auto r = ReadFileBytes(path, 10, "a test file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, kFileTooLargeId);
  EXPECT_EQ(r.diag().exit, ExitCode::kFailure);
  EXPECT_NE(r.diag().message.find("too large (11 bytes, the limit is 10 for a test file)"), std::string::npos)
      << r.diag().message;
}

// A sparse 3 GiB file takes no disk space; it must be refused from its size
// alone, before anything is read (reading it took 4 GB and many seconds).
TEST(ReadFile, RefusesAHugeSparseFileBeforeReading) {
  const std::string path = test::TempDir() + "/sparse.tflite";
  const int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(ftruncate(fd, off_t{3} << 30), 0);
  close(fd);
  const auto start = Clock::now();
  auto r = ReadFileBytes(path, uint64_t{1} << 31, "a TFLite model");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, kFileTooLargeId);
  EXPECT_NE(r.diag().message.find("(3221225472 bytes, the limit is 2147483648"), std::string::npos)
      << r.diag().message;
}

TEST(ReadFile, RefusesDevicesWithoutReadingThem) {
  const auto start = Clock::now();
  auto r = ReadFileBytes("/dev/zero", uint64_t{1} << 31, "a TFLite model");
  EXPECT_LT(Clock::now() - start, std::chrono::seconds(2));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, kNotARegularFileId);
  EXPECT_NE(r.diag().message.find("'/dev/zero' is a character device, not a regular file"), std::string::npos)
      << r.diag().message;
}

// Opening a FIFO for reading normally waits for a writer; here nobody ever
// writes, so a read that waited would never end.
TEST(ReadFile, RefusesAFifoWithoutWaitingForAWriter) {
  const std::string path = test::TempDir() + "/fifo.npy";
  ASSERT_EQ(mkfifo(path.c_str(), 0600), 0);
  auto r = ReadFileText(path, 1 << 20, "a tensor file");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, kNotARegularFileId);
  EXPECT_NE(r.diag().message.find("FIFO"), std::string::npos) << r.diag().message;
}

TEST(ReadFile, RefusesAFolderAndReportsAMissingFile) {
  const std::string dir = test::TempDir();
  auto r = ReadFileBytes(dir, 100, "a model");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, kNotARegularFileId);
  EXPECT_NE(r.diag().message.find("is a folder"), std::string::npos) << r.diag().message;
  r = ReadFileBytes(dir + "/absent", 100, "a model");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0001");
  EXPECT_NE(r.diag().message.find("absent"), std::string::npos);
}

}  // namespace
}  // namespace ember
