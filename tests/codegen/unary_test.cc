// Kernels of the elementwise unary operators (abs, and the float-only neg,
// sqrt, rsqrt, exp, log, erf, floor, ceil, round, sin, cos, sign, square): generated C equals the
// reference evaluator byte for byte on the host, and compiles for the
// Cortex-M4.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

// The unary operators under test.
const ir::OpKind kOps[] = {ir::OpKind::kAbs, ir::OpKind::kNeg, ir::OpKind::kSqrt, ir::OpKind::kRsqrt, ir::OpKind::kExp, ir::OpKind::kLog,
                           ir::OpKind::kErf, ir::OpKind::kFloor, ir::OpKind::kCeil, ir::OpKind::kRound,
                           ir::OpKind::kSin, ir::OpKind::kCos, ir::OpKind::kSign, ir::OpKind::kSquare,
                           ir::OpKind::kAtan};

// Positive values over several decades and the special values the functions
// treat apart (0, inf).
std::vector<float> PositiveFloats() {
  std::vector<float> v{0.0f, std::numeric_limits<float>::infinity(), 1.0f, 1e-30f, 3e30f};
  for (int i = 0; i < 91; ++i) v.push_back(std::ldexp(1.0f + static_cast<float>(i) / 97.0f, i % 40 - 20));
  return v;
}

TEST(UnaryFloatKernels, MatchTheReference) {
  for (const auto op : kOps) {
    const std::string name = ir::OpIrName(op);
    SCOPED_TRACE(name);
    const auto v = PositiveFloats();
    const auto n = static_cast<int64_t>(v.size());
    KernelCase(op).InData(DType::kFloat32, {n}, FloatBytes(v)).Out(DType::kFloat32, {n}).Expect();
    const bool rounding = name == "floor" || name == "ceil" || name == "round" || name == "sign" || name == "square";
    if (name == "abs" || name == "neg" || name == "exp" || name == "erf" || name == "sin" || name == "cos" || name == "atan" ||
        rounding) {  // defined on the whole line
      KernelCase c(op);
      c.In(DType::kFloat32, {3, 5, 7}, std::nullopt, 1, 20.0f).Out(DType::kFloat32, {3, 5, 7}).Expect();
      EXPECT_TRUE(c.Emit()->inplace_ok);
    }
    if (rounding) {  // ties, signed zeros, NaN, values that are integers already
      std::vector<float> t{-0.0f, 0.0f, std::numeric_limits<float>::quiet_NaN(), -std::numeric_limits<float>::infinity(),
                           8388609.0f, -3e30f};
      for (int i = -20; i <= 20; ++i) t.push_back(static_cast<float>(i) * 0.5f), t.push_back(static_cast<float>(i) * 0.1f);
      const auto tn = static_cast<int64_t>(t.size());
      KernelCase(op).InData(DType::kFloat32, {tn}, FloatBytes(t)).Out(DType::kFloat32, {tn}).Expect();
    }
  }
}

TEST(EluKernel, MatchesTheReference) {
  std::vector<float> v{0.0f, -0.0f, 1.0f, -1.0f, -20.0f, 3e30f, -3e30f, std::numeric_limits<float>::infinity()};
  for (int i = 0; i < 91; ++i) v.push_back(-std::ldexp(1.0f + static_cast<float>(i) / 97.0f, i % 40 - 20));
  const auto n = static_cast<int64_t>(v.size());
  KernelCase(ir::OpKind::kElu).InData(DType::kFloat32, {n}, FloatBytes(v)).Out(DType::kFloat32, {n}).Expect();
  KernelCase(ir::OpKind::kElu).In(DType::kInt8, {4, 64}, Quant(0.05f, -7)).Out(DType::kInt8, {4, 64}, Quant(0.04f, 20)).Expect();
  KernelCase c(ir::OpKind::kElu);
  c.In(DType::kInt8, {300}, Quant(0.1f, 9)).Out(DType::kInt8, {300}, Quant(0.031f, -128)).Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_NE(k->code.find("elu_table"), std::string::npos) << k->code;
  KernelCase m(ir::OpKind::kElu);
  m.In(DType::kFloat32, {16}).Out(DType::kFloat32, {16});
  const std::string r = CompileForCortexM4(m);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

TEST(AbsKernel, Int8IsAReferenceTable) {
  KernelCase(ir::OpKind::kAbs).In(DType::kInt8, {4, 64}, Quant(0.05f, -7)).Out(DType::kInt8, {4, 64}, Quant(0.05f, -100)).Expect();
  KernelCase c(ir::OpKind::kAbs);
  c.In(DType::kInt8, {300}, Quant(0.05f, 9)).Out(DType::kInt8, {300}, Quant(0.031f, -128)).Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_NE(k->code.find("abs_table"), std::string::npos) << k->code;
}

TEST(LookupTableKernel, ReadsTheConstantTable) {
  KernelCase c(ir::OpKind::kLookupTable);
  c.In(DType::kInt8, {3, 100}, Quant(0.05f, -7)).Const(DType::kInt8, {256}).Out(DType::kInt8, {3, 100}, Quant(0.02f, 4));
  c.Attr("function", std::string("logistic")).Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_TRUE(k->inplace_ok);
  EXPECT_NE(k->code.find("the int8 logistic of the source model"), std::string::npos) << k->code;
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

// A table per channel ([C, 256], attribute axis): the middle axis, the last
// and the first, each equal to the reference byte for byte.
TEST(LookupTableKernel, PerChannelTablesMatchTheReference) {
  const ir::Shape shape = {2, 3, 5};
  for (int64_t axis = 0; axis < 3; ++axis) {
    SCOPED_TRACE(axis);
    KernelCase c(ir::OpKind::kLookupTable);
    c.In(DType::kInt8, shape, Quant(0.05f, -7))
        .Const(DType::kInt8, {shape[static_cast<size_t>(axis)], 256})
        .Out(DType::kInt8, shape, Quant(0.02f, 4));
    c.Attr("axis", axis).Attr("function", std::string("mul, add")).Expect();
    if (axis == 1) {
      const std::string r = CompileForCortexM4(c);
      if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
      EXPECT_EQ(r, "");
    }
  }
}

TEST(UnaryFloatKernels, CompileForCortexM4) {
  for (const auto op : kOps) {
    KernelCase c(op);
    c.In(DType::kFloat32, {16}).Out(DType::kFloat32, {16});
    const std::string r = CompileForCortexM4(c);
    if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
    EXPECT_EQ(r, "") << ir::OpIrName(op);
  }
}

}  // namespace
}  // namespace ember::test
