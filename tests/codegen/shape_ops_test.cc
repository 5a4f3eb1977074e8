// Data-movement kernels of split, gather, gather_nd, gather_elements, scatter_nd, mirror_pad, depth_to_space,
// space_to_depth, pad with a value and broadcast_to: the generated C equals the reference
// evaluator byte for byte (host), for every dtype TFLite Micro moves (f32,
// i8, i16, i32), and compiles for the Cortex-M4.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "codegen/kernel_case.h"

namespace ember::test {
namespace {

using ir::DType;

const DType kTypes[] = {DType::kFloat32, DType::kInt8, DType::kInt16, DType::kInt32};

std::optional<ir::QuantParams> QuantFor(DType t) {
  if (t == DType::kInt8) return Quant(0.05f, -3);
  if (t == DType::kInt16) return Quant(0.001f, 0);
  return std::nullopt;
}

std::vector<uint8_t> Int32Bytes(const std::vector<int32_t>& v) {
  std::vector<uint8_t> b(v.size() * 4);
  std::memcpy(b.data(), v.data(), b.size());
  return b;
}

TEST(ShapeOpsKernel, SplitEveryAxisAndDtype) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    const auto q = QuantFor(t);
    KernelCase(ir::OpKind::kSplit)
        .In(t, {2, 5, 3}, q)
        .Out(t, {2, 2, 3}, q)
        .Out(t, {2, 0, 3}, q)
        .Out(t, {2, 3, 3}, q)
        .Attr("axis", int64_t{1})
        .Attr("sizes", std::vector<int64_t>{2, 0, 3})
        .Expect();
    KernelCase(ir::OpKind::kSplit)
        .In(t, {4, 3}, q)
        .Out(t, {1, 3}, q)
        .Out(t, {3, 3}, q)
        .Attr("axis", int64_t{0})
        .Attr("sizes", std::vector<int64_t>{1, 3})
        .Expect();
    KernelCase(ir::OpKind::kSplit)
        .In(t, {3, 4}, q)
        .Out(t, {3, 2}, q)
        .Out(t, {3, 2}, q)
        .Attr("axis", int64_t{1})
        .Attr("sizes", std::vector<int64_t>{2, 2})
        .Expect();
  }
}

TEST(ShapeOpsKernel, GatherConstantAndRunTimeIndices) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    const auto q = QuantFor(t);
    KernelCase c(ir::OpKind::kGather);
    c.In(t, {2, 5, 3}, q).Out(t, {2, 4, 3}, q).Attr("axis", int64_t{1});
    c.node().Const<int32_t>({4}, {4, 0, 0, 2});
    c.Expect();
    KernelCase(ir::OpKind::kGather)
        .In(t, {6, 2}, q)
        .InData(DType::kInt32, {2, 3}, Int32Bytes({5, 0, -1, 1, -6, 2}))
        .Out(t, {2, 3, 2}, q)
        .Attr("axis", int64_t{0})
        .Expect();
    KernelCase(ir::OpKind::kGather)
        .In(t, {2, 4}, q)
        .InData(DType::kInt32, {2, 3}, Int32Bytes({3, 0, 3, 1, 1, 2}))
        .Out(t, {2, 3}, q)
        .Attr("axis", int64_t{1})
        .Attr("batch_dims", int64_t{1})
        .Expect();
  }
}

TEST(ShapeOpsKernel, GatherNdConstantAndRunTimeIndices) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    const auto q = QuantFor(t);
    KernelCase c(ir::OpKind::kGatherNd);
    c.In(t, {4, 3, 2}, q).Out(t, {3, 2}, q);
    c.node().Const<int32_t>({3, 2}, {3, 2, 0, -1, 1, 0});
    c.Expect();
    KernelCase(ir::OpKind::kGatherNd)
        .In(t, {5, 2, 3}, q)
        .InData(DType::kInt32, {2, 2, 1}, Int32Bytes({4, 0, -5, 2}))
        .Out(t, {2, 2, 2, 3}, q)
        .Expect();
    KernelCase(ir::OpKind::kGatherNd)
        .In(t, {2, 3, 4}, q)
        .InData(DType::kInt32, {2, 3, 2}, Int32Bytes({2, 3, 0, 0, 1, -1, 0, 1, 2, 2, -3, 3}))
        .Out(t, {2, 3}, q)
        .Attr("batch_dims", int64_t{1})
        .Expect();
  }
  KernelCase r(ir::OpKind::kGatherNd);  // run-time coordinates are clamped into their axes
  r.In(DType::kInt8, {3, 2}, Quant(1.f, 0)).InData(DType::kInt32, {2, 1}, Int32Bytes({0, 1}))
      .Out(DType::kInt8, {2, 2}, Quant(1.f, 0));
  auto k = r.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_NE(k->code.find("if (j > 2) j = 2;"), std::string::npos) << k->code;
}

