// `ember compile --executor graph`: the graph JSON, the params file, the
// operator table, and the C graph executor of the runtime running them in a
// host program built with the system C compiler. Outputs are compared with
// the TFLite Micro vectors in ../shared byte for byte and with the AOT entry
// point of the same build. Malformed graphs go to the C parser in a program
// built with AddressSanitizer and UBSan.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>

#include "util/test_models.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

int Sh(const std::string& cmd) { return std::system(cmd.c_str()); }

std::string Slurp(const std::string& path) {
  const std::vector<uint8_t> b = ReadFile(path);
  return std::string(b.begin(), b.end());
}

void Spit(const std::string& path, const std::string& s) { WriteFile(path, std::vector<uint8_t>(s.begin(), s.end())); }

// Compiles `model` with --executor graph into folder dir/<name>; returns it.
std::string CompileGraph(const std::string& model, const std::string& dir, const std::string& name,
                         const std::string& target = "host") {
  const std::string out = dir + "/" + name;
  const CliResult r = RunCli({"compile", model, "--executor", "graph", "--target", target, "--module-name", name,
                              "-o", out});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out;
}

// A program running one model both ways: graph executor (argv[1] graph JSON,
// argv[2] input, argv[3] output) and the AOT entry point (argv[4] output).
// It also checks the work-size contract: a NULL buffer reports an upper bound,
// the exact `needed` of a successful create is enough, one byte less is not.
const char* kRunner = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ember/graph_executor.h"
#include "tvmgen_NAME.h"
static unsigned char work[1 << 22] __attribute__((aligned(16)));
static unsigned char* slurp(const char* path, size_t* n) {
  FILE* f = fopen(path, "rb"); unsigned char* b; long len;
  if (!f) exit(20);
  fseek(f, 0, SEEK_END); len = ftell(f); fseek(f, 0, SEEK_SET);
  b = (unsigned char*)malloc((size_t)len + 1u);
  if (!b || fread(b, 1, (size_t)len, f) != (size_t)len) exit(21);
  fclose(f); *n = (size_t)len; return b;
}
static void spit(const char* path, const void* d, size_t n) {
  FILE* f = fopen(path, "wb");
  if (!f || fwrite(d, 1, n, f) != n) exit(22);
  fclose(f);
}
int main(int argc, char** argv) {
  size_t jn, in_n, used, upper;
  unsigned char *js, *in, *out, *out2;
  struct ember_graph_executor* ex = NULL;
  struct ember_graph_diag d;
  struct tvmgen_NAME_inputs ins;
  struct tvmgen_NAME_outputs outs;
  if (argc != 5) return 2;
  js = slurp(argv[1], &jn); in = slurp(argv[2], &in_n);
  if (ember_graph_executor_create((const char*)js, jn, tvmgen_NAME_operators, UNAME_NUM_OPERATORS, NULL, 0,
                                  &ex, &d) != kEmberErrorGraphBufferTooSmall) return 10;
  upper = d.needed;
  if (ember_graph_executor_create((const char*)js, jn, tvmgen_NAME_operators, UNAME_NUM_OPERATORS, work,
                                  sizeof work, &ex, &d) != 0) { printf("create %zu\n", d.error_at); return 11; }
  used = d.needed;
  if (used > upper) return 12;
  if (ember_graph_executor_create((const char*)js, jn, tvmgen_NAME_operators, UNAME_NUM_OPERATORS, work,
                                  used - 1u, &ex, &d) != kEmberErrorGraphBufferTooSmall || d.needed != used) return 13;
  if (ember_graph_executor_create((const char*)js, jn, tvmgen_NAME_operators, UNAME_NUM_OPERATORS, work,
                                  used, &ex, &d) != 0) return 14;
  if (ember_graph_executor_num_inputs(ex) != 1u || ember_graph_executor_num_outputs(ex) != 1u) return 15;
  if (ember_graph_executor_set_input(ex, 0, in, in_n) != 0) return 16;
  if (ember_graph_executor_set_input(ex, 1, in, in_n) != kEmberErrorGraphBadIndex) return 17;
  if (ember_graph_executor_run(ex) != 0) return 18;
  out = (unsigned char*)malloc(ember_graph_executor_output_size(ex, 0));
  out2 = (unsigned char*)malloc(ember_graph_executor_output_size(ex, 0));
  if (!out || !out2 || ember_graph_executor_get_output(ex, 0, out, ember_graph_executor_output_size(ex, 0)) != 0) return 19;
  spit(argv[3], out, ember_graph_executor_output_size(ex, 0));
  ins.INPUT = in;
  outs.OUTPUT = out2;
  if (tvmgen_NAME_run(&ins, &outs) != 0) return 23;
  spit(argv[4], out2, ember_graph_executor_output_size(ex, 0));
  printf("used %zu upper %zu nodes %u\n", used, upper, (unsigned)ember_graph_executor_num_nodes(ex));
  return 0;
}
)";

