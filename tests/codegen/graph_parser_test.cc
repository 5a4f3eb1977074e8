// The runtime's graph executor (runtime/src/graph_executor.c, json_reader.c)
// on hand-written graph JSON: a small valid graph with hand-computed
// outputs, every truncation of it, byte mutations, and malformed graphs
// with the error code each must give. The C code runs in a program built
// with the system C compiler under AddressSanitizer and UBSan, so a read or
// write out of bounds fails the test even in the normal build.
#include <gtest/gtest.h>

#include <cstdio>
#include <sstream>
#include <string>

#include "util/test_util.h"

namespace ember::test {
namespace {

// x i8[4] -> add1 (out = in + 1) -> __nop (reshape to [2,2]) -> add2 (out = a + b, with x) -> head.
const std::string kValid =
    R"({"nodes":[{"op":"null","name":"x","inputs":[]},)"
    R"({"op":"tvm_op","name":"a","attrs":{"func_name":"add1","num_inputs":"1","num_outputs":"1","flatten_data":"0"},"inputs":[[0,0,0]]},)"
    R"({"op":"tvm_op","name":"r","attrs":{"func_name":"__nop","num_inputs":"1","num_outputs":"1","flatten_data":"0"},"inputs":[[1,0,0]]},)"
    R"({"op":"tvm_op","name":"b","attrs":{"func_name":"add2","num_inputs":"2","num_outputs":"1","flatten_data":"0"},"inputs":[[2,0,0],[0,0,0]]}],)"
    R"("arg_nodes":[0],"heads":[[3,0,0]],)"
    R"("attrs":{"dltype":["list_str",["int8","int8","int8","int8"]],"storage_id":["list_int",[0,1,1,2]],)"
    R"("shape":["list_shape",[[4],[4],[2,2],[4]]]},"node_row_ptr":[0,1,2,3,4]})";

// The program: `prog BUF FILE...` prints "<code> <error_at>" per file and,
// on success, runs the graph on x = {1,2,3,4} and prints the output bytes;
// `prog --prefixes FILE` creates from every prefix (copied to a buffer of
// exactly that size) and prints the shortest that succeeds; `prog --mutate
// FILE` tries every byte replaced by each of a few characters.
const char* kProgram = R"(#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ember/graph_executor.h"
static int32_t add1(void* const* a, uint32_t n) {
  int i; if (n != 2u) return 1;
  for (i = 0; i < 4; ++i) ((int8_t*)a[1])[i] = (int8_t)(((const int8_t*)a[0])[i] + 1);
  return 0;
}
static int32_t add2(void* const* a, uint32_t n) {
  int i; if (n != 3u) return 1;
  for (i = 0; i < 4; ++i) ((int8_t*)a[2])[i] = (int8_t)(((const int8_t*)a[0])[i] + ((const int8_t*)a[1])[i]);
  return 0;
}
static const struct ember_operator_arg i8x4[3] = {{4u, EMBER_DTYPE_INT, 8u, 1u}, {4u, EMBER_DTYPE_INT, 8u, 1u},
                                                  {4u, EMBER_DTYPE_INT, 8u, 1u}};
static const struct ember_operator ops[2] = {{"add1", add1, 1, 1, i8x4}, {"add2", add2, 2, 1, i8x4}};
static unsigned char work[65536];
static char* slurp(const char* path, size_t* n) {
  FILE* f = fopen(path, "rb"); char* b; long len;
  if (!f) exit(20);
  fseek(f, 0, SEEK_END); len = ftell(f); fseek(f, 0, SEEK_SET);
  b = (char*)malloc((size_t)len + 1u);
  if (!b || fread(b, 1, (size_t)len, f) != (size_t)len) exit(21);
  fclose(f); *n = (size_t)len; return b;
}
static int32_t create_copy(const char* s, size_t n, size_t buf, struct ember_graph_executor** ex, struct ember_graph_diag* d) {
  char* c = (char*)malloc(n > 0u ? n : 1u); int32_t r;
  if (!c) exit(22);
  memcpy(c, s, n);
  r = ember_graph_executor_create(c, n, ops, 2, work, buf, ex, d);
  free(c);
  return r;
}
int main(int argc, char** argv) {
  size_t n, i, k; char* s; struct ember_graph_executor* ex; struct ember_graph_diag d;
  if (argc == 3 && strcmp(argv[1], "--prefixes") == 0) {
    s = slurp(argv[2], &n);
    for (i = 0; i <= n; ++i) if (create_copy(s, i, sizeof work, &ex, &d) == 0) break;
    printf("first_ok %zu\n", i);
    free(s);
    return 0;
  }
  if (argc == 3 && strcmp(argv[1], "--mutate") == 0) {
    static const char kRepl[] = "[]{}\",:9-x \\";
    size_t ok = 0;
    s = slurp(argv[2], &n);
    for (i = 0; i < n; ++i) for (k = 0; k + 1u < sizeof kRepl; ++k) {
      const char was = s[i]; s[i] = kRepl[k];
      if (create_copy(s, n, sizeof work, &ex, &d) == 0) { int8_t in[64] = {1, 2, 3, 4}, out[64];
        if (ember_graph_executor_input_size(ex, 0) <= sizeof in)
          (void)ember_graph_executor_set_input(ex, 0, in, ember_graph_executor_input_size(ex, 0));
        (void)ember_graph_executor_run(ex); (void)ember_graph_executor_get_output(ex, 0, out, sizeof out); ++ok; }
      s[i] = was;
    }
    printf("mutations_ok %zu\n", ok);
    free(s);
    return 0;
  }
  for (k = 2; k < (size_t)argc; ++k) {
    int32_t r;
    s = slurp(argv[k], &n);
    r = create_copy(s, n, (size_t)atol(argv[1]), &ex, &d);
    printf("%ld %zu", (long)r, d.error_at);
    if (r == 0) {
      int8_t in[4] = {1, 2, 3, 4}, out[4];
      if (ember_graph_executor_set_input(ex, 0, in, 4) != 0 || ember_graph_executor_run(ex) != 0 ||
          ember_graph_executor_get_output(ex, 0, out, 4) != 0) return 3;
      printf(" %d %d %d %d", out[0], out[1], out[2], out[3]);
    } else if (r == kEmberErrorGraphBufferTooSmall) {
      printf(" needed>buf %d", d.needed > (size_t)atol(argv[1]));
    }
    printf("\n");
    free(s);
  }
  return 0;
}
)";

std::string Replace(const std::string& s, const std::string& from, const std::string& to) {
  const size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at == std::string::npos) return s;
  return s.substr(0, at) + to + s.substr(at + from.size());
}

