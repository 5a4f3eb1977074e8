// Whole-file reading and writing with diagnostics instead of exceptions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "support/status.h"

namespace ember {

// Reads the whole file at `path`. Fails with E0001 if it cannot be opened or read.
Expected<std::vector<uint8_t>> ReadFileBytes(const std::string& path);

// Writes `bytes` to `path`, replacing it. Fails with E0002.
Status WriteFileBytes(const std::string& path, const void* bytes, size_t size);

}  // namespace ember
