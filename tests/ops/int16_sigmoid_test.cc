// int16 LOGISTIC and TANH reference evaluators (16x8 quantization): the
// expected values are the output of TFLite Micro's own
// reference_integer_ops::Logistic and Tanh (with their Prepare's multiplier
// and shift) on these inputs, and the quantizations they refuse.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using test::Quant;

const std::vector<int16_t> kInputs = {-32768, -30000, -12288, -4096, -1000, -1, 0,
                                      1,      1000,   4096,   12288, 30000, 32767};

struct Case {
  ir::OpKind op;
  float s_in;  // 2^-12: the power-of-two path; 2^-11: the same for tanh, the general one for logistic
  std::vector<int16_t> want;
};

TEST(Int16Sigmoid, EqualsTfliteMicro) {
  const Case cases[] = {
      {ir::OpKind::kLogistic, 1.0f / 4096.0f, {11, 22, 1554, 8812, 14394, 16382, 16384, 16386, 18374, 23956, 31214, 32746, 32757}},
      {ir::OpKind::kLogistic, 1.0f / 2048.0f, {1, 1, 81, 3906, 12462, 16380, 16384, 16388, 20306, 28862, 32687, 32767, 32767}},
      {ir::OpKind::kLogistic, 0.0003f, {2, 4, 801, 7419, 13945, 16381, 16384, 16387, 18823, 25349, 31967, 32764, 32766}},
      {ir::OpKind::kTanh, 1.0f / 4096.0f,
       {-32767, -32767, -32606, -24956, -7845, -8, 0, 8, 7845, 24956, 32606, 32767, 32767}},
      {ir::OpKind::kTanh, 1.0f / 2048.0f,
       {-32767, -32767, -32767, -31589, -14838, -16, 0, 16, 14838, 31589, 32767, 32767, 32767}},
      {ir::OpKind::kTanh, 0.0003f, {-32767, -32767, -32727, -27598, -9545, -11, 0, 11, 9545, 27598, 32727, 32767, 32767}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(ir::OpIrName(c.op)) + " s_in " + std::to_string(c.s_in));
    test::OneNode t(c.op);
    t.In<int16_t>({13}, kInputs, Quant(c.s_in, 0)).Out(ir::DType::kInt16, {13}, Quant(1.0f / 32768.0f, 0));
    auto r = t.Run<int16_t>();
    ASSERT_TRUE(r.ok()) << r.diag().ToString();
    EXPECT_EQ(*r, c.want);
  }
}

// Zero points must be 0, the output scale 2^-15, the input scale at most
// 32767 / 12288 (TFLite Micro's multiplier limit).
TEST(Int16Sigmoid, RefusesWhatTfliteMicroRefuses) {
  const std::vector<int16_t> x = {1, 2};
  for (ir::OpKind op : {ir::OpKind::kLogistic, ir::OpKind::kTanh}) {
    SCOPED_TRACE(ir::OpIrName(op));
    test::OneNode zp(op);
    zp.In<int16_t>({2}, x, Quant(0.001f, 3)).Out(ir::DType::kInt16, {2}, Quant(1.0f / 32768.0f, 0));
    EXPECT_FALSE(zp.Run<int16_t>().ok());
    test::OneNode scale(op);
    scale.In<int16_t>({2}, x, Quant(0.001f, 0)).Out(ir::DType::kInt16, {2}, Quant(1.0f / 16384.0f, 0));
    auto r = scale.Run<int16_t>();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diag().message.find("2^-15"), std::string::npos) << r.diag().message;
    test::OneNode big(op);
    big.In<int16_t>({2}, x, Quant(3.0f, 0)).Out(ir::DType::kInt16, {2}, Quant(1.0f / 32768.0f, 0));
    EXPECT_FALSE(big.Run<int16_t>().ok());
    test::OneNode ok(op);
    ok.In<int16_t>({2}, x, Quant(2.6f, 0)).Out(ir::DType::kInt16, {2}, Quant(1.0f / 32768.0f, 0));
    EXPECT_TRUE(ok.Run<int16_t>().ok());
  }
}

}  // namespace
}  // namespace ember
