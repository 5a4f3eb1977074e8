// QDQ writer on a small float model built with the ONNX protobuf classes:
// BatchNormalization folding, activation removal, the Q/DQ layout of ONNX
// Runtime's static quantizer (names, shared pairs, reused parameters,
// per-channel weights, int32 biases), and that ember folds the result into
// int8 operators.
#include "quantize/qdq_writer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>

#include "frontend/onnx/import.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"

namespace ember::quantize {
namespace {

namespace pb = ::onnx;

pb::TensorProto FloatInit(const std::string& name, std::vector<int64_t> dims, const std::vector<float>& v) {
  pb::TensorProto t;
  t.set_name(name);
  t.set_data_type(pb::TensorProto::FLOAT);
  for (int64_t d : dims) t.add_dims(d);
  for (float x : v) t.add_float_data(x);
  return t;
}

pb::NodeProto* Node(pb::GraphProto* g, const std::string& op, std::vector<std::string> in, std::string out) {
  pb::NodeProto* n = g->add_node();
  n->set_op_type(op);
  n->set_name(out + "_op");
  for (auto& i : in) n->add_input(i);
  n->add_output(out);
  return n;
}

void ValueInfo(pb::ValueInfoProto* v, const std::string& name, std::vector<int64_t> dims) {
  v->set_name(name);
  auto* tt = v->mutable_type()->mutable_tensor_type();
  tt->set_elem_type(pb::TensorProto::FLOAT);
  for (int64_t d : dims) tt->mutable_shape()->add_dim()->set_dim_value(d);
}

std::vector<float> Ramp(size_t n, float scale, float offset) {
  std::vector<float> v(n);
  for (size_t k = 0; k < n; ++k) v[k] = scale * static_cast<float>((k * 7) % 13) + offset;
  return v;
}

// x[1,2,6,6] -> Conv(4 out, 3x3, bias) -> BatchNormalization -> Relu -> MaxPool 2x2
// -> Flatten -> Gemm(transB, 3 units) -> y[1,3]
pb::ModelProto SmallModel() {
  pb::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  pb::GraphProto* g = m.mutable_graph();
  g->set_name("small");
  ValueInfo(g->add_input(), "x", {1, 2, 6, 6});
  ValueInfo(g->add_output(), "y", {1, 3});
  *g->add_initializer() = FloatInit("w", {4, 2, 3, 3}, Ramp(72, 0.05f, -0.3f));
  *g->add_initializer() = FloatInit("b", {4}, {0.1f, -0.2f, 0.3f, 0.0f});
  *g->add_initializer() = FloatInit("gamma", {4}, {1.0f, 0.5f, 1.5f, 2.0f});
  *g->add_initializer() = FloatInit("beta", {4}, {0.0f, 0.1f, -0.1f, 0.2f});
  *g->add_initializer() = FloatInit("mean", {4}, {0.1f, 0.0f, -0.2f, 0.3f});
  *g->add_initializer() = FloatInit("var", {4}, {1.0f, 0.5f, 2.0f, 0.8f});
  *g->add_initializer() = FloatInit("fw", {3, 16}, Ramp(48, 0.1f, -0.6f));
  *g->add_initializer() = FloatInit("fb", {3}, {0.5f, -0.5f, 0.25f});
  auto* conv = Node(g, "Conv", {"x", "w", "b"}, "c");
  auto* ks = conv->add_attribute();
  ks->set_name("kernel_shape");
  ks->set_type(pb::AttributeProto::INTS);
  ks->add_ints(3);
  ks->add_ints(3);
  Node(g, "BatchNormalization", {"c", "gamma", "beta", "mean", "var"}, "bn");
  Node(g, "Relu", {"bn"}, "r");
  auto* pool = Node(g, "MaxPool", {"r"}, "p");
  for (const char* name : {"kernel_shape", "strides"}) {
    auto* a = pool->add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto::INTS);
    a->add_ints(2);
    a->add_ints(2);
  }
  Node(g, "Flatten", {"p"}, "f");
  auto* gemm = Node(g, "Gemm", {"f", "fw", "fb"}, "y");
  auto* tb = gemm->add_attribute();
  tb->set_name("transB");
  tb->set_type(pb::AttributeProto::INT);
  tb->set_i(1);
  return m;
}

std::vector<uint8_t> Bytes(const pb::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return {s.begin(), s.end()};
}

std::vector<float> Evaluate(const ir::Graph& g, const std::vector<float>& x) {
  std::vector<uint8_t> in(x.size() * 4);
  std::memcpy(in.data(), x.data(), in.size());
  auto r = ops::EvaluateGraph(g, {in});
  EXPECT_TRUE(r.ok());
  std::vector<float> y(r->outputs[0].size() / 4);
  std::memcpy(y.data(), r->outputs[0].data(), r->outputs[0].size());
  return y;
}

const pb::NodeProto* Producer(const pb::GraphProto& g, const std::string& t) {
  for (const auto& n : g.node()) {
    for (const auto& o : n.output()) {
      if (o == t) return &n;
    }
  }
  return nullptr;
}

const pb::TensorProto* Init(const pb::GraphProto& g, const std::string& t) {
  for (const auto& i : g.initializer()) {
    if (i.name() == t) return &i;
  }
  return nullptr;
}

float ScalarF(const pb::TensorProto& t) {
  float v;
  std::memcpy(&v, t.raw_data().data(), 4);
  return v;
}

TEST(QdqWriter, FoldsBatchNormalizationExactlyEnough) {
  pb::ModelProto m = SmallModel();
  auto before = frontend::onnx::ImportOnnx(Bytes(m), "small");
  ASSERT_TRUE(before.ok()) << before.diag().ToString();
  auto folded = FoldBatchNormOnnx(m);
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(*folded, 1);
  for (const auto& n : m.graph().node()) EXPECT_NE(n.op_type(), "BatchNormalization");
  ASSERT_NE(Producer(m.graph(), "bn"), nullptr);
  EXPECT_EQ(Producer(m.graph(), "bn")->op_type(), "Conv");
  auto after = frontend::onnx::ImportOnnx(Bytes(m), "small");
  ASSERT_TRUE(after.ok()) << after.diag().ToString();
  const std::vector<float> x = Ramp(72, 0.3f, -1.5f);
  const auto y0 = Evaluate(*before, x);
  const auto out1 = Evaluate(*after, x);
  ASSERT_EQ(y0.size(), out1.size());
  for (size_t k = 0; k < y0.size(); ++k) EXPECT_NEAR(y0[k], out1[k], 1e-5 * (1 + std::fabs(y0[k])));
}

TEST(QdqWriter, WritesOnnxRuntimeQdqLayout) {
  pb::ModelProto m = SmallModel();
  ASSERT_TRUE(FoldBatchNormOnnx(m).ok());
  std::map<std::string, Range> ranges = {
      {"x", {-1.5f, 2.0f}}, {"bn", {-3.0f, 4.0f}}, {"r", {0.0f, 4.0f}}, {"p", {0.0f, 4.0f}},
      {"f", {0.0f, 4.0f}},  {"y", {-2.0f, 5.0f}}};
  EXPECT_EQ(RemoveFusableActivations(m), 1);
  ASSERT_EQ(Producer(m.graph(), "r")->op_type(), "Conv");  // Relu gone, Conv writes its output
  auto q = WriteQdq(m, ranges, {.per_channel = true});
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  const pb::GraphProto& g = m.graph();
  // Quantized tensors in order, with the Relu's range on the Conv output and
  // MaxPool/Flatten sharing it.
  std::vector<std::string> names;
  for (const auto& t : *q) names.push_back(t.name);
  EXPECT_EQ(names, (std::vector<std::string>{"x", "r", "p", "f", "y"}));
  EXPECT_EQ((*q)[1].zero_point, -128);
  EXPECT_FLOAT_EQ((*q)[1].scale, 4.0f / 255.0f);
  // The model says it follows TFLite's int8 arithmetic (the ONNX importer
  // then keeps ember's TFLite int8 kernels for it).
  int marks = 0;
  for (const auto& prop : m.metadata_props()) {
    if (prop.key() != "ember.int8_semantics") continue;
    ++marks;
    EXPECT_EQ(prop.value(), "tflite");
  }
  EXPECT_EQ(marks, 1);
  // One Q/DQ pair per tensor; readers read the DequantizeLinear output.
  EXPECT_EQ(Producer(g, "x_QuantizeLinear_Output")->op_type(), "QuantizeLinear");
  EXPECT_EQ(Producer(g, "x_DequantizeLinear_Output")->op_type(), "DequantizeLinear");
  EXPECT_EQ(Producer(g, "r")->input(0), "x_DequantizeLinear_Output");
  const pb::NodeProto* pool = Producer(g, "p");
  EXPECT_EQ(pool->input(0), "r_DequantizeLinear_Output");
  const pb::NodeProto* pq = Producer(g, "p_QuantizeLinear_Output");
  EXPECT_EQ(pq->input(1), "r_scale");  // MaxPool reuses its input's parameters
  EXPECT_EQ(pq->input(2), "r_zero_point");
  // Graph input and output keep their names and stay float.
  EXPECT_EQ(g.input(0).name(), "x");
  EXPECT_EQ(g.output(0).name(), "y");
  EXPECT_EQ(Producer(g, "y")->op_type(), "DequantizeLinear");
  EXPECT_EQ(Producer(g, "y_QuantizeLinear_Input")->op_type(), "Gemm");
  // Conv weights per output channel (axis 0), bias int32 with s_in * s_w.
  const pb::NodeProto* conv = Producer(g, "r");
  const pb::NodeProto* wdq = Producer(g, conv->input(1));
  ASSERT_EQ(wdq->op_type(), "DequantizeLinear");
  ASSERT_EQ(wdq->attribute_size(), 1);
  EXPECT_EQ(wdq->attribute(0).i(), 0);
  const pb::TensorProto* wq = Init(g, wdq->input(0));
  ASSERT_NE(wq, nullptr);
  EXPECT_EQ(wq->data_type(), pb::TensorProto::INT8);
  const pb::TensorProto* ws = Init(g, wdq->input(1));
  ASSERT_EQ(ws->dims_size(), 1);
  EXPECT_EQ(ws->dims(0), 4);
  const pb::NodeProto* bdq = Producer(g, conv->input(2));
  const pb::TensorProto* bq = Init(g, bdq->input(0));
  EXPECT_EQ(bq->data_type(), pb::TensorProto::INT32);
  const pb::TensorProto* bs = Init(g, bdq->input(1));
  float s_w0, s_b0;
  std::memcpy(&s_w0, ws->raw_data().data(), 4);
  std::memcpy(&s_b0, bs->raw_data().data(), 4);
  EXPECT_FLOAT_EQ(s_b0, ScalarF(*Init(g, "x_scale")) * s_w0);
  // Gemm weights per tensor (scalar scale).
  const pb::NodeProto* gemm = Producer(g, "y_QuantizeLinear_Input");
  EXPECT_EQ(Init(g, Producer(g, gemm->input(1))->input(1))->dims_size(), 0);
  // The float weights and the BatchNormalization parameters are gone.
  EXPECT_EQ(Init(g, "w"), nullptr);
  EXPECT_EQ(Init(g, "gamma"), nullptr);

  // ember folds the QDQ model into int8 operators.
  auto ir = frontend::onnx::ImportOnnx(Bytes(m), "small_qdq");
  ASSERT_TRUE(ir.ok()) << ir.diag().ToString();
  ASSERT_TRUE(passes::RunPipeline(*ir).ok());
  std::map<ir::OpKind, ir::DType> out_types;
  for (const auto& n : ir->nodes) out_types[n.op] = ir->tensor(n.outputs[0]).dtype;
  EXPECT_EQ(out_types[ir::OpKind::kConv2D], ir::DType::kInt8);
  EXPECT_EQ(out_types[ir::OpKind::kMaxPool2D], ir::DType::kInt8);
  EXPECT_EQ(out_types[ir::OpKind::kFullyConnected], ir::DType::kInt8);
}

TEST(QdqWriter, PerTensorWeightsWithoutPerChannelAndTensorsWithoutRangesStayFloat) {
  pb::ModelProto m = SmallModel();
  ASSERT_TRUE(FoldBatchNormOnnx(m).ok());
  RemoveFusableActivations(m);
  // Only the graph input is calibrated: the Conv weights are quantized (its
  // input is), its output is not; the Gemm's input is float so its weights stay.
  auto q = WriteQdq(m, {{"x", {-1.0f, 1.0f}}}, {});
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  EXPECT_EQ(q->size(), 1u);
  const pb::GraphProto& g = m.graph();
  const pb::NodeProto* wdq = Producer(g, Producer(g, "r")->input(1));
  EXPECT_EQ(wdq->attribute_size(), 0);
  EXPECT_EQ(Init(g, wdq->input(1))->dims_size(), 0);
  EXPECT_NE(Init(g, "fw"), nullptr);
  EXPECT_EQ(Producer(g, "p")->input(0), "r");
}

// LogSoftmax's output gets TFLite's fixed int8 quantization (16/256, 127),
// whatever its calibrated range; compiled, it is the int8 log_softmax.
TEST(QdqWriter, LogSoftmaxOutputHasTflitesFixedQuantization) {
  pb::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  pb::GraphProto* g = m.mutable_graph();
  g->set_name("ls");
  ValueInfo(g->add_input(), "x", {2, 6});
  ValueInfo(g->add_output(), "y", {2, 6});
  Node(g, "LogSoftmax", {"x"}, "y");
  auto q = WriteQdq(m, {{"x", {-3.0f, 3.0f}}, {"y", {-7.5f, 0.0f}}}, {});
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[1].name, "y");
  EXPECT_EQ((*q)[1].scale, 0.0625f);
  EXPECT_EQ((*q)[1].zero_point, 127);
  auto ir = frontend::onnx::ImportOnnx(Bytes(m), "ls.onnx");
  ASSERT_TRUE(ir.ok()) << ir.diag().ToString();
  ASSERT_TRUE(passes::RunPipeline(*ir).ok());
  int int8_log_softmax = 0;
  for (const ir::Node& n : ir->nodes)
    int8_log_softmax += n.op == ir::OpKind::kLogSoftmax && ir->tensor(n.inputs[0]).dtype == ir::DType::kInt8;
  EXPECT_EQ(int8_log_softmax, 1);
}

