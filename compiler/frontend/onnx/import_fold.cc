// Operators of the ONNX importer that are folded at import (Constant, Shape,
// Gather, Cast, ConstantOfShape; Slice on constants) and the quantization
// operators (QuantizeLinear/DequantizeLinear -> IR quantize/dequantize).
#include <algorithm>
#include <cmath>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
ConstTensor IntConst(ir::Shape shape, std::vector<int64_t> values, int32_t elem_type) {
  ConstTensor c;
  c.elem_type = elem_type;
  c.shape = std::move(shape);
  c.i = std::move(values);
  return c;
}

namespace {

using ir::OpKind;

Status ConvertConstant(Context& ctx, const NodeRef& ref) {
  ConstTensor c;
  if (const auto* a = FindAttr(ref, "value")) {
    EMBER_ASSIGN_OR_RETURN(c, ReadTensorProto(ctx, a->t()));
  } else if (const auto* a = FindAttr(ref, "value_float")) {
    c = FloatConst({}, {a->f()});
  } else if (const auto* a = FindAttr(ref, "value_floats")) {
    c = FloatConst({a->floats_size()}, std::vector<double>(a->floats().begin(), a->floats().end()));
  } else if (const auto* a = FindAttr(ref, "value_int")) {
    c.elem_type = pb::TensorProto::INT64;
    c.i = {a->i()};
  } else if (const auto* a = FindAttr(ref, "value_ints")) {
    c.elem_type = pb::TensorProto::INT64;
    c.shape = {a->ints_size()};
    c.i.assign(a->ints().begin(), a->ints().end());
  } else {
    return UnsupportedAttr(ctx, ref, "a sparse or string constant");
  }
  BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
  return Status::Ok();
}

Status ConvertShape(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape s = ShapeOf(ctx, v);
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t start = AttrInt(ref, "start", 0), end = AttrInt(ref, "end", r);
  if (start < 0) start += r;
  if (end < 0) end += r;
  start = std::clamp<int64_t>(start, 0, r);
  end = std::clamp<int64_t>(end, start, r);
  std::vector<int64_t> dims(s.begin() + start, s.begin() + end);
  BindOutput(ctx, ref, 0, ConstValue(IntConst({end - start}, dims)));
  return Status::Ok();
}

// Size: the element count of a static shape, an int64 scalar constant.
Status ConvertSize(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  int64_t n = 1;
  for (int64_t d : ShapeOf(ctx, v)) n *= d;
  BindOutput(ctx, ref, 0, ConstValue(IntConst({}, {n})));
  return Status::Ok();
}

// Gather of a run-time tensor: the gather operator, with constant indices
// normalized (negative ones count from the end) into an int32 constant, or
// run-time int32 or int64 indices (RuntimeIndices).
Status GatherAtRunTime(Context& ctx, const NodeRef& ref, const Value& iv) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  const ir::Shape shape = ctx.graph.tensor(x).shape;
  if (shape.empty()) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "gathers from a scalar");
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), shape.size()));
  const int64_t dim = shape[static_cast<size_t>(axis)];
  ir::TensorId idx = ir::kNoTensor;
  if (iv.c) {
    ConstTensor c;
    c.elem_type = pb::TensorProto::INT32;
    c.shape = iv.c->shape;
    for (int64_t j = 0; j < iv.c->size(); ++j) {
      int64_t i = iv.c->int_at(j);
      if (i < 0) i += dim;
      if (i < 0 || i >= dim) {
        return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "index " + std::to_string(iv.c->int_at(j)) + " is out of range");
      }
      c.i.push_back(i);
    }
    EMBER_ASSIGN_OR_RETURN(idx, AddConst(ctx, OutputName(ref, 0) + "_indices", c));
  } else {
    EMBER_ASSIGN_OR_RETURN(idx, RuntimeIndices(ctx, ref, 1));
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kGather, {x, idx}, {{"axis", axis}}, OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertGather(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value dv, Input(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(Value iv, Input(ctx, ref, 1));
  if (!dv.c || !iv.c) return GatherAtRunTime(ctx, ref, iv);
  EMBER_ASSIGN_OR_RETURN(auto data, ConstInput(ctx, ref, 0, "data"));
  EMBER_ASSIGN_OR_RETURN(auto idx, ConstInput(ctx, ref, 1, "indices"));
  const size_t rank = data->shape.size();
  if (rank == 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "gathers from a scalar");
  EMBER_ASSIGN_OR_RETURN(int64_t axis, NormAxis(ctx, ref, AttrInt(ref, "axis", 0), rank));
  const int64_t dim = data->shape[static_cast<size_t>(axis)];
  int64_t outer = 1, inner = 1;
  for (int64_t k = 0; k < axis; ++k) outer *= data->shape[static_cast<size_t>(k)];
  for (size_t k = static_cast<size_t>(axis) + 1; k < rank; ++k) inner *= data->shape[k];
  ConstTensor out;
  out.elem_type = data->elem_type;
  out.shape.assign(data->shape.begin(), data->shape.begin() + axis);
  out.shape.insert(out.shape.end(), idx->shape.begin(), idx->shape.end());
  out.shape.insert(out.shape.end(), data->shape.begin() + axis + 1, data->shape.end());
  if (outer * idx->size() * inner > kMaxFoldedElements) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kUnsupported, "gathers a constant that is too large");
  }
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t j = 0; j < idx->size(); ++j) {
      int64_t i = idx->int_at(j);
      if (i < 0) i += dim;
      if (i < 0 || i >= dim) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "index " + std::to_string(idx->int_at(j)) + " is out of range");
      for (int64_t k = 0; k < inner; ++k) {
        const size_t src = static_cast<size_t>((o * dim + i) * inner + k);
        if (data->is_float()) out.f.push_back(data->f[src]); else out.i.push_back(data->i[src]);
      }
    }
  }
  BindOutput(ctx, ref, 0, ConstValue(std::move(out)));
  return Status::Ok();
}

