// Helpers shared by operator files: diagnostics that name the node, operand
// checks, padding and broadcasting arithmetic.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "ops/op.h"
#include "ops/quant_math.h"
#include "support/status.h"

namespace ember::ops {

// "node 'model/conv1/Relu' (conv2d): <message>", id E0301, exit 3 (unsupported).
Diagnostic NodeError(const ir::Node& node, const std::string& message,
                     const std::string& hint = "");

// Checks operand counts: inputs in [min_in, max_in], outputs == num_out, and
// that required inputs (index < min_in) are present.
Status CheckArity(const ir::Graph& g, const ir::Node& n, size_t min_in, size_t max_in,
                  size_t num_out);

// Per-tensor quantization accessors; return a NodeError if the tensor has
// no quantization or (for the PerTensor variant) per-axis quantization.
Status GetPerTensorQuant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                         int32_t* zero_point);

// Reads the optional `act` attribute (absent = none); a non-string or unknown
// name is a NodeError listing the valid ones.
Status GetActivationAttr(const ir::Node& n, Activation* act);
// The node's `int8_semantics` attribute ("tflite" when absent); a diagnostic
// for any other value.
Status GetInt8SemanticsAttr(const ir::Node& n, Int8Semantics* out);
// ONNX Runtime runs QLinearAdd and QLinearAveragePool on uint8 tensors as
// they are, adding the zero points in float32, where the IR holds a uint8
// tensor as int8 (value - 128, zero point - 128). fold-qdq sets the attribute
// `onnx_uint8` = 1 on such an int8 add or average_pool2d (ONNX Runtime's
// arithmetic, every operand uint8 in the ONNX model); the operator then
// computes on the uint8 values (+128) and subtracts 128 from the result,
// which gives ONNX Runtime's bits. 128 for such a node, 0 otherwise.
int32_t OnnxUint8Offset(const ir::Node& n);
// ONNX Runtime's QLinearGlobalAveragePool scale for a mean of `count`
// elements: s_in / (s_out * float(count)) in float32 (ops/mean.cc; used by
// mean and by average_pool2d when its window is the whole input).
float OrtMeanScale(const ir::Graph& g, const ir::Node& n, int64_t count);

// Per-tensor int8 quantization of tensor `id` with a positive finite scale and
// a zero point in [-128, 127]; a NodeError naming the tensor otherwise.
Status GetInt8Quant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                    int32_t* zero_point);
// The int8 quantization of a one-input operator's input 0 and output 0, as
// GetInt8Quant reads each.
struct InOutInt8Quant {
  float s_in = 0, s_out = 0;
  int32_t z_in = 0, z_out = 0;
};
Expected<InOutInt8Quant> GetInOutInt8Quant(const ir::Graph& g, const ir::Node& n);
// The same for an int8 or int16 tensor (by its dtype); int16 needs zero
// point 0 (16x8 quantization is symmetric).
Status GetInt8Or16Quant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                        int32_t* zero_point);

// The int8 input rescaling of LOGISTIC and TANH (TFLite Micro's Prepare):
// x - z_in goes to Q4.27 with the multiplier frexp(s_in * 2^27); inputs with
// |x - z_in| >= radius saturate. A NodeError for an unusable input scale.
struct SigmoidInput {
  int32_t input_zero_point = 0;
  int32_t multiplier = 0;  // s_in * 2^27 = multiplier * 2^(left_shift - 31)
  int left_shift = 0;
  int32_t radius = 0;
};
inline constexpr int kSigmoidInputIntegerBits = 4;  // the rescaled input is Q4.27
Expected<SigmoidInput> PrepareSigmoidInput(const ir::Graph& g, const ir::Node& n);

// TFLite's float32 logistic: 1 for x > 16.619047164916992188, exp(x) for
// x < -9, else 1 / (1 + exp(-x)) (ops/logistic.cc; the LSTM's gates too).
float LogisticFloat(float x);

