// logistic: 1 / (1 + exp(-x)) elementwise.
//
// int8 is TFLite Micro's gemmlowp fixed-point kernel, not a lookup table
// (docs/numerics.md, "logistic"): x - z_in is rescaled to Q4.27 with the
// multiplier frexp(s_in * 2^27), evaluated with FixedLogistic and rounded to
// the output's 1/256 steps. Inputs beyond the radius R = 15 * 2^27 / 2^shift
// saturate to -128 / 127 directly. The output zero point must be -128; the
// output scale is not checked (1/256 is assumed, as TFLite Micro does).
//
// int16 (16x8 quantization) is TFLite Micro's interpolated table kernel
// (docs/numerics.md, "int16 softmax, logistic and tanh"): zero points 0,
// output scale 2^-15; the input is rescaled to units of 1/(3 * 4096) and
// TFLite's 256-entry sigmoid table is interpolated linearly
// (ops/int16_activation.h).
//
// float32: 1 for x > 16.619047164916992188, expf(x) for x < -9, else
// 1 / (1 + expf(-x)).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "ops/int16_activation.h"
#include "ops/op.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {
namespace {

constexpr int kInputIntegerBits = kSigmoidInputIntegerBits;

using Int8Params = SigmoidInput;

Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(Int8Params p, PrepareSigmoidInput(g, n));
  float s_out = 0;
  int32_t z_out = 0;
  EMBER_RETURN_IF_ERROR(GetPerTensorQuant(g, n, n.outputs[0], &s_out, &z_out));
  if (z_out != -128) {
    return NodeError(n, "int8 output has zero point " + std::to_string(z_out) +
                            "; the reference kernel requires -128 (and scale 1/256)",
                     "re-quantize the model so that the logistic output has zero point -128");
  }
  return p;
}

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  if (g.tensor(n.inputs[0]).dtype == ir::DType::kInt16) {
    auto p = PrepareInt16SigmoidInput(g, n, /*is_tanh=*/false);
    if (!p.ok()) return p.diag();
    return std::vector<TensorType>{{ir::DType::kInt16, g.tensor(n.inputs[0]).shape}};
  }
  return InferUnaryI8F32(g, n, PrepareInt8);
}

int8_t LogisticInt8(const Int8Params& p, int8_t x) {
  const int32_t v = x - p.input_zero_point;
  if (v <= -p.radius) return -128;
  if (v >= p.radius) return 127;
  const int32_t in_q4 = Mbqm(v, p.multiplier, p.left_shift);
  const int32_t out_q0 = FixedLogistic(in_q4, kInputIntegerBits);
  const int32_t o = Rdbpot(out_q0, 31 - 8) - 128;  // Q0.31 -> steps of 1/256
  return static_cast<int8_t>(std::min(std::max(o, -128), 127));
}

}  // namespace

float LogisticFloat(float x) {
  constexpr float kUpper = 16.619047164916992188f;
  constexpr float kLower = -9.0f;
  if (x > kUpper) return 1.0f;
  if (x < kLower) return std::exp(x);
  return 1.0f / (1.0f + std::exp(-x));
}

namespace {

Status Eval(const EvalArgs& a) {
  const int64_t count = a.in_tensor(0).num_elements();
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    for (int64_t i = 0; i < count; ++i) a.out<float>(0)[i] = LogisticFloat(a.in<float>(0)[i]);
    return Status::Ok();
  }
  if (a.in_tensor(0).dtype == ir::DType::kInt16) {
    EMBER_ASSIGN_OR_RETURN(const Int16SigmoidInput p,
                           PrepareInt16SigmoidInput(a.graph, a.node, /*is_tanh=*/false));
    for (int64_t i = 0; i < count; ++i) a.out<int16_t>(0)[i] = LogisticInt16(p, a.in<int16_t>(0)[i]);
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const Int8Params p, PrepareInt8(a.graph, a.node));
  for (int64_t i = 0; i < count; ++i) a.out<int8_t>(0)[i] = LogisticInt8(p, a.in<int8_t>(0)[i]);
  return Status::Ok();
}

}  // namespace

extern const OpDef kLogisticDef = {ir::OpKind::kLogistic, "i8, i16, f32", Infer, Eval, nullptr};

}  // namespace ember::ops
