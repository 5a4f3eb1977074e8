// CheckProjectOptions: what the client and ember's template servers accept.
#include "micro/project/options.h"

#include <gtest/gtest.h>

namespace ember::micro {
namespace {

std::vector<ProjectOption> Declared() {
  ProjectOption board{"board", std::vector<Json>{"mps2-an385", "mps2-an386"}, nullptr, "str",
                      std::vector<std::string>{"generate_project"}, std::nullopt, "the board"};
  ProjectOption verbose{"verbose", std::nullopt, false, "bool", std::nullopt,
                        std::vector<std::string>{"build"}, "talk more"};
  ProjectOption size{"workspace_size_bytes", std::nullopt, 4096, "int", std::nullopt,
                     std::vector<std::string>{"generate_project"}, "bytes"};
  return {board, verbose, size};
}

std::string ErrorOf(const Json& given, const std::string& method) {
  try {
    CheckProjectOptions(Declared(), given, method);
  } catch (const ProjectOptionError& e) {
    return e.what();
  }
  return "";
}

TEST(ProjectOptions, StringsConvertToTheDeclaredTypeAndDefaultsFillIn) {
  const Json out = CheckProjectOptions(Declared(), {{"board", "mps2-an386"}, {"verbose", "true"}}, "generate_project");
  EXPECT_EQ(out, Json({{"board", "mps2-an386"}, {"verbose", true}, {"workspace_size_bytes", 4096}}));
  const Json more = CheckProjectOptions(Declared(), {{"workspace_size_bytes", "0x100"}, {"verbose", "0"}}, "build");
  EXPECT_EQ(more["workspace_size_bytes"], 256);
  EXPECT_EQ(more["verbose"], false);
  EXPECT_TRUE(more["board"].is_null());
}

TEST(ProjectOptions, NullMeansNotGiven) {
  const Json out = CheckProjectOptions(Declared(), {{"verbose", nullptr}}, "build");
  EXPECT_EQ(out["verbose"], false);
}

TEST(ProjectOptions, ErrorsListWhatIsValid) {
  EXPECT_EQ(ErrorOf({{"colour", "red"}}, "build"),
            "unknown project option 'colour'; valid options: board, verbose, workspace_size_bytes");
  EXPECT_EQ(ErrorOf({{"board", "mps3-an547"}}, "build"),
            "project option 'board' is 'mps3-an547'; choose one of: mps2-an385, mps2-an386");
  EXPECT_EQ(ErrorOf(Json::object(), "generate_project"),
            "project option 'board' is required for generate_project; choose one of: mps2-an385, mps2-an386 "
            "(the board)");
  EXPECT_EQ(ErrorOf({{"verbose", "perhaps"}}, "build"), "project option 'verbose' must be a bool (true or false); got 'perhaps'");
  EXPECT_EQ(ErrorOf({{"workspace_size_bytes", "12kB"}}, "build"),
            "project option 'workspace_size_bytes' must be an integer; got '12kB'");
  EXPECT_EQ(ErrorOf(Json::array(), "build"), "project options must be an object of name: value; got []");
  // Not required for build: no error without a board.
  EXPECT_EQ(ErrorOf(Json::object(), "build"), "");
}

TEST(ProjectOptions, DescribeShowsChoicesRequirementsAndDefaults) {
  const std::string text = DescribeProjectOptions(Declared());
  EXPECT_NE(text.find("  board={mps2-an385, mps2-an386} (required for generate_project)\n      the board\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("  verbose={true, false}\n      talk more Default: false.\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  workspace_size_bytes=WORKSPACE_SIZE_BYTES\n      bytes Default: 4096.\n"), std::string::npos)
      << text;
}

}  // namespace
}  // namespace ember::micro

namespace ember::micro {
namespace {

// compile_definitions: NAME or NAME=VALUE items (split at the first '='),
// quoted for CMake; anything that CMake or make would interpret is refused.
TEST(CompileDefinitions, ItemsAreSplitCheckedAndQuoted) {
  const auto items = ParseCompileDefinitions("  A=1\tB  GREETING=\"hi\" EQ=a=b ");
  ASSERT_TRUE(items.ok()) << items.diag().ToString();
  EXPECT_EQ(*items, (std::vector<std::string>{"A=1", "B", "GREETING=\"hi\"", "EQ=a=b"}));
  EXPECT_EQ(CMakeQuotedArguments(*items), "\"A=1\" \"B\" \"GREETING=\\\"hi\\\"\" \"EQ=a=b\"");
  EXPECT_EQ(CMakeQuotedArguments(*ParseCompileDefinitions("")), "");
  for (const std::string bad : {"1A", "A-B", "=1", "A=x;y", "A=$(shell id)", "A=${X}", "A=#", "A=[x]", "A=\\",
                                "X\")\nexecute_process(COMMAND id)", "A=\x7f", "A=\xc3\xa9", "A\n"}) {
    const auto r = ParseCompileDefinitions(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.diag().id, "E0905");
    EXPECT_EQ(r.diag().exit, ExitCode::kUsage);
    EXPECT_EQ(r.diag().message.find('\n'), std::string::npos) << "control characters are shown escaped";
  }
}

}  // namespace
}  // namespace ember::micro
