// Base85 vectors: expected texts are Python's base64.b85encode results,
// worked by hand from the alphabet (each 4-byte big-endian group in base 85).
#include "micro/project_api/base85.h"

#include <gtest/gtest.h>

#include <string>

namespace ember::micro {
namespace {

using namespace std::string_literals;

TEST(Base85, EncodesPythonVectors) {
  EXPECT_EQ(B85Encode(""), "");
  EXPECT_EQ(B85Encode("hello"), "Xk~0{Zv");
  EXPECT_EQ(B85Encode("\xff\xfd"), "|NQ");
  EXPECT_EQ(B85Encode("\x13\xcd"), "6U_");
  EXPECT_EQ(B85Encode("foo\x1b"), "W^ZpB");
  EXPECT_EQ(B85Encode("\0"s), "00");
  EXPECT_EQ(B85Encode("\0\0\0\0"s), "00000");
  EXPECT_EQ(B85Encode("\xff\xff\xff\xff"), "|NsC0");  // 2^32-1 = 82*85^4+23*85^3+54*85^2+12*85+0
  EXPECT_EQ(B85Encode("abcdefgh1"), "VPa!sWoBn+F#");
}

TEST(Base85, DecodesPythonVectors) {
  EXPECT_EQ(B85Decode("Xk~0{Zv"), "hello");
  EXPECT_EQ(B85Decode("|NQ"), "\xff\xfd");
  EXPECT_EQ(B85Decode("6U_"), "\x13\xcd");
  EXPECT_EQ(B85Decode("W^ZpB"), "foo\x1b");
  EXPECT_EQ(B85Decode("00"), "\0"s);
  EXPECT_EQ(B85Decode("|NsC0"), "\xff\xff\xff\xff");
  EXPECT_EQ(B85Decode(""), "");
  EXPECT_EQ(B85Decode("0"), "");  // a lone final digit carries no byte (as in Python)
}

TEST(Base85, RoundTripsEveryByteValueAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (size_t len = 0; len <= 9; ++len) {
    const std::string part = all.substr(250 - len, len);
    EXPECT_EQ(B85Encode(part).size(), (len * 5 + 3) / 4) << len;
    EXPECT_EQ(B85Decode(B85Encode(part)), part) << len;
  }
  EXPECT_EQ(B85Decode(B85Encode(all)), all);
}

TEST(Base85, RejectsBadCharacterAndOverflow) {
  std::string error;
  EXPECT_FALSE(B85Decode("ab\"d", &error).has_value());
  EXPECT_EQ(error, "bad base85 character at position 2");
  EXPECT_FALSE(B85Decode("00000|NsC1", &error).has_value());  // 2^32 in the second group
  EXPECT_EQ(error, "base85 overflow in hunk starting at byte 5");
}

}  // namespace
}  // namespace ember::micro
