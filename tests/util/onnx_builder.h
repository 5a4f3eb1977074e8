// OnnxBuilder: small ONNX models for tests, written with the ONNX project's
// protobuf classes. It writes what it is told, without validation, so tests
// can also build models the checker refuses. ImportOnnx is the checker.
//
//   OnnxBuilder b;                                  // opset 13
//   b.Input("x", {1, 2, 4, 4});                     // float32; -1 = dynamic "N"
//   b.Init("w", {3, 2, 1, 1}, {...});
//   b.Node("Conv", {"x", "w"}, {"y"}).Ints("pads", {0, 0, 0, 0});
//   b.Output("y");
//   std::vector<uint8_t> file = b.Bytes();
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "onnx/onnx_pb.h"
#include "onnx/shape_inference/implementation.h"

namespace ember::test {

class OnnxNode {
 public:
  explicit OnnxNode(::onnx::NodeProto* n) : n_(n) {}
  OnnxNode& Int(const std::string& name, int64_t v) { auto* a = Add(name, ::onnx::AttributeProto::INT); a->set_i(v); return *this; }
  OnnxNode& Float(const std::string& name, float v) { auto* a = Add(name, ::onnx::AttributeProto::FLOAT); a->set_f(v); return *this; }
  OnnxNode& Str(const std::string& name, const std::string& v) { auto* a = Add(name, ::onnx::AttributeProto::STRING); a->set_s(v); return *this; }
  OnnxNode& Ints(const std::string& name, const std::vector<int64_t>& v) {
    auto* a = Add(name, ::onnx::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
    return *this;
  }
  OnnxNode& Floats(const std::string& name, const std::vector<float>& v) {
    auto* a = Add(name, ::onnx::AttributeProto::FLOATS);
    for (float x : v) a->add_floats(x);
    return *this;
  }
  OnnxNode& Strs(const std::string& name, const std::vector<std::string>& v) {
    auto* a = Add(name, ::onnx::AttributeProto::STRINGS);
    for (const std::string& x : v) a->add_strings(x);
    return *this;
  }
  OnnxNode& Tensor(const std::string& name, const ::onnx::TensorProto& t) {
    auto* a = Add(name, ::onnx::AttributeProto::TENSOR);
    *a->mutable_t() = t;
    return *this;
  }
  // A subgraph attribute (If's then_branch / else_branch).
  OnnxNode& Graph(const std::string& name, const ::onnx::GraphProto& g) {
    auto* a = Add(name, ::onnx::AttributeProto::GRAPH);
    *a->mutable_g() = g;
    return *this;
  }
  ::onnx::NodeProto* proto() { return n_; }

 private:
  ::onnx::AttributeProto* Add(const std::string& name, ::onnx::AttributeProto::AttributeType t) {
    auto* a = n_->add_attribute();
    a->set_name(name);
    a->set_type(t);
    return a;
  }
  ::onnx::NodeProto* n_;
};

class OnnxBuilder {
 public:
  explicit OnnxBuilder(int64_t opset = 13) {
    m_.set_ir_version(7);
    m_.set_producer_name("ember-test");
    auto* o = m_.add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    m_.mutable_graph()->set_name("test");
  }

