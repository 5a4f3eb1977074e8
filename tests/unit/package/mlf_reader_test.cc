// Reading Model Library Format exports back (tar and folder), and rejecting
// what is not one.
#include "package/mlf_reader.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

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

TEST(MlfReader, FromMemoryReadsTheSameAsTheFile) {
  const std::string dir = test::TempDir();
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel("kws"), dir + "/kws.tar", Opts()).ok());
  auto from_file = ReadModelLibraryFormat(dir + "/kws.tar");
  ASSERT_TRUE(from_file.ok()) << from_file.diag().ToString();
  std::ifstream in(dir + "/kws.tar", std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto from_memory = ReadModelLibraryFormatFromMemory(bytes.data(), bytes.size(), "kws.tar");
  ASSERT_TRUE(from_memory.ok()) << from_memory.diag().ToString();
  EXPECT_EQ(from_memory->paths, from_file->paths);
  EXPECT_EQ(from_memory->files, from_file->files);
  EXPECT_EQ(from_memory->module_name, "kws");

  auto junk = ReadModelLibraryFormatFromMemory("not a tar", 9, "junk.tar");
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.diag().id, "E0708");
  EXPECT_NE(junk.diag().message.find("junk.tar"), std::string::npos) << junk.diag().message;
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

// libarchive's "all filters" would run an lzop, lrzip or grzip found in PATH
// on an archive that starts with their magic bytes. A fake lzop first in
// PATH must never run; a gzip-compressed export still reads.
TEST(MlfReader, NeverRunsAnExternalDecompressor) {
  const std::string dir = test::TempDir();
  const std::string marker = dir + "/lzop-ran";
  test::WriteText(dir + "/lzop", "#!/bin/sh\ntouch '" + marker + "'\ncat > /dev/null\n");
  ASSERT_EQ(chmod((dir + "/lzop").c_str(), 0755), 0);
  test::WriteText(dir + "/model.tar.lzo", std::string("\x89LZO\x00\r\n\x1a\n", 9) + std::string(64, '\0'));
  const char* old_path = std::getenv("PATH");
  const std::string saved = old_path ? old_path : "";
  setenv("PATH", (dir + ":" + saved).c_str(), 1);
  auto r = ReadModelLibraryFormat(dir + "/model.tar.lzo");
  setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0708");
  EXPECT_FALSE(fs::exists(marker)) << "the reader ran the lzop found in PATH";

  const std::string tar = dir + "/kws.tar";
  ASSERT_TRUE(ExportModelLibraryFormat(MakeModel("kws"), tar, Opts()).ok());
  ASSERT_EQ(std::system(("gzip -k -n '" + tar + "'").c_str()), 0);
  auto gz = ReadModelLibraryFormat(tar + ".gz");
  ASSERT_TRUE(gz.ok()) << gz.diag().ToString();
  EXPECT_EQ(gz->module_name, "kws");
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

TEST(MlfReader, MetadataFieldsOfTheWrongTypeNameFieldFoundAndExpected) {
  const std::string dir = test::TempDir();
  struct Case {
    const char* metadata;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {R"({"version": 7, "modules": {"m": {"target": [5]}}})",
       "field \"modules.m.target[0]\" is a number (5); expected a target string"},
      {R"({"version": 7, "modules": {"m": {"target": "c"}}})",
       "field \"modules.m.target\" is a string (\"c\"); expected a list of target strings"},
      {R"({"version": 7, "modules": {"m": {}, "n": {"target": [null]}}})", "field \"modules.n.target[0]\" is null"},
      {R"({"version": 7, "modules": {"m": [1, 2]}})", "field \"modules.m\" is a list; expected an object"},
      {R"({"version": 7, "modules": "m"})", "field \"modules\" is a string (\"m\"); expected an object"},
      {R"({"version": 7.0, "modules": {"m": {}}})", "field \"version\" is a number (7.0); expected the number 7"},
      {R"({"version": true, "modules": {"m": {}}})", "field \"version\" is a boolean (true)"},
  };
  int i = 0;
  for (const Case& c : cases) {
    const std::string path = dir + "/case" + std::to_string(i++) + ".tar";
    WriteRawTar(path, {{"./metadata.json", c.metadata}});
    auto r = ReadModelLibraryFormat(path);
    ASSERT_FALSE(r.ok()) << c.metadata;
    EXPECT_EQ(r.diag().id, "E0710") << r.diag().ToString();
    EXPECT_NE(r.diag().message.find("'" + path + "'"), std::string::npos) << r.diag().ToString();
    EXPECT_NE(r.diag().message.find(c.expect), std::string::npos) << r.diag().ToString();
  }
  WriteRawTar(dir + "/ok.tar", {{"./metadata.json", R"({"version": 7, "modules": {"mod": {"target": ["c -a", "c -b"]}}})"}});
  auto r = ReadModelLibraryFormat(dir + "/ok.tar");
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->target, (std::vector<std::string>{"c -a", "c -b"}));
}

