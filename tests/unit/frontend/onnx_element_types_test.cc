// ONNX element types ember has no run-time type for: float16 and bfloat16
// initializers are read (raw and typed data), constant casts round to the
// target type, and double, float16 and bfloat16 values computed at run time
// are float32 with a warning (W1001); other types stay refused (E1012).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;
namespace pb = ::onnx;

// A 1-D tensor of 16-bit patterns, in raw_data or (raw == false) in int32_data.
pb::TensorProto Bits16(const std::string& name, int32_t elem, const std::vector<uint16_t>& bits, bool raw) {
  pb::TensorProto t;
  t.set_name(name);
  t.set_data_type(elem);
  t.add_dims(static_cast<int64_t>(bits.size()));
  if (raw) {
    std::string data;
    for (uint16_t b : bits) data += {static_cast<char>(b & 0xFF), static_cast<char>(b >> 8)};
    t.set_raw_data(data);
  } else {
    for (uint16_t b : bits) t.add_int32_data(b);
  }
  return t;
}

// y = Max(x, Cast(w, FLOAT)) for the 16-bit initializer `w`; returns y for
// x = -infinity (Max keeps infinities, float add clamps them as TFLite does).
std::vector<float> CastInitializer(const pb::TensorProto& w) {
  OnnxBuilder b;
  b.Input("x", {w.dims(0)});
  *b.InitProto() = w;
  b.Node("Cast", {"w"}, {"wf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Max", {"x", "wf"}, {"y"});
  b.Output("y");
  return Eval(MustImport(b.Bytes()), std::vector<float>(static_cast<size_t>(w.dims(0)), -std::numeric_limits<float>::infinity()));
}

TEST(OnnxElementTypes, Float16AndBfloat16InitializersAreRead) {
  // float16: 1, -2, the smallest subnormal 2^-24, the largest finite 65504, -infinity.
  const std::vector<uint16_t> half = {0x3C00, 0xC000, 0x0001, 0x7BFF, 0xFC00};
  const std::vector<float> half_values = {1.0f, -2.0f, std::ldexp(1.0f, -24), 65504.0f,
                                          -std::numeric_limits<float>::infinity()};
  // bfloat16: 1, 3.140625, -123.5, the float32 bit pattern's high half.
  const std::vector<uint16_t> bf = {0x3F80, 0x4049, 0xC2F7};
  const std::vector<float> bf_values = {1.0f, 3.140625f, -123.5f};
  for (bool raw : {true, false}) {
    EXPECT_EQ(CastInitializer(Bits16("w", pb::TensorProto::FLOAT16, half, raw)), half_values) << "raw " << raw;
    EXPECT_EQ(CastInitializer(Bits16("w", pb::TensorProto::BFLOAT16, bf, raw)), bf_values) << "raw " << raw;
  }
  // Short data is refused before anything is read.
  pb::TensorProto short_data = Bits16("w", pb::TensorProto::FLOAT16, half, true);
  short_data.mutable_raw_data()->pop_back();
  OnnxBuilder b;
  b.Input("x", {5});
  *b.InitProto() = short_data;
  b.Node("Cast", {"w"}, {"wf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Add", {"x", "wf"}, {"y"});
  b.Output("y");
  EXPECT_EQ(MustFail(b.Bytes()).id, "E1011");
}

TEST(OnnxElementTypes, ConstantCastsRoundToTheTargetType) {
  const std::vector<float> c = {1.0f / 3, 65519.0f, 65520.0f, 1e-8f, -3e-8f, 2049.0f};
  for (const int32_t to : {pb::TensorProto::FLOAT16, pb::TensorProto::BFLOAT16, pb::TensorProto::DOUBLE}) {
    OnnxBuilder b;
    b.Input("x", {6});
    b.Node("Constant", {}, {"c"}).Tensor("value", OnnxBuilder::FloatTensor("c", {6}, c));
    b.Node("Cast", {"c"}, {"c16"}).Int("to", to);
    b.Node("Cast", {"c16"}, {"cf"}).Int("to", pb::TensorProto::FLOAT);
    b.Node("Max", {"x", "cf"}, {"y"});
    b.Output("y");
    const ir::Graph g = MustImport(b.Bytes());
    const std::vector<float> y = Eval(g, std::vector<float>(6, -std::numeric_limits<float>::infinity()));
    const float inf = std::numeric_limits<float>::infinity();
    if (to == pb::TensorProto::FLOAT16) {
      // To nearest, ties to even: 65520 is halfway to 65536, beyond the
      // largest float16; 1e-8 is below half the smallest subnormal, -3e-8
      // above it; 2049 is halfway between 2048 and 2050.
      EXPECT_EQ(y, (std::vector<float>{0.333251953125f, 65504.0f, inf, 0.0f, -std::ldexp(1.0f, -24), 2048.0f}));
    } else if (to == pb::TensorProto::BFLOAT16) {
      // 8 significant bits, float32's exponents: 65519 and 65520 round to 2^16.
      EXPECT_EQ(y, (std::vector<float>{0.333984375f, 65536.0f, 65536.0f, 1.0011717677116394e-08f,
                                       -3.003515303134918e-08f, 2048.0f}));
    } else {
      EXPECT_EQ(y, c);
    }
  }
}

TEST(OnnxElementTypes, DoubleAndFloat16ValuesAreFloat32WithAWarning) {
  OnnxBuilder b;
  b.Input("x", {3}, pb::TensorProto::DOUBLE);
  b.Node("Mul", {"x", "x"}, {"sq"});
  b.Node("Cast", {"sq"}, {"h"}, "to_half").Int("to", pb::TensorProto::FLOAT16);
  b.Node("Neg", {"h"}, {"z"});
  b.Output("sq", pb::TensorProto::DOUBLE);
  b.Output("z", pb::TensorProto::FLOAT16);
  std::vector<Diagnostic> warnings;
  ImportOptions o;
  o.warnings = &warnings;
  const ir::Graph g = MustImport(b.Bytes(), o);
  ASSERT_EQ(g.inputs.size(), 1u);
  EXPECT_EQ(g.tensor(g.inputs[0]).dtype, ir::DType::kFloat32);
  ASSERT_EQ(g.outputs.size(), 2u);
  EXPECT_EQ(g.tensor(g.outputs[0]).dtype, ir::DType::kFloat32);
  EXPECT_EQ(g.tensor(g.outputs[1]).dtype, ir::DType::kFloat32);
  ASSERT_EQ(warnings.size(), 4u);
  for (const Diagnostic& w : warnings) {
    EXPECT_EQ(w.id, "W1001");
    EXPECT_EQ(w.exit, ExitCode::kOk);
    EXPECT_NE(w.hint.find("float32"), std::string::npos) << w.hint;
  }
  EXPECT_NE(warnings[0].message.find("graph input 'x' is DOUBLE; ember computes it in float32"), std::string::npos)
      << warnings[0].message;
  EXPECT_NE(warnings[1].message.find("Cast node 'to_half' is FLOAT16"), std::string::npos) << warnings[1].message;
  EXPECT_NE(warnings[2].message.find("graph output 'sq' is DOUBLE"), std::string::npos) << warnings[2].message;
  EXPECT_NE(warnings[3].message.find("graph output 'z' is FLOAT16"), std::string::npos) << warnings[3].message;
  EXPECT_EQ(Eval(g, {1.5f, -2.0f, 3.0f}, 0), (std::vector<float>{2.25f, 4.0f, 9.0f}));
  EXPECT_EQ(Eval(g, {1.5f, -2.0f, 3.0f}, 1), (std::vector<float>{-2.25f, -4.0f, -9.0f}));
  // Without a place for warnings the import is the same.
  EXPECT_EQ(MustImport(b.Bytes()).tensor(g.inputs[0]).dtype, ir::DType::kFloat32);
}

// A Cast to float16 or bfloat16 at run time rounds to that format (held in
// float32), from float32 and from an integer input; a Cast to double does
// not round.
TEST(OnnxElementTypes, RunTimeCastsRoundToFloat16AndBfloat16) {
  OnnxBuilder b;
  b.Input("x", {4});
  b.Input("n", {2}, pb::TensorProto::INT32);
  b.Node("Cast", {"x"}, {"h"}, "to_half").Int("to", pb::TensorProto::FLOAT16);
  b.Node("Cast", {"h"}, {"hf"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Cast", {"x"}, {"bf"}, "to_bf16").Int("to", pb::TensorProto::BFLOAT16);
  b.Node("Cast", {"x"}, {"d"}, "to_double").Int("to", pb::TensorProto::DOUBLE);
  b.Node("Cast", {"n"}, {"nh"}, "int_to_half").Int("to", pb::TensorProto::FLOAT16);
  b.Output("hf");
  b.Output("bf", pb::TensorProto::BFLOAT16);
  b.Output("d", pb::TensorProto::DOUBLE);
  b.Output("nh", pb::TensorProto::FLOAT16);
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x{3.14159265f, 1e5f, 1.0f + 0x1p-11f, 0x1p-25f};
  std::vector<uint8_t> xb(16), nb(8);
  std::memcpy(xb.data(), x.data(), 16);
  const int32_t n[2] = {2049, -65519};
  std::memcpy(nb.data(), n, 8);
  auto r = ops::EvaluateGraph(g, {xb, nb});
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  ASSERT_EQ(r->outputs.size(), 4u);
  const auto run = [&](size_t out) {
    std::vector<float> v(r->outputs[out].size() / 4);
    std::memcpy(v.data(), r->outputs[out].data(), v.size() * 4);
    return v;
  };
  const float inf = std::numeric_limits<float>::infinity();
  EXPECT_EQ(run(0), (std::vector<float>{3.140625f, inf, 1.0f, 0.0f}));
  EXPECT_EQ(run(1), (std::vector<float>{3.140625f, 99840.0f, 1.0f, 0x1p-25f}));
  EXPECT_EQ(run(2), x);
  EXPECT_EQ(run(3), (std::vector<float>{2048.0f, -65504.0f}));
  size_t rounding = 0;
  for (const ir::Node& nd : g.nodes) rounding += nd.op == ir::OpKind::kCast && nd.HasAttr("round");
  EXPECT_EQ(rounding, 3u);
}

TEST(OnnxElementTypes, OtherTypesStayRefused) {
  for (const int32_t elem : {pb::TensorProto::UINT16, pb::TensorProto::STRING}) {
    OnnxBuilder b;
    b.Input("x", {3}, elem);
    b.Node("Identity", {"x"}, {"y"});
    b.Output("y", elem);
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1012") << d.ToString();
    EXPECT_NE(d.message.find("graph input 'x'"), std::string::npos) << d.message;
    EXPECT_NE(d.message.find("double, float16 and bfloat16 as float32"), std::string::npos) << d.message;
  }
}

}  // namespace
}  // namespace ember::frontend::onnx
