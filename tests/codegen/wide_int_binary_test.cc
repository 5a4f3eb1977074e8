// ADD, SUB and MUL on int32 and int64 (integer index arithmetic of ONNX
// models: position ids, offsets): the generated C equals the reference
// evaluator byte for byte on random full-range operands (so most sums and
// products wrap), broadcast and constant operands included.
#include <gtest/gtest.h>

#include <string>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

class WideIntBinaryKernel : public testing::TestWithParam<ir::OpKind> {};

TEST_P(WideIntBinaryKernel, WrapsAsTheReference) {
  for (const DType t : {DType::kInt32, DType::kInt64}) {
    SCOPED_TRACE(ir::DTypeName(t));
    KernelCase(GetParam()).In(t, {3, 17}).In(t, {3, 17}).Out(t, {3, 17}).Expect();
    KernelCase(GetParam()).In(t, {2, 1, 5}).Const(t, {4, 1}).Out(t, {2, 4, 5}).Expect();
  }
}

TEST_P(WideIntBinaryKernel, RejectsAnActivationAndCompilesForCortexM4) {
  KernelCase act(GetParam());
  act.In(DType::kInt32, {4}).In(DType::kInt32, {4}).Out(DType::kInt32, {4}).Attr("act", std::string("relu"));
  EXPECT_FALSE(act.Emit().ok());
  KernelCase c(GetParam());
  c.In(DType::kInt64, {8}).In(DType::kInt64, {8}).Out(DType::kInt64, {8});
  const std::string r = CompileForCortexM4(c);
  if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
  EXPECT_EQ(r, "");
}

INSTANTIATE_TEST_SUITE_P(Ops, WideIntBinaryKernel,
                         testing::Values(ir::OpKind::kAdd, ir::OpKind::kSub, ir::OpKind::kMul),
                         [](const testing::TestParamInfo<ir::OpKind>& i) { return std::string(ir::OpIrName(i.param)); });

}  // namespace
}  // namespace ember::test
