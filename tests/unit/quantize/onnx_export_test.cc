// ExportFloatOnnx: float IR graphs (IR text) written as ONNX, imported back
// by the ONNX frontend and evaluated: the same outputs as the IR graph, for
// operators in both layouts (NCHW after a conv, the IR's NHWC after a
// reshape), broadcast constants, layout-sensitive axes (concatenation, pad,
// mean, reduce_max, reduce_min, reduce_prod, transpose, strided_slice), and the diagnostics.
#include "quantize/onnx_export.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>

#include "frontend/onnx/import.h"
#include "ir/parser.h"
#include "ops/evaluate.h"
#include "quantize/qdq_writer.h"
#include "util/test_models.h"

namespace ember::quantize {
namespace {

namespace pb = ::onnx;

// hex"..." of n deterministic floats in [-scale, scale).
std::string Hex(size_t n, float scale, uint32_t seed) {
  test::XorShift32 rng(seed);
  std::string s = "hex\"";
  for (size_t k = 0; k < n; ++k) {
    const float f = rng.Float() * scale;
    uint8_t b[4];
    std::memcpy(b, &f, 4);
    char h[9];
    std::snprintf(h, sizeof h, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
    s += h;
  }
  return s + "\"";
}

std::vector<float> Floats(const std::vector<uint8_t>& b) {
  std::vector<float> v(b.size() / 4);
  std::memcpy(v.data(), b.data(), v.size() * 4);
  return v;
}

// Exports `text`, imports the ONNX model and compares every output on one
// random input. Returns the written model.
pb::ModelProto RoundTrip(const std::string& text) {
  auto g = ir::Parse(text);
  EXPECT_TRUE(g.ok()) << g.diag().ToString();
  if (!g.ok()) return {};
  auto m = ExportFloatOnnx(*g, "test.tflite");
  EXPECT_TRUE(m.ok()) << m.diag().ToString();
  if (!m.ok()) return {};
  std::string bytes;
  m->SerializeToString(&bytes);
  auto h = frontend::onnx::ImportOnnx(std::vector<uint8_t>(bytes.begin(), bytes.end()), "exported.onnx");
  EXPECT_TRUE(h.ok()) << h.diag().ToString();
  if (!h.ok()) return *m;
  std::vector<std::vector<uint8_t>> feeds;
  test::XorShift32 rng(7);
  for (ir::TensorId i : g->inputs) {
    EXPECT_EQ(h->tensor(h->inputs[feeds.size()]).shape, g->tensor(i).shape) << "inputs keep the IR's layout";
    std::vector<float> v(static_cast<size_t>(g->tensor(i).num_elements()));
    for (float& x : v) x = 2.0f * rng.Float();
    std::vector<uint8_t> b(v.size() * 4);
    std::memcpy(b.data(), v.data(), b.size());
    feeds.push_back(b);
  }
  auto want = ops::EvaluateGraph(*g, feeds);
  auto got = ops::EvaluateGraph(*h, feeds);
  EXPECT_TRUE(want.ok() && got.ok());
  if (!want.ok() || !got.ok()) return *m;
  EXPECT_EQ(got->outputs.size(), want->outputs.size());
  for (size_t k = 0; k < want->outputs.size() && k < got->outputs.size(); ++k) {
    EXPECT_EQ(h->tensor(h->outputs[k]).shape, g->tensor(g->outputs[k]).shape) << "output " << k;
    if (g->tensor(g->outputs[k]).dtype != ir::DType::kFloat32) {  // indices, conditions: equal
      EXPECT_EQ(h->tensor(h->outputs[k]).dtype, g->tensor(g->outputs[k]).dtype) << "output " << k;
      EXPECT_EQ(got->outputs[k], want->outputs[k]) << "output " << k;
      continue;
    }
    const auto a = Floats(want->outputs[k]), b = Floats(got->outputs[k]);
    EXPECT_EQ(a.size(), b.size()) << "output " << k;
    if (a.size() != b.size()) continue;
    double mx = 1e-30, d = 0.0;
    for (size_t i = 0; i < a.size(); ++i) {
      mx = std::max(mx, std::fabs(static_cast<double>(a[i])));
      d = std::max(d, std::fabs(static_cast<double>(a[i]) - b[i]));
    }
    EXPECT_LE(d / mx, 1e-5) << "output " << k << " '" << g->tensor(g->outputs[k]).name << "'";
  }
  return *m;
}

int Count(const pb::ModelProto& m, const std::string& op) {
  int n = 0;
  for (const auto& node : m.graph().node()) n += node.op_type() == op;
  return n;
}

TEST(OnnxExport, NchwOperatorsAndLayoutSensitiveAxes) {
  const std::string text = R"(graph "a" {
  input %x : f32[1,6,5,3]
  const %w : f32[4,3,3,3] = )" + Hex(108, 0.5f, 1) + R"(
  const %b : f32[4] = )" + Hex(4, 0.5f, 2) + R"(
  %c = conv2d(%x, %w, %b) {act="relu6", dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,6,5,4]
  const %k : f32[4] = )" + Hex(4, 1.0f, 3) + R"(
  %m = mul(%c, %k) {act="clip", act_max=0.75, act_min=-0.4} : f32[1,6,5,4]
  %s = logistic(%m) : f32[1,6,5,4]
  %cat = concatenation(%s, %c) {act="none", axis=3} : f32[1,6,5,8]
  %p = pad(%cat) {pads=[0,0,1,0,0,2,0,0]} : f32[1,7,7,8]
  %mx = max_pool2d(%p) {act="none", filter=[2,2], pad=[0,0,0,0], stride=[1,1]} : f32[1,6,6,8]
  %hs = hard_swish(%mx) : f32[1,6,6,8]
  %r = reduce_max(%hs) {axes=[1], keep_dims=0} : f32[1,6,8]
  %mean = mean(%hs) {axes=[1,2], keep_dims=0} : f32[1,8]
  %keep = mean(%hs) {axes=[2], keep_dims=1} : f32[1,6,1,8]
  %sq = squeeze(%keep) {axes=[2]} : f32[1,6,8]
  %rmin = reduce_min(%hs) {axes=[3], keep_dims=1} : f32[1,6,6,1]
  %rp = reduce_prod(%mean) {axes=[1], keep_dims=0} : f32[1]
  %ls = log_softmax(%hs) : f32[1,6,6,8]
  output %r, %mean, %sq, %cat, %rmin, %rp, %ls
})";
  const pb::ModelProto m = RoundTrip(text);
  EXPECT_EQ(Count(m, "Conv"), 1);
  EXPECT_EQ(Count(m, "Clip"), 2) << "relu6 as Clip after the Conv, the mul's clip after the Mul";
}

TEST(OnnxExport, IrLayoutOperatorsAfterConv) {
  const std::string text = R"(graph "b" {
  input %x : f32[1,6,5,2]
  const %w : f32[1,3,3,4] = )" + Hex(36, 0.5f, 4) + R"(
  %d = depthwise_conv2d(%x, %w, _) {act="none", depth_multiplier=2, dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,6,5,4]
  %t = transpose(%d) {perm=[0,3,1,2]} : f32[1,4,6,5]
  %sl = strided_slice(%t) {begin=[0,1,0,-3], begin_mask=0, end=[1,3,6,0], end_mask=8, shrink_axis_mask=1, strides=[1,1,2,1]} : f32[2,3,3]
  %th = tanh(%sl) : f32[2,3,3]
  %rs = reshape(%d) {shape=[1,120]} : f32[1,120]
  const %fw : f32[3,120] = )" + Hex(360, 0.2f, 5) + R"(
  %fc = fully_connected(%rs, %fw, _) {act="relu", keep_num_dims=0} : f32[1,3]
  %lr = leaky_relu(%d) {alpha=0.2} : f32[1,6,5,4]
  %up = resize_nearest_neighbor(%lr) {align_corners=0, half_pixel_centers=1, size=[12,10]} : f32[1,12,10,4]
  %ap = average_pool2d(%up) {act="none", filter=[3,3], pad=[1,1,1,1], stride=[2,2]} : f32[1,6,5,4]
  %sum = add(%ap, %d) {act="relu"} : f32[1,6,5,4]
  %sm = softmax(%sum) {beta=0.5} : f32[1,6,5,4]
  output %th, %fc, %sm
})";
  const pb::ModelProto m = RoundTrip(text);
  EXPECT_EQ(Count(m, "Gemm"), 1);
}

