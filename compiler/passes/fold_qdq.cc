// fold-qdq: the QDQ form of a quantized model (ONNX Runtime's static
// quantizer: dequantize -> float operator -> quantize) becomes ember's int8
// operators with TFLite's int8 semantics (docs/numerics.md):
//
//   %xf = dequantize(%xq) ; %wf = dequantize(@wq) ; %bf = dequantize(@bq)
//   %yf = conv2d(%xf, %wf, %bf) {act="relu"} ; %yq = quantize(%yf)
//   -> %yq = conv2d(%xq, @wq, @bq) {act="relu"}
//
// A float node folds when its only reader is a quantize to per-tensor int8,
// every activation operand is a dequantize of per-tensor int8, and, for
// conv2d / depthwise_conv2d / fully_connected, the weights are a dequantize of
// an int8 constant (per tensor, or per output channel with zero points 0) and
// the bias a dequantize of an int32 constant (or a float constant): a bias
// whose scale is not s_input * s_weight[o] is requantized to that scale
// (round half away from zero). Operators folded: conv2d, depthwise_conv2d,
// fully_connected, add, mul, average_pool2d, mean, resize_linear (with ONNX
// Runtime's arithmetic: it dequantizes, interpolates and quantizes as ONNX
// Runtime's unfused QDQ graph does); the operators that move or
// select values (max_pool2d, reshape, transpose, pad with its fill
// quantized, mirror_pad, strided_slice, squeeze, gather's data operand,
// depth_to_space, space_to_depth, resize_nearest_neighbor, maximum, minimum,
// reduce_max, reduce_min, and split when every output is read by one quantize) only when
// input and output quantization are equal (exact, as TFLite requires);
// softmax, log_softmax, logistic, tanh, concatenation, sub, leaky_relu, hard_swish, relu,
// relu6, clip, hard_sigmoid, resize_bilinear, batch_matmul, prelu and transpose_conv with
// TFLite's arithmetic only (relu6 and resize_bilinear with equal
// quantization). arg_max / arg_min read the int8 tensor under their
// dequantize (no quantize follows them). A one-input copy between a
// dequantize and float readers (a transpose the layout pass moved out of its
// QDQ pair) runs on the int8 tensor, the dequantize after it; so does a
// concatenation of dequantizes of one quantization, and a quantize after a
// one-input copy or a concatenation of float operators' results moves
// before it (a 3-D convolution's stacked taps and reshapes, a grouped
// transposed convolution's groups, docs/frontend-onnx.md). The int8
// operator's own checks (its Infer) must accept the result, else the node
// stays float. Dequantize nodes left without readers are removed; the
// quantize of the graph input and the dequantize of the graph output stay
// (the model's interface is float); a dequantize of a
// constant read by an operator that stays float becomes a float constant
// (computed at compile time, as if the model had stored it). What stays float
// between a dequantize and a quantize is computed in float (e.g. an average
// pool whose input and output quantization differ); a quantize of a
// dequantize reads the int8 tensor directly (an int8 -> int8 quantize when
// the two quantizations differ).
//
// Numerics: a folded conv2d, depthwise_conv2d, fully_connected, add, mul,
// average_pool2d, mean or batch_matmul takes the int8_semantics attribute of
// the quantize it absorbs. The ONNX frontend marks quantize nodes
// "onnxruntime" (unless the model says it was written by ember quantize), so
// ONNX models requantize in float32 exactly as ONNX Runtime's fused integer
// kernels (QLinearConv, QGemm, QLinearMatMul, QLinearAdd, QLinearMul,
// QLinearAveragePool, QLinearGlobalAveragePool); then the average pool may
// requantize (input and output quantization may differ).
// Without the attribute the int8 graph requantizes in fixed point as TFLite
// does. PassOptions::int8_semantics overrides the frontend's choice
// (docs/frontend-onnx.md).
//
// A pointwise operator (relu, sigmoid, tanh, leaky_relu, hard_swish, elu,
// exp, ..., and pow with a one-element constant exponent) between a
// dequantize and a quantize that no int8 kernel takes
// (TFLite's fixed-point kernels under "onnxruntime", or an operator whose
// int8 kernel does not requantize) becomes a lookup_table: its 256 entries
// are the literal quantize(op(dequantize(x))) of every int8 x, computed with
// the reference evaluators, so it is exact in either arithmetic. A
// concatenation left float the same way reads its inputs through tables of
// quantize(dequantize(x)) where their quantization differs from the
// output's, and copies (exact too).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <optional>
#include <variant>

#include "ops/evaluate.h"
#include "ops/op.h"
#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

// Operators that only move (or select among) their input's values: exact in
// any int8 semantics when the input and output quantization are equal (as
// TFLite requires of them), since quantize(dequantize(q)) is q for the same
// quantization. maximum / minimum select one of two values (TFLite requires
// one quantization for both inputs and the output; its Infer checks that);
// reduce_max and reduce_min select the largest or smallest (dequantization
// is strictly increasing).
bool MovesData(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kMaxPool2D: case ir::OpKind::kReshape: case ir::OpKind::kTranspose:
    case ir::OpKind::kPad: case ir::OpKind::kMirrorPad: case ir::OpKind::kStridedSlice:
    case ir::OpKind::kSqueeze: case ir::OpKind::kGather: case ir::OpKind::kGatherNd: case ir::OpKind::kGatherElements:
    case ir::OpKind::kDepthToSpace:
    case ir::OpKind::kSpaceToDepth: case ir::OpKind::kResizeNearestNeighbor:
    case ir::OpKind::kMaximum: case ir::OpKind::kMinimum: case ir::OpKind::kReduceMax: case ir::OpKind::kReduceMin:
    case ir::OpKind::kBroadcastTo:
      return true;
    default:
      return false;
  }
}

// Folded only with TFLite's int8 arithmetic (models written by ember
// quantize, --int8-semantics tflite): ONNX Runtime computes these in float
// (QLinearSoftmax, QLinearSigmoid, ... through float tables), which ember's
// fixed-point int8 kernels do not reproduce, so for "onnxruntime" they stay
// float between their dequantize and quantize.
// The same holds for the requantizing operators whose int8 kernels have no
// int8_semantics attribute (sub, leaky_relu, hard_swish, relu, relu6, clip,
// hard_sigmoid, resize_bilinear, prelu, transpose_conv): TFLite's fixed
// point only.
bool TfliteOnly(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kSoftmax: case ir::OpKind::kLogSoftmax: case ir::OpKind::kLogistic: case ir::OpKind::kTanh:
    case ir::OpKind::kConcatenation: case ir::OpKind::kSub: case ir::OpKind::kLeakyRelu:
    case ir::OpKind::kHardSwish: case ir::OpKind::kRelu: case ir::OpKind::kRelu6:
    case ir::OpKind::kClip: case ir::OpKind::kHardSigmoid: case ir::OpKind::kResizeBilinear:
    case ir::OpKind::kPrelu: case ir::OpKind::kTransposeConv:
      return true;
    default:
      return false;
  }
}

// Every operator dequantize -> op -> quantize may fold into.
bool Foldable(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kConv2D: case ir::OpKind::kDepthwiseConv2D: case ir::OpKind::kFullyConnected:
    case ir::OpKind::kAdd: case ir::OpKind::kMul: case ir::OpKind::kAveragePool2D: case ir::OpKind::kMean:
    case ir::OpKind::kBatchMatmul: case ir::OpKind::kResizeLinear:
      return true;
    default:
      return MovesData(op) || TfliteOnly(op);
  }
}