Status ConvertCast(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const int32_t to = static_cast<int32_t>(AttrInt(ref, "to", 0));
  if (v.c && v.id == ir::kNoTensor) {
    ConstTensor c;
    c.elem_type = to;
    c.shape = v.c->shape;
    for (int64_t k = 0; k < v.c->size(); ++k) {
      if (c.is_float()) c.f.push_back(RoundToFloatType(v.c->at(k), to));
      else if (to == pb::TensorProto::BOOL) c.i.push_back(v.c->at(k) != 0.0);
      else c.i.push_back(v.c->is_float() ? static_cast<int64_t>(std::trunc(v.c->at(k))) : v.c->int_at(k));
    }
    BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
    return Status::Ok();
  }
  // To double, float16 or bfloat16: float32; to float16 and bfloat16
  // rounded to that format (the IR cast's round attribute), from float32
  // or from a number cast to float32 first.
  const std::optional<ir::DType> dt = ToRuntimeDType(to);
  if (IsWidenedFloat(to)) WarnWidened(ctx, "the output of Cast node '" + ref.name + "'", to);
  if (const auto cast = IrOp("cast");
      cast && (to == pb::TensorProto::FLOAT16 || to == pb::TensorProto::BFLOAT16) && !ctx.u8_as_i8.count(v.id)) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
    if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
      EMBER_ASSIGN_OR_RETURN(x, AddNode(ctx, ref, *cast, {x}, {}, OutputName(ref, 0) + "/float32", ir::DType::kFloat32,
                                        std::nullopt));
    }
    const ir::Attrs round = {{"round", std::string(to == pb::TensorProto::FLOAT16 ? "float16" : "bfloat16")}};
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, *cast, {x}, round, OutputName(ref, 0), ir::DType::kFloat32,
                                                   std::nullopt));
    BindOutput(ctx, ref, 0, Value{nullptr, y});
    return Status::Ok();
  }
  if (dt == ctx.graph.tensor(v.id).dtype) {
    BindOutput(ctx, ref, 0, v);
    return Status::Ok();
  }
  // The int64 index of ArgMax/ArgMin cast to int32: the operator with an
  // int32 index (the same values; the int64 one is dropped unless read).
  for (const ir::Node& n : ctx.graph.nodes) {
    if ((n.op == ir::OpKind::kArgMax || n.op == ir::OpKind::kArgMin) && n.outputs[0] == v.id &&
        dt == ir::DType::kInt32) {
      const ir::Node arg = n;
      EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, arg.op, arg.inputs, arg.attrs, OutputName(ref, 0), dt));
      BindOutput(ctx, ref, 0, Value{nullptr, y});
      return Status::Ok();
    }
  }
  // Between float32, int32, int16, int8 and int64 (from bool too), and to
  // uint8 (the zero point of DynamicQuantizeLinear's function body): the
  // IR's cast, which converts the stored values as ONNX does (float to
  // integer truncates toward zero). Not from a uint8 tensor held as int8.
  const auto number = [](ir::DType d) {
    return d == ir::DType::kFloat32 || d == ir::DType::kInt32 || d == ir::DType::kInt16 || d == ir::DType::kInt8;
  };
  const ir::DType from = ctx.graph.tensor(v.id).dtype;
  const bool to_ok = dt && (number(*dt) || *dt == ir::DType::kInt64 || *dt == ir::DType::kUInt8);
  if (const auto cast = IrOp("cast"); cast && to_ok && !ctx.u8_as_i8.count(v.id) &&
                                      (number(from) || from == ir::DType::kBool || from == ir::DType::kInt64)) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, *cast, {x}, {}, OutputName(ref, 0), dt, std::nullopt));
    BindOutput(ctx, ref, 0, Value{nullptr, y});
    return Status::Ok();
  }
  return UnsupportedAttr(ctx, ref, "a cast to " + ElemTypeName(to) + " computed at run time",
                         "ember casts between float32, int32, int16, int8, int64, from bool and to uint8 at run time");
}

