// The Project API's line reader and deadlines (micro/project_api/fd_io.h):
// costs are checked through the reader's counters, never by timing.
#include "micro/project_api/fd_io.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <thread>

#include "micro/project/child_process.h"
#include "micro/transport/fd_stream.h"

namespace ember::micro {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() { EXPECT_EQ(pipe(fd), 0); }
  ~Pipe() {
    for (int f : fd)
      if (f >= 0) close(f);
  }
  int read_end() const { return fd[0]; }
  int write_end() const { return fd[1]; }
};

// A line of 8 MiB arriving in pipe-sized pieces is searched once, byte by
// byte: the reader scans each received byte one time, not the whole buffer
// again for every piece (which cost 75 s of CPU for 100 MB).
TEST(LineReaderTest, ALongLineIsScannedOnce) {
  Pipe p;
  const size_t size = size_t{8} << 20;
  std::thread writer([&] { WriteAll(p.write_end(), std::string(size, 'a') + "\nnext\n"); });
  LineReader reader(p.read_end());
  std::string line;
  ASSERT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kLine);
  EXPECT_EQ(line.size(), size);
  ASSERT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kLine);
  EXPECT_EQ(line, "next");
  writer.join();
  EXPECT_EQ(reader.bytes_scanned(), size + 1 + 5);
}

// Many short lines received together: also linear.
TEST(LineReaderTest, ManyShortLinesAreScannedOnce) {
  Pipe p;
  std::string text;
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + "\n";
  std::thread writer([&] { WriteAll(p.write_end(), text); });
  LineReader reader(p.read_end());
  std::string line;
  for (int i = 0; i < 20000; ++i) {
    ASSERT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kLine);
    ASSERT_EQ(line, std::to_string(i));
  }
  writer.join();
  EXPECT_EQ(reader.bytes_scanned(), text.size());
}

// An over-long line is dropped as it arrives: the buffer never holds more
// than the bound and one read, and the next line is read normally.
TEST(LineReaderTest, AnOverlongLineIsDroppedWithoutBufferingIt) {
  Pipe p;
  std::thread writer(
      [&] { WriteAll(p.write_end(), std::string(1 << 20, 'z') + "\nok\n" + std::string(1001, 'y') + "\n"); });
  LineReader reader(p.read_end(), 1000);
  std::string line = "untouched";
  EXPECT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kTooLong);
  ASSERT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kLine);
  EXPECT_EQ(line, "ok");
  EXPECT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kTooLong);
  writer.join();
  EXPECT_LE(reader.peak_buffered(), 1000u + 4096u);
  // Exactly the bound is a line.
  WriteAll(p.write_end(), std::string(1000, 'w') + "\n");
  ASSERT_EQ(reader.ReadLine(&line, 30.0), LineReader::Result::kLine);
  EXPECT_EQ(line.size(), 1000u);
}

TEST(DeadlineTest, HugeInfiniteNegativeAndNanTimeoutsDoNotOverflow) {
  const auto now = Clock::now();
  const auto year = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(kMaxTimeoutSec));
  for (double t : {1e10, 1e300, std::numeric_limits<double>::infinity()}) {
    const auto d = DeadlineAfter(t);
    ASSERT_TRUE(d.has_value());
    EXPECT_GE(*d, now + year) << t;
    EXPECT_LT(*d, now + 2 * year) << t;
  }
  for (double t : {-1.0, -1e300, std::nan("")}) {
    const auto d = DeadlineAfter(t);
    ASSERT_TRUE(d.has_value());
    EXPECT_LT(*d, Clock::now() + std::chrono::seconds(1)) << t;
  }
  EXPECT_FALSE(DeadlineAfter(std::nullopt).has_value());
}

// With a timeout of 1e10 s, a read waits for data that comes later (it
// used to time out at once: the deadline overflowed into the past).
TEST(DeadlineTest, ReadsWithAHugeTimeoutWaitForTheData) {
  Pipe p;
  LineReader reader(p.read_end());
  std::thread late([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    WriteAll(p.write_end(), "line\nx");
  });
  std::string line;
  EXPECT_EQ(reader.ReadLine(&line, 1e10), LineReader::Result::kLine);
  EXPECT_EQ(line, "line");
  late.join();

  // The host template's device: a read with a huge timeout waits too.
  auto child = ChildProcess::Start({"/bin/sh", "-c", "sleep 0.1; printf y; sleep 10"}, "/");
  EXPECT_EQ(child->Read(64, 1e10), "y");
  child->Stop(0.1);

  Pipe q;
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    WriteAll(q.write_end(), "y");
  });
  ASSERT_TRUE(MakeNonBlocking(q.read_end()));
  EXPECT_EQ(ReadSomeFd(q.read_end(), int64_t{1} << 31, 1e10), "y");  // a huge n allocates only the bound
  later.join();
}

}  // namespace
}  // namespace ember::micro
