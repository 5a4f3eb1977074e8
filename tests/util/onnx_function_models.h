// ONNX models with model-local functions (ModelProto.functions), as PyTorch's
// newer exporter writes them, for the importer's tests and the
// malformed-input corpus.
//
// The valid model: opset 17, domain "pkg.custom" with two functions.
//   Act(X) -> Y, attribute alpha:    LeakyRelu(X) {alpha: ref alpha}
//   Block(X, W, B) -> (Y, Pre), attribute alpha:
//       Conv(X, W, B) -> t; Act(t) {alpha: ref alpha} -> Y; Identity(t) -> Pre
//   main: x [1,2,5,5] -> Block(x, w, bias) {alpha 0.1} -> h (Pre unused)
//                     -> Block(h, w2, "") {alpha 0.3} -> y, pre2; outputs y, pre2
// FlatFunctionModel() is the same network written without functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "util/onnx_builder.h"

namespace ember::test {

enum class FunctionForm {
  kValid,
  kRecursive,        // Act calls itself
  kTooManyInputs,    // a call with 4 inputs of a 3-input function
  kOtherOpset,       // the functions use opset 13 of the default domain
  // IR version 10, opset 21: Act is overloaded ("leaky", and a "plain" Relu
  // nobody calls), its alpha has a default of 0.3 (attribute_proto), and
  // block2 gives no alpha, so it gets that default: the same network.
  kIr10,
};

namespace fn_detail {

inline ::onnx::NodeProto* BodyNode(::onnx::FunctionProto* f, const std::string& op, const std::vector<std::string>& in,
                                   const std::vector<std::string>& out, const std::string& domain = "") {
  auto* n = f->add_node();
  n->set_op_type(op);
  n->set_domain(domain);
  for (const auto& s : in) n->add_input(s);
  for (const auto& s : out) n->add_output(s);
  return n;
}

inline void RefAttr(::onnx::NodeProto* n, const std::string& name, const std::string& ref) {
  auto* a = n->add_attribute();
  a->set_name(name);
  a->set_type(::onnx::AttributeProto::FLOAT);
  a->set_ref_attr_name(ref);
}

// IR 9 and 10 fields libonnx 1.12's classes lack, written as unknown fields.
inline void SetOverload(::onnx::NodeProto* n, const std::string& o) {
  n->mutable_unknown_fields()->AddLengthDelimited(8, o);
}
inline void SetOverload(::onnx::FunctionProto* f, const std::string& o) {
  f->mutable_unknown_fields()->AddLengthDelimited(13, o);
}
inline void AddAttributeDefault(::onnx::FunctionProto* f, const std::string& name, float v) {
  ::onnx::AttributeProto a;
  a.set_name(name);
  a.set_type(::onnx::AttributeProto::FLOAT);
  a.set_f(v);
  f->mutable_unknown_fields()->AddLengthDelimited(11, a.SerializeAsString());
}

inline void Weights(OnnxBuilder& b) {
  b.Input("x", {1, 2, 5, 5});
  b.Init("w", {3, 2, 3, 3}, std::vector<float>{0.3f, -0.2f, 0.5f, 0.1f, -0.4f, 0.25f, 0.2f, 0.05f, -0.3f,
                                               -0.1f, 0.15f, 0.2f, -0.35f, 0.4f, 0.1f, 0.0f, -0.2f, 0.3f,
                                               0.2f, 0.1f, -0.1f, 0.3f, 0.2f, -0.25f, 0.1f, 0.4f, 0.05f,
                                               -0.3f, 0.2f, 0.1f, 0.15f, -0.05f, 0.2f, 0.35f, -0.1f, 0.0f,
                                               0.1f, -0.2f, 0.3f, 0.05f, 0.2f, -0.15f, 0.25f, 0.1f, -0.4f,
                                               0.2f, 0.3f, -0.1f, 0.0f, 0.15f, 0.1f, -0.2f, 0.05f, 0.3f});
  b.Init("bias", {3}, {0.1f, -0.2f, 0.05f});
  b.Init("w2", {2, 3, 1, 1}, {0.5f, -1.0f, 0.25f, 1.5f, 0.3f, -0.6f});
}

}  // namespace fn_detail

inline std::vector<uint8_t> FunctionModel(FunctionForm form = FunctionForm::kValid) {
  using namespace fn_detail;
  const bool ir10 = form == FunctionForm::kIr10;
  OnnxBuilder b(ir10 ? 21 : 17);
  b.model().set_ir_version(ir10 ? 10 : 8);
  b.Domain("pkg.custom", 1);
  Weights(b);
  auto call = [&](const std::vector<std::string>& in, const std::vector<std::string>& out, const std::string& name,
                  float alpha) {
    OnnxNode n = b.Node("Block", in, out, name);
    n.proto()->set_domain("pkg.custom");
    if (!(ir10 && name == "block2")) n.Float("alpha", alpha);
  };
  call(form == FunctionForm::kTooManyInputs ? std::vector<std::string>{"x", "w", "bias", "x"}
                                            : std::vector<std::string>{"x", "w", "bias"},
       {"h"}, "block1", 0.1f);
  call({"h", "w2", ""}, {"y", "pre2"}, "block2", 0.3f);
  b.OutputWithShape("y", {1, 2, 3, 3});
  b.OutputWithShape("pre2", {1, 2, 3, 3});
  const int64_t opset = form == FunctionForm::kOtherOpset ? 13 : ir10 ? 21 : 17;
  auto function = [&](const std::string& name, const std::vector<std::string>& in,
                      const std::vector<std::string>& out) {
    auto* f = b.model().add_functions();
    f->set_name(name);
    f->set_domain("pkg.custom");
    for (const auto& s : in) f->add_input(s);
    for (const auto& s : out) f->add_output(s);
    if (!ir10 || name != "Act") f->add_attribute("alpha");
    auto* o = f->add_opset_import();
    o->set_domain("");
    o->set_version(opset);
    o = f->add_opset_import();
    o->set_domain("pkg.custom");
    o->set_version(1);
    return f;
  };
  auto* act = function("Act", {"X"}, {"Y"});
  if (ir10) {
    SetOverload(act, "leaky");
    AddAttributeDefault(act, "alpha", 0.3f);
  }
  if (form == FunctionForm::kRecursive) {
    RefAttr(BodyNode(act, "Act", {"X"}, {"Y"}, "pkg.custom"), "alpha", "alpha");
  } else {
    RefAttr(BodyNode(act, "LeakyRelu", {"X"}, {"Y"}), "alpha", "alpha");
  }
  if (ir10) {  // after the overload called: found by name alone, it would win
    auto* plain = function("Act", {"X"}, {"Y"});
    SetOverload(plain, "plain");
    BodyNode(plain, "Relu", {"X"}, {"Y"});
  }
  auto* block = function("Block", {"X", "W", "B"}, {"Y", "Pre"});
  BodyNode(block, "Conv", {"X", "W", "B"}, {"t"});
  auto* call_act = BodyNode(block, "Act", {"t"}, {"Y"}, "pkg.custom");
  RefAttr(call_act, "alpha", "alpha");
  if (ir10) SetOverload(call_act, "leaky");
  BodyNode(block, "Identity", {"t"}, {"Pre"});
  return b.Bytes();
}

inline std::vector<uint8_t> FlatFunctionModel() {
  OnnxBuilder b(17);
  fn_detail::Weights(b);
  b.Node("Conv", {"x", "w", "bias"}, {"t1"});
  b.Node("LeakyRelu", {"t1"}, {"h"}).Float("alpha", 0.1f);
  b.Node("Conv", {"h", "w2", ""}, {"t2"});
  b.Node("LeakyRelu", {"t2"}, {"y"}).Float("alpha", 0.3f);
  b.Node("Identity", {"t2"}, {"pre2"});
  b.OutputWithShape("y", {1, 2, 3, 3});
  b.OutputWithShape("pre2", {1, 2, 3, 3});
  return b.Bytes();
}

}  // namespace ember::test
