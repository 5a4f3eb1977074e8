// MaxPool's Indices output and MaxUnpool against loops written here as
// ONNX's definitions read (a batch of 2 with 3 channels, so the flattened
// indices cross planes; padding, strides, both storage orders; a 1-D unpool),
// and the refusals: indices of a 3-D MaxPool, a constant index outside the
// output, an output_shape that changes the channels.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;

constexpr int64_t kN = 2, kC = 3, kH = 5, kW = 6;

// Distinct values, so every window has one largest.
std::vector<float> Distinct() {
  std::vector<float> v;
  for (int64_t k = 0; k < kN * kC * kH * kW; ++k) v.push_back(static_cast<float>((k * 37) % 181) - 90.0f);
  return v;
}

// ONNX MaxPool's indices: window (oh, ow) of plane p covers rows oh·s − pad_top
// + i, columns ow·s − pad_left + j inside the input; the first largest wins.
std::vector<int64_t> ReferenceIndices(const std::vector<float>& x, int64_t k, int64_t s, int64_t pad, int64_t oh_n,
                                      int64_t ow_n, int64_t storage) {
  std::vector<int64_t> out;
  for (int64_t p = 0; p < kN * kC; ++p)
    for (int64_t oh = 0; oh < oh_n; ++oh)
      for (int64_t ow = 0; ow < ow_n; ++ow) {
        float best = -std::numeric_limits<float>::infinity();
        int64_t where = -1;
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < k; ++j) {
            const int64_t r = oh * s - pad + i, c = ow * s - pad + j;
            if (r < 0 || r >= kH || c < 0 || c >= kW) continue;
            const float v = x[static_cast<size_t>(p * kH * kW + r * kW + c)];
            if (v > best) {
              best = v;
              where = p * kH * kW + (storage == 0 ? r * kW + c : r + c * kH);
            }
          }
        out.push_back(where);
      }
  return out;
}

std::vector<int64_t> Int64Output(const ir::Graph& g, const std::vector<float>& x, size_t output) {
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto r = ops::EvaluateGraph(g, {in});
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.diag().ToString());
  if (!r.ok()) return {};
  std::vector<int64_t> y(r->outputs[output].size() / 8);
  std::memcpy(y.data(), r->outputs[output].data(), y.size() * 8);
  return y;
}

TEST(OnnxMaxPoolIndices, MatchTheDefinitionAcrossPlanes) {
  struct Case {
    int64_t k, s, pad, storage, oh, ow;
  };
  for (const Case& c : {Case{2, 2, 0, 0, 2, 3}, Case{3, 2, 1, 1, 3, 3}, Case{3, 1, 1, 0, 5, 6}}) {
    SCOPED_TRACE("kernel " + std::to_string(c.k) + " storage_order " + std::to_string(c.storage));
    OnnxBuilder b(13);
    b.Input("x", {kN, kC, kH, kW});
    b.Node("MaxPool", {"x"}, {"y", "z"})
        .Ints("kernel_shape", {c.k, c.k})
        .Ints("strides", {c.s, c.s})
        .Ints("pads", {c.pad, c.pad, c.pad, c.pad})
        .Int("storage_order", c.storage);
    b.OutputWithShape("y", {kN, kC, c.oh, c.ow});
    b.OutputWithShape("z", {kN, kC, c.oh, c.ow}, ::onnx::TensorProto::INT64);
    const ir::Graph g = MustImport(b.Bytes());
    const std::vector<float> x = Distinct();
    EXPECT_EQ(Int64Output(g, x, 1), ReferenceIndices(x, c.k, c.s, c.pad, c.oh, c.ow, c.storage));
  }
}

TEST(OnnxMaxUnpool, OneDimensionalUnpoolMatchesTheDefinition) {
  // X [1, 2, 3] unpooled by kernel 3, stride 2, pads (1, 0): length (3 − 1)·2 + 3 − 1 = 6.
  OnnxBuilder b(11);
  b.Input("x", {1, 2, 3});
  b.InitInt64("i", {1, 2, 3}, {0, 3, 5, 7, 8, 11});
  b.Node("MaxUnpool", {"x", "i"}, {"y"}).Ints("kernel_shape", {3}).Ints("strides", {2}).Ints("pads", {1, 0});
  b.OutputWithShape("y", {1, 2, 6});
  const ir::Graph g = MustImport(b.Bytes());
  EXPECT_EQ(Eval(g, {1, 2, 3, 4, 5, 6}), (std::vector<float>{1, 0, 0, 2, 0, 3, 0, 4, 5, 0, 0, 6}));
}

TEST(OnnxMaxUnpool, RunTimeIndicesFromMaxPoolRestorePositions) {
  OnnxBuilder b(13);
  b.Input("x", {kN, kC, kH, kW});
  b.Node("MaxPool", {"x"}, {"pooled", "where"}).Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2});
  b.InitInt64("shape", {4}, {kN, kC, kH, kW});
  b.Node("MaxUnpool", {"pooled", "where", "shape"}, {"y"}).Ints("kernel_shape", {2, 2}).Ints("strides", {2, 2});
  b.OutputWithShape("y", {kN, kC, kH, kW});
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x = Distinct();
  std::vector<float> want(x.size(), 0.0f);
  for (int64_t at : ReferenceIndices(x, 2, 2, 0, 2, 3, 0)) want[static_cast<size_t>(at)] = x[static_cast<size_t>(at)];
  EXPECT_EQ(Eval(g, x), want);
}

TEST(OnnxMaxUnpool, Refusals) {
  {
    OnnxBuilder b(13);
    b.Input("x", {1, 1, 2, 2, 2});
    b.Node("MaxPool", {"x"}, {"y", "z"}).Ints("kernel_shape", {2, 2, 2});
    b.OutputWithShape("y", {1, 1, 1, 1, 1});
    b.OutputWithShape("z", {1, 1, 1, 1, 1}, ::onnx::TensorProto::INT64);
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("3-D MaxPool"), std::string::npos) << d.message;
  }
  {
    OnnxBuilder b(11);
    b.Input("x", {1, 1, 2});
    b.InitInt64("i", {1, 1, 2}, {1, 4});
    b.Node("MaxUnpool", {"x", "i"}, {"y"}).Ints("kernel_shape", {2}).Ints("strides", {2});
    b.OutputWithShape("y", {1, 1, 4});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_NE(d.message.find("index 4 is outside the output of 4 elements"), std::string::npos) << d.ToString();
  }
  {
    OnnxBuilder b(11);
    b.Input("x", {1, 1, 2});
    b.InitInt64("i", {1, 1, 2}, {1, 2});
    b.InitInt64("shape", {3}, {1, 2, 4});
    b.Node("MaxUnpool", {"x", "i", "shape"}, {"y"}).Ints("kernel_shape", {2}).Ints("strides", {2});
    b.OutputWithShape("y", {1, 2, 4});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_NE(d.message.find("changes the batch or channels"), std::string::npos) << d.ToString();
  }
}

}  // namespace
}  // namespace ember::frontend::onnx
