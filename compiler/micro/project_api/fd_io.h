// Line-oriented I/O on raw file descriptors for the Project API pipes: a
// buffered line reader with a deadline (poll(2)), and a full write that
// reports EPIPE as an error instead of raising SIGPIPE.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ember::micro {

class LineReader {
 public:
  enum class Result { kLine, kEof, kTimeout, kError };

  explicit LineReader(int fd) : fd_(fd) {}

  // Reads up to and including the next '\n' (stripped from *line). With a
  // timeout, gives up after that many seconds (kTimeout); without, blocks.
  // kEof when the peer closed before a full line (a partial line is dropped);
  // kError on a read failure or a line longer than kMaxLineBytes.
  Result ReadLine(std::string* line, std::optional<double> timeout_sec);

  static constexpr size_t kMaxLineBytes = size_t{256} << 20;

 private:
  int fd_;
  std::string buf_;
};

// Writes all of `data`; false on any failure (errno is left set). SIGPIPE is
// blocked for the calling thread during the write and a pending one consumed,
// so a peer that went away never kills this process.
bool WriteAll(int fd, std::string_view data);

}  // namespace ember::micro
