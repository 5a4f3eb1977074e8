// Model Library Format writer: tar layout and mechanics, metadata.json,
// determinism, folder output, the params file. Expected values are written
// out by hand from microTVM's layout (reference/microtvm-facts.md §1).
#include "package/mlf.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "package/runtime_dir.h"
#include "unit/package/package_test_util.h"

namespace ember::package {
namespace {

namespace fs = std::filesystem;
using test::MakeModel;
using test::ReadText;

// Sets or unsets SOURCE_DATE_EPOCH for one scope, restoring the old value.
class ScopedEpochEnv {
 public:
  explicit ScopedEpochEnv(const char* value) {
    if (const char* old = std::getenv("SOURCE_DATE_EPOCH")) old_ = old, had_ = true;
    if (value) setenv("SOURCE_DATE_EPOCH", value, 1); else unsetenv("SOURCE_DATE_EPOCH");
  }
  ~ScopedEpochEnv() {
    if (had_) setenv("SOURCE_DATE_EPOCH", old_.c_str(), 1); else unsetenv("SOURCE_DATE_EPOCH");
  }

 private:
  std::string old_;
  bool had_ = false;
};

MlfOptions FakeRuntimeOptions() {
  MlfOptions o;
  o.runtime_dir = test::MakeFakeRuntimeDir();
  return o;
}

struct TarMember {
  std::string name;
  int type = 0;
  int perm = 0;
  int64_t uid = -1, gid = -1, mtime = -1, size = -1;
  std::string uname, gname;
};

std::vector<TarMember> ListTar(const std::string& path) {
  std::vector<TarMember> out;
  archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  EXPECT_EQ(archive_read_open_filename(a, path.c_str(), 10240), ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    TarMember m;
    m.name = archive_entry_pathname(e);
    m.type = static_cast<int>(archive_entry_filetype(e));
    m.perm = static_cast<int>(archive_entry_perm(e));
    m.uid = archive_entry_uid(e);
    m.gid = archive_entry_gid(e);
    m.mtime = archive_entry_mtime(e);
    m.size = archive_entry_size(e);
    m.uname = archive_entry_uname(e) ? archive_entry_uname(e) : "";
    m.gname = archive_entry_gname(e) ? archive_entry_gname(e) : "";
    out.push_back(m);
  }
  archive_read_free(a);
  return out;
}

const std::vector<std::string> kExpectedMembers = {
    "./",
    "./CMakeLists.txt",
    "./codegen/",
    "./codegen/host/",
    "./codegen/host/include/",
    "./codegen/host/include/tvmgen_default.h",
    "./codegen/host/src/",
    "./codegen/host/src/default_lib0.c",
    "./codegen/host/src/default_lib1.c",
    "./metadata.json",
    "./parameters/",
    "./parameters/default.params",
    "./reports/",
    "./reports/memory.json",
    "./runtime/",
    "./runtime/CMakeLists.txt",
    "./runtime/include/",
    "./runtime/include/ember/",
    "./runtime/include/ember/platform.h",
    "./runtime/include/ember/runtime.h",
    "./runtime/src/",
    "./runtime/src/platform_default.c",
    "./src/",
    "./src/default.relay",
};

TEST(MlfTar, TarTfListsMicroTvmLayoutPlusOurs) {
  if (!test::HaveProgram("tar")) GTEST_SKIP() << "no tar program";
  const std::string out = test::TempDir() + "/model.tar";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, FakeRuntimeOptions()).ok());
  const test::CommandResult r = test::RunCommand("tar tf '" + out + "'");
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::string expected;
  for (const std::string& m : kExpectedMembers) expected += m + "\n";
  EXPECT_EQ(r.output, expected);
}

