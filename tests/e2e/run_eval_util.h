// `ember compile` + `ember run` against `ember eval` for a model file: the
// host build of the generated C, with its memory plan, must give the
// reference evaluator's bytes on patterned inputs.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "util/test_util.h"

namespace ember::test {

// Deterministic pseudo-random bytes (xorshift32 from `seed`).
inline std::vector<uint8_t> Pattern(size_t n, uint32_t seed) {
  std::vector<uint8_t> v(n);
  uint32_t x = seed;
  for (auto& b : v) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    b = static_cast<uint8_t>(x);
  }
  return v;
}

// Compiles the TFLite (or, with `ext` ".onnx", ONNX) `model`, then runs it
// and `ember eval` on `seeds` patterned inputs (float inputs kept below 2 in
// magnitude) and compares.
inline void ExpectRunEqualsEval(const std::vector<uint8_t>& model, bool float_input, uint32_t seeds = 3,
                                const std::string& ext = ".tflite") {
  const std::string dir = TempDir();
  const std::string file = dir + "/m" + ext;
  WriteFile(file, model);
  const CliResult c = RunCli({"compile", file, "-o", dir + "/m.tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult a = RunCli({"analyze", file, "--format", "json"});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto bytes = nlohmann::json::parse(a.out)["inputs"][0]["bytes"].get<size_t>();
  for (uint32_t seed = 1; seed <= seeds; ++seed) {
    std::vector<uint8_t> in = Pattern(bytes, seed);
    if (float_input) {
      for (size_t i = 0; i + 3 < in.size(); i += 4) in[i + 3] = (in[i + 3] & 0x80) | 0x3f;  // |v| < 2
    }
    WriteFile(dir + "/in.bin", in);
    const CliResult e = RunCli({"eval", file, "--input", dir + "/in.bin", "--output", dir + "/ref.bin"});
    ASSERT_EQ(e.exit_code, 0) << e.err;
    const CliResult r = RunCli({"run", dir + "/m.tar", "--input", dir + "/in.bin", "--output", dir + "/got.bin"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ReadFile(dir + "/got.bin"), ReadFile(dir + "/ref.bin")) << "seed " << seed;
  }
}

}  // namespace ember::test
