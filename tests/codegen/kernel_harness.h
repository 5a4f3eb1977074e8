// Test harness for C kernel emitters: compiles one node's generated kernel
// into a small C program with the system C compiler (-std=c99 -Wall -Wextra
// -Werror -pedantic), runs it on given inputs and compares with the reference
// evaluator, byte for byte.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/status.h"

namespace ember::test {

// Runs node `node_index` of `g` as generated C. `inputs` holds one buffer per
// non-constant, present operand of the node, in operand order. Returns one
// buffer per node output. The generated source is kept in `*c_source` when
// not null (useful in failure messages).
Expected<std::vector<std::vector<uint8_t>>> RunKernelInC(const ir::Graph& g, size_t node_index,
                                                         const std::vector<std::vector<uint8_t>>& inputs,
                                                         const std::string& target = "host",
                                                         std::string* c_source = nullptr);

// The whole check: `g` must be a one-node graph whose graph inputs are the
// node's non-constant operands (in order). Evaluates it with the reference
// evaluators and with the generated C and expects identical output bytes.
// Float outputs are compared bit for bit too unless `float_tolerance` > 0.
// `target` selects the emitters' variant (compiled for the host all the same).
void ExpectKernelMatchesReference(const ir::Graph& g, const std::vector<std::vector<uint8_t>>& inputs,
                                  double float_tolerance = 0.0, const std::string& target = "host");

// Deterministic pseudo-random bytes (xorshift32) for test inputs.
std::vector<uint8_t> RandomBytes(size_t n, uint32_t seed);

}  // namespace ember::test
