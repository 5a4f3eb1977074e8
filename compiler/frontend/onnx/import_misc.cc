// Elementwise, activation, shape and quantization operators of the ONNX
// importer. Nodes whose inputs are all constants (the static shape arithmetic
// exporters write: Shape, Gather, Cast, Unsqueeze, Concat, ...) are folded
// here, so no int64 computation reaches the IR.
#include <algorithm>
#include <cmath>
#include <limits>

#include "frontend/onnx/import_internal.h"
#include "ops/op_util.h"

namespace ember::frontend::onnx::detail {
namespace {

using ir::OpKind;

Status Unary(Context& ctx, const NodeRef& ref, OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, {x}, {}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status Alias(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  BindOutput(ctx, ref, 0, v);
  return Status::Ok();
}

// Dropout in inference, or in training mode with a ratio of 0 (nothing is
// dropped and the scale 1 / (1 - ratio) is 1): the identity; its mask
// output is all true.
Status ConvertDropout(Context& ctx, const NodeRef& ref) {
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(auto training, ConstInput(ctx, ref, 2, "training_mode"));
    double ratio = 0.5;
    if (HasInput(ref, 1)) {
      EMBER_ASSIGN_OR_RETURN(auto r, ConstInput(ctx, ref, 1, "ratio"));
      if (r->size() > 0) ratio = r->at(0);
    }
    if (training->size() > 0 && training->int_at(0) != 0 && ratio != 0.0) {
      return UnsupportedAttr(ctx, ref, "training_mode=true with ratio " + ops::FormatReal(ratio) + " (a random mask)",
                             "export the model in eval() mode");
    }
  }
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  if (!OutputName(ref, 1).empty()) {
    ConstTensor mask;
    mask.elem_type = pb::TensorProto::BOOL;
    mask.shape = ShapeOf(ctx, v);
    mask.i.assign(static_cast<size_t>(mask.size()), 1);
    BindOutput(ctx, ref, 1, ConstValue(std::move(mask)));
  }
  BindOutput(ctx, ref, 0, v);
  return Status::Ok();
}

// Numpy broadcasting of two shapes; nullopt when incompatible.
std::optional<ir::Shape> Broadcast(const ir::Shape& a, const ir::Shape& b) {
  const size_t r = std::max(a.size(), b.size());
  ir::Shape out(r);
  for (size_t k = 0; k < r; ++k) {
    const int64_t da = k + a.size() >= r ? a[k + a.size() - r] : 1;
    const int64_t db = k + b.size() >= r ? b[k + b.size() - r] : 1;
    if (da != db && da != 1 && db != 1) return std::nullopt;
    out[k] = std::max(da, db);
  }
  return out;
}

// Flat index into `s` (right-aligned, broadcast) of output multi-index `idx`.
int64_t BroadcastIndex(const ir::Shape& s, const ir::Shape& out, const std::vector<int64_t>& idx) {
  int64_t flat = 0;
  const size_t off = out.size() - s.size();
  for (size_t k = 0; k < s.size(); ++k) flat = flat * s[k] + (s[k] == 1 ? 0 : idx[k + off]);
  return flat;
}

Expected<ConstTensor> FoldBinary(Context& ctx, const NodeRef& ref, const ConstTensor& a, const ConstTensor& b,
                                 const std::string& op) {
  auto shape = Broadcast(a.shape, b.shape);
  if (!shape) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "operands do not broadcast");
  if (ir::NumElements(*shape) > kMaxFoldedElements) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kUnsupported, "folds to a constant of shape " +
                                                                        ir::ShapeToString(*shape) + ", which is too large");
  }
  ConstTensor out;
  out.elem_type = a.elem_type;
  out.shape = *shape;
  const int64_t n = ir::NumElements(*shape);
  std::vector<int64_t> idx(shape->size(), 0);
  for (int64_t o = 0; o < n; ++o) {
    const int64_t ia = BroadcastIndex(a.shape, *shape, idx), ib = BroadcastIndex(b.shape, *shape, idx);
    if (a.is_float()) {
      const float x = static_cast<float>(a.at(ia)), y = static_cast<float>(b.at(ib));
      out.f.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    } else {
      const int64_t x = a.int_at(ia), y = b.int_at(ib);
      if (op == "Div" && y == 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "divides by zero");
      out.i.push_back(op == "Add" ? x + y : op == "Sub" ? x - y : op == "Mul" ? x * y : x / y);
    }
    for (size_t k = shape->size(); k-- > 0;) {
      if (++idx[k] < (*shape)[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

Status ConvertBinary(Context& ctx, const NodeRef& ref) {
  const std::string& op = ref.node->op_type();
  EMBER_ASSIGN_OR_RETURN(Value a, Input(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value b, Input(ctx, ref, 1));
  if (a.c && b.c) {
    EMBER_ASSIGN_OR_RETURN(ConstTensor c, FoldBinary(ctx, ref, *a.c, *b.c, op));
    BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, RuntimeInput(ctx, ref, 1));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId z, AddNode(ctx, ref, op == "Add" ? OpKind::kAdd : OpKind::kMul, {x, y}, {},
                                                 OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, z});
  return Status::Ok();
}

Expected<std::optional<double>> OptionalScalar(Context& ctx, const NodeRef& ref, size_t pos, const char* what) {
  if (!HasInput(ref, pos)) return std::optional<double>();
  EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, pos, what));
  if (c->size() != 1) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, std::string(what) + " is not a scalar");
  return std::optional<double>(c->at(0));
}

// Clip of a quantized 8-bit tensor (QuantizeLinear's output, a QOperator
// node's result): ONNX clamps the stored integers, so the bounds are
// integers of the tensor's type (QCDQ exports, e.g. Brevitas', narrow int8
// and uint8 to fewer bits so: QuantizeLinear -> Clip -> DequantizeLinear).
// They become the real values they stand for, (b - zero_point) * scale,
// which the IR's int8 clip (same quantization in and out) turns back into
// the same integers (docs/numerics.md, "clip"). A uint8 tensor held as
// int8 (value - 128) stays so.
Status ConvertQuantizedClip(Context& ctx, const NodeRef& ref, ir::TensorId x, std::optional<double> lo,
                            std::optional<double> hi) {
  const ir::Tensor& t = ctx.graph.tensor(x);
  if (t.quant->scale.size() != 1) {
    return UnsupportedAttr(ctx, ref, "Clip of a tensor quantized per axis", "quantize the clipped tensor per tensor");
  }
  const bool u8 = ctx.u8_as_i8.count(x) > 0;
  const double scale = t.quant->scale[0];
  const int64_t zero = t.quant->zero_point[0] + (u8 ? 128 : 0);  // in the ONNX type
  ir::Attrs attrs;
  if (lo) attrs["min"] = (*lo - static_cast<double>(zero)) * scale;
  if (hi) attrs["max"] = (*hi - static_cast<double>(zero)) * scale;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kClip, {x}, attrs, OutputName(ref, 0)));
  if (u8) ctx.u8_as_i8.insert(y);
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertClip(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(auto lo, OptionalScalar(ctx, ref, 1, "min"));
  EMBER_ASSIGN_OR_RETURN(auto hi, OptionalScalar(ctx, ref, 2, "max"));
  {
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
    // (A quantized int16 Clip computes on the widened integers instead: import_8bit_arith.cc.)
    if (v.id != ir::kNoTensor && ctx.graph.tensor(v.id).dtype == ir::DType::kInt8 && ctx.graph.tensor(v.id).quant) {
      return ConvertQuantizedClip(ctx, ref, v.id, lo, hi);
    }
  }
  const bool hi_open = !hi || std::isinf(*hi) || *hi >= std::numeric_limits<float>::max();
  if (lo && *lo == 0.0 && hi && *hi == 6.0) return Unary(ctx, ref, OpKind::kRelu6);
  if (lo && *lo == 0.0 && hi_open) return Unary(ctx, ref, OpKind::kRelu);
  const bool lo_open = !lo || std::isinf(*lo) || *lo <= std::numeric_limits<float>::lowest();
  if (lo_open && hi_open) return Alias(ctx, ref);
  bool handled = false;
  if (IrOp("clip")) return ConvertExtNode(ctx, ref, &handled);
  return UnsupportedAttr(ctx, ref, "Clip to [" + (lo ? std::to_string(*lo) : "-inf") + ", " +
                                       (hi ? std::to_string(*hi) : "inf") + "] (only [0, 6] and [0, inf) are imported)",
                         "a general clip needs the IR operator 'clip'; use Relu or ReLU6 in the source model");
}

