// fully_connected reference evaluator: hand-computed cases (expected values
// derived by hand from the formulas of docs/numerics.md).
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ops/op_test_util.h"

namespace ember {
namespace {

using ir::DType;
using test::OneNode;
using test::Quant;
using test::QuantPerAxis;

TEST(FullyConnected, PerTensorUsesFloatProductAndFilterZeroPoint) {
  // s_in 0.3f, s_w 0.031f (z_w 2), s_out 0.013f. acc = (7 - 2) * (-13) = -65.
  // Per-tensor multiplier double(float(s_in*s_w))/s_out -> M = 1536276738:
  // -65 * M / 2^31 = -46.4999... -> -46 (the double formula would give -47).
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<int8_t>({1, 1}, {-13}, Quant(0.3f, 0))
      .Const<int8_t>({1, 1}, {7}, Quant(0.031f, 2))
      .Out(DType::kInt8, {1, 1}, Quant(0.013f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-46}));
}

TEST(FullyConnected, PerChannelUsesDoubleFormulaAndIgnoresFilterZeroPoint) {
  // Same scales but per channel (2 units): multiplier double(s_in)*double(s_w)/s_out,
  // M = 1536276768; filter zero points ignored, so acc = 5 * -13 = -65 -> -47.
  // Unit 1 has weight -5: acc 65 -> 46.5000001 -> 47.
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<int8_t>({1, 1}, {-13}, Quant(0.3f, 0))
      .Const<int8_t>({2, 1}, {5, -5}, QuantPerAxis({0.031f, 0.031f}, 0, {2, 2}))
      .Out(DType::kInt8, {1, 2}, Quant(0.013f, 0));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{-47, 47}));
}

TEST(FullyConnected, BatchesBiasAndRelu) {
  // Two batches (z_in 2 removed): {1,2,3} and {-1,0,4}; weights {1,0,-1}, {2,1,1};
  // bias {5,-5}. Unit multiplier. Batch 0: -2+5 = 3, 7-5 = 2; batch 1:
  // -5+5 = 0, 2-5 = -3 -> relu (z_out 0) -> 0.
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<int8_t>({2, 3}, {3, 4, 5, 1, 2, 6}, Quant(0.5f, 2))
      .Const<int8_t>({2, 3}, {1, 0, -1, 2, 1, 1}, Quant(2.0f, 0))
      .Const<int32_t>({2}, {5, -5})
      .Out(DType::kInt8, {2, 2}, Quant(1.0f, 0))
      .Attr("act", std::string("relu"));
  auto r = t.Run<int8_t>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<int8_t>{3, 2, 0, 0}));
}

TEST(FullyConnected, FlattensInputToBatchesByDepth) {
  // Input [1,2,3] with depth 3 is read as 2 batches -> output [2,2].
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<float>({1, 2, 3}, {1, 2, 3, -1, 0, 4})
      .Const<float>({2, 3}, {1, 0, -1, 2, 1, 1})
      .Const<float>({2}, {5, -5})
      .Out(DType::kFloat32, {2, 2});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{3, 2, 0, -3}));
  EXPECT_EQ(t.Macs(), 2 * 3 * 2);
}

TEST(FullyConnected, KeepNumDims) {
  // keep_num_dims=1: output keeps the input's leading dims, last dim = units.
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<float>({2, 1, 3}, {1, 2, 3, -1, 0, 4})
      .Const<float>({2, 3}, {1, 0, -1, 2, 1, 1})
      .Absent()
      .Out(DType::kFloat32, {2, 1, 2})
      .Attr("keep_num_dims", int64_t{1})
      .Attr("act", std::string("relu6"));
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  // Without bias: -2, 7 -> relu6 -> 0, 6; -5, 2 -> 0, 2.
  EXPECT_EQ(*r, (std::vector<float>{0, 6, 0, 2}));
}

TEST(FullyConnected, FloatSumsDepthAscendingThenAddsBias) {
  // ((1e8 - 1e8) + 1) = 1 in ascending order (descending would give 0), then
  // + bias 0.5.
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<float>({1, 3}, {1e8f, -1e8f, 1.0f})
      .Const<float>({1, 3}, {1.0f, 1.0f, 1.0f})
      .Const<float>({1}, {0.5f})
      .Out(DType::kFloat32, {1, 1});
  auto r = t.Run<float>();
  ASSERT_TRUE(r.ok()) << r.diag().ToString();
  EXPECT_EQ(*r, (std::vector<float>{1.5f}));
}

OneNode ValidInt8() {
  OneNode t(ir::OpKind::kFullyConnected);
  t.In<int8_t>({2, 4}, std::vector<int8_t>(8), Quant(1.0f, 0))
      .Const<int8_t>({3, 4}, std::vector<int8_t>(12), Quant(1.0f, 0))
      .Const<int32_t>({3}, {0, 0, 0}, Quant(1.0f, 0))
      .Out(DType::kInt8, {2, 3}, Quant(1.0f, 0));
  return t;
}

void ExpectInferError(const OneNode& t, const std::string& fragment) {
  auto r = t.Infer();
  ASSERT_FALSE(r.ok()) << "expected an error mentioning '" << fragment << "'";
  EXPECT_NE(r.diag().message.find(fragment), std::string::npos) << r.diag().message;
}

TEST(FullyConnected, InferErrors) {
  ASSERT_TRUE(ValidInt8().Check().ok()) << ValidInt8().Check().ToString();
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).shape = {2, 5};
    ExpectInferError(t, "not a multiple of depth 4");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).shape = {4, 2};  // 8 elements = 2 batches, but last dim 2 != 4
    t.Attr("keep_num_dims", int64_t{1});
    ExpectInferError(t, "keep_num_dims=1");
  }
  {
    OneNode t = ValidInt8();
    t.Attr("keep_num_dims", int64_t{2});
    ExpectInferError(t, "keep_num_dims=2");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).shape = {3, 2, 2};
    ExpectInferError(t, "expected rank 2");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(2).shape = {2};
    ExpectInferError(t, "bias");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(1).quant = QuantPerAxis({1.0f, 1.0f}, 0);
    ExpectInferError(t, "2 scales, expected 1 or 3");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(2).quant = Quant(0.5f, 0);  // s_in * s_w = 1, |1 - 0.5| / 1 > 0.02
    ExpectInferError(t, "bias scale");
  }
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).quant = Quant(-1.0f, 0);
    ExpectInferError(t, "not a positive finite number");
  }
  {
    OneNode t = ValidInt8();
    t.in_tensor(0).dtype = DType::kUInt8;
    ExpectInferError(t, "u8 input");
  }
  {
    OneNode t = ValidInt8();
    t.out_tensor(0).shape = {6};  // declared output disagrees with [2,3]
    EXPECT_FALSE(t.Check().ok());
  }
}

}  // namespace
}  // namespace ember
