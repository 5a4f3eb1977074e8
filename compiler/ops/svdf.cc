// svdf: singular value decomposition filter, a rank-factored 1-D convolution
// over time that keeps its recent history in a variable (TFLite's SVDF).
//
// Operands: x [batch, input_size], weights_feature [filters, input_size],
// weights_time [filters, memory], optional bias [units], and the state
// [batch, filters * memory], which must be a variable (ir::Tensor::is_variable):
// for each batch b and filter f it holds the last `memory` feature values,
// oldest first. units = filters / rank; output [batch, units].
// Attributes: rank (required, > 0, divides filters), act (none, relu, relu6,
// relu_n1_to_1; applied to float32 only, see below).
//
// One step, as TFLite Micro's reference kernel (svdf_common.cc):
//   1. the whole state shifts down by one element (state[k] = state[k + 1]
//      for k < batch * filters * memory - 1);
//   2. state[b][f][memory - 1] = dot(weights_feature[f], x[b]);
//   3. s[b][f] = dot(weights_time[f], state[b][f]);
//   4. out[b][u] = act(bias[u] + s[b][u*rank] + ... + s[b][u*rank + rank - 1]).
// float32: each sum starts at 0 and adds in index order; out starts at the
// bias (or 0) and adds the rank terms in order; then the activation.
// int8 (x, weights_feature, out int8; weights_time and state both int16 or
// both int8; bias int32): with M1 = QuantizeMultiplier(double(float(s_x *
// s_wf / s_state))) and M2 = QuantizeMultiplier(double(float(s_state * s_wt
// / s_out))), products taken in float as TFLite does:
//   2. d = sum wf * (x - z_x); state = (T)(z_state + clamp(Mbqm(d, M1), Tmin, Tmax));
//   3. s = sum wt * (state - z_state)   (int32, wrapping);
//   4. out = clamp(z_out + Mbqm(bias + sum of the rank s, M2), -128, 127).
// The int8 kernel applies no activation: TFLite Micro's reference ignores the
// fused activation of an int8 SVDF, and so does ember (the attribute is kept).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"
#include "ops/svdf_util.h"

namespace ember::ops {
namespace {

struct SvdfGeom {
  int64_t batch = 0, input_size = 0, filters = 0, memory = 0, rank = 0, units = 0;
};

Status CheckShape(const ir::Graph& g, const ir::Node& n, size_t i, const ir::Shape& want, const char* what) {
  const ir::Tensor& t = g.tensor(n.inputs[i]);
  if (t.shape != want) {
    return NodeError(n, std::string(what) + " '" + t.name + "' has shape " + ir::ShapeToString(t.shape) +
                            " but " + ir::ShapeToString(want) + " is needed");
  }
  return Status::Ok();
}

Expected<SvdfGeom> Parse(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 5, 5, 1));
  if (n.inputs[4] == ir::kNoTensor) return NodeError(n, "the state operand (input 4) is missing");
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::Tensor& wf = g.tensor(n.inputs[1]);
  const ir::Tensor& wt = g.tensor(n.inputs[2]);
  const ir::Tensor& st = g.tensor(n.inputs[4]);
  if (x.shape.size() != 2 || wf.shape.size() != 2 || wt.shape.size() != 2) {
    return NodeError(n, "x, weights_feature and weights_time must have rank 2; they are " +
                            ir::ShapeToString(x.shape) + ", " + ir::ShapeToString(wf.shape) + " and " +
                            ir::ShapeToString(wt.shape));
  }
  SvdfGeom s;
  s.batch = x.shape[0];
  s.input_size = x.shape[1];
  s.filters = wf.shape[0];
  s.memory = wt.shape[1];
  s.rank = n.GetInt("rank", 0);
  if (!n.HasAttr("rank") || s.rank <= 0 || s.filters % s.rank != 0) {
    return NodeError(n, "rank " + std::to_string(s.rank) + " must be positive and divide the " +
                            std::to_string(s.filters) + " filters");
  }
  s.units = s.filters / s.rank;
  if (s.memory <= 0) return NodeError(n, "weights_time has no memory (shape " + ir::ShapeToString(wt.shape) + ")");
  EMBER_RETURN_IF_ERROR(CheckShape(g, n, 1, {s.filters, s.input_size}, "weights_feature"));
  EMBER_RETURN_IF_ERROR(CheckShape(g, n, 2, {s.filters, s.memory}, "weights_time"));
  if (n.inputs[3] != ir::kNoTensor) EMBER_RETURN_IF_ERROR(CheckShape(g, n, 3, {s.units}, "bias"));
  EMBER_RETURN_IF_ERROR(CheckShape(g, n, 4, {s.batch, s.filters * s.memory}, "state"));
  if (!st.is_variable) {
    return NodeError(n, "the state '" + st.name + "' is not a variable",
                     "SVDF keeps its history in a variable tensor (TFLite: is_variable)");
  }
  if (!wf.is_const() || !wt.is_const() || (n.inputs[3] != ir::kNoTensor && !g.tensor(n.inputs[3]).is_const())) {
    return NodeError(n, "weights_feature, weights_time and bias must be constants");
  }
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(n, &act));
  const ir::DType bias_type = n.inputs[3] != ir::kNoTensor ? g.tensor(n.inputs[3]).dtype : ir::DType::kInt32;
  if (x.dtype == ir::DType::kFloat32) {
    const bool ok = wf.dtype == ir::DType::kFloat32 && wt.dtype == ir::DType::kFloat32 &&
                    st.dtype == ir::DType::kFloat32 &&
                    (n.inputs[3] == ir::kNoTensor || bias_type == ir::DType::kFloat32);
    if (!ok) return NodeError(n, "a float32 SVDF needs float32 weights, bias and state");
  } else if (x.dtype == ir::DType::kInt8) {
    const bool time_ok = wt.dtype == ir::DType::kInt16 || wt.dtype == ir::DType::kInt8;
    if (wf.dtype != ir::DType::kInt8 || !time_ok || st.dtype != wt.dtype || bias_type != ir::DType::kInt32) {
      return NodeError(n, "an int8 SVDF needs int8 weights_feature, int32 bias, and weights_time and state "
                          "both int16 or both int8");
    }
  } else {
    return NodeError(n, std::string("x must be float32 or int8, not ") + ir::DTypeName(x.dtype));
  }
  return s;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const SvdfGeom s, Parse(g, n));
  return std::vector<TensorType>{{g.tensor(n.inputs[0]).dtype, {s.batch, s.units}}};
}