class GraphParser : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::string(TempDir());
    const std::string src = *dir_ + "/prog.c";
    FILE* f = std::fopen(src.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(kProgram, f);
    std::fclose(f);
    const std::string rt = std::string(EMBER_SOURCE_DIR) + "/runtime";
    const std::string cmd = "cc -std=c99 -Wall -Wextra -Werror -pedantic -g -O1 -fsanitize=address,undefined "
                            "-fno-sanitize-recover=all -I " + rt + "/include " + src + " " + rt +
                            "/src/graph_executor.c " + rt + "/src/json_reader.c -o " + *dir_ + "/prog 2> " + *dir_ +
                            "/cc.log";
    built_ = std::system(cmd.c_str()) == 0;
  }
  static void TearDownTestSuite() { delete dir_; }

  // Runs the program on the given documents; returns its output lines.
  static std::vector<std::string> Run(const std::vector<std::string>& docs, size_t buf = 65536,
                                      const std::string& mode = "") {
    std::string args;
    for (size_t i = 0; i < docs.size(); ++i) {
      const std::string p = *dir_ + "/doc" + std::to_string(i) + ".json";
      WriteFile(p, std::vector<uint8_t>(docs[i].begin(), docs[i].end()));
      args += " " + p;
    }
    const std::string out = *dir_ + "/out.txt";
    const std::string cmd = *dir_ + "/prog " + (mode.empty() ? std::to_string(buf) : mode) + args + " > " + out +
                            " 2> " + *dir_ + "/err.txt";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << "the program failed (sanitizer report in err.txt)";
    std::vector<std::string> lines;
    const std::vector<uint8_t> bytes = ReadFile(out);
    std::istringstream in(std::string(bytes.begin(), bytes.end()));
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    return lines;
  }

  static std::string* dir_;
  static bool built_;
};
std::string* GraphParser::dir_ = nullptr;
bool GraphParser::built_ = false;

TEST_F(GraphParser, ValidGraphRunsWithSharedAndSeparateStorage) {
  ASSERT_TRUE(built_);
  const std::string separate = Replace(kValid, "[0,1,1,2]", "[0,1,2,3]");  // the __nop then copies
  const auto lines = Run({kValid, separate});
  ASSERT_EQ(lines.size(), 2u);
  // a = x + 1 = {2,3,4,5}; b = a + x = {3,5,7,9}.
  EXPECT_EQ(lines[0], "0 0 3 5 7 9");
  EXPECT_EQ(lines[1], "0 0 3 5 7 9");
}

