// WidenToFloat32: every double, float16 and bfloat16 value of an ONNX model
// (graph values, initializers in both encodings, tensor attributes, Cast and
// dtype attributes, subgraphs, local functions) becomes float32 with the
// same values; data that cannot be converted is refused with E1305.
#include "quantize/onnx_rewrite.h"

#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "quantize/onnx_util.h"
#include "quantize/qdq_writer.h"

namespace ember::quantize {
namespace {

namespace pb = ::onnx;

pb::ValueInfoProto* Value(pb::ValueInfoProto* v, const std::string& name, int32_t type) {
  v->set_name(name);
  v->mutable_type()->mutable_tensor_type()->set_elem_type(type);
  v->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(2);
  return v;
}

// {1.5, -0.25} in each encoding.
pb::TensorProto Half(const std::string& name, bool raw) {
  pb::TensorProto t;
  t.set_name(name);
  t.set_data_type(pb::TensorProto::FLOAT16);
  t.add_dims(2);
  if (raw) t.set_raw_data(std::string("\x00\x3E\x00\xB4", 4));  // 0x3E00, 0xB400
  else for (int32_t bits : {0x3E00, 0xB400}) t.add_int32_data(bits);
  return t;
}
pb::TensorProto Bf16(const std::string& name) {
  pb::TensorProto t;
  t.set_name(name);
  t.set_data_type(pb::TensorProto::BFLOAT16);
  t.add_dims(2);
  for (int32_t bits : {0x3FC0, 0xBE80}) t.add_int32_data(bits);  // 1.5, -0.25
  return t;
}
pb::TensorProto Double(const std::string& name, bool raw) {
  pb::TensorProto t;
  t.set_name(name);
  t.set_data_type(pb::TensorProto::DOUBLE);
  t.add_dims(2);
  const double v[2] = {1.5, -0.25};
  if (raw) t.set_raw_data(std::string(reinterpret_cast<const char*>(v), 16));
  else for (double x : v) t.add_double_data(x);
  return t;
}

void ExpectFloats(const pb::TensorProto& t) {
  std::vector<float> v;
  ASSERT_TRUE(detail::GetFloats(t, &v)) << t.name() << " is not float32 data";
  EXPECT_EQ(v, (std::vector<float>{1.5f, -0.25f})) << t.name();
  EXPECT_EQ(t.int32_data_size(), 0) << t.name();
  EXPECT_EQ(t.double_data_size(), 0) << t.name();
}

TEST(WidenToFloat32, EveryKindOfValueKeepsItsValues) {
  pb::ModelProto m;
  m.set_ir_version(8);
  m.add_opset_import()->set_version(17);
  auto* g = m.mutable_graph();
  g->set_name("main");
  Value(g->add_input(), "x", pb::TensorProto::FLOAT16);
  Value(g->add_output(), "y", pb::TensorProto::DOUBLE);
  Value(g->add_output(), "n", pb::TensorProto::INT64);
  Value(g->add_value_info(), "s", pb::TensorProto::BFLOAT16);
  *g->add_initializer() = Half("h_raw", true);
  *g->add_initializer() = Half("h_int32", false);
  *g->add_initializer() = Bf16("bf");
  *g->add_initializer() = Double("d_raw", true);
  *g->add_initializer() = Double("d_typed", false);
  auto* cast = g->add_node();
  cast->set_op_type("Cast");
  cast->set_name("to_half");
  auto* to = cast->add_attribute();
  to->set_name("to");
  to->set_type(pb::AttributeProto::INT);
  to->set_i(pb::TensorProto::FLOAT16);
  auto* cast8 = g->add_node();  // left alone
  cast8->set_op_type("Cast");
  *cast8->add_attribute() = *to;
  cast8->mutable_attribute(0)->set_i(pb::TensorProto::INT8);
  auto* rnd = g->add_node();
  rnd->set_op_type("RandomNormal");
  auto* dtype = rnd->add_attribute();
  dtype->set_name("dtype");
  dtype->set_type(pb::AttributeProto::INT);
  dtype->set_i(pb::TensorProto::DOUBLE);
  // An If whose branch holds a float16 Constant and a sequence of bfloat16.
  auto* iff = g->add_node();
  iff->set_op_type("If");
  auto* branch = iff->add_attribute();
  branch->set_name("then_branch");
  branch->set_type(pb::AttributeProto::GRAPH);
  auto* bg = branch->mutable_g();
  bg->set_name("then");
  auto* seq = bg->add_output();
  seq->set_name("seq");
  seq->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
      pb::TensorProto::BFLOAT16);
  auto* k = bg->add_node();
  k->set_op_type("Constant");
  auto* value = k->add_attribute();
  value->set_name("value");
  value->set_type(pb::AttributeProto::TENSOR);
  *value->mutable_t() = Half("k", false);
  // A local function with a Cast to bfloat16.
  auto* f = m.add_functions();
  f->set_name("fn");
  auto* fc = f->add_node();
  fc->set_op_type("Cast");
  *fc->add_attribute() = *to;
  fc->mutable_attribute(0)->set_i(pb::TensorProto::BFLOAT16);