TEST(MlfTar, MembersOwnedByRootWithFixedModesAndTime) {
  const std::string out = test::TempDir() + "/model.tar";
  MlfOptions o = FakeRuntimeOptions();
  o.epoch = 1234567890;
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, o).ok());
  const std::vector<TarMember> members = ListTar(out);
  ASSERT_EQ(members.size(), kExpectedMembers.size());
  for (size_t i = 0; i < members.size(); ++i) {
    const TarMember& m = members[i];
    const bool dir = kExpectedMembers[i].back() == '/';
    EXPECT_EQ(m.name, kExpectedMembers[i]);
    EXPECT_EQ(m.type, dir ? AE_IFDIR : AE_IFREG) << m.name;
    EXPECT_EQ(m.perm, dir ? 0755 : 0644) << m.name;
    EXPECT_EQ(m.uid, 0) << m.name;
    EXPECT_EQ(m.gid, 0) << m.name;
    EXPECT_EQ(m.uname, "root") << m.name;
    EXPECT_EQ(m.gname, "root") << m.name;
    EXPECT_EQ(m.mtime, 1234567890) << m.name;
  }
  // Plain ustar headers (no pax records for these short names): "./" then the magic.
  const std::vector<uint8_t> bytes = test::ReadFile(out);
  ASSERT_GE(bytes.size(), 512u);
  EXPECT_EQ(std::string(bytes.begin(), bytes.begin() + 3), std::string("./\0", 3));
  EXPECT_EQ(std::string(bytes.begin() + 257, bytes.begin() + 263), std::string("ustar\0", 6));
  EXPECT_EQ(bytes.size() % 10240, 0u);  // padded to whole 20-block records, as tarfile does
}

TEST(MlfTar, ExportTwiceGivesIdenticalBytes) {
  const std::string dir = test::TempDir();
  const MlfOptions o = FakeRuntimeOptions();
  {
    ScopedEpochEnv env(nullptr);
    ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), dir + "/a.tar", o).ok());
    ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), dir + "/b.tar", o).ok());
  }
  {
    ScopedEpochEnv env("1700000000");
    ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), dir + "/c.tar", o).ok());
    ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), dir + "/d.tar", o).ok());
  }
  const auto a = test::ReadFile(dir + "/a.tar");
  const auto c = test::ReadFile(dir + "/c.tar");
  EXPECT_EQ(a, test::ReadFile(dir + "/b.tar"));
  EXPECT_EQ(c, test::ReadFile(dir + "/d.tar"));
  EXPECT_NE(a, c);  // the time stamp is in the archive
  EXPECT_EQ(ListTar(dir + "/a.tar")[0].mtime, kDefaultMlfEpoch);
  EXPECT_EQ(ListTar(dir + "/c.tar")[0].mtime, 1700000000);
  EXPECT_FALSE(fs::exists(dir + "/a.tar.partial"));
}

TEST(MlfMetadata, KeysAndValuesOfVersion7) {
  const std::string out = test::TempDir() + "/mlf";
  MlfOptions o = FakeRuntimeOptions();
  o.epoch = 0;
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, o).ok());
  const std::string text = ReadText(out + "/metadata.json");
  // Two-space indent and sorted keys, as json.dump(indent=2, sort_keys=True).
  EXPECT_EQ(text.rfind("{\n  \"modules\": {\n    \"default\": {\n      \"arena_bytes\": 32,\n", 0), 0u) << text;
  const nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["version"], 7);
  ASSERT_EQ(j["modules"].size(), 1u);
  const nlohmann::json& mod = j["modules"]["default"];
  EXPECT_EQ(mod["model_name"], "default");
  EXPECT_EQ(mod["export_datetime"], "1970-01-01 00:00:00Z");
  EXPECT_EQ(mod["target"], nlohmann::json::array({"c -keys=cpu -model=host"}));
  EXPECT_EQ(mod["executors"], nlohmann::json::array({"aot"}));
  EXPECT_EQ(mod["style"], "full-model");
  const nlohmann::json dep = {{"short_name", "tvm_standalone_crt"}, {"url", "./runtime"},
                              {"url_type", "mlf_path"}, {"version_spec", "0.1.0"}};
  EXPECT_EQ(mod["external_dependencies"], nlohmann::json::array({dep}));
  const nlohmann::json& fns = mod["memory"]["functions"];
  EXPECT_EQ(fns["operator_functions"], nlohmann::json::array());
  ASSERT_EQ(fns["main"].size(), 1u);
  const nlohmann::json main_expected = nlohmann::json::parse(R"({
    "device": 1, "workspace_size_bytes": 32, "constants_size_bytes": 12, "io_size_bytes": 8,
    "inputs": {"input_1": {"size": 4, "dtype": "int8"}},
    "outputs": {"Identity": {"size": 4, "dtype": "int8"}}})");
  EXPECT_EQ(fns["main"][0], main_expected);
  EXPECT_EQ(mod["ram_bytes"], 40);  // arena 32 + input 4 + output 4
  EXPECT_EQ(mod["arena_bytes"], 32);
  EXPECT_EQ(mod["weights_bytes"], 12);
  EXPECT_EQ(mod.size(), 10u);  // the 7 microTVM keys + ember's 3
}

