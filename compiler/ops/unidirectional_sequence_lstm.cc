// unidirectional_sequence_lstm: a Keras-style LSTM layer run over a
// sequence, keeping its hidden and cell state in two variables across steps
// and across inferences (TFLite's UNIDIRECTIONAL_SEQUENCE_LSTM as TFLite
// Micro runs it: lstm_eval.h; no peephole, projection, layer norm or CIFG).
//
// Operands (ops/lstm_util.h): x [batch, steps, input] (time_major: [steps,
// batch, input]); input weights W_g [units, input] and recurrent weights
// R_g [units, units] for the gates g = input, forget, cell, output; biases
// b_g [units]; the hidden state h [batch, units] and the cell state c
// [batch, units], both variables (ir::Tensor::is_variable). Output
// [batch, steps, units] (time_major: [steps, batch, units]): h after each step.
// Attributes: time_major (0/1, default 0), cell_clip (real >= 0, 0 = none).
//
// One step, for the rows it covers (time_major: all batches at once; else
// one batch at a time, all its steps, then the next batch):
//   gate_g = act_g(W_g x + b_g + R_g h), act = sigmoid, the cell gate tanh;
//   computed in the order forget, input, cell;
//   c = forget * c + input * cell_gate, then clipped to +-cell_clip if > 0;
//   output gate (with the old h), then h = tanh(c) * output; out = h.
// float32: each fully connected sum starts at 0 and adds in index order, then
// the bias (0 for the recurrent one), then a clamp to +-FLT_MAX; the two
// gate terms add unclamped; products clamp to +-FLT_MAX; sigmoid is
// logistic's float formula, tanh std::tanh.
// int8 (x, h, out int8; weights int8 per tensor; biases int32; c int16): the
// fully connected layers give int16 in Q3.12 (Mbqm of the int32 sum with
// s_in * s_w / 2^-12, clamped), their sum saturates to int16, sigmoid and
// tanh are TFLite's int16 table functions (ops/int16_activation.h), the products
// are Mbqm(a * b) with the multipliers of ops/lstm_util.h, the cell update
// saturates to int16, and h = clamp(z_h + Mbqm(tanh(c) * o), -128, 127).
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "ops/lstm_util.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"
#include "ops/recurrent_util.h"

