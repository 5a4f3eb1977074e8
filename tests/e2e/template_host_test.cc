// The host template end to end: create-project → build → flash → the model
// runs in a POSIX "device" process and answers over the transport, byte for
// byte as TFLite Micro's reference kernels (../shared vectors) or as
// `ember eval` (the project's own model). Also the CLI's errors and that no
// server or device process outlives a test.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "e2e/project_util.h"
#include "micro/project/project.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using micro::Json;

std::string Bytes(const std::string &path) { return ReadText(path); }

// Compiles `model` for the host into DIR/model.tar; returns its path.
std::string CompileToTar(const std::string &model, const std::string &dir,
                         const std::vector<std::string> &extra = {}) {
  const std::string tar = dir + "/model.tar";
  std::vector<std::string> args = {"compile", model, "--target",
                                   "host",    "-o",  tar};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return tar;
}

std::string OwnModel(const std::string &dir) {
  const std::string path = dir + "/tiny.tflite";
  WriteFile(path, TinyConvModel());
  return path;
}

class HostTemplate : public ::testing::TestWithParam<const char *> {};

TEST_P(HostTemplate, SharedModelBitExactOverTransport) {
  EMBER_REQUIRE_SHARED();
  const std::string name = GetParam();
  const std::string dir = TempDir();
  const std::string data = SharedDir() + "/testdata/" + name;
  const std::string tar =
      CompileToTar(SharedDir() + "/models/" + name + ".tflite", dir);
  {
    auto project = micro::GenerateProject(micro::GetTemplateProjectDir("host"),
                                          tar, dir + "/project");
    EXPECT_FALSE(project.info().is_template);
    EXPECT_EQ(project.info().platform_name, "host");
    project.Build();
    project.Flash();
    auto transport = project.OpenTransport();
    transport->Open();
    EXPECT_EQ(transport->timeouts().session_start_timeout_sec, 0);
    for (int k : {1, 2}) {
      const std::string want =
          Bytes(data + "/output_" + std::to_string(k) + ".bin");
      ASSERT_FALSE(want.empty());
      EXPECT_EQ(RoundTrip(*transport,
                          Bytes(data + "/input_" + std::to_string(k) + ".bin"),
                          want.size()),
                want)
          << name << " vector " << k;
    }
    transport->Close();
  }
  EXPECT_TRUE(WaitNoDescendants().empty())
      << "a server or device process outlived the test";
}

INSTANTIATE_TEST_SUITE_P(Models, HostTemplate,
                         testing::Values("kws", "vww", "ic", "ad"),
                         [](const auto &info) {
                           return std::string(info.param);
                         });

