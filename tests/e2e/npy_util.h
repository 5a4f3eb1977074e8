// Helpers of the end-to-end tests that drive the CLI with .npy files: write
// a float32 array, read one back (a failed parse fails the test), the lines
// of `ember inspect` output that hold an operator, and a model compiled for
// the Cortex-M4 and run on its emulated board.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "e2e/ort_util.h"  // FloatBytes, BytesToFloats
#include "e2e/qemu_util.h"
#include "support/npy.h"
#include "util/test_util.h"

namespace ember::test {

// Writes `v` as a float32 .npy of `shape`.
inline void WriteFloatNpy(const std::string& path, const std::vector<int64_t>& shape, const std::vector<float>& v) {
  NpyArray a;
  a.descr = "<f4";
  a.shape = shape;
  a.data = FloatBytes(v);
  WriteFile(path, SerializeNpy(a));
}

// The .npy at `path` (empty, and a test failure, when it does not parse).
inline NpyArray ReadNpy(const std::string& path) {
  auto a = ParseNpy(ReadFile(path), path);
  EXPECT_TRUE(a.ok()) << path;
  return a.ok() ? *a : NpyArray{};
}

// The values of a float32 .npy.
inline std::vector<float> ReadFloatNpy(const std::string& path) { return BytesToFloats(ReadNpy(path).data); }

// The lines of a printed graph that hold `op(` as a node's operator.
inline std::vector<std::string> LinesWith(const std::string& text, const std::string& op) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.find(" = " + op + "(") != std::string::npos) lines.push_back(line);
  return lines;
}

// n reproducible values in [-scale, scale) (a linear congruential sequence).
inline std::vector<float> Seeded(size_t n, uint32_t seed, float scale) {
  std::vector<float> v(n);
  uint32_t s = seed * 2654435761u + 12345u;
  for (float& x : v) {
    s = s * 1664525u + 1013904223u;
    x = scale * (static_cast<float>(s >> 8) / 8388608.0f - 1.0f);
  }
  return v;
}