TEST(OnnxExport, FullyConnectedOnRank4AndTransposeConv) {
  const std::string text = R"(graph "c" {
  input %x : f32[1,4,4,3]
  const %w : f32[2,3,3,3] = )" + Hex(54, 0.5f, 6) + R"(
  %tc = transpose_conv(%x, %w, _) {act="none", pad=[1,1,0,0], stride=[2,2]} : f32[1,8,8,2]
  const %fw : f32[5,2] = )" + Hex(10, 0.5f, 7) + R"(
  const %fb : f32[5] = )" + Hex(5, 0.5f, 8) + R"(
  %fc = fully_connected(%tc, %fw, %fb) {act="relu_n1_to_1", keep_num_dims=1} : f32[1,8,8,5]
  output %fc
})";
  RoundTrip(text);
}

TEST(OnnxExport, PlainCnnHasOneTransposeAtTheInputAndOneBeforeTheFlatten) {
  const std::string text = R"(graph "d" {
  input %x : f32[1,8,8,2]
  const %w : f32[4,3,3,2] = )" + Hex(72, 0.5f, 9) + R"(
  %c = conv2d(%x, %w, _) {act="relu", dilation=[1,1], pad=[1,1,1,1], stride=[2,2]} : f32[1,4,4,4]
  const %w2 : f32[1,3,3,4] = )" + Hex(36, 0.5f, 10) + R"(
  %d = depthwise_conv2d(%c, %w2, _) {act="relu", depth_multiplier=1, dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,4,4,4]
  %rs = reshape(%d) {shape=[1,64]} : f32[1,64]
  output %rs
})";
  const pb::ModelProto m = RoundTrip(text);
  EXPECT_EQ(Count(m, "Transpose"), 2);
  EXPECT_EQ(Count(m, "Relu"), 2);
}

