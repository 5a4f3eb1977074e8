#include "micro/project_api/base85.h"

#include <array>
#include <cstdint>

namespace ember::micro {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~";

// Digit value of each ASCII character, -1 when not in the alphabet.
constexpr std::array<int, 256> MakeDecodeTable() {
  std::array<int, 256> t{};
  for (int& v : t) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int>(i);
  return t;
}
constexpr std::array<int, 256> kDecode = MakeDecodeTable();

}  // namespace

std::string B85Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 3) / 4 * 5);
  for (size_t i = 0; i < bytes.size(); i += 4) {
    const size_t k = bytes.size() - i < 4 ? bytes.size() - i : 4;
    uint32_t word = 0;
    for (size_t j = 0; j < 4; ++j) {
      const uint32_t b = j < k ? static_cast<unsigned char>(bytes[i + j]) : 0u;
      word = (word << 8) | b;
    }
    char digits[5];
    for (int j = 4; j >= 0; --j) {
      digits[j] = kAlphabet[word % 85];
      word /= 85;
    }
    out.append(digits, k + 1);  // a full group emits 5 characters, a partial one k + 1
  }
  return out;
}

std::optional<std::string> B85Decode(std::string_view text, std::string* error) {
  std::string out;
  out.reserve(text.size() / 5 * 4 + 4);
  for (size_t i = 0; i < text.size(); i += 5) {
    const size_t k = text.size() - i < 5 ? text.size() - i : 5;
    uint64_t acc = 0;
    for (size_t j = 0; j < 5; ++j) {
      int d = 84;  // '~' pads a partial final group
      if (j < k) {
        d = kDecode[static_cast<unsigned char>(text[i + j])];
        if (d < 0) {
          if (error) *error = "bad base85 character at position " + std::to_string(i + j);
          return std::nullopt;
        }
      }
      acc = acc * 85 + static_cast<uint64_t>(d);
    }
    if (acc > 0xFFFFFFFFull) {
      if (error) *error = "base85 overflow in hunk starting at byte " + std::to_string(i);
      return std::nullopt;
    }
    const size_t keep = k == 5 ? 4 : (k == 0 ? 0 : k - 1);
    for (size_t j = 0; j < keep; ++j) out.push_back(static_cast<char>((acc >> (24 - 8 * j)) & 0xFF));
  }
  return out;
}

}  // namespace ember::micro
