// Kernels of the comparisons, logical operators, select, arg_max/arg_min and
// reduce_sum: the generated C equals the reference evaluator byte for byte on
// the host (random data, broadcasting, int8 with different scales, bool
// tensors of one byte each), and compiles for the Cortex-M4.
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

const ir::OpKind kComparisons[] = {ir::OpKind::kEqual, ir::OpKind::kNotEqual, ir::OpKind::kLess,
                                   ir::OpKind::kLessEqual, ir::OpKind::kGreater, ir::OpKind::kGreaterEqual};

TEST(CompareKernels, MatchTheReference) {
  for (const auto op : kComparisons) {
    SCOPED_TRACE(ir::OpIrName(op));
    KernelCase(op).In(DType::kFloat32, {2, 5, 7}).In(DType::kFloat32, {5, 1}).Out(DType::kBool, {2, 5, 7}).Expect();
    // Small integers so that equality happens.
    KernelCase(op).InData(DType::kInt32, {6}, ToBytes(std::vector<int32_t>{1, -2, 3, INT32_MIN, 5, 5}))
        .InData(DType::kInt32, {6}, ToBytes(std::vector<int32_t>{1, 2, -3, INT32_MIN, 4, 6}))
        .Out(DType::kBool, {6})
        .Expect();
    KernelCase(op).InData(DType::kInt64, {3}, ToBytes(std::vector<int64_t>{INT64_MIN, 0, 1}))
        .InData(DType::kInt64, {}, ToBytes(std::vector<int64_t>{0}))
        .Out(DType::kBool, {3})
        .Expect();
    // int8: different scales and zero points; both rescaled as TFLite Micro.
    KernelCase c(op);
    c.In(DType::kInt8, {1, 4, 4, 8}, Quant(0.05f, -3)).In(DType::kInt8, {8}, Quant(0.02f, 11)).Out(DType::kBool, {1, 4, 4, 8});
    c.Expect();
    EXPECT_TRUE(c.Emit()->inplace_ok);  // one byte in, one byte out
    KernelCase(op).In(DType::kInt8, {256}, Quant(0.5f, 0)).Const(DType::kInt8, {256}, Quant(0.25f, -1)).Out(DType::kBool, {256}).Expect();
  }
  for (const auto op : {ir::OpKind::kEqual, ir::OpKind::kNotEqual}) {
    KernelCase(op).In(DType::kBool, {3, 4}).In(DType::kBool, {4}).Out(DType::kBool, {3, 4}).Expect();
  }
}

TEST(CompareKernels, FloatSpecialValues) {
  const float nan = std::numeric_limits<float>::quiet_NaN(), inf = std::numeric_limits<float>::infinity();
  const std::vector<float> a{nan, 0.0f, -0.0f, inf, -inf, 1.0f, nan}, b{1.0f, -0.0f, 0.0f, inf, inf, nan, nan};
  for (const auto op : kComparisons) {
    SCOPED_TRACE(ir::OpIrName(op));
    KernelCase(op).InData(DType::kFloat32, {7}, FloatBytes(a)).InData(DType::kFloat32, {7}, FloatBytes(b)).Out(DType::kBool, {7}).Expect();
  }
}

TEST(LogicalKernels, MatchTheReference) {
  for (const auto op : {ir::OpKind::kLogicalAnd, ir::OpKind::kLogicalOr}) {
    KernelCase(op).In(DType::kBool, {4, 1, 3}).In(DType::kBool, {5, 3}).Out(DType::kBool, {4, 5, 3}).Expect();
  }
  KernelCase(ir::OpKind::kLogicalNot).In(DType::kBool, {17}).Out(DType::kBool, {17}).Expect();
}

TEST(SelectKernel, MatchesTheReference) {
  KernelCase(ir::OpKind::kSelect).In(DType::kBool, {3, 1, 4}).In(DType::kFloat32, {5, 4}).In(DType::kFloat32, {3, 5, 1}).Out(DType::kFloat32, {3, 5, 4}).Expect();
  KernelCase(ir::OpKind::kSelect).In(DType::kBool, {16}).In(DType::kInt8, {16}, Quant(0.1f, 2)).Const(DType::kInt8, {16}, Quant(0.1f, 2)).Out(DType::kInt8, {16}, Quant(0.1f, 2)).Expect();
  KernelCase(ir::OpKind::kSelect).In(DType::kBool, {}).In(DType::kInt16, {9}).In(DType::kInt16, {9}).Out(DType::kInt16, {9}).Expect();
  KernelCase(ir::OpKind::kSelect).In(DType::kBool, {2, 3}).In(DType::kBool, {3}).In(DType::kBool, {2, 1}).Out(DType::kBool, {2, 3}).Expect();
  // uint8 (an ONNX Where of uint8 values).
  KernelCase(ir::OpKind::kSelect)
      .In(DType::kBool, {4, 1})
      .In(DType::kUInt8, {4, 6})
      .Const(DType::kUInt8, {})
      .Out(DType::kUInt8, {4, 6})
      .Expect();
}

