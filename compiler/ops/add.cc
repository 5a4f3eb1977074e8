// add: elementwise a + b with numpy broadcasting and a fused activation `act`.
//
// int8 follows TFLite Micro's reference ADD (docs/numerics.md, "add"): both
// inputs are shifted left by 20 bits, rescaled to a common scale of twice the
// larger input scale, summed, then rescaled to the output scale. Input order
// matters for the rounding (input 1 gets multiplier 1). int16 (zero points 0)
// is the same with a 15-bit shift, as TFLite Micro's general int16 path
// (AddGeneralParamScale; it never takes the power-of-two path). float32 is
// clamp(a + b) with the activation's float range; int32 and int64 (no
// activation) wrap modulo 2^32 / 2^64, as TFLite's int32/int64 ADD on
// two's-complement targets.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <variant>
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
  // double arithmetic, as TFLite's ADD Prepare.
  const double twice_max = 2.0 * static_cast<double>(std::max(s1, s2));
  const double r1 = static_cast<double>(s1) / twice_max;
  const double r2 = static_cast<double>(s2) / twice_max;
  const double ro =
      twice_max / (static_cast<double>(1 << p.left_shift) * static_cast<double>(so));
  EMBER_RETURN_IF_ERROR(FinishAddSubInt8(n, r1, r2, ro, so, &p));
  Int8Semantics sem = Int8Semantics::kTflite;
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &sem));
  if (sem == Int8Semantics::kOnnxRuntime && p.left_shift == kAddSubLeftShiftInt16)
    return NodeError(n, "int8_semantics \"onnxruntime\" does not apply to int16 inputs", "remove the attribute");
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  return InferBinaryI8F32(g, n, PrepareInt8, /*allow_int16=*/true, /*allow_wide_int=*/true);
}

Status Eval(const EvalArgs& a) {
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    return EvalBinaryFloat(a, [](float x, float y) { return x + y; });
  }
  if (a.in_tensor(0).dtype == ir::DType::kInt32 || a.in_tensor(0).dtype == ir::DType::kInt64) {
    return EvalBinaryWideInt(a, [](auto x, auto y) { return x + y; });
  }
  EMBER_ASSIGN_OR_RETURN(const AddSubInt8Params p, PrepareInt8(a.graph, a.node));
  Int8Semantics sem = Int8Semantics::kTflite;
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(a.node, &sem));
  if (sem == Int8Semantics::kOnnxRuntime) {
    float s1 = 0, s2 = 0, so = 0;
    int32_t z1 = 0, z2 = 0, zo = 0;
    EMBER_RETURN_IF_ERROR(GetInt8Quant(a.graph, a.node, a.node.inputs[0], &s1, &z1));
    EMBER_RETURN_IF_ERROR(GetInt8Quant(a.graph, a.node, a.node.inputs[1], &s2, &z2));
    EMBER_RETURN_IF_ERROR(GetInt8Quant(a.graph, a.node, a.node.outputs[0], &so, &zo));
    // On the uint8 values where ONNX Runtime computes on uint8 (OnnxUint8Offset).
    const int32_t u = OnnxUint8Offset(a.node);
    const OrtAddParams q = PrepareOrtAdd(s1, z1 + u, s2, z2 + u, so, zo + u, {p.act.min + u, p.act.max + u});
    const ir::Shape& sa = a.in_tensor(0).shape;
    const ir::Shape& sb = a.in_tensor(1).shape;
    const ir::Shape& sout = a.out_tensor(0).shape;
    const int8_t* x = a.in<int8_t>(0);
    const int8_t* y = a.in<int8_t>(1);
    int8_t* out = a.out<int8_t>(0);
    for (int64_t i = 0, count = ir::NumElements(sout); i < count; ++i)
      out[i] = static_cast<int8_t>(OrtAdd(x[BroadcastIndex(sa, sout, i)] + u, y[BroadcastIndex(sb, sout, i)] + u, q) - u);
    return Status::Ok();
  }
  EvalAddSub(a, p, [](int32_t v1, int32_t v2) { return WrapAdd(v1, v2); });
  return Status::Ok();
}

}  // namespace

extern const OpDef kAddDef = {ir::OpKind::kAdd, "i8, i16, i32, i64, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