Expected<std::vector<int64_t>> ReadAxes(Context& ctx, const NodeRef& ref, size_t input_pos, size_t rank, bool* given) {
  std::vector<int64_t> raw;
  *given = false;
  if (const auto* a = FindAttr(ref, "axes")) {
    raw.assign(a->ints().begin(), a->ints().end());
    *given = true;
  } else if (HasInput(ref, input_pos)) {
    EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, input_pos, "axes"));
    for (int64_t k = 0; k < c->size(); ++k) raw.push_back(c->int_at(k));
    *given = true;
  }
  std::vector<int64_t> axes;
  for (int64_t a : raw) {
    EMBER_ASSIGN_OR_RETURN(int64_t n, NormAxis(ctx, ref, a, rank));
    axes.push_back(n);
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

// Binds output 0 to input 0 reshaped to `shape` (folded for constants).
Status BindReshape(Context& ctx, const NodeRef& ref, const ir::Shape& shape) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  if (ir::NumElements(shape) != ir::NumElements(ShapeOf(ctx, v))) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "reshapes " + ir::ShapeToString(ShapeOf(ctx, v)) + " to " +
                                                                   ir::ShapeToString(shape) + ", a different element count");
  }
  if (v.c && v.id == ir::kNoTensor) {
    ConstTensor c = *v.c;
    c.shape = shape;
    BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kReshape, {x}, {{"shape", shape}}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertReshape(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape in = ShapeOf(ctx, v);
  EMBER_ASSIGN_OR_RETURN(auto sc, ConstInput(ctx, ref, 1, "shape"));
  const bool allowzero = AttrInt(ref, "allowzero", 0) != 0;
  ir::Shape shape;
  int64_t infer = -1, known = 1;
  for (int64_t k = 0; k < sc->size(); ++k) {
    int64_t d = sc->int_at(k);
    if (d == 0 && !allowzero) {
      if (static_cast<size_t>(k) >= in.size()) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "copies a dimension the input lacks");
      d = in[static_cast<size_t>(k)];
    }
    if (d == -1) {
      if (infer >= 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has two -1 dimensions");
      infer = k;
      d = 1;
    } else if (d < 0 || d > (int64_t{1} << 31) || (d > 0 && known > (int64_t{1} << 40) / d)) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has a negative or too large dimension " + std::to_string(d));
    }
    known *= d;
    shape.push_back(d);
  }
  if (infer >= 0) {
    if (known == 0 || ir::NumElements(in) % known != 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "cannot infer the -1 dimension");
    shape[static_cast<size_t>(infer)] = ir::NumElements(in) / known;
  }
  return BindReshape(ctx, ref, shape);
}