// A ustar header block for a regular file `name` of `size` bytes.
std::string TarHeader(const std::string& name, uint64_t size) {
  std::string h(512, '\0');
  h.replace(0, name.size(), name);
  h.replace(100, 7, "0000644");
  h.replace(108, 7, "0000000");
  h.replace(116, 7, "0000000");
  char octal[16];
  std::snprintf(octal, sizeof octal, "%011llo", static_cast<unsigned long long>(size));
  h.replace(124, 11, octal);
  h.replace(136, 11, "00000000000");
  h[156] = '0';
  h.replace(257, 6, std::string("ustar\0", 6));
  h.replace(263, 2, "00");
  h.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char ch : h) sum += ch;
  std::snprintf(octal, sizeof octal, "%06o", sum);
  h.replace(148, 7, std::string(octal, 6) + '\0');
  return h;
}

// Member sizes come from the archive: they are checked before anything is
// allocated, so a header claiming 8 GiB costs nothing.
TEST(MlfReader, MemberSizesAreBoundedBeforeReading) {
  const std::string dir = test::TempDir();
  test::WriteText(dir + "/huge.tar", TarHeader("./metadata.json", uint64_t{8} << 30) + std::string(1024, '{'));
  auto r = ReadModelLibraryFormat(dir + "/huge.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0709");
  EXPECT_NE(r.diag().message.find("member 'metadata.json' is too large (8589934592 bytes, the limit is 268435456)"),
            std::string::npos)
      << r.diag().message;
  // metadata.json has a limit of its own.
  WriteRawTar(dir + "/bigmeta.tar", {{"./metadata.json", std::string(9 << 20, ' ')}});
  r = ReadModelLibraryFormat(dir + "/bigmeta.tar");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0709");
  EXPECT_NE(r.diag().message.find("metadata.json is too large (9437184 bytes, the limit is 8388608)"),
            std::string::npos)
      << r.diag().message;
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

// The model name becomes C names and a CMake target wherever the archive is
// built, so the reader refuses one that is not a C name or is reserved.
TEST(MlfReader, RefusesModelNamesThatCannotBeBuilt) {
  const std::string dir = test::TempDir();
  for (const char* name : {"main", "ALL", "ember_runtime", "a-b", ""}) {
    const std::string path = dir + "/bad.tar";
    WriteRawTar(path, {{"metadata.json", std::string(R"({"version": 7, "modules": {")") + name + R"(": {}}})"}});
    auto r = ReadModelLibraryFormat(path);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.diag().id, "E0506") << r.diag().ToString();
    EXPECT_EQ(r.diag().exit, ExitCode::kUsage) << name;
    EXPECT_NE(r.diag().hint.find("--module-name"), std::string::npos) << r.diag().ToString();
  }
}

TEST(MlfReader, AcceptsMembersWithoutDotSlashPrefix) {
  const std::string path = test::TempDir() + "/plain.tar";
  WriteRawTar(path, {{"metadata.json", R"({"version": 7, "modules": {"mod": {}}})"}, {"src/mod.relay", "ir"}});
  auto r = ReadModelLibraryFormat(path);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->module_name, "mod");
  ASSERT_NE(r->Find("src/mod.relay"), nullptr);
  EXPECT_EQ(*r->Find("src/mod.relay"), "ir");
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