TEST(ArgMinMaxKernels, MatchTheReference) {
  for (const auto op : {ir::OpKind::kArgMax, ir::OpKind::kArgMin}) {
    SCOPED_TRACE(ir::OpIrName(op));
    for (int64_t axis = 0; axis < 3; ++axis) {
      ir::Shape out{2, 5, 7};
      out.erase(out.begin() + axis);
      KernelCase(op).In(DType::kFloat32, {2, 5, 7}).Out(DType::kInt32, out).Attr("axis", axis).Expect();
      KernelCase(op).In(DType::kInt8, {2, 5, 7}, Quant(0.1f, 0)).Out(DType::kInt64, out).Attr("axis", axis).Expect();
    }
    // Ties and NaNs: the first index, a NaN never wins.
    const float nan = std::numeric_limits<float>::quiet_NaN();
    KernelCase(op).InData(DType::kFloat32, {2, 4}, FloatBytes({nan, 1.0f, 1.0f, nan, 3.0f, nan, 3.0f, -1.0f}))
        .Out(DType::kInt32, {2})
        .Attr("axis", int64_t{1})
        .Expect();
    KernelCase(op).In(DType::kInt32, {6, 1}).Out(DType::kInt32, {1, 1}).Attr("axis", int64_t{0}).Attr("keep_dims", int64_t{1}).Expect();
    // select_last_index: ties give the last index (>= / <=), a NaN still never wins.
    KernelCase(op).InData(DType::kFloat32, {2, 4}, FloatBytes({nan, 1.0f, 1.0f, nan, 3.0f, nan, 3.0f, -1.0f}))
        .Out(DType::kInt64, {2})
        .Attr("axis", int64_t{1})
        .Attr("select_last_index", int64_t{1})
        .Expect();
    KernelCase(op).InData(DType::kInt8, {9}, {5, 7, 7, 0, 0, 7, 0, 5, 0}, Quant(0.1f, 0))
        .Out(DType::kInt32, {})
        .Attr("axis", int64_t{0})
        .Attr("select_last_index", int64_t{1})
        .Expect();
  }
}

TEST(ReduceSumKernel, MatchesTheReference) {
  KernelCase(ir::OpKind::kReduceSum).In(DType::kFloat32, {2, 6, 5, 3}).Out(DType::kFloat32, {2, 3}).Attr("axes", std::vector<int64_t>{1, 2}).Expect();
  KernelCase(ir::OpKind::kReduceSum).In(DType::kFloat32, {4, 9}).Out(DType::kFloat32, {1, 9}).Attr("axes", std::vector<int64_t>{0}).Attr("keep_dims", int64_t{1}).Expect();
  KernelCase(ir::OpKind::kReduceSum).In(DType::kInt8, {1, 7, 7, 16}, Quant(0.05f, -4)).Out(DType::kInt8, {1, 16}, Quant(0.7f, 9)).Attr("axes", std::vector<int64_t>{1, 2}).Expect();
  KernelCase(ir::OpKind::kReduceSum).In(DType::kInt8, {3, 40}, Quant(0.05f, 100)).Out(DType::kInt8, {3}, Quant(0.02f, -9)).Attr("axes", std::vector<int64_t>{1}).Expect();
  KernelCase(ir::OpKind::kReduceSum).In(DType::kInt16, {5, 6}, Quant(0.001f, 0)).Out(DType::kInt16, {6}, Quant(0.004f, 0)).Attr("axes", std::vector<int64_t>{0}).Expect();
}

TEST(MathKernels, CompileForCortexM4) {
  std::vector<KernelCase> cases;
  for (const auto op : kComparisons) {
    cases.emplace_back(op);
    cases.back().In(DType::kInt8, {4, 8}, Quant(0.05f, 2)).In(DType::kInt8, {8}, Quant(0.5f, -1)).Out(DType::kBool, {4, 8});
    cases.emplace_back(op);
    cases.back().In(DType::kFloat32, {4, 8}).In(DType::kFloat32, {8}).Out(DType::kBool, {4, 8});
  }
  cases.emplace_back(ir::OpKind::kLogicalAnd);
  cases.back().In(DType::kBool, {4, 8}).In(DType::kBool, {8}).Out(DType::kBool, {4, 8});
  cases.emplace_back(ir::OpKind::kLogicalNot);
  cases.back().In(DType::kBool, {8}).Out(DType::kBool, {8});
  cases.emplace_back(ir::OpKind::kSelect);
  cases.back().In(DType::kBool, {4, 1}).In(DType::kFloat32, {4, 8}).In(DType::kFloat32, {8}).Out(DType::kFloat32, {4, 8});
  cases.emplace_back(ir::OpKind::kArgMax);
  cases.back().In(DType::kInt8, {4, 8}, Quant(0.1f, 0)).Out(DType::kInt32, {4}).Attr("axis", int64_t{1});
  cases.emplace_back(ir::OpKind::kArgMin);
  cases.back().In(DType::kFloat32, {4, 8}).Out(DType::kInt64, {8}).Attr("axis", int64_t{0});
  cases.emplace_back(ir::OpKind::kReduceSum);
  cases.back().In(DType::kInt8, {4, 8}, Quant(0.1f, 3)).Out(DType::kInt8, {8}, Quant(0.3f, -2)).Attr("axes", std::vector<int64_t>{0});
  for (const KernelCase& c : cases) {
    const std::string r = CompileForCortexM4(c);
    if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
    EXPECT_EQ(r, "") << ir::OpIrName(c.graph().nodes[0].op);
  }
}

}  // namespace
}  // namespace ember::test