std::string Replace(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = 0; (p = s.find(from, p)) != std::string::npos; p += to.size()) s.replace(p, from.size(), to);
  return s;
}

// Builds the runner for the MLF folder `mlf` of module `name` (one input, one output).
std::string BuildRunner(const std::string& mlf, const std::string& name, const std::string& extra_flags = "") {
  const json report = json::parse(Slurp(mlf + "/reports/memory.json"));
  std::string upper = "TVMGEN_" + name;
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  std::string src = Replace(Replace(kRunner, "UNAME", upper), "NAME", name);
  src = Replace(src, "INPUT", report.at("inputs").at(0).at("c_name").get<std::string>());
  src = Replace(src, "OUTPUT", report.at("outputs").at(0).at("c_name").get<std::string>());
  Spit(mlf + "/runner.c", src);
  const std::string exe = mlf + "/runner";
  const std::string cmd = "cc -std=c99 -Wall -Wextra -Werror -O1 " + extra_flags + " -I " + mlf +
                          "/codegen/host/include -I " + mlf + "/runtime/include " + mlf + "/runner.c " + mlf +
                          "/codegen/host/src/*.c " + mlf + "/runtime/src/*.c -lm -o " + exe + " 2> " + mlf + "/cc.log";
  EXPECT_EQ(Sh(cmd), 0) << Slurp(mlf + "/cc.log");
  return exe;
}

std::string GraphPath(const std::string& mlf, const std::string& name) {
  return mlf + "/executor-config/graph/" + name + ".graph";
}

// Checks storage ids against the graph itself: two entries share a storage
// only when their lifetimes (producer .. last reader) do not overlap or a
// "__nop" links them; model inputs and outputs own their storage; a storage
// id is below the number of entries.
void ExpectStorageConsistent(const json& g) {
  const auto& nodes = g.at("nodes");
  const auto& sid = g.at("attrs").at("storage_id").at(1);
  const auto& rows = g.at("node_row_ptr");
  const size_t n_entries = sid.size();
  std::vector<size_t> first(n_entries), last(n_entries);
  std::vector<size_t> nop_src(n_entries, SIZE_MAX);
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (size_t e = rows[i].get<size_t>(); e < rows[i + 1].get<size_t>(); ++e) first[e] = last[e] = i;
    const bool nop = nodes[i].contains("attrs") && nodes[i]["attrs"]["func_name"] == "__nop";
    for (const auto& in : nodes[i].at("inputs")) {
      const size_t e = rows[in[0].get<size_t>()].get<size_t>() + in[1].get<size_t>();
      last[e] = std::max(last[e], i);
      if (nop) nop_src[rows[i].get<size_t>()] = e;
    }
  }
  std::set<size_t> pinned;
  for (const auto& a : g.at("arg_nodes")) pinned.insert(rows[a.get<size_t>()].get<size_t>());
  for (const auto& h : g.at("heads")) pinned.insert(rows[h[0].get<size_t>()].get<size_t>() + h[1].get<size_t>());
  auto root = [&](size_t e) {
    while (nop_src[e] != SIZE_MAX) e = nop_src[e];
    return e;
  };
  for (size_t a = 0; a < n_entries; ++a) {
    EXPECT_LT(sid[a].get<size_t>(), n_entries);
    for (size_t b = a + 1; b < n_entries; ++b) {
      if (sid[a] != sid[b] || root(a) == root(b)) continue;
      EXPECT_FALSE(pinned.count(a) || pinned.count(b)) << "entries " << a << " and " << b << " share a pinned storage";
      const bool disjoint = last[root(a)] < first[b] || last[root(b)] < first[a];
      EXPECT_TRUE(disjoint) << "entries " << a << " and " << b << " are live at once in storage " << sid[a];
    }
  }
}