namespace ember::ops {

namespace {

using namespace lstm;

const char* GateName(int g) {
  static const char* kNames[] = {"input", "forget", "cell", "output"};
  return kNames[g];
}

Status CheckShape(const ir::Graph& g, const ir::Node& n, size_t i, const ir::Shape& want, const std::string& what) {
  const ir::Tensor& t = g.tensor(n.inputs[i]);
  if (t.shape != want) {
    return NodeError(n, what + " '" + t.name + "' has shape " + ir::ShapeToString(t.shape) + " but " +
                            ir::ShapeToString(want) + " is needed");
  }
  return Status::Ok();
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const LstmGeom s, ParseLstm(g, n));
  if (g.tensor(n.inputs[kX]).dtype == ir::DType::kInt8) EMBER_RETURN_IF_ERROR(PrepareLstmQuant(g, n).status());
  const ir::Shape out = StepOutputShape(s.time_major, s.batch, s.steps, s.units);
  return std::vector<TensorType>{{g.tensor(n.inputs[kX]).dtype, out}};
}

float ClampFloat(float v) { return std::min(std::max(v, -FLT_MAX), FLT_MAX); }

Status EvalFloat(const EvalArgs& a, const LstmGeom& s) {
  const float* x = a.in<float>(kX);
  float* h = a.var<float>(kHidden);
  float* c = a.var<float>(kCell);
  float* out = a.out<float>(0);
  const float clip = static_cast<float>(a.node.GetReal("cell_clip", 0.0));
  const int64_t U = s.units, I = s.input_size;
  std::vector<float> gate[4], fc(static_cast<size_t>(s.batch * U));
  for (auto& v : gate) v.resize(static_cast<size_t>(s.batch * U));
  ForEachStep(s.time_major, s.batch, s.steps, s.input_size, s.units, [&](const StepRows& r) {
    const float* xr = x + r.x_at;
    float* hr = h + r.state_at;
    float* cr = c + r.state_at;
    auto compute_gate = [&](int gi) {
      const float* w = a.in<float>(kInputWeights + static_cast<size_t>(gi));
      const float* rw = a.in<float>(kRecurrentWeights + static_cast<size_t>(gi));
      const float* bias = a.in<float>(kBias + static_cast<size_t>(gi));
      std::vector<float>& o = gate[gi];
      for (int64_t b = 0; b < r.rows; ++b) {
        for (int64_t u = 0; u < U; ++u) {
          float t = 0.0f;
          for (int64_t i = 0; i < I; ++i) t += xr[b * I + i] * w[u * I + i];
          o[static_cast<size_t>(b * U + u)] = ClampFloat(t + bias[u]);
          float t2 = 0.0f;
          for (int64_t i = 0; i < U; ++i) t2 += hr[b * U + i] * rw[u * U + i];
          fc[static_cast<size_t>(b * U + u)] = ClampFloat(t2 + 0.0f);
        }
      }
      for (int64_t k = 0; k < r.rows * U; ++k) {
        const float v = o[static_cast<size_t>(k)] + fc[static_cast<size_t>(k)];
        o[static_cast<size_t>(k)] = gi == kCellGate ? std::tanh(v) : LogisticFloat(v);
      }
    };
    compute_gate(kForgetGate);
    compute_gate(kInputGate);
    compute_gate(kCellGate);
    for (int64_t k = 0; k < r.rows * U; ++k) {
      const size_t kk = static_cast<size_t>(k);
      cr[k] = ClampFloat(gate[kForgetGate][kk] * cr[k]);
      cr[k] = cr[k] + ClampFloat(gate[kInputGate][kk] * gate[kCellGate][kk]);
      // TFLite's std::max(std::min(clip, v), -clip): a NaN becomes clip.
      if (clip > 0) cr[k] = std::max(std::min(clip, cr[k]), -clip);
    }
    compute_gate(kOutputGate);
    for (int64_t k = 0; k < r.rows * U; ++k)
      hr[k] = ClampFloat(std::tanh(cr[k]) * gate[kOutputGate][static_cast<size_t>(k)]);
    std::memcpy(out + r.out_at, hr, static_cast<size_t>(r.rows * U) * sizeof(float));
  });
  return Status::Ok();
}

int32_t Clamp16(int32_t v) { return std::min(std::max(v, -32768), 32767); }

Status EvalInt8(const EvalArgs& a, const LstmGeom& s) {
  EMBER_ASSIGN_OR_RETURN(const LstmQuant q, PrepareLstmQuant(a.graph, a.node));
  const int8_t* x = a.in<int8_t>(kX);
  int8_t* h = a.var<int8_t>(kHidden);
  int16_t* c = a.var<int16_t>(kCell);
  int8_t* out = a.out<int8_t>(0);
  const bool clip = a.node.GetReal("cell_clip", 0.0) > 0;
  const int64_t U = s.units, I = s.input_size;
  std::vector<int16_t> gate[4];
  for (auto& v : gate) v.resize(static_cast<size_t>(s.batch * U));
  ForEachStep(s.time_major, s.batch, s.steps, s.input_size, s.units, [&](const StepRows& r) {
    const int8_t* xr = x + r.x_at;
    int8_t* hr = h + r.state_at;
    int16_t* cr = c + r.state_at;
    auto compute_gate = [&](int gi) {
      const int8_t* w = a.in<int8_t>(kInputWeights + static_cast<size_t>(gi));
      const int8_t* rw = a.in<int8_t>(kRecurrentWeights + static_cast<size_t>(gi));
      const int32_t* bias = a.in<int32_t>(kBias + static_cast<size_t>(gi));
      const LstmGateQuant& gq = q.gate[gi];
      for (int64_t b = 0; b < r.rows; ++b) {
        for (int64_t u = 0; u < U; ++u) {
          int32_t acc = 0;
          for (int64_t i = 0; i < I; ++i)
            acc = WrapAdd(acc, WrapMul(int32_t{w[u * I + i]} - gq.input_weight_zp, int32_t{xr[b * I + i]} - q.x_zp));
          acc = WrapAdd(acc, bias[u]);
          const int32_t v1 = Clamp16(Mbqm(acc, gq.input));
          int32_t acc2 = 0;
          for (int64_t i = 0; i < U; ++i)
            acc2 = WrapAdd(acc2,
                           WrapMul(int32_t{rw[u * U + i]} - gq.recurrent_weight_zp, int32_t{hr[b * U + i]} - q.hidden_zp));
          const int32_t v2 = Clamp16(Mbqm(acc2, gq.recurrent));
          const auto sum = static_cast<int16_t>(Clamp16(v1 + v2));
          // The cell gate's tanh takes Q3.12 (scale power -12: shift 0).
          gate[gi][static_cast<size_t>(b * U + u)] = gi == kCellGate ? TanhInt16(kLstmGateLutInput, sum)
                                                                   : LogisticInt16(kLstmGateLutInput, sum);
        }
      }
    };
    compute_gate(kForgetGate);
    compute_gate(kInputGate);
    compute_gate(kCellGate);
    for (int64_t k = 0; k < r.rows * U; ++k) {
      const size_t kk = static_cast<size_t>(k);
      const int32_t fc = Clamp16(Mbqm(int32_t{gate[kForgetGate][kk]} * int32_t{cr[k]}, q.forget_cell));
      const int32_t ic = Clamp16(Mbqm(int32_t{gate[kInputGate][kk]} * int32_t{gate[kCellGate][kk]}, q.input_cell));
      int32_t v = Clamp16(fc + ic);
      if (clip) v = std::max(std::min(int32_t{q.cell_clip}, v), -int32_t{q.cell_clip});
      cr[k] = static_cast<int16_t>(v);
    }
    compute_gate(kOutputGate);
    for (int64_t k = 0; k < r.rows * U; ++k) {
      const int32_t t = TanhInt16(q.cell_tanh, cr[k]);
      const int32_t v = q.hidden_zp + Mbqm(t * int32_t{gate[kOutputGate][static_cast<size_t>(k)]}, q.output_hidden);
      hr[k] = static_cast<int8_t>(std::min(std::max(v, -128), 127));
    }
    std::memcpy(out + r.out_at, hr, static_cast<size_t>(r.rows * U));
  });
  return Status::Ok();
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const LstmGeom s, ParseLstm(a.graph, a.node));
  if (a.in_tensor(kX).dtype == ir::DType::kFloat32) return EvalFloat(a, s);
  return EvalInt8(a, s);
}