// QuantizeMultiplier(real) into *q for a rescale factor that must lie in
// (0, 1), as QuantizeMultiplierSmallerThanOneExp demands (TFLite aborts
// otherwise; we report a NodeError naming `what`). Used by add and sub.
Status CheckSmallerThanOne(const ir::Node& n, const char* what, double real,
                           QuantizedMultiplier* q);

// Reads the real attribute `key` (a real or an int) into *out; absent gives
// `def` unless `required`. A NodeError when it is required and missing, of
// another type, or not finite.
Status GetRealAttr(const ir::Node& n, const std::string& key, bool required, double def,
                   double* out);

// The `axes` (non-negative, ascending, unique, below the rank; may be empty)
// and `keep_dims` (0/1) attributes of a reduction (mean, reduce_max): which
// input axes are reduced, the output shape, and N = elements per output. A
// NodeError for bad attributes or a reduction over an empty axis with a
// non-empty output.
struct Reduction {
  std::vector<bool> reduced;  // per input axis
  ir::Shape out_shape;
  int64_t count = 1;  // N, elements reduced per output
};
Expected<Reduction> GetReductionAttrs(const ir::Graph& g, const ir::Node& n);
// For each flat input index, the flat output index it contributes to.
std::vector<int64_t> ReductionOutputIndexMap(const ir::Shape& in, const Reduction& r);
// The raw integer sums of a quantized reduction (mean, reduce_sum): each
// output's inputs added in wrapping int32, in row-major input order.
template <typename T>
std::vector<int32_t> WrappedSums(const T* in, const std::vector<int64_t>& map, size_t outputs) {
  std::vector<int32_t> sum(outputs, 0);
  for (size_t i = 0; i < map.size(); ++i) {
    int32_t& s = sum[static_cast<size_t>(map[i])];
    s = WrapAdd(s, in[i]);
  }
  return sum;
}
// The zero points and the rescale M = QuantizeMultiplier(s_in / s_out) of a
// quantized reduction (mean, reduce_sum), per-tensor quantized input and
// output; a NodeError when the scales give no usable multiplier.
struct ReductionRescale {
  int32_t z_in = 0, z_out = 0;
  QuantizedMultiplier m;
};
Expected<ReductionRescale> GetReductionRescale(const ir::Graph& g, const ir::Node& n);

// A real number for messages ("%g").
std::string FormatReal(double v);

// Output size along one spatial axis for explicit paddings.
// Returns -1 when the window does not fit.
int64_t ConvOutputSize(int64_t in, int64_t filter, int64_t stride, int64_t dilation,
                       int64_t pad_before, int64_t pad_after);

// numpy broadcasting of two shapes; false when they are incompatible.
bool BroadcastShapes(const ir::Shape& a, const ir::Shape& b, ir::Shape* out);
// Index into a (right-aligned, broadcast) input of shape `in` for the flat
// output index `out_index` of shape `out`.
int64_t BroadcastIndex(const ir::Shape& in, const ir::Shape& out, int64_t out_index);

// Shape/type inference of an elementwise operator on i8 or f32 whose output
// has its input's type and shape (relu, relu6, logistic, tanh, hard_swish).
// `prepare_int8(g, n)` returns Expected<...> and checks the int8 quantization.
// With `allow_int16`, i16 (16x8 models) is accepted and prepared too.
template <typename PrepareFn>
Expected<std::vector<TensorType>> InferUnaryI8F32(const ir::Graph& g, const ir::Node& n,
                                                  PrepareFn prepare_int8, bool allow_int16 = false) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const bool int16 = allow_int16 && in.dtype == ir::DType::kInt16;
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kFloat32 && !int16) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(in.dtype) +
                            " is not supported; supported: i8, " + (allow_int16 ? "i16, " : "") + "f32");
  }
  if (in.dtype == ir::DType::kInt8 || int16) {
    auto p = prepare_int8(g, n);
    if (!p.ok()) return p.diag();
  }
  return std::vector<TensorType>{{in.dtype, in.shape}};
}

// The output shape of a binary operator with numpy broadcasting whose two
// inputs have one dtype; a NodeError naming the two types or the two shapes.
Expected<ir::Shape> SameTypeBroadcastShape(const ir::Graph& g, const ir::Node& n);