Status ConvertConstantOfShape(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(auto s, ConstInput(ctx, ref, 0, "shape"));
  ConstTensor c = FloatConst({}, {0.0});
  if (const auto* a = FindAttr(ref, "value")) {
    EMBER_ASSIGN_OR_RETURN(ConstTensor v, ReadTensorProto(ctx, a->t()));
    if (v.size() != 1) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "value is not a single element");
    c = v;
  }
  ConstTensor out;
  out.elem_type = c.elem_type;
  int64_t n = 1;
  for (int64_t k = 0; k < s->size(); ++k) {
    const int64_t d = s->int_at(k);
    if (d < 0 || (d > 0 && n > kMaxFoldedElements / d)) n = kMaxFoldedElements + 1;
    else n *= d;
    out.shape.push_back(d);
  }
  if (n > kMaxFoldedElements) return NodeError(ctx, ref, kBadOperand, ExitCode::kUnsupported, "makes a constant that is too large");
  if (c.is_float()) out.f.assign(static_cast<size_t>(n), c.f[0]); else out.i.assign(static_cast<size_t>(n), c.i[0]);
  BindOutput(ctx, ref, 0, ConstValue(std::move(out)));
  return Status::Ok();
}

// Slice: per-axis begin/end/step with ONNX's clamping; folded for constants,
// strided_slice otherwise.
Status ConvertSlice(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape in = ShapeOf(ctx, v);
  const size_t rank = in.size();
  EMBER_ASSIGN_OR_RETURN(auto starts, ConstInput(ctx, ref, 1, "starts"));
  EMBER_ASSIGN_OR_RETURN(auto ends, ConstInput(ctx, ref, 2, "ends"));
  const int64_t n = starts->size();
  if (ends->size() != n) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "starts and ends differ in length");
  std::vector<int64_t> begin(rank, 0), end(in.begin(), in.end()), step(rank, 1);
  int64_t end_mask = 0;
  std::shared_ptr<const ConstTensor> axes, steps;
  if (HasInput(ref, 3)) {
    EMBER_ASSIGN_OR_RETURN(axes, ConstInput(ctx, ref, 3, "axes"));
  }
  if (HasInput(ref, 4)) {
    EMBER_ASSIGN_OR_RETURN(steps, ConstInput(ctx, ref, 4, "steps"));
  }
  for (int64_t k = 0; k < n; ++k) {
    int64_t a = k;
    if (axes) {
      EMBER_ASSIGN_OR_RETURN(a, NormAxis(ctx, ref, axes->int_at(k), rank));
    }
    const size_t d = static_cast<size_t>(a);
    const int64_t dim = in[d];
    const int64_t st = steps ? steps->int_at(k) : 1;
    if (st == 0) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has step 0");
    int64_t b = starts->int_at(k), e = ends->int_at(k);
    if (b < 0) b += dim;
    if (e < 0) e += dim;
    if (st > 0) {
      b = std::clamp<int64_t>(b, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
    } else {
      b = std::clamp<int64_t>(b, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      if (e == -1) end_mask |= int64_t{1} << a;
    }
    begin[d] = b;
    end[d] = e;
    step[d] = st;
  }
  // Output shape; an empty result is not a tensor ember can hold.
  ir::Shape out(rank);
  for (size_t d = 0; d < rank; ++d) {
    const int64_t span = step[d] > 0 ? end[d] - begin[d] : begin[d] - end[d];
    const int64_t s = std::abs(step[d]);
    out[d] = span <= 0 ? 0 : (span + s - 1) / s;
  }
  const bool constant = v.c && v.id == ir::kNoTensor;
  // An empty constant (a shape's empty prefix) folds; a run-time tensor
  // without elements is refused.
  if (ir::NumElements(out) == 0 && !constant) return UnsupportedAttr(ctx, ref, "a slice with no elements");
  if (constant) {
    ConstTensor c;
    c.elem_type = v.c->elem_type;
    c.shape = out;
    std::vector<int64_t> stride(rank, 1), idx(rank, 0);
    for (size_t d = rank; d-- > 1;) stride[d - 1] = stride[d] * in[d];
    for (int64_t o = 0; o < ir::NumElements(out); ++o) {
      int64_t src = 0;
      for (size_t d = 0; d < rank; ++d) src += (begin[d] + idx[d] * step[d]) * stride[d];
      if (c.is_float()) c.f.push_back(v.c->f[static_cast<size_t>(src)]); else c.i.push_back(v.c->i[static_cast<size_t>(src)]);
      for (size_t d = rank; d-- > 0;) {
        if (++idx[d] < out[d]) break;
        idx[d] = 0;
      }
    }
    BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kStridedSlice, {x}, SliceAttrs(begin, end, step, end_mask),
                                                 OutputName(ref, 0)));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

// Scale and zero point inputs of QuantizeLinear/DequantizeLinear.
struct QParams {
  std::vector<float> scale;
  std::vector<int64_t> zero_point;
  int32_t zp_type = pb::TensorProto::UINT8;
};

Expected<QParams> ReadQParams(Context& ctx, const NodeRef& ref) {
  QParams q;
  EMBER_ASSIGN_OR_RETURN(auto s, ConstInput(ctx, ref, 1, "scale"));
  for (int64_t k = 0; k < s->size(); ++k) q.scale.push_back(static_cast<float>(s->at(k)));
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(auto z, ConstInput(ctx, ref, 2, "zero_point"));
    q.zp_type = z->elem_type;
    for (int64_t k = 0; k < z->size(); ++k) q.zero_point.push_back(z->int_at(k));
  }
  if (q.zero_point.empty()) q.zero_point.assign(q.scale.size(), 0);
  if (q.scale.empty() || q.zero_point.size() != q.scale.size()) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "scale and zero_point differ in size");
  }
  return q;
}

