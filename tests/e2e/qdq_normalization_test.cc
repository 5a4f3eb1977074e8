// Normalizations of a QDQ model, as ONNX Runtime's quantizer writes them:
// the scale an int8 constant and the bias an int32 constant (scale: input
// scale times weight scale), each through a DequantizeLinear, for
// BatchNormalization (mean and variance float) and InstanceNormalization,
// uint8 and int8 activations. They imported only with float parameters
// (E1013 before: "computed at run time"); `ember eval` equals ONNX Runtime's
// default run on every element (skipped with a message without
// onnxruntime-node), and the host build equals `ember eval` byte for byte.
// The batch normalization between its dequantize and quantize becomes one
// int8 table per channel (fold-qdq).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e/npy_util.h"
#include "e2e/ort_util.h"
#include "util/onnx_builder.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

namespace pb = ::onnx;

std::vector<uint8_t> QdqNormalization(const std::string& op, bool u8) {
  const int32_t t = u8 ? pb::TensorProto::UINT8 : pb::TensorProto::INT8;
  const int32_t k = u8 ? 0 : -128;
  OnnxBuilder b;
  b.Input("x", {1, 4, 8, 8});
  b.Init("xs", {}, {0.03f});
  b.InitInt("xz", t, {}, {131 + k});
  b.Init("ys", {}, {0.021f});
  b.InitInt("yz", t, {}, {127 + k});
  b.InitInt("gamma_q", pb::TensorProto::INT8, {4}, {100, -80, 127, 50});
  b.Init("gamma_s", {}, {0.01f});
  b.InitInt("gamma_z", pb::TensorProto::INT8, {}, {0});
  b.InitInt("beta_q", pb::TensorProto::INT32, {4}, {300, -2000, 0, 1000});
  b.Init("beta_s", {}, {0.0003f});
  b.InitInt("beta_z", pb::TensorProto::INT32, {}, {0});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.Node("DequantizeLinear", {"gamma_q", "gamma_s", "gamma_z"}, {"gamma"});
  b.Node("DequantizeLinear", {"beta_q", "beta_s", "beta_z"}, {"beta"});
  if (op == "BatchNormalization") {
    b.Init("mean", {4}, {0.1f, -0.2f, 0.3f, 0.0f});
    b.Init("var", {4}, {1.5f, 0.7f, 2.0f, 1.1f});
    b.Node(op, {"xd", "gamma", "beta", "mean", "var"}, {"n"}, "norm");
  } else {
    b.Node(op, {"xd", "gamma", "beta"}, {"n"}, "norm");
  }
  b.Node("QuantizeLinear", {"n", "ys", "yz"}, {"nq"});
  b.Node("DequantizeLinear", {"nq", "ys", "yz"}, {"y"});
  b.OutputWithShape("y", {1, 4, 8, 8});
  return b.Bytes();
}

TEST(QdqNormalization, QuantizedParametersEqualOnnxRuntime) {
  const std::string dir = TempDir();
  const std::vector<float> x = Seeded(256, 11, 1.5f);
  WriteFloatNpy(dir + "/x.npy", {1, 4, 8, 8}, x);
  for (const std::string op : {"BatchNormalization", "InstanceNormalization"}) {
    for (const bool u8 : {true, false}) {
      const std::string tag = op + (u8 ? "_u8" : "_i8");
      SCOPED_TRACE(tag);
      const std::string model = dir + "/" + tag + ".onnx";
      WriteFile(model, QdqNormalization(op, u8));
      if (op == "BatchNormalization") {
        // x · s + b per channel between a dequantize and a quantize: one
        // int8 table per channel, no float operator.
        const CliResult ins = RunCli({"inspect", model});
        ASSERT_EQ(ins.exit_code, 0) << ins.err;
        EXPECT_NE(ins.out.find("lookup_table("), std::string::npos) << ins.out;
        EXPECT_EQ(ins.out.find("mul("), std::string::npos) << ins.out;
        EXPECT_EQ(ins.out.find("add("), std::string::npos) << ins.out;
      }
      ExpectEvalEqualsHostAndOnnxRuntime(model, dir, tag, FloatBytes(x), "1x4x8x8", 256);
    }
  }
}

}  // namespace
}  // namespace ember::test