TEST(ShapeOpsKernel, GatherElementsEveryAxis) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    const auto q = QuantFor(t);
    for (int64_t axis = 0; axis < 3; ++axis) {
      std::vector<int32_t> idx(2 * 3 * 2);
      const int64_t size = std::vector<int64_t>{3, 4, 2}[static_cast<size_t>(axis)];
      for (size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int32_t>((i * 7) % (2 * size)) - static_cast<int32_t>(size);
      KernelCase(ir::OpKind::kGatherElements).In(t, {3, 4, 2}, q).InData(DType::kInt32, {2, 3, 2}, Int32Bytes(idx))
          .Out(t, {2, 3, 2}, q).Attr("axis", axis).Expect();
      KernelCase c(ir::OpKind::kGatherElements);
      c.In(t, {3, 4, 2}, q).Out(t, {2, 3, 2}, q).Attr("axis", axis);
      c.node().Const<int32_t>({2, 3, 2}, idx);
      c.Expect();
    }
  }
}

TEST(ShapeOpsKernel, ScatterNdEveryReduction) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    const auto q = QuantFor(t);
    KernelCase c(ir::OpKind::kScatterNd);  // repeated rows: the last wins
    c.In(t, {4, 3, 2}, q).Out(t, {4, 3, 2}, q);
    c.node().Const<int32_t>({3, 2}, {3, 2, 0, -1, 3, 2});
    c.In(t, {3, 2}, q).Expect();
    KernelCase(ir::OpKind::kScatterNd).In(t, {5, 2, 3}, q).InData(DType::kInt32, {2, 2, 1}, Int32Bytes({4, 0, -5, 2}))
        .In(t, {2, 2, 2, 3}, q).Out(t, {5, 2, 3}, q).Expect();
  }
  for (const char* r : {"add", "mul", "max", "min"}) {
    for (DType t : {DType::kFloat32, DType::kInt32, DType::kInt64}) {
      SCOPED_TRACE(std::string(r) + " " + ir::DTypeName(t));
      KernelCase(ir::OpKind::kScatterNd).In(t, {4, 3}).InData(DType::kInt32, {3, 1}, Int32Bytes({1, -1, 1}))
          .In(t, {3, 3}).Out(t, {4, 3}).Attr("reduction", std::string(r)).Expect();
    }
  }
}

// A run-time index outside the axis is clamped by the generated C (the
// reference refuses it): the kernel must not read outside the input.
TEST(ShapeOpsKernel, GatherClampsRunTimeIndices) {
  KernelCase c(ir::OpKind::kGather);
  c.In(DType::kInt8, {3, 2}, Quant(1.f, 0))
      .InData(DType::kInt32, {2}, Int32Bytes({0, 1}))
      .Out(DType::kInt8, {2, 2}, Quant(1.f, 0))
      .Attr("axis", int64_t{0});
  auto k = c.Emit();
  ASSERT_TRUE(k.ok()) << k.diag().ToString();
  EXPECT_NE(k->code.find("if (j > 2) j = 2;"), std::string::npos) << k->code;
  EXPECT_NE(k->code.find("if (j < 0) j = 0;"), std::string::npos) << k->code;
}

TEST(ShapeOpsKernel, MirrorPadModes) {
  for (DType t : kTypes) {
    for (const char* mode : {"reflect", "symmetric", "edge"}) {
      SCOPED_TRACE(std::string(ir::DTypeName(t)) + " " + mode);
      const auto q = QuantFor(t);
      KernelCase(ir::OpKind::kMirrorPad)
          .In(t, {1, 4, 3, 5}, q)
          .Out(t, {1, 7, 6, 5}, q)
          .Attr("pads", std::vector<int64_t>{0, 0, 2, 1, 1, 2, 0, 0})
          .Attr("mode", std::string(mode))
          .Expect();
      KernelCase(ir::OpKind::kMirrorPad)
          .In(t, {3, 4}, q)
          .Out(t, {5, 7}, q)
          .Attr("pads", std::vector<int64_t>{1, 1, 2, 1})
          .Attr("mode", std::string(mode))
          .Expect();
    }
  }
}

TEST(ShapeOpsKernel, DepthToSpaceAndSpaceToDepth) {
  for (DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    const auto q = QuantFor(t);
    for (const char* mode : {"DCR", "CRD"}) {
      KernelCase(ir::OpKind::kDepthToSpace)
          .In(t, {2, 2, 3, 12}, q)
          .Out(t, {2, 4, 6, 3}, q)
          .Attr("block_size", int64_t{2})
          .Attr("mode", std::string(mode))
          .Expect();
    }
    KernelCase(ir::OpKind::kDepthToSpace)
        .In(t, {1, 2, 1, 9}, q)
        .Out(t, {1, 6, 3, 1}, q)
        .Attr("block_size", int64_t{3})
        .Expect();
    KernelCase(ir::OpKind::kSpaceToDepth)
        .In(t, {2, 4, 6, 3}, q)
        .Out(t, {2, 2, 3, 12}, q)
        .Attr("block_size", int64_t{2})
        .Expect();
  }
}