  static ::onnx::TensorProto FloatTensor(const std::string& name, const std::vector<int64_t>& dims,
                                         const std::vector<float>& v) {
    ::onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(::onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t.add_dims(d);
    for (float x : v) t.add_float_data(x);
    return t;
  }
  static ::onnx::TensorProto Int64Tensor(const std::string& name, const std::vector<int64_t>& dims,
                                         const std::vector<int64_t>& v) {
    ::onnx::TensorProto t;
    t.set_name(name);
    t.set_data_type(::onnx::TensorProto::INT64);
    for (int64_t d : dims) t.add_dims(d);
    for (int64_t x : v) t.add_int64_data(x);
    return t;
  }

  // A graph input; a dimension of -1 is dynamic (dim_param "N").
  void Input(const std::string& name, const std::vector<int64_t>& dims,
             int32_t elem = ::onnx::TensorProto::FLOAT) {
    SetType(m_.mutable_graph()->add_input(), name, elem, dims, true);
  }
  // A graph output; Bytes() fills its shape by ONNX shape inference (the
  // checker wants one).
  void Output(const std::string& name, int32_t elem = ::onnx::TensorProto::FLOAT) {
    SetType(m_.mutable_graph()->add_output(), name, elem, {}, false);
  }
  // A graph output with its shape given.
  void OutputWithShape(const std::string& name, const std::vector<int64_t>& dims,
                       int32_t elem = ::onnx::TensorProto::FLOAT) {
    SetType(m_.mutable_graph()->add_output(), name, elem, dims, true);
  }
  // An integer initializer (INT8, UINT8, INT32, ...; values in int32_data).
  void InitInt(const std::string& name, int32_t elem, const std::vector<int64_t>& dims, const std::vector<int32_t>& v) {
    auto* t = InitProto();
    t->set_name(name);
    t->set_data_type(elem);
    for (int64_t d : dims) t->add_dims(d);
    for (int32_t x : v) t->add_int32_data(x);
  }
  // Imports another operator domain (e.g. "com.microsoft" for ONNX Runtime's contrib operators).
  void Domain(const std::string& domain, int64_t version) {
    auto* o = m_.add_opset_import();
    o->set_domain(domain);
    o->set_version(version);
  }
  void Init(const std::string& name, const std::vector<int64_t>& dims, const std::vector<float>& v) {
    *m_.mutable_graph()->add_initializer() = FloatTensor(name, dims, v);
  }
  void InitInt64(const std::string& name, const std::vector<int64_t>& dims, const std::vector<int64_t>& v) {
    *m_.mutable_graph()->add_initializer() = Int64Tensor(name, dims, v);
  }
  ::onnx::TensorProto* InitProto() { return m_.mutable_graph()->add_initializer(); }
  // A float initializer whose data is in an external file (`length` < 0: not given).
  void InitExternal(const std::string& name, const std::vector<int64_t>& dims, const std::string& location,
                    int64_t length = -1) {
    auto* t = InitProto();
    t->set_name(name);
    t->set_data_type(::onnx::TensorProto::FLOAT);
    for (int64_t d : dims) t->add_dims(d);
    t->set_data_location(::onnx::TensorProto::EXTERNAL);
    auto* kv = t->add_external_data();
    kv->set_key("location");
    kv->set_value(location);
    if (length < 0) return;
    kv = t->add_external_data();
    kv->set_key("length");
    kv->set_value(std::to_string(length));
  }
  OnnxNode Node(const std::string& op, const std::vector<std::string>& in, const std::vector<std::string>& out,
                const std::string& name = "") {
    auto* n = m_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name.empty() ? op + "_" + std::to_string(m_.graph().node_size()) : name);
    for (const auto& s : in) n->add_input(s);
    for (const auto& s : out) n->add_output(s);
    return OnnxNode(n);
  }
  ::onnx::ModelProto& model() { return m_; }
  std::vector<uint8_t> Bytes() const {
    ::onnx::ModelProto m = m_;
    bool all_shaped = true;
    for (const auto& o : m_.graph().output()) all_shaped = all_shaped && o.type().tensor_type().has_shape();
    // Models whose outputs carry shapes are written as built: shape inference
    // is not run on them (libonnx 1.12 reads out of bounds on some malformed
    // models the corpus holds on purpose).
    if (!all_shaped) {
      try {
        ::onnx::shape_inference::InferShapes(m, ::onnx::OpSchemaRegistry::Instance(),
                                            ::onnx::ShapeInferenceOptions(false, 0, /*data_prop=*/true));
      } catch (...) {
        m = m_;  // a model shape inference refuses is written as built
      }
    }
    m.mutable_graph()->clear_value_info();
    std::string s;
    m.SerializeToString(&s);
    return std::vector<uint8_t>(s.begin(), s.end());
  }

 private:
  static void SetType(::onnx::ValueInfoProto* v, const std::string& name, int32_t elem,
                      const std::vector<int64_t>& dims, bool with_shape) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(elem);
    if (!with_shape) return;
    auto* s = tt->mutable_shape();
    for (int64_t d : dims) {
      auto* dim = s->add_dim();
      if (d < 0) dim->set_dim_param("N"); else dim->set_dim_value(d);
    }
  }
  ::onnx::ModelProto m_;
};

}  // namespace ember::test
