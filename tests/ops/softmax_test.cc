// SOFTMAX reference evaluator: the verified int8 vectors of TFLite Micro's
// fixed-point kernel (semantics notes §13), its rejection cases, float32.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/int16_activation.h"
#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

test::OneNode Int8Softmax(ir::Shape shape, const std::vector<int8_t>& x, float s_in = 0.1f,
                          float s_out = 1.0f / 256.0f, int64_t z_out = -128) {
  test::OneNode t(ir::OpKind::kSoftmax);
  t.In<int8_t>(shape, x, Quant(s_in, 0))
      .Out(ir::DType::kInt8, shape, Quant(s_out, z_out))
      .Attr("beta", 1.0);
  return t;
}

TEST(Softmax, Int8VerifiedRow) {
  auto r = Int8Softmax({1, 6}, {-128, -20, 0, 10, 27, 27}).Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -127, -120, -107, -15, -15}));
}

TEST(Softmax, Int8RowsAreIndependent) {
  // Second row: one value, shifted; the max-subtraction makes it identical.
  auto r = Int8Softmax({2, 6}, {-128, -20, 0, 10, 27, 27, -100, 8, 28, 38, 55, 55}).Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, -127, -120, -107, -15, -15, -128, -127, -120, -107,
                                     -15, -15}));
}

TEST(Softmax, Int8EqualValueRows) {
  const struct {
    int64_t n;
    int8_t expected;
  } cases[] = {{1, 127}, {2, 0}, {3, -43}, {256, -127}};
  for (const auto& c : cases) {
    auto r = Int8Softmax({1, c.n}, std::vector<int8_t>(static_cast<size_t>(c.n), 5)).Run<int8_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, std::vector<int8_t>(static_cast<size_t>(c.n), c.expected)) << "n=" << c.n;
  }
}

TEST(Softmax, Int8RowThatAbortsTfliteMicroIsADiagnostic) {
  // 512 tied maxima: the exponential sum reaches 512.0 and TFLite Micro aborts.
  auto r = Int8Softmax({1, 512}, std::vector<int8_t>(512, 0)).Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("row 0"), std::string::npos) << r.diag().message;
  // 511 still works (sum just below 512).
  auto ok = Int8Softmax({1, 511}, std::vector<int8_t>(511, 0)).Run<int8_t>();
  EXPECT_TRUE(ok.ok());
}

TEST(Softmax, Int8BelowDiffMinGivesMinusOneTwentyEight) {
  // s_in = 1.0: multiplier 2^26 -> shift 27, diff_min = -floor(31 * 2^26 / 2^27) = -15.
  // A difference of -16 is dropped (output -128); the max alone gives 127.
  auto r = Int8Softmax({1, 2}, {-16, 0}, 1.0f).Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-128, 127}));
}

TEST(Softmax, Int8RejectsOutputZeroPoint) {
  auto t = Int8Softmax({1, 2}, {0, 1}, 0.1f, 1.0f / 256.0f, -127);
  auto r = t.Infer();
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.diag().message.find("-128"), std::string::npos) << r.diag().message;
  EXPECT_FALSE(t.Run<int8_t>().ok());
}

TEST(Softmax, Int8RejectsOutputScale) {
  auto r = Int8Softmax({1, 2}, {0, 1}, 0.1f, 1.0f / 255.0f).Run<int8_t>();
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diag().id, "E0301");
}

TEST(Softmax, Int8RejectsTinyInputScale) {
  // beta * s_in * 2^26 must exceed 1.
  auto r = Int8Softmax({1, 2}, {0, 1}, 1e-9f).Run<int8_t>();
  EXPECT_FALSE(r.ok());
}

TEST(Softmax, Float32) {
  test::OneNode t(ir::OpKind::kSoftmax);
  t.In<float>({1, 3}, {1.0f, 2.0f, 3.0f}).Out(ir::DType::kFloat32, {1, 3}).Attr("beta", 1.0);
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // e^-2, e^-1, 1 over their sum 1.503214724.
  EXPECT_NEAR((*r)[0], 0.0900305732f, 1e-7);
  EXPECT_NEAR((*r)[1], 0.2447284711f, 1e-7);
  EXPECT_NEAR((*r)[2], 0.6652409558f, 1e-7);
}

TEST(Softmax, Float32BetaAndLargeInputs) {
  // Max subtraction keeps large inputs finite; beta = 0.5 halves differences.
  test::OneNode t(ir::OpKind::kSoftmax);
  t.In<float>({2}, {1000.0f, 1000.0f - 2.0f * std::log(3.0f)})
      .Out(ir::DType::kFloat32, {2})
      .Attr("beta", 0.5);
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_NEAR((*r)[0], 0.75f, 1e-4);
  EXPECT_NEAR((*r)[1], 0.25f, 1e-4);
}

TEST(Softmax, InferErrors) {
  {
    test::OneNode t(ir::OpKind::kSoftmax);
    t.In<float>({}, {1.0f}).Out(ir::DType::kFloat32, {});
    EXPECT_FALSE(t.Infer().ok());  // scalar
  }
  {
    test::OneNode t(ir::OpKind::kSoftmax);
    t.In<int16_t>({2}, {1, 2}, Quant(0.1f, 0)).Out(ir::DType::kInt16, {2});
    EXPECT_FALSE(t.Infer().ok());  // dtype
  }
  {
    test::OneNode t(ir::OpKind::kSoftmax);
    t.In<int8_t>({2}, {1, 2}).Out(ir::DType::kInt8, {2}, Quant(1.0f / 256, -128));
    EXPECT_FALSE(t.Infer().ok());  // input without quantization
  }
  {
    test::OneNode t(ir::OpKind::kSoftmax);
    t.In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2}).Attr("beta", std::string("x"));
    EXPECT_FALSE(t.Infer().ok());  // beta of the wrong type
  }
  {
    test::OneNode t(ir::OpKind::kSoftmax);
    t.In<float>({2}, {1, 2}).In<float>({2}, {1, 2}).Out(ir::DType::kFloat32, {2});
    EXPECT_FALSE(t.Infer().ok());  // arity
  }
}