TEST_F(GraphParser, EveryTruncationFails) {
  ASSERT_TRUE(built_);
  const auto lines = Run({kValid}, 0, "--prefixes");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0], "first_ok " + std::to_string(kValid.size()));
}

TEST_F(GraphParser, ByteMutationsNeverCrash) {
  ASSERT_TRUE(built_);
  const auto lines = Run({kValid}, 0, "--mutate");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("mutations_ok ", 0), 0u);
}

TEST_F(GraphParser, MalformedGraphsGiveTheirErrorCode) {
  ASSERT_TRUE(built_);
  // Codes of graph_executor.h / json_reader.h: 0x710 syntax (1808), 0x711 type
  // (1809), 0x712 limit (1810), 0x713 invalid graph (1811), 0x714 unknown
  // function (1812).
  const std::vector<std::pair<std::string, int>> cases = {
      {"", 1808},
      {kValid.substr(0, kValid.size() / 2), 1808},
      {kValid + "x", 1808},
      {Replace(kValid, R"("name":"a")", R"("name":"\q")"), 1808},
      {"[]", 1809},
      {Replace(kValid, R"("arg_nodes":[0])", R"("arg_nodes":5)"), 1809},
      {Replace(kValid, "[0,1,1,2]", "[0,1,1.5,2]"), 1809},
      {Replace(kValid, R"(,"node_row_ptr":[0,1,2,3,4])", ""), 1809},
      {Replace(kValid, R"(["list_str",)", R"(["list_int",)"), 1809},
      {Replace(kValid, R"("attrs":{"func_name":"add1","num_inputs":"1","num_outputs":"1","flatten_data":"0"},)", ""),
       1809},
      {Replace(kValid, "[0,1,1,2]", "[0,1,99999999999999999999,2]"), 1810},
      {Replace(kValid, R"({"nodes")", R"({"x":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]],"nodes")"), 1810},
      {Replace(kValid, R"("inputs":[[0,0,0]]})", R"("inputs":[[3,0,0]]})"), 1811},
      {Replace(kValid, "[[3,0,0]]", "[[3,1,0]]"), 1811},
      {Replace(kValid, "[0,1,1,2]", "[0,1,1]"), 1811},
      {Replace(kValid, "[0,1,1,2]", "[0,1,-1,2]"), 1811},
      {Replace(kValid, "[0,1,1,2]", "[0,1,1,4]"), 1811},
      {Replace(kValid, R"("int8"]])", R"("complex64"]])"), 1811},
      {Replace(kValid, R"("int8"]])", R"("int12"]])"), 1811},
      {Replace(kValid, "[0,1,2,3,4]", "[0,1,2,3,5]"), 1811},
      {Replace(kValid, R"("arg_nodes":[0])", R"("arg_nodes":[])"), 1811},
      {Replace(kValid, "[[4],[4],[2,2],[4]]", "[[4],[4],[3],[4]]"), 1811},
      {Replace(kValid, R"("add1","num_inputs":"1")", R"("add1","num_inputs":"2")"), 1811},
      {Replace(kValid, R"("add2")", R"("mul")"), 1812},
      {Replace(kValid, R"("add2")", R"("add1")"), 1812},
      // Entries that differ from the operators' argument tables: a 1-byte
      // input of add1 (it reads 4), an int16[4] output of add2 (it writes 4
      // bytes of int8), an int16[2] output (4 bytes, but 16-bit elements).
      {Replace(kValid, "[[4],[4],[2,2],[4]]", "[[1],[4],[2,2],[4]]"), 1812},
      {Replace(kValid, R"("int8","int8","int8","int8")", R"("int8","int8","int8","int16")"), 1812},
      {Replace(Replace(kValid, R"("int8","int8","int8","int8")", R"("int8","int8","int8","int16")"),
               "[[4],[4],[2,2],[4]]", "[[4],[4],[2,2],[2]]"),
       1812},
  };
  std::vector<std::string> docs;
  for (const auto& c : cases) docs.push_back(c.first);
  const auto lines = Run(docs);
  ASSERT_EQ(lines.size(), cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    EXPECT_EQ(std::stoi(lines[i]), cases[i].second) << "case " << i << ": " << cases[i].first;
  }
}

TEST_F(GraphParser, SmallBufferReportsWhatIsNeeded) {
  ASSERT_TRUE(built_);
  const auto lines = Run({kValid}, 64);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].rfind("1813 ", 0), 0u) << lines[0];  // 0x715
  EXPECT_NE(lines[0].find("needed>buf 1"), std::string::npos) << lines[0];
}

}  // namespace
}  // namespace ember::test