// `ember eval` of `model` on dir/x.npy into dir/<tag>.npy, and the C that
// `ember compile --target host` generates, run by `ember run`, into
// dir/<tag>_run.npy.
inline void EvalAndRunOnHost(const std::string& model, const std::string& dir, const std::string& tag) {
  const CliResult e = RunCli({"eval", model, "--input", dir + "/x.npy", "--output", dir + "/" + tag + ".npy"});
  ASSERT_EQ(e.exit_code, 0) << e.err;
  const CliResult c = RunCli({"compile", model, "--target", "host", "-o", dir + "/" + tag + ".tar"});
  ASSERT_EQ(c.exit_code, 0) << c.err;
  const CliResult r =
      RunCli({"run", dir + "/" + tag + ".tar", "--input", dir + "/x.npy", "--output", dir + "/" + tag + "_run.npy"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// EvalAndRunOnHost on dir/x.npy (`input`'s bytes), then: the host build
// equals `ember eval` byte for byte, eval gives `outputs` float32 values,
// and they equal ONNX Runtime's default run on every element (printed;
// skipped with a message without onnxruntime-node; `dims` like 1x3x5x5).
inline void ExpectEvalEqualsHostAndOnnxRuntime(const std::string& model, const std::string& dir, const std::string& tag,
                                               const std::vector<uint8_t>& input, const std::string& dims,
                                               size_t outputs, bool int64_input = false) {
  EvalAndRunOnHost(model, dir, tag);
  const std::vector<uint8_t> eval = ReadNpy(dir + "/" + tag + ".npy").data;
  EXPECT_EQ(ReadNpy(dir + "/" + tag + "_run.npy").data, eval) << "the host build differs from ember eval";
  const std::vector<float> y = BytesToFloats(eval);
  ASSERT_EQ(y.size(), outputs);
  if (const std::string why = OrtMissing(); !why.empty()) {
    std::printf("ONNX Runtime check skipped: %s\n", why.c_str());
    return;
  }
  const std::vector<float> ort = RunOrt(model, input, dims, dir, "", int64_input);
  ASSERT_EQ(ort.size(), y.size());
  size_t equal = 0;
  for (size_t i = 0; i < y.size(); ++i) equal += ort[i] == y[i];
  std::printf("%s: ember eval equals ONNX Runtime on %zu of %zu elements\n", tag.c_str(), equal, y.size());
  EXPECT_EQ(equal, y.size());
}

// `ember quantize MODEL --per-channel -o OUT` with the calibration batch
// `calib` of `shape` (written to dir/calib/x.npy).
inline void QuantizePerChannel(const std::string& model, const std::string& dir, const std::vector<int64_t>& shape,
                               const std::vector<float>& calib, const std::string& out) {
  std::filesystem::create_directories(dir + "/calib");
  WriteFloatNpy(dir + "/calib/x.npy", shape, calib);
  const CliResult r = RunCli({"quantize", model, "--calibration", dir + "/calib", "--per-channel", "-o", out});
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

// A batch-1 NCHW tensor of `channels` channels as NHWC (the layout the
// compiled model takes and gives: docs/frontend-onnx.md, layout), and back.
inline std::vector<float> ChannelsLast(const std::vector<float>& v, size_t channels) {
  const size_t pixels = v.size() / channels;
  std::vector<float> out(v.size());
  for (size_t c = 0; c < channels; ++c)
    for (size_t p = 0; p < pixels; ++p) out[p * channels + c] = v[c * pixels + p];
  return out;
}
inline std::vector<float> ChannelsFirst(const std::vector<float>& v, size_t channels) {
  const size_t pixels = v.size() / channels;
  std::vector<float> out(v.size());
  for (size_t c = 0; c < channels; ++c)
    for (size_t p = 0; p < pixels; ++p) out[c * pixels + p] = v[p * channels + c];
  return out;
}

// `ember compile MODEL --target cortex-m4 --module-name MODULE` into
// dir/MODULE_mlf, then the firmware around it run on mps2-an386 with
// `input` (the compiled input's bytes) into *h. Returns "" or what went wrong.
inline std::string CompileAndEmulateOnCortexM4(const std::string& model, const std::string& module,
                                               const std::vector<uint8_t>& input, const std::string& dir,
                                               qemu::HarnessResult* h) {
  const std::string mlf = dir + "/" + module + "_mlf";
  const CliResult c = RunCli({"compile", model, "--target", "cortex-m4", "--module-name", module, "-o", mlf});
  if (c.exit_code != 0) return "ember compile failed:\n" + c.err;
  WriteFile(dir + "/" + module + "_input.bin", input);
  return qemu::BuildAndEmulate(mlf, dir + "/" + module + "_input.bin", dir + "/" + module + ".elf", "mps2-an386", 300, h);
}

// The harness's one output against `ember eval`'s `eval_npy`: byte for byte
// for an int8 model, within 1e-5 relative for a float one; prints the
// instruction count under `label`.
inline void ExpectHarnessOutputEqualsEval(const qemu::HarnessResult& h, const std::string& eval_npy, bool int8,
                                          const std::string& label) {
  ASSERT_EQ(h.outputs.size(), 1u);
  const std::vector<uint8_t> eval = ReadNpy(eval_npy).data;
  if (int8) {
    EXPECT_EQ(h.outputs[0], eval) << label << ": the int8 model on cortex-m4 differs from ember eval";
  } else {
    EXPECT_LE(RelError(BytesToFloats(h.outputs[0]), BytesToFloats(eval)), 1e-5) << label;
  }
  std::printf("%s on cortex-m4 (mps2-an386): %llu instructions\n", label.c_str(),
              static_cast<unsigned long long>(h.instructions.empty() ? 0 : h.instructions[0]));
}

}  // namespace ember::test
