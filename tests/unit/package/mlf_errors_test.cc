// Model Library Format export failures: each is a diagnostic with a stable id
// (docs/mlf.md), the throwing API raises UnsupportedInModelLibraryFormatError,
// and nothing is left at the output path.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "package/mlf.h"
#include "unit/package/package_test_util.h"

namespace ember::package {
namespace {

namespace fs = std::filesystem;
using test::MakeModel;

MlfOptions Opts() {
  MlfOptions o;
  o.runtime_dir = test::MakeFakeRuntimeDir();
  o.epoch = 0;
  return o;
}

TEST(MlfErrors, BadModuleName) {
  const std::string out = test::TempDir() + "/m.tar";
  for (const char* name : {"bad-name", "", "a b", "caf\xc3\xa9"}) {
    codegen::c::GeneratedModel m = MakeModel();
    m.module_name = name;
    const Status st = ExportModelLibraryFormat(m, out, Opts());
    ASSERT_FALSE(st.ok()) << name;
    EXPECT_EQ(st.diag().id, "E0701") << name;
    EXPECT_EQ(st.diag().exit, ExitCode::kUsage);
    EXPECT_NE(st.diag().message.find(std::string("'") + name + "'"), std::string::npos) << st.ToString();
    EXPECT_FALSE(st.diag().hint.empty());
  }
  EXPECT_FALSE(fs::exists(out));
}

TEST(MlfErrors, ThrowingApiRaisesUnsupportedInModelLibraryFormatError) {
  codegen::c::GeneratedModel m = MakeModel();
  m.module_name = "no.dots";
  try {
    ExportModelLibraryFormatOrThrow(m, test::TempDir() + "/m.tar", Opts());
    FAIL() << "no exception";
  } catch (const UnsupportedInModelLibraryFormatError& e) {
    EXPECT_EQ(e.diag().id, "E0701");
    EXPECT_NE(std::string(e.what()).find("error[E0701]"), std::string::npos) << e.what();
  }
  const std::string ok = test::TempDir() + "/ok.tar";
  EXPECT_NO_THROW(ExportModelLibraryFormatOrThrow(MakeModel(), ok, Opts()));
  EXPECT_TRUE(fs::is_regular_file(ok));
}

TEST(MlfErrors, DuplicateOrInvalidIoCNames) {
  const std::string out = test::TempDir() + "/m";
  codegen::c::GeneratedModel dup = MakeModel();
  dup.outputs[0].c_name = "input_1";
  Status st = ExportModelLibraryFormat(dup, out, Opts());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().id, "E0702");
  EXPECT_EQ(st.diag().exit, ExitCode::kUnsupported);
  EXPECT_NE(st.diag().message.find("'Identity'"), std::string::npos) << st.ToString();

  codegen::c::GeneratedModel bad = MakeModel();
  bad.inputs[0].c_name = "1x";
  st = ExportModelLibraryFormat(bad, out, Opts());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().id, "E0702");
  EXPECT_FALSE(fs::exists(out));
}

TEST(MlfErrors, UnwritablePaths) {
  const std::string dir = test::TempDir();
  test::WriteText(dir + "/file", "x");
  // A path below a regular file, for a tar and for a folder.
  for (const std::string& out : {dir + "/file/m.tar", dir + "/file/m"}) {
    const Status st = ExportModelLibraryFormat(MakeModel(), out, Opts());
    ASSERT_FALSE(st.ok()) << out;
    EXPECT_EQ(st.diag().id, "E0703") << st.ToString();
    EXPECT_NE(st.diag().message.find(out), std::string::npos) << st.ToString();
  }
  // A folder output onto an existing file, and a tar onto an existing folder.
  Status st = ExportModelLibraryFormat(MakeModel(), dir + "/file", Opts());
  EXPECT_EQ(st.diag().id, "E0703");
  EXPECT_EQ(test::ReadText(dir + "/file"), "x");
  fs::create_directories(dir + "/d.tar");
  st = ExportModelLibraryFormat(MakeModel(), dir + "/d.tar", Opts());
  EXPECT_EQ(st.diag().id, "E0703");
  // A non-empty folder that is not an earlier export of ember's (its
  // marker; a metadata.json is not enough) is never overwritten.
  test::WriteText(dir + "/mine/notes.txt", "keep");
  test::WriteText(dir + "/mine/metadata.json", "{\"version\": 7}");
  st = ExportModelLibraryFormat(MakeModel(), dir + "/mine", Opts());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().id, "E0007");
  EXPECT_EQ(st.diag().exit, ExitCode::kUsage);
  EXPECT_NE(st.diag().message.find("ember did not create it"), std::string::npos) << st.ToString();
  EXPECT_EQ(test::ReadText(dir + "/mine/notes.txt"), "keep");
  EXPECT_EQ(test::ReadText(dir + "/mine/metadata.json"), "{\"version\": 7}");
  // A folder holding the model is refused even when it is ember's.
  MlfOptions with_input = Opts();
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), dir + "/out", with_input).ok());
  test::WriteText(dir + "/out/model.tflite", "model");
  with_input.inputs = {dir + "/out/model.tflite"};
  st = ExportModelLibraryFormat(MakeModel(), dir + "/out", with_input);
  EXPECT_EQ(st.diag().id, "E0006");
  EXPECT_EQ(test::ReadText(dir + "/out/model.tflite"), "model");
}

TEST(MlfErrors, MissingRuntimeSources) {
  MlfOptions o = Opts();
  o.runtime_dir = test::TempDir() + "/nowhere";
  const std::string out = test::TempDir() + "/m.tar";
  const Status st = ExportModelLibraryFormat(MakeModel(), out, o);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().id, "E0704");
  EXPECT_NE(st.diag().message.find("/nowhere"), std::string::npos) << st.ToString();
  EXPECT_FALSE(fs::exists(out));
}

TEST(MlfErrors, MalformedSourceDateEpoch) {
  const char* old = std::getenv("SOURCE_DATE_EPOCH");
  const std::string saved = old ? old : "";
  MlfOptions o = Opts();
  o.epoch = -1;  // take it from the environment
  for (const char* v : {"abc", "-5", "12x", "99999999999999999999"}) {
    setenv("SOURCE_DATE_EPOCH", v, 1);
    const Status st = ExportModelLibraryFormat(MakeModel(), test::TempDir() + "/m.tar", o);
    ASSERT_FALSE(st.ok()) << v;
    EXPECT_EQ(st.diag().id, "E0706") << v;
    EXPECT_EQ(st.diag().exit, ExitCode::kUsage);
  }
  if (old) setenv("SOURCE_DATE_EPOCH", saved.c_str(), 1); else unsetenv("SOURCE_DATE_EPOCH");
}

TEST(MlfErrors, GeneratedFileNamesWithFoldersAreInternalErrors) {
  codegen::c::GeneratedModel m = MakeModel();
  m.sources[0].first = "../escape.c";
  const Status st = ExportModelLibraryFormat(m, test::TempDir() + "/m", Opts());
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().exit, ExitCode::kInternal);
}

}  // namespace
}  // namespace ember::package