TEST(MlfMetadata, IoInArenaCountsTheArenaOnlyAndTargetNamesTheCpu) {
  const std::string out = test::TempDir() + "/mlf";
  MlfOptions o = FakeRuntimeOptions();
  o.target = "cortex-m4";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel("kws", 1, /*io_in_arena=*/true), out, o).ok());
  const nlohmann::json j = nlohmann::json::parse(ReadText(out + "/metadata.json"));
  const nlohmann::json& mod = j["modules"]["kws"];
  EXPECT_EQ(mod["ram_bytes"], 32);
  EXPECT_EQ(mod["target"][0], "c -keys=arm_cpu,cpu -mcpu=cortex-m4 -model=cortex-m4");
  EXPECT_EQ(mod["export_datetime"], "1980-01-01 00:00:00Z");
}

TEST(MlfMetadata, SourceDateEpochSetsTheExportTime) {
  ScopedEpochEnv env("1700000000");
  const std::string out = test::TempDir() + "/mlf";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, FakeRuntimeOptions()).ok());
  const nlohmann::json j = nlohmann::json::parse(ReadText(out + "/metadata.json"));
  EXPECT_EQ(j["modules"]["default"]["export_datetime"], "2023-11-14 22:13:20Z");
}

TEST(MlfFiles, MemoryReportListsEveryBuffer) {
  const std::string out = test::TempDir() + "/mlf";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, FakeRuntimeOptions()).ok());
  const nlohmann::json r = nlohmann::json::parse(ReadText(out + "/reports/memory.json"));
  EXPECT_EQ(r["arena_bytes"], 32);
  EXPECT_EQ(r["alignment"], 16);
  EXPECT_EQ(r["algorithm"], "greedy-by-size");
  EXPECT_EQ(r["io_in_arena"], false);
  ASSERT_EQ(r["buffers"].size(), 4u);
  EXPECT_EQ(r["buffers"][0], nlohmann::json::parse(R"({"kind": "tensor", "tensor": "t0", "tensor_id": 0,
      "bytes": 4, "first": 0, "last": 0, "in_arena": false, "aliased": false})"));
  EXPECT_EQ(r["buffers"][1], nlohmann::json::parse(R"({"kind": "tensor", "tensor": "t1", "tensor_id": 1,
      "bytes": 16, "offset": 0, "first": 0, "last": 1, "in_arena": true, "aliased": false})"));
  EXPECT_EQ(r["buffers"][3], nlohmann::json::parse(R"({"kind": "scratch", "node": 0,
      "bytes": 16, "offset": 16, "first": 0, "last": 0, "in_arena": true, "aliased": false})"));
  EXPECT_EQ(r["inputs"][0]["c_name"], "input_1");
  EXPECT_EQ(r["inputs"][0]["shape"], nlohmann::json::array({1, 4}));
  EXPECT_EQ(r["outputs"][0]["size_macro"], "TVMGEN_DEFAULT_IDENTITY_SIZE");
}

TEST(MlfFiles, MemoryReportUsesGraphTensorNames) {
  ir::Graph g;
  for (const char* n : {"input", "hidden", "output"}) {
    ir::Tensor t;
    t.name = n;
    g.AddTensor(t);
  }
  MlfOptions o = FakeRuntimeOptions();
  o.graph = &g;
  const std::string out = test::TempDir() + "/mlf";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, o).ok());
  const nlohmann::json r = nlohmann::json::parse(ReadText(out + "/reports/memory.json"));
  EXPECT_EQ(r["buffers"][1]["tensor"], "hidden");
  EXPECT_EQ(r["buffers"][2]["tensor"], "output");
}

TEST(MlfFiles, ParamsFileHoldsAnEmptyList) {
  const std::string out = test::TempDir() + "/mlf";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out, FakeRuntimeOptions()).ok());
  const std::vector<uint8_t> expected = {0xB7, 0x9C, 0x04, 0x05, 0x4F, 0x8D, 0xE5, 0xF7,  // magic, LE
                                         0, 0, 0, 0, 0, 0, 0, 0,                          // reserved
                                         0, 0, 0, 0, 0, 0, 0, 0,                          // 0 names
                                         0, 0, 0, 0, 0, 0, 0, 0};                         // 0 arrays
  EXPECT_EQ(test::ReadFile(out + "/parameters/default.params"), expected);
}

