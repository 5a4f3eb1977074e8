// Helpers of the pass tests: IR text in, IR text out, and an evaluation check
// that a pass keeps the graph's results.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ir/parser.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/evaluate.h"
#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes::test {

// Parses, verifies and checks IR text; fails the test (and returns an empty
// graph) when it is not a valid graph.
inline ir::Graph ParseValid(const std::string& text) {
  auto g = ir::Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString() << "\n" << text;
  if (!g.ok()) return {};
  Status st = ir::Verify(*g);
  if (st.ok()) st = ops::CheckGraph(*g);
  EXPECT_TRUE(st.ok()) << st.ToString() << "\n" << text;
  return *g;
}

// Runs the named pass on the graph; the result must verify and check.
inline ir::Graph RunPassOn(const std::string& pass, ir::Graph g, const PassOptions& o = {}) {
  const PassInfo* p = FindPass(pass);
  EXPECT_NE(p, nullptr) << pass;
  if (p == nullptr) return g;
  Status st = RunPass(*p, g, o);
  EXPECT_TRUE(st.ok()) << st.ToString();
  st = ir::Verify(g);
  if (st.ok()) st = ops::CheckGraph(g);
  EXPECT_TRUE(st.ok()) << pass << " left an invalid graph: " << st.ToString() << "\n" << ir::Print(g);
  return g;
}

// Text in, text out.
inline std::string RunText(const std::string& pass, const std::string& text, const PassOptions& o = {}) {
  return ir::Print(RunPassOn(pass, ParseValid(text), o));
}

// A tiny FileCheck: every line of `checks` must occur in `text`, in order,
// each after the previous one; a check starting with "NOT " must occur
// nowhere in `text`.
inline void ExpectMatches(const std::string& text, const std::string& checks) {
  size_t pos = 0, start = 0;
  while (start < checks.size()) {
    size_t end = checks.find('\n', start);
    if (end == std::string::npos) end = checks.size();
    std::string line = checks.substr(start, end - start);
    start = end + 1;
    while (!line.empty() && line[0] == ' ') line.erase(0, 1);
    if (line.empty()) continue;
    if (line.rfind("NOT ", 0) == 0) {
      EXPECT_EQ(text.find(line.substr(4)), std::string::npos) << "unexpected '" << line.substr(4) << "' in\n" << text;
      continue;
    }
    const size_t at = text.find(line, pos);
    EXPECT_NE(at, std::string::npos) << "'" << line << "' not found (in order) in\n" << text;
    if (at == std::string::npos) return;
    pos = at + line.size();
  }
}

// hex"..." text of float32 values, for constants in IR text.
inline std::string HexFloats(const std::vector<float>& v) {
  static const char kHex[] = "0123456789abcdef";
  std::string s = "hex\"";
  for (float f : v) {
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    for (uint8_t x : b) {
      s += kHex[x >> 4];
      s += kHex[x & 15];
    }
  }
  return s + "\"";
}

// Deterministic input bytes for a tensor: floats in [-2, 2), other types any byte.
inline std::vector<uint8_t> TestInput(const ir::Tensor& t, uint32_t seed) {
  std::vector<uint8_t> b(static_cast<size_t>(t.size_bytes()));
  uint32_t s = seed * 2654435761u + 12345u;
  auto next = [&] { return s = s * 1664525u + 1013904223u; };
  if (t.dtype == ir::DType::kFloat32) {
    for (size_t i = 0; i < b.size() / 4; ++i) {
      const float f = static_cast<float>(next() >> 8) / static_cast<float>(1 << 24) * 4.0f - 2.0f;
      std::memcpy(&b[i * 4], &f, 4);
    }
  } else {
    for (uint8_t& x : b) x = static_cast<uint8_t>(next() >> 24);
  }
  return b;
}

// `bytes` of tensor shape `shape` transposed by perm.
inline std::vector<uint8_t> TransposeBytes(const ir::Tensor& t, const std::vector<uint8_t>& bytes,
                                           const std::vector<int64_t>& perm) {
  ir::Tensor c = t;
  c.quant.reset();
  c.data = bytes;
  return *TransposeConstant(c, perm).data;
}

// Evaluates `before` and `after` on the same inputs and compares every
// output: exactly for integer types, within `tol` x (1 + largest magnitude)
// for float32 (within `tol` itself when `absolute`). An input or output that
// the pass turned from NCHW to NHWC (source_layout "NCHW") is transposed
// accordingly.
inline void ExpectSameResults(const ir::Graph& before, const ir::Graph& after, float tol = 1e-5f,
                              bool absolute = false) {
  ASSERT_EQ(before.inputs.size(), after.inputs.size());
  ASSERT_EQ(before.outputs.size(), after.outputs.size());
  const std::vector<int64_t> to_nhwc = {0, 2, 3, 1}, to_nchw = {0, 3, 1, 2};
  std::vector<std::vector<uint8_t>> in_b, in_a;
  for (size_t i = 0; i < before.inputs.size(); ++i) {
    const ir::Tensor& t = before.tensor(before.inputs[i]);
    in_b.push_back(TestInput(t, static_cast<uint32_t>(i + 1)));
    const std::string& layout = after.tensor(after.inputs[i]).source_layout;
    in_a.push_back(layout == "NCHW"  ? TransposeBytes(t, in_b.back(), to_nhwc)
                   : layout == "NCW" ? TransposeBytes(t, in_b.back(), {0, 2, 1})
                                     : in_b.back());
  }
  auto rb = ops::EvaluateGraph(before, in_b);
  auto ra = ops::EvaluateGraph(after, in_a);
  ASSERT_TRUE(rb.ok()) << rb.diag().ToString();
  ASSERT_TRUE(ra.ok()) << ra.diag().ToString();
  for (size_t o = 0; o < before.outputs.size(); ++o) {
    const ir::Tensor& tb = before.tensor(before.outputs[o]);
    const ir::Tensor& ta = after.tensor(after.outputs[o]);
    std::vector<uint8_t> a = ra->outputs[o];
    if (ta.source_layout == "NCHW") a = TransposeBytes(ta, a, to_nchw);
    if (ta.source_layout == "NCW") a = TransposeBytes(ta, a, {0, 2, 1});
    const std::vector<uint8_t>& b = rb->outputs[o];
    ASSERT_EQ(a.size(), b.size());
    if (tb.dtype != ir::DType::kFloat32) {
      EXPECT_EQ(a, b) << "output " << o;
      continue;
    }
    std::vector<float> fa(a.size() / 4), fb(b.size() / 4);
    std::memcpy(fa.data(), a.data(), a.size());
    std::memcpy(fb.data(), b.data(), b.size());
    float big = 0;
    for (float v : fb) big = std::max(big, std::abs(v));
    if (absolute) big = 0;
    for (size_t k = 0; k < fa.size(); ++k)
      ASSERT_NEAR(fa[k], fb[k], tol * (1.0f + big)) << "output " << o << " element " << k;
  }
}

}  // namespace ember::passes::test

namespace ember::passes::test {

// `n` deterministic floats in [-1, 1) as hex"..." text.
inline std::string HexRandom(size_t n, uint32_t seed) {
  std::vector<float> v(n);
  uint32_t s = seed * 747796405u + 2891336453u;
  for (float& f : v) {
    s = s * 1664525u + 1013904223u;
    f = static_cast<float>(s >> 8) / static_cast<float>(1 << 23) - 1.0f;
  }
  return HexFloats(v);
}

}  // namespace ember::passes::test