// An embedding: the Gather's float table becomes int8 over its own range
// ([-1.5, 2.25]: scale 3.75/255, zero point round(-128 + 1.5/scale) = -26),
// the Gather's output shares those parameters, and the compiled graph
// gathers int8 rows of it.
TEST(QdqWriter, GatherTableBecomesInt8AndItsOutputSharesItsParameters) {
  pb::ModelProto m;
  m.set_ir_version(7);
  m.add_opset_import()->set_version(13);
  pb::GraphProto* g = m.mutable_graph();
  g->set_name("emb");
  ValueInfo(g->add_input(), "ids", {1, 3});
  g->mutable_input(0)->mutable_type()->mutable_tensor_type()->set_elem_type(pb::TensorProto::INT64);
  ValueInfo(g->add_output(), "y", {1, 3, 2});
  *g->add_initializer() = FloatInit("table", {4, 2}, {-1.5f, 0.0f, 0.5f, 2.25f, 1.0f, -1.0f, 0.25f, 0.75f});
  Node(g, "Gather", {"table", "ids"}, "e");
  Node(g, "Relu", {"e"}, "y");
  auto q = WriteQdq(m, {{"e", {-1.0f, 2.0f}}, {"y", {0.0f, 2.0f}}}, {});
  ASSERT_TRUE(q.ok()) << q.diag().ToString();
  ASSERT_EQ(q->size(), 2u);
  EXPECT_EQ((*q)[0].name, "e");
  EXPECT_FLOAT_EQ((*q)[0].scale, 3.75f / 255.0f);
  EXPECT_EQ((*q)[0].zero_point, -26);
  const pb::TensorProto* t = Init(m.graph(), "table_quantized");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->data_type(), pb::TensorProto::INT8);
  // -1.5 is the lowest level, 2.25 the highest.
  EXPECT_EQ(static_cast<int8_t>(t->raw_data()[0]), -128);
  EXPECT_EQ(static_cast<int8_t>(t->raw_data()[3]), 127);
  EXPECT_EQ(Init(m.graph(), "table"), nullptr);  // the float table is gone
  auto ir = frontend::onnx::ImportOnnx(Bytes(m), "emb.onnx");
  ASSERT_TRUE(ir.ok()) << ir.diag().ToString();
  ASSERT_TRUE(passes::RunPipeline(*ir).ok());
  int int8_gathers = 0;
  for (const ir::Node& n : ir->nodes)
    int8_gathers += n.op == ir::OpKind::kGather && ir->tensor(n.inputs[0]).dtype == ir::DType::kInt8 &&
                    ir->tensor(n.inputs[0]).is_const();
  EXPECT_EQ(int8_gathers, 1);
}

TEST(QdqWriter, CandidatesAreInputsAndNodeOutputs) {
  const pb::ModelProto m = SmallModel();
  const auto c = CandidateTensors(m);
  EXPECT_EQ(c, (std::vector<std::string>{"x", "c", "bn", "r", "p", "f", "y"}));
}

}  // namespace
}  // namespace ember::quantize