TEST(MlfFolder, SameLayoutAndContentsAsTheArchive) {
  const std::string dir = test::TempDir();
  const MlfOptions o = FakeRuntimeOptions();
  const codegen::c::GeneratedModel m = MakeModel();
  ASSERT_TRUE(ExportModelLibraryFormat(m, dir + "/mlf", o).ok());
  std::vector<std::string> found;
  for (const auto& e : fs::recursive_directory_iterator(dir + "/mlf")) {
    found.push_back("./" + fs::relative(e.path(), dir + "/mlf").generic_string() + (e.is_directory() ? "/" : ""));
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> expected(kExpectedMembers.begin() + 1, kExpectedMembers.end());
  expected.push_back("./.ember-mlf");  // the folder export's marker (docs/safety.md)
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);
  EXPECT_EQ(ReadText(dir + "/mlf/codegen/host/src/default_lib1.c"), m.sources[1].second);
  EXPECT_EQ(ReadText(dir + "/mlf/codegen/host/include/tvmgen_default.h"), m.header);
  EXPECT_EQ(ReadText(dir + "/mlf/src/default.relay"), "graph default {}\n");
  EXPECT_EQ(ReadText(dir + "/mlf/runtime/src/platform_default.c"), "/* weak */\n");
}

TEST(MlfFolder, ReplacesAPreviousExportAndTrailingSlashIsAFolder) {
  const std::string dir = test::TempDir();
  const MlfOptions o = FakeRuntimeOptions();
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), dir + "/mlf/", o).ok());
  test::WriteText(dir + "/mlf/stale.txt", "old\n");
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel("second"), dir + "/mlf", o).ok());
  EXPECT_FALSE(fs::exists(dir + "/mlf/stale.txt"));
  EXPECT_FALSE(fs::exists(dir + "/mlf/src/default.relay"));
  EXPECT_TRUE(fs::exists(dir + "/mlf/src/second.relay"));
  EXPECT_FALSE(fs::exists(dir + "/mlf.partial"));
}

TEST(MlfFiles, CMakeListsDefinesTheModelLibrary) {
  const std::string out = test::TempDir() + "/mlf";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel("kws"), out, FakeRuntimeOptions()).ok());
  const std::string cm = ReadText(out + "/CMakeLists.txt");
  EXPECT_NE(cm.find("add_library(kws STATIC\n  ${CMAKE_CURRENT_LIST_DIR}/codegen/host/src/kws_lib0.c\n"
                    "  ${CMAKE_CURRENT_LIST_DIR}/codegen/host/src/kws_lib1.c\n)"),
            std::string::npos)
      << cm;
  EXPECT_NE(cm.find("${CMAKE_CURRENT_LIST_DIR}/codegen/host/include"), std::string::npos);
  EXPECT_NE(cm.find("${CMAKE_CURRENT_LIST_DIR}/runtime/include"), std::string::npos);
  EXPECT_NE(cm.find("C_STANDARD 99"), std::string::npos);
}

TEST(MlfRuntime, DefaultCopiesTheProjectRuntime) {
  const std::string out = test::TempDir() + "/mlf";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel(), out).ok());
  const std::string src = std::string(EMBER_SOURCE_DIR) + "/runtime/";
  for (const char* f : {"CMakeLists.txt", "include/ember/runtime.h", "include/ember/platform.h",
                        "include/ember/error_codes.h", "include/ember/kernel_math.h",
                        "include/ember/fixed_point.h", "include/ember/dsp.h",
                        "include/ember/mve.h", "src/platform_default.c",
                        "src/error_codes.c"}) {
    ASSERT_TRUE(fs::exists(out + "/runtime/" + f)) << f;
    EXPECT_EQ(ReadText(out + "/runtime/" + f), ReadText(src + f)) << f;
  }
}

TEST(MlfRuntime, StandaloneCrtDirIsTheSourceTreeUnlessOverridden) {
  const char* old = std::getenv("EMBER_RUNTIME_DIR");
  const std::string saved = old ? old : "";
  unsetenv("EMBER_RUNTIME_DIR");
  EXPECT_EQ(fs::canonical(GetStandaloneCrtDir()), fs::canonical(std::string(EMBER_SOURCE_DIR) + "/runtime"));
  setenv("EMBER_RUNTIME_DIR", "/opt/ember-runtime", 1);
  EXPECT_EQ(GetStandaloneCrtDir(), "/opt/ember-runtime");
  if (old) setenv("EMBER_RUNTIME_DIR", saved.c_str(), 1); else unsetenv("EMBER_RUNTIME_DIR");
}

}  // namespace
}  // namespace ember::package