// Step 1: the state moves down by one element, as a whole.
template <typename T>
void ShiftState(T* state, int64_t count) {
  if (count > 1) std::memmove(state, state + 1, static_cast<size_t>(count - 1) * sizeof(T));
}

Status EvalFloat(const EvalArgs& a, const SvdfGeom& s) {
  const float* x = a.in<float>(0);
  const float* wf = a.in<float>(1);
  const float* wt = a.in<float>(2);
  const float* bias = a.has_input(3) ? a.in<float>(3) : nullptr;
  float* state = a.var<float>(4);
  float* out = a.out<float>(0);
  Activation act = Activation::kNone;
  EMBER_RETURN_IF_ERROR(GetActivationAttr(a.node, &act));
  const FloatRange range = ActivationRangeFloat(act);
  ShiftState(state, s.batch * s.filters * s.memory);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t f = 0; f < s.filters; ++f) {
      float d = 0.0f;
      for (int64_t i = 0; i < s.input_size; ++i) d += wf[f * s.input_size + i] * x[b * s.input_size + i];
      state[(b * s.filters + f) * s.memory + s.memory - 1] = d;
    }
  }
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t u = 0; u < s.units; ++u) {
      float o = bias != nullptr ? bias[u] : 0.0f;
      for (int64_t r = 0; r < s.rank; ++r) {
        const int64_t f = u * s.rank + r;
        float t = 0.0f;
        for (int64_t j = 0; j < s.memory; ++j) t += wt[f * s.memory + j] * state[(b * s.filters + f) * s.memory + j];
        o += t;
      }
      if (act != Activation::kNone) o = std::min(std::max(o, range.min), range.max);
      out[b * s.units + u] = o;
    }
  }
  return Status::Ok();
}

