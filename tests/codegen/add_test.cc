// ADD kernels: generated C equals the reference evaluator byte for byte.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

TEST(AddKernel, Int8SameShapeDifferentScales) {
  for (const char* act : {"none", "relu", "relu6", "relu_n1_to_1"}) {
    KernelCase(ir::OpKind::kAdd)
        .In(DType::kInt8, {1, 8, 8, 16}, Quant(0.0473f, -3))
        .In(DType::kInt8, {1, 8, 8, 16}, Quant(0.0219f, 11))
        .Out(DType::kInt8, {1, 8, 8, 16}, Quant(0.0611f, -20))
        .Attr("act", std::string(act))
        .Expect();
  }
}

TEST(AddKernel, Int8ResidualLikeImageClassification) {
  // The ResNet block add of the MLPerf Tiny ic model: same shape, fused relu.
  KernelCase c(ir::OpKind::kAdd);
  c.In(DType::kInt8, {1, 32, 32, 16}, Quant(0.1165f, 4), 3)
      .In(DType::kInt8, {1, 32, 32, 16}, Quant(0.0804f, -12), 4)
      .Out(DType::kInt8, {1, 32, 32, 16}, Quant(0.1325f, -128))
      .Attr("act", std::string("relu"))
      .Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_TRUE(k->inplace_ok);
  // One flat loop over all 16384 elements.
  EXPECT_NE(k->code.find("i0 < 16384"), std::string::npos) << k->code;
  EXPECT_EQ(k->code.find("i1"), std::string::npos) << k->code;
}

// Each way a rescale stage is emitted, byte for byte against the reference:
// the larger input's 1/2 multiplier as a shift (both inputs when the scales
// are equal), ember_requant_rs for right shifts 2..31, and ember_rdbpot(
// ember_srdhm()) beyond (an input scale 2^-40 of the other's) and for an
// output right shift below 2.
TEST(AddKernel, Int8EveryRescaleForm) {
  struct Scales {
    float a, b, out;
    int32_t zo;
    const char* act;
    const char* must;  // a text the kernel contains
  };
  const Scales cases[] = {
      {0.05f, 0.05f, 0.08f, -128, "relu", "* 524288;"},  // equal: both inputs shift
      // the ic residual add: the clamp starts at z_out, z_out in the rounding term
      {0.1165f, 0.0804f, 0.1325f, -128, "relu", "ember_requant_rs_clamped("},
      {0.1165f, 0.0804f, 0.1325f, 0, "none", "ember_requant_rs("},  // the clamp starts below z_out
      {0.1165f, 0.0804f, 0.1325f, 3, "relu6", "ember_requant_rs_clamped("},
      // Output multiplier 1/2 exactly: every odd sum is a tie, which rounds
      // away from zero; a negative one differs in ember_requant_rs_clamped.
      {1.0f, 1.0f, 2.0f, 0, "none", "ember_requant_rs("},
      {1.0f, 1.0f, 2.0f, -128, "relu", "ember_requant_rs_clamped("},
      {1.0f, 1e-12f, 0.7f, -128, "relu", "ember_srdhm("},   // e > 31 for the small input
      {1.0f, 0.5f, 3e-6f, -128, "relu", "ember_srdhm("},    // output right shift of 1
  };
  for (const Scales& sc : cases) {
    for (ir::OpKind op : {ir::OpKind::kAdd, ir::OpKind::kSub}) {
      SCOPED_TRACE(std::string(sc.must) + " " + sc.act + (op == ir::OpKind::kSub ? " sub" : " add"));
      KernelCase c(op);
      c.In(DType::kInt8, {2, 3, 4, 8}, Quant(sc.a, -7), 11)
          .In(DType::kInt8, {2, 3, 4, 8}, Quant(sc.b, 5), 12)
          .Out(DType::kInt8, {2, 3, 4, 8}, Quant(sc.out, sc.zo))
          .Attr("act", std::string(sc.act))
          .Expect();
      auto k = c.Emit();
      ASSERT_TRUE(k.ok()) << k.diag().ToString();
      EXPECT_NE(k->code.find(sc.must), std::string::npos) << k->code;
    }
  }
}

