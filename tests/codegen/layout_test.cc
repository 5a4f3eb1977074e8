// CONCATENATION, PAD, TRANSPOSE and STRIDED_SLICE kernels: generated C equals
// the reference evaluator byte for byte, on several dtypes.
#include <gtest/gtest.h>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;
using Ints = std::vector<int64_t>;

const DType kTypes[] = {DType::kInt8, DType::kUInt8, DType::kInt16, DType::kInt32,
                        DType::kInt64, DType::kFloat32, DType::kBool};

TEST(ConcatenationKernel, AxesAndDtypes) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    for (int64_t axis : {0, 1, 3}) {
      ir::Shape a = {2, 3, 4, 5}, b = a, out = a;
      b[static_cast<size_t>(axis)] = 2;
      out[static_cast<size_t>(axis)] = 2 * a[static_cast<size_t>(axis)] + 2;
      KernelCase(ir::OpKind::kConcatenation)
          .In(t, a, Quant(0.1f, 0))
          .In(t, b, Quant(0.1f, 0))
          .In(t, a, Quant(0.1f, 0))
          .Out(t, out, Quant(0.1f, 0))
          .Attr("axis", axis)
          .Expect();
    }
  }
}

TEST(ConcatenationKernel, FloatActivationAndConstantInput) {
  KernelCase(ir::OpKind::kConcatenation)
      .In(DType::kFloat32, {2, 3})
      .Const(DType::kFloat32, {2, 4})
      .Out(DType::kFloat32, {2, 7})
      .Attr("axis", int64_t{1})
      .Attr("act", std::string("relu6"))
      .Expect();
}

TEST(PadKernel, DtypesAndFill) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    std::optional<ir::QuantParams> q;
    if (t == DType::kInt8) q = Quant(0.1f, -5);
    if (t == DType::kUInt8) q = Quant(0.1f, 200);
    if (t == DType::kInt16) q = Quant(0.1f, -300);
    KernelCase(ir::OpKind::kPad)
        .In(t, {1, 3, 4, 2}, q)
        .Out(t, {1, 6, 5, 2}, q)
        .Attr("pads", Ints{0, 0, 1, 2, 0, 1, 0, 0})
        .Expect();
  }
  // Innermost axis padded: element-wise runs.
  KernelCase(ir::OpKind::kPad)
      .In(DType::kInt8, {2, 3}, Quant(0.1f, 4))
      .Out(DType::kInt8, {4, 6}, Quant(0.1f, 4))
      .Attr("pads", Ints{1, 1, 2, 1})
      .Expect();
}

TEST(TransposeKernel, PermsAndDtypes) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    KernelCase(ir::OpKind::kTranspose).In(t, {2, 3, 4}).Out(t, {4, 2, 3}).Attr("perm", Ints{2, 0, 1}).Expect();
  }
  KernelCase(ir::OpKind::kTranspose).In(DType::kInt8, {1, 4, 5, 6}, Quant(0.1f, 0)).Out(DType::kInt8, {1, 6, 4, 5}, Quant(0.1f, 0)).Attr("perm", Ints{0, 3, 1, 2}).Expect();
  // Keeps the inner pair in order: a memcpy per run.
  KernelCase c(ir::OpKind::kTranspose);
  c.In(DType::kFloat32, {3, 4, 5}).Out(DType::kFloat32, {4, 3, 5}).Attr("perm", Ints{1, 0, 2});
  c.Expect();
  EXPECT_NE(c.Emit()->code.find("memcpy"), std::string::npos);
}

TEST(StridedSliceKernel, RangesMasksAndStrides) {
  struct Case {
    ir::Shape in;
    Ints begin, end, strides;
    int64_t begin_mask, end_mask, shrink;
    ir::Shape out;
  };
  const Case cases[] = {
      {{4, 6}, {1, 2}, {3, 6}, {1, 1}, 0, 0, 0, {2, 4}},
      {{4, 6}, {0, -1}, {4, 0}, {1, -2}, 1, 2, 0, {4, 3}},   // reversed with stride 2
      {{1, 5, 8}, {0, 1, 0}, {1, 4, 8}, {1, 1, 3}, 0, 0, 1, {3, 3}},  // shrink axis 0
      {{3, 4, 2}, {-2, 0, 0}, {3, 4, 2}, {1, 1, 1}, 0, 0, 0, {2, 4, 2}},
      {{5}, {4}, {0}, {-1}, 0, 0, 0, {4}},
  };
  for (DType t : {DType::kInt8, DType::kInt16, DType::kFloat32, DType::kInt64}) {
    for (const Case& c : cases) {
      KernelCase(ir::OpKind::kStridedSlice)
          .In(t, c.in)
          .Out(t, c.out)
          .Attr("begin", c.begin)
          .Attr("end", c.end)
          .Attr("strides", c.strides)
          .Attr("begin_mask", c.begin_mask)
          .Attr("end_mask", c.end_mask)
          .Attr("shrink_axis_mask", c.shrink)
          .Expect();
    }
  }
}

TEST(LayoutKernels, CompileForCortexM4) {
  KernelCase c(ir::OpKind::kTranspose);
  c.In(DType::kInt8, {2, 3, 4}).Out(DType::kInt8, {4, 2, 3}).Attr("perm", Ints{2, 0, 1});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
  KernelCase p(ir::OpKind::kPad);
  p.In(DType::kInt16, {2, 3}, Quant(0.1f, -300)).Out(DType::kInt16, {4, 6}, Quant(0.1f, -300)).Attr("pads", Ints{1, 1, 2, 1});
  EXPECT_EQ(CompileForCortexM4(p), "");
  KernelCase s(ir::OpKind::kStridedSlice);
  s.In(DType::kFloat32, {4, 6}).Out(DType::kFloat32, {4, 3}).Attr("begin", Ints{0, -1}).Attr("end", Ints{4, 0})
      .Attr("strides", Ints{1, -2}).Attr("begin_mask", int64_t{1}).Attr("end_mask", int64_t{2});
  EXPECT_EQ(CompileForCortexM4(s), "");
  KernelCase k(ir::OpKind::kConcatenation);
  k.In(DType::kInt8, {2, 3}, Quant(0.1f, 0)).In(DType::kInt8, {2, 5}, Quant(0.1f, 0)).Out(DType::kInt8, {2, 8}, Quant(0.1f, 0)).Attr("axis", int64_t{1});
  EXPECT_EQ(CompileForCortexM4(k), "");
}

}  // namespace
}  // namespace ember::test
