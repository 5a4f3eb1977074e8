// sub: elementwise a - b with numpy broadcasting and a fused activation `act`.
//
// int8 follows TFLite Micro's reference SUB (docs/numerics.md, "sub"): the
// same shape as ADD (both inputs shifted left by 20 bits, rescaled to twice
// the larger input scale, subtracted, rescaled to the output scale), but the
// three real multipliers are computed in float32 as TFLite Micro's Prepare
// does, so they differ from ADD's in the low bits. SUB is not ADD with a
// negated input 2: the difference is taken after the per-input rescale.
// int16 (zero points 0) shifts by 15 bits instead of 20, as TFLite Micro.
// float32 is clamp(a - b) with the activation's float range; int32 and
// int64 (no activation) wrap modulo 2^32 / 2^64.
#include <algorithm>
#include <string>
#include <vector>

#include "ops/add_sub_util.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

Expected<AddSubInt8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  AddSubInt8Params p;
  float s1 = 0, s2 = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[0], &s1, &p.z1));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[1], &s2, &p.z2));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.outputs[0], &so, &p.zo));
  p.left_shift = AddSubLeftShift(g.tensor(n.inputs[0]).dtype);
  // float32 arithmetic throughout, widened to double at the end.
  const float twice_max = 2.0f * std::max(s1, s2);
  const float r1 = s1 / twice_max;
  const float r2 = s2 / twice_max;
  const float ro = twice_max / (static_cast<float>(1 << p.left_shift) * so);
  EMBER_RETURN_IF_ERROR(FinishAddSubInt8(n, static_cast<double>(r1), static_cast<double>(r2),
                                         static_cast<double>(ro), so, &p));
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, PrepareInt8, /*allow_int16=*/true, /*allow_wide_int=*/true);
}

Status Eval(const EvalArgs& a) {
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    return EvalBinaryFloat(a, [](float x, float y) { return x - y; });
  }
  if (a.in_tensor(0).dtype == ir::DType::kInt32 || a.in_tensor(0).dtype == ir::DType::kInt64) {
    return EvalBinaryWideInt(a, [](auto x, auto y) { return x - y; });
  }
  EMBER_ASSIGN_OR_RETURN(const AddSubInt8Params p, PrepareInt8(a.graph, a.node));
  EvalAddSub(a, p, [](int32_t v1, int32_t v2) { return WrapSub(v1, v2); });
  return Status::Ok();
}

}  // namespace

extern const OpDef kSubDef = {ir::OpKind::kSub, "i8, i16, i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
