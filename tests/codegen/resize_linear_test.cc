// The resize_linear kernel (ONNX Runtime's linear Resize): the generated C
// equals the reference evaluator byte for byte on the host for float32, the
// requantizing int8 form and the integer form (with and without the uint8
// offset), every coordinate mode, upscales, downscales and one-pixel
// outputs; and it compiles for the Cortex-M4.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

KernelCase Resize(DType t, const ir::Shape& in, const ir::Shape& out, const std::string& mode,
                  std::vector<double> scale, int64_t integers = 0, int64_t offset = 0) {
  KernelCase c(ir::OpKind::kResizeLinear);
  if (t == DType::kFloat32) {
    c.In(t, in).Out(t, out);
  } else if (integers) {
    c.In(t, in, Quant(0.1f, 3)).Out(t, out, Quant(0.1f, 3)).Attr("integers", integers);
    if (offset) c.Attr("value_offset", offset);
  } else {
    c.In(t, in, Quant(0.05f, -7)).Out(t, out, Quant(0.043f, 11));
  }
  c.Attr("size", std::vector<int64_t>{out[1], out[2]}).Attr("coordinate_mode", mode).Attr("scale", std::move(scale));
  return c;
}

TEST(ResizeLinearKernel, MatchesTheReference) {
  for (const char* mode : {"half_pixel", "pytorch_half_pixel", "asymmetric", "align_corners"}) {
    SCOPED_TRACE(mode);
    const ir::Shape in = {2, 4, 5, 3};
    const std::vector<std::pair<ir::Shape, std::vector<double>>> outs = {
        {{2, 9, 11, 3}, {2.3, 2.2}},
        {{2, 3, 2, 3}, {0.75, 0.4}},
        {{2, 1, 1, 3}, {0.25, 0.2}},
        {{2, 8, 10, 3}, {2.0, 2.0}}};
    for (const auto& [out, scale] : outs) {
      Resize(DType::kFloat32, in, out, mode, scale).Expect();
      Resize(DType::kInt8, in, out, mode, scale).Expect();
      Resize(DType::kInt8, in, out, mode, scale, 1).Expect();
      Resize(DType::kInt8, in, out, mode, scale, 1, 128).Expect();
    }
  }
}

TEST(ResizeLinearKernel, CompilesForCortexM4) {
  for (const int64_t integers : {0, 1}) {
    const std::string r = CompileForCortexM4(
        Resize(DType::kInt8, {1, 4, 4, 8}, {1, 8, 8, 8}, "half_pixel", {2.0, 2.0}, integers, integers ? 128 : 0));
    if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
    EXPECT_EQ(r, "");
  }
  EXPECT_EQ(CompileForCortexM4(Resize(DType::kFloat32, {1, 4, 4, 8}, {1, 7, 5, 8}, "align_corners", {1.75, 1.25})), "");
}

}  // namespace
}  // namespace ember::test