int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  auto s = ParseLstm(g, n);
  if (!s.ok()) return 0;
  return s->batch * s->steps * 4 * s->units * (s->input_size + s->units);
}

}  // namespace

Expected<LstmGeom> ParseLstm(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, kOperands, kOperands, 1));
  const ir::Tensor& x = g.tensor(n.inputs[kX]);
  const ir::Tensor& h = g.tensor(n.inputs[kHidden]);
  const ir::Tensor& c = g.tensor(n.inputs[kCell]);
  if (x.shape.size() != 3) return NodeError(n, "x must have rank 3; it is " + ir::ShapeToString(x.shape));
  const int64_t tm = n.GetInt("time_major", 0);
  if (tm != 0 && tm != 1) return NodeError(n, "time_major must be 0 or 1, not " + std::to_string(tm));
  double clip = 0;
  EMBER_RETURN_IF_ERROR(GetRealAttr(n, "cell_clip", false, 0.0, &clip));
  if (clip < 0) return NodeError(n, "cell_clip " + FormatReal(clip) + " is negative");
  LstmGeom s;
  s.time_major = tm == 1;
  s.batch = s.time_major ? x.shape[1] : x.shape[0];
  s.steps = s.time_major ? x.shape[0] : x.shape[1];
  s.input_size = x.shape[2];
  if (h.shape.size() != 2) {
    return NodeError(n, "the hidden state '" + h.name + "' must have rank 2 ([batch, units]); it is " +
                            ir::ShapeToString(h.shape));
  }
  s.units = h.shape[1];
  EMBER_RETURN_IF_ERROR(CheckShape(g, n, kHidden, {s.batch, s.units}, "the hidden state"));
  if (c.num_elements() != s.batch * s.units) {
    return NodeError(n, "the cell state '" + c.name + "' has shape " + ir::ShapeToString(c.shape) + ", not " +
                            std::to_string(s.batch * s.units) + " elements (batch x units)");
  }
  if (!h.is_variable || !c.is_variable) {
    return NodeError(n, "the " + std::string(h.is_variable ? "cell" : "hidden") + " state '" +
                            (h.is_variable ? c.name : h.name) + "' is not a variable",
                     "an LSTM keeps its state in variable tensors (TFLite: is_variable)");
  }
  for (int gi = 0; gi < 4; ++gi) {
    const std::string gate = GateName(gi);
    EMBER_RETURN_IF_ERROR(CheckShape(g, n, kInputWeights + static_cast<size_t>(gi), {s.units, s.input_size},
                                     "the " + gate + " gate's input weights"));
    EMBER_RETURN_IF_ERROR(CheckShape(g, n, kRecurrentWeights + static_cast<size_t>(gi), {s.units, s.units},
                                     "the " + gate + " gate's recurrent weights"));
    EMBER_RETURN_IF_ERROR(CheckShape(g, n, kBias + static_cast<size_t>(gi), {s.units}, "the " + gate + " gate's bias"));
    for (size_t i : {kInputWeights + static_cast<size_t>(gi), kRecurrentWeights + static_cast<size_t>(gi),
                     kBias + static_cast<size_t>(gi)}) {
      if (!g.tensor(n.inputs[i]).is_const())
        return NodeError(n, "the " + gate + " gate's weights and bias must be constants ('" +
                                g.tensor(n.inputs[i]).name + "' is not)");
    }
  }
  auto all = [&](size_t from, size_t count, ir::DType t) {
    for (size_t i = from; i < from + count; ++i)
      if (g.tensor(n.inputs[i]).dtype != t) return false;
    return true;
  };
  if (x.dtype == ir::DType::kFloat32) {
    if (!all(1, 12, ir::DType::kFloat32) || h.dtype != x.dtype || c.dtype != x.dtype) {
      return NodeError(n, "a float32 LSTM needs float32 weights, biases and states",
                       "TFLite Micro has no hybrid (float input, int8 weights) LSTM");
    }
  } else if (x.dtype == ir::DType::kInt8) {
    if (!all(1, 8, ir::DType::kInt8) || !all(9, 4, ir::DType::kInt32) || h.dtype != ir::DType::kInt8 ||
        c.dtype != ir::DType::kInt16) {
      return NodeError(n, "an int8 LSTM needs int8 weights, int32 biases, an int8 hidden state and an int16 "
                          "cell state (TFLite's 8x8->16 LSTM)");
    }
  } else {
    return NodeError(n, std::string("x must be float32 or int8, not ") + ir::DTypeName(x.dtype),
                     x.dtype == ir::DType::kInt16 ? "16-bit activations (16x8 LSTM) are not supported yet" : "");
  }
  return s;
}

