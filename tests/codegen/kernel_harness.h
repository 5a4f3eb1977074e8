// Test harness for C kernel emitters: compiles one node's generated kernel
// into a small C program with the system C compiler (-std=c99 -Wall -Wextra
// -Werror -pedantic), runs it on given inputs and compares with the reference
// evaluator, byte for byte.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "codegen/c/schedule.h"
#include "ir/graph.h"
#include "support/status.h"

namespace ember::test {

// Runs node `node_index` of `g` as generated C. `inputs` holds one buffer per
// non-constant, present operand of the node, in operand order. Returns one
// buffer per node output. The generated source is kept in `*c_source` when
// not null (useful in failure messages). With `overlapped`, the same program
// also runs the kernel once per overlap it declares (Kernel::overlaps, and
// inplace_ok as input 0 at delta 0), with output 0 and a copy of that input
// really sharing one buffer at exactly the declared delta (the reversed
// kernel for upward overlaps), and returns output 0 of each run there.
// `schedules` (optional): the tunable kernels' schedules by node index.
Expected<std::vector<std::vector<uint8_t>>> RunKernelInC(const ir::Graph& g, size_t node_index,
                                                         const std::vector<std::vector<uint8_t>>& inputs,
                                                         const std::string& target = "host",
                                                         std::string* c_source = nullptr,
                                                         std::vector<std::vector<uint8_t>>* overlapped = nullptr,
                                                         const std::map<size_t, codegen::c::Schedule>* schedules = nullptr);

// The whole check: `g` must be a one-node graph whose graph inputs are the
// node's non-constant operands (in order). Evaluates it with the reference
// evaluators and with the generated C and expects identical output bytes.
// Float outputs are compared bit for bit too unless `float_tolerance` > 0.
// `target` selects the kernel variant (e.g. "cortex-m4" for the DSP kernels,
// whose helpers fall back to portable C on the host).
void ExpectKernelMatchesReference(const ir::Graph& g, const std::vector<std::vector<uint8_t>>& inputs,
                                  double float_tolerance = 0.0, const std::string& target = "host");

// One kernel of ExpectKernelsMatchOnBoard: node 0 of a one-node graph whose
// one graph input (int8) is `input` and whose one output is int8.
struct BoardKernelCase {
  std::string name;
  const ir::Graph* graph;
  std::vector<uint8_t> input;
  bool reverse = false;  // emitted to visit the output pixels in reverse order
};

// All kernels in one firmware for `board`, emitted for `target`: each runs
// on the emulated core (arm-none-eabi-gcc, QEMU) and its output must equal
// the reference evaluator's byte for byte; the instructions each took are
// printed. `check_code(i, code)` (optional) inspects case i's kernel text;
// `cflags` are added to build.sh's compiler flags (EMBER_CM_CFLAGS).
// Skips the test when the QEMU tools are absent.
void ExpectKernelsMatchOnBoard(const std::vector<BoardKernelCase>& cases, const std::string& target,
                               const std::string& board,
                               const std::function<void(size_t, const std::string&)>& check_code = {},
                               const std::string& cflags = "");

// Deterministic pseudo-random bytes (xorshift32) for test inputs.
std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed);

}  // namespace ember::test
