// TOPK_V2 kernel: generated C equals the reference evaluator byte for byte
// (values and indices): random float32 rows, float32 rows with repeated
// values, NaNs and infinities, int8 rows (many ties) largest and smallest
// first, int32 with int64 indices; and it builds for the M4.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(TopkV2Kernel, Float) {
  for (int64_t largest : {1, 0}) {
    KernelCase(ir::OpKind::kTopkV2).In(DType::kFloat32, {4, 3, 17}).Out(DType::kFloat32, {4, 3, 5})
        .Out(DType::kInt32, {4, 3, 5}).Attr("k", int64_t{5}).Attr("largest", largest).Expect();
    const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
    std::vector<float> v;
    for (int i = 0; i < 40; ++i) v.push_back(static_cast<float>((i * 7) % 5) - 2.0f);
    v[3] = nan, v[11] = nan, v[12] = inf, v[30] = -inf, v[31] = -0.0f;
    KernelCase(ir::OpKind::kTopkV2).InData(DType::kFloat32, {2, 20}, FloatBytes(v)).Out(DType::kFloat32, {2, 20})
        .Out(DType::kInt32, {2, 20}).Attr("k", int64_t{20}).Attr("largest", largest).Expect();
  }
}

TEST(TopkV2Kernel, Int8AndInt32) {
  for (int64_t largest : {1, 0}) {
    KernelCase(ir::OpKind::kTopkV2).In(DType::kInt8, {6, 300}, Quant(0.1f, 3)).Out(DType::kInt8, {6, 7}, Quant(0.1f, 3))
        .Out(DType::kInt32, {6, 7}).Attr("k", int64_t{7}).Attr("largest", largest).Expect();
    KernelCase(ir::OpKind::kTopkV2).In(DType::kInt32, {9}).Out(DType::kInt32, {9}).Out(DType::kInt64, {9})
        .Attr("k", int64_t{9}).Attr("largest", largest).Expect();
  }
}

TEST(TopkV2Kernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kTopkV2);
  c.In(DType::kFloat32, {3, 8}).Out(DType::kFloat32, {3, 2}).Out(DType::kInt32, {3, 2}).Attr("k", int64_t{2});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase d(ir::OpKind::kTopkV2);
  d.In(DType::kInt8, {8}, Quant(0.5f, 0)).Out(DType::kInt8, {3}, Quant(0.5f, 0)).Out(DType::kInt64, {3})
      .Attr("k", int64_t{3}).Attr("largest", int64_t{0});
  EXPECT_EQ(CompileForCortexM4(d), "");
}

}  // namespace
}  // namespace ember::test