// The folded operators that follow int8_semantics "onnxruntime" when the
// quantize they absorb carries it (the others do not requantize).
bool Requantizes(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kConv2D: case ir::OpKind::kDepthwiseConv2D: case ir::OpKind::kFullyConnected:
    case ir::OpKind::kAdd: case ir::OpKind::kMul: case ir::OpKind::kAveragePool2D: case ir::OpKind::kMean:
    case ir::OpKind::kBatchMatmul:
      return true;
    default:
      return false;
  }
}

// The requantizing operators whose ONNX Runtime kernels add the zero points
// in float32 (QLinearAdd, QLinearAveragePool), so that the result depends on
// whether the ONNX tensors are uint8 or int8 (ops::OnnxUint8Offset). The
// others round first and add the zero point as an integer.
bool AddsZeroPointsInFloat(ir::OpKind op) { return op == ir::OpKind::kAdd || op == ir::OpKind::kAveragePool2D; }

// A quantize or dequantize of a uint8 ONNX tensor held as int8 (the ONNX
// importer marks them).
bool OnnxUint8(const ir::Node& n) {
  const auto it = n.attrs.find("onnx_uint8");
  return it != n.attrs.end() && std::holds_alternative<int64_t>(it->second) && std::get<int64_t>(it->second) == 1;
}

// Operators whose every output element is a function of the same input
// element alone (attributes fixed): dequantize -> op -> quantize is then a
// function of one int8 value, a 256-entry lookup_table.
bool Pointwise(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kRelu: case ir::OpKind::kRelu6: case ir::OpKind::kClip: case ir::OpKind::kLeakyRelu:
    case ir::OpKind::kHardSwish: case ir::OpKind::kHardSigmoid: case ir::OpKind::kLogistic:
    case ir::OpKind::kTanh: case ir::OpKind::kElu: case ir::OpKind::kAbs: case ir::OpKind::kNeg:
    case ir::OpKind::kSqrt: case ir::OpKind::kRsqrt: case ir::OpKind::kExp: case ir::OpKind::kLog:
    case ir::OpKind::kErf: case ir::OpKind::kFloor: case ir::OpKind::kCeil: case ir::OpKind::kRound:
    case ir::OpKind::kSin: case ir::OpKind::kCos: case ir::OpKind::kSign: case ir::OpKind::kSquare:
    case ir::OpKind::kAtan:
      return true;
    default:
      return false;
  }
}

// Binary operators that, given one operand as a single value, are a
// function of the other's value alone.
bool ScalarBinary(ir::OpKind op) {
  switch (op) {
    case ir::OpKind::kAdd: case ir::OpKind::kSub: case ir::OpKind::kMul: case ir::OpKind::kDiv:
    case ir::OpKind::kPow: case ir::OpKind::kMaximum: case ir::OpKind::kMinimum:
    case ir::OpKind::kSquaredDifference: case ir::OpKind::kPrelu:
      return true;
    default:
      return false;
  }
}

// lookup_table(x, table) -> out, named after the node it replaces.
ir::Node LookupTableNode(const std::string& name, const std::string& function, ir::TensorId x, ir::TensorId table,
                         ir::TensorId out) {
  ir::Node lut;
  lut.op = ir::OpKind::kLookupTable;
  lut.name = name;
  lut.attrs["function"] = function;
  lut.inputs = {x, table};
  lut.outputs = {out};
  return lut;
}

bool HasWeights(ir::OpKind op) {
  return op == ir::OpKind::kConv2D || op == ir::OpKind::kDepthwiseConv2D || op == ir::OpKind::kFullyConnected ||
         op == ir::OpKind::kTransposeConv;
}

bool PerTensorInt8(const ir::Tensor& t) {
  return t.dtype == ir::DType::kInt8 && t.quant && t.quant->scale.size() == 1 && t.quant->zero_point.size() == 1;
}

class QdqFolder {
 public:
  explicit QdqFolder(ir::Graph& g) : g_(g) {}

  bool Step() {
    uses_ = ComputeUses(g_);
    prod_ = ComputeProducers(g_);
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      if (TryFold(i)) return true;
    return false;
  }

  bool OneElementConst(ir::TensorId id) const {
    return id >= 0 && g_.tensor(id).is_const() && g_.tensor(id).num_elements() == 1;
  }