// out[i] = f(x[...], y[...]) over the output shape with numpy broadcasting
// (inputs 0 and 1 of type TIn, output 0 of type TOut).
template <typename TIn, typename TOut, typename F>
void EvalBroadcast(const EvalArgs& a, F f) {
  const ir::Shape& sa = a.in_tensor(0).shape;
  const ir::Shape& sb = a.in_tensor(1).shape;
  const ir::Shape& so = a.out_tensor(0).shape;
  const int64_t count = ir::NumElements(so);
  const TIn* x = a.in<TIn>(0);
  const TIn* y = a.in<TIn>(1);
  TOut* out = a.out<TOut>(0);
  for (int64_t i = 0; i < count; ++i) out[i] = f(x[BroadcastIndex(sa, so, i)], y[BroadcastIndex(sb, so, i)]);
}

// The same for a binary operator with numpy broadcasting and a fused
// activation (add, mul): both inputs i8 or both f32, or both i16 when
// `allow_int16` (16x8 models; `prepare_int8` then checks the int16 quantization).
template <typename PrepareFn>
Expected<std::vector<TensorType>> InferBinaryI8F32(const ir::Graph& g, const ir::Node& n,
                                                   PrepareFn prepare_int8, bool allow_int16 = false,
                                                   bool allow_wide_int = false) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  EMBER_ASSIGN_OR_RETURN(const ir::Shape shape, SameTypeBroadcastShape(g, n));
  const bool int16 = allow_int16 && a.dtype == ir::DType::kInt16;
  const bool wide = allow_wide_int && (a.dtype == ir::DType::kInt32 || a.dtype == ir::DType::kInt64);
  if (a.dtype != ir::DType::kInt8 && a.dtype != ir::DType::kFloat32 && !int16 && !wide) {
    return NodeError(n, std::string("input type ") + ir::DTypeName(a.dtype) + " is not supported; supported: i8, " +
                            (allow_int16 ? "i16, " : "") + (allow_wide_int ? "i32, i64, " : "") + "f32");
  }
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, &act));
  if (wide && a.quant) return NodeError(n, std::string(ir::DTypeName(a.dtype)) + " inputs with quantization parameters");
  if (wide && act != Activation::kNone) {
    return NodeError(n, std::string("a fused activation on ") + ir::DTypeName(a.dtype) + " values",
                     "apply the activation as its own operator");
  }
  if (a.dtype == ir::DType::kInt8 || int16) {
    auto p = prepare_int8(g, n);
    if (!p.ok()) return p.diag();
  }
  return std::vector<TensorType>{{a.dtype, shape}};
}

// The int32 / int64 evaluation of a broadcasting binary operator (add, sub,
// mul): `f` on the unsigned values, so the result wraps modulo 2^32 / 2^64
// (two's complement) instead of overflowing.
template <typename F>
Status EvalBinaryWideInt(const EvalArgs& a, F f) {
  if (a.in_tensor(0).dtype == ir::DType::kInt64) {
    EvalBroadcast<int64_t, int64_t>(a, [&](int64_t x, int64_t y) {
      return static_cast<int64_t>(f(static_cast<uint64_t>(x), static_cast<uint64_t>(y)));
    });
  } else {
    EvalBroadcast<int32_t, int32_t>(a, [&](int32_t x, int32_t y) {
      return static_cast<int32_t>(f(static_cast<uint32_t>(x), static_cast<uint32_t>(y)));
    });
  }
  return Status::Ok();
}

// The float32 evaluation of a broadcasting binary operator with a fused
// activation (sub, div): out[i] = clamp(f(a[...], b[...])) with the
// activation's float range (min(max(v, lo), hi), NaN passes through).
template <typename F>
Status EvalBinaryFloat(const EvalArgs& a, F f) {
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(a.node, &act));
  const FloatRange r = ActivationRangeFloat(act);
  EvalBroadcast<float, float>(a, [&](float x, float y) { return std::min(std::max(f(x, y), r.min), r.max); });
  return Status::Ok();
}

}  // namespace ember::ops
