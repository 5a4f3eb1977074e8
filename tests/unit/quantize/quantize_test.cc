// QuantizeOnnxModel end to end on a small model built in the test (no
// ../shared needed), the error table, and the atomic writer.
#include "quantize/quantize.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>

#include "frontend/tflite/builder.h"
#include "onnx/onnx_pb.h"
#include "support/npy.h"
#include "util/test_util.h"

namespace ember::quantize {
namespace {

namespace pb = ::onnx;

// x[1,8] -> Gemm(4 units) -> Relu -> Gemm(2 units) -> y[1,2]; with
// `dynamic`, the batch dimension of x and y is a parameter.
std::vector<uint8_t> DenseModel(bool dynamic = false) {
  pb::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("dense");
  auto io = [dynamic](pb::ValueInfoProto* v, const std::string& name, int64_t n) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(pb::TensorProto::FLOAT);
    if (dynamic) tt->mutable_shape()->add_dim()->set_dim_param("batch");
    else tt->mutable_shape()->add_dim()->set_dim_value(1);
    tt->mutable_shape()->add_dim()->set_dim_value(n);
  };
  io(g->add_input(), "x", 8);
  io(g->add_output(), "y", 2);
  auto init = [&](const std::string& name, std::vector<int64_t> dims) {
    auto* t = g->add_initializer();
    t->set_name(name);
    t->set_data_type(pb::TensorProto::FLOAT);
    int64_t n = 1;
    for (int64_t d : dims) {
      t->add_dims(d);
      n *= d;
    }
    for (int64_t k = 0; k < n; ++k) t->add_float_data(0.1f * static_cast<float>((k * 5) % 11) - 0.45f);
  };
  init("w1", {4, 8});
  init("b1", {4});
  init("w2", {2, 4});
  init("b2", {2});
  auto node = [&](const std::string& op, std::vector<std::string> in, const std::string& out, bool trans_b) {
    auto* n = g->add_node();
    n->set_op_type(op);
    n->set_name(out + "_op");
    for (auto& i : in) n->add_input(i);
    n->add_output(out);
    if (trans_b) {
      auto* a = n->add_attribute();
      a->set_name("transB");
      a->set_type(pb::AttributeProto::INT);
      a->set_i(1);
    }
  };
  node("Gemm", {"x", "w1", "b1"}, "h", true);
  node("Relu", {"h"}, "r", false);
  node("Gemm", {"r", "w2", "b2"}, "y", true);
  std::string s;
  m.SerializeToString(&s);
  return {s.begin(), s.end()};
}

TEST(Quantize, DenseModelEndToEnd) {
  const std::string dir = test::TempDir();
  test::WriteFile(dir + "/dense.onnx", DenseModel());
  std::filesystem::create_directories(dir + "/calib");
  NpyArray a{"<f4", {16, 1, 8}, std::vector<uint8_t>(16 * 8 * 4)};
  for (int k = 0; k < 16 * 8; ++k) {
    const float v = std::sin(0.7f * static_cast<float>(k)) * 2.0f;
    std::memcpy(&a.data[static_cast<size_t>(k) * 4], &v, 4);
  }
  test::WriteFile(dir + "/calib/x.npy", SerializeNpy(a));
  for (Method method : {Method::kMinMax, Method::kPercentile, Method::kEntropy}) {
    QuantizeOptions o;
    o.method = method;
    auto r = QuantizeOnnxModel(dir + "/dense.onnx", dir + "/calib", o);
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(r->samples, 16u);
    EXPECT_EQ(r->activations_removed, 1);
    EXPECT_EQ(r->int8_nodes, 2);  // both Gemms folded into int8 fully_connected
    ASSERT_EQ(r->layers.size(), 3u);  // x, r (Gemm with the Relu's range), y
    EXPECT_EQ(r->layers[1].tensor, "r");
    EXPECT_EQ(r->layers[1].producer, "Gemm");
    EXPECT_TRUE(r->layers[2].is_output);
    for (const auto& l : r->layers) {
      EXPECT_TRUE(l.matched) << l.tensor;
      EXPECT_GT(l.sqnr_db, 25.0) << l.tensor;  // a few int8 steps of error at most
      EXPECT_LE(l.max_abs, 3.0 * l.scale) << l.tensor;
    }
    const std::string table = FormatErrorTable(*r);
    EXPECT_NE(table.find("y (output)"), std::string::npos) << table;
    EXPECT_NE(table.find("SQNR dB"), std::string::npos);
  }
  // A calibration sample of another shape.
  NpyArray bad{"<f4", {1, 9}, std::vector<uint8_t>(9 * 4)};
  test::WriteFile(dir + "/calib/x.npy", SerializeNpy(bad));
  auto r = QuantizeOnnxModel(dir + "/dense.onnx", dir + "/calib", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E1302");
  EXPECT_NE(r.diag().message.find("1x8"), std::string::npos) << r.diag().message;
}

// A float .tflite with SUM, ARG_MAX, GATHER, SPLIT and PACK (reshapes and a
// concatenation in the IR) after a dense layer: written as ONNX and
// quantized (the dense layer int8); ARG_MAX's index stays an int32 output.
std::vector<uint8_t> TfliteMathModel() {
  namespace tfl = ::tflite;
  frontend::tflite::ModelBuilder b;
  const auto kF32 = tfl::TensorType::FLOAT32;
  const int x = b.AddTensor("x", kF32, {1, 8});
  std::vector<float> w(64);
  for (size_t k = 0; k < w.size(); ++k) w[k] = 0.1f * static_cast<float>((k * 5) % 11) - 0.45f;
  const int wt = b.AddFloatTensor("w", {8, 8}, w);
  const int h = b.AddTensor("h", kF32, {1, 8});
  b.AddOperator(tfl::BuiltinOperator::FULLY_CONNECTED, {x, wt, -1}, {h}, tfl::BuiltinOptions::FullyConnectedOptions,
                tfl::CreateFullyConnectedOptions(b.builder()).Union());
  const int shape = b.AddInt32Tensor("shape", {3}, {1, 2, 4});
  const int h3 = b.AddTensor("h3", kF32, {1, 2, 4});
  b.AddOperator(tfl::BuiltinOperator::RESHAPE, {h, shape}, {h3});
  const int axis = b.AddInt32Tensor("axis", {1}, {1});
  const int sum = b.AddTensor("sum", kF32, {1, 4});
  b.AddOperator(tfl::BuiltinOperator::SUM, {h3, axis}, {sum}, tfl::BuiltinOptions::ReducerOptions,
                tfl::CreateReducerOptions(b.builder(), false).Union());
  const int am_axis = b.AddInt32Tensor("am_axis", {1}, {1});
  const int am = b.AddTensor("am", tfl::TensorType::INT32, {1});
  b.AddOperator(tfl::BuiltinOperator::ARG_MAX, {h, am_axis}, {am}, tfl::BuiltinOptions::ArgMaxOptions,
                tfl::CreateArgMaxOptions(b.builder()).Union());
  const int idx = b.AddInt32Tensor("idx", {3}, {3, 0, 2});
  const int g = b.AddTensor("g", kF32, {1, 3});
  b.AddOperator(tfl::BuiltinOperator::GATHER, {sum, idx}, {g}, tfl::BuiltinOptions::GatherOptions,
                tfl::CreateGatherOptions(b.builder(), 1).Union());
  const int split_axis = b.AddInt32Tensor("split_axis", {}, {1});
  const int s0 = b.AddTensor("s0", kF32, {1, 4});
  const int s1 = b.AddTensor("s1", kF32, {1, 4});
  b.AddOperator(tfl::BuiltinOperator::SPLIT, {split_axis, h}, {s0, s1}, tfl::BuiltinOptions::SplitOptions,
                tfl::CreateSplitOptions(b.builder(), 2).Union());
  const int p = b.AddTensor("p", kF32, {2, 1, 4});
  b.AddOperator(tfl::BuiltinOperator::PACK, {s0, s1}, {p}, tfl::BuiltinOptions::PackOptions,
                tfl::CreatePackOptions(b.builder(), 2, 0).Union());
  b.SetInputs({x});
  b.SetOutputs({g, am, p});
  return b.Finish();
}

TEST(Quantize, FloatTfliteWithMathAndDataMovementOperators) {
  const std::string dir = test::TempDir();
  test::WriteFile(dir + "/m.tflite", TfliteMathModel());
  std::filesystem::create_directories(dir + "/calib");
  NpyArray a{"<f4", {8, 1, 8}, std::vector<uint8_t>(8 * 8 * 4)};
  for (int k = 0; k < 8 * 8; ++k) {
    const float v = std::sin(0.7f * static_cast<float>(k)) * 2.0f;
    std::memcpy(&a.data[static_cast<size_t>(k) * 4], &v, 4);
  }
  test::WriteFile(dir + "/calib/x.npy", SerializeNpy(a));
  auto r = QuantizeModel(dir + "/m.tflite", dir + "/calib", {});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_GE(r->int8_nodes, 1);
  pb::ModelProto m;
  ASSERT_TRUE(m.ParseFromArray(r->model.data(), static_cast<int>(r->model.size())));
  std::set<std::string> ops;
  for (const auto& n : m.graph().node()) ops.insert(n.op_type());
  for (const char* op : {"ReduceSum", "ArgMax", "Gather", "Split", "Concat", "QuantizeLinear"}) {
    EXPECT_TRUE(ops.count(op)) << op;
  }
  ASSERT_EQ(m.graph().output_size(), 3);
  EXPECT_EQ(m.graph().output(1).type().tensor_type().elem_type(), pb::TensorProto::INT32) << "ARG_MAX's int32 index";
}

TEST(Quantize, DynamicDimensionsNeedInputShape) {
  const std::string dir = test::TempDir();
  test::WriteFile(dir + "/dyn.onnx", DenseModel(true));
  NpyArray a{"<f4", {4, 1, 8}, std::vector<uint8_t>(4 * 8 * 4, 0)};
  test::WriteFile(dir + "/calib.npy", SerializeNpy(a));
  std::filesystem::create_directories(dir + "/calib");
  std::filesystem::rename(dir + "/calib.npy", dir + "/calib/x.npy");
  auto r = QuantizeOnnxModel(dir + "/dyn.onnx", dir + "/calib", {});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E1008");  // the importer's: suggests --input-shape
  QuantizeOptions o;
  o.input_shapes["x"] = {1, 8};
  r = QuantizeOnnxModel(dir + "/dyn.onnx", dir + "/calib", o);
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(r->int8_nodes, 2);
}

// x[1,2,4,4] -> ConvTranspose(3 out, 3x3, stride 2, bias) -> y[1,3,9,9]
std::vector<uint8_t> ConvTransposeModel() {
  pb::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  auto* g = m.mutable_graph();
  g->set_name("deconv");
  auto io = [](pb::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(pb::TensorProto::FLOAT);
    for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
  };
  io(g->add_input(), "x", {1, 2, 4, 4});
  io(g->add_output(), "y", {1, 3, 9, 9});
  auto* w = g->add_initializer();
  w->set_name("w");
  w->set_data_type(pb::TensorProto::FLOAT);
  for (int64_t d : {2, 3, 3, 3}) w->add_dims(d);
  for (int k = 0; k < 54; ++k) w->add_float_data(0.05f * static_cast<float>((k * 7) % 9) - 0.2f);
  auto* b = g->add_initializer();
  b->set_name("b");
  b->set_data_type(pb::TensorProto::FLOAT);
  b->add_dims(3);
  for (float v : {0.1f, -0.1f, 0.2f}) b->add_float_data(v);
  auto* n = g->add_node();
  n->set_op_type("ConvTranspose");
  n->set_name("deconv");
  for (const char* i : {"x", "w", "b"}) n->add_input(i);
  n->add_output("y");
  auto* st = n->add_attribute();
  st->set_name("strides");
  st->set_type(pb::AttributeProto::INTS);
  st->add_ints(2);
  st->add_ints(2);
  std::string out;
  m.SerializeToString(&out);
  return {out.begin(), out.end()};
}

TEST(Quantize, ConvTransposePerChannel) {
  const std::string dir = test::TempDir();
  test::WriteFile(dir + "/deconv.onnx", ConvTransposeModel());
  std::filesystem::create_directories(dir + "/calib");
  NpyArray a{"<f4", {4, 2, 4, 4}, std::vector<uint8_t>(4 * 32 * 4)};
  for (int k = 0; k < 4 * 32; ++k) {
    const float v = std::cos(0.3f * static_cast<float>(k));
    std::memcpy(&a.data[static_cast<size_t>(k) * 4], &v, 4);
  }
  test::WriteFile(dir + "/calib/x.npy", SerializeNpy(a));
  for (bool per_channel : {false, true}) {
    QuantizeOptions o;
    o.per_channel = per_channel;
    auto r = QuantizeOnnxModel(dir + "/deconv.onnx", dir + "/calib", o);
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    ASSERT_EQ(r->layers.size(), 2u);
    EXPECT_TRUE(r->layers[1].matched);
    EXPECT_GT(r->layers[1].sqnr_db, 25.0);
  }
}

TEST(Quantize, AtomicWriteReplacesAndNeverTouchesTheInput) {
  const std::string dir = test::TempDir();
  const std::string in = dir + "/in.onnx", out = dir + "/out.onnx";
  test::WriteFile(in, {1, 2, 3});
  ASSERT_TRUE(WriteFileAtomically(out, {4, 5}, in).ok());
  EXPECT_EQ(test::ReadFile(out), (std::vector<uint8_t>{4, 5}));
  ASSERT_TRUE(WriteFileAtomically(out, {6}, in).ok());
  EXPECT_EQ(test::ReadFile(out), (std::vector<uint8_t>{6}));
  Status st = WriteFileAtomically(dir + "/./in.onnx", {9}, in);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.diag().id, kOutputPath);
  EXPECT_EQ(test::ReadFile(in), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_FALSE(WriteFileAtomically(dir + "/missing/out.onnx", {1}, in).ok());
  size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 2u);  // no temporary file left
}

TEST(Quantize, DequantizedValues) {
  ir::Tensor t;
  t.dtype = ir::DType::kInt8;
  t.shape = {3};
  t.quant = ir::QuantParams{{0.5f}, {-2}, 0};
  const std::vector<uint8_t> b = {static_cast<uint8_t>(-2), 0, 127};
  EXPECT_EQ(DequantizedValues(t, b), (std::vector<float>{0.0f, 1.0f, 64.5f}));
}


// The table numbers its rows and, past 20 rows, ends with the rows to look
// at first (lowest SQNR, largest errors in steps); long names keep their
// head and tail.
TEST(Quantize, LongErrorTableEndsWithASummary) {
  QuantizeReport r;
  for (int k = 0; k < 30; ++k) {
    LayerError e;
    e.tensor = "/features/features." + std::to_string(k) + "/conv/conv.1/conv.1.2/a_rather_long_name/Clip_output_0";
    e.producer = "Conv";
    e.scale = 0.1f;
    e.matched = true;
    e.sqnr_db = 40.0 - k;
    e.max_abs = k == 7 ? 5.0 : 0.1;
    r.layers.push_back(e);
  }
  const std::string t = FormatErrorTable(r);
  EXPECT_NE(t.find("  30 /features/features."), std::string::npos) << t;
  EXPECT_NE(t.find("...") , std::string::npos) << t;
  EXPECT_NE(t.find("Clip_output_0 "), std::string::npos) << "the tail of a long name is kept\n" << t;
  EXPECT_NE(t.find("lowest SQNR: #30 11.0 dB, #29 12.0 dB"), std::string::npos) << t;
  EXPECT_NE(t.find("largest errors: #8 50.0 steps"), std::string::npos) << t;
  r.layers.resize(5);
  EXPECT_EQ(FormatErrorTable(r).find("lowest SQNR"), std::string::npos);
}

}  // namespace
}  // namespace ember::quantize