// From kAddSubTableMinElements elements, the input whose multiplier is not
// a half is read through a table of its 256 rescaled values (the other's
// zero point folded in): add and sub, either input through the table, every
// output form, extreme zero points, a broadcast operand; equal scales (both
// halves) and a short loop keep the arithmetic. Each byte for byte against
// the reference, over inputs that take every byte value.
TEST(AddKernel, Int8RescaleThroughATable) {
  struct Case {
    float a, b, out;
    int32_t za, zb, zo;
    const char* act;
    std::vector<int64_t> shape_b;
    const char* table;  // "in0", "in1", or "" (no table)
  };
  const std::vector<int64_t> full{2, 16, 8, 8};  // 2048 elements
  const Case cases[] = {
      {0.1165f, 0.0804f, 0.1325f, -128, 4, -128, "relu", full, "in1"},
      {0.0393f, 0.1042f, 0.0509f, -128, 4, -128, "relu", full, "in0"},  // ic's first residual add
      {0.0393f, 0.1042f, 0.0509f, 127, -128, 0, "none", full, "in0"},
      {0.2f, 0.07f, 0.05f, -128, 127, 3, "relu6", full, "in1"},
      {1.0f, 1e-12f, 0.7f, -128, 0, -128, "relu", full, "in1"},   // the small input's rescale beyond 31 bits
      {0.03f, 0.05f, 0.06f, 5, -9, 1, "relu_n1_to_1", {8}, "in0"},  // in1 broadcast
      {0.05f, 0.05f, 0.08f, -128, -128, -128, "relu", full, ""},    // equal scales: both shift
  };
  for (const Case& k : cases) {
    for (ir::OpKind op : {ir::OpKind::kAdd, ir::OpKind::kSub}) {
      SCOPED_TRACE(std::string(k.table) + " " + k.act + (op == ir::OpKind::kSub ? " sub" : " add"));
      KernelCase c(op);
      c.In(DType::kInt8, full, Quant(k.a, k.za), 21)
          .In(DType::kInt8, k.shape_b, Quant(k.b, k.zb), 22)
          .Out(DType::kInt8, full, Quant(k.out, k.zo))
          .Attr("act", std::string(k.act))
          .Expect();
      auto e = c.Emit();
      ASSERT_TRUE(e.ok()) << e.diag().ToString();
      const bool table = e->code.find("rescaled through a table") != std::string::npos;
      EXPECT_EQ(table, std::string(k.table) != "") << e->code;
      if (table) {
        EXPECT_NE(e->code.find(std::string(k.table) + " rescaled through"), std::string::npos) << e->code;
      }
    }
  }
  // --optimize size keeps the table out: the arithmetic, still exact (the
  // first case's text without the table is the arithmetic form's).
  {
    KernelCase c(ir::OpKind::kAdd);
    c.In(DType::kInt8, full, Quant(0.1165f, -128), 21)
        .In(DType::kInt8, full, Quant(0.0804f, 4), 22)
        .Out(DType::kInt8, full, Quant(0.1325f, -128))
        .Attr("act", std::string("relu"));
    auto size = c.Emit("host", /*optimize_size=*/true);
    ASSERT_TRUE(size.ok()) << size.diag().ToString();
    EXPECT_EQ(size->code.find("rescaled through a table"), std::string::npos) << size->code;
    EXPECT_NE(c.Emit()->code.find("rescaled through a table"), std::string::npos);
  }
  // Below 2048 elements the rescale stays arithmetic.
  KernelCase c(ir::OpKind::kAdd);
  c.In(DType::kInt8, {2, 16, 8, 7}, Quant(0.0393f, -128), 1)
      .In(DType::kInt8, {2, 16, 8, 7}, Quant(0.1042f, 4), 2)
      .Out(DType::kInt8, {2, 16, 8, 7}, Quant(0.0509f, -128))
      .Attr("act", std::string("relu"));
  auto e = c.Emit();
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->code.find("rescaled through a table"), std::string::npos);
}

