// cast: elementwise type conversion of the stored values; TFLite CAST. The
// output type is the output tensor's. Quantization is ignored (TFLite's CAST
// converts the raw values).
//
// As TFLite Micro's reference kernel, static_cast<To>(from), for
// i8, u8, i16, i32, i64, f32, bool -> i8, u8, i16, i32, i64, f32 (i64 sources
// are int64 graph inputs and the int64 indices of ONNX's ArgMax and TopK,
// i64 results ONNX's integer arithmetic on int64; u8 results the uint8 values
// of ONNX's DynamicQuantizeLinear; u8 both ways for ONNX's uint8
// arithmetic, computed on int32). Where C++ leaves the
// conversion undefined, ember defines it as the Cortex-M compilers do:
// float -> integer truncates toward zero, saturates to int32 (NaN -> 0, as
// VCVT) and then wraps to the narrower type; integer -> narrower integer
// wraps (two's complement; i64 keeps its low 32 bits first); i64 -> f32
// rounds to the nearest float (ties to even); -> i64 sign-extends an
// integer and saturates a float to int64 (NaN -> 0). bool -> number is 0 or 1.
//
// f32 -> f32 with round="float16" or "bfloat16" (ONNX's Cast to those types,
// whose values ember holds in float32): each value rounded to the nearest
// value of that format, ties to even; beyond its largest finite value
// (65504; bfloat16: 2^128 - 2^120), infinity; float16's subnormals
// (multiples of 2^-24) kept; ±0, infinities and NaN as they are.
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "support/float16.h"

namespace ember::ops {
namespace {

bool IsSource(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8 || t == ir::DType::kInt16 || t == ir::DType::kInt32 || t == ir::DType::kInt64 ||
         t == ir::DType::kFloat32 || t == ir::DType::kBool;
}
bool IsTarget(ir::DType t) {
  return t == ir::DType::kInt8 || t == ir::DType::kUInt8 || t == ir::DType::kInt16 || t == ir::DType::kInt32 ||
         t == ir::DType::kInt64 || t == ir::DType::kFloat32;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  if (n.HasAttr("round")) {
    const std::string r = n.GetString("round");
    if (r != "float16" && r != "bfloat16") {
      return NodeError(n, "round=\"" + r + "\" is not a format ember rounds to", "use round=\"float16\" or \"bfloat16\"");
    }
    if (in.dtype != ir::DType::kFloat32 || out.dtype != ir::DType::kFloat32) {
      return NodeError(n, std::string("round=\"") + r + "\" needs an f32 input and output, not " +
                              ir::DTypeName(in.dtype) + " to " + ir::DTypeName(out.dtype),
                       "cast to f32 first");
    }
  }
  if (!IsSource(in.dtype) || !IsTarget(out.dtype)) {
    return NodeError(n, std::string("casting ") + ir::DTypeName(in.dtype) + " to " + ir::DTypeName(out.dtype) +
                            " is not supported",
                     "supported: i8, u8, i16, i32, i64, f32 and bool to i8, u8, i16, i32, i64 and f32");
  }
  return std::vector<TensorType>{{out.dtype, in.shape}};
}

// Saturating float -> int32 with NaN -> 0, truncating toward zero.
int32_t FloatToInt32(float r) {
  if (std::isnan(r)) return 0;
  if (r >= 2147483648.0f) return std::numeric_limits<int32_t>::max();
  if (r < -2147483648.0f) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(r);
}

// Element i of the input as float (f32 in) or as wrapped-to-int32 integer.
double ReadValue(ir::DType t, const uint8_t* p, int64_t i, bool* is_float) {
  *is_float = false;
  switch (t) {
    case ir::DType::kInt8: return reinterpret_cast<const int8_t*>(p)[i];
    case ir::DType::kUInt8: return p[i];
    case ir::DType::kInt16: return reinterpret_cast<const int16_t*>(p)[i];
    case ir::DType::kInt32: return reinterpret_cast<const int32_t*>(p)[i];
    case ir::DType::kInt64: {  // the low 32 bits, as int32
      const auto u = static_cast<uint32_t>(static_cast<uint64_t>(reinterpret_cast<const int64_t*>(p)[i]));
      return static_cast<int32_t>(u);
    }
    case ir::DType::kBool: return p[i] != 0 ? 1 : 0;
    default: *is_float = true; return reinterpret_cast<const float*>(p)[i];
  }
}

Status Eval(const EvalArgs& a) {
  const ir::DType from = a.in_tensor(0).dtype, to = a.out_tensor(0).dtype;
  const int64_t count = a.in_tensor(0).num_elements();
  if (a.node.HasAttr("round")) {
    const bool half = a.node.GetString("round") == "float16";
    const float* x = reinterpret_cast<const float*>(a.inputs[0]);
    for (int64_t i = 0; i < count; ++i) {
      a.out<float>(0)[i] = std::isnan(x[i]) ? x[i] : static_cast<float>(half ? RoundToFloat16(x[i]) : RoundToBfloat16(x[i]));
    }
    return Status::Ok();
  }
  for (int64_t i = 0; i < count; ++i) {
    bool is_float = false;
    const double v = ReadValue(from, a.inputs[0], i, &is_float);
    if (to == ir::DType::kInt64) {
      int64_t r = 0;
      if (from == ir::DType::kInt64) {
        r = reinterpret_cast<const int64_t*>(a.inputs[0])[i];
      } else if (!is_float) {
        r = static_cast<int64_t>(v);
      } else if (!std::isnan(v)) {
        r = v >= 9223372036854775808.0 ? std::numeric_limits<int64_t>::max()
            : v < -9223372036854775808.0 ? std::numeric_limits<int64_t>::min()
                                         : static_cast<int64_t>(v);
      }
      a.out<int64_t>(0)[i] = r;
      continue;
    }
    if (to == ir::DType::kFloat32 && from == ir::DType::kInt64) {
      a.out<float>(0)[i] = static_cast<float>(reinterpret_cast<const int64_t*>(a.inputs[0])[i]);
      continue;
    }
    if (to == ir::DType::kFloat32) {
      // int32 -> float rounds to nearest even, as static_cast<float>.
      a.out<float>(0)[i] = is_float ? static_cast<float>(v) : static_cast<float>(static_cast<int32_t>(v));
      continue;
    }
    const int32_t w = is_float ? FloatToInt32(static_cast<float>(v)) : static_cast<int32_t>(v);
    const auto u = static_cast<uint32_t>(w);
    switch (to) {
      case ir::DType::kInt8: a.out<int8_t>(0)[i] = static_cast<int8_t>(u & 0xFFu); break;  // wraps
      case ir::DType::kUInt8: a.out<uint8_t>(0)[i] = static_cast<uint8_t>(u & 0xFFu); break;
      case ir::DType::kInt16: a.out<int16_t>(0)[i] = static_cast<int16_t>(u & 0xFFFFu); break;
      default: a.out<int32_t>(0)[i] = w; break;
    }
  }
  return Status::Ok();
}

}  // namespace

extern const OpDef kCastDef = {ir::OpKind::kCast, "i8/u8/i16/i32/i64/f32/bool->i8/u8/i16/i32/i64/f32", Infer, Eval, nullptr};

}  // namespace ember::ops
