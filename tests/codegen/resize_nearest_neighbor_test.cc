// RESIZE_NEAREST_NEIGHBOR kernels: generated C equals the reference evaluator
// byte for byte, for every coordinate mode.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(ResizeNearestNeighborKernel, ModesInt8AndFloat) {
  for (int64_t align : {0, 1}) {
    for (int64_t half : {0, 1}) {
      for (auto [h, w] : {std::pair<int64_t, int64_t>{10, 14}, {3, 2}, {5, 5}, {1, 9}}) {
        KernelCase(ir::OpKind::kResizeNearestNeighbor)
            .In(DType::kInt8, {2, 5, 7, 3}, Quant(0.1f, -2))
            .Out(DType::kInt8, {2, h, w, 3}, Quant(0.1f, -2))
            .Attr("size", std::vector<int64_t>{h, w})
            .Attr("align_corners", align)
            .Attr("half_pixel_centers", half)
            .Expect();
        KernelCase(ir::OpKind::kResizeNearestNeighbor)
            .In(DType::kFloat32, {1, 5, 7, 2})
            .Out(DType::kFloat32, {1, h, w, 2})
            .Attr("size", std::vector<int64_t>{h, w})
            .Attr("align_corners", align)
            .Attr("half_pixel_centers", half)
            .Expect();
      }
    }
  }
}

TEST(ResizeNearestNeighborKernel, EmptyOutputAndM4) {
  KernelCase(ir::OpKind::kResizeNearestNeighbor)
      .In(DType::kFloat32, {1, 2, 2, 1})
      .Out(DType::kFloat32, {1, 0, 4, 1})
      .Attr("size", std::vector<int64_t>{0, 4})
      .Expect();
  KernelCase c(ir::OpKind::kResizeNearestNeighbor);
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .Out(DType::kInt8, {1, 8, 8, 8}, Quant(0.05f, 2))
      .Attr("size", std::vector<int64_t>{8, 8});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