template <typename T>
Status EvalInt(const EvalArgs& a, const SvdfGeom& s) {
  EMBER_ASSIGN_OR_RETURN(const SvdfQuant q, PrepareSvdfQuant(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(0);
  const int8_t* wf = a.in<int8_t>(1);
  const T* wt = a.in<T>(2);
  const int32_t* bias = a.has_input(3) ? a.in<int32_t>(3) : nullptr;
  T* state = a.var<T>(4);
  int8_t* out = a.out<int8_t>(0);
  const int32_t tmin = std::numeric_limits<T>::min();
  const int32_t tmax = std::numeric_limits<T>::max();
  ShiftState(state, s.batch * s.filters * s.memory);
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t f = 0; f < s.filters; ++f) {
      int32_t d = 0;
      for (int64_t i = 0; i < s.input_size; ++i)
        d = WrapAdd(d, int32_t{wf[f * s.input_size + i]} * (int32_t{x[b * s.input_size + i]} - q.x_zp));
      const int32_t v = std::min(std::max(Mbqm(d, q.feature), tmin), tmax);
      // TFLite adds the zero point after the clamp and stores without a
      // second clamp: the value wraps to T.
      state[(b * s.filters + f) * s.memory + s.memory - 1] = static_cast<T>(WrapAdd(q.state_zp, v));
    }
  }
  for (int64_t b = 0; b < s.batch; ++b) {
    for (int64_t u = 0; u < s.units; ++u) {
      int32_t acc = bias != nullptr ? bias[u] : 0;
      for (int64_t r = 0; r < s.rank; ++r) {
        const int64_t f = u * s.rank + r;
        for (int64_t j = 0; j < s.memory; ++j) {
          const int32_t sv = int32_t{state[(b * s.filters + f) * s.memory + j]} - q.state_zp;
          // Wrapping product: int16 weights times an int16 difference may exceed int32.
          acc = WrapAdd(acc, static_cast<int32_t>(static_cast<uint32_t>(wt[f * s.memory + j]) *
                                                  static_cast<uint32_t>(sv)));
        }
      }
      const int32_t o = WrapAdd(Mbqm(acc, q.time), q.out_zp);
      out[b * s.units + u] = static_cast<int8_t>(std::min(std::max(o, -128), 127));
    }
  }
  return Status::Ok();
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const SvdfGeom s, Parse(a.graph, a.node));
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) return EvalFloat(a, s);
  if (a.in_tensor(2).dtype == ir::DType::kInt16) return EvalInt<int16_t>(a, s);
  return EvalInt<int8_t>(a, s);
}

int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  auto s = Parse(g, n);
  if (!s.ok()) return 0;
  return s->batch * s->filters * (s->input_size + s->memory);
}

}  // namespace

Expected<SvdfQuant> PrepareSvdfQuant(const ir::Graph& g, const ir::Node& n) {
  SvdfQuant q;
  float sx = 0, swf = 0, swt = 0, sst = 0, so = 0;
  int32_t zwf = 0, zwt = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[0], &sx, &q.x_zp));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[1], &swf, &zwf));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[2], &swt, &zwt));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[4], &sst, &q.state_zp));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &so, &q.out_zp));
  if (zwf != 0 || zwt != 0) {
    return NodeError(n, "the weights must be quantized symmetrically (zero point 0); they have " +
                            std::to_string(zwf) + " and " + std::to_string(zwt));
  }
  if (!(sx > 0 && swf > 0 && swt > 0 && sst > 0 && so > 0)) return NodeError(n, "a scale is not positive");
  if (n.inputs[3] != ir::kNoTensor && g.tensor(n.inputs[3]).quant) {
    float sb = 0;
    int32_t zb = 0;
    EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[3], &sb, &zb));
    if (std::abs(static_cast<double>(sb) - static_cast<double>(sst * swt)) >= 1e-5) {
      return NodeError(n, "the bias scale " + FormatReal(sb) + " is not s_state * s_weights_time = " +
                              FormatReal(static_cast<double>(sst * swt)));
    }
  }
  // The products and quotients are taken in float, as TFLite Micro's Prepare does.
  const float e1 = sx * swf / sst;
  const float e2 = sst * swt / so;
  q.feature = QuantizeMultiplier(static_cast<double>(e1));
  q.time = QuantizeMultiplier(static_cast<double>(e2));
  if (q.feature.shift > 30 || q.time.shift > 30 || q.feature.shift < -31 || q.time.shift < -31) {
    return NodeError(n, "the rescale factors " + FormatReal(e1) + " and " + FormatReal(e2) + " are out of range",
                     "requantize the model");
  }
  return q;
}

extern const OpDef kSvdfDef = {ir::OpKind::kSvdf, "i8 (i16 or i8 state), f32", Infer, Eval, Macs};

}  // namespace ember::ops
