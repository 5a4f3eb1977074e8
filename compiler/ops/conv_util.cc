#include "ops/conv_util.h"

#include <cmath>
#include <variant>

#include "ops/op_util.h"

namespace ember::ops {
namespace {

std::string ListToString(const std::vector<int64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s + "]";
}

bool ValidScale(float s) { return std::isfinite(s) && s > 0.0f; }

// Per-tensor quantization of int8 or int16 operand `id` (called `what` in
// messages): an int8 zero point in [-128, 127], an int16 one 0 (16x8
// quantization is symmetric, and TFLite's int16 kernels ignore zero points).
Status CheckInt8PerTensor(const ir::Graph& g, const ir::Node& n, ir::TensorId id,
                          const char* what) {
  float scale = 0.0f;
  int32_t zp = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, id, &scale, &zp));
  const ir::Tensor& t = g.tensor(id);
  if (!ValidScale(scale))
    return NodeError(n, std::string(what) + " '" + t.name + "' has scale " + std::to_string(scale) +
                            ", which is not a positive finite number");
  if (t.dtype == ir::DType::kInt16 && t.quant->zero_point[0] != 0)
    return NodeError(n, std::string(what) + " '" + t.name + "' is int16 with zero point " +
                            std::to_string(t.quant->zero_point[0]) + "; int16 activations are symmetric (zero point 0)",
                     "quantize 16-bit activations with zero point 0 (TFLite's 16x8 quantization)");
  if (t.quant->zero_point[0] < -128 || t.quant->zero_point[0] > 127)
    return NodeError(n, std::string(what) + " '" + t.name + "' has zero point " +
                            std::to_string(t.quant->zero_point[0]) + " outside the int8 range");
  return Status::Ok();
}

}  // namespace

Status GetIntListAttr(const ir::Node& n, const std::string& key, size_t len, int64_t min_value,
                      bool required, std::vector<int64_t>* out) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) {
    if (!required) return Status::Ok();
    return NodeError(n, "attribute '" + key + "' is missing",
                     "give " + key + " as a list of " + std::to_string(len) + " integers");
  }
  const auto* v = std::get_if<std::vector<int64_t>>(&it->second);
  if (v == nullptr || v->size() != len) {
    return NodeError(n, "attribute '" + key + "' must be a list of " + std::to_string(len) +
                            " integers");
  }
  for (int64_t x : *v) {
    if (x < min_value) {
      return NodeError(n, "attribute " + key + "=" + ListToString(*v) + " has a value below " +
                              std::to_string(min_value));
    }
  }
  *out = *v;
  return Status::Ok();
}

Status GetIntAttr(const ir::Node& n, const std::string& key, int64_t min_value, int64_t max_value,
                  bool required, int64_t def, int64_t* out) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) {
    if (required) return NodeError(n, "attribute '" + key + "' is missing");
    *out = def;
    return Status::Ok();
  }
  const auto* v = std::get_if<int64_t>(&it->second);
  if (v == nullptr) return NodeError(n, "attribute '" + key + "' must be an integer");
  if (*v < min_value || *v > max_value) {
    return NodeError(n, "attribute " + key + "=" + std::to_string(*v) + " is outside [" +
                            std::to_string(min_value) + ", " + std::to_string(max_value) + "]");
  }
  *out = *v;
  return Status::Ok();
}

Status ParseWindow(const ir::Node& n, bool with_dilation, bool with_filter, Window* w) {
  // Bounded values keep all index arithmetic far from int64 overflow.
  constexpr int64_t kMaxParam = int64_t{1} << 24;
  std::vector<int64_t> v;
  if (with_filter) {
    EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "filter", 2, 1, true, &v));
    w->filter_h = v[0];
    w->filter_w = v[1];
  }
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "stride", 2, 1, true, &v));
  w->stride_h = v[0];
  w->stride_w = v[1];
  v = {1, 1};
  if (with_dilation) EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "dilation", 2, 1, false, &v));
  w->dilation_h = v[0];
  w->dilation_w = v[1];
  EMBER_RETURN_IF_ERROR(GetIntListAttr(n, "pad", 4, 0, true, &v));
  w->pad_top = v[0];
  w->pad_left = v[1];
  w->pad_bottom = v[2];
  w->pad_right = v[3];
  for (int64_t x : {w->filter_h, w->filter_w, w->stride_h, w->stride_w, w->dilation_h,
                    w->dilation_w, w->pad_top, w->pad_left, w->pad_bottom, w->pad_right}) {
    if (x > kMaxParam) return NodeError(n, "has a window attribute larger than 2^24");
  }
  return GetActivationAttr(n, &w->act);
}