// Whether input `pos` is given and not a constant.
bool ComputedInput(Context& ctx, const NodeRef& ref, size_t pos) {
  if (!HasInput(ref, pos)) return false;
  auto v = Input(ctx, ref, pos);
  return v.ok() && !(v->c && v->id == ir::kNoTensor);
}

Status ConvertQuantize(Context& ctx, const NodeRef& ref) {
  if (ComputedInput(ctx, ref, 1) || ComputedInput(ctx, ref, 2)) return ConvertComputedQuantize(ctx, ref);
  EMBER_ASSIGN_OR_RETURN(QParams q, ReadQParams(ctx, ref));
  if (q.scale.size() != 1) return ConvertComputedQuantize(ctx, ref);  // per-axis, of a run-time tensor
  // int16 and uint16: the activations of A16W8 models (ONNX Runtime's
  // quantizer with QInt16 or QUInt16 activations); they stay
  // quantize/dequantize around float operators (fold-qdq folds int8 only).
  const bool as_i16 = q.zp_type == pb::TensorProto::UINT16;
  auto dt = as_i16 ? std::optional<ir::DType>(ir::DType::kInt16) : ToDType(q.zp_type);
  if (!dt || (*dt != ir::DType::kInt8 && *dt != ir::DType::kUInt8 && *dt != ir::DType::kInt16)) {
    return UnsupportedAttr(ctx, ref, "output type " + ElemTypeName(q.zp_type),
                           "ember quantizes to int8, uint8, int16 and uint16");
  }
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  // A uint8 result inside the graph is held as int8 (zero point - 128), so
  // that fold-qdq makes int8 operators of what reads it; exact.
  // A graph output gets its uint8 back at the end (ConvertGraphOutputs).
  // A uint16 one is held as int16 likewise (zero point - 32768): quantizing
  // to [0, 65535] and shifting equals quantizing to [-32768, 32767] with
  // the shifted zero point, and DequantizeLinear subtracts it again.
  const bool as_i8 = *dt == ir::DType::kUInt8;
  ir::QuantParams qp{q.scale, q.zero_point, 0};
  if (as_i8) qp.zero_point[0] -= 128;
  if (as_i16) qp.zero_point[0] -= 32768;
  ir::Attrs attrs;
  if (ctx.int8_semantics != "tflite") attrs["int8_semantics"] = ctx.int8_semantics;
  // fold-qdq passes this on where ONNX Runtime adds zero points in float
  // (ops::OnnxUint8Offset).
  if (as_i8) attrs["onnx_uint8"] = int64_t{1};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kQuantize, {x}, attrs, OutputName(ref, 0),
                                                 as_i8 ? ir::DType::kInt8 : *dt, qp));
  if (as_i8) ctx.u8_as_i8.insert(y);
  if (as_i16) ctx.u16_as_i16.insert(y);
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

}  // namespace