// A conversion that moves only size-1 dimensions is a Transpose too (ember's
// layout pass cancels it against the importer's transposes).
TEST(OnnxExport, OneChannelInputIsTransposedToo) {
  const std::string text = R"(graph "e" {
  input %x : f32[1,8,8,1]
  const %w : f32[4,3,3,1] = )" + Hex(36, 0.5f, 11) + R"(
  %c = conv2d(%x, %w, _) {act="none", dilation=[1,1], pad=[0,0,0,0], stride=[8,8]} : f32[1,1,1,4]
  %rs = reshape(%c) {shape=[1,4]} : f32[1,4]
  output %rs
})";
  const pb::ModelProto m = RoundTrip(text);
  EXPECT_EQ(Count(m, "Transpose"), 2);
  EXPECT_EQ(Count(m, "Reshape"), 1);
}

// The operators added for TFLite's SUM, ARG_MAX, GATHER, SPLIT (PACK and
// UNPACK import as reshape, concatenation and split), comparisons,
// SELECT_V2, logical operators, the elementwise math operators, MIRROR_PAD,
// DEPTH_TO_SPACE, SPACE_TO_DEPTH, BATCH_MATMUL, RESIZE_BILINEAR, CAST and
// TOPK_V2, after a conv (NCHW in the written model) and on the IR's layout.
TEST(OnnxExport, MathLogicAndDataMovementOperators) {
  const std::string text = R"(graph "f" {
  input %x : f32[1,4,4,3]
  const %w : f32[8,3,3,3] = )" + Hex(216, 0.5f, 12) + R"(
  %c = conv2d(%x, %w, _) {act="none", dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,4,4,8]
  %sum = reduce_sum(%c) {axes=[1,2], keep_dims=0} : f32[1,8]
  %sumk = reduce_sum(%c) {axes=[3], keep_dims=1} : f32[1,4,4,1]
  %am = arg_max(%c) {axis=3, keep_dims=0} : i32[1,4,4]
  %an = arg_min(%c) {axis=1, keep_dims=1} : i64[1,1,4,8]
  const %idx : i32[3] = hex"050000000000000002000000"
  %g = gather(%c, %idx) {axis=3, batch_dims=0} : f32[1,4,4,3]
  %s0, %s1 = split(%c) {axis=3, sizes=[3,5]} : f32[1,4,4,3], f32[1,4,4,5]
  %mx = maximum(%g, %s0) : f32[1,4,4,3]
  %mn = minimum(%mx, %x) : f32[1,4,4,3]
  %ab = abs(%s1) : f32[1,4,4,5]
  %sq = sqrt(%ab) : f32[1,4,4,5]
  %lg = log(%sq) : f32[1,4,4,5]
  %ng = neg(%lg) : f32[1,4,4,5]
  %ex = exp(%ng) : f32[1,4,4,5]
  %lt = less(%c, %sumk) : bool[1,4,4,8]
  %ge = greater_equal(%c, %sumk) : bool[1,4,4,8]
  %ne = not_equal(%lt, %ge) : bool[1,4,4,8]
  %eq = equal(%am, %am) : bool[1,4,4]
  %both = logical_and(%lt, %ne) : bool[1,4,4,8]
  %either = logical_or(%both, %ge) : bool[1,4,4,8]
  %none = logical_not(%either) : bool[1,4,4,8]
  %sel = select(%lt, %c, %sumk) : f32[1,4,4,8]
  %d2s = depth_to_space(%c) {block_size=2, mode="DCR"} : f32[1,8,8,2]
  %s2d = space_to_depth(%d2s) {block_size=2} : f32[1,4,4,8]
  %mp = mirror_pad(%s2d) {mode="reflect", pads=[0,0,1,2,2,1,0,0]} : f32[1,7,7,8]
  %ep = mirror_pad(%c) {mode="edge", pads=[0,0,3,0,0,1,0,0]} : f32[1,7,5,8]
  %rb = resize_bilinear(%c) {align_corners=0, half_pixel_centers=1, size=[7,9]} : f32[1,7,9,8]
  %ra = resize_bilinear(%c) {align_corners=1, half_pixel_centers=0, size=[6,5]} : f32[1,6,5,8]
  %rs = resize_bilinear(%c) {align_corners=0, half_pixel_centers=0, size=[8,8]} : f32[1,8,8,8]
  %bm = batch_matmul(%c, %c) {adj_x=0, adj_y=1} : f32[1,4,4,4]
  %bt = batch_matmul(%g, %s1) {adj_x=1, adj_y=0} : f32[1,4,3,5]
  %ci = cast(%am) : f32[1,4,4]
  %tv, %ti = topk_v2(%c) {k=3, largest=1} : f32[1,4,4,3], i32[1,4,4,3]
  %sv, %si = topk_v2(%c) {k=2, largest=0} : f32[1,4,4,2], i64[1,4,4,2]
  output %sum, %am, %an, %mn, %ex, %eq, %none, %sel, %mp, %ep, %rb, %ra, %rs, %bm, %bt, %ci, %s0, %tv, %ti, %sv, %si
})";
  const pb::ModelProto m = RoundTrip(text);
  for (const char* op : {"ReduceSum", "ArgMax", "ArgMin", "Gather", "Split", "Max", "Min", "Abs", "Sqrt", "Log", "Neg",
                         "Exp", "Less", "GreaterOrEqual", "Equal", "Not", "And", "Or", "Where", "DepthToSpace",
                         "SpaceToDepth", "Pad", "Resize", "MatMul", "Cast", "TopK"}) {
    EXPECT_GE(Count(m, op), 1) << op;
  }
}