// The project's own model, through the CLI, checked against `ember eval`;
// compiled with the I/O inside the arena and an external arena, which the
// model table must handle.
TEST(HostTemplateCli, OwnModelMatchesEval) {
  const std::string dir = TempDir();
  const std::string model = OwnModel(dir);
  const std::string tar =
      CompileToTar(model, dir, {"--io-in-arena", "--external-arena"});
  const std::string project = dir + "/p";
  CliResult r =
      RunCli({"micro", "create-project", project, tar, "--template", "host"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(project + "/model.tar"));
  EXPECT_TRUE(fs::exists(project + "/src/model_io.c"));
  r = RunCli({"micro", "build", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "flash", project});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  // Three different inputs: each answer must equal the reference evaluator's.
  XorShift32 rng(7);
  {
    auto p = micro::GeneratedProject::FromDirectory(project);
    auto transport = p.OpenTransport();
    transport->Open();
    for (int k = 0; k < 3; ++k) {
      std::vector<uint8_t> in(64);
      for (auto &b : in)
        b = static_cast<uint8_t>(rng.Int8());
      const std::string in_path = dir + "/in" + std::to_string(k) + ".bin";
      const std::string ref_path = dir + "/ref" + std::to_string(k) + ".bin";
      WriteFile(in_path, in);
      r = RunCli({"eval", model, "--input", in_path, "--output", ref_path});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      const std::string want = Bytes(ref_path);
      ASSERT_EQ(want.size(), 3u);
      EXPECT_EQ(
          RoundTrip(*transport, std::string(in.begin(), in.end()), want.size()),
          want)
          << "input " << k;
    }
    transport->Close();
  }
  // `ember run PROJECT_DIR` does the same round trip.
  r = RunCli({"run", project, "--input", dir + "/in1.bin", "--output", dir + "/dev1.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Bytes(dir + "/dev1.bin"), Bytes(dir + "/ref1.bin"));
  r = RunCli({"run", project, "--input", model});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

TEST(HostTemplateCli, InfoListsOptionsAndTemplates) {
  CliResult r = RunCli({"micro", "info"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("host"), std::string::npos) << r.out;
  r = RunCli({"micro", "info", "host"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("template 'host'"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("project_type={aot_io, host_driven}"), std::string::npos) << r.out;
  r = RunCli({"micro", "info", "host", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json info = Json::parse(r.out);
  EXPECT_EQ(info["protocol_version"], 1);
  EXPECT_EQ(info["is_template"], true);
  for (const Json &o : info["project_options"]) {
    ASSERT_EQ(o.size(), 7u) << o.dump();
    std::vector<std::string> keys;
    for (const auto &[k, v] : o.items())
      keys.push_back(k);
    EXPECT_EQ(keys,
              (std::vector<std::string>{"name", "choices", "default", "type",
                                        "required", "optional", "help"}));
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

TEST(HostTemplateCli, BadOptionsAndFoldersAreUsageErrors) {
  const std::string dir = TempDir();
  const std::string tar = CompileToTar(OwnModel(dir), dir);
  CliResult r =
      RunCli({"micro", "create-project", dir + "/a", tar, "--template", "host",
              "--project-option", "colour=red"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown project option 'colour'; valid options: "
                       "verbose, project_type"),
            std::string::npos)
      << r.err;
  r = RunCli({"micro", "create-project", dir + "/b", tar, "--template", "host",
              "--project-option", "project_type=x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("choose one of: aot_io, host_driven"), std::string::npos) << r.err;
  r = RunCli({"micro", "create-project", dir + "/c", tar, "--template", "host",
              "--project-option", "verbose=maybe"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("must be a bool"), std::string::npos) << r.err;
  r = RunCli({"micro", "create-project", dir + "/d", tar, "--template",
              "no-such-board"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("known templates:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("host"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(dir + "/a") || fs::exists(dir + "/b") ||
               fs::exists(dir + "/c") || fs::exists(dir + "/d"));

  // An existing folder needs --force; build and flash need a project.
  fs::create_directories(dir + "/e");
  r = RunCli(
      {"micro", "create-project", dir + "/e", tar, "--template", "host"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  r = RunCli({"micro", "create-project", dir + "/e", tar, "--template", "host",
              "--force"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "flash", dir + "/e"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("run build first"), std::string::npos) << r.err;
  r = RunCli({"micro", "build", micro::GetTemplateProjectDir("host").string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("is a template"), std::string::npos) << r.err;
  r = RunCli({"micro", "build", dir});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("no project api server"), std::string::npos) << r.err;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// A device that dies: the transport reports it closed, and closing the
// transport still leaves nothing behind.
TEST(HostTemplateApi, DeviceExitIsTransportClosed) {
  const std::string dir = TempDir();
  const std::string tar = CompileToTar(OwnModel(dir), dir);
  {
    auto project = micro::GenerateProject(micro::GetTemplateProjectDir("host"),
                                          tar, dir + "/p");
    project.Build();
    // Replace the firmware by one that exits at once.
    fs::remove(dir + "/p/build/main");
    WriteFile(dir + "/p/build/main",
              std::vector<uint8_t>{'#', '!', '/', 'b', 'i', 'n', '/', 's', 'h',
                                   '\n', 'e', 'x', 'i', 't', ' ', '0', '\n'});
    fs::permissions(dir + "/p/build/main", fs::perms::owner_all);
    auto transport = project.OpenTransport();
    transport->Open();
    EXPECT_THROW(
        {
          for (int i = 0; i < 100; ++i)
            transport->Read(1, 5);
        },
        micro::TransportClosedError);
    transport->Close();
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

} // namespace
} // namespace ember::test

namespace ember::test {
namespace {

// A client written as microTVM's Python client is (standard library only)
// drives the host template: generate, build, flash, transport.
TEST(HostTemplateInterop, PythonClientAsMicroTvms) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "/usr/bin/python3 is absent; skipped";
  const std::string dir = TempDir();
  const std::string model = OwnModel(dir);
  const std::string tar = CompileToTar(model, dir);
  std::vector<uint8_t> in(64);
  XorShift32 rng(11);
  for (auto& b : in) b = static_cast<uint8_t>(rng.Int8());
  WriteFile(dir + "/in.bin", in);
  CliResult r = RunCli({"eval", model, "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string cmd = "EMBER_RUNTIME_DIR='" + std::string(EMBER_SOURCE_DIR) + "/runtime' /usr/bin/python3 '" +
                          std::string(EMBER_SOURCE_DIR) + "/tests/e2e/data/tvm_style_client.py' '" +
                          micro::GetTemplateProjectDir("host").string() + "' '" + tar + "' '" + dir + "/p' '" + dir +
                          "/in.bin' '" + dir + "/ref.bin' > '" + dir + "/client.log' 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(status, 0) << ReadText(dir + "/client.log");
  EXPECT_NE(ReadText(dir + "/client.log").find("ok\n"), std::string::npos) << ReadText(dir + "/client.log");
  EXPECT_TRUE(WaitNoDescendants().empty());
}

}  // namespace
}  // namespace ember::test
