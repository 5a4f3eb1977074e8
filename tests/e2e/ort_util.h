// ONNX Runtime for the end-to-end tests that compare with it: the npm package
// onnxruntime-node (EMBER_ORT_NODE_DIR, else ../ort/node_modules/
// onnxruntime-node beside the source tree), run by node through
// tests/e2e/data/ort_run.js. Never downloads anything; tests skip with
// OrtMissing()'s message when node or the package is absent.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "util/test_util.h"

namespace ember::test {

inline std::string OrtPackageDir() {
  if (const char* env = std::getenv("EMBER_ORT_NODE_DIR"); env && *env) return env;
  return std::string(EMBER_SOURCE_DIR) + "/../ort/node_modules/onnxruntime-node";
}

// Empty when node and the package are there; else why ONNX Runtime checks skip.
inline std::string OrtMissing() {
  const std::string ort = OrtPackageDir();
  if (qemu::HaveProgram("node") && std::filesystem::exists(ort + "/package.json")) return "";
  return "needs node and onnxruntime-node at " + ort +
         " (set EMBER_ORT_NODE_DIR; docs/quantize.md says how to install it)";
}

inline std::vector<uint8_t> FloatBytes(const std::vector<float>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

inline std::vector<float> BytesToFloats(const std::vector<uint8_t>& b) {
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), v.size() * 4);
  return v;
}

// "1x3x96x96"
inline std::string DimsText(const std::vector<int64_t>& shape) {
  std::string s;
  for (size_t k = 0; k < shape.size(); ++k) s += (k ? "x" : "") + std::to_string(shape[k]);
  return s;
}

// The largest |y - want| and the largest |want| (the scale of a relative bound).
struct Distance {
  double err = 0.0, mag = 0.0;
};
inline Distance MaxDistance(const std::vector<float>& y, const std::vector<float>& want) {
  Distance d;
  for (size_t i = 0; i < y.size() && i < want.size(); ++i) {
    d.err = std::max(d.err, std::fabs(static_cast<double>(y[i]) - want[i]));
    d.mag = std::max(d.mag, std::fabs(static_cast<double>(want[i])));
  }
  return d;
}

// `model`'s first output for one float32 input (raw little-endian bytes;
// int64 ones when `int64_input`) of `dims` ("5x2x3"), from ONNX Runtime with
// its default session options, or with graphOptimizationLevel `opt` when
// given; files go to `tmp`. Empty, with a test failure, when the run fails.
inline std::vector<float> RunOrt(const std::string& model, const std::vector<uint8_t>& input, const std::string& dims,
                                 const std::string& tmp, const std::string& opt = "", bool int64_input = false) {
  WriteFile(tmp + "/in.f32", input);
  const auto r = qemu::Run((opt.empty() ? std::string() : "EMBER_ORT_OPT=" + opt + " ") +
                           (int64_input ? "EMBER_ORT_INPUT_TYPE=int64 " : "") + "node " +
                           qemu::Quote(std::string(EMBER_SOURCE_DIR) + "/tests/e2e/data/ort_run.js") + " " +
                           qemu::Quote(OrtPackageDir()) + " " + qemu::Quote(model) + " " +
                           qemu::Quote(tmp + "/in.f32") + " " + dims + " " + qemu::Quote(tmp + "/out.f32"));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  return r.exit_code == 0 ? BytesToFloats(ReadFile(tmp + "/out.f32")) : std::vector<float>{};
}

}  // namespace ember::test