TEST(ShapeOpsKernel, PadWithValue) {
  KernelCase(ir::OpKind::kPad)
      .In(DType::kFloat32, {2, 3})
      .Out(DType::kFloat32, {4, 4})
      .Attr("pads", std::vector<int64_t>{1, 1, 0, 1})
      .Attr("value", 2.5)
      .Expect();
  KernelCase(ir::OpKind::kPad)
      .In(DType::kInt8, {1, 2, 2, 3}, Quant(0.1f, 4))
      .Out(DType::kInt8, {1, 4, 3, 3}, Quant(0.1f, 4))
      .Attr("pads", std::vector<int64_t>{0, 0, 1, 1, 0, 1, 0, 0})
      .Attr("value", -7.0)
      .Expect();
  KernelCase(ir::OpKind::kPad)
      .In(DType::kInt16, {3}, Quant(0.001f, 0))
      .Out(DType::kInt16, {6}, Quant(0.001f, 0))
      .Attr("pads", std::vector<int64_t>{2, 1})
      .Attr("value", -300.0)
      .Expect();
}

TEST(ShapeOpsKernel, BroadcastToEveryDtype) {
  for (const DType t : kTypes) {
    SCOPED_TRACE(ir::DTypeName(t));
    KernelCase(ir::OpKind::kBroadcastTo).In(t, {3, 1, 4}, QuantFor(t)).Out(t, {2, 3, 5, 4}, QuantFor(t))
        .Attr("shape", std::vector<int64_t>{2, 3, 5, 4}).Expect();
    KernelCase(ir::OpKind::kBroadcastTo).In(t, {1}, QuantFor(t)).Out(t, {7}, QuantFor(t))
        .Attr("shape", std::vector<int64_t>{7}).Expect();
  }
}

TEST(ShapeOpsKernel, CompileForCortexM4) {
  std::vector<KernelCase> cases;
  cases.emplace_back(ir::OpKind::kSplit);
  cases.back().In(DType::kInt16, {2, 5}).Out(DType::kInt16, {2, 2}).Out(DType::kInt16, {2, 3});
  cases.back().Attr("axis", int64_t{1}).Attr("sizes", std::vector<int64_t>{2, 3});
  cases.emplace_back(ir::OpKind::kGather);
  cases.back().In(DType::kInt8, {5, 3}).InData(DType::kInt32, {2}, Int32Bytes({4, 1})).Out(DType::kInt8, {2, 3});
  cases.back().Attr("axis", int64_t{0});
  cases.emplace_back(ir::OpKind::kGatherNd);
  cases.back().In(DType::kFloat32, {5, 3, 2}).InData(DType::kInt32, {2, 2}, Int32Bytes({4, 1, 0, 2})).Out(DType::kFloat32, {2, 2});
  cases.emplace_back(ir::OpKind::kGatherElements);
  cases.back().In(DType::kInt8, {3, 4}).InData(DType::kInt32, {2, 4}, Int32Bytes({2, 0, 1, -1, 0, 0, 2, 1})).Out(DType::kInt8, {2, 4});
  cases.back().Attr("axis", int64_t{0});
  cases.emplace_back(ir::OpKind::kScatterNd);
  cases.back().In(DType::kFloat32, {4, 3}).InData(DType::kInt32, {2, 1}, Int32Bytes({1, 3})).In(DType::kFloat32, {2, 3})
      .Out(DType::kFloat32, {4, 3}).Attr("reduction", std::string("add"));
  cases.emplace_back(ir::OpKind::kMirrorPad);
  cases.back().In(DType::kFloat32, {3, 4}).Out(DType::kFloat32, {5, 6});
  cases.back().Attr("pads", std::vector<int64_t>{1, 1, 1, 1}).Attr("mode", std::string("reflect"));
  cases.emplace_back(ir::OpKind::kDepthToSpace);
  cases.back().In(DType::kInt8, {1, 2, 2, 8}).Out(DType::kInt8, {1, 4, 4, 2}).Attr("block_size", int64_t{2});
  cases.emplace_back(ir::OpKind::kSpaceToDepth);
  cases.back().In(DType::kInt32, {1, 4, 4, 2}).Out(DType::kInt32, {1, 2, 2, 8}).Attr("block_size", int64_t{2});
  cases.emplace_back(ir::OpKind::kPad);
  cases.back().In(DType::kFloat32, {3}).Out(DType::kFloat32, {5}).Attr("pads", std::vector<int64_t>{1, 1});
  cases.back().Attr("value", -1.5);
  cases.emplace_back(ir::OpKind::kBroadcastTo);
  cases.back().In(DType::kInt8, {3, 1}, Quant(0.05f, -3)).Out(DType::kInt8, {2, 3, 4}, Quant(0.05f, -3));
  cases.back().Attr("shape", std::vector<int64_t>{2, 3, 4});
  for (const KernelCase& c : cases) {
    const std::string r = CompileForCortexM4(c);
    if (r == "skip") GTEST_SKIP() << "arm-none-eabi-gcc is not installed";
    EXPECT_EQ(r, "") << ir::OpIrName(c.graph().nodes[0].op);
  }
}

}  // namespace
}  // namespace ember::test