Status WindowOutputSize(const ir::Node& n, const Window& w, int64_t in_h, int64_t in_w, int64_t kh,
                        int64_t kw, int64_t* out_h, int64_t* out_w) {
  *out_h = ConvOutputSize(in_h, kh, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom);
  *out_w = ConvOutputSize(in_w, kw, w.stride_w, w.dilation_w, w.pad_left, w.pad_right);
  if (*out_h < 1 || *out_w < 1) {
    return NodeError(n,
                     "window " + std::to_string(kh) + "x" + std::to_string(kw) + " (dilation " +
                         std::to_string(w.dilation_h) + "x" + std::to_string(w.dilation_w) +
                         ") does not fit the padded input " + std::to_string(in_h) + "x" +
                         std::to_string(in_w) + " with pad=" +
                         ListToString({w.pad_top, w.pad_left, w.pad_bottom, w.pad_right}),
                     "check the filter size, dilation and padding");
  }
  return Status::Ok();
}

Status CheckRank(const ir::Node& n, const ir::Tensor& t, const char* what, size_t rank) {
  if (t.shape.size() != rank) {
    return NodeError(n, std::string(what) + " '" + t.name + "' has shape " +
                            ir::ShapeToString(t.shape) + ", expected rank " +
                            std::to_string(rank));
  }
  for (int64_t d : t.shape) {
    if (d < 1)
      return NodeError(n, std::string(what) + " '" + t.name + "' has an empty dimension " +
                              ir::ShapeToString(t.shape));
  }
  return Status::Ok();
}

Status CheckConvDtypes(const ir::Graph& g, const ir::Node& n, bool* quantized) {
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& w = g.tensor(n.inputs[1]);
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  const ir::DType bias = has_bias ? g.tensor(n.inputs[2]).dtype : ir::DType::kInt32;
  std::string got = std::string(ir::DTypeName(in.dtype)) + " input, " + ir::DTypeName(w.dtype) +
                    " filter";
  if (has_bias) got += std::string(", ") + ir::DTypeName(bias) + " bias";
  if (in.dtype == ir::DType::kInt8 && w.dtype == ir::DType::kInt8 && bias == ir::DType::kInt32) {
    *quantized = true;
    return Status::Ok();
  }
  // 16x8: int16 activations, int8 weights, int32 or int64 bias.
  if (in.dtype == ir::DType::kInt16 && w.dtype == ir::DType::kInt8 &&
      (bias == ir::DType::kInt32 || bias == ir::DType::kInt64)) {
    *quantized = true;
    return Status::Ok();
  }
  if (in.dtype == ir::DType::kFloat32 && w.dtype == ir::DType::kFloat32 &&
      (!has_bias || bias == ir::DType::kFloat32)) {
    *quantized = false;
    return Status::Ok();
  }
  if (in.dtype == ir::DType::kFloat32 && (w.dtype == ir::DType::kInt8 || w.dtype == ir::DType::kUInt8)) {
    // TFLite's dynamic-range ("hybrid") quantization: int8 weights, float
    // activations, the kernel quantizing its input on the fly.
    return NodeError(n, "has " + got + ": the model is dynamic-range (hybrid) quantized, float activations "
                        "with int8 weights, which ember does not run (its kernels are all-int8 or all-float32)",
                     "convert the model with full-integer quantization (TFLiteConverter with a "
                     "representative_dataset, or 'ember quantize' on the float ONNX model), or without "
                     "quantization to run it in float32");
  }
  return NodeError(n, "has " + got + "; supported are i8 with i8 filter and i32 bias, i16 with i8 filter and "
                      "i32 or i64 bias, or all f32",
                   "quantize the model to int8 (inputs, filter and bias) or keep it all in float32");
}