Status ConvertFlatten(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape in = ShapeOf(ctx, v);
  int64_t axis = AttrInt(ref, "axis", 1);
  if (axis < 0) axis += static_cast<int64_t>(in.size());
  if (axis < 0 || axis > static_cast<int64_t>(in.size())) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "axis out of range");
  int64_t outer = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= in[static_cast<size_t>(k)];
  return BindReshape(ctx, ref, {outer, ir::NumElements(in) / std::max<int64_t>(outer, 1)});
}

Status ConvertSqueezeUnsqueeze(Context& ctx, const NodeRef& ref, bool squeeze) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape in = ShapeOf(ctx, v);
  bool given = false;
  ir::Shape out;
  if (squeeze) {
    EMBER_ASSIGN_OR_RETURN(auto axes, ReadAxes(ctx, ref, 1, in.size(), &given));
    for (size_t k = 0; k < in.size(); ++k) {
      const bool listed = std::find(axes.begin(), axes.end(), static_cast<int64_t>(k)) != axes.end();
      if (listed && in[k] != 1) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "squeezes an axis of size " + std::to_string(in[k]));
      if ((given && !listed) || (!given && in[k] != 1)) out.push_back(in[k]);
    }
  } else {
    bool dummy = false;
    std::vector<int64_t> raw;
    if (const auto* a = FindAttr(ref, "axes")) {
      raw.assign(a->ints().begin(), a->ints().end());
    } else {
      EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, 1, "axes"));
      for (int64_t k = 0; k < c->size(); ++k) raw.push_back(c->int_at(k));
    }
    (void)dummy;
    const size_t rank = in.size() + raw.size();
    std::vector<char> is_new(rank, 0);
    for (int64_t a : raw) {
      EMBER_ASSIGN_OR_RETURN(int64_t n, NormAxis(ctx, ref, a, rank));
      is_new[static_cast<size_t>(n)] = 1;
    }
    size_t src = 0;
    for (size_t k = 0; k < rank; ++k) out.push_back(is_new[k] ? 1 : in[src++]);
  }
  return BindReshape(ctx, ref, out);
}