Expected<LstmQuant> PrepareLstmQuant(const ir::Graph& g, const ir::Node& n) {
  LstmQuant q;
  float sx = 0, sh = 0, sc = 0;
  int32_t zc = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[kX], &sx, &q.x_zp));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[kHidden], &sh, &q.hidden_zp));
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[kCell], &sc, &zc));
  if (!(sx > 0 && sh > 0 && sc > 0) || !std::isfinite(sx) || !std::isfinite(sh) || !std::isfinite(sc))
    return NodeError(n, "the scales of x and the states must be positive");
  // TFLite Micro's Prepare: each fully connected layer's output is Q3.12
  // (scale 2^-12, zero point 0), its multiplier double(float(s_in * s_w)) /
  // double(2^-12); the products' multipliers are double(a) * double(b) /
  // double(s_out) of float scales.
  const float kGateIn = 0.000244140625f;       // 2^-12
  const double kGateOut = 0.000030517578125;   // 2^-15
  auto multiplier = [&](double real, const std::string& what) -> Expected<QuantizedMultiplier> {
    const QuantizedMultiplier m = QuantizeMultiplier(real);
    if (!(real > 0) || m.shift > 30 || m.shift < -31) {
      return NodeError(n, "the rescale factor " + FormatReal(real) + " of " + what + " is out of range",
                       "requantize the model");
    }
    return m;
  };
  for (int gi = 0; gi < 4; ++gi) {
    float sw = 0, sr = 0;
    LstmGateQuant& gq = q.gate[gi];
    EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[kInputWeights + static_cast<size_t>(gi)], &sw,
                                            &gq.input_weight_zp));
    EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.inputs[kRecurrentWeights + static_cast<size_t>(gi)], &sr,
                                            &gq.recurrent_weight_zp));
    const std::string gate = std::string("the ") + GateName(gi) + " gate's ";
    EMBER_ASSIGN_OR_RETURN(gq.input, multiplier(static_cast<double>(sx * sw) / static_cast<double>(kGateIn),
                                                gate + "input layer"));
    EMBER_ASSIGN_OR_RETURN(gq.recurrent, multiplier(static_cast<double>(sh * sr) / static_cast<double>(kGateIn),
                                                    gate + "recurrent layer"));
  }
  EMBER_ASSIGN_OR_RETURN(q.forget_cell, multiplier(kGateOut * static_cast<double>(sc) / static_cast<double>(sc),
                                                   "forget gate x cell state"));
  EMBER_ASSIGN_OR_RETURN(q.input_cell, multiplier(kGateOut * kGateOut / static_cast<double>(sc),
                                                  "input gate x cell gate"));
  EMBER_ASSIGN_OR_RETURN(q.output_hidden, multiplier(kGateOut * kGateOut / static_cast<double>(sh),
                                                     "tanh(cell) x output gate"));
  // CheckedLog2 in float; TFLite ignores whether s_c is a power of two.
  const float log2_sc = std::log(sc) * (1.0f / std::log(2.0f));
  q.cell_scale_power = static_cast<int32_t>(std::round(log2_sc));
  // TFLite's Tanh(power): shift 15 + p - 3; a negative one becomes multiplier
  // 3 with a right shift, else multiplier 0 (3 << shift, no shift).
  int32_t shift = 15 + q.cell_scale_power - 3;
  if (shift < 0) {
    q.cell_tanh = {3, -shift, 1 << (-shift - 1)};
  } else if (shift <= 14) {
    q.cell_tanh = {3 << shift, 0, 0};
  }
  // The rescaled input x * 3 << shift (or (x * 3 + round) >> shift) must fit int32.
  if (shift > 14) {
    return NodeError(n, "the cell state's scale " + FormatReal(sc) + " (2^" + std::to_string(q.cell_scale_power) +
                            ") is outside the range TFLite's integer tanh takes");
  }
  const double clip = n.GetReal("cell_clip", 0.0);
  q.cell_clip = static_cast<int16_t>(std::min(std::max(static_cast<double>(static_cast<float>(clip)) /
                                                           static_cast<double>(sc), -32768.0), 32767.0));
  (void)zc;  // TFLite Micro ignores the cell state's zero point (symmetric by the converter)
  return q;
}

extern const OpDef kUnidirectionalSequenceLstmDef = {ir::OpKind::kUnidirectionalSequenceLstm,
                                                     "i8 (i16 cell state), f32", Infer, Eval, Macs};

}  // namespace ember::ops