Status CheckConvQuant(const ir::Graph& g, const ir::Node& n, int64_t channels,
                      int32_t filter_axis) {
  EMBER_RETURN_IF_ERROR(CheckInt8PerTensor(g, n, n.inputs[0], "input"));
  EMBER_RETURN_IF_ERROR(CheckInt8PerTensor(g, n, n.outputs[0], "output"));
  Int8Semantics semantics = Int8Semantics::kTflite;
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &semantics));
  const ir::Tensor& w = g.tensor(n.inputs[1]);
  if (!w.quant || w.quant->scale.empty() || w.quant->zero_point.empty()) {
    return NodeError(n, "filter '" + w.name + "' has no quantization parameters",
                     "quantized operators need scale and zero point on every int tensor");
  }
  const size_t count = w.quant->scale.size();
  if (count != 1 && static_cast<int64_t>(count) != channels) {
    return NodeError(n, "filter '" + w.name + "' has " + std::to_string(count) +
                            " scales, expected 1 or " + std::to_string(channels) +
                            " (one per output channel)");
  }
  if (count > 1 && w.quant->axis != filter_axis) {
    return NodeError(n, "filter '" + w.name + "' is quantized along axis " +
                            std::to_string(w.quant->axis) + ", expected axis " +
                            std::to_string(filter_axis) + " (output channels)");
  }
  for (float s : w.quant->scale) {
    if (!ValidScale(s))
      return NodeError(n, "filter '" + w.name + "' has scale " + std::to_string(s) +
                              ", which is not a positive finite number");
  }
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor) {
    const ir::Tensor& b = g.tensor(n.inputs[2]);
    if (b.num_elements() != channels) {
      return NodeError(n, "bias '" + b.name + "' has shape " + ir::ShapeToString(b.shape) +
                              ", expected " + std::to_string(channels) + " elements");
    }
  }
  return Status::Ok();
}

Status PrepareConvRequant(const ir::Graph& g, const ir::Node& n, int64_t channels,
                          MultiplierFormula formula, ConvRequant* r) {
  const ir::QuantParams& qi = *g.tensor(n.inputs[0]).quant;
  const ir::QuantParams& qw = *g.tensor(n.inputs[1]).quant;
  const ir::QuantParams& qo = *g.tensor(n.outputs[0]).quant;
  r->input_zp = static_cast<int32_t>(qi.zero_point[0]);
  r->output_zp = static_cast<int32_t>(qo.zero_point[0]);
  r->filter_zp = static_cast<int32_t>(qw.zero_point[0]);
  const float s_in = qi.scale[0];
  const float s_out = qo.scale[0];
  r->mult.assign(static_cast<size_t>(channels), QuantizedMultiplier{});
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &r->semantics));
  if (r->semantics == Int8Semantics::kOnnxRuntime) {
    // ONNX Runtime (QLinearConv, QGemm with alpha 1): a float32 scale per
    // output channel, (s_in * s_w[c]) / s_out rounded at each step.
    r->scale.assign(static_cast<size_t>(channels), 0.0f);
    for (int64_t c = 0; c < channels; ++c) {
      const float s_w = qw.scale[qw.scale.size() == 1 ? 0 : static_cast<size_t>(c)];
      const float product = s_in * s_w;
      r->scale[static_cast<size_t>(c)] = product / s_out;
    }
  }
  for (int64_t c = 0; c < channels && r->semantics == Int8Semantics::kTflite; ++c) {
    const float s_w = qw.scale[qw.scale.size() == 1 ? 0 : static_cast<size_t>(c)];
    double real = 0.0;
    if (formula == MultiplierFormula::kFloatProduct) {
      real = static_cast<double>(s_in * s_w) / static_cast<double>(s_out);
    } else {
      real = static_cast<double>(s_in) * static_cast<double>(s_w) / static_cast<double>(s_out);
    }
    const QuantizedMultiplier q = QuantizeMultiplier(real);
    if (q.shift > 30) {
      return NodeError(n, "requantization multiplier " + std::to_string(real) + " of channel " +
                              std::to_string(c) + " is too large to represent (>= 2^30)",
                       "check the input, filter and output scales");
    }
    r->mult[static_cast<size_t>(c)] = q;
  }
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, &act));
  r->range = g.tensor(n.outputs[0]).dtype == ir::DType::kInt16 ? ActivationRangeInt16(act, s_out, r->output_zp)
                                                                : ActivationRangeInt8(act, s_out, r->output_zp);
  return Status::Ok();
}

Status PrepareConvRequantInt16(const ir::Graph& g, const ir::Node& n, int64_t channels,
                               MultiplierFormula formula, ConvRequant* r) {
  EMBER_RETURN_IF_ERROR(PrepareConvRequant(g, n, channels, formula, r));
  if (r->semantics != Int8Semantics::kTflite)
    return NodeError(n, "int8_semantics \"onnxruntime\" does not apply to int16 activations", "remove the attribute");
  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  r->acc64 = !has_bias || g.tensor(n.inputs[2]).dtype != ir::DType::kInt32;
  for (size_t c = 0; r->acc64 && c < r->mult.size(); ++c) {
    if (r->mult[c].shift > 7)
      return NodeError(n, "requantization multiplier of channel " + std::to_string(c) +
                              " is too large for the int64 accumulation (>= 2^7)",
                       "check the input, filter and output scales");
  }
  return Status::Ok();
}