ConstTensor DequantizedConst(const ConstTensor& q, const ir::QuantParams& p) {
  ConstTensor c = FloatConst(q.shape, {});
  const bool per_axis = p.scale.size() > 1;
  const int64_t channels = per_axis ? q.shape[static_cast<size_t>(p.axis)] : 1;
  int64_t inner = 1;
  if (per_axis) {
    for (size_t k = static_cast<size_t>(p.axis) + 1; k < q.shape.size(); ++k) inner *= q.shape[k];
  }
  for (int64_t k = 0; k < q.size(); ++k) {
    const size_t ch = static_cast<size_t>((k / inner) % channels);
    c.f.push_back(p.scale[ch] * static_cast<float>(q.int_at(k) - p.zero_point[ch]));
  }
  return c;
}

namespace {

Status ConvertDequantize(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  // Run-time parameters, the plain 8-bit result of a `cast` (a computed
  // QuantizeLinear's, a Cast's) or DynamicQuantizeLinear's uint8 values held
  // in float32: dequantized by arithmetic.
  bool cast_result = false;
  if (v.id != ir::kNoTensor && !ctx.graph.tensor(v.id).quant) {
    for (const ir::Node& n : ctx.graph.nodes) cast_result = cast_result || (n.op == OpKind::kCast && n.outputs[0] == v.id);
  }
  const bool dql_result = ctx.u8_in_float.count(ref.node->input(0)) > 0;  // DynamicQuantizeLinear's, in float32
  if (cast_result || dql_result || ComputedInput(ctx, ref, 1) || ComputedInput(ctx, ref, 2)) {
    return ConvertComputedDequantize(ctx, ref);
  }
  EMBER_ASSIGN_OR_RETURN(QParams q, ReadQParams(ctx, ref));
  const ir::Shape shape = ShapeOf(ctx, v);
  const bool constant = v.c && v.id == ir::kNoTensor;
  // A uint8 operand, held as int8 (see ConvertQuantize): marked for fold-qdq.
  ir::Attrs attrs;
  if (constant && v.c->elem_type == pb::TensorProto::UINT8) {
    attrs["onnx_uint8"] = int64_t{1};
    // uint8 constants become int8 (value and zero point - 128; exact).
    ConstTensor c = *v.c;
    c.elem_type = pb::TensorProto::INT8;
    for (int64_t& e : c.i) e -= 128;
    for (int64_t& z : q.zero_point) z -= 128;
    v = ConstValue(std::move(c));
  } else if (constant && v.c->elem_type == pb::TensorProto::UINT16) {
    // uint16 constants become int16 likewise (- 32768; exact).
    ConstTensor c = *v.c;
    c.elem_type = pb::TensorProto::INT16;
    for (int64_t& e : c.i) e -= 32768;
    for (int64_t& z : q.zero_point) z -= 32768;
    v = ConstValue(std::move(c));
  } else if (!constant && v.id != ir::kNoTensor && ctx.u8_as_i8.count(v.id)) {
    attrs["onnx_uint8"] = int64_t{1};
    for (int64_t& z : q.zero_point) z -= 128;
  } else if (!constant && v.id != ir::kNoTensor && ctx.u16_as_i16.count(v.id)) {
    for (int64_t& z : q.zero_point) z -= 32768;
  }
  int32_t axis = 0;
  if (q.scale.size() > 1) {
    EMBER_ASSIGN_OR_RETURN(int64_t a, NormAxis(ctx, ref, AttrInt(ref, "axis", 1), shape.size()));
    axis = static_cast<int32_t>(a);
    if (shape[static_cast<size_t>(a)] != static_cast<int64_t>(q.scale.size())) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has " + std::to_string(q.scale.size()) + " scales for axis size " + std::to_string(shape[static_cast<size_t>(a)]));
    }
  }
  if (v.c && v.id == ir::kNoTensor && q.scale.size() > 1) {
    // Per-axis constants (weights, biases) are dequantized at import.
    const ir::QuantParams qp{q.scale, q.zero_point, axis};
    ConstTensor c = DequantizedConst(*v.c, qp);
    // Weights keep their integers and quantization (Weights() in import_nn.cc).
    ctx.dq_consts[OutputName(ref, 0)] = Context::DqConst{*v.c, qp};
    BindOutput(ctx, ref, 0, ConstValue(std::move(c)));
    return Status::Ok();
  }
  ir::TensorId x;
  if (v.c && v.id == ir::kNoTensor) {
    EMBER_ASSIGN_OR_RETURN(x, AddConst(ctx, ref.node->input(0), *v.c));
  } else {
    EMBER_ASSIGN_OR_RETURN(x, RuntimeInput(ctx, ref, 0));
    if (ctx.graph.tensor(x).dtype == ir::DType::kUInt8 && q.scale.size() == 1) {
      // A uint8 graph input (or other run-time uint8): to int8 first.
      EMBER_ASSIGN_OR_RETURN(x, WithQuant(ctx, ref, x, ir::QuantParams{q.scale, q.zero_point, 0}));
      EMBER_ASSIGN_OR_RETURN(x, U8ToI8(ctx, ref, x));
      attrs["onnx_uint8"] = int64_t{1};
      for (int64_t& z : q.zero_point) z -= 128;
    }
  }
  const ir::QuantParams qp{q.scale, q.zero_point, axis};
  if (v.c && v.id == ir::kNoTensor) ctx.dq_consts[OutputName(ref, 0)] = Context::DqConst{*v.c, qp};
  EMBER_ASSIGN_OR_RETURN(x, WithQuant(ctx, ref, x, qp));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kDequantize, {x}, attrs, OutputName(ref, 0), ir::DType::kFloat32));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