// elu (TFLite's ELU, alpha 1) as ONNX Elu with alpha 1 written out, after a
// conv (NCHW) and on a rank-2 tensor; the importer reads it back as elu.
TEST(OnnxExport, EluIsEluWithAlphaOne) {
  const std::string text = R"(graph "e" {
  input %x : f32[1,4,4,3]
  const %w : f32[4,3,3,3] = )" + Hex(108, 0.5f, 5) + R"(
  %c = conv2d(%x, %w, _) {act="none", dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,4,4,4]
  %e = elu(%c) : f32[1,4,4,4]
  %r = reshape(%e) {shape=[4,16]} : f32[4,16]
  %f = elu(%r) : f32[4,16]
  output %e, %f
})";
  const pb::ModelProto m = RoundTrip(text);
  EXPECT_EQ(Count(m, "Elu"), 2);
  for (const auto& node : m.graph().node()) {
    if (node.op_type() != "Elu") continue;
    ASSERT_EQ(node.attribute_size(), 1);
    EXPECT_EQ(node.attribute(0).name(), "alpha");
    EXPECT_EQ(node.attribute(0).f(), 1.0f);
  }
}

// square as Mul(x, x); cumsum as CumSum with its axis (after a conv too: the
// IR axis in the IR layout); a truncated mod as Mod fmod=1; gather_elements
// as GatherElements, gather_nd and scatter_nd as GatherND and ScatterND of
// int64 indices (a Cast). The
// importer reads them back with the same results.
TEST(OnnxExport, SquareCumsumAndTruncatedMod) {
  const std::string text = R"(graph "s" {
  input %x : f32[1,4,4,3]
  const %w : f32[4,3,3,3] = )" + Hex(108, 0.5f, 7) + R"(
  const %d : f32[] = hex"0000c03f"
  %c = conv2d(%x, %w, _) {act="none", dilation=[1,1], pad=[1,1,1,1], stride=[1,1]} : f32[1,4,4,4]
  %q = square(%c) : f32[1,4,4,4]
  %s = cumsum(%q) {axis=2, exclusive=1, reverse=1} : f32[1,4,4,4]
  %m = mod(%s, %d) {fmod=1} : f32[1,4,4,4]
  const %gi : i32[1,1,1,2] = hex"0000000003000000"
  %g = gather_elements(%m, %gi) {axis=3} : f32[1,1,1,2]
  const %ni : i32[1,3] = hex"000000000100000002000000"
  %n = gather_nd(%m, %ni) : f32[1,4]
  %sn = scatter_nd(%m, %ni, %n) {reduction="none"} : f32[1,4,4,4]
  output %m, %g, %n, %sn
})";
  const pb::ModelProto m = RoundTrip(text);
  EXPECT_EQ(Count(m, "GatherElements"), 1);
  EXPECT_EQ(Count(m, "GatherND"), 1);
  EXPECT_EQ(Count(m, "ScatterND"), 1);
  EXPECT_EQ(Count(m, "Mul"), 1);
  EXPECT_EQ(Count(m, "CumSum"), 1);
  EXPECT_EQ(Count(m, "Mod"), 1);
}