Status CheckPoolQuant(const ir::Graph& g, const ir::Node& n, Activation act, Int32Range* range) {
  *range = {-128, 127};
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kInt16) return Status::Ok();
  EMBER_RETURN_IF_ERROR(CheckInt8PerTensor(g, n, n.inputs[0], "input"));
  EMBER_RETURN_IF_ERROR(CheckInt8PerTensor(g, n, n.outputs[0], "output"));
  const ir::QuantParams& qi = *in.quant;
  const ir::QuantParams& qo = *g.tensor(n.outputs[0]).quant;
  Int8Semantics semantics = Int8Semantics::kTflite;
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &semantics));
  const bool int16 = in.dtype == ir::DType::kInt16;
  if (semantics == Int8Semantics::kOnnxRuntime && (int16 || n.op != ir::OpKind::kAveragePool2D)) {
    return NodeError(n, "int8_semantics \"onnxruntime\" is not supported by this operator",
                     "remove the attribute (the operator does not requantize)");
  }
  if (semantics == Int8Semantics::kOnnxRuntime) {
    // ONNX Runtime's QLinearAveragePool requantizes: the quantizations may differ.
    *range = ActivationRangeInt8(act, qo.scale[0], static_cast<int32_t>(qo.zero_point[0]));
    return Status::Ok();
  }
  if (static_cast<double>(std::fabs(qi.scale[0] - qo.scale[0])) > 1e-6 || qi.zero_point[0] != qo.zero_point[0]) {
    return NodeError(n,
                     "input quantization (scale " + std::to_string(qi.scale[0]) + ", zero point " +
                         std::to_string(qi.zero_point[0]) + ") differs from the output's (scale " +
                         std::to_string(qo.scale[0]) + ", zero point " +
                         std::to_string(qo.zero_point[0]) + ")",
                     "int8 pooling does not requantize; give input and output the same "
                     "quantization");
  }
  *range = int16 ? ActivationRangeInt16(act, qo.scale[0], static_cast<int32_t>(qo.zero_point[0]))
                 : ActivationRangeInt8(act, qo.scale[0], static_cast<int32_t>(qo.zero_point[0]));
  return Status::Ok();
}

Status ParsePool(const ir::Graph& g, const ir::Node& n, Window* w, PoolGeom* s,
                 Int32Range* range) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  if (in.dtype != ir::DType::kInt8 && in.dtype != ir::DType::kInt16 && in.dtype != ir::DType::kFloat32) {
    return NodeError(n, std::string("has a ") + ir::DTypeName(in.dtype) +
                            " input; supported are i8, i16 and f32");
  }
  EMBER_RETURN_IF_ERROR(CheckRank(n, in, "input", 4));
  EMBER_RETURN_IF_ERROR(ParseWindow(n, /*with_dilation=*/false, /*with_filter=*/true, w));
  *s = {in.shape[0], in.shape[1], in.shape[2], in.shape[3], 0, 0};
  EMBER_RETURN_IF_ERROR(
      WindowOutputSize(n, *w, s->in_h, s->in_w, w->filter_h, w->filter_w, &s->out_h, &s->out_w));
  return CheckPoolQuant(g, n, w->act, range);
}

Status CheckConvTail(const ir::Graph& g, const ir::Node& n, const Window& w, int64_t out_c,
                     int64_t in_h, int64_t in_w, int64_t k_h, int64_t k_w, bool quantized,
                     int filter_axis, int64_t* out_h, int64_t* out_w) {
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor &&
      g.tensor(n.inputs[2]).num_elements() != out_c) {
    return NodeError(n, "bias has shape " + ir::ShapeToString(g.tensor(n.inputs[2]).shape) +
                            ", expected " + std::to_string(out_c) + " elements");
  }
  EMBER_RETURN_IF_ERROR(WindowOutputSize(n, w, in_h, in_w, k_h, k_w, out_h, out_w));
  if (quantized) EMBER_RETURN_IF_ERROR(CheckConvQuant(g, n, out_c, filter_axis));
  return Status::Ok();
}

}  // namespace ember::ops
