// quantize: float32 -> integer, or integer -> integer requantization. The
// output quantization is the output tensor's (per-tensor).
//
// With int8_semantics = "onnxruntime", ONNX Runtime's QuantizeLinear
// (MlasQuantizeLinear): q = round_half_even(clamp(x / s, min - z, max - z)) + z
// with a float32 division, NaN -> min; an integer input is first dequantized
// as ONNX Runtime's DequantizeLinear does, float(x - z_in) * s_in.
//
// Semantics of TFLite Micro's reference kernel (docs/numerics.md, "quantize"):
//   f32 -> i8/u8/i16:  q = clamp(round(x / s) + z) with x / s a float32
//                      division and round-half-away-from-zero. A quotient
//                      beyond int32 saturates and NaN gives 0 before z is
//                      added (what the Cortex-M float-to-int conversion does).
//   int -> int (i8, u8, i16, i32 in any combination):
//                      q = clamp(MBQM(x - z_in, s_in/s_out) + z_out) with the
//                      multiplier computed in double. Equal scales give an exact
//                      copy plus the zero-point shift (i8 <-> u8 included).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

bool IsQuantizedInt(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8 || t == ir::DType::kInt16 ||
         t == ir::DType::kInt32;
}

Int32Range TypeRange(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return {-128, 127};
    case ir::DType::kUInt8: return {0, 255};
    case ir::DType::kInt16: return {-32768, 32767};
    default: return {std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()};
  }
}

int32_t LoadInt(const uint8_t* base, ir::DType t, int64_t i) {
  switch (t) {
    case ir::DType::kInt8: return reinterpret_cast<const int8_t*>(base)[i];
    case ir::DType::kUInt8: return base[i];
    case ir::DType::kInt16: {
      int16_t v;
      std::memcpy(&v, base + i * 2, 2);
      return v;
    }
    default: {
      int32_t v;
      std::memcpy(&v, base + i * 4, 4);
      return v;
    }
  }
}

// Stores a value already clamped to the type's range.
void StoreInt(uint8_t* base, ir::DType t, int64_t i, int32_t v) {
  switch (t) {
    case ir::DType::kInt8: reinterpret_cast<int8_t*>(base)[i] = static_cast<int8_t>(v); break;
    case ir::DType::kUInt8: base[i] = static_cast<uint8_t>(v); break;
    case ir::DType::kInt16: {
      const int16_t h = static_cast<int16_t>(v);
      std::memcpy(base + i * 2, &h, 2);
      break;
    }
    default: std::memcpy(base + i * 4, &v, 4); break;
  }
}

// Per-tensor quantization of an integer tensor: positive finite scale, zero
// point representable in the type.
Status GetQuant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                int32_t* zero_point) {
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, id, scale, zero_point));
  const ir::Tensor& t = g.tensor(id);
  const Int32Range r = TypeRange(t.dtype);
  if (!(*scale > 0.0f) || !std::isfinite(*scale) || *zero_point < r.min || *zero_point > r.max) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", static_cast<double>(*scale));
    return NodeError(n, "tensor '" + t.name + "' (" + ir::DTypeName(t.dtype) + ") has scale " +
                            buf + " and zero point " + std::to_string(*zero_point) +
                            "; the scale must be positive and the zero point fit the type");
  }
  return Status::Ok();
}

struct Params {
  float out_scale = 1.0f;
  int32_t out_zero_point = 0;
  int32_t in_zero_point = 0;
  float in_scale = 1.0f;
  QuantizedMultiplier m;  // int -> int only
  Int8Semantics semantics = Int8Semantics::kTflite;
};

Expected<Params> Prepare(const ir::Graph& g, const ir::Node& n) {
  Params p;
  EMBER_RETURN_IF_ERROR(GetQuant(g, n, n.outputs[0], &p.out_scale, &p.out_zero_point));
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &p.semantics));
  if (p.semantics == Int8Semantics::kOnnxRuntime && g.tensor(n.outputs[0]).dtype == ir::DType::kInt32) {
    return NodeError(n, "int8_semantics \"onnxruntime\" quantizes to i8, u8 or i16, not i32",
                     "remove the attribute");
  }
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype == ir::DType::kFloat32) return p;
  float in_scale = 1.0f;
  EMBER_RETURN_IF_ERROR(GetQuant(g, n, n.inputs[0], &in_scale, &p.in_zero_point));
  p.in_scale = in_scale;
  if (p.semantics == Int8Semantics::kOnnxRuntime) return p;  // no multiplier
  const double real = static_cast<double>(in_scale) / static_cast<double>(p.out_scale);
  p.m = QuantizeMultiplier(real);
  if (p.m.shift > 30) {
    return NodeError(n, "the rescale factor s_in/s_out is too large",
                     "check the input and output scales");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  const bool float_in = in.dtype == ir::DType::kFloat32;
  const bool ok = float_in ? (out.dtype == ir::DType::kInt8 || out.dtype == ir::DType::kUInt8 ||
                              out.dtype == ir::DType::kInt16)
                           : (IsQuantizedInt(in.dtype) && IsQuantizedInt(out.dtype));
  if (!ok) {
    return NodeError(n, std::string("converting ") + ir::DTypeName(in.dtype) + " to " +
                            ir::DTypeName(out.dtype) + " is not supported",
                     "supported: f32 to i8/u8/i16, and between i8, u8, i16 and i32");
  }
  auto p = Prepare(g, n);
  if (!p.ok()) return p.diag();
  return std::vector<TensorType>{{out.dtype, in.shape}};
}

// float32 -> int32 as the Cortex-M conversion does: saturating, NaN -> 0.
int32_t FloatToInt32(float r) {
  if (std::isnan(r)) return 0;
  if (r >= 2147483648.0f) return std::numeric_limits<int32_t>::max();
  if (r < -2147483648.0f) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(r);
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const Params p, Prepare(a.graph, a.node));
  const ir::DType in_type = a.in_tensor(0).dtype;
  const ir::DType out_type = a.out_tensor(0).dtype;
  const Int32Range range = TypeRange(out_type);
  const int64_t count = a.in_tensor(0).num_elements();
  if (p.semantics == Int8Semantics::kOnnxRuntime) {
    for (int64_t i = 0; i < count; ++i) {
      float x = 0.0f;
      if (in_type == ir::DType::kFloat32) {
        std::memcpy(&x, a.inputs[0] + i * 4, 4);
      } else {  // DequantizeLinear: float(x - z_in) * s_in
        x = static_cast<float>(WrapSub(LoadInt(a.inputs[0], in_type, i), p.in_zero_point)) * p.in_scale;
      }
      StoreInt(a.outputs[0], out_type, i, OrtQuantize(x, p.out_scale, p.out_zero_point, range.min, range.max));
    }
    return Status::Ok();
  }
  for (int64_t i = 0; i < count; ++i) {
    int32_t v = 0;
    if (in_type == ir::DType::kFloat32) {
      float x;
      std::memcpy(&x, a.inputs[0] + i * 4, 4);
      v = WrapAdd(FloatToInt32(std::round(x / p.out_scale)), p.out_zero_point);
    } else {
      const int32_t x = LoadInt(a.inputs[0], in_type, i);
      v = WrapAdd(Mbqm(WrapSub(x, p.in_zero_point), p.m), p.out_zero_point);
    }
    StoreInt(a.outputs[0], out_type, i, std::min(std::max(v, range.min), range.max));
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kQuantizeDef = {ir::OpKind::kQuantize, "f32->i8/u8/i16, i8/u8/i16/i32", Infer,
                                   Eval, nullptr};

}  // namespace ember::ops
