// Helpers for the framing and session tests: byte strings from hex, a write
// callback that records, and feeding a receiver the way a transport would.
#ifndef EMBER_TESTS_UNIT_RUNTIME_LINK_TEST_UTIL_H_
#define EMBER_TESTS_UNIT_RUNTIME_LINK_TEST_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "ember/error_codes.h"

namespace ember::testing {

using Bytes = std::vector<uint8_t>;

// "ff fd 03" -> {0xff, 0xfd, 0x03}; spaces are ignored.
inline Bytes Hex(const std::string& text) {
  Bytes out;
  std::string digits;
  for (char c : text) {
    if (c != ' ') digits.push_back(c);
  }
  for (size_t i = 0; i + 1 < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline Bytes Text(const std::string& text) { return Bytes(text.begin(), text.end()); }

inline Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// A link end that records everything written to it. `max_per_call` limits
// how much one call accepts (0 = everything); `fail` makes calls write 0.
struct Wire {
  Bytes data;
  size_t max_per_call = 0;
  bool fail = false;
  bool overclaim = false;

  static size_t Write(void* ctx, const uint8_t* bytes, size_t n) {
    Wire* w = static_cast<Wire*>(ctx);
    if (w->fail) return 0;
    if (w->overclaim) return n + 1;
    size_t take = (w->max_per_call != 0 && n > w->max_per_call) ? w->max_per_call : n;
    w->data.insert(w->data.end(), bytes, bytes + take);
    return take;
  }
  Bytes Take() {
    Bytes out;
    out.swap(data);
    return out;
  }
};

// Feeds `bytes` to `write(data, n, &consumed)` until all are consumed, one
// call per error, and returns the errors in order. With `one_at_a_time`,
// every call gets a single byte.
template <typename WriteFn>
std::vector<ember_error_t> Feed(WriteFn write, const Bytes& bytes, bool one_at_a_time = false) {
  std::vector<ember_error_t> errors;
  size_t pos = 0;
  while (pos < bytes.size()) {
    size_t n = one_at_a_time ? 1 : bytes.size() - pos;
    size_t consumed = 0;
    ember_error_t err = write(bytes.data() + pos, n, &consumed);
    if (consumed == 0 || consumed > n) {
      errors.push_back(-1);  // a receiver must always make progress
      break;
    }
    pos += consumed;
    if (err != kEmberErrorNoError) errors.push_back(err);
  }
  return errors;
}

}  // namespace ember::testing

#endif  // EMBER_TESTS_UNIT_RUNTIME_LINK_TEST_UTIL_H_
