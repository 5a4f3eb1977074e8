#include "ops/op_util.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <variant>

namespace ember::ops {

Diagnostic NodeError(const ir::Node& node, const std::string& message, const std::string& hint) {
  std::string where = "node";
  if (!node.name.empty()) where += " '" + node.name + "'";
  where += std::string(" (") + ir::OpIrName(node.op) + ")";
  return MakeDiag("E0301", ExitCode::kUnsupported, where + ": " + message, hint);
}

Status CheckArity(const ir::Graph& g, const ir::Node& n, size_t min_in, size_t max_in,
                  size_t num_out) {
  if (n.inputs.size() < min_in || n.inputs.size() > max_in) {
    std::string want = min_in == max_in ? std::to_string(min_in)
                                        : std::to_string(min_in) + " to " + std::to_string(max_in);
    return NodeError(n, "has " + std::to_string(n.inputs.size()) + " inputs, expected " + want);
  }
  if (n.outputs.size() != num_out) {
    return NodeError(n, "has " + std::to_string(n.outputs.size()) + " outputs, expected " +
                            std::to_string(num_out));
  }
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    const ir::TensorId id = n.inputs[i];
    if (id == ir::kNoTensor) {
      if (i < min_in) return NodeError(n, "input " + std::to_string(i) + " is required");
      continue;
    }
    if (id < 0 || static_cast<size_t>(id) >= g.tensors.size())
      return NodeError(n, "input " + std::to_string(i) + " refers to a missing tensor");
  }
  for (ir::TensorId id : n.outputs) {
    if (id < 0 || static_cast<size_t>(id) >= g.tensors.size())
      return NodeError(n, "an output refers to a missing tensor");
  }
  return Status::Ok();
}

Status GetPerTensorQuant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                         int32_t* zero_point) {
  const ir::Tensor& t = g.tensor(id);
  if (!t.quant || t.quant->scale.empty() || t.quant->zero_point.empty()) {
    return NodeError(n, "tensor '" + t.name + "' has no quantization parameters",
                     "quantized operators need scale and zero point on every int tensor");
  }
  if (t.quant->per_axis()) {
    return NodeError(n, "tensor '" + t.name + "' is quantized per axis, where per-tensor is required");
  }
  *scale = t.quant->scale[0];
  *zero_point = static_cast<int32_t>(t.quant->zero_point[0]);
  return Status::Ok();
}

Status GetActivationAttr(const ir::Node& n, Activation* act) {
  *act = Activation::kNone;
  auto it = n.attrs.find("act");
  if (it == n.attrs.end()) return Status::Ok();
  const auto* s = std::get_if<std::string>(&it->second);
  if (s != nullptr && *s == "clip") {
    double lo = 0.0, hi = 0.0;
    EMBER_RETURN_IF_ERROR(GetRealAttr(n, "act_min", true, 0.0, &lo));
    EMBER_RETURN_IF_ERROR(GetRealAttr(n, "act_max", true, 0.0, &hi));
    if (!(lo <= hi)) {
      return NodeError(n, "the fused clip's bounds act_min = " + FormatReal(lo) + " and act_max = " + FormatReal(hi) +
                              " are not an interval",
                       "give act_min <= act_max, or apply the clip as its own operator");
    }
    *act = Activation::Clip(lo, hi);
    return Status::Ok();
  }
  if (s == nullptr || !ParseActivation(*s, act)) {
    return NodeError(n, "attribute 'act' is not a known fused activation",
                     "use one of none, relu, relu6, relu_n1_to_1, clip (with act_min and act_max)");
  }
  return Status::Ok();
}

int32_t OnnxUint8Offset(const ir::Node& n) {
  const auto it = n.attrs.find("onnx_uint8");
  return it != n.attrs.end() && std::holds_alternative<int64_t>(it->second) && std::get<int64_t>(it->second) == 1 ? 128
                                                                                                               : 0;
}

Status GetInt8SemanticsAttr(const ir::Node& n, Int8Semantics* out) {
  *out = Int8Semantics::kTflite;
  auto it = n.attrs.find("int8_semantics");
  if (it == n.attrs.end()) return Status::Ok();
  const auto* s = std::get_if<std::string>(&it->second);
  if (s == nullptr || !ParseInt8Semantics(*s, out)) {
    return NodeError(n, "attribute 'int8_semantics' is not a known int8 arithmetic",
                     "use \"tflite\" (fixed-point requantization) or \"onnxruntime\" (float requantization)");
  }
  return Status::Ok();
}

