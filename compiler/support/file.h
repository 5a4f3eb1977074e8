// Whole-file reading and writing with diagnostics instead of exceptions.
//
// Every read is bounded: the caller says how large a file of its kind may be
// (docs/input-limits.md lists the limits), the size is checked before any byte is
// read, and no more than the limit (plus one byte) is ever read or allocated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "support/status.h"

namespace ember {

// Diagnostic ids of ReadFileBytes/ReadFileText besides E0001 (cannot open or
// read): the file is larger than the limit; the path is not a regular file.
inline constexpr const char* kFileTooLargeId = "E0020";
inline constexpr const char* kNotARegularFileId = "E0021";

// Limits for kinds of files that several libraries read.
inline constexpr uint64_t kMaxJsonFileBytes = uint64_t{8} << 20;   // metadata.json, saved options
inline constexpr uint64_t kMaxTextFileBytes = uint64_t{64} << 20;  // template sources, build logs

// Reads the whole regular file at `path`. `what` names the kind of file in
// messages ("a TFLite model"). Fails with
//   E0001 if it cannot be opened or read,
//   E0021 if it is a folder, a device, a FIFO or a socket (no size to check;
//         reading /dev/zero would never end), without waiting for a writer,
//   E0020 "too large (N bytes, the limit is M)" if it holds more than
//         `max_bytes`: checked with fstat before reading, and again while
//         reading (at most max_bytes + 1 bytes are read).
Expected<std::vector<uint8_t>> ReadFileBytes(const std::string& path, uint64_t max_bytes, std::string_view what);
// The same, as text.
Expected<std::string> ReadFileText(const std::string& path, uint64_t max_bytes, std::string_view what);

// Writes `bytes` to `path`, replacing it. Fails with E0002.
Status WriteFileBytes(const std::string& path, const void* bytes, size_t size);

}  // namespace ember
