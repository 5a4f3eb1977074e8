// Reading Model Library Format exports back (tar and folder), and rejecting
// what is not one.
#include "package/mlf_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

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

// Writes a tar with the given (name, contents) regular files.
void WriteRawTar(const std::string& path, const std::vector<std::pair<std::string, std::string>>& files) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& [name, data] : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
    ASSERT_EQ(archive_write_data(a, data.data(), data.size()), static_cast<la_ssize_t>(data.size()));
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST(MlfReader, RoundTripThroughTarAndFolder) {
  const std::string dir = test::TempDir();
  const codegen::c::GeneratedModel m = MakeModel("kws");
  const MlfOptions o = Opts();
  ASSERT_TRUE(ExportModelLibraryFormat(m, dir + "/kws.tar", o).ok());
  ASSERT_TRUE(ExportModelLibraryFormat(m, dir + "/kws", o).ok());
  auto from_tar = ReadModelLibraryFormat(dir + "/kws.tar");
  auto from_dir = ReadModelLibraryFormat(dir + "/kws");
  ASSERT_TRUE(from_tar.ok()) << from_tar.diag().ToString();
  ASSERT_TRUE(from_dir.ok()) << from_dir.diag().ToString();
  for (const MlfContents* c : {&*from_tar, &*from_dir}) {
    EXPECT_EQ(c->module_name, "kws");
    EXPECT_EQ(c->metadata["version"], 7);
    EXPECT_EQ(c->metadata["modules"]["kws"]["arena_bytes"], 32);
    ASSERT_NE(c->Find("codegen/host/src/kws_lib0.c"), nullptr);
    EXPECT_EQ(*c->Find("codegen/host/src/kws_lib0.c"), m.sources[0].second);
    EXPECT_EQ(*c->Find("codegen/host/src/kws_lib1.c"), m.sources[1].second);
    EXPECT_EQ(*c->Find("codegen/host/include/tvmgen_kws.h"), m.header);
    EXPECT_EQ(*c->Find("src/kws.relay"), m.ir_text);
    EXPECT_EQ(c->Find("codegen/host/src/kws_lib2.c"), nullptr);
    EXPECT_EQ(c->files.size(), 12u);  // 8 model files + 4 of the fake runtime
  }
  EXPECT_EQ(from_tar->paths, from_dir->paths);
  EXPECT_EQ(from_tar->files, from_dir->files);
  ASSERT_GE(from_tar->paths.size(), 3u);
  EXPECT_EQ(from_tar->paths[0], "CMakeLists.txt");
  EXPECT_EQ(from_tar->paths[1], "codegen/");
  EXPECT_EQ(from_tar->paths[2], "codegen/host/");
}

TEST(MlfReader, MissingOrNotAnArchive) {
  const std::string dir = test::TempDir();
  auto r = ReadModelLibraryFormat(dir + "/absent.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0708");
  EXPECT_NE(r.diag().message.find("absent.tar"), std::string::npos);
  test::WriteText(dir + "/junk.tar", std::string(3000, 'j'));
  r = ReadModelLibraryFormat(dir + "/junk.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0708");
}

TEST(MlfReader, MalformedMetadata) {
  const std::string dir = test::TempDir();
  struct Case {
    std::vector<std::pair<std::string, std::string>> files;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {{{"./src/x.relay", "x"}}, "no metadata.json"},
      {{{"./metadata.json", "{not json"}}, "not a json object"},
      {{{"./metadata.json", R"({"version": 6, "modules": {"a": {}}})"}}, "version"},
      {{{"./metadata.json", R"({"version": 7, "modules": {}})"}}, "modules"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string path = dir + "/case" + std::to_string(i++) + ".tar";
    WriteRawTar(path, c.files);
    auto r = ReadModelLibraryFormat(path);
    ASSERT_FALSE(r.ok()) << c.expect;
    EXPECT_EQ(r.diag().id, "E0709") << c.expect;
    EXPECT_NE(r.diag().message.find(c.expect), std::string::npos) << r.diag().ToString();
  }
}

TEST(MlfReader, RejectsUnsafeMemberPaths) {
  const std::string dir = test::TempDir();
  for (const char* bad : {"../evil.c", "./codegen/../../evil.c", "/etc/evil"}) {
    WriteRawTar(dir + "/bad.tar", {{"./metadata.json", R"({"version": 7, "modules": {"a": {}}})"}, {bad, "x"}});
    auto r = ReadModelLibraryFormat(dir + "/bad.tar");
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.diag().id, "E0709") << bad;
    EXPECT_NE(r.diag().message.find("unsafe"), std::string::npos) << r.diag().ToString();
  }
}

TEST(MlfReader, AcceptsMembersWithoutDotSlashPrefix) {
  const std::string path = test::TempDir() + "/plain.tar";
  WriteRawTar(path, {{"metadata.json", R"({"version": 7, "modules": {"m": {}}})"}, {"src/m.relay", "ir"}});
  auto r = ReadModelLibraryFormat(path);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->module_name, "m");
  ASSERT_NE(r->Find("src/m.relay"), nullptr);
  EXPECT_EQ(*r->Find("src/m.relay"), "ir");
}

TEST(MlfReader, ReadsACompressedTarToo) {
  if (!test::HaveProgram("tar") || !test::HaveProgram("gzip")) GTEST_SKIP() << "tar or gzip is absent";
  const std::string dir = test::TempDir();
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel("ad"), dir + "/ad", Opts()).ok());
  ASSERT_EQ(test::RunCommand("tar czf '" + dir + "/ad.tar.gz' -C '" + dir + "/ad' .").exit_code, 0);
  auto r = ReadModelLibraryFormat(dir + "/ad.tar.gz");
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->module_name, "ad");
  ASSERT_NE(r->Find("codegen/host/src/ad_lib1.c"), nullptr);
  EXPECT_EQ(*r->Find("codegen/host/src/ad_lib1.c"), MakeModel("ad").sources[1].second);
}

}  // namespace
}  // namespace ember::package