TEST(AddKernel, Int8BroadcastSecondInput) {
  KernelCase c(ir::OpKind::kAdd);
  c.In(DType::kInt8, {1, 5, 7, 6}, Quant(0.02f, 5))
      .In(DType::kInt8, {6}, Quant(0.09f, -100))
      .Out(DType::kInt8, {1, 5, 7, 6}, Quant(0.1f, 0))
      .Expect();
  EXPECT_TRUE(c.Emit()->inplace_ok);
}

TEST(AddKernel, Int8BroadcastFirstInputIsNotInPlace) {
  KernelCase c(ir::OpKind::kAdd);
  c.In(DType::kInt8, {1, 1, 1, 6}, Quant(0.5f, 0))
      .In(DType::kInt8, {1, 4, 3, 6}, Quant(0.25f, 7))
      .Out(DType::kInt8, {1, 4, 3, 6}, Quant(0.3f, -1))
      .Attr("act", std::string("relu6"))
      .Expect();
  EXPECT_FALSE(c.Emit()->inplace_ok);
}

TEST(AddKernel, Int8BroadcastBothWays) {
  KernelCase(ir::OpKind::kAdd)
      .In(DType::kInt8, {2, 1, 3}, Quant(0.011f, 1))
      .In(DType::kInt8, {4, 1}, Quant(0.007f, -2))
      .Out(DType::kInt8, {2, 4, 3}, Quant(0.02f, 3))
      .Expect();
  KernelCase(ir::OpKind::kAdd)
      .In(DType::kInt8, {}, Quant(0.3f, 1))
      .In(DType::kInt8, {3, 5}, Quant(0.2f, -2))
      .Out(DType::kInt8, {3, 5}, Quant(0.4f, 3))
      .Expect();
}

TEST(AddKernel, Int8ConstantOperand) {
  KernelCase c(ir::OpKind::kAdd);
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .Const(DType::kInt8, {1, 1, 1, 8}, Quant(0.03f, -4))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1))
      .Expect();
  auto k = c.Emit();
  ASSERT_TRUE(k.ok());
  EXPECT_EQ(k->code.find("int8_t* in1"), std::string::npos) << k->code;
}

TEST(AddKernel, Float) {
  for (const char* act : {"none", "relu", "relu6"}) {
    KernelCase(ir::OpKind::kAdd)
        .In(DType::kFloat32, {3, 4, 5})
        .In(DType::kFloat32, {4, 1})
        .Out(DType::kFloat32, {3, 4, 5})
        .Attr("act", std::string(act))
        .Expect();
  }
  KernelCase(ir::OpKind::kAdd)
      .In(DType::kFloat32, {7, 9})
      .In(DType::kFloat32, {7, 9})
      .Out(DType::kFloat32, {7, 9})
      .Expect();
}

TEST(AddKernel, EmptyTensor) {
  KernelCase(ir::OpKind::kAdd)
      .In(DType::kInt8, {0, 3}, Quant(0.1f, 0))
      .In(DType::kInt8, {3}, Quant(0.1f, 0))
      .Out(DType::kInt8, {0, 3}, Quant(0.1f, 0))
      .Expect();
}

TEST(AddKernel, RejectsWhatTheReferenceRejects) {
  KernelCase c(ir::OpKind::kAdd);
  // The output scale is too small for the input scales (rescale factor >= 1).
  c.In(DType::kInt8, {4}, Quant(1.0f, 0))
      .In(DType::kInt8, {4}, Quant(1.0f, 0))
      .Out(DType::kInt8, {4}, Quant(1e-7f, 0));
  auto k = c.Emit();
  ASSERT_FALSE(k.ok());
  EXPECT_NE(k.diag().message.find("outside (0, 1)"), std::string::npos) << k.diag().ToString();
}

TEST(AddKernel, CompilesForCortexM4) {
  KernelCase c(ir::OpKind::kAdd);
  c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, 2))
      .In(DType::kInt8, {8}, Quant(0.03f, -4))
      .Out(DType::kInt8, {1, 4, 4, 8}, Quant(0.06f, 1))
      .Attr("act", std::string("relu"));
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

}  // namespace
}  // namespace ember::test
