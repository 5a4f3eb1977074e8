// Helpers of the TFLite import tests: import a model built with ModelBuilder,
// pack values into tensor bytes and back, run the reference evaluator on the
// imported graph.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "frontend/tflite/import.h"
#include "ir/graph.h"
#include "ops/evaluate.h"

namespace ember::frontend::tflite::test_util {

// The imported graph; a test failure (and an empty graph) when import fails.
inline ir::Graph MustImport(const std::vector<uint8_t>& bytes, const std::string& file = "m.tflite") {
  auto g = ImportTflite(bytes, file);
  EXPECT_TRUE(g.ok()) << (g.ok() ? "" : g.diag().ToString());
  return g.ok() ? std::move(g).value() : ir::Graph{};
}

template <typename T>
std::vector<uint8_t> Bytes(const std::vector<T>& v) {
  std::vector<uint8_t> b(v.size() * sizeof(T));
  if (!b.empty()) std::memcpy(b.data(), v.data(), b.size());
  return b;
}

template <typename T>
std::vector<T> Values(const std::vector<uint8_t>& b) {
  std::vector<T> v(b.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), b.data(), v.size() * sizeof(T));
  return v;
}

// Every output of the reference evaluator on the graph, decoded as T.
template <typename T>
std::vector<std::vector<T>> EvalAll(const ir::Graph& g, const std::vector<std::vector<uint8_t>>& inputs) {
  auto r = ops::EvaluateGraph(g, inputs);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diag().ToString());
  std::vector<std::vector<T>> out;
  if (!r.ok()) return out;
  for (const auto& o : r->outputs) out.push_back(Values<T>(o));
  return out;
}

// The single output of the reference evaluator on the graph (empty, and a
// test failure, when evaluation fails or the graph has another output count).
template <typename T>
std::vector<T> Eval(const ir::Graph& g, const std::vector<std::vector<uint8_t>>& inputs) {
  std::vector<std::vector<T>> all = EvalAll<T>(g, inputs);
  EXPECT_EQ(all.size(), 1u);
  return all.size() == 1 ? all[0] : std::vector<T>{};
}

}  // namespace ember::frontend::tflite::test_util