// Range of constant start, limit and delta (exporters compute position ids
// and the like from shapes this way): folded to a constant of
// max(ceil((limit - start) / delta), 0) elements start + k·delta, in the
// inputs' type (float32 values computed in float32, as ONNX's function
// body accumulates them). Run-time inputs would make the length depend on
// the data, which a static memory plan cannot hold.
Status ConvertRange(Context& ctx, const NodeRef& ref) {
  std::shared_ptr<const ConstTensor> c[3];
  for (size_t k = 0; k < 3; ++k) {
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, k));
    if (!v.c) {
      return UnsupportedAttr(ctx, ref, "Range of values computed at run time",
                             "its length would depend on them; give constant start, limit and delta");
    }
    c[k] = v.c;
    if (c[k]->size() != 1) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "an input is not one value");
  }
  ConstTensor out;
  out.elem_type = c[0]->elem_type;
  const double start = c[0]->at(0), limit = c[1]->at(0), delta = c[2]->at(0);
  const double n = delta == 0.0 ? -1.0 : std::ceil((limit - start) / delta);
  if (!(n <= static_cast<double>(kMaxFoldedElements))) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kUnsupported,
                     "has delta " + std::to_string(delta) + " and folds to too many elements",
                     "give a non-zero delta and at most 2^24 elements");
  }
  const int64_t count = n > 0 ? static_cast<int64_t>(n) : 0;
  out.shape = {count};
  if (c[0]->is_float()) {
    float v = static_cast<float>(start);
    for (int64_t k = 0; k < count; ++k, v += static_cast<float>(delta)) out.f.push_back(v);
  } else {
    for (int64_t k = 0; k < count; ++k) out.i.push_back(c[0]->i[0] + k * c[2]->i[0]);
  }
  BindOutput(ctx, ref, 0, ConstValue(std::move(out)));
  return Status::Ok();
}