  std::string first;
  const auto n = WidenToFloat32(m, "m.onnx", &first);
  ASSERT_TRUE(n.ok()) << n.diag().ToString();
  // x, y, s; five initializers; to, dtype; seq, k; the function's to.
  EXPECT_EQ(*n, 13);
  EXPECT_EQ(first, "value 'x' (FLOAT16)");
  for (const auto* v : {&g->input(0), &g->output(0), &g->value_info(0)}) {
    EXPECT_EQ(v->type().tensor_type().elem_type(), pb::TensorProto::FLOAT) << v->name();
  }
  EXPECT_EQ(g->output(1).type().tensor_type().elem_type(), pb::TensorProto::INT64);
  for (const auto& t : g->initializer()) ExpectFloats(t);
  EXPECT_EQ(g->node(0).attribute(0).i(), pb::TensorProto::FLOAT);
  EXPECT_EQ(g->node(1).attribute(0).i(), pb::TensorProto::INT8);
  EXPECT_EQ(g->node(2).attribute(0).i(), pb::TensorProto::FLOAT);
  const auto& then = g->node(3).attribute(0).g();
  EXPECT_EQ(then.output(0).type().sequence_type().elem_type().tensor_type().elem_type(), pb::TensorProto::FLOAT);
  ExpectFloats(then.node(0).attribute(0).t());
  EXPECT_EQ(m.functions(0).node(0).attribute(0).i(), pb::TensorProto::FLOAT);

  // A float32 model: nothing to do.
  const auto again = WidenToFloat32(m, "m.onnx", &first);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0);
}

TEST(WidenToFloat32, DataThatCannotBeReadIsRefused) {
  const auto refused = [](pb::TensorProto t) {
    pb::ModelProto m;
    *m.mutable_graph()->add_initializer() = std::move(t);
    const auto n = WidenToFloat32(m, "bad.onnx", nullptr);
    EXPECT_FALSE(n.ok());
    return n.ok() ? std::string() : n.diag().id + " " + n.diag().message;
  };
  pb::TensorProto short_raw = Half("short", true);
  short_raw.set_raw_data(std::string("\x00\x3E\x00", 3));
  EXPECT_EQ(refused(short_raw).rfind(std::string(kNotQuantizable) + " bad.onnx: initializer 'short'", 0), 0u);
  pb::TensorProto few = Double("few", false);
  few.add_dims(3);  // 6 values expected, 2 held
  EXPECT_NE(refused(few).find("initializer 'few'"), std::string::npos);
  pb::TensorProto external = Half("ext", true);
  external.set_data_location(pb::TensorProto::EXTERNAL);
  EXPECT_NE(refused(external).find("external"), std::string::npos);
}

}  // namespace
}  // namespace ember::quantize
