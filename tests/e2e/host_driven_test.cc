// Host-driven execution end to end (project_type host_driven): the host and
// qemu templates' RPC firmware, driven through the CLI (ember run, profile,
// validate) and through the C++ API (Session, RpcClient, the graph and debug
// executors). Outputs must equal TFLite's reference kernels (../shared
// vectors) byte for byte, or `ember eval` for the project's own models; no
// server or QEMU process may outlive a test.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/project_util.h"
#include "e2e/qemu_util.h"
#include "micro/executor/debug_executor.h"
#include "micro/executor/device_model.h"
#include "micro/executor/graph_executor.h"
#include "micro/project/project.h"
#include "micro/project_api/protocol.h"
#include "micro/session/rpc_client.h"
#include "micro/session/session.h"
#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using micro::Json;

// `ember compile MODEL --executor graph [extra...]`, once per test binary
// and arguments; returns the archive.
std::string GraphTar(const std::string& model, const std::vector<std::string>& extra) {
  static std::map<std::string, std::string> cache;
  std::string key = model;
  for (const auto& e : extra) key += "|" + e;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  const std::string tar = TempDir() + "/model.tar";
  std::vector<std::string> args = {"compile", model, "--executor", "graph", "-o", tar};
  args.insert(args.end(), extra.begin(), extra.end());
  const CliResult r = RunCli(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return cache[key] = tar;
}

std::string WriteModel(const std::string& name, const std::vector<uint8_t>& bytes) {
  const std::string p = TempDir() + "/" + name;
  WriteFile(p, bytes);
  return p;
}

// A built host_driven project of `tar` in `dir`.
void MakeProject(const std::string& tar, const std::string& dir, const std::string& tmpl,
                 const std::string& board = "") {
  std::vector<std::string> args = {"micro", "create-project", dir, tar, "--template", tmpl,
                                   "--project-option", "project_type=host_driven"};
  if (!board.empty()) args.insert(args.end(), {"--project-option", "board=" + board});
  CliResult r = RunCli(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunCli({"micro", "build", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// A connected, identified device of a project (the C++ API path).
struct Device {
  explicit Device(const std::string& dir, double timeout_sec = 120)
      : project(micro::GeneratedProject::FromDirectory(dir)),
        model(micro::LoadProjectModel(project)),
        link(micro::ConnectDevice(project, model, timeout_sec)),
        session(link->session),
        rpc(&link->rpc),
        info(link->info) {}
  std::string GraphJson() const {
    const std::string* g = model.graph_json();
    return g ? *g : std::string();
  }
  micro::GeneratedProject project;
  micro::ProjectModel model;
  std::unique_ptr<micro::DeviceConnection> link;
  micro::Session& session;
  micro::RpcClient* rpc;
  micro::DeviceInfo info;
};

std::vector<uint8_t> Bytes(const std::string& s) { return std::vector<uint8_t>(s.begin(), s.end()); }

// The graph executor (every operator called on the device through the
// RPC, the graph walked on the host) on one input.
std::string RunGraphOnDevice(Device& d, const std::string& input) {
  const std::string graph = d.GraphJson();
  EXPECT_FALSE(graph.empty()) << "no graph JSON in the project's archive";
  auto exec = micro::create_local_graph_executor(graph, *d.rpc);
  EXPECT_EQ(exec->num_inputs(), 1u);
  exec->SetInput(0, Bytes(input));
  exec->Run();
  const std::vector<uint8_t> out = exec->GetOutput(0);
  return std::string(out.begin(), out.end());
}

struct SharedCase {
  const char* model;
  const char* tmpl;    // "host" or "qemu"
  const char* target;  // --target of the compile
};

class HostDrivenShared : public ::testing::TestWithParam<SharedCase> {};

// `ember run PROJECT_DIR` and the host-driven graph executor, on the first
// two public vectors (one for vww over the emulated UART: its 27 KB input
// takes seconds to arrive).
TEST_P(HostDrivenShared, RunAndGraphExecutorBitExact) {
  EMBER_REQUIRE_SHARED();
  const SharedCase c = GetParam();
  const bool emulated = c.tmpl == std::string("qemu");
  if (emulated) EMBER_REQUIRE_QEMU_TOOLS();
  const std::string data = SharedDir() + "/testdata/" + c.model;
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(SharedDir() + "/models/" + c.model + ".tflite", {"--target", c.target}), dir, c.tmpl,
              emulated ? "mps2-an386" : "");
  const int vectors = emulated && c.model == std::string("vww") ? 1 : 2;
  for (int k = 1; k <= vectors; ++k) {
    const std::string in = data + "/input_" + std::to_string(k) + ".bin";
    const std::string want = ReadText(data + "/output_" + std::to_string(k) + ".bin");
    ASSERT_FALSE(want.empty());
    const std::string out = TempDir() + "/out.bin";
    const CliResult r = RunCli({"run", dir, "--input", in, "--output", out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadText(out), want) << c.model << " vector " << k << " through ember run";
  }
  {
    Device d(dir);
    EXPECT_EQ(d.info.platform, emulated ? "mps2-an386" : "host");
    EXPECT_EQ(RunGraphOnDevice(d, ReadText(data + "/input_1.bin")), ReadText(data + "/output_1.bin"))
        << c.model << ": graph executor, operators on the device";
  }
  EXPECT_TRUE(WaitNoDescendants().empty()) << "a server or QEMU process outlived the test";
}

INSTANTIATE_TEST_SUITE_P(Models, HostDrivenShared,
                         testing::Values(SharedCase{"kws", "host", "host"}, SharedCase{"vww", "host", "host"},
                                         SharedCase{"ic", "host", "host"}, SharedCase{"ad", "host", "host"},
                                         SharedCase{"kws", "qemu", "cortex-m4"}, SharedCase{"vww", "qemu", "cortex-m4"},
                                         SharedCase{"ic", "qemu", "cortex-m4"}, SharedCase{"ad", "qemu", "cortex-m4"}),
                         [](const auto& info) { return std::string(info.param.tmpl) + "_" + info.param.model; });

// The rows of `ember profile`'s table: (op, count) per node, and the
// "sum of nodes" and "whole inference" figures.
struct ProfileTable {
  std::vector<std::pair<std::string, double>> nodes;
  double sum = -1, whole = -1;
};

ProfileTable ParseProfile(const std::string& text) {
  ProfileTable t;
  std::istringstream in(text);
  std::string line;
  const std::regex node_row(R"(^\s*(\d+)\s+(\S+)\s+([0-9.]+)\s+[0-9.]+%.*$)");
  const std::regex total_row(R"(^\s*(sum of nodes|whole inference)\s+([0-9.]+)\s+[0-9.]+%.*$)");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_match(line, m, node_row)) t.nodes.push_back({m[2], std::stod(m[3])});
    else if (std::regex_match(line, m, total_row)) (m[1] == "sum of nodes" ? t.sum : t.whole) = std::stod(m[2]);
  }
  return t;
}

// kws with --profile on the emulated M4: one row per node, in instructions,
// summing to within 2 % of the whole inference.
TEST(HostDrivenProfile, KwsNodesSumToWholeInference) {
  EMBER_REQUIRE_SHARED();
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string model = SharedDir() + "/models/kws.tflite";
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(model, {"--target", "cortex-m4", "--profile"}), dir, "qemu", "mps2-an386");
  const CliResult r = RunCli({"profile", dir, "--input", SharedDir() + "/testdata/kws/input_1.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("instructions per node"), std::string::npos) << r.out;
  const ProfileTable t = ParseProfile(r.out);
  const CliResult a = RunCli({"analyze", model, "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const Json analysis = Json::parse(a.out);
  ASSERT_TRUE(analysis.contains("nodes") && analysis["nodes"].is_array()) << a.out;
  ASSERT_EQ(t.nodes.size(), analysis["nodes"].size()) << "one row per node:\n" << r.out;
  double sum = 0;
  for (size_t i = 0; i < t.nodes.size(); ++i) {
    EXPECT_EQ(t.nodes[i].first, analysis["nodes"][i].value("op", std::string())) << "row " << i;
    sum += t.nodes[i].second;
  }
  ASSERT_GT(t.whole, 1e6) << r.out;  // kws is millions of instructions
  EXPECT_NEAR(t.sum, sum, 1.0);
  EXPECT_LE(std::abs(sum - t.whole), 0.02 * t.whole) << r.out;
  RecordProperty("kws_m4_whole_inference_instructions", static_cast<int>(t.whole));
  RecordProperty("kws_m4_sum_of_nodes_instructions", static_cast<int>(sum));
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// Without --profile, a graph build is profiled operator by operator with
// TIME (here on the host: microseconds).
TEST(HostDrivenProfile, GraphBuildTimesEveryOperator) {
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(WriteModel("tiny.tflite", TinyConvModel()), {}), dir, "host");
  const CliResult r = RunCli({"profile", dir, "--repeat", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("microseconds per node"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(the device's timer, 1000000 ticks/s)"), std::string::npos) << r.out;
  const ProfileTable t = ParseProfile(r.out);
  // One row per node of TinyConvModel, in order, each timed by itself.
  const std::vector<std::pair<std::string, std::string>> nodes = {
      {"conv2d", "conv"}, {"depthwise_conv2d", "dw"}, {"average_pool2d", "pool"},
      {"reshape", "flat"}, {"fully_connected", "logits"}, {"softmax", "probs"}};
  ASSERT_EQ(t.nodes.size(), nodes.size()) << r.out;
  double sum = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    EXPECT_EQ(t.nodes[i].first, nodes[i].first) << "row " << i << "\n" << r.out;
    EXPECT_NE(r.out.find("%  " + nodes[i].second + "\n"), std::string::npos) << nodes[i].second;
    // Whole ticks of a 1 MHz timer: whole microseconds.
    EXPECT_EQ(t.nodes[i].second, std::round(t.nodes[i].second)) << "row " << i << "\n" << r.out;
    sum += t.nodes[i].second;
  }
  EXPECT_EQ(t.sum, sum) << r.out;
  EXPECT_EQ(t.whole, std::round(t.whole)) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(whole inference +[0-9]+\.000 +100\.00%)"))) << r.out;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// ember validate: the own int8 and float models agree with the reference on
// every node; a model other than the project's is refused.
TEST(HostDrivenValidate, OwnModelsMatchTheReference) {
  for (const auto& [name, bytes] : {std::pair{"tiny.tflite", TinyConvModel()},
                                    std::pair{"tiny_float.tflite", TinyFloatModel()}}) {
    const std::string model = WriteModel(name, bytes);
    const std::string dir = TempDir() + "/" + name + ".project";
    MakeProject(GraphTar(model, {}), dir, "host");
    const CliResult r = RunCli({"validate", model, "--device", dir});
    EXPECT_EQ(r.exit_code, 0) << name << "\n" << r.out << r.err;
    EXPECT_NE(r.out.find("match the reference"), std::string::npos) << r.out;
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// A device whose code for one layer is wrong (here: a bias of the first
// layer that has one, changed in the project's copy of the generated C
// after generation, so the firmware still reports the archive's hash):
// validate names that layer as the first differing node and exits 6.
TEST(HostDrivenValidate, FirstDifferingNodeIsReported) {
  const std::string model = WriteModel("tiny.tflite", TinyConvModel());
  const std::string dir = TempDir() + "/project";
  CliResult r = RunCli({"micro", "create-project", dir, GraphTar(model, {}), "--template", "host",
                        "--project-option", "project_type=host_driven"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path lib;
  for (const auto& e : fs::directory_iterator(fs::path(dir) / "model/codegen/host/src"))
    if (e.path().filename().string().find("_lib1.c") != std::string::npos) lib = e.path();
  ASSERT_FALSE(lib.empty());
  std::string code = ReadText(lib.string());
  const std::regex bias(R"((static const int32_t (\w+)_init\[\d+\][^=]*= \{\s*)(-?\d+))");
  std::smatch m;
  ASSERT_TRUE(std::regex_search(code, m, bias)) << "no int32 bias array in " << lib;
  code = m.prefix().str() + m[1].str() + std::to_string(std::stoll(m[3]) + 1000000) + m.suffix().str();
  WriteFile(lib.string(), Bytes(code));
  r = RunCli({"micro", "build", dir});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const CliResult a = RunCli({"analyze", model, "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const Json nodes = Json::parse(a.out)["nodes"];
  const std::string input = TempDir() + "/in.bin";
  WriteFile(input, std::vector<uint8_t>(Json::parse(a.out).value("input_bytes", 0), 0x35));
  r = RunCli({"validate", model, "--device", dir, "--input", input});
  EXPECT_EQ(r.exit_code, 6) << r.out << r.err;
  EXPECT_NE(r.err.find("E0808"), std::string::npos) << r.err;
  // The first differing node is a layer with a bias, and every node before
  // it was reported as matching.
  const std::regex first(R"(node (\d+) '[^']*' \((\w+)\) differs on the device: (\d+) of (\d+) elements)");
  ASSERT_TRUE(std::regex_search(r.err, m, first)) << r.err;
  const size_t node = std::stoul(m[1]);
  ASSERT_LT(node, nodes.size());
  EXPECT_EQ(m[2].str(), nodes[node].value("op", std::string()));
  EXPECT_GT(std::stoul(m[3]), 0u);
  for (size_t i = 0; i < node; ++i)
    EXPECT_TRUE(std::regex_search(r.out, std::regex("(^|\\n)\\s*" + std::to_string(i) + "\\s+\\w+\\s+ok ")))
        << "node " << i << " should match:\n" << r.out;
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// The device runs a different model than the project's archive says (the
// archive changed after the firmware was built): the host refuses it, names
// what the device runs and says to rebuild and flash.
TEST(HostDrivenIdentity, DeviceWithAnotherModelIsRefused) {
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(WriteModel("tiny.tflite", TinyConvModel()), {}), dir, "host");
  const std::string other = TempDir() + "/other.tar";
  CliResult r = RunCli({"compile", WriteModel("add.tflite", TinyAddModel()), "--executor", "graph", "-o", other});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::copy_file(other, fs::path(dir) / "model.tar", fs::copy_options::overwrite_existing);
  const CliResult a = RunCli({"analyze", WriteModel("add.tflite", TinyAddModel()), "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const Json analysis = Json::parse(a.out);
  std::vector<std::string> run = {"run", dir};
  for (const Json& in : analysis["inputs"]) {
    run.insert(run.end(), {"--input", TempDir() + "/" + std::to_string(run.size()) + ".bin"});
    WriteFile(run.back(), std::vector<uint8_t>(in.value("bytes", 0), 1));
  }
  for (const std::vector<std::string>& cmd : {run, std::vector<std::string>{"profile", dir}}) {
    r = RunCli(cmd);
    EXPECT_EQ(r.exit_code, 5) << cmd[0] << ": " << r.err;  // a device problem
    EXPECT_NE(r.err.find("E0806"), std::string::npos) << cmd[0] << ": " << r.err;
    EXPECT_NE(r.err.find("the device runs model"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("ember micro build"), std::string::npos) << r.err;
  }
  EXPECT_THROW(Device{dir}, micro::DeviceMismatchError);
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// RESET: the device answers, restarts, and the host's next request raises
// SessionTerminatedError; after Reconnect the device serves again.
void CheckReset(const std::string& dir) {
  Device d(dir, 30);
  d.rpc->Ping(std::vector<uint8_t>{1, 2, 3});
  const uint32_t handle = d.rpc->Alloc(64);
  d.rpc->Reset();
  EXPECT_THROW(
      {
        for (int i = 0; i < 50; ++i) d.rpc->Ping(std::vector<uint8_t>{4});  // until the new boot shows
      },
      micro::SessionTerminatedError);
  d.session.Reconnect();
  const micro::DeviceInfo again = d.rpc->Info();
  EXPECT_EQ(again.model_hash, d.info.model_hash);
  EXPECT_EQ(d.rpc->Ping(std::vector<uint8_t>{9, 8}), (std::vector<uint8_t>{9, 8}));
  EXPECT_THROW(d.rpc->Free(handle), micro::RpcError) << "a reset device has an empty pool";
}

TEST(HostDrivenReset, HostDeviceRestarts) {
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(WriteModel("tiny.tflite", TinyConvModel()), {}), dir, "host");
  CheckReset(dir);
  EXPECT_TRUE(WaitNoDescendants().empty());
}

TEST(HostDrivenReset, QemuBoardRestarts) {
  EMBER_REQUIRE_QEMU_TOOLS();
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(WriteModel("tiny.tflite", TinyConvModel()), {"--target", "cortex-m3"}), dir, "qemu",
              "mps2-an385");
  CheckReset(dir);
  EXPECT_TRUE(WaitNoDescendants().empty());
}

// The debug executor times every node on the device and dumps every node's
// output; the last dump is the model's output, equal to `ember eval`.
TEST(HostDrivenDebug, DumpsEveryNode) {
  const std::string model = WriteModel("tiny.tflite", TinyConvModel());
  const std::string dir = TempDir() + "/project";
  MakeProject(GraphTar(model, {}), dir, "host");
  std::vector<uint8_t> input(1);
  {
    Device d(dir);
    const std::string root = TempDir() + "/dump";
    micro::DebugExecutor dbg(d.GraphJson(), *d.rpc, d.info.ticks_per_second, root);
    input.assign(dbg.graph().entries()[0].bytes, 0);
    for (size_t i = 0; i < input.size(); ++i) input[i] = static_cast<uint8_t>(i * 37 + 11);
    dbg.graph().SetInput(0, input);
    const auto reports = dbg.Run(3, 2);
    ASSERT_FALSE(reports.empty());
    const fs::path dump = dbg.dump_dir();
    EXPECT_EQ(dump.filename(), "_tvmdbg_device_micro_0");
    EXPECT_TRUE(fs::exists(dump / "_tvmdbg_graph_dump.json"));
    const Json trace = Json::parse(ReadText((dump / "_tvmdbg_execution_trace.json").string()));
    EXPECT_TRUE(trace.contains("traceEvents")) << trace.dump().substr(0, 200);
    EXPECT_NE(ReadText((dump / "table.txt").string()).find("Total_time"), std::string::npos);
    size_t npy = 0;
    for (const auto& e : fs::directory_iterator(dump / "outputs")) npy += e.path().extension() == ".npy";
    EXPECT_EQ(npy, reports.size());
    for (const auto& rep : reports) {
      EXPECT_EQ(rep.ticks.size(), 2u) << rep.name;
      EXPECT_TRUE(fs::exists(dump / rep.output_file)) << rep.output_file;
    }
    // The last node's dump ends with the model's output bytes.
    const std::string last = ReadText((dump / reports.back().output_file).string());
    const std::vector<uint8_t> out = dbg.graph().ReadEntry(dbg.graph().output_entries()[0]);
    ASSERT_GE(last.size(), out.size());
    EXPECT_EQ(last.substr(last.size() - out.size()), std::string(out.begin(), out.end()));
    EXPECT_EQ(last.substr(0, 6), "\x93NUMPY");
    // And that output is the reference evaluator's.
    const std::string in_file = TempDir() + "/in.bin", eval_out = TempDir() + "/eval.bin";
    WriteFile(in_file, input);
    const CliResult r = RunCli({"eval", model, "--input", in_file, "--output", eval_out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadText(eval_out), std::string(out.begin(), out.end()));
  }
  EXPECT_TRUE(WaitNoDescendants().empty());
}

}  // namespace
}  // namespace ember::test
