// Fuzz target: the C graph-JSON reader (runtime/src/json_reader.c) and the
// graph executor's graph loading (runtime/src/graph_executor.c), on text
// that is not NUL-terminated.
//
// Checks, besides ASan/UBSan (the text and the work buffer are heap blocks
// of exactly their size): the pull reader walks any text without reading
// outside it, strings it returns lie inside the text, an error offset is
// within the text, and a structured walk succeeds exactly when skipping the
// value does; the executor either refuses the graph or, when it accepts
// it, fits in the size it reported (a retry with the `needed` size of a
// kEmberErrorGraphBufferTooSmall succeeds or fails otherwise), and setting
// inputs, running every node, running the graph and reading the outputs
// work; operators are called with their declared argument count and with
// pointers into the work buffer only.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "ember/graph_executor.h"
#include "ember/json_reader.h"

#include "fuzz_util.h"

namespace {

using ember::fuzz::Fail;

const char* g_text = nullptr;
size_t g_len = 0;

void CheckSpan(const char* s, size_t n) {
  if (s < g_text || s + n > g_text + g_len) Fail("a string outside the text");
}

// Walks one value with the structured calls (numbers are skipped, so any
// JSON that ember_json_skip accepts must walk too). The pull reader leaves
// nesting to its caller: this walk stops where skip does.
void Walk(struct ember_json* j, int depth) {
  switch (ember_json_peek(j)) {
    case EMBER_JSON_OBJECT:
    case EMBER_JSON_ARRAY: {
      // ember_json_skip's nesting limit, so that the two walks agree.
      if (depth >= EMBER_JSON_MAX_DEPTH) {
        ember_json_fail(j, kEmberErrorJsonLimit);
        return;
      }
      const char open = ember_json_peek(j) == EMBER_JSON_OBJECT ? '{' : '[';
      uint32_t n = 0;
      if (ember_json_open(j, open) != 0) return;
      while (ember_json_more(j, open == '{' ? '}' : ']', &n) > 0) {
        if (open == '{') {
          const char* key = nullptr;
          size_t key_len = 0;
          if (ember_json_key(j, &key, &key_len) != 0) return;
          CheckSpan(key, key_len);
        }
        Walk(j, depth + 1);
        if (j->err != 0) return;
      }
      return;
    }
    case EMBER_JSON_STRING: {
      const char* s = nullptr;
      size_t n = 0;
      if (ember_json_string(j, &s, &n) == 0) CheckSpan(s, n);
      return;
    }
    default:
      ember_json_skip(j);
  }
}

// Fake operators, one per func_name of the seeds (graphs that `ember compile
// --executor graph` writes for the TFLite seeds), and one that fails.
uint8_t* g_work = nullptr;
size_t g_work_size = 0;

int32_t CheckedOp(void* const* args, uint32_t n, uint32_t want) {
  if (n != want) Fail("operator called with the wrong argument count");
  for (uint32_t i = 0; i < n; ++i) {
    const auto* p = static_cast<const uint8_t*>(args[i]);
    if (p < g_work || p > g_work + g_work_size) Fail("operator argument outside the work buffer");
  }
  return 0;
}
int32_t Op1(void* const* a, uint32_t n) { return CheckedOp(a, n, 2); }
int32_t Op2(void* const* a, uint32_t n) { return CheckedOp(a, n, 3); }
int32_t OpFails(void* const* a, uint32_t n) { return CheckedOp(a, n, 2), kEmberErrorFunctionCallInvalidArg; }

// The argument table of tiny_add's operator (int8[1,4] + int8[1,4]), so that
// the executor's check of entries against a table is fuzzed too; the
// others have none (the executor then checks nothing).
const ember_operator_arg kI8x4[3] = {{4, EMBER_DTYPE_INT, 8, 1}, {4, EMBER_DTYPE_INT, 8, 1}, {4, EMBER_DTYPE_INT, 8, 1}};

const ember_operator kOps[] = {
    {"tvmgen_default_add_0", Op2, 2, 1, kI8x4},
    {"tvmgen_default_average_pool2d_1", Op1, 1, 1, nullptr},
    {"tvmgen_default_average_pool2d_2", Op1, 1, 1, nullptr},
    {"tvmgen_default_concatenation_0", Op2, 2, 1, nullptr},
    {"tvmgen_default_conv2d_0", Op1, 1, 1, nullptr},
    {"tvmgen_default_depthwise_conv2d_1", Op1, 1, 1, nullptr},
    {"tvmgen_default_fully_connected_2", Op1, 1, 1, nullptr},
    {"tvmgen_default_fully_connected_3", Op1, 1, 1, nullptr},
    {"tvmgen_default_fully_connected_4", Op1, 1, 1, nullptr},
    {"tvmgen_default_logistic_0", Op1, 1, 1, nullptr},
    {"tvmgen_default_max_pool2d_0", Op1, 1, 1, nullptr},
    {"tvmgen_default_mean_2", Op1, 1, 1, nullptr},
    {"tvmgen_default_mul_1", Op2, 2, 1, nullptr},
    {"tvmgen_default_pad_0", Op1, 1, 1, nullptr},
    {"tvmgen_default_softmax_4", Op1, 1, 1, nullptr},
    {"tvmgen_default_softmax_5", Op1, 1, 1, nullptr},
    {"tvmgen_default_strided_slice_1", Op1, 1, 1, nullptr},
    {"tvmgen_default_transpose_1", Op1, 1, 1, nullptr},
    {"tvmgen_default_fails", OpFails, 1, 1, nullptr},
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The text as a heap block of exactly its size, without a NUL.
  std::vector<char> text(data, data + size);
  g_text = text.data();
  g_len = text.size();

  struct ember_json whole;
  ember_json_init(&whole, g_text, g_len);
  const int skipped = ember_json_skip(&whole);
  if (whole.err_at > g_len) Fail("error offset past the text");
  struct ember_json walk;
  ember_json_init(&walk, g_text, g_len);
  Walk(&walk, 0);
  if ((walk.err == 0) != (skipped == 0)) Fail("walk and skip disagree");
  if (walk.pos != whole.pos && skipped == 0) Fail("walk and skip end at different places");

  size_t work_size = 64 << 10;
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::vector<uint8_t> work(work_size);
    g_work = work.data();
    g_work_size = work.size();
    struct ember_graph_executor* e = nullptr;
    struct ember_graph_diag diag = {0, 0};
    const ember_error_t err = ember_graph_executor_create(g_text, g_len, kOps, sizeof kOps / sizeof kOps[0],
                                                          work.data(), work.size(), &e, &diag);
    if (err == kEmberErrorGraphBufferTooSmall) {
      if (attempt == 1) Fail("too small again with the size it asked for");
      if (diag.needed <= work_size) Fail("too small, but asks for no more");
      if (diag.needed > (size_t{8} << 20)) return 0;
      work_size = diag.needed;
      continue;
    }
    if (err != kEmberErrorNoError) {
      if (diag.error_at > g_len) Fail("error offset past the text");
      return 0;
    }
    if (diag.needed > work.size()) Fail("accepted with needed > the work buffer");
    const uint32_t inputs = ember_graph_executor_num_inputs(e);
    for (uint32_t i = 0; i < inputs; ++i) {
      std::vector<uint8_t> in(ember_graph_executor_input_size(e, i), 1);
      if (!in.empty() && ember_graph_executor_set_input(e, i, in.data(), in.size()) != kEmberErrorNoError) {
        Fail("set_input of exactly the input's size failed");
      }
    }
    if (ember_graph_executor_input_size(e, inputs) != 0) Fail("an input past the last has a size");
    const int32_t index = ember_graph_executor_input_index(e, "input");
    if (index >= static_cast<int32_t>(inputs) || index < -1) Fail("input_index out of range");
    for (uint32_t n = 0; n < ember_graph_executor_num_nodes(e); ++n) ember_graph_executor_run_node(e, n);
    ember_graph_executor_run(e);
    for (uint32_t o = 0; o < ember_graph_executor_num_outputs(e); ++o) {
      std::vector<uint8_t> out(ember_graph_executor_output_size(e, o));
      if (!out.empty() && ember_graph_executor_get_output(e, o, out.data(), out.size()) != kEmberErrorNoError) {
        Fail("get_output into exactly the output's size failed");
      }
    }
    return 0;
  }
  return 0;
}