// EyeLike: a constant of the input's (static, 2-D) shape with ones where
// column − row = k and zeros elsewhere, of type `dtype` (else the input's).
// Only the input's shape is read, so the node folds at import.
Status ConvertEyeLike(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, 0));
  const ir::Shape shape = ShapeOf(ctx, v);
  if (shape.size() != 2) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "input has rank " + std::to_string(shape.size()) + "; EyeLike takes a 2-D tensor");
  }
  if (shape[0] > 0 && shape[1] > kMaxFoldedElements / shape[0]) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kUnsupported, "makes a constant that is too large");
  }
  ConstTensor out;
  out.elem_type = v.c ? v.c->elem_type : pb::TensorProto::FLOAT;
  if (!v.c) {
    for (const auto& [onnx_type, dtype] : {std::pair{pb::TensorProto::FLOAT, ir::DType::kFloat32},
                                            std::pair{pb::TensorProto::INT32, ir::DType::kInt32},
                                            std::pair{pb::TensorProto::INT16, ir::DType::kInt16},
                                            std::pair{pb::TensorProto::INT8, ir::DType::kInt8},
                                            std::pair{pb::TensorProto::BOOL, ir::DType::kBool}}) {
      if (ctx.graph.tensor(v.id).dtype == dtype) out.elem_type = onnx_type;
    }
  }
  if (const auto* a = FindAttr(ref, "dtype")) out.elem_type = static_cast<int32_t>(a->i());
  out.shape = shape;
  const int64_t k = AttrInt(ref, "k", 0);
  std::vector<double> values(static_cast<size_t>(shape[0] * shape[1]), 0.0);
  for (int64_t r = 0; r < shape[0]; ++r) {
    const int64_t col = r + k;
    if (col >= 0 && col < shape[1]) values[static_cast<size_t>(r * shape[1] + col)] = 1.0;
  }
  if (out.is_float()) out.f = std::move(values);
  else out.i.assign(values.begin(), values.end());
  BindOutput(ctx, ref, 0, ConstValue(std::move(out)));
  return Status::Ok();
}

}  // namespace

// `x` with quantization `qp`: given to a tensor that has none; a tensor
// quantized otherwise is relabelled by a reshape to its own shape (a byte
// copy whose output carries `qp`), as DequantizeLinear reads the integers
// with its own scale and zero point whatever produced them.
Expected<ir::TensorId> WithQuant(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::QuantParams& qp) {
  ir::Tensor& t = ctx.graph.tensor(x);
  if (!t.quant) t.quant = qp;
  if (*t.quant == qp) return x;
  const bool u8_as_i8 = ctx.u8_as_i8.count(x) > 0;
  const bool u16_as_i16 = ctx.u16_as_i16.count(x) > 0;
  const ir::Shape shape = t.shape;
  const std::string name = t.name + "_requantized";
  const ir::DType dtype = t.dtype;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, OpKind::kReshape, {x}, {{"shape", shape}}, name, dtype, qp));
  if (u8_as_i8) ctx.u8_as_i8.insert(y);
  if (u16_as_i16) ctx.u16_as_i16.insert(y);
  return y;
}

Status ConvertFoldNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  *handled = true;
  if (op == "Constant") return ConvertConstant(ctx, ref);
  if (op == "Shape") return ConvertShape(ctx, ref);
  if (op == "Size") return ConvertSize(ctx, ref);
  if (op == "Gather") return ConvertGather(ctx, ref);
  if (op == "Cast") return ConvertCast(ctx, ref);
  if (op == "ConstantOfShape") return ConvertConstantOfShape(ctx, ref);
  if (op == "Slice") return ConvertSlice(ctx, ref);
  if (op == "Range") return ConvertRange(ctx, ref);
  if (op == "EyeLike") return ConvertEyeLike(ctx, ref);
  if (op == "QuantizeLinear") return ConvertQuantize(ctx, ref);
  if (op == "DequantizeLinear") return ConvertDequantize(ctx, ref);
  *handled = false;
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
