// Line-oriented I/O on raw file descriptors for the Project API pipes: a
// buffered line reader with a deadline (poll(2)), and a full write that
// reports EPIPE as an error instead of raising SIGPIPE.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ember::micro {

// The longest timeout a deadline is computed for: a longer one (up to
// infinity) waits this long, one year, so that no deadline arithmetic
// overflows. A negative or NaN timeout counts as 0.
inline constexpr double kMaxTimeoutSec = 365.0 * 24 * 3600;

// The deadline `timeout_sec` seconds from now, clamped as above; nullopt
// (no deadline: block) for nullopt.
std::optional<std::chrono::steady_clock::time_point> DeadlineAfter(std::optional<double> timeout_sec);

class LineReader {
 public:
  enum class Result { kLine, kEof, kTimeout, kError, kTooLong };

  // The longest line (without its '\n') a Project API peer sends or
  // accepts: 16 MiB, room for a write_transport of 12 MiB in base85; ember's
  // own clients send at most a session message (64 KiB) at a time.
  static constexpr size_t kMaxLineBytes = size_t{16} << 20;

  explicit LineReader(int fd, size_t max_line_bytes = kMaxLineBytes) : fd_(fd), max_line_(max_line_bytes) {}

  // Reads up to and including the next '\n' (stripped from *line). With a
  // timeout, gives up after that many seconds (kTimeout); without, blocks.
  // kEof when the peer closed before a full line (a partial line is dropped);
  // kError on a read failure. A line longer than max_line_bytes is read to
  // its '\n' and dropped without being kept (kTooLong); the next call reads
  // the line after it. Every received byte is searched for '\n' once, so a
  // long line costs linear time.
  Result ReadLine(std::string* line, std::optional<double> timeout_sec);

  // Bytes searched for '\n' so far, and the most ever held in the buffer:
  // for tests that check the costs above.
  uint64_t bytes_scanned() const { return bytes_scanned_; }
  size_t peak_buffered() const { return peak_buffered_; }

 private:
  // A complete line from buf_ if one is there.
  bool TakeLine(std::string* line);
  // Drops received bytes up to the end of an over-long line; true at its end.
  bool SkipLongLine();

  int fd_;
  size_t max_line_;
  std::string buf_;
  size_t start_ = 0;         // where the current line starts in buf_
  size_t scanned_ = 0;       // bytes of buf_ already searched for '\n'
  bool skipping_ = false;    // inside an over-long line
  uint64_t bytes_scanned_ = 0;
  size_t peak_buffered_ = 0;
};

// Writes all of `data`; false on any failure (errno is left set). SIGPIPE is
// blocked for the calling thread during the write and a pending one consumed,
// so a peer that went away never kills this process.
bool WriteAll(int fd, std::string_view data);

}  // namespace ember::micro