TEST(OnnxExport, RefusesAScatterNdReduction) {
  auto g = ir::Parse(R"(graph "s" {
  input %x : f32[3,2]
  const %i : i32[1,1] = hex"01000000"
  const %u : f32[1,2] = hex"0000803f0000803f"
  %y = scatter_nd(%x, %i, %u) {reduction="add"} : f32[3,2]
  output %y
})");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  auto m = ExportFloatOnnx(*g, "s.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diag().id, kNotExportable);
  EXPECT_NE(m.diag().message.find("ScatterND reduction"), std::string::npos) << m.diag().message;
}

TEST(OnnxExport, RefusesAFloatFloorMod) {
  auto g = ir::Parse(R"(graph "f" {
  input %x : f32[2,3]
  const %d : f32[] = hex"0000c03f"
  %y = mod(%x, %d) {fmod=0} : f32[2,3]
  output %y
})");
  ASSERT_TRUE(g.ok()) << g.diag().ToString();
  auto m = ExportFloatOnnx(*g, "f.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diag().id, kNotExportable);
  EXPECT_NE(m.diag().message.find("floor modulo"), std::string::npos) << m.diag().message;
}

TEST(OnnxExport, RefusesOperatorsWithoutAnOnnxForm) {
  for (const char* node : {"%y = mirror_pad(%x) {mode=\"symmetric\", pads=[0,0,1,1,1,1,0,0]} : f32[1,6,6,2]",
                           "%y = l2_normalization(%x) : f32[1,4,4,2]", "%y = rsqrt(%x) : f32[1,4,4,2]"}) {
    auto g = ir::Parse(std::string("graph \"r\" {\n  input %x : f32[1,4,4,2]\n  ") + node + "\n  output %y\n}");
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    auto m = ExportFloatOnnx(*g, "r.tflite");
    ASSERT_FALSE(m.ok()) << node;
    EXPECT_EQ(m.diag().id, kNotExportable);
    EXPECT_NE(m.diag().message.find("cannot write it as an ONNX model"), std::string::npos) << m.diag().message;
  }
}

