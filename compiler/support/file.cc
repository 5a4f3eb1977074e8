#include "support/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ember {
namespace {

Diagnostic CannotRead(const std::string& path, const std::string& why) {
  return MakeDiag("E0001", ExitCode::kFailure, "cannot read '" + path + "': " + why,
                  "check that the path exists and is a readable file");
}

Diagnostic TooLarge(const std::string& path, std::string_view what, const std::string& size, uint64_t max_bytes) {
  return MakeDiag(kFileTooLargeId, ExitCode::kFailure,
                  "'" + path + "' is too large (" + size + " bytes, the limit is " + std::to_string(max_bytes) +
                      " for " + std::string(what) + ")",
                  "check that the path names the intended file");
}

const char* FileTypeName(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

// The body of ReadFileBytes/ReadFileText: `Out` is std::string or std::vector<uint8_t>.
template <typename Out>
Expected<Out> ReadBounded(const std::string& path, uint64_t max_bytes, std::string_view what) {
  // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
  Fd f{open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)};
  if (f.fd < 0) {
    return MakeDiag("E0001", ExitCode::kFailure, "cannot open '" + path + "': " + std::strerror(errno),
                    "check that the path exists and is readable");
  }
  struct stat st {};
  if (fstat(f.fd, &st) != 0) return CannotRead(path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) {
    return MakeDiag(kNotARegularFileId, ExitCode::kFailure,
                    "'" + path + "' is " + FileTypeName(st.st_mode) + ", not a regular file; " + std::string(what) +
                        " is read from a regular file, whose size is checked first",
                    S_ISDIR(st.st_mode) ? "pass the file inside the folder"
                                        : "save the data to a regular file and pass that file");
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  if (size > max_bytes) return TooLarge(path, what, std::to_string(size), max_bytes);
  // The size is a hint only (the file may change, /proc files report 0):
  // read in chunks until the end, never past max_bytes + 1.
  Out out;
  out.reserve(static_cast<size_t>(size));
  constexpr size_t kChunk = 1 << 16;
  for (;;) {
    const uint64_t left = max_bytes - out.size();  // out.size() <= max_bytes here
    const size_t want = left >= kChunk ? kChunk : static_cast<size_t>(left) + 1;
    const size_t old = out.size();
    out.resize(old + want);
    ssize_t n = 0;
    do n = read(f.fd, out.data() + old, want);
    while (n < 0 && errno == EINTR);
    if (n < 0) return CannotRead(path, std::strerror(errno));
    out.resize(old + static_cast<size_t>(n));
    if (n == 0) break;
    if (out.size() > max_bytes) return TooLarge(path, what, "more than " + std::to_string(max_bytes), max_bytes);
  }
  return out;
}

}  // namespace

Expected<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes, std::string_view what) {
  return ReadBounded<std::vector<uint8_t>>(path, max_bytes, what);
}

Expected<std::string> ReadFileText(const std::string& path, uint64_t max_bytes, std::string_view what) {
  return ReadBounded<std::string>(path, max_bytes, what);
}

Status WriteFileBytes(const std::string& path, const void* bytes, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) {
    return MakeDiag("E0002", ExitCode::kFailure,
                    "cannot create '" + path + "': " + std::strerror(errno),
                    "check that the directory exists and is writable");
  }
  const size_t n = size == 0 ? 0 : std::fwrite(bytes, 1, size, f);
  const bool failed = std::fclose(f) != 0 || n != size;
  if (failed) {
    return MakeDiag("E0002", ExitCode::kFailure, "cannot write '" + path + "'",
                    "check free disk space and permissions");
  }
  return Status::Ok();
}

}  // namespace ember
