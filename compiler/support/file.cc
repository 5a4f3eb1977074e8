#include "support/file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace ember {

Expected<std::vector<uint8_t>> ReadFileBytes(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return MakeDiag("E0001", ExitCode::kFailure,
                    "cannot open '" + path + "': " + std::strerror(errno),
                    "check that the path exists and is readable");
  }
  std::vector<uint8_t> out;
  uint8_t buf[65536];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.insert(out.end(), buf, buf + n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) {
    return MakeDiag("E0001", ExitCode::kFailure, "cannot read '" + path + "'",
                    "check that the path is a regular, readable file");
  }
  return out;
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