// Operators the exporter has no ONNX form for are refused by name. (erf,
// the recurrent and variable operators used to fall through to the cumsum
// case and were written as a CumSum.)
TEST(OnnxExport, OperatorsWithoutAFormAreNotWrittenAsAnotherOperator) {
  for (const char* node : {"%y = erf(%x) : f32[1,4,4,2]",
                           "%y = resize_linear(%x) {coordinate_mode=\"half_pixel\", scale=[2.0, 2.0], size=[8,8]} : "
                           "f32[1,8,8,2]"}) {
    auto g = ir::Parse(std::string("graph \"r\" {\n  input %x : f32[1,4,4,2]\n  ") + node + "\n  output %y\n}");
    ASSERT_TRUE(g.ok()) << g.diag().ToString();
    auto m = ExportFloatOnnx(*g, "r.tflite");
    ASSERT_FALSE(m.ok()) << node;
    EXPECT_EQ(m.diag().id, kNotExportable);
    EXPECT_NE(m.diag().message.find("no ONNX form"), std::string::npos) << m.diag().message;
  }
}

TEST(OnnxExport, RefusesQuantizedGraphs) {
  auto g = ir::Parse(R"(graph "q" {
  input %x : i8[1,4] quant(0.5, 0)
  %y = relu(%x) : i8[1,4] quant(0.5, 0)
  output %y
})");
  ASSERT_TRUE(g.ok());
  auto m = ExportFloatOnnx(*g, "int8.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diag().id, kNotQuantizable);
  EXPECT_NE(m.diag().message.find("int8.tflite"), std::string::npos) << m.diag().message;
}

TEST(OnnxExport, RefusesRuntimeWeights) {
  auto g = ir::Parse(R"(graph "w" {
  input %x : f32[1,4]
  input %w : f32[2,4]
  %y = fully_connected(%x, %w, _) {act="none", keep_num_dims=0} : f32[1,2]
  output %y
})");
  ASSERT_TRUE(g.ok());
  auto m = ExportFloatOnnx(*g, "w.tflite");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.diag().id, kNotExportable);
  EXPECT_NE(m.diag().message.find("fully_connected"), std::string::npos) << m.diag().message;
}

}  // namespace
}  // namespace ember::quantize