Status GetRealAttr(const ir::Node& n, const std::string& key, bool required, double def,
                   double* out) {
  auto it = n.attrs.find(key);
  if (it == n.attrs.end()) {
    if (required) return NodeError(n, "attribute '" + key + "' (real) is required");
    *out = def;
    return Status::Ok();
  }
  if (const auto* d = std::get_if<double>(&it->second)) {
    *out = *d;
  } else if (const auto* i = std::get_if<int64_t>(&it->second)) {
    *out = static_cast<double>(*i);
  } else {
    return NodeError(n, "attribute '" + key + "' must be a real number");
  }
  if (!std::isfinite(*out)) return NodeError(n, "attribute '" + key + "' is not finite");
  return Status::Ok();
}

Expected<Reduction> GetReductionAttrs(const ir::Graph& g, const ir::Node& n) {
  const ir::Shape& in = g.tensor(n.inputs[0]).shape;
  if (n.HasAttr("axes") && !std::holds_alternative<std::vector<int64_t>>(n.attrs.at("axes")))
    return NodeError(n, "attribute 'axes' must be a list of integers");
  if (!n.HasAttr("axes")) return NodeError(n, "attribute 'axes' is missing");
  if (n.HasAttr("keep_dims") && !std::holds_alternative<int64_t>(n.attrs.at("keep_dims")))
    return NodeError(n, "attribute 'keep_dims' must be an integer (0 or 1)");
  const int64_t keep = n.GetInt("keep_dims", 0);
  if (keep != 0 && keep != 1)
    return NodeError(n, "attribute 'keep_dims' is " + std::to_string(keep) + ", expected 0 or 1");
  Reduction r;
  r.reduced.assign(in.size(), false);
  int64_t prev = -1;
  for (int64_t axis : n.GetInts("axes")) {
    if (axis < 0 || axis >= static_cast<int64_t>(in.size()) || axis <= prev) {
      return NodeError(n, "axis " + std::to_string(axis) + " is invalid for input shape " +
                              ir::ShapeToString(in),
                       "axes must be non-negative, ascending, unique and below the rank");
    }
    prev = axis;
    r.reduced[static_cast<size_t>(axis)] = true;
    r.count *= in[static_cast<size_t>(axis)];
  }
  for (size_t d = 0; d < in.size(); ++d) {
    if (!r.reduced[d]) r.out_shape.push_back(in[d]);
    else if (keep) r.out_shape.push_back(1);
  }
  if (r.count == 0 && ir::NumElements(r.out_shape) > 0)
    return NodeError(n, "reduces over an empty axis of shape " + ir::ShapeToString(in));
  return r;
}

Expected<ir::Shape> SameTypeBroadcastShape(const ir::Graph& g, const ir::Node& n) {
  const ir::Tensor& a = g.tensor(n.inputs[0]);
  const ir::Tensor& b = g.tensor(n.inputs[1]);
  if (a.dtype != b.dtype) {
    return NodeError(n, std::string("inputs have different types ") + ir::DTypeName(a.dtype) + " and " +
                            ir::DTypeName(b.dtype));
  }
  ir::Shape shape;
  if (!BroadcastShapes(a.shape, b.shape, &shape)) {
    return NodeError(n, "input shapes " + ir::ShapeToString(a.shape) + " and " + ir::ShapeToString(b.shape) +
                            " do not broadcast");
  }
  return shape;
}

Expected<ReductionRescale> GetReductionRescale(const ir::Graph& g, const ir::Node& n) {
  ReductionRescale p;
  float s_in = 0, s_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &p.z_in));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &p.z_out));
  const double real = static_cast<double>(s_in) / static_cast<double>(s_out);
  p.m = QuantizeMultiplier(real);
  if (!(s_in > 0.0f) || !(s_out > 0.0f) || !std::isfinite(real) || p.m.shift > 30) {
    return NodeError(n, "input and output scales " + FormatReal(s_in) + " and " + FormatReal(s_out) +
                            " give an unusable rescale factor",
                     "scales must be positive and of similar magnitude");
  }
  return p;
}

std::vector<int64_t> ReductionOutputIndexMap(const ir::Shape& in, const Reduction& r) {
  std::vector<int64_t> out_stride(in.size(), 0);
  int64_t stride = 1;
  for (size_t d = in.size(); d-- > 0;) {
    if (r.reduced[d]) continue;
    out_stride[d] = stride;
    stride *= in[d];
  }
  const int64_t total = ir::NumElements(in);
  std::vector<int64_t> map(static_cast<size_t>(total), 0);
  for (int64_t i = 0; i < total; ++i) {
    int64_t rest = i, o = 0;
    for (size_t d = in.size(); d-- > 0;) {
      o += (rest % in[d]) * out_stride[d];
      rest /= in[d];
    }
    map[static_cast<size_t>(i)] = o;
  }
  return map;
}

