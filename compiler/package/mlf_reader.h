// Reading a Model Library Format export back: a tar archive or a folder.
// `ember run` uses it to get the generated sources and the I/O description.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/status.h"

namespace ember::package {

struct MlfContents {
  nlohmann::json metadata;   // metadata.json, parsed
  std::string module_name;   // the first key of metadata["modules"]
  // metadata["modules"][module_name]["target"]: the target strings the model
  // was compiled for ("c -keys=cpu -model=host"); empty when absent.
  std::vector<std::string> target;
  // Every member path without the "./" prefix, folders with a trailing '/',
  // in archive order (a folder before its contents, names in byte order).
  std::vector<std::string> paths;
  std::map<std::string, std::string> files;  // regular files by path (no "./")

  // The contents of file `path` ("codegen/host/src/default_lib0.c"), or nullptr.
  const std::string* Find(const std::string& path) const;
};

// Limits against absurd inputs, checked before a member is read: bytes of
// one member, of all members (also those skipped), and the number of members.
inline constexpr uint64_t kMlfMaxMemberBytes = uint64_t{256} << 20;
inline constexpr uint64_t kMlfMaxTotalBytes = uint64_t{1} << 30;
inline constexpr uint64_t kMlfMaxMembers = 100000;

// Reads an MLF tar (any tar format libarchive knows, optionally compressed
// with gzip, bzip2, xz/lzma, zstd or lz4, decompressed in process: no
// external decompressor is ever run) or folder. Fails with E0708 if `path` cannot be opened or read as either,
// E0709 if a member path is unsafe (absolute or with ".."), a size limit is
// exceeded (metadata.json: kMaxJsonFileBytes), or metadata.json is missing,
// not JSON, not version 7 or has no module; E0710 if a field ember reads
// (version, modules, each module, its target) has the wrong JSON type; E0506
// if the model name is not a C name or is reserved (codegen/c/module_name.h).
Expected<MlfContents> ReadModelLibraryFormat(const std::string& path);

// The same for a tar archive held in memory (`size` bytes at `data`);
// `source` names it in diagnostics.
Expected<MlfContents> ReadModelLibraryFormatFromMemory(const void* data, size_t size, const std::string& source);

}  // namespace ember::package
