// Bad input through the CLI, command by command: whatever a user passes
// (names that are not UTF-8, devices, FIFOs, huge or empty files, folders,
// malformed tensors, archives and metadata), every command ends at once with
// a diagnostic, never with an internal error (exit 70), a crash, a hang or a
// large allocation. Also runs in the ASan+UBSan build.
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "frontend/tflite/builder.h"
#include "ir/parser.h"
#include "util/test_models.h"
#include "util/test_util.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBER_TEST_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define EMBER_TEST_ASAN 1
#endif

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::string ReadText(const std::string& path) {
  const std::vector<uint8_t> b = ReadFile(path);
  return std::string(b.begin(), b.end());
}

void WriteText(const std::string& path, const std::string& text) {
  WriteFile(path, std::vector<uint8_t>(text.begin(), text.end()));
}

// A file of `bytes` bytes that are all holes: it takes no disk space.
void MakeSparseFile(const std::string& path, off_t bytes) {
  const int fd = open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC, 0644);
  ASSERT_GE(fd, 0) << path;
  EXPECT_EQ(ftruncate(fd, bytes), 0) << path;
  close(fd);
}

// Caps the address space of the CLI processes started while it lives (1 GiB:
// ember needs a few MB for these inputs; reading /dev/zero or a 3 GiB file
// whole fails fast instead of taking the machine's memory). Not under ASan,
// which reserves terabytes of address space for its shadow memory; there the
// peak RSS check of RunBounded still applies.
class AddressSpaceCap {
 public:
  AddressSpaceCap() {
#ifndef EMBER_TEST_ASAN
    getrlimit(RLIMIT_AS, &old_);
    rlimit r = old_;
    r.rlim_cur = rlim_t{1} << 30;
    set_ = setrlimit(RLIMIT_AS, &r) == 0;
#endif
  }
  ~AddressSpaceCap() {
    if (set_) setrlimit(RLIMIT_AS, &old_);
  }

 private:
  rlimit old_{};
  bool set_ = false;
};

