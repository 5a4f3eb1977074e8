// A QDQ model's linear Resizes (DequantizeLinear -> Resize -> QuantizeLinear,
// as ONNX Runtime's quantizer writes them; uint8 and int8 activations): a
// half_pixel upscale by 2 x 1.6 requantized to another scale, then an
// align_corners downscale to 7 x 5 (sizes). After the passes both are int8
// `resize_linear` nodes (no float operator left but the graph input's
// quantize and the output's dequantize); `ember eval` equals ONNX Runtime's
// default run on every element (skipped with a message without
// onnxruntime-node), and the host build equals `ember eval` byte for byte.
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

std::vector<uint8_t> QdqResize(bool u8) {
  const int32_t t = u8 ? pb::TensorProto::UINT8 : pb::TensorProto::INT8;
  const int32_t k = u8 ? 0 : -128;
  OnnxBuilder b;
  b.Input("x", {1, 3, 5, 5});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", t, {}, {131 + k});
  b.Init("rs", {}, {0.017f});
  b.InitInt("rz", t, {}, {120 + k});
  b.Init("ds", {}, {0.015f});
  b.InitInt("dz", t, {}, {133 + k});
  b.Init("scales", {4}, {1.0f, 1.0f, 2.0f, 1.6f});
  b.InitInt64("sizes", {4}, {1, 3, 7, 5});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.Node("Resize", {"xd", "", "scales"}, {"r"}, "up").Str("mode", "linear");
  b.Node("QuantizeLinear", {"r", "rs", "rz"}, {"rq"});
  b.Node("DequantizeLinear", {"rq", "rs", "rz"}, {"rd"});
  b.Node("Resize", {"rd", "", "", "sizes"}, {"d"}, "down")
      .Str("mode", "linear")
      .Str("coordinate_transformation_mode", "align_corners");
  b.Node("QuantizeLinear", {"d", "ds", "dz"}, {"dq"});
  b.Node("DequantizeLinear", {"dq", "ds", "dz"}, {"y"});
  b.OutputWithShape("y", {1, 3, 7, 5});
  return b.Bytes();
}

TEST(QdqResize, Int8ResizeLinearEqualsOnnxRuntime) {
  const std::string dir = TempDir();
  const std::vector<float> x = Seeded(75, 8, 2.4f);
  WriteFloatNpy(dir + "/x.npy", {1, 3, 5, 5}, x);
  for (const bool u8 : {true, false}) {
    const std::string tag = u8 ? "qdq_resize_u8" : "qdq_resize_i8";
    SCOPED_TRACE(tag);
    const std::string model = dir + "/" + tag + ".onnx";
    WriteFile(model, QdqResize(u8));
    const CliResult ins = RunCli({"inspect", model});
    ASSERT_EQ(ins.exit_code, 0) << ins.err;
    size_t int8_resizes = 0;
    for (size_t at = ins.out.find("resize_linear("); at != std::string::npos;
         at = ins.out.find("resize_linear(", at + 1)) {
      const size_t eol = ins.out.find('\n', at);
      int8_resizes += ins.out.substr(at, eol - at).find(": i8[") != std::string::npos;
    }
    EXPECT_EQ(int8_resizes, 2u) << ins.out;
    EXPECT_EQ(ins.out.find(": f32[1,10"), std::string::npos) << "a float resize is left\n" << ins.out;
    ExpectEvalEqualsHostAndOnnxRuntime(model, dir, tag, FloatBytes(x), "1x3x5x5", 105);
  }
}

}  // namespace
}  // namespace ember::test