Status ConvertTranspose(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const size_t rank = ShapeOf(ctx, v).size();
  std::vector<int64_t> perm = AttrInts(ref, "perm");
  if (perm.empty()) for (size_t k = rank; k-- > 0;) perm.push_back(static_cast<int64_t>(k));
  if (v.c && v.id == ir::kNoTensor) {
    BindOutput(ctx, ref, 0, ConstValue(PermuteConstTensor(*v.c, perm)));
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kTranspose, {x}, {{"perm", perm}}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertConcat(Context& ctx, const NodeRef& ref) {
  std::vector<Value> vals;
  bool all_const = true;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, k));
    all_const = all_const && v.c && v.id == ir::kNoTensor;
    vals.push_back(v);
  }
  if (vals.empty()) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has no inputs");
  const size_t rank = ShapeOf(ctx, vals[0]).size();
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), rank));
  if (all_const && rank == 1) {  // shape vectors
    ConstTensor c;
    c.elem_type = vals[0].c->elem_type;
    for (const Value& v : vals) {
      c.f.insert(c.f.end(), v.c->f.begin(), v.c->f.end());
      c.i.insert(c.i.end(), v.c->i.begin(), v.c->i.end());
    }
    c.shape = {static_cast<int64_t>(c.is_float() ? c.f.size() : c.i.size())};
    BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
    return Status::Ok();
  }
  std::vector<ir::TensorId> ins;
  for (size_t k = 0; k < vals.size(); ++k) {
    if (ir::NumElements(ShapeOf(ctx, vals[k])) == 0) continue;  // empty inputs add nothing
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, RuntimeInput(ctx, ref, k));
    // ONNX concatenates the stored integers of quantized tensors: one
    // quantized otherwise than the first is relabelled with its parameters.
    const ir::Tensor& t = ctx.graph.tensor(id);
    if (!ins.empty() && t.quant && t.quant->scale.size() == 1) {
      const ir::Tensor& first = ctx.graph.tensor(ins[0]);
      if (first.dtype == t.dtype && first.quant && first.quant->scale.size() == 1) {
        const ir::QuantParams q = *first.quant;  // a copy: WithQuant adds tensors
        EMBER_ASSIGN_OR_RETURN(id, WithQuant(ctx, ref, id, q));
      }
    }
    ins.push_back(id);
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kConcatenation, ins, {{"axis", axis}}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertSoftmax(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape in = ctx.graph.tensor(x).shape;
  const size_t rank = in.size();
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", ctx.opset >= 13 ? -1 : 1), rank));
  const std::string out = OutputName(ref, 0);
  const ir::Attrs beta{{"beta", 1.0}};
  if (axis == static_cast<int64_t>(rank) - 1) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kSoftmax, {x}, beta, out));
    BindOutput(ctx, ref, 0, Value{nullptr, y});
    return Status::Ok();
  }
  if (ctx.opset < 13) {  // softmax over the flattened trailing axes [axis, rank)
    int64_t outer = 1;
    for (int64_t k = 0; k < axis; ++k) outer *= in[static_cast<size_t>(k)];
    EMBER_ASSIGN_OR_RETURN(ir::TensorId r, AddNode(ctx, ref, OpKind::kReshape, {x},
                                                   {{"shape", ir::Shape{outer, ir::NumElements(in) / outer}}}, out + "_2d"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId s, AddNode(ctx, ref, OpKind::kSoftmax, {r}, beta, out + "_softmax"));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kReshape, {s}, {{"shape", in}}, out));
    BindOutput(ctx, ref, 0, Value{nullptr, y});
    return Status::Ok();
  }
  // Swap the axis with the last one, softmax, swap back.
  std::vector<int64_t> perm(rank);
  for (size_t k = 0; k < rank; ++k) perm[k] = static_cast<int64_t>(k);
  std::swap(perm[static_cast<size_t>(axis)], perm[rank - 1]);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, AddNode(ctx, ref, OpKind::kTranspose, {x}, {{"perm", perm}}, out + "_moved"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId s, AddNode(ctx, ref, OpKind::kSoftmax, {t}, beta, out + "_softmax"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kTranspose, {s}, {{"perm", perm}}, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertReduceMean(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const size_t rank = ctx.graph.tensor(x).shape.size();
  bool given = false;
  EMBER_ASSIGN_OR_RETURN(auto axes, ReadAxes(ctx, ref, 1, rank, &given));
  if (axes.empty()) {
    if (AttrInt(ref, "noop_with_empty_axes", 0) != 0) {
      BindOutput(ctx, ref, 0, Value{nullptr, x});
      return Status::Ok();
    }
    for (size_t k = 0; k < rank; ++k) axes.push_back(static_cast<int64_t>(k));
  }
  const int64_t keep = AttrInt(ref, "keepdims", 1) != 0 ? 1 : 0;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kMean, {x}, {{"axes", axes}, {"keep_dims", keep}},
                                                 OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

}  // namespace

Status ConvertMiscNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  *handled = true;
  if (op == "Identity") return Alias(ctx, ref);
  if (op == "Dropout") return ConvertDropout(ctx, ref);
  if (op == "Relu") return Unary(ctx, ref, OpKind::kRelu);
  if (op == "Sigmoid") return Unary(ctx, ref, OpKind::kLogistic);
  if (op == "Tanh") return Unary(ctx, ref, OpKind::kTanh);
  if (op == "HardSwish") return Unary(ctx, ref, OpKind::kHardSwish);
  if (op == "Clip") return ConvertClip(ctx, ref);
  if (op == "Sub" || op == "Div") {  // folded on constants only (no IR operator yet)
    EMBER_ASSIGN_OR_RETURN(Value a, Input(ctx, ref, 0));
    EMBER_ASSIGN_OR_RETURN(Value b, Input(ctx, ref, 1));
    if (a.c && b.c) return ConvertBinary(ctx, ref);
    return ConvertExtNode(ctx, ref, handled);
  }
  if (op == "Add" || op == "Mul") return ConvertBinary(ctx, ref);
  if (op == "Reshape") return ConvertReshape(ctx, ref);
  if (op == "Flatten") return ConvertFlatten(ctx, ref);
  if (op == "Squeeze") return ConvertSqueezeUnsqueeze(ctx, ref, true);
  if (op == "Unsqueeze") return ConvertSqueezeUnsqueeze(ctx, ref, false);
  if (op == "Transpose") return ConvertTranspose(ctx, ref);
  if (op == "Concat") return ConvertConcat(ctx, ref);
  if (op == "Softmax") return ConvertSoftmax(ctx, ref);
  if (op == "ReduceMean") return ConvertReduceMean(ctx, ref);
  EMBER_RETURN_IF_ERROR(ConvertFoldNode(ctx, ref, handled));
  if (*handled) return Status::Ok();
  return ConvertExtNode(ctx, ref, handled);
}

}  // namespace ember::frontend::onnx::detail
