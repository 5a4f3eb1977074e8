// Helpers of the ONNX importer's unit tests (onnx_import_test.cc,
// onnx_import_errors_test.cc).
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"

namespace ember::frontend::onnx {

inline ir::Graph MustImport(const std::vector<uint8_t>& bytes, const ImportOptions& o = {}) {
  auto g = ImportOnnx(bytes, "model.onnx", o);
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.diag().ToString());
  return g.ok() ? std::move(g).value() : ir::Graph{};
}

inline Diagnostic MustFail(const std::vector<uint8_t>& bytes, const ImportOptions& o = {}) {
  auto g = ImportOnnx(bytes, "model.onnx", o);
  EXPECT_FALSE(g.ok());
  return g.ok() ? Diagnostic{} : g.diag();
}

inline std::vector<float> Ramp(size_t n, float scale = 0.25f, float offset = -1.0f) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = offset + scale * static_cast<float>((i * 7) % 13);
  return v;
}

// Runs a one-input float graph; returns its float output number `output`.
inline std::vector<float> Eval(const ir::Graph& g, const std::vector<float>& x, size_t output = 0) {
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto r = ops::EvaluateGraph(g, {in});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diag().ToString());
  if (!r.ok() || output >= r->outputs.size()) return {};
  std::vector<float> y(r->outputs[output].size() / 4);
  std::memcpy(y.data(), r->outputs[output].data(), r->outputs[output].size());
  return y;
}

inline void ExpectNear(const std::vector<float>& y, const std::vector<float>& ref, float tol = 1e-5f) {
  ASSERT_EQ(y.size(), ref.size());
  for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], ref[i], tol) << "element " << i;
}

}  // namespace ember::frontend::onnx
