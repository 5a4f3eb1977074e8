// JSON text in and out: DumpJson never throws on strings that are not UTF-8;
// ParseJsonText refuses nesting that would overflow the stack later.
#include "support/json_text.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace ember {
namespace {

TEST(DumpJson, WritesStringsAndKeysThatAreNotUtf8Escaped) {
  nlohmann::json j = {{"name", "in\xff"}, {"list", {"ok", "\xc3"}}, {"k\xfe", 1}};
  EXPECT_THROW((void)j.dump(), nlohmann::json::type_error);  // what DumpJson avoids
  const std::string text = DumpJson(j, 2);
  const nlohmann::json back = nlohmann::json::parse(text);
  EXPECT_EQ(back["name"], "in\\xff");
  EXPECT_EQ(back["list"][1], "\\xc3");
  EXPECT_EQ(back["k\\xfe"], 1);
  nlohmann::ordered_json o = {{"name", "x\xff"}};
  EXPECT_EQ(DumpJson(o), R"({"name":"x\\xff"})");
}

TEST(DumpJson, LeavesValidJsonAsDumpWritesIt) {
  const nlohmann::json j = {{"b", {1, 2.5, "caf\xc3\xa9"}}, {"a", nullptr}};
  EXPECT_EQ(DumpJson(j, 2), j.dump(2));
  EXPECT_EQ(DumpJson(j), j.dump());
}

TEST(ParseJsonText, RefusesDeepNestingAndMalformedText) {
  const std::string deep = std::string(1000000, '[') + std::string(1000000, ']');
  EXPECT_FALSE(JsonNestingWithin(deep, kMaxJsonDepth));
  EXPECT_TRUE(ParseJsonText<nlohmann::json>(deep).is_discarded());
  const std::string ok = std::string(kMaxJsonDepth, '[') + std::string(kMaxJsonDepth, ']');
  EXPECT_FALSE(ParseJsonText<nlohmann::json>(ok).is_discarded());
  EXPECT_TRUE(ParseJsonText<nlohmann::json>("[" + ok + "]").is_discarded());
  // Brackets inside strings do not count; escaped quotes do not end a string.
  EXPECT_TRUE(JsonNestingWithin(R"(["[[[[", "\"[[[[", {"k": "}}}{{{{"}])", 2));
  EXPECT_FALSE(JsonNestingWithin(R"([[["x"]]])", 2));
  EXPECT_TRUE(ParseJsonText<nlohmann::ordered_json>("{not json").is_discarded());
  EXPECT_TRUE(ParseJsonText<nlohmann::json>("\"in\xff\"").is_discarded());  // not UTF-8
  EXPECT_EQ(ParseJsonText<nlohmann::json>(R"({"a": [1]})")["a"][0], 1);
}

TEST(DescribeJson, NamesTheTypeAndShowsShortScalars) {
  using J = nlohmann::json;
  EXPECT_EQ(DescribeJson(J(5)), "a number (5)");
  EXPECT_EQ(DescribeJson(J(7.0)), "a number (7.0)");
  EXPECT_EQ(DescribeJson(J("7")), "a string (\"7\")");
  EXPECT_EQ(DescribeJson(J(true)), "a boolean (true)");
  EXPECT_EQ(DescribeJson(J(nullptr)), "null");
  EXPECT_EQ(DescribeJson(J::array({1})), "a list");
  EXPECT_EQ(DescribeJson(J::object()), "an object");
  EXPECT_EQ(DescribeJson(J(std::string(100, 'x'))), "a string");
  EXPECT_EQ(DescribeJson(J("\xff")), "a string (\"\\\\xff\")");  // written as JSON text
}

}  // namespace
}  // namespace ember