uint64_t Le64(const std::vector<uint8_t>& b, size_t at) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[at + static_cast<size_t>(i)];
  return v;
}

// ---- The project's own model (always) --------------------------------------

class TinyGraph : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir());
    WriteFile(*dir_ + "/tiny.tflite", TinyConvModel());
    mlf_ = new std::string(CompileGraph(*dir_ + "/tiny.tflite", *dir_, "tiny"));
  }
  static void TearDownTestSuite() {
    delete dir_;
    delete mlf_;
  }
  static std::string* dir_;
  static std::string* mlf_;
};
std::string* TinyGraph::dir_ = nullptr;
std::string* TinyGraph::mlf_ = nullptr;

TEST_F(TinyGraph, GraphJsonStructure) {
  const json g = json::parse(Slurp(GraphPath(*mlf_, "tiny")));
  // input + conv, depthwise, pool, reshape, fully connected, softmax.
  const auto& nodes = g.at("nodes");
  ASSERT_EQ(nodes.size(), 7u);
  EXPECT_EQ(nodes[0].at("op"), "null");
  EXPECT_EQ(nodes[0].at("name"), "input");
  EXPECT_EQ(g.at("arg_nodes"), json::parse("[0]"));
  EXPECT_EQ(g.at("heads"), json::parse("[[6, 0, 0]]"));
  EXPECT_EQ(g.at("node_row_ptr"), json::parse("[0, 1, 2, 3, 4, 5, 6, 7]"));
  const std::vector<std::string> funcs = {"conv2d", "depthwise_conv2d", "average_pool2d", "__nop",
                                          "fully_connected", "softmax"};
  for (size_t i = 1; i < nodes.size(); ++i) {
    const json& a = nodes[i].at("attrs");
    EXPECT_EQ(nodes[i].at("op"), "tvm_op");
    EXPECT_NE(a.at("func_name").get<std::string>().find(funcs[i - 1]), std::string::npos) << a.dump();
    EXPECT_EQ(a.at("num_inputs"), "1");
    EXPECT_EQ(a.at("num_outputs"), "1");
    EXPECT_EQ(a.at("flatten_data"), "0");
    EXPECT_EQ(nodes[i].at("inputs"), json::array({json::array({i - 1, 0, 0})}));
  }
  EXPECT_EQ(g["attrs"]["dltype"], json::parse(R"(["list_str", ["int8","int8","int8","int8","int8","int8","int8"]])"));
  EXPECT_EQ(g["attrs"]["shape"],
            json::parse(R"(["list_shape", [[1,8,8,1],[1,8,8,4],[1,4,4,4],[1,2,2,4],[1,16],[1,3],[1,3]]])"));
  // Hand-derived from the storage rules: the input owns 0; conv gets 1, the
  // depthwise conv 2 (1 is still read by it); the pool reuses 1, the reshape
  // shares it; the fully connected layer reuses 2; the output owns 3.
  EXPECT_EQ(g["attrs"]["storage_id"], json::parse(R"(["list_int", [0, 1, 2, 1, 1, 2, 3]])"));
  ExpectStorageConsistent(g);
}

