// Helpers shared by the fuzz targets.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ember::fuzz {

// Reports a violated property and aborts: libFuzzer keeps the input as a crash.
[[noreturn]] inline void Fail(const std::string& what) {
  std::fprintf(stderr, "fuzz target check failed: %s\n", what.c_str());
  std::abort();
}

// A link write callback (ember_write_fn) that appends to a std::vector<uint8_t>.
inline size_t AppendBytes(void* ctx, const uint8_t* data, size_t n) {
  auto* out = static_cast<std::vector<uint8_t>*>(ctx);
  out->insert(out->end(), data, data + n);
  return n;
}

// One record of the inputs of the session and RPC targets: [tag][len: one
// byte, or two (little-endian) when tag & `wide_flag`][len bytes, cut short at
// the end of the input].
struct Record {
  uint8_t tag = 0;
  size_t len = 0;  // as written (the control records of rpc_server use it as a value)
  const uint8_t* bytes = nullptr;
  size_t n = 0;  // bytes actually present
};

// Reads the record at data[*at] and moves *at past it.
inline Record NextRecord(const uint8_t* data, size_t size, size_t* at, uint8_t wide_flag = 0) {
  Record r;
  size_t i = *at;
  r.tag = data[i++];
  if (i < size) r.len = data[i++];
  if ((r.tag & wide_flag) != 0 && i < size) r.len |= static_cast<size_t>(data[i++]) << 8;
  r.bytes = data + i;
  r.n = r.len < size - i ? r.len : size - i;
  *at = i + r.n;
  return r;
}

}  // namespace ember::fuzz
