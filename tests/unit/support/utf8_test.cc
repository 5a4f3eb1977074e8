// UTF-8 checks and the escape of names that are not UTF-8.
#include "support/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>


namespace ember {
namespace {

// Undoes EscapeInvalidUtf8 for an escaped name: "\\" -> '\', "\xNN" -> byte.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\') {
      out += s[i];
    } else if (s[i + 1] == '\\') {
      out += '\\';
      ++i;
    } else {
      out += static_cast<char>(std::stoi(s.substr(i + 2, 2), nullptr, 16));
      i += 3;
    }
  }
  return out;
}

TEST(Utf8, AcceptsWellFormedText) {
  for (const std::string& s : std::vector<std::string>{"", "serving_default_input:0", "caf\xc3\xa9", "\xe2\x82\xac",
                                                     "\xf0\x9f\x99\x82", std::string("a\0b", 3), "\xed\x9f\xbf",
                                                     "\xf4\x8f\xbf\xbf"}) {
    EXPECT_TRUE(IsValidUtf8(s)) << s;
    EXPECT_EQ(EscapeInvalidUtf8(s), s) << "valid names stay as they are";
  }
}

TEST(Utf8, RejectsIllFormedText) {
  for (const std::string s : {"\xff", "a\x80", "\xc0\xaf", "\xc3", "\xe2\x82", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                              "\xf5\x80\x80\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80"}) {
    EXPECT_FALSE(IsValidUtf8(s)) << s;
  }
}

TEST(Utf8, EscapesOnlyTheBadBytesAndIsReversible) {
  EXPECT_EQ(EscapeInvalidUtf8("a\xff" "b"), "a\\xffb");
  EXPECT_EQ(EscapeInvalidUtf8("caf\xc3\xa9\xe9"), "caf\xc3\xa9\\xe9");  // the good sequence is kept
  EXPECT_EQ(EscapeInvalidUtf8("x\\y\xfe"), "x\\\\y\\xfe");               // backslashes doubled
  for (const std::string s : {"a\xff" "b", "\\xff\xff", "\xc3", "t\xe2\x82" "1", "\x80\x80\\\\"}) {
    const std::string e = EscapeInvalidUtf8(s);
    EXPECT_TRUE(IsValidUtf8(e)) << e;
    EXPECT_EQ(Unescape(e), s) << e;
  }
  EXPECT_NE(EscapeInvalidUtf8("\xff"), EscapeInvalidUtf8("\xfe"));  // names stay distinct
}

}  // namespace
}  // namespace ember