  // quantize(dequantize(x)) with x per-tensor int8 and an int8 result: the
  // same quantization reads x directly, another one becomes an int8 -> int8
  // quantize (TFLite's requantization).
  bool Requantize() {
    uses_ = ComputeUses(g_);
    prod_ = ComputeProducers(g_);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      ir::Node& q = g_.nodes[i];
      if (q.op != ir::OpKind::kQuantize || q.inputs.size() != 1 || q.outputs.size() != 1) continue;
      const auto x = DequantizedFrom(q.inputs[0]);
      const ir::TensorId y = q.outputs[0];
      if (!x || !PerTensorInt8(g_.tensor(*x)) || !PerTensorInt8(g_.tensor(y))) continue;
      if (g_.tensor(*x).quant == g_.tensor(y).quant && !IsGraphOutput(g_, y)) {
        ReplaceUses(g_, y, *x);
        g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        return true;
      }
      ir::Node candidate = q;
      candidate.inputs[0] = *x;
      if (!ops::GetOpDef(candidate.op).infer(g_, candidate).ok()) continue;
      q = std::move(candidate);
      return true;
    }
    return false;
  }

  // A dequantize of a constant whose readers stayed float (quantized weights
  // of an operator that did not fold) becomes its float constant, computed
  // once here instead of at every inference.
  void FoldConstantDequantize() {
    for (size_t i = 0; i < g_.nodes.size();) {
      const ir::Node n = g_.nodes[i];
      const bool constant = n.op == ir::OpKind::kDequantize && n.inputs.size() == 1 && n.outputs.size() == 1 &&
                            n.inputs[0] >= 0 && g_.tensor(n.inputs[0]).is_const() && !IsGraphOutput(g_, n.outputs[0]);
      if (!constant || !FoldNode(g_, n).ok()) {
        ++i;
        continue;
      }
      g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }

  // Removes dequantize nodes whose result nothing reads.
  void DropDeadDequantize() {
    for (bool changed = true; changed;) {
      changed = false;
      uses_ = ComputeUses(g_);
      for (size_t i = 0; i < g_.nodes.size(); ++i) {
        const ir::Node& n = g_.nodes[i];
        if (n.op != ir::OpKind::kDequantize || n.outputs.size() != 1) continue;
        const ir::TensorId t = n.outputs[0];
        if (!uses_[static_cast<size_t>(t)].empty() || IsGraphOutput(g_, t)) continue;
        g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
        break;
      }
    }
  }

 private:
  // The input of the dequantize that produces `t`, or nullopt.
  std::optional<ir::TensorId> DequantizedFrom(ir::TensorId t) const {
    if (t < 0) return std::nullopt;
    const int p = prod_[static_cast<size_t>(t)];
    if (p < 0) return std::nullopt;
    const ir::Node& d = g_.nodes[static_cast<size_t>(p)];
    if (d.op != ir::OpKind::kDequantize || d.inputs.size() != 1) return std::nullopt;
    return d.inputs[0];
  }

  // Float weights that are exactly s[o] * q with int8 q and one scale per
  // output channel (symmetric, as quantizers make them: some |q| is 127) come
  // back as that int8 constant; a frontend that dequantized constant weights
  // at import (to convert their layout) leaves such weights.
  std::optional<ir::TensorId> RecoverInt8(const ir::Node& n, ir::TensorId wid, int64_t channels) {
    const ir::Tensor& w = g_.tensor(wid);
    if (!w.is_const() || w.dtype != ir::DType::kFloat32 || w.shape.empty() || channels <= 0) return std::nullopt;
    const bool last = n.op == ir::OpKind::kDepthwiseConv2D;
    if ((last ? w.shape.back() : w.shape[0]) != channels) return std::nullopt;
    const std::vector<float> f = GetFloats(w);
    const size_t c = static_cast<size_t>(channels), per = f.size() / c;
    auto channel_of = [&](size_t j) { return last ? j % c : j / per; };
    std::vector<float> peak(c, 0.0f);
    for (size_t j = 0; j < f.size(); ++j) peak[channel_of(j)] = std::max(peak[channel_of(j)], std::fabs(f[j]));
    std::vector<float> scale(c);
    std::vector<int8_t> q(f.size());
    for (size_t o = 0; o < c; ++o) {
      const float base = peak[o] > 0 ? peak[o] / 127.0f : 1.0f;
      bool found = false;
      for (float cand : {base, std::nextafter(base, 0.0f), std::nextafter(base, 1.0f)}) {
        bool exact = true;
        for (size_t j = 0; j < f.size() && exact; ++j) {
          if (channel_of(j) != o) continue;
          const float r = std::round(f[j] / cand);
          exact = std::fabs(r) <= 127.0f && r * cand == f[j];
          if (exact) q[j] = static_cast<int8_t>(r);
        }
        if (exact) {
          scale[o] = cand;
          found = true;
          break;
        }
      }
      if (!found) return std::nullopt;
    }
    ir::Tensor t;
    t.name = UniqueName(g_, w.name + "/int8");
    t.dtype = ir::DType::kInt8;
    t.shape = w.shape;
    t.quant = ir::QuantParams{scale, std::vector<int64_t>(c, 0), last ? 3 : 0};
    if (c == 1) t.quant->axis = 0;
    t.data = std::vector<uint8_t>(q.size());
    std::memcpy(t.data->data(), q.data(), q.size());
    return g_.AddTensor(std::move(t));
  }

  std::optional<ir::TensorId> Weights(const ir::Node& n, int64_t channels) {
    const auto w = DequantizedFrom(n.inputs[1]);
    if (!w) return RecoverInt8(n, n.inputs[1], channels);
    const ir::Tensor& t = g_.tensor(*w);
    if (!t.is_const() || t.dtype != ir::DType::kInt8 || !t.quant) return std::nullopt;
    for (int64_t z : t.quant->zero_point)
      if (z != 0) return std::nullopt;
    if (t.quant->per_axis()) {
      const int32_t axis = n.op == ir::OpKind::kDepthwiseConv2D ? 3 : 0;
      if (t.quant->axis != axis || static_cast<int64_t>(t.quant->scale.size()) != channels) return std::nullopt;
    }
    return *w;
  }

  // The int32 bias with scale s_in * s_w[o] for node n, or nullopt.
  std::optional<ir::TensorId> Bias(const ir::Node& n, float s_in, const ir::QuantParams& wq, int64_t channels) {
    const ir::TensorId b = n.inputs[2];
    std::vector<double> real(static_cast<size_t>(channels));
    ir::TensorId source = b;
    if (const auto q = DequantizedFrom(b)) {
      const ir::Tensor& t = g_.tensor(*q);
      if (!t.is_const() || t.dtype != ir::DType::kInt32 || !t.quant || t.num_elements() != channels)
        return std::nullopt;
      std::vector<int32_t> v(static_cast<size_t>(channels));
      std::memcpy(v.data(), t.data->data(), v.size() * 4);
      bool same = t.quant->zero_point.size() == t.quant->scale.size();
      for (size_t o = 0; o < v.size(); ++o) {
        const size_t k = t.quant->scale.size() == 1 ? 0 : o;
        const double expect = static_cast<double>(s_in) * wq.scale[wq.scale.size() == 1 ? 0 : o];
        const double scale = t.quant->scale[k];
        real[o] = scale * (static_cast<double>(v[o]) - static_cast<double>(t.quant->zero_point[k]));
        same = same && t.quant->zero_point[k] == 0 && std::fabs(scale - expect) <= 1e-6 * expect;
      }
      if (same) return *q;
      source = *q;
    } else {
      const ir::Tensor& t = g_.tensor(b);
      if (!t.is_const() || t.dtype != ir::DType::kFloat32 || t.num_elements() != channels) return std::nullopt;
      const std::vector<float> f = GetFloats(t);
      for (size_t o = 0; o < f.size(); ++o) real[o] = f[o];
    }
    ir::Tensor nb;
    nb.name = UniqueName(g_, g_.tensor(source).name + "/requantized");
    nb.dtype = ir::DType::kInt32;
    nb.shape = {channels};
    std::vector<int32_t> q(static_cast<size_t>(channels));
    ir::QuantParams bq;
    for (size_t o = 0; o < q.size(); ++o) {
      const double s = static_cast<double>(s_in) * wq.scale[wq.scale.size() == 1 ? 0 : o];
      const double r = std::round(real[o] / s);
      if (!(std::fabs(r) < 2147483647.0)) return std::nullopt;
      q[o] = static_cast<int32_t>(r);
      bq.scale.push_back(static_cast<float>(s));
      bq.zero_point.push_back(0);
    }
    if (wq.scale.size() == 1) {
      bq.scale.resize(1);
      bq.zero_point.resize(1);
    }
    nb.quant = bq;
    nb.data = std::vector<uint8_t>(q.size() * 4);
    std::memcpy(nb.data->data(), q.data(), q.size() * 4);
    return g_.AddTensor(std::move(nb));
  }

  // conv2d / depthwise_conv2d / fully_connected without bias and act, whose
  // only reader adds a dequantized int32 constant of one value per channel
  // (how a frontend may import Gemm with a quantized bias): the add becomes
  // the bias.
  bool MergeBias(size_t i) {
    const ir::Node& a = g_.nodes[i];
    if (a.op != ir::OpKind::kAdd || a.inputs.size() != 2 || a.outputs.size() != 1) return false;
    for (size_t k = 0; k < 2; ++k) {
      const ir::TensorId x = a.inputs[k], b = a.inputs[1 - k];
      if (x < 0 || b < 0) return false;
      const int p = prod_[static_cast<size_t>(x)];
      if (p < 0 || uses_[static_cast<size_t>(x)].size() != 1 || IsGraphOutput(g_, x)) continue;
      ir::Node& conv = g_.nodes[static_cast<size_t>(p)];
      if (!HasWeights(conv.op) || ActOf(conv) != "none" || conv.inputs.size() < 2 ||
          (conv.inputs.size() > 2 && conv.inputs[2] != ir::kNoTensor))
        continue;
      const auto bq = DequantizedFrom(b);
      const ir::Tensor& tx = g_.tensor(x);
      if (!bq || !g_.tensor(*bq).is_const() || g_.tensor(*bq).dtype != ir::DType::kInt32 || tx.shape.empty() ||
          g_.tensor(b).shape != ir::Shape{tx.shape.back()} || g_.tensor(a.outputs[0]).shape != tx.shape)
        continue;
      conv.inputs.resize(3, ir::kNoTensor);
      conv.inputs[2] = b;
      conv.outputs[0] = a.outputs[0];
      CopyAct(a, conv);
      g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
    return false;
  }

  // split whose every output is read only by one quantize with the input's
  // quantization: the int8 split (a byte copy, exact).
  bool FoldSplit(size_t i) {
    const ir::Node& n = g_.nodes[i];
    if (n.op != ir::OpKind::kSplit || n.inputs.size() != 1 || n.outputs.empty()) return false;
    const auto x = DequantizedFrom(n.inputs[0]);
    if (!x || !PerTensorInt8(g_.tensor(*x))) return false;
    ir::Node folded = n;
    folded.inputs[0] = *x;
    std::vector<size_t> quantizes;
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      const ir::TensorId yf = n.outputs[k];
      if (yf < 0 || IsGraphOutput(g_, yf)) return false;
      const auto& readers = uses_[static_cast<size_t>(yf)];
      if (readers.size() != 1) return false;
      const ir::Node& q = g_.nodes[readers[0].node];
      if (q.op != ir::OpKind::kQuantize || q.outputs.size() != 1 || g_.tensor(q.outputs[0]).quant != g_.tensor(*x).quant ||
          g_.tensor(q.outputs[0]).dtype != ir::DType::kInt8)
        return false;
      folded.outputs[k] = q.outputs[0];
      quantizes.push_back(readers[0].node);
    }
    auto types = ops::GetOpDef(folded.op).infer(g_, folded);
    if (!types.ok() || types->size() != folded.outputs.size()) return false;
    for (size_t k = 0; k < types->size(); ++k)
      if ((*types)[k].dtype != ir::DType::kInt8 || (*types)[k].shape != g_.tensor(folded.outputs[k]).shape) return false;
    g_.nodes[i] = std::move(folded);
    std::sort(quantizes.rbegin(), quantizes.rend());
    for (size_t qi : quantizes) g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(qi));
    return true;
  }

  // arg_max / arg_min of a dequantized per-tensor int8 tensor with a positive
  // scale read the int8 tensor: x -> (x - z) * s is strictly increasing, so
  // the largest (smallest) value sits at the same index, and equal int8
  // values are exactly the equal dequantized ones, so ties pick the same
  // (first) index too. The output is the index tensor, as before.
  bool FoldArgMinMax(size_t i) {
    ir::Node& n = g_.nodes[i];
    if ((n.op != ir::OpKind::kArgMax && n.op != ir::OpKind::kArgMin) || n.inputs.size() != 1) return false;
    const auto x = DequantizedFrom(n.inputs[0]);
    if (!x || !PerTensorInt8(g_.tensor(*x)) || !(g_.tensor(*x).quant->scale[0] > 0.0f)) return false;
    ir::Node folded = n;
    folded.inputs[0] = *x;
    auto types = ops::GetOpDef(folded.op).infer(g_, folded);
    if (!types.ok() || types->size() != 1 || (*types)[0].dtype != g_.tensor(n.outputs[0]).dtype) return false;
    n = std::move(folded);
    return true;
  }

  // A one-input copy operator reading a dequantize of per-tensor int8 x whose
  // float result no quantize requantizes otherwise (the layout pass sinks
  // transposes through quantize / dequantize pairs, which leaves e.g.
  // dequantize -> transpose -> depth_to_space -> quantize): the copy runs on
  // x and the dequantize moves after it. Exact: a copy commutes with the
  // elementwise dequantize (pad fills with z, which dequantizes to 0).
  bool SinkDequantize(size_t i) {
    const ir::Node& n = g_.nodes[i];
    // A fused activation (max_pool2d's relu6) would clamp at a quantized 6.
    if (!MovesData(n.op) || n.op == ir::OpKind::kMaximum || n.op == ir::OpKind::kMinimum || n.inputs.empty() ||
        n.outputs.size() != 1 || n.HasAttr("value") || ActOf(n) != "none")
      return false;
    const auto x = DequantizedFrom(n.inputs[0]);
    const ir::TensorId yf = n.outputs[0];
    if (!x || !PerTensorInt8(g_.tensor(*x)) || g_.tensor(yf).dtype != ir::DType::kFloat32) return false;
    // Constant int8 data stays int8 where run-time indices pick from it (a
    // quantized embedding table): a quarter of the flash of its float
    // form, and only the rows picked are dequantized. Other copies of a
    // constant fold.
    const bool gathers =
        n.op == ir::OpKind::kGather || n.op == ir::OpKind::kGatherNd || n.op == ir::OpKind::kGatherElements;
    if (g_.tensor(*x).is_const() &&
        !(gathers && n.inputs.size() > 1 && n.inputs[1] >= 0 && !g_.tensor(n.inputs[1]).is_const()))
      return false;
    for (const Use& u : uses_[static_cast<size_t>(yf)]) {
      const ir::Node& r = g_.nodes[u.node];
      if (r.op == ir::OpKind::kQuantize && g_.tensor(r.outputs[0]).quant != g_.tensor(*x).quant) return false;
    }
    return RunOnInt8(i, {*x});
  }

  // topk_v2 of a dequantize of per-tensor int8 x with a positive scale: the
  // int8 order is the dequantized values' order, ties included, so topk_v2
  // on x picks the same indices, and its values (x's stored values, in x's
  // quantization) dequantize to the float ones.
  bool FoldTopk(size_t i) {
    const ir::Node& n = g_.nodes[i];
    if (n.op != ir::OpKind::kTopkV2 || n.inputs.size() != 1 || n.outputs.size() != 2) return false;
    const auto x = DequantizedFrom(n.inputs[0]);
    if (!x || !PerTensorInt8(g_.tensor(*x)) || g_.tensor(*x).is_const() ||
        !(g_.tensor(*x).quant->scale[0] > 0.0f) || g_.tensor(n.outputs[0]).dtype != ir::DType::kFloat32)
      return false;
    return RunOnInt8(i, {*x});
  }

  // A float tensor that a quantize may move onto: written by an operator
  // other than a dequantize, read once, and no graph output.
  bool HoistableFloat(ir::TensorId t) const {
    if (t < 0 || g_.tensor(t).dtype != ir::DType::kFloat32 || IsGraphOutput(g_, t) ||
        uses_[static_cast<size_t>(t)].size() != 1)
      return false;
    const int p = prod_[static_cast<size_t>(t)];
    return p >= 0 && g_.nodes[static_cast<size_t>(p)].op != ir::OpKind::kDequantize;
  }

  // A new int8 tensor shaped as `like`, named <like>/int8, quantized `q`.
  ir::TensorId Int8Twin(ir::TensorId like, const std::optional<ir::QuantParams>& q) {
    ir::Tensor t = g_.tensor(like);
    t.name = UniqueName(g_, t.name + "/int8");
    t.dtype = ir::DType::kInt8;
    t.quant = q;
    t.data.reset();
    return g_.AddTensor(std::move(t));
  }

  // A concatenation (no fused activation) whose operands are all
  // dequantizes of per-tensor int8 tensors of one quantization, and whose
  // float result no quantize of another quantization reads (a 3-D
  // convolution's stacked depth taps): the int8 concatenation, a copy, with
  // the dequantize after it.
  bool SinkDequantizeThroughConcat(size_t i) {
    const ir::Node& n = g_.nodes[i];
    if (n.op != ir::OpKind::kConcatenation || n.inputs.empty() || n.outputs.size() != 1 || ActOf(n) != "none")
      return false;
    std::vector<ir::TensorId> xs;
    for (const ir::TensorId in : n.inputs) {
      const auto x = DequantizedFrom(in);
      if (!x || !PerTensorInt8(g_.tensor(*x)) || g_.tensor(*x).quant != g_.tensor(xs.empty() ? *x : xs[0]).quant)
        return false;
      xs.push_back(*x);
    }
    const ir::TensorId yf = n.outputs[0];
    if (g_.tensor(yf).dtype != ir::DType::kFloat32) return false;
    for (const Use& u : uses_[static_cast<size_t>(yf)]) {
      const ir::Node& r = g_.nodes[u.node];
      if (r.op == ir::OpKind::kQuantize && g_.tensor(r.outputs[0]).quant != g_.tensor(xs[0]).quant) return false;
    }
    return RunOnInt8(i, xs);
  }

  // quantize(copy(xf)) where the one-input copy's float input xf is written
  // by an operator other than a dequantize and read by the copy alone (a
  // float operator -> reshape -> quantize, as a 3-D convolution or pooling
  // leaves it): the quantize moves before the copy, which runs on int8.
  // Exact: a copy commutes with the elementwise quantize (pad's fill 0
  // quantizes to the zero point, its int8 fill). The operator before it can
  // then fold with that quantize.
  bool HoistQuantize(size_t i) {
    const ir::Node& n = g_.nodes[i];
    if (!MovesData(n.op) || n.op == ir::OpKind::kMaximum || n.op == ir::OpKind::kMinimum || n.inputs.empty() ||
        n.outputs.size() != 1 || n.HasAttr("value") || ActOf(n) != "none")
      return false;
    const ir::TensorId xf = n.inputs[0];
    if (!HoistableFloat(xf)) return false;
    const auto reader = OnlyQuantizeReader(n.outputs[0]);
    if (!reader) return false;
    const size_t qi = *reader;
    const ir::TensorId yq = g_.nodes[qi].outputs[0];
    const ir::TensorId xq = Int8Twin(xf, g_.tensor(yq).quant);
    ir::Node quant = g_.nodes[qi];
    quant.inputs[0] = xf;
    quant.outputs[0] = xq;
    ir::Node copy = n;
    copy.inputs[0] = xq;
    copy.outputs[0] = yq;
    auto types = ops::GetOpDef(copy.op).infer(g_, copy);
    if (!types.ok() || types->size() != 1 || (*types)[0].dtype != ir::DType::kInt8 ||
        (*types)[0].shape != g_.tensor(yq).shape) {
      g_.tensors.pop_back();
      return false;
    }
    g_.nodes[i] = std::move(quant);
    g_.nodes[qi] = std::move(copy);
    return true;
  }

  // quantize(concatenation(a_1, ..., a_k)) where every a_j is a float
  // result of an operator other than a dequantize, read by the
  // concatenation alone (the groups of a grouped transposed convolution):
  // the concatenation of quantize(a_j) in the same quantization, an int8
  // copy. Exact, as quantize is elementwise; each a_j's operator can then
  // fold with its quantize.
  bool HoistQuantizeThroughConcat(size_t i) {
    const ir::Node& n = g_.nodes[i];
    if (n.op != ir::OpKind::kConcatenation || n.inputs.empty() || n.outputs.size() != 1 || ActOf(n) != "none")
      return false;
    for (const ir::TensorId a : n.inputs)
      if (!HoistableFloat(a)) return false;
    const auto reader = OnlyQuantizeReader(n.outputs[0]);
    if (!reader) return false;
    const size_t qi = *reader;
    const ir::Node quant = g_.nodes[qi];
    const ir::TensorId yq = quant.outputs[0];
    const size_t tensors_before = g_.tensors.size();
    ir::Node cat = n;
    std::vector<ir::Node> quantizes;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ir::Node q = quant;
      q.inputs = {n.inputs[k]};
      q.outputs = {Int8Twin(n.inputs[k], g_.tensor(yq).quant)};
      cat.inputs[k] = q.outputs[0];
      quantizes.push_back(std::move(q));
    }
    cat.outputs[0] = yq;
    auto types = ops::GetOpDef(cat.op).infer(g_, cat);
    if (!types.ok() || types->size() != 1 || (*types)[0].dtype != ir::DType::kInt8 ||
        (*types)[0].shape != g_.tensor(yq).shape) {
      g_.tensors.resize(tensors_before);
      return false;
    }
    g_.nodes[qi] = std::move(cat);
    g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i));
    g_.nodes.insert(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i), quantizes.begin(), quantizes.end());
    return true;
  }

  // Node i, whose operands 0..k-1 are the dequantizes of xs, reads xs
  // instead; its output 0 becomes int8 in xs[0]'s quantization, followed by
  // a dequantize to the float tensor it wrote before (its other outputs are
  // unchanged).
  bool RunOnInt8(size_t i, const std::vector<ir::TensorId>& xs) {
    const ir::Node& n = g_.nodes[i];
    const ir::TensorId yf = n.outputs[0];
    ir::Node copy = n;
    for (size_t k = 0; k < xs.size(); ++k) copy.inputs[k] = xs[k];
    const ir::TensorId yq = Int8Twin(yf, g_.tensor(xs[0]).quant);
    copy.outputs[0] = yq;
    auto types = ops::GetOpDef(copy.op).infer(g_, copy);
    if (!types.ok() || types->size() != copy.outputs.size() || (*types)[0].dtype != ir::DType::kInt8) {
      g_.tensors.pop_back();
      return false;
    }
    ir::Node dq;
    dq.op = ir::OpKind::kDequantize;
    dq.attrs = g_.nodes[static_cast<size_t>(prod_[static_cast<size_t>(n.inputs[0])])].attrs;  // onnx_uint8
    dq.inputs = {yq};
    dq.outputs = {yf};
    g_.nodes[i] = std::move(copy);
    g_.nodes.push_back(std::move(dq));
    return true;
  }

  bool TryFold(size_t i) {
    if (MergeBias(i) || FoldSplit(i) || FoldArgMinMax(i) || FoldTopk(i)) return true;
    if (FoldBetweenQdq(i) || FoldToTable(i) || FoldCopyWithTables(i)) return true;
    return SinkDequantize(i) || SinkDequantizeThroughConcat(i) || HoistQuantize(i) || HoistQuantizeThroughConcat(i);
  }

  // The index of the one reader of float tensor yf when it is a quantize to
  // per-tensor int8 (and yf is no graph output), or nullopt.
  std::optional<size_t> OnlyQuantizeReader(ir::TensorId yf) const {
    if (yf < 0 || g_.tensor(yf).dtype != ir::DType::kFloat32 || IsGraphOutput(g_, yf)) return std::nullopt;
    const auto& readers = uses_[static_cast<size_t>(yf)];
    if (readers.size() != 1) return std::nullopt;
    const ir::Node& q = g_.nodes[readers[0].node];
    if (q.op != ir::OpKind::kQuantize || q.outputs.size() != 1 || !PerTensorInt8(g_.tensor(q.outputs[0])))
      return std::nullopt;
    return readers[0].node;
  }

  // An NHWC average_pool2d whose one window is the whole image: no padding,
  // no fused activation, a 1x1 output; its float result is the mean over H
  // and W.
  bool GlobalPool(const ir::Node& n) const {
    const ir::Shape& in = g_.tensor(n.inputs[0]).shape;
    const ir::Shape& out = g_.tensor(n.outputs[0]).shape;
    if (in.size() != 4 || out.size() != 4 || out[1] != 1 || out[2] != 1 || ActOf(n) != "none") return false;
    const std::vector<int64_t> pad = n.GetInts("pad", {0, 0, 0, 0});
    return n.GetInts("filter") == std::vector<int64_t>{in[1], in[2]} &&
           std::all_of(pad.begin(), pad.end(), [](int64_t p) { return p == 0; });
  }

  // The value of a constant operand: the constant itself, or a dequantize
  // of a constant evaluated here (as the dequantize computes it at run
  // time). nullopt otherwise.
  std::optional<ir::Tensor> ConstOperand(ir::TensorId t) const {
    if (t >= 0 && g_.tensor(t).is_const()) return g_.tensor(t);
    const auto q = DequantizedFrom(t);
    if (!q || !g_.tensor(*q).is_const()) return std::nullopt;
    return EvaluateOn(g_.nodes[static_cast<size_t>(prod_[static_cast<size_t>(t)])], g_.tensor(*q), g_.tensor(t));
  }

  // One-input node n evaluated by its reference evaluator on constant `in`:
  // `out` (n's output tensor, reshaped to the result) with the data, or
  // nullopt when the evaluator refuses.
  static std::optional<ir::Tensor> EvaluateOn(const ir::Node& n, const ir::Tensor& in, ir::Tensor out) {
    ir::Graph e;
    ir::Node node = n;
    out.data.reset();
    node.inputs = {e.AddTensor(in)};
    node.outputs = {e.AddTensor(out)};
    e.outputs = node.outputs;
    e.nodes.push_back(std::move(node));
    auto r = ops::EvaluateGraph(e, {});
    if (!r.ok() || r->outputs.size() != 1 || r->outputs[0].size() != static_cast<size_t>(out.size_bytes()))
      return std::nullopt;
    out.data = r->outputs[0];
    return out;
  }

  // The axis along which constant operand t of an elementwise operator on
  // a tensor of `rank` varies: -1 for one value, -2 when it varies along
  // more than one axis (its shape right-aligned, as broadcasting reads it).
  int64_t VaryingAxis(ir::TensorId t, size_t rank) const {
    const ir::Shape& s = g_.tensor(t).shape;
    if (s.size() > rank) return -2;
    int64_t axis = -1;
    for (size_t d = 0; d < s.size(); ++d) {
      if (s[d] == 1) continue;
      if (axis != -1) return -2;
      axis = static_cast<int64_t>(rank - s.size() + d);
    }
    return axis;
  }

  // The int8 table of a chain of nodes (dequantize, ..., quantize) read from
  // int8 tensor x, each node reading the one before it (a node of two or
  // more inputs at any operand) and otherwise constants (pow's exponent,
  // sub's subtrahend; a dequantized one counts) that are one value or vary
  // along `axis` only, where channel c's values are taken: the chain
  // evaluated by the reference evaluators on x = -128..127, 256 int8
  // entries (entry k for x = k - 128), or nullopt when an evaluator refuses.
  std::optional<std::vector<uint8_t>> ChainTable(ir::TensorId x, const std::vector<const ir::Node*>& chain,
                                                 int64_t axis, int64_t c) const {
    ir::Graph t;
    auto add = [&t](ir::Tensor v) {
      v.shape = {256};
      v.data.reset();
      return t.AddTensor(std::move(v));
    };
    const size_t rank = g_.tensor(x).shape.size();
    ir::TensorId prev = add(g_.tensor(x));
    ir::TensorId prev_in_g = x;
    t.inputs = {prev};
    for (const ir::Node* n : chain) {
      if (n->inputs.empty() || n->outputs.size() != 1) return std::nullopt;
      ir::Node node = *n;
      // A one-input node reads the one before it (a requantization's
      // quantize stands for its float operator's result).
      bool reads_prev = n->inputs.size() == 1;
      if (reads_prev) node.inputs[0] = prev;
      for (size_t k = 0; k < n->inputs.size() && n->inputs.size() > 1; ++k) {
        if (n->inputs[k] == prev_in_g && !reads_prev) {
          node.inputs[k] = prev;
          reads_prev = true;
          continue;
        }
        auto v = ConstOperand(n->inputs[k]);
        if (!v) return std::nullopt;
        const int64_t varies = VaryingAxis(n->inputs[k], rank);
        if (varies == -2 || (varies >= 0 && varies != axis)) return std::nullopt;
        // Channel c's value (the one value of a constant that does not vary).
        const size_t w = static_cast<size_t>(ir::DTypeSize(v->dtype));
        const size_t at = varies >= 0 ? static_cast<size_t>(c) : 0;
        if ((at + 1) * w > v->data->size()) return std::nullopt;
        v->data = std::vector<uint8_t>(v->data->begin() + static_cast<std::ptrdiff_t>(at * w),
                                       v->data->begin() + static_cast<std::ptrdiff_t>((at + 1) * w));
        v->shape = {};
        if (v->quant && v->quant->per_axis()) return std::nullopt;
        node.inputs[k] = t.AddTensor(std::move(*v));
      }
      if (!reads_prev) return std::nullopt;
      prev_in_g = n->outputs[0];
      prev = add(g_.tensor(n->outputs[0]));
      node.outputs = {prev};
      t.nodes.push_back(std::move(node));
    }
    t.outputs = {prev};
    if (t.tensor(prev).dtype != ir::DType::kInt8) return std::nullopt;
    std::vector<uint8_t> values(256);
    for (int v = 0; v < 256; ++v) values[static_cast<size_t>(v)] = static_cast<uint8_t>(v - 128);
    auto r = ops::EvaluateGraph(t, {values});
    if (!r.ok() || r->outputs.size() != 1 || r->outputs[0].size() != 256) return std::nullopt;
    return r->outputs[0];
  }

  // ChainTable for every channel of `axis` (C rows of 256), or for one value
  // (axis -1: 256 entries), as a new constant.
  std::optional<ir::TensorId> AddTable(ir::TensorId x, const std::vector<const ir::Node*>& chain, int64_t axis = -1) {
    const int64_t channels = axis < 0 ? 1 : g_.tensor(x).shape[static_cast<size_t>(axis)];
    std::vector<uint8_t> entries;
    for (int64_t c = 0; c < channels; ++c) {
      auto row = ChainTable(x, chain, axis, c);
      if (!row) return std::nullopt;
      entries.insert(entries.end(), row->begin(), row->end());
    }
    ir::Tensor table;
    table.name = UniqueName(g_, g_.tensor(chain.back()->outputs[0]).name + "/table");
    table.dtype = ir::DType::kInt8;
    table.shape = axis < 0 ? ir::Shape{256} : ir::Shape{channels, 256};
    table.data = std::move(entries);
    return g_.AddTensor(std::move(table));
  }

  // The operand of elementwise node n computed at run time when every other
  // operand is a constant (a dequantized one counts), or nullopt.
  std::optional<size_t> RunTimeOperand(const ir::Node& n) const {
    if (n.outputs.size() != 1) return std::nullopt;
    if (Pointwise(n.op) && n.inputs.size() == 1) return 0;
    if (!ScalarBinary(n.op) || n.inputs.size() != 2) return std::nullopt;
    const bool c0 = ConstOperand(n.inputs[0]).has_value(), c1 = ConstOperand(n.inputs[1]).has_value();
    if (c0 == c1) return std::nullopt;
    return c0 ? 1 : 0;
  }

  // dequantize -> a chain of elementwise operators -> quantize that
  // FoldBetweenQdq left alone (no int8 kernel of the op follows the graph's
  // int8 arithmetic, e.g. sigmoid in an ONNX Runtime model, or the op has no
  // int8 kernel that requantizes, e.g. exp): each operator pointwise, or
  // binary with a constant other operand (x - 0.5, 1 / x, max(x, 0.1),
  // x ** 1.5; a batch normalization's x · s + b), each intermediate result
  // read once. The int8 lookup_table of the chain, evaluated by the
  // reference evaluators on all 256 int8 values, so the int8 graph equals
  // the float one element for element; constants that vary along one axis
  // (per channel) give one table per channel.
  bool FoldToTable(size_t i) {
    const ir::Node& n = g_.nodes[i];
    const auto xi = RunTimeOperand(n);
    if (!xi) return false;
    const ir::TensorId xf = n.inputs[*xi];
    if (xf < 0) return false;
    const int dqi = prod_[static_cast<size_t>(xf)];
    const auto x = DequantizedFrom(xf);
    if (!x || dqi < 0 || !PerTensorInt8(g_.tensor(*x)) || g_.tensor(*x).is_const()) return false;
    const ir::Shape& shape = g_.tensor(xf).shape;
    const size_t rank = shape.size();
    std::vector<const ir::Node*> chain = {&g_.nodes[static_cast<size_t>(dqi)]};
    int64_t axis = -1;
    for (const ir::Node* c = &n;;) {
      if (g_.tensor(c->outputs[0]).shape != shape) return false;
      for (size_t k = 0; k < c->inputs.size(); ++k) {
        if (k == (c == &n ? *xi : *RunTimeOperand(*c))) continue;
        const int64_t varies = VaryingAxis(c->inputs[k], rank);
        if (varies == -2 || (varies >= 0 && axis >= 0 && varies != axis)) return false;
        if (varies >= 0) axis = varies;
      }
      chain.push_back(c);
      if (const auto q = OnlyQuantizeReader(c->outputs[0])) {
        chain.push_back(&g_.nodes[*q]);
        break;
      }
      // The next link: the one reader, elementwise on this result.
      const ir::TensorId y = c->outputs[0];
      if (IsGraphOutput(g_, y) || uses_[static_cast<size_t>(y)].size() != 1) return false;
      const ir::Node& next = g_.nodes[uses_[static_cast<size_t>(y)][0].node];
      const auto ni = RunTimeOperand(next);
      if (!ni || next.inputs[*ni] != y || chain.size() > 16) return false;
      c = &next;
    }
    // A table per channel costs 256 bytes of constant data per channel: made
    // only when that is no more than one float copy of the tensor, which is
    // what the float chain needs at run time.
    if (axis >= 0 && shape[static_cast<size_t>(axis)] * 256 > 4 * ir::NumElements(shape)) return false;
    const ir::Node& quant = *chain.back();
    const ir::TensorId yq = quant.outputs[0];
    const auto table = AddTable(*x, chain, axis);
    if (!table) return false;
    std::string function;
    for (size_t k = 1; k + 1 < chain.size(); ++k) function += (k > 1 ? ", " : "") + std::string(ir::OpIrName(chain[k]->op));
    ir::Node lut = LookupTableNode(n.name, function, *x, *table, yq);
    if (axis >= 0) lut.attrs["axis"] = axis;
    // Drop the chain after n (its nodes by index, from the back), then n
    // becomes the table.
    std::vector<size_t> drop;
    for (size_t k = 2; k < chain.size(); ++k) drop.push_back(static_cast<size_t>(chain[k] - g_.nodes.data()));
    g_.nodes[i] = std::move(lut);
    std::sort(drop.rbegin(), drop.rend());
    for (size_t d : drop) g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(d));
    return true;
  }

  // Constant operand c (a dequantized one counts) quantized by `quant`,
  // as the quantize computes it at run time, as a new int8 constant; nullopt
  // when c is no float constant.
  std::optional<ir::TensorId> QuantizedConst(ir::TensorId c, const ir::Node& quant) {
    const auto v = ConstOperand(c);
    if (!v || v->dtype != ir::DType::kFloat32) return std::nullopt;
    ir::Tensor shaped = g_.tensor(quant.outputs[0]);
    shaped.shape = v->shape;
    auto k = EvaluateOn(quant, *v, shaped);
    if (!k) return std::nullopt;
    k->name = UniqueName(g_, g_.tensor(c).name + "/quantized");
    return g_.AddTensor(std::move(*k));
  }

  // An operator that copies its value operands (concatenation; select, whose
  // operand 0 is its bool condition; maximum, minimum) reading dequantized
  // per-tensor int8 tensors or float constants, whose only reader is a
  // quantize, which FoldBetweenQdq left (ONNX Runtime's arithmetic, whose
  // QLinearConcat and QLinearWhere requantize each input in float; or inputs
  // quantized otherwise than the output): each input quantized otherwise
  // than the output goes through a lookup_table of its
  // quantize(dequantize(x)), a constant (a dequantized one too) is
  // quantized here, and the operator on equally quantized int8 tensors
  // copies, so the result equals the float QDQ graph element for element
  // (quantize works elementwise).
  bool FoldCopyWithTables(size_t i) {
    const ir::Node n = g_.nodes[i];
    const bool concat = n.op == ir::OpKind::kConcatenation && ActOf(n) == "none";
    const bool select = n.op == ir::OpKind::kSelect && n.inputs.size() == 3;
    // maximum / minimum pick one operand's value, and quantizing with a
    // positive scale keeps the order: the larger value quantizes to the
    // larger (or equal) integer. Dequantized operands only (a NaN constant
    // would not keep it).
    const bool extremum = (n.op == ir::OpKind::kMaximum || n.op == ir::OpKind::kMinimum) && n.inputs.size() == 2 &&
                          ActOf(n) == "none";
    if (!(concat || select || extremum) || n.outputs.size() != 1 || n.inputs.empty()) return false;
    const size_t first = select ? 1 : 0;
    const auto reader = OnlyQuantizeReader(n.outputs[0]);
    if (!reader) return false;
    const size_t qi = *reader;
    const ir::Node quant = g_.nodes[qi];
    const ir::TensorId yq = quant.outputs[0];
    if (extremum && !(g_.tensor(yq).quant->scale[0] > 0.0f)) return false;
    bool any_dequantized = false;
    for (size_t k = first; k < n.inputs.size(); ++k) {
      const auto x = DequantizedFrom(n.inputs[k]);
      if (x && PerTensorInt8(g_.tensor(*x)) && !g_.tensor(*x).is_const()) {
        if (extremum && !(g_.tensor(*x).quant->scale[0] > 0.0f)) return false;
        any_dequantized = true;
      } else if ((extremum && !x) || n.inputs[k] < 0 || !ConstOperand(n.inputs[k])) {
        return false;
      }
    }
    if (!any_dequantized) return false;
    // A refusal below drops the tensors added so far: a pass that folds
    // nothing leaves the graph as it was.
    const size_t tensors_before = g_.tensors.size();
    auto refuse = [&] {
      g_.tensors.resize(tensors_before);
      return false;
    };
    ir::Node folded = n;
    std::vector<ir::Node> tables;
    for (size_t k = first; k < n.inputs.size(); ++k) {
      const auto dq = DequantizedFrom(n.inputs[k]);
      if (!dq || !PerTensorInt8(g_.tensor(*dq)) || g_.tensor(*dq).is_const()) {
        const auto c = QuantizedConst(n.inputs[k], quant);
        if (!c) return refuse();
        folded.inputs[k] = *c;
        continue;
      }
      const ir::TensorId x = *dq;
      folded.inputs[k] = x;
      if (g_.tensor(x).quant == g_.tensor(yq).quant) continue;
      const auto table = AddTable(x, {&g_.nodes[static_cast<size_t>(prod_[static_cast<size_t>(n.inputs[k])])], &quant});
      if (!table) return refuse();
      ir::Tensor t = g_.tensor(x);
      t.name = UniqueName(g_, t.name + "/requantized");
      t.quant = g_.tensor(yq).quant;
      folded.inputs[k] = g_.AddTensor(std::move(t));
      tables.push_back(LookupTableNode(n.name, "requantization", x, *table, folded.inputs[k]));
    }
    folded.outputs[0] = yq;
    folded.attrs.erase("int8_semantics");
    auto types = ops::GetOpDef(folded.op).infer(g_, folded);
    if (!types.ok() || types->size() != 1 || (*types)[0].dtype != ir::DType::kInt8 ||
        (*types)[0].shape != g_.tensor(yq).shape)
      return refuse();
    g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(qi));
    g_.nodes[i] = std::move(folded);
    g_.nodes.insert(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i), tables.begin(), tables.end());
    return true;
  }

  // dequantize -> node -> quantize: the int8 node.
  bool FoldBetweenQdq(size_t i) {
    const ir::Node& n = g_.nodes[i];
    if (!Foldable(n.op) || n.outputs.size() != 1 || n.inputs.empty()) return false;
    const ir::TensorId yf = n.outputs[0];
    const auto reader = OnlyQuantizeReader(yf);
    if (!reader) return false;
    const size_t qi = *reader;
    const ir::Node& quant = g_.nodes[qi];
    const ir::TensorId yq = quant.outputs[0];

    ir::Node folded = n;
    // gather's and gather_nd's indices (operand 1) are integers, not dequantized.
    const bool gathers =
        n.op == ir::OpKind::kGather || n.op == ir::OpKind::kGatherNd || n.op == ir::OpKind::kGatherElements;
    const size_t activations = HasWeights(n.op) || gathers ? 1 : n.inputs.size();
    for (size_t k = 0; k < activations; ++k) {
      const auto q = DequantizedFrom(n.inputs[k]);
      if (!q || !PerTensorInt8(g_.tensor(*q))) return false;
      folded.inputs[k] = *q;
    }
    if (HasWeights(n.op)) {
      if (n.inputs.size() < 2) return false;
      const int64_t channels = g_.tensor(yf).shape.empty() ? 0 : g_.tensor(yf).shape.back();
      if (channels <= 0 || n.inputs[1] < 0) return false;
      const auto w = Weights(n, channels);
      if (!w) return false;
      folded.inputs[1] = *w;
      if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor) {
        const float s_in = g_.tensor(folded.inputs[0]).quant->scale[0];
        const auto b = Bias(n, s_in, *g_.tensor(*w).quant, channels);
        if (!b) return false;
        folded.inputs[2] = *b;
      }
    }
    // The int8 arithmetic the quantize names (ONNX Runtime's for ONNX models)
    // goes to the operators that requantize.
    const auto sem = quant.attrs.find("int8_semantics");
    const bool ort = sem != quant.attrs.end() && std::holds_alternative<std::string>(sem->second) &&
                     std::get<std::string>(sem->second) == "onnxruntime";
    if (ort && TfliteOnly(n.op)) return false;
    // The int8 resize_linear quantizes as ONNX Runtime's QuantizeLinear
    // (half to even), TFLite's quantize rounds half away from zero.
    if (!ort && n.op == ir::OpKind::kResizeLinear) return false;
    // TFLite's int8 average pool keeps its input's quantization; one whose
    // window is the whole image (a global average pool) is TFLite's int8
    // mean over H and W, which requantizes.
    if (n.op == ir::OpKind::kAveragePool2D && !ort && g_.tensor(folded.inputs[0]).quant != g_.tensor(yq).quant &&
        GlobalPool(n)) {
      folded.op = ir::OpKind::kMean;
      folded.attrs.clear();
      folded.attrs["axes"] = std::vector<int64_t>{1, 2};
      folded.attrs["keep_dims"] = int64_t{1};
    }
    // The int8 resize_bilinear and relu6 keep the input's units (no
    // requantization, as TFLite Micro).
    const bool same_quant_only = (folded.op == ir::OpKind::kAveragePool2D && !ort) || MovesData(n.op) ||
                                 n.op == ir::OpKind::kResizeBilinear || n.op == ir::OpKind::kRelu6;
    if (same_quant_only && g_.tensor(folded.inputs[0]).quant != g_.tensor(yq).quant) return false;
    if (n.op == ir::OpKind::kPad && n.HasAttr("value")) {
      // The float fill v becomes the int8 fill quantize(v) = round(v / s) + z,
      // clamped (v / s a float32 division, as quantize computes it). Both
      // arithmetics round alike unless v / s is a tie (half away from zero
      // or to even): then the pad stays float. A fill of 0 is the zero point.
      const ir::QuantParams& qo = *g_.tensor(yq).quant;
      const float r = static_cast<float>(n.GetReal("value")) / qo.scale[0];
      if (!std::isfinite(r) || std::fabs(r - std::trunc(r)) == 0.5f) return false;
      const auto steps = static_cast<int64_t>(std::round(std::clamp(r, -1024.0f, 1024.0f)));
      const int64_t fill = std::clamp<int64_t>(steps + qo.zero_point[0], -128, 127);
      if (fill == qo.zero_point[0]) folded.attrs.erase("value");
      else folded.attrs["value"] = fill;
    }
    folded.outputs[0] = yq;
    folded.attrs.erase("int8_semantics");
    if (ort && Requantizes(n.op)) folded.attrs["int8_semantics"] = std::string("onnxruntime");
    if (ort && AddsZeroPointsInFloat(n.op) && OnnxUint8(quant)) {
      bool all = true;
      for (size_t k = 0; k < activations; ++k)
        all = all && OnnxUint8(g_.nodes[static_cast<size_t>(prod_[static_cast<size_t>(n.inputs[k])])]);
      if (all) folded.attrs["onnx_uint8"] = int64_t{1};
    }
    // The int8 operator must accept its quantization (multipliers in range, ...).
    auto types = ops::GetOpDef(folded.op).infer(g_, folded);
    if (!types.ok() || types->size() != 1 || (*types)[0].dtype != ir::DType::kInt8 ||
        (*types)[0].shape != g_.tensor(yq).shape)
      return false;
    g_.nodes[i] = std::move(folded);
    g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(qi));
    return true;
  }

  ir::Graph& g_;
  std::vector<std::vector<Use>> uses_;
  std::vector<int> prod_;
};

}  // namespace

Status FoldQdq(ir::Graph& g, const PassOptions& options) {
  // --int8-semantics overrides what the frontend recorded on the quantize
  // nodes of float tensors (the QDQ pattern).
  if (!options.int8_semantics.empty()) {
    for (ir::Node& n : g.nodes) {
      if (n.op != ir::OpKind::kQuantize || n.inputs.empty() || n.inputs[0] < 0 ||
          g.tensor(n.inputs[0]).dtype != ir::DType::kFloat32)
        continue;
      if (options.int8_semantics == "onnxruntime") n.attrs["int8_semantics"] = std::string("onnxruntime");
      else n.attrs.erase("int8_semantics");
    }
  }
  QdqFolder f(g);
  bool any = false;
  while (f.Step()) any = true;
  while (f.Requantize()) any = true;
  if (any) f.DropDeadDequantize();
  f.FoldConstantDequantize();
  return Status::Ok();
}

}  // namespace ember::passes