TEST_F(TinyGraph, MetadataParamsAndOperatorTable) {
  const json meta = json::parse(Slurp(*mlf_ + "/metadata.json"));
  const json& m = meta.at("modules").at("tiny");
  EXPECT_EQ(m.at("executors"), json::parse(R"(["graph"])"));
  EXPECT_EQ(m.at("memory").at("sids"), json::parse(R"([
      {"storage_id": 0, "size_bytes": 64, "input_binding": "input"}, {"storage_id": 1, "size_bytes": 256},
      {"storage_id": 2, "size_bytes": 64}, {"storage_id": 3, "size_bytes": 3}])"));
  // Linked params: an empty list in the §1.9 format (list magic, reserved, 0 names, 0 arrays).
  const std::vector<uint8_t> params = ReadFile(*mlf_ + "/parameters/tiny.params");
  ASSERT_EQ(params.size(), 32u);
  EXPECT_EQ(Le64(params, 0), 0xF7E58D4F05049CB7ull);
  EXPECT_EQ(Le64(params, 8), 0u);
  EXPECT_EQ(Le64(params, 16), 0u);
  EXPECT_EQ(Le64(params, 24), 0u);
  const std::string header = Slurp(*mlf_ + "/codegen/host/include/tvmgen_tiny.h");
  EXPECT_NE(header.find("#include \"ember/model_io.h\""), std::string::npos);
  EXPECT_NE(header.find("#define TVMGEN_TINY_NUM_OPERATORS 5\n"), std::string::npos);
  EXPECT_NE(header.find("extern const struct ember_operator tvmgen_tiny_operators[TVMGEN_TINY_NUM_OPERATORS];"),
            std::string::npos);
  EXPECT_NE(header.find("tvmgen_tiny_run("), std::string::npos);  // the AOT entry point stays
  // Every func_name but __nop names a table entry, in node order.
  const std::string lib1 = Slurp(*mlf_ + "/codegen/host/src/tiny_lib1.c");
  const json g = json::parse(Slurp(GraphPath(*mlf_, "tiny")));
  size_t last = 0;
  for (const auto& n : g.at("nodes")) {
    if (n.at("op") != "tvm_op" || n["attrs"]["func_name"] == "__nop") continue;
    const size_t at = lib1.find("{\"" + n["attrs"]["func_name"].get<std::string>() + "\", ");
    ASSERT_NE(at, std::string::npos) << n.dump();
    EXPECT_GT(at, last);
    last = at;
  }
}