std::string FormatReal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

Status CheckSmallerThanOne(const ir::Node& n, const char* what, double real,
                           QuantizedMultiplier* q) {
  *q = QuantizeMultiplier(real);
  if (!(real > 0.0 && real < 1.0) || q->shift > 0) {
    return NodeError(n, std::string("the ") + what + " rescale factor is " + FormatReal(real) +
                            ", outside (0, 1)",
                     "the output scale is too small for the input scales; requantize the model");
  }
  return Status::Ok();
}

Status GetInt8Quant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                    int32_t* zero_point) {
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, id, scale, zero_point));
  if (!(*scale > 0.0f) || !std::isfinite(*scale) || *zero_point < -128 || *zero_point > 127) {
    return NodeError(n, "tensor '" + g.tensor(id).name + "' has scale " + FormatReal(*scale) +
                            " and zero point " + std::to_string(*zero_point) +
                            "; int8 needs a positive scale and a zero point in [-128, 127]");
  }
  return Status::Ok();
}

Expected<InOutInt8Quant> GetInOutInt8Quant(const ir::Graph& g, const ir::Node& n) {
  InOutInt8Quant q;
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.inputs[0], &q.s_in, &q.z_in));
  EMBER_RETURN_IF_ERROR(GetInt8Quant(g, n, n.outputs[0], &q.s_out, &q.z_out));
  return q;
}

Status GetInt8Or16Quant(const ir::Graph& g, const ir::Node& n, ir::TensorId id, float* scale,
                        int32_t* zero_point) {
  if (g.tensor(id).dtype != ir::DType::kInt16) return GetInt8Quant(g, n, id, scale, zero_point);
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, id, scale, zero_point));
  if (!(*scale > 0.0f) || !std::isfinite(*scale) || *zero_point != 0) {
    return NodeError(n, "tensor '" + g.tensor(id).name + "' has scale " + FormatReal(*scale) +
                            " and zero point " + std::to_string(*zero_point) +
                            "; int16 needs a positive scale and zero point 0 (16x8 quantization is symmetric)");
  }
  return Status::Ok();
}

Expected<SigmoidInput> PrepareSigmoidInput(const ir::Graph& g, const ir::Node& n) {
  SigmoidInput p;
  float s_in = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &s_in, &p.input_zero_point));
  const double real = static_cast<double>(s_in) *
                      static_cast<double>(int64_t{1} << (31 - kSigmoidInputIntegerBits));
  const double q = std::frexp(real, &p.left_shift);
  if (!(s_in > 0.0f) || !std::isfinite(s_in) || p.left_shift < 0 || p.left_shift > 31) {
    return NodeError(n, "input scale " + FormatReal(s_in) + " is outside the supported range",
                     "the int8 kernel needs an input scale between 2^-27 and 16");
  }
  // q has at most 24 significant bits, so q * 2^31 is an exact integer below 2^31.
  p.multiplier = static_cast<int32_t>(std::round(q * static_cast<double>(int64_t{1} << 31)));
  const double radius = 15.0 * static_cast<double>(int64_t{1} << (31 - kSigmoidInputIntegerBits)) /
                        static_cast<double>(int64_t{1} << p.left_shift);
  p.radius = static_cast<int32_t>(std::floor(radius));
  return p;
}

int64_t ConvOutputSize(int64_t in, int64_t filter, int64_t stride, int64_t dilation,
                       int64_t pad_before, int64_t pad_after) {
  if (stride <= 0 || dilation <= 0 || filter <= 0) return -1;
  const int64_t eff = (filter - 1) * dilation + 1;
  const int64_t span = in + pad_before + pad_after - eff;
  if (span < 0) return -1;
  return span / stride + 1;
}

bool BroadcastShapes(const ir::Shape& a, const ir::Shape& b, ir::Shape* out) {
  const size_t r = std::max(a.size(), b.size());
  ir::Shape s(r, 1);
  for (size_t i = 0; i < r; ++i) {
    const int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    s[i] = da == 1 ? db : da;
  }
  *out = std::move(s);
  return true;
}

int64_t BroadcastIndex(const ir::Shape& in, const ir::Shape& out, int64_t out_index) {
  // Walk the output coordinates from the last axis; accumulate the input offset.
  int64_t in_index = 0;
  int64_t in_stride = 1;
  const size_t offset = out.size() - in.size();
  for (size_t k = out.size(); k-- > 0;) {
    const int64_t coord = out_index % out[k];
    out_index /= out[k];
    if (k >= offset) {
      const int64_t d = in[k - offset];
      if (d != 1) in_index += coord * in_stride;
      in_stride *= d;
    }
  }
  return in_index;
}

}  // namespace ember::ops