// A FIFO nobody writes to. Reading it would wait for a writer forever, so
// after `after` a helper thread opens it for writing (and closes it at once)
// to unblock a reader that waits, which then reads an empty file: the test
// sees the time it took instead of hanging.
class LonelyFifo {
 public:
  explicit LonelyFifo(std::string path, std::chrono::seconds after = std::chrono::seconds(15))
      : path_(std::move(path)) {
    ok_ = mkfifo(path_.c_str(), 0600) == 0;
    thread_ = std::thread([this, after] {
      const auto until = std::chrono::steady_clock::now() + after;
      while (!stop_) {
        if (std::chrono::steady_clock::now() >= until) {
          const int fd = open(path_.c_str(), O_WRONLY | O_NONBLOCK);  // fails unless a reader waits
          if (fd >= 0) close(fd);
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
    });
  }
  ~LonelyFifo() {
    stop_ = true;
    thread_.join();
  }
  bool ok() const { return ok_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool ok_ = false;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Runs the CLI under the address-space cap and checks that it ends quickly
// with a diagnostic: an exit code from 1 to 6 (never 0 or 70, no signal), an
// error[E....] line, no sanitizer report, a peak RSS under 512 MiB.
CliResult RunBounded(const std::vector<std::string>& args, int seconds = 10) {
  AddressSpaceCap cap;
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = RunCli(args);
  const auto took = std::chrono::steady_clock::now() - start;
  std::string cmd;
  for (const auto& a : args) cmd += " " + a;
  EXPECT_GE(r.exit_code, 1) << cmd << "\n" << r.err;
  EXPECT_LE(r.exit_code, 6) << cmd << ": internal error, crash or signal\n" << r.err;
  EXPECT_NE(r.err.find("error[E"), std::string::npos) << cmd << "\n" << r.err;
  EXPECT_EQ(r.err.find("E9000"), std::string::npos) << cmd << "\n" << r.err;
  EXPECT_EQ(r.err.find("Sanitizer"), std::string::npos) << cmd << "\n" << r.err;
  EXPECT_LT(took, std::chrono::seconds(seconds)) << cmd << " took too long";
  rusage u{};
  getrusage(RUSAGE_CHILDREN, &u);
  EXPECT_LT(u.ru_maxrss, 512 * 1024) << cmd << ": a child's peak RSS (KiB)";
  return r;
}

// int8 model whose tensor names are not UTF-8 (Latin-1 bytes, a lone UTF-8
// lead byte): inputs "in\xff" and "in\xfe", output "sum\xe9".
std::vector<uint8_t> NonUtf8NamedModel() { return TinyAddModel("in\xff", "in\xfe", "sum\xe9"); }

Json ParseJson(const std::string& text, const std::string& what) {
  const Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << what << " is not valid JSON:\n" << text;
  return j;
}

// The names the frontend keeps: the bytes that are not UTF-8 as \xNN.
const char* const kIn0 = "in\\xff";
const char* const kIn1 = "in\\xfe";
const char* const kOut = "sum\\xe9";

TEST(BadInput, TensorNamesThatAreNotUtf8GiveValidJsonEverywhere) {
  const std::string dir = TempDir();
  const std::string model = dir + "/names.tflite";
  WriteFile(model, NonUtf8NamedModel());

  CliResult r = RunCli({"analyze", model, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = ParseJson(r.out, "analyze --format json");
  EXPECT_EQ(j["inputs"][0]["name"], kIn0);
  EXPECT_EQ(j["inputs"][1]["name"], kIn1);
  EXPECT_EQ(j["outputs"][0]["name"], kOut);
  EXPECT_EQ(j["nodes"][0]["name"], kOut);

  r = RunCli({"inspect", model, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  j = ParseJson(r.out, "inspect --format json");
  std::vector<std::string> names;
  for (const Json& t : j["tensors"]) names.push_back(t["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{kIn0, kIn1, kOut}));

  // The IR text holds the escaped names and reads back to the same graph.
  r = RunCli({"inspect", model, "--full"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto g = ir::Parse(r.out);
  ASSERT_TRUE(g.ok()) << g.diag().ToString() << "\n" << r.out;
  EXPECT_EQ(g->tensor(g->inputs[0]).name, kIn0);

  r = RunCli({"compile", model, "--executor", "graph", "-o", dir + "/out"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Json meta = ParseJson(ReadText(dir + "/out/metadata.json"), "metadata.json");
  const Json graph = ParseJson(ReadText(dir + "/out/executor-config/graph/default.graph"), "the graph JSON");
  const Json& io = meta["modules"]["default"]["memory"]["functions"]["main"][0];
  EXPECT_TRUE(io["inputs"].contains(kIn0) && io["inputs"].contains(kIn1)) << io.dump();
  EXPECT_TRUE(io["outputs"].contains(kOut)) << io.dump();
  // Input nodes carry the same names as metadata.json and its sids ...
  ASSERT_GE(graph["nodes"].size(), 3u);
  EXPECT_EQ(graph["nodes"][0]["name"], kIn0);
  EXPECT_EQ(graph["nodes"][1]["name"], kIn1);
  EXPECT_EQ(meta["modules"]["default"]["memory"]["sids"][0]["input_binding"], kIn0);
  // ... and every operator node is in the operator table the device uses.
  const std::string lib1 = ReadText(dir + "/out/codegen/host/src/default_lib1.c");
  for (const Json& n : graph["nodes"]) {
    if (n["op"] != "tvm_op") continue;
    const std::string fn = n["attrs"]["func_name"];
    EXPECT_NE(lib1.find("{\"" + fn + "\","), std::string::npos) << fn << " is not in the operator table";
  }
}

// The IR text can hold any bytes in a name (\xNN escapes); every JSON output
// writes them the way the frontend does.
TEST(BadInput, IrTextNamesThatAreNotUtf8GiveValidJson) {
  const std::string dir = TempDir();
  const std::string model = dir + "/raw.ir";
  WriteText(model,
            "graph \"raw\\xff\" {\n"
            "  input %\"a\\xff\" : f32[1,4]\n"
            "  %\"b\\xfe\" = relu(%\"a\\xff\") : f32[1,4] loc(\"n\\xfd\")\n"
            "  output %\"b\\xfe\"\n}\n");
  CliResult r = RunCli({"analyze", model, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(ParseJson(r.out, "analyze")["inputs"][0]["name"], "a\\xff");
  r = RunCli({"inspect", model, "--format", "json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json j = ParseJson(r.out, "inspect");
  EXPECT_EQ(j["name"], "raw\\xff");
  EXPECT_EQ(j["nodes"][0]["name"], "n\\xfd");
  r = RunCli({"compile", model, "--executor", "graph", "-o", dir + "/out.tar"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// Model paths that are no model: refused at once, nothing read.
TEST(BadInput, ModelFilesWithoutSizeHugeOrFoldersAreRefusedAtOnce) {
  const std::string dir = TempDir();
  LonelyFifo fifo(dir + "/fifo.tflite");
  ASSERT_TRUE(fifo.ok());
  std::vector<std::string> models = {"/dev/zero", fifo.path(), dir};
  for (const char* name : {"/sparse.tflite", "/sparse.ir"}) {
    MakeSparseFile(dir + name, off_t{3} << 30);
    models.push_back(dir + name);
  }
  WriteText(dir + "/empty.tflite", "");
  models.push_back(dir + "/empty.tflite");
  models.push_back(dir + "/absent.tflite");
  for (const std::string& m : models) {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"analyze", m, "--format", "json"}, {"inspect", m},
          {"compile", m, "-o", dir + "/out.tar"}, {"eval", m, "--input", dir + "/absent.npy"}}) {
      const CliResult r = RunBounded(args);
      if (m == "/dev/zero" || m == fifo.path()) {
        EXPECT_EQ(r.exit_code, 1);
        EXPECT_NE(r.err.find("not a regular file"), std::string::npos) << r.err;
      }
      if (m.find("sparse") != std::string::npos) {
        EXPECT_NE(r.err.find("too large (3221225472 bytes, the limit is"), std::string::npos) << r.err;
      }
    }
  }
  EXPECT_FALSE(fs::exists(dir + "/out.tar"));
}

// Tensor files that are no tensor, for eval and run.
TEST(BadInput, TensorFilesThatAreNoTensorGetADiagnostic) {
  const std::string dir = TempDir();
  const std::string model = dir + "/add.tflite";
  WriteFile(model, TinyAddModel());
  ASSERT_EQ(RunCli({"compile", model, "-o", dir + "/add.tar"}).exit_code, 0);
  WriteText(dir + "/ok.bin", std::string(4, '\1'));
  LonelyFifo fifo(dir + "/fifo.npy");
  ASSERT_TRUE(fifo.ok());
  MakeSparseFile(dir + "/sparse.npy", off_t{3} << 30);
  auto file = [&](const std::string& name, const std::string& bytes) {
    WriteText(dir + "/" + name, bytes);
    return dir + "/" + name;
  };
  // A format 1.0 .npy file with this header dict and data.
  auto npy = [](const std::string& dict, const std::string& data) {
    return std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(dict.size() & 0xff) +
           static_cast<char>(dict.size() >> 8) + dict + data;
  };
  const std::vector<std::string> inputs = {
      "/dev/zero",
      fifo.path(),
      dir + "/sparse.npy",
      dir,
      file("empty.npy", ""),
      file("magic.npy", "\x93NUMPY"),
      file("hugeheader.npy", std::string("\x93NUMPY\x02\x00\xff\xff\xff\xff{}", 14)),
      file("truncated.npy", npy("{'descr': '|i1', 'fortran_order': False, 'shape': (1, 4), }", "\1")),
      file("hugeshape.npy", npy("{'descr': '|i1', 'fortran_order': False, 'shape': (99999999999, 99999999999), }", "")),
      file("float.npy", npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1, 4), }", std::string(16, '\0'))),
      file("wrongsize.bin", std::string(5, '\1')),
      file("unknown.txt", "1 2 3 4"),
  };
  for (const std::string& in : inputs) {
    RunBounded({"eval", model, "--input", in, "--input", dir + "/ok.bin"});
    RunBounded({"run", dir + "/add.tar", "--input", dir + "/ok.bin", "--input", in}, 120);
  }
}

// Archives for `ember run` cut at every interesting length.
TEST(BadInput, TruncatedArchivesNeverEndInAnInternalError) {
  const std::string dir = TempDir();
  WriteFile(dir + "/add.tflite", TinyAddModel());
  ASSERT_EQ(RunCli({"compile", dir + "/add.tflite", "-o", dir + "/add.tar"}).exit_code, 0);
  WriteText(dir + "/ok.bin", std::string(4, '\1'));
  const std::vector<uint8_t> tar = ReadFile(dir + "/add.tar");
  for (size_t n : {size_t{0}, size_t{100}, size_t{512}, size_t{1024}, size_t{5000}, tar.size() / 3, tar.size() / 2}) {
    WriteFile(dir + "/cut.tar", std::vector<uint8_t>(tar.begin(), tar.begin() + static_cast<std::ptrdiff_t>(n)));
    const CliResult r = RunBounded({"run", dir + "/cut.tar", "--input", dir + "/ok.bin", "--input", dir + "/ok.bin"});
    EXPECT_NE(r.err.find("cut.tar"), std::string::npos) << n << ": " << r.err;
  }
}

// metadata.json with fields of the wrong type: `ember run` and create-project
// both refuse the archive with the same diagnostic naming the field.
TEST(BadInput, MetadataOfTheWrongTypeIsRefusedByRunAndCreateProject) {
  const std::string dir = TempDir();
  WriteFile(dir + "/add.tflite", TinyAddModel());
  ASSERT_EQ(RunCli({"compile", dir + "/add.tflite", "-o", dir + "/add"}).exit_code, 0);
  WriteText(dir + "/ok.bin", std::string(4, '\1'));
  const Json good = Json::parse(ReadText(dir + "/add/metadata.json"));
  struct Case {
    const char* pointer;  // JSON pointer of the field to change
    Json value;
    const char* field;  // as the diagnostic names it
    const char* found;
  };
  const std::vector<Case> cases = {
      {"/modules/default/target", Json::array({5}), "modules.default.target[0]", "a number (5)"},
      {"/modules/default/target", "c -keys=cpu -model=host", "modules.default.target",
       "a string (\"c -keys=cpu -model=host\")"},
      {"/modules/default/target", Json::object(), "modules.default.target", "an object"},
      {"/modules/default", 5, "modules.default", "a number (5)"},
      {"/modules", Json::array({1}), "modules", "a list"},
      {"/version", "7", "version", "a string (\"7\")"},
  };
  int k = 0;
  for (const Case& c : cases) {
    const std::string mlf = dir + "/bad" + std::to_string(k++);
    fs::copy(dir + "/add", mlf, fs::copy_options::recursive);
    Json meta = good;
    meta[Json::json_pointer(c.pointer)] = c.value;
    WriteText(mlf + "/metadata.json", meta.dump(2));
    const std::string tar = mlf + ".tar";
    ASSERT_EQ(std::system(("tar -C '" + mlf + "' -cf '" + tar + "' .").c_str()), 0);
    for (const std::string& path : {mlf, tar}) {
      const CliResult r = RunBounded({"run", path, "--input", dir + "/ok.bin", "--input", dir + "/ok.bin"}, 60);
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_NE(r.err.find("error[E0710]"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find("'" + path + "'"), std::string::npos) << r.err;
      EXPECT_NE(r.err.find(std::string("field \"") + c.field + "\" is " + c.found + "; expected"), std::string::npos)
          << r.err;
    }
    const CliResult p =
        RunBounded({"micro", "create-project", mlf + "-project", tar, "--template", "standalone"}, 60);
    EXPECT_EQ(p.exit_code, 1) << p.err;
    EXPECT_NE(p.err.find(std::string("field \"") + c.field + "\""), std::string::npos) << p.err;
    EXPECT_FALSE(fs::exists(mlf + "-project"));
  }
}

// The Project API passes paths as JSON text (UTF-8): a project folder or
// archive path that is not UTF-8 is refused up front, nothing is created.
TEST(BadInput, ProjectPathsThatAreNotUtf8AreRefused) {
  const std::string dir = TempDir();
  WriteFile(dir + "/add.tflite", TinyAddModel());
  ASSERT_EQ(RunCli({"compile", dir + "/add.tflite", "-o", dir + "/add.tar"}).exit_code, 0);
  fs::copy_file(dir + "/add.tar", dir + "/add\xfe.tar");
  for (const auto& [project, tar] : {std::pair<std::string, std::string>{dir + "/p\xff", dir + "/add.tar"},
                                     {dir + "/p", dir + "/add\xfe.tar"}}) {
    const CliResult r = RunBounded({"micro", "create-project", project, tar, "--template", "standalone"}, 60);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_NE(r.err.find("is not valid UTF-8"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(project));
  }
}

}  // namespace
}  // namespace ember::test
