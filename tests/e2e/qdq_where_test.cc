// A QDQ model's Wheres (DequantizeLinear -> Where -> QuantizeLinear, as ONNX
// Runtime's quantizer writes them; uint8 and int8 activations): one with a
// condition computed at run time and a float constant fill (a masked fill),
// requantized to another scale, then one with a constant condition that
// broadcasts, choosing between two tensors of different quantizations. After
// the passes both are int8 `select` nodes; `ember eval` equals ONNX Runtime's
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

std::vector<uint8_t> QdqWhere(bool u8) {
  const int32_t t = u8 ? pb::TensorProto::UINT8 : pb::TensorProto::INT8;
  const int32_t k = u8 ? 0 : -128;
  OnnxBuilder b;
  b.Input("x", {1, 3, 5, 5});
  b.Init("xs", {}, {0.02f});
  b.InitInt("xz", t, {}, {131 + k});
  b.Init("ws", {}, {0.017f});
  b.InitInt("wz", t, {}, {120 + k});
  b.Init("ys", {}, {0.015f});
  b.InitInt("yz", t, {}, {133 + k});
  b.Init("threshold", {}, {0.1f});
  b.Init("fill", {}, {-1.5f});
  b.InitInt("channels", pb::TensorProto::BOOL, {1, 3, 1, 1}, {1, 0, 1});
  b.Node("QuantizeLinear", {"x", "xs", "xz"}, {"xq"});
  b.Node("DequantizeLinear", {"xq", "xs", "xz"}, {"xd"});
  b.Node("Greater", {"xd", "threshold"}, {"mask"});
  b.Node("Where", {"mask", "xd", "fill"}, {"w"}, "masked_fill");
  b.Node("QuantizeLinear", {"w", "ws", "wz"}, {"wq"});
  b.Node("DequantizeLinear", {"wq", "ws", "wz"}, {"wd"});
  b.Node("Where", {"channels", "wd", "xd"}, {"c"}, "choose");
  b.Node("QuantizeLinear", {"c", "ys", "yz"}, {"cq"});
  b.Node("DequantizeLinear", {"cq", "ys", "yz"}, {"y"});
  b.OutputWithShape("y", {1, 3, 5, 5});
  return b.Bytes();
}

TEST(QdqWhere, Int8SelectEqualsOnnxRuntime) {
  const std::string dir = TempDir();
  const std::vector<float> x = Seeded(75, 9, 2.4f);
  WriteFloatNpy(dir + "/x.npy", {1, 3, 5, 5}, x);
  for (const bool u8 : {true, false}) {
    const std::string tag = u8 ? "qdq_where_u8" : "qdq_where_i8";
    SCOPED_TRACE(tag);
    const std::string model = dir + "/" + tag + ".onnx";
    WriteFile(model, QdqWhere(u8));
    const CliResult ins = RunCli({"inspect", model});
    ASSERT_EQ(ins.exit_code, 0) << ins.err;
    size_t int8_selects = 0, selects = 0;
    for (size_t at = ins.out.find("select("); at != std::string::npos; at = ins.out.find("select(", at + 1)) {
      const size_t eol = ins.out.find('\n', at);
      ++selects;
      int8_selects += ins.out.substr(at, eol - at).find(": i8[") != std::string::npos;
    }
    EXPECT_EQ(selects, 2u) << ins.out;
    EXPECT_EQ(int8_selects, 2u) << ins.out;
    ExpectEvalEqualsHostAndOnnxRuntime(model, dir, tag, FloatBytes(x), "1x3x5x5", 75);
  }
}

}  // namespace
}  // namespace ember::test