TEST_F(TinyGraph, GraphExecutorMatchesAot) {
  const std::string exe = BuildRunner(*mlf_, "tiny");
  std::vector<uint8_t> in(64);
  for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>(i * 37 + 11);
  WriteFile(*dir_ + "/in.bin", in);
  ASSERT_EQ(Sh(exe + " " + GraphPath(*mlf_, "tiny") + " " + *dir_ + "/in.bin " + *dir_ + "/g.bin " + *dir_ +
               "/a.bin > " + *dir_ + "/run.txt"),
            0)
      << Slurp(*dir_ + "/run.txt");
  const std::vector<uint8_t> graph_out = ReadFile(*dir_ + "/g.bin");
  EXPECT_EQ(graph_out.size(), 3u);
  EXPECT_EQ(graph_out, ReadFile(*dir_ + "/a.bin"));
  // The same bytes as the reference evaluator (ember eval, an independent oracle).
  const CliResult r = RunCli({"eval", *dir_ + "/tiny.tflite", "--input", *dir_ + "/in.bin", "--output",
                              *dir_ + "/ref.bin"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(graph_out, ReadFile(*dir_ + "/ref.bin"));
}

TEST_F(TinyGraph, CortexM4BuildCompiles) {
  if (Sh("command -v arm-none-eabi-gcc > /dev/null") != 0) GTEST_SKIP() << "arm-none-eabi-gcc is absent";
  const std::string mlf = CompileGraph(*dir_ + "/tiny.tflite", *dir_, "tinym4", "cortex-m4");
  const std::string cmd = "cd " + *dir_ + " && arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -mfloat-abi=hard"
                          " -mfpu=fpv4-sp-d16 -std=c99 -Wall -Wextra -Werror -pedantic -O2 -c -I " + mlf +
                          "/codegen/host/include -I " + mlf + "/runtime/include " + mlf + "/codegen/host/src/*.c " +
                          mlf + "/runtime/src/graph_executor.c " + mlf + "/runtime/src/json_reader.c";
  EXPECT_EQ(Sh(cmd), 0);
}

TEST(GraphCompile, AotBuildHasNoGraphFiles) {
  const std::string dir = TempDir();
  WriteFile(dir + "/tiny.tflite", TinyConvModel());
  ASSERT_EQ(RunCli({"compile", dir + "/tiny.tflite", "-o", dir + "/aot"}).exit_code, 0);
  EXPECT_FALSE(fs::exists(dir + "/aot/executor-config"));
  EXPECT_EQ(Slurp(dir + "/aot/codegen/host/include/tvmgen_default.h").find("_operators["), std::string::npos);
  const json meta = json::parse(Slurp(dir + "/aot/metadata.json"));
  EXPECT_EQ(meta["modules"]["default"]["executors"], json::parse(R"(["aot"])"));
  const CliResult bad = RunCli({"compile", dir + "/tiny.tflite", "--executor", "vm", "-o", dir + "/x"});
  EXPECT_EQ(bad.exit_code, 2);
}

// ---- The four MLPerf Tiny models ---------------------------------------------

class SharedGraph : public ::testing::TestWithParam<const char*> {};

TEST_P(SharedGraph, GraphExecutorMatchesVectorsAndAot) {
  EMBER_REQUIRE_SHARED();
  const std::string name = GetParam();
  const std::string dir = TempDir();
  const std::string mlf = CompileGraph(SharedDir() + "/models/" + name + ".tflite", dir, name);
  const json g = json::parse(Slurp(GraphPath(mlf, name)));
  ExpectStorageConsistent(g);
  const json report = json::parse(Slurp(mlf + "/reports/memory.json"));
  const auto& nodes = g.at("nodes");
  EXPECT_EQ(g.at("arg_nodes"), json::parse("[0]"));
  ASSERT_EQ(g.at("heads").size(), 1u);
  EXPECT_EQ(g["heads"][0][0].get<size_t>(), nodes.size() - 1);
  EXPECT_EQ(g["attrs"]["shape"][1][0], report["inputs"][0]["shape"]);
  EXPECT_EQ(g["attrs"]["shape"][1].back(), report["outputs"][0]["shape"]);
  EXPECT_EQ(g["attrs"]["dltype"][1][0], report["inputs"][0]["dtype"]);
  EXPECT_EQ(g["node_row_ptr"].size(), nodes.size() + 1);
  const std::string tdir = SharedDir() + "/testdata/" + name;
  const std::string exe = BuildRunner(mlf, name);
  ASSERT_EQ(Sh(exe + " " + GraphPath(mlf, name) + " " + tdir + "/input_1.bin " + dir + "/g.bin " + dir + "/a.bin > " +
               dir + "/run.txt"),
            0)
      << Slurp(dir + "/run.txt");
  EXPECT_EQ(ReadFile(dir + "/g.bin"), ReadFile(tdir + "/output_1.bin"));
  EXPECT_EQ(ReadFile(dir + "/a.bin"), ReadFile(tdir + "/output_1.bin"));
}

INSTANTIATE_TEST_SUITE_P(Models, SharedGraph, ::testing::Values("kws", "vww", "ic", "ad"));

}  // namespace
}  // namespace ember::test
