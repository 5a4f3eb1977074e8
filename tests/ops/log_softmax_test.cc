// LOG_SOFTMAX reference evaluator: float32 as TFLite's formula, int8 against
// TFLite Micro's test vectors and the float result, the fixed-point log, and
// Infer errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"
#include "ops/quant_math.h"

namespace ember {
namespace {

using test::Quant;

TEST(LogSoftmax, Float32RowsAsTflite) {
  test::OneNode t(ir::OpKind::kLogSoftmax);
  t.In<float>({2, 4}, {0, -6, 2, 4, 3, -2, 10, 1}).Out(ir::DType::kFloat32, {2, 4});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // tf.nn.log_softmax of these rows (TFLite Micro's test vectors).
  const std::vector<float> want = {-4.14297f, -10.14297f, -2.14297f, -.142971f,
                                   -7.00104f, -12.00104f, -.00104087f, -9.00104f};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_NEAR((*r)[i], want[i], 1e-5f) << i;
}

TEST(LogSoftmax, Int8MatchesTfliteMicroVectors) {
  test::OneNode t(ir::OpKind::kLogSoftmax);
  t.In<int8_t>({2, 4}, {-1, -78, 25, 50, 37, -27, 126, 12}, Quant(20.0f / 255.0f, -1))
      .Out(ir::DType::kInt8, {2, 4}, Quant(0.0625f, 127));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{61, -36, 93, 125, 15, -65, 127, -16}));
}

// Over many rows and scales the int8 result is within one output step of
// the float log_softmax of the dequantized input, down to the clamp at −128.
TEST(LogSoftmax, Int8WithinOneStepOfFloat) {
  uint32_t seed = 7;
  for (float scale : {0.02f, 0.1f, 0.35f}) {
    const int64_t depth = 37;
    std::vector<int8_t> x(static_cast<size_t>(3 * depth));
    for (int8_t& v : x) {
      seed = seed * 1664525u + 1013904223u;
      v = static_cast<int8_t>(static_cast<int32_t>(seed >> 24) - 128);
    }
    test::OneNode t(ir::OpKind::kLogSoftmax);
    t.In<int8_t>({3, depth}, x, Quant(scale, 3)).Out(ir::DType::kInt8, {3, depth}, Quant(0.0625f, 127));
    auto r = t.Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    for (int64_t row = 0; row < 3; ++row) {
      double max = -1e9, sum = 0;
      for (int64_t c = 0; c < depth; ++c) max = std::max(max, scale * (x[row * depth + c] - 3.0));
      for (int64_t c = 0; c < depth; ++c) sum += std::exp(scale * (x[row * depth + c] - 3.0) - max);
      for (int64_t c = 0; c < depth; ++c) {
        const double want = std::max(scale * (x[row * depth + c] - 3.0) - max - std::log(sum), -255.0 / 16);
        const double got = 0.0625 * ((*r)[static_cast<size_t>(row * depth + c)] - 127);
        EXPECT_LE(std::fabs(got - want), 0.0625 + 1e-9) << "scale " << scale << " row " << row << " col " << c;
      }
    }
  }
}

TEST(LogSoftmax, FixedPointLogIsAccurate) {
  for (double v : {1.0, 1.5, 2.0, 3.14159, 17.0, 100.0, 1000.0, 4095.0}) {
    const auto raw = static_cast<int32_t>(std::lround(v * (1 << 19)));  // Q12.19
    const double got = ops::FixedLogGe1(raw, 12, 5) / static_cast<double>(1 << 26);  // Q5.26
    EXPECT_NEAR(got, std::log(v), 2e-7) << v;
  }
}

TEST(LogSoftmax, Errors) {
  {
    test::OneNode t(ir::OpKind::kLogSoftmax, "ls");
    t.In<int8_t>({4}, {1, 2, 3, 4}, Quant(0.1f, 0)).Out(ir::DType::kInt8, {4}, Quant(1.0f / 256, -128));
    auto r = t.Infer();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("node 'ls' (log_softmax): int8 output is quantized with scale"), std::string::npos)
        << r.diag().ToString();
  }
  {
    test::OneNode t(ir::OpKind::kLogSoftmax);
    t.In<int8_t>({1, 4096}, std::vector<int8_t>(4096, 0), Quant(0.1f, 0))
        .Out(ir::DType::kInt8, {1, 4096}, Quant(0.0625f, 127));
    EXPECT_FALSE(t.Infer().ok());  // the Q12.19 sum could overflow
  }
  {
    test::OneNode t(ir::OpKind::kLogSoftmax);
    t.In<float>({}, {1.0f}).Out(ir::DType::kFloat32, {});
    EXPECT_FALSE(t.Infer().ok());
  }
}

}  // namespace
}  // namespace ember