// int16 (16x8) and int8 -> int16: the expected bytes are the output of
// TFLite Micro's own kernels (reference_ops::SoftmaxInt16 and Softmax<int8_t,
// int16_t> with its Prepare's tables and multipliers) on these inputs.
test::OneNode Int16Softmax(ir::Shape shape, const std::vector<int16_t>& x, float s_in,
                           float s_out = 1.0f / 32768.0f, int64_t z_out = 0) {
  test::OneNode t(ir::OpKind::kSoftmax);
  t.In<int16_t>(shape, x, Quant(s_in, 0)).Out(ir::DType::kInt16, shape, Quant(s_out, z_out)).Attr("beta", 1.0);
  return t;
}

TEST(Softmax, Int16EqualsTfliteMicro) {
  auto r = Int16Softmax({1, 8}, {-32768, -20000, -5000, -1, 0, 1000, 12000, 32767}, 0.000305f).Run<int16_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int16_t>{2, 2, 2, 2, 2, 2, 58, 32698}));
  auto rows = Int16Softmax({2, 4}, {-100, 0, 100, 200, 5, 5, 5, 5}, 0.0003f).Run<int16_t>();
  ASSERT_TRUE(rows.ok()) << rows.diag().ToString();
  EXPECT_EQ(*rows, (std::vector<int16_t>{7827, 8066, 8311, 8564, 8192, 8192, 8192, 8192}));
}

// sum of (i + 1) * table[i] of the tables TFLite Micro builds.
constexpr int64_t kExpLutWeightedSum = 783178612;
constexpr int64_t kReciprocalLutWeightedSum = 2651685971;

TEST(Softmax, Int16TablesEqualTfliteMicros) {
  // TFLite Micro's Prepare builds the same two tables on the host and on a
  // Cortex-M4F (newlib expf, fused multiply-adds); their sums and a few entries.
  const std::vector<int16_t>& e = ops::SoftmaxInt16ExpLut();
  const std::vector<int16_t>& r = ops::SoftmaxInt16ReciprocalLut();
  ASSERT_EQ(e.size(), 513u);
  ASSERT_EQ(r.size(), 513u);
  int64_t se = 0, sr = 0;
  for (size_t i = 0; i < 513; ++i) se += e[i] * static_cast<int64_t>(i + 1), sr += r[i] * static_cast<int64_t>(i + 1);
  EXPECT_EQ(e[0], 2);
  EXPECT_EQ(e[512], 32767);
  EXPECT_EQ(r[0], 32767);
  EXPECT_EQ(r[512], 16384);
  EXPECT_EQ(se, kExpLutWeightedSum);
  EXPECT_EQ(sr, kReciprocalLutWeightedSum);
}

TEST(Softmax, Int16RejectsAsymmetricOrWrongOutputScale) {
  auto z = Int16Softmax({1, 4}, {1, 2, 3, 4}, 0.001f, 1.0f / 32768.0f, 5).Run<int16_t>();
  ASSERT_FALSE(z.ok());
  EXPECT_NE(z.diag().message.find("1/32768"), std::string::npos) << z.diag().message;
  auto s = Int16Softmax({1, 4}, {1, 2, 3, 4}, 0.001f, 1.0f / 65536.0f).Run<int16_t>();
  EXPECT_FALSE(s.ok());
  // Within 0.1% of 1/32768 is accepted, as TFLite Micro does.
  auto near = Int16Softmax({1, 4}, {1, 2, 3, 4}, 0.001f, 1.0005f / 32768.0f).Run<int16_t>();
  EXPECT_TRUE(near.ok()) << near.diag().ToString();
}

TEST(Softmax, Int8InInt16OutEqualsTfliteMicro) {
  auto r = Int8Softmax({1, 6}, {-128, -20, 0, 10, 27, 27}, 0.1f, 1.0f / 65536.0f, -32768);
  r.out_tensor(0).dtype = ir::DType::kInt16;
  auto out = r.Run<int16_t>();
  ASSERT_TRUE(out.ok()) << out.diag().ToString();
  EXPECT_EQ(*out, (std::vector<int16_t>{-32768, -32504, -30818, -27468, -3757, -3757}));
  auto tied = Int8Softmax({1, 3}, {5, 5, 5}, 0.5f, 1.0f / 65536.0f, -32768);
  tied.out_tensor(0).dtype = ir::DType::kInt16;
  auto t = tied.Run<int16_t>();
  ASSERT_TRUE(t.ok()) << t.diag().ToString();
  EXPECT_EQ(*t, (std::vector<int16_t>{-10923, -10923, -10923}));
  // The int16 output needs zero point -32768 and scale 1/65536.
  auto bad = Int8Softmax({1, 3}, {5, 5, 5}, 0.5f, 1.0f / 32768.0f, 0);
  bad.out_tensor(0).dtype = ir::DType::kInt16;
  EXPECT_FALSE(bad.Run<int16_t>().ok());
}

}  // namespace
}  // namespace ember
