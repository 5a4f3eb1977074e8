// Per-operator conversion of the TFLite importer: operands and attributes
// exactly as docs/operators.md fixes them. Constant inputs that TFLite uses
// for parameters (reshape shape, pad paddings, mean axes, transpose perm,
// strided-slice begin/end/strides) become attributes and are not operands.
#include <algorithm>

#include "frontend/tflite/import_internal.h"

namespace ember::frontend::tflite::detail {
namespace {

namespace tfl = ::tflite;

constexpr const char* kReexport = "the model file is damaged; re-export it from the converter";

Status CheckMaxInputs(Context& ctx, const OpRef& op, size_t max_inputs) {
  if (NumInputs(op) <= max_inputs) return Status::Ok();
  return OpError(ctx, op, kOperandCount, ExitCode::kFailure,
                 "has " + std::to_string(NumInputs(op)) + " inputs; at most " +
                     std::to_string(max_inputs) + " are expected",
                 kReexport);
}

Status SetAct(Context& ctx, const OpRef& op, tfl::ActivationFunctionType act, ir::Node& node) {
  switch (act) {
    case tfl::ActivationFunctionType::NONE: node.attrs["act"] = std::string("none"); break;
    case tfl::ActivationFunctionType::RELU: node.attrs["act"] = std::string("relu"); break;
    case tfl::ActivationFunctionType::RELU_N1_TO_1:
      node.attrs["act"] = std::string("relu_n1_to_1");
      break;
    case tfl::ActivationFunctionType::RELU6: node.attrs["act"] = std::string("relu6"); break;
    case tfl::ActivationFunctionType::TANH:
    case tfl::ActivationFunctionType::SIGN_BIT:
      return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                     std::string("fused activation ") + tfl::EnumNameActivationFunctionType(act) +
                         " is not supported",
                     "supported fused activations: NONE, RELU, RELU_N1_TO_1, RELU6");
    default:
      return OpError(ctx, op, kInvalidOption, ExitCode::kFailure,
                     "unknown fused activation code " + std::to_string(static_cast<int>(act)),
                     kReexport);
  }
  return Status::Ok();
}

Diagnostic MissingOptions(Context& ctx, const OpRef& op, const char* table) {
  return OpError(ctx, op, kInvalidOption, ExitCode::kFailure,
                 std::string("has no ") + table + " (builtin options missing or of another type)",
                 kReexport);
}

Status CheckPositive(Context& ctx, const OpRef& op, const char* what, int64_t v) {
  if (v > 0) return Status::Ok();
  return OpError(ctx, op, kInvalidOption, ExitCode::kFailure,
                 std::string(what) + " is " + std::to_string(v) + "; it must be at least 1",
                 kReexport);
}

// Explicit [before, after] padding of one spatial axis (semantics doc §3):
// SAME pads so that out = ceil(in / stride), the odd pixel at the end; VALID
// does not pad.
Expected<std::pair<int64_t, int64_t>> AxisPads(Context& ctx, const OpRef& op, tfl::Padding p,
                                               int64_t in, int64_t filter, int64_t stride,
                                               int64_t dilation) {
  if (p == tfl::Padding::VALID) return std::pair<int64_t, int64_t>{0, 0};
  if (p != tfl::Padding::SAME) {
    return OpError(ctx, op, kInvalidOption, ExitCode::kFailure,
                   "unknown padding code " + std::to_string(static_cast<int>(p)), kReexport);
  }
  const int64_t eff = (filter - 1) * dilation + 1;
  const int64_t out = (in + stride - 1) / stride;
  const int64_t total = std::max<int64_t>(0, (out - 1) * stride + eff - in);
  return std::pair<int64_t, int64_t>{total / 2, total - total / 2};
}

// Sets stride, dilation (unless pool) and pad for conv/depthwise/pool nodes.
// `kh`, `kw` are the window size.
Status SetWindowAttrs(Context& ctx, const OpRef& op, ir::Node& node, tfl::Padding padding,
                      int64_t kh, int64_t kw, int64_t sh, int64_t sw, int64_t dh, int64_t dw,
                      bool pool) {
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "stride_h", sh));
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "stride_w", sw));
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "dilation_h_factor", dh));
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "dilation_w_factor", dw));
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "filter height", kh));
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "filter width", kw));
  const ir::Shape& in = ctx.graph.tensor(node.inputs[0]).shape;
  if (in.size() != 4) {
    return OpError(ctx, op, kOperandRank, ExitCode::kFailure,
                   "input has shape " + ir::ShapeToString(in) + "; a 4-D NHWC tensor is expected");
  }
  EMBER_ASSIGN_OR_RETURN(auto ph, AxisPads(ctx, op, padding, in[1], kh, sh, dh));
  EMBER_ASSIGN_OR_RETURN(auto pw, AxisPads(ctx, op, padding, in[2], kw, sw, dw));
  node.attrs["stride"] = std::vector<int64_t>{sh, sw};
  if (!pool) node.attrs["dilation"] = std::vector<int64_t>{dh, dw};
  if (pool) node.attrs["filter"] = std::vector<int64_t>{kh, kw};
  node.attrs["pad"] = std::vector<int64_t>{ph.first, pw.first, ph.second, pw.second};
  return Status::Ok();
}

Status ConvertConv(Context& ctx, const OpRef& op, ir::Node& node, bool depthwise) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 3));
  for (size_t pos = 0; pos < 3; ++pos) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Operand(ctx, op, pos, /*optional=*/pos == 2));
    node.inputs.push_back(id);
  }
  const ir::Shape& filter = ctx.graph.tensor(node.inputs[1]).shape;
  if (filter.size() != 4) {
    return OpError(ctx, op, kOperandRank, ExitCode::kFailure,
                   "filter has shape " + ir::ShapeToString(filter) + "; a 4-D tensor is expected");
  }
  if (!depthwise) {
    const auto* o = op.op->builtin_options_as_Conv2DOptions();
    if (!o) return MissingOptions(ctx, op, "Conv2DOptions");
    EMBER_RETURN_IF_ERROR(SetWindowAttrs(ctx, op, node, o->padding(), filter[1], filter[2],
                                         o->stride_h(), o->stride_w(), o->dilation_h_factor(),
                                         o->dilation_w_factor(), false));
    return SetAct(ctx, op, o->fused_activation_function(), node);
  }
  const auto* o = op.op->builtin_options_as_DepthwiseConv2DOptions();
  if (!o) return MissingOptions(ctx, op, "DepthwiseConv2DOptions");
  EMBER_RETURN_IF_ERROR(SetWindowAttrs(ctx, op, node, o->padding(), filter[1], filter[2],
                                       o->stride_h(), o->stride_w(), o->dilation_h_factor(),
                                       o->dilation_w_factor(), false));
  // The option is redundant (and left 0 by some converters): the filter's
  // channel count over the input's is authoritative, as in TFLite's kernels.
  const int64_t in_c = ctx.graph.tensor(node.inputs[0]).shape[3];
  int64_t dm = o->depth_multiplier();
  if (in_c > 0 && filter[3] % in_c == 0) dm = filter[3] / in_c;
  node.attrs["depth_multiplier"] = dm;
  return SetAct(ctx, op, o->fused_activation_function(), node);
}

Status ConvertFullyConnected(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 3));
  for (size_t pos = 0; pos < 3; ++pos) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Operand(ctx, op, pos, /*optional=*/pos == 2));
    node.inputs.push_back(id);
  }
  const auto* o = op.op->builtin_options_as_FullyConnectedOptions();
  if (o && o->weights_format() != tfl::FullyConnectedOptionsWeightsFormat::DEFAULT) {
    return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                   "shuffled weights format is not supported",
                   "convert the model with the default weights format");
  }
  node.attrs["keep_num_dims"] = int64_t{o && o->keep_num_dims() ? 1 : 0};
  return SetAct(ctx, op, o ? o->fused_activation_function() : tfl::ActivationFunctionType::NONE,
                node);
}

// SVDF: x, weights_feature, weights_time, optional bias, and the state, a
// variable tensor that the node updates in place.
Status ConvertSvdf(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 5));
  for (size_t pos = 0; pos < 5; ++pos) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Operand(ctx, op, pos, /*optional=*/pos == 3));
    node.inputs.push_back(id);
  }
  const auto* o = op.op->builtin_options_as_SVDFOptions();
  if (!o) return MissingOptions(ctx, op, "SVDFOptions");
  node.attrs["rank"] = int64_t{o->rank()};
  return SetAct(ctx, op, o->fused_activation_function(), node);
}

// UNIDIRECTIONAL_SEQUENCE_LSTM: TFLite's 24 inputs to the IR's 15 (ops/lstm_util.h).
// As TFLite Micro, only the standard LSTM: every gate present (no CIFG), no
// peephole, projection or layer norm, a tanh cell gate, full recurrent
// weights; anything else is refused naming the operator.
Status ConvertLstm(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 24));
  struct Variant {
    size_t from, to;
    const char* what;
  };
  for (const Variant& v : {Variant{9, 11, "peephole connections (inputs 9-11)"},
                           Variant{16, 17, "a projection layer (inputs 16-17)"},
                           Variant{20, 23, "layer normalization (inputs 20-23)"}}) {
    for (size_t pos = v.from; pos <= v.to; ++pos) {
      if (InputIndex(op, pos) < 0) continue;
      return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                     std::string("is an LSTM with ") + v.what + ", which TFLite Micro does not support either",
                     "convert a standard (Keras) LSTM: no peephole, projection or layer normalization");
    }
  }
  for (size_t pos : {size_t{1}, size_t{5}, size_t{12}}) {
    if (InputIndex(op, pos) >= 0) continue;
    return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                   "is an LSTM without an input gate (CIFG, input " + std::to_string(pos) +
                       " absent), which TFLite Micro does not support either",
                   "convert a standard (Keras) LSTM with all four gates");
  }
  for (size_t pos : {0, 1, 2, 3, 4, 5, 6, 7, 8, 12, 13, 14, 15, 18, 19}) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Operand(ctx, op, pos));
    node.inputs.push_back(id);
  }
  const auto* o = op.op->builtin_options_as_UnidirectionalSequenceLSTMOptions();
  if (!o) return MissingOptions(ctx, op, "UnidirectionalSequenceLSTMOptions");
  if (o->fused_activation_function() != tfl::ActivationFunctionType::TANH) {
    return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                   std::string("has the cell activation ") +
                       tfl::EnumNameActivationFunctionType(o->fused_activation_function()) +
                       "; TFLite Micro's LSTM computes tanh only",
                   "convert the LSTM with activation='tanh'");
  }
  if (o->diagonal_recurrent_tensors()) {
    return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                   "has diagonal recurrent weights, which TFLite Micro does not support",
                   "convert a standard (Keras) LSTM");
  }
  node.attrs["time_major"] = int64_t{o->time_major() ? 1 : 0};
  if (o->cell_clip() > 0) node.attrs["cell_clip"] = static_cast<double>(o->cell_clip());
  return Status::Ok();
}

Status ConvertPool(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 1));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  const auto* o = op.op->builtin_options_as_Pool2DOptions();
  if (!o) return MissingOptions(ctx, op, "Pool2DOptions");
  EMBER_RETURN_IF_ERROR(SetWindowAttrs(ctx, op, node, o->padding(), o->filter_height(),
                                       o->filter_width(), o->stride_h(), o->stride_w(), 1, 1,
                                       true));
  return SetAct(ctx, op, o->fused_activation_function(), node);
}

// Operators whose `num_inputs` TFLite inputs are all required IR operands.
Status ConvertPlain(Context& ctx, const OpRef& op, ir::Node& node, size_t num_inputs) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, num_inputs));
  for (size_t pos = 0; pos < num_inputs; ++pos) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Operand(ctx, op, pos));
    node.inputs.push_back(id);
  }
  return Status::Ok();
}

// Non-negative, ascending, unique axes of a rank-`rank` tensor.
Expected<std::vector<int64_t>> NormalizeAxes(Context& ctx, const OpRef& op,
                                             std::vector<int64_t> axes, int64_t rank,
                                             const char* what, const char* id) {
  for (int64_t& a : axes) {
    if (a < -rank || a >= rank) {
      return OpError(ctx, op, id, ExitCode::kFailure,
                     std::string(what) + " " + std::to_string(a) + " is out of range for rank " +
                         std::to_string(rank),
                     kReexport);
    }
    if (a < 0) a += rank;
  }
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

int64_t RankOf(const Context& ctx, ir::TensorId id) {
  return static_cast<int64_t>(ctx.graph.tensor(id).shape.size());
}

// The shape the file gives output 0 of the operator.
Expected<std::vector<int64_t>> OutputShapeInFile(Context& ctx, const OpRef& op) {
  const int32_t out = op.op->outputs() && op.op->outputs()->size() > 0 ? op.op->outputs()->Get(0) : -1;
  if (out < 0 || static_cast<size_t>(out) >= ctx.num_tensors) {
    return OpError(ctx, op, kTensorIndex, ExitCode::kFailure, "output 0 is out of range", kReexport);
  }
  const auto* dims = ctx.subgraph->tensors()->Get(static_cast<flatbuffers::uoffset_t>(out))->shape();
  std::vector<int64_t> shape;
  if (dims) shape.assign(dims->begin(), dims->end());
  return shape;
}

// Target shape of RESHAPE: the constant shape input if there is one, else
// the new_shape option, else the output tensor's shape. Legacy [0] means a
// scalar; one -1 is resolved from the input's element count.
Status ConvertReshape(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  std::vector<int64_t> shape;
  const auto* o = op.op->builtin_options_as_ReshapeOptions();
  const int32_t shape_index = InputIndex(op, 1);
  const bool shape_const = shape_index >= 0 &&
                           static_cast<size_t>(shape_index) < ctx.num_tensors &&
                           ConstData(ctx, shape_index) != nullptr;
  if (shape_const) {
    EMBER_ASSIGN_OR_RETURN(shape, ConstInts(ctx, op, 1, "shape"));
  } else if (o && o->new_shape()) {
    shape.assign(o->new_shape()->begin(), o->new_shape()->end());
  } else {
    EMBER_ASSIGN_OR_RETURN(shape, OutputShapeInFile(ctx, op));
  }
  const int64_t in_elems = ctx.graph.tensor(in).num_elements();
  if (shape.size() == 1 && shape[0] == 0 && in_elems == 1) shape.clear();
  int64_t known = 1;
  int unknown = -1;
  for (size_t i = 0; i < shape.size(); ++i) {
    const bool dup = shape[i] == -1 && unknown >= 0;
    if ((shape[i] < 0 && shape[i] != -1) || dup || (shape[i] > 0 && known > (int64_t{1} << 40) / shape[i])) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "target shape " + ir::ShapeToString(shape) + " is invalid",
                     "a reshape target may hold one -1 and otherwise non-negative sizes");
    }
    if (shape[i] == -1) unknown = static_cast<int>(i);
    else known *= shape[i];
  }
  if (unknown >= 0) {
    if (known == 0 || in_elems % known != 0) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "target shape " + ir::ShapeToString(shape) + " does not fit " +
                         std::to_string(in_elems) + " input elements");
    }
    shape[static_cast<size_t>(unknown)] = in_elems / known;
  }
  node.attrs["shape"] = shape;
  return Status::Ok();
}

Status ConvertStridedSlice(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 4));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  EMBER_ASSIGN_OR_RETURN(auto begin, ConstInts(ctx, op, 1, "begin"));
  EMBER_ASSIGN_OR_RETURN(auto end, ConstInts(ctx, op, 2, "end"));
  EMBER_ASSIGN_OR_RETURN(auto strides, ConstInts(ctx, op, 3, "strides"));
  if (begin.size() != end.size() || begin.size() != strides.size()) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "begin, end and strides have " + std::to_string(begin.size()) + ", " +
                       std::to_string(end.size()) + " and " + std::to_string(strides.size()) +
                       " entries; they must be equal",
                   kReexport);
  }
  const auto* o = op.op->builtin_options_as_StridedSliceOptions();
  if (o && (o->ellipsis_mask() != 0 || o->new_axis_mask() != 0 || o->offset())) {
    return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                   "ellipsis_mask, new_axis_mask and offset are not supported",
                   "express the slice with begin/end/shrink masks only");
  }
  node.attrs["begin"] = begin;
  node.attrs["end"] = end;
  node.attrs["strides"] = strides;
  node.attrs["begin_mask"] = int64_t{o ? o->begin_mask() : 0};
  node.attrs["end_mask"] = int64_t{o ? o->end_mask() : 0};
  node.attrs["shrink_axis_mask"] = int64_t{o ? o->shrink_axis_mask() : 0};
  return Status::Ok();
}

// PAD, MEAN, REDUCE_MAX, SUM, TRANSPOSE: one data input plus one constant parameter input
// (PADV2 and MIRROR_PAD: pad's paddings; PADV2 has a third input, its value).
Status ConvertWithParam(Context& ctx, const OpRef& op, ir::Node& node, size_t max_inputs = 2) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, max_inputs));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  const int64_t rank = RankOf(ctx, in);
  if (node.op == ir::OpKind::kPad || node.op == ir::OpKind::kMirrorPad) {
    EMBER_ASSIGN_OR_RETURN(auto pads, ConstInts(ctx, op, 1, "paddings"));
    const bool negative = std::any_of(pads.begin(), pads.end(), [](int64_t v) { return v < 0; });
    if (static_cast<int64_t>(pads.size()) != 2 * rank || negative) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "paddings " + ir::ShapeToString(pads) + " do not fit an input of rank " +
                         std::to_string(rank) + " (2 non-negative values per axis expected)",
                     kReexport);
    }
    node.attrs["pads"] = pads;  // row-major [rank, 2] = [before0, after0, before1, ...]
  } else if (node.op == ir::OpKind::kMean || node.op == ir::OpKind::kReduceMax ||
             node.op == ir::OpKind::kReduceMin || node.op == ir::OpKind::kReduceProd ||
             node.op == ir::OpKind::kReduceSum) {
    EMBER_ASSIGN_OR_RETURN(auto axes, ConstInts(ctx, op, 1, "axis"));
    EMBER_ASSIGN_OR_RETURN(node.attrs["axes"],
                           NormalizeAxes(ctx, op, axes, rank, "axis", kBadConstant));
    const auto* o = op.op->builtin_options_as_ReducerOptions();
    node.attrs["keep_dims"] = int64_t{o && o->keep_dims() ? 1 : 0};
  } else {
    EMBER_ASSIGN_OR_RETURN(auto perm, ConstInts(ctx, op, 1, "perm"));
    node.attrs["perm"] = perm;
  }
  return Status::Ok();
}

Status ConvertConcatenation(Context& ctx, const OpRef& op, ir::Node& node) {
  if (NumInputs(op) == 0) {
    return OpError(ctx, op, kOperandCount, ExitCode::kFailure, "has no inputs", kReexport);
  }
  EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, NumInputs(op)));
  const auto* o = op.op->builtin_options_as_ConcatenationOptions();
  const int64_t axis = o ? o->axis() : 0;
  EMBER_ASSIGN_OR_RETURN(auto axes, NormalizeAxes(ctx, op, {axis}, RankOf(ctx, node.inputs[0]),
                                                  "axis", kInvalidOption));
  node.attrs["axis"] = axes[0];
  return SetAct(ctx, op, o ? o->fused_activation_function() : tfl::ActivationFunctionType::NONE,
                node);
}

Status ConvertSqueeze(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 1));
  const auto* o = op.op->builtin_options_as_SqueezeOptions();
  std::vector<int64_t> axes;
  if (o && o->squeeze_dims()) axes.assign(o->squeeze_dims()->begin(), o->squeeze_dims()->end());
  EMBER_ASSIGN_OR_RETURN(node.attrs["axes"], NormalizeAxes(ctx, op, axes, RankOf(ctx, node.inputs[0]),
                                                           "squeeze axis", kInvalidOption));
  return Status::Ok();
}

// RESIZE_NEAREST_NEIGHBOR, RESIZE_BILINEAR: the constant size input
// [new_height, new_width] becomes `size`; align_corners and
// half_pixel_centers become 0/1 attributes.
Status ConvertResize(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  EMBER_ASSIGN_OR_RETURN(auto size, ConstInts(ctx, op, 1, "size"));
  if (size.size() != 2 || size[0] < 0 || size[1] < 0) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "size " + ir::ShapeToString(size) + " is not [new_height, new_width]", kReexport);
  }
  node.attrs["size"] = size;
  bool align = false, half = false;
  if (node.op == ir::OpKind::kResizeBilinear) {
    const auto* o = op.op->builtin_options_as_ResizeBilinearOptions();
    align = o && o->align_corners();
    half = o && o->half_pixel_centers();
  } else {
    const auto* o = op.op->builtin_options_as_ResizeNearestNeighborOptions();
    align = o && o->align_corners();
    half = o && o->half_pixel_centers();
  }
  node.attrs["align_corners"] = int64_t{align ? 1 : 0};
  node.attrs["half_pixel_centers"] = int64_t{half ? 1 : 0};
  return Status::Ok();
}

// (input, constant): the input as the node's operand, and the constant
// integer input 1, which must hold exactly one value.
Expected<std::vector<int64_t>> InputAndOneConstant(Context& ctx, const OpRef& op, ir::Node& node,
                                                   const std::string& what) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  EMBER_ASSIGN_OR_RETURN(auto v, ConstInts(ctx, op, 1, what));
  if (v.size() != 1) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   what + " " + ir::ShapeToString(v) + " must hold exactly one value", kReexport);
  }
  return v;
}

// (input, axis): the input, and the constant axis (one value) as `axis`.
Status InputAndConstAxis(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_ASSIGN_OR_RETURN(auto axis, InputAndOneConstant(ctx, op, node, "axis"));
  EMBER_ASSIGN_OR_RETURN(auto axes, NormalizeAxes(ctx, op, axis, RankOf(ctx, node.inputs[0]), "axis", kBadConstant));
  node.attrs["axis"] = axes[0];
  return Status::Ok();
}

// ARG_MAX, ARG_MIN: the constant axis input (one value) becomes `axis`; the
// output tensor's type (int32 or int64) is the index type.
Status ConvertArgMinMax(Context& ctx, const OpRef& op, ir::Node& node) { return InputAndConstAxis(ctx, op, node); }

// TOPK_V2 (inputs: input, k): the constant k (one value) becomes `k`; the
// indices output's type (int32) is the index type.
Status ConvertTopkV2(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_ASSIGN_OR_RETURN(auto k, InputAndOneConstant(ctx, op, node, "k"));
  node.attrs["k"] = k[0];
  return Status::Ok();
}

// BATCH_MATMUL: adj_x, adj_y become 0/1 attributes (asymmetric_quantize_inputs
// concerns hybrid models only). BatchMatMulOptions (union member 101) lies
// beyond the members ember's schema declares, so its two leading bool fields
// are read from the table itself, after verifying it.
Status ConvertBatchMatmul(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 2));
  constexpr uint8_t kBatchMatMulOptions = 101;
  constexpr flatbuffers::voffset_t kAdjX = 4, kAdjY = 6;  // vtable slots 0 and 1
  bool adj_x = false, adj_y = false;
  const auto* table = static_cast<const flatbuffers::Table*>(op.op->builtin_options());
  if (static_cast<uint8_t>(op.op->builtin_options_type()) == kBatchMatMulOptions && table) {
    flatbuffers::Verifier v(ctx.bytes, ctx.size);
    if (!table->VerifyTableStart(v) || !table->VerifyField<uint8_t>(v, kAdjX, 1) ||
        !table->VerifyField<uint8_t>(v, kAdjY, 1)) {
      return MissingOptions(ctx, op, "valid BatchMatMulOptions");
    }
    adj_x = table->GetField<uint8_t>(kAdjX, 0) != 0;
    adj_y = table->GetField<uint8_t>(kAdjY, 0) != 0;
  }
  node.attrs["adj_x"] = int64_t{adj_x ? 1 : 0};
  node.attrs["adj_y"] = int64_t{adj_y ? 1 : 0};
  return Status::Ok();
}

// TRANSPOSE_CONV (inputs: output_shape, weights, input, bias?): operands
// reordered to (input, filter, bias?). TFLite derives the leading padding
// from the output size O: VALID -> 0; SAME -> total = max(0, (ceil(O/S) - 1)*S
// + K - O), before = total / 2. O is the constant output_shape input or,
// when that is computed at run time, the output tensor's shape in the file
// (the only one TFLite Micro's kernel reads). The trailing `pad` (or, when the output is
// larger than (I - 1)*S + K - before, `output_padding`, which must stay
// below the stride) then makes the IR output height exactly O.
Status ConvertTransposeConv(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 4));
  std::vector<int64_t> out_shape;
  const int32_t shape_index = InputIndex(op, 0);
  if (shape_index >= 0 && static_cast<size_t>(shape_index) < ctx.num_tensors && !ConstData(ctx, shape_index)) {
    // A computed output_shape (a graph input, or an operator's result):
    // TFLite Micro never reads it and sizes the output by the output
    // tensor's own shape in the file, and so does ember.
    EMBER_RETURN_IF_ERROR(Operand(ctx, op, 0).status());
    EMBER_ASSIGN_OR_RETURN(out_shape, OutputShapeInFile(ctx, op));
  } else {
    EMBER_ASSIGN_OR_RETURN(out_shape, ConstInts(ctx, op, 0, "output_shape"));
  }
  for (size_t pos : {size_t{2}, size_t{1}, size_t{3}}) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, Operand(ctx, op, pos, /*optional=*/pos == 3));
    node.inputs.push_back(id);
  }
  const auto* o = op.op->builtin_options_as_TransposeConvOptions();
  if (!o) return MissingOptions(ctx, op, "TransposeConvOptions");
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "stride_h", o->stride_h()));
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "stride_w", o->stride_w()));
  const ir::Shape& in = ctx.graph.tensor(node.inputs[0]).shape;
  const ir::Shape& filter = ctx.graph.tensor(node.inputs[1]).shape;
  if (in.size() != 4 || filter.size() != 4 || out_shape.size() != 4) {
    return OpError(ctx, op, kOperandRank, ExitCode::kFailure,
                   "input " + ir::ShapeToString(in) + ", filter " + ir::ShapeToString(filter) +
                       " and output_shape " + ir::ShapeToString(out_shape) + " must all be 4-D",
                   kReexport);
  }
  if (o->padding() != tfl::Padding::SAME && o->padding() != tfl::Padding::VALID) {
    return OpError(ctx, op, kInvalidOption, ExitCode::kFailure,
                   "unknown padding code " + std::to_string(static_cast<int>(o->padding())), kReexport);
  }
  std::vector<int64_t> pad(4, 0), out_pad(2, 0);
  const int64_t strides[2] = {o->stride_h(), o->stride_w()};
  for (int axis = 0; axis < 2; ++axis) {
    const int64_t i = in[static_cast<size_t>(axis) + 1], k = filter[static_cast<size_t>(axis) + 1];
    const int64_t out = out_shape[static_cast<size_t>(axis) + 1], s = strides[axis];
    if (i < 1 || k < 1 || out < 1 || i > (int64_t{1} << 24) || k > (int64_t{1} << 24) ||
        out > (int64_t{1} << 24) || s > (int64_t{1} << 24)) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "input, filter or output size " + std::to_string(i) + ", " + std::to_string(k) +
                         ", " + std::to_string(out) + " is out of range",
                     kReexport);
    }
    int64_t before = 0;
    if (o->padding() == tfl::Padding::SAME) {
      before = std::max<int64_t>(0, ((out + s - 1) / s - 1) * s + k - out) / 2;
    }
    const int64_t rest = (i - 1) * s + k - before - out;
    pad[static_cast<size_t>(axis)] = before;
    if (rest >= 0) {
      pad[static_cast<size_t>(axis) + 2] = rest;
    } else if (-rest < s) {
      out_pad[static_cast<size_t>(axis)] = -rest;
    } else {
      return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                     "output_shape " + ir::ShapeToString(out_shape) + " is larger than the input " +
                         ir::ShapeToString(in) + " can reach with stride " + std::to_string(s),
                     "only output sizes up to (in - 1) * stride + filter + stride - 1 are supported");
    }
  }
  node.attrs["stride"] = std::vector<int64_t>{strides[0], strides[1]};
  node.attrs["pad"] = pad;
  if (out_pad[0] != 0 || out_pad[1] != 0) node.attrs["output_padding"] = out_pad;
  return SetAct(ctx, op, o->fused_activation_function(), node);
}

// A new IR tensor of `shape` with the dtype and quantization of `like`,
// named after it (unique): the link between the nodes of a lowered operator.
// `base`, or base_1, base_2, ... if a tensor has that name already.
std::string FreeTensorName(const Context& ctx, const std::string& base) {
  std::string name = base;
  for (int k = 1; ctx.graph.FindTensor(name) != ir::kNoTensor; ++k) name = base + "_" + std::to_string(k);
  return name;
}

ir::TensorId IntermediateTensor(Context& ctx, ir::TensorId like, const ir::Shape& shape,
                                const std::string& suffix) {
  ir::Tensor t;
  t.dtype = ctx.graph.tensor(like).dtype;
  t.quant = ctx.graph.tensor(like).quant;
  t.shape = shape;
  t.name = FreeTensorName(ctx, ctx.graph.tensor(like).name + "_" + suffix);
  return ctx.graph.AddTensor(std::move(t));
}

ir::Node ReshapeNode(const std::string& name, ir::TensorId in, ir::TensorId out, const ir::Shape& shape) {
  ir::Node r;
  r.op = ir::OpKind::kReshape;
  r.name = name;
  r.inputs = {in};
  r.outputs = {out};
  r.attrs["shape"] = shape;
  return r;
}

// `axis` normalized for rank `rank` (range [-rank, rank)), else E0112.
Expected<int64_t> NormalizeAxis(Context& ctx, const OpRef& op, int64_t axis, int64_t rank) {
  EMBER_ASSIGN_OR_RETURN(auto axes, NormalizeAxes(ctx, op, {axis}, rank, "axis", kInvalidOption));
  return axes[0];
}

// SLICE (input, begin, size) as strided_slice with stride 1; size -1 runs to
// the end of the axis. begin and size must be constants within the input.
Status ConvertSlice(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 3));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  EMBER_ASSIGN_OR_RETURN(auto begin, ConstInts(ctx, op, 1, "begin"));
  EMBER_ASSIGN_OR_RETURN(auto size, ConstInts(ctx, op, 2, "size"));
  const ir::Shape& shape = ctx.graph.tensor(in).shape;
  bool ok = begin.size() == shape.size() && size.size() == shape.size();
  std::vector<int64_t> end(begin.size());
  for (size_t d = 0; ok && d < begin.size(); ++d) {
    end[d] = size[d] == -1 ? shape[d] : begin[d] + size[d];
    ok = begin[d] >= 0 && begin[d] <= shape[d] && (size[d] == -1 || (size[d] >= 0 && end[d] <= shape[d]));
  }
  if (!ok) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "begin " + ir::ShapeToString(begin) + " and size " + ir::ShapeToString(size) +
                       " do not select a box of input " + ir::ShapeToString(shape),
                   "one begin in [0, dim] and one size (-1: to the end) per axis");
  }
  node.attrs["begin"] = begin;
  node.attrs["end"] = end;
  node.attrs["strides"] = std::vector<int64_t>(begin.size(), 1);
  return Status::Ok();
}

// EXPAND_DIMS (input, axis) as a reshape that inserts a 1 at `axis`.
Status ConvertExpandDims(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  EMBER_ASSIGN_OR_RETURN(auto axis, ConstInts(ctx, op, 1, "axis"));
  ir::Shape shape = ctx.graph.tensor(in).shape;
  if (axis.size() != 1) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "axis " + ir::ShapeToString(axis) + " is not one value", kReexport);
  }
  EMBER_ASSIGN_OR_RETURN(int64_t a, NormalizeAxis(ctx, op, axis[0], static_cast<int64_t>(shape.size()) + 1));
  shape.insert(shape.begin() + a, 1);
  node.attrs["shape"] = shape;
  return Status::Ok();
}

// SPLIT (axis, input; num_splits equal pieces), SPLIT_V (input, size_splits,
// axis; one size may be -1) and UNPACK (input; pieces of 1, reshaped by
// LowerOutputs) as split.
Status ConvertSplit(Context& ctx, const OpRef& op, ir::Node& node) {
  const bool v = op.op_name == "SPLIT_V", unpack = op.op_name == "UNPACK";
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, v ? 3 : unpack ? 1 : 2));
  const size_t in_pos = op.op_name == "SPLIT" ? 1 : 0;
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, in_pos));
  node.inputs.push_back(in);
  const ir::Shape& shape = ctx.graph.tensor(in).shape;
  const auto rank = static_cast<int64_t>(shape.size());
  const int64_t outputs = op.op->outputs() ? op.op->outputs()->size() : 0;
  int64_t axis = 0;
  if (unpack) {
    const auto* o = op.op->builtin_options_as_UnpackOptions();
    axis = o ? o->axis() : 0;
  } else {
    EMBER_ASSIGN_OR_RETURN(auto a, ConstInts(ctx, op, v ? 2 : 0, "axis"));
    if (a.size() != 1) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure, "axis " + ir::ShapeToString(a) + " is not one value",
                     kReexport);
    }
    axis = a[0];
  }
  EMBER_ASSIGN_OR_RETURN(axis, NormalizeAxis(ctx, op, axis, rank));
  const int64_t dim = shape[static_cast<size_t>(axis)];
  std::vector<int64_t> sizes;
  if (v) {
    EMBER_ASSIGN_OR_RETURN(sizes, ConstInts(ctx, op, 1, "size_splits"));
    int64_t known = 0, unknown = -1;
    for (size_t k = 0; k < sizes.size(); ++k) {
      if (sizes[k] == -1 && unknown < 0) unknown = static_cast<int64_t>(k);
      else if (sizes[k] >= 0 && sizes[k] <= dim) known += sizes[k];
      else known = dim + 1;
    }
    if (unknown >= 0 && known <= dim) sizes[static_cast<size_t>(unknown)] = dim - known;
    if (static_cast<int64_t>(sizes.size()) != outputs || (unknown >= 0 ? known > dim : known != dim)) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "size_splits " + ir::ShapeToString(sizes) + " do not split axis " + std::to_string(axis) +
                         " of size " + std::to_string(dim) + " into " + std::to_string(outputs) + " outputs",
                     kReexport);
    }
  } else {
    if (outputs < 1 || (unpack ? dim != outputs : dim % outputs != 0)) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "axis " + std::to_string(axis) + " of size " + std::to_string(dim) + " does not split into " +
                         std::to_string(outputs) + " equal outputs",
                     kReexport);
    }
    sizes.assign(static_cast<size_t>(outputs), dim / outputs);
  }
  node.attrs["axis"] = axis;
  node.attrs["sizes"] = sizes;
  return Status::Ok();
}

// PACK: each input reshaped to have a 1 at `axis` (nodes before the
// concatenation), then concatenated along `axis`.
Status ConvertPack(Context& ctx, const OpRef& op, ir::Node& node) {
  if (NumInputs(op) == 0) return OpError(ctx, op, kOperandCount, ExitCode::kFailure, "has no inputs", kReexport);
  const auto* o = op.op->builtin_options_as_PackOptions();
  for (size_t pos = 0; pos < NumInputs(op); ++pos) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, pos));
    ir::Shape shape = ctx.graph.tensor(in).shape;
    EMBER_ASSIGN_OR_RETURN(int64_t axis,
                           NormalizeAxis(ctx, op, o ? o->axis() : 0, static_cast<int64_t>(shape.size()) + 1));
    node.attrs["axis"] = axis;
    shape.insert(shape.begin() + axis, 1);
    const ir::TensorId t = IntermediateTensor(ctx, in, shape, "packed");
    ctx.graph.nodes.push_back(ReshapeNode(ctx.graph.tensor(t).name, in, t, shape));
    node.inputs.push_back(t);
  }
  node.attrs["act"] = std::string("none");
  return Status::Ok();
}

// GATHER (params, indices): indices may be computed at run time (int32).
Status ConvertGather(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 2));
  const auto* o = op.op->builtin_options_as_GatherOptions();
  const int64_t rank = RankOf(ctx, node.inputs[0]), irank = RankOf(ctx, node.inputs[1]);
  EMBER_ASSIGN_OR_RETURN(node.attrs["axis"], NormalizeAxis(ctx, op, o ? o->axis() : 0, rank));
  int64_t bd = o ? o->batch_dims() : 0;
  if (bd < 0) bd += irank;
  node.attrs["batch_dims"] = bd;
  return Status::Ok();
}

Status ConvertMirrorPad(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(ConvertWithParam(ctx, op, node));
  const auto* o = op.op->builtin_options_as_MirrorPadOptions();
  const bool reflect = !o || o->mode() == tfl::MirrorPadMode::REFLECT;
  node.attrs["mode"] = std::string(reflect ? "reflect" : "symmetric");
  return Status::Ok();
}

Status ConvertDepthSpace(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 1));
  int64_t block = 0;
  if (node.op == ir::OpKind::kDepthToSpace) {
    const auto* o = op.op->builtin_options_as_DepthToSpaceOptions();
    if (!o) return MissingOptions(ctx, op, "DepthToSpaceOptions");
    block = o->block_size();
  } else {
    const auto* o = op.op->builtin_options_as_SpaceToDepthOptions();
    if (!o) return MissingOptions(ctx, op, "SpaceToDepthOptions");
    block = o->block_size();
  }
  EMBER_RETURN_IF_ERROR(CheckPositive(ctx, op, "block_size", block));
  node.attrs["block_size"] = block;
  return Status::Ok();
}

// A node of `kind` from `inputs` to a new tensor shaped `shape` (type and
// quantization of `like`), appended before the operator's main node.
ir::TensorId AddStep(Context& ctx, ir::OpKind kind, std::vector<ir::TensorId> inputs, ir::TensorId like,
                     const ir::Shape& shape, const char* suffix, ir::Attrs attrs = {}) {
  const ir::TensorId t = IntermediateTensor(ctx, like, shape, suffix);
  ir::Node n;
  n.op = kind;
  n.name = ctx.graph.tensor(t).name;
  n.inputs = std::move(inputs);
  n.outputs = {t};
  n.attrs = std::move(attrs);
  ctx.graph.nodes.push_back(std::move(n));
  return t;
}

// SPACE_TO_BATCH_ND (input, block_shape, paddings) and BATCH_TO_SPACE_ND
// (input, block_shape, crops) as data movement: input [N, s1..sM, rest...]
// with M constant block sizes b1..bM.
//   SPACE_TO_BATCH_ND: pad (the zero point for int8, as TFLite Micro), then
//     reshape [N, s1/b1, b1, ..., sM/bM, bM, rest], transpose the block
//     axes to the front [b1..bM, N, s1/b1..sM/bM, rest], and the main
//     node, a reshape to [b1···bM·N, s1/b1, ..., rest]. Output batch
//     (k1·b2···bM + ... + kM)·N + n holds block offset (k1..kM) of batch n.
//   BATCH_TO_SPACE_ND: the inverse (reshape [b1..bM, N, s1..sM, rest],
//     transpose to [N, s1, b1, ..., sM, bM, rest], reshape [N, s1·b1, ...,
//     rest]) and the main node, a strided_slice removing the crops.
// No arithmetic, so int8 needs nothing (input and output share parameters).
Status ConvertSpaceBatch(Context& ctx, const OpRef& op, ir::Node& node) {
  const bool to_batch = op.op_name == "SPACE_TO_BATCH_ND";
  const char* edge_name = to_batch ? "paddings" : "crops";
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 3));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  EMBER_ASSIGN_OR_RETURN(auto block, ConstInts(ctx, op, 1, "block_shape"));
  EMBER_ASSIGN_OR_RETURN(auto edges, ConstInts(ctx, op, 2, edge_name));
  const ir::Shape shape = ctx.graph.tensor(in).shape;  // a copy: tensors are added below
  const size_t rank = shape.size(), m = block.size();
  const bool fits = m >= 1 && rank >= m + 1 && edges.size() == 2 * m &&
                    std::all_of(block.begin(), block.end(), [](int64_t v) { return v >= 1; }) &&
                    std::all_of(edges.begin(), edges.end(), [](int64_t v) { return v >= 0; });
  if (!fits) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "block_shape " + ir::ShapeToString(block) + " and " + edge_name + " " + ir::ShapeToString(edges) +
                       " do not fit an input of shape " + ir::ShapeToString(shape),
                   "one block size (at least 1) and two non-negative values per spatial axis, and an input with "
                   "a batch axis before the spatial ones");
  }
  int64_t blocks = 1;  // bounded before it can overflow: at most 2^31 blocks
  for (int64_t v : block) {
    if (v > (int64_t{1} << 31) / blocks) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "block_shape " + ir::ShapeToString(block) + " makes more than 2^31 blocks",
                     "block sizes no larger than the spatial axes they divide");
    }
    blocks *= v;
  }
  // The axis orders of the two transposes (see above), for M spatial axes.
  std::vector<int64_t> front, back;  // [b.., N, s..] from [N, s1, b1, ...]; and its inverse
  for (size_t k = 0; k < m; ++k) front.push_back(static_cast<int64_t>(2 + 2 * k));
  front.push_back(0);
  for (size_t k = 0; k < m; ++k) front.push_back(static_cast<int64_t>(1 + 2 * k));
  for (size_t k = 2 * m + 1; k < rank + m; ++k) front.push_back(static_cast<int64_t>(k));
  back.assign(front.size(), 0);
  for (size_t k = 0; k < front.size(); ++k) back[static_cast<size_t>(front[k])] = static_cast<int64_t>(k);
  if (to_batch) {
    ir::Shape padded = shape;
    std::vector<int64_t> pads(2 * rank, 0);
    for (size_t k = 0; k < m; ++k) {
      padded[k + 1] += edges[2 * k] + edges[2 * k + 1];
      pads[2 * (k + 1)] = edges[2 * k];
      pads[2 * (k + 1) + 1] = edges[2 * k + 1];
      if (padded[k + 1] % block[k] != 0) {
        return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                       "padded spatial axis " + std::to_string(k + 1) + " of size " + std::to_string(padded[k + 1]) +
                           " is not a multiple of its block size " + std::to_string(block[k]),
                       "paddings that make each padded spatial size a multiple of its block size");
      }
    }
    ir::TensorId cur = in;
    if (padded != shape) {
      cur = AddStep(ctx, ir::OpKind::kPad, {in}, in, padded, "padded", {{"pads", pads}});
    }
    ir::Shape split = {shape[0]};
    for (size_t k = 0; k < m; ++k) {
      split.push_back(padded[k + 1] / block[k]);
      split.push_back(block[k]);
    }
    split.insert(split.end(), shape.begin() + static_cast<std::ptrdiff_t>(m + 1), shape.end());
    cur = AddStep(ctx, ir::OpKind::kReshape, {cur}, in, split, "blocks", {{"shape", split}});
    ir::Shape moved;
    for (int64_t a : front) moved.push_back(split[static_cast<size_t>(a)]);
    cur = AddStep(ctx, ir::OpKind::kTranspose, {cur}, in, moved, "moved", {{"perm", front}});
    ir::Shape out = {shape[0] * blocks};
    for (size_t k = 0; k < m; ++k) out.push_back(padded[k + 1] / block[k]);
    out.insert(out.end(), shape.begin() + static_cast<std::ptrdiff_t>(m + 1), shape.end());
    node.inputs.push_back(cur);
    node.attrs["shape"] = out;
    return Status::Ok();
  }
  if (shape[0] % blocks != 0) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "batch " + std::to_string(shape[0]) + " is not a multiple of the block sizes' product " +
                       std::to_string(blocks),
                   "an input batch that is a whole number of blocks");
  }
  const int64_t batch = shape[0] / blocks;
  ir::Shape split(block.begin(), block.end());
  split.push_back(batch);
  split.insert(split.end(), shape.begin() + 1, shape.end());
  ir::TensorId cur = AddStep(ctx, ir::OpKind::kReshape, {in}, in, split, "blocks", {{"shape", split}});
  ir::Shape moved;
  for (int64_t a : back) moved.push_back(split[static_cast<size_t>(a)]);
  cur = AddStep(ctx, ir::OpKind::kTranspose, {cur}, in, moved, "moved", {{"perm", back}});
  ir::Shape joined = {batch};
  for (size_t k = 0; k < m; ++k) joined.push_back(shape[k + 1] * block[k]);
  joined.insert(joined.end(), shape.begin() + static_cast<std::ptrdiff_t>(m + 1), shape.end());
  cur = AddStep(ctx, ir::OpKind::kReshape, {cur}, in, joined, "joined", {{"shape", joined}});
  std::vector<int64_t> begin(rank, 0), end(joined.begin(), joined.end());
  for (size_t k = 0; k < m; ++k) {
    begin[k + 1] = edges[2 * k];
    end[k + 1] = joined[k + 1] - edges[2 * k + 1];
    if (end[k + 1] <= begin[k + 1]) {
      return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                     "crops " + ir::ShapeToString(edges) + " remove all of spatial axis " + std::to_string(k + 1) +
                         " (size " + std::to_string(joined[k + 1]) + ")",
                     "crops that leave each spatial axis non-empty");
    }
  }
  node.inputs.push_back(cur);
  node.attrs["begin"] = begin;
  node.attrs["end"] = end;
  node.attrs["strides"] = std::vector<int64_t>(rank, 1);
  return Status::Ok();
}

// The IR tensor of operator output 0 (created now if needed; AddOutputs
// checks and marks it later).
Expected<ir::TensorId> FirstOutput(Context& ctx, const OpRef& op) {
  const auto* outs = op.op->outputs();
  const int32_t index = outs && outs->size() > 0 ? outs->Get(0) : -1;
  if (index < 0 || static_cast<size_t>(index) >= ctx.num_tensors) {
    return OpError(ctx, op, kTensorIndex, ExitCode::kFailure,
                   "output 0 refers to tensor " + std::to_string(index) + " but the subgraph has " +
                       std::to_string(ctx.num_tensors) + " tensors",
                   kReexport);
  }
  return UseTensor(ctx, index);
}

// A new constant tensor named after `base` holding `data`.
ir::TensorId ConstantTensor(Context& ctx, const std::string& base, ir::DType dtype, const ir::Shape& shape,
                            std::vector<uint8_t> data, std::optional<ir::QuantParams> quant = std::nullopt) {
  ir::Tensor t;
  t.dtype = dtype;
  t.shape = shape;
  t.quant = std::move(quant);
  t.data = std::move(data);
  t.name = FreeTensorName(ctx, base);
  return ctx.graph.AddTensor(std::move(t));
}

// SHAPE: the input's (static) shape, a constant of the output's type (int32
// or int64), read by the main node, a reshape that fold-constants folds.
Status ConvertShape(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 1));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const ir::DType type = ctx.graph.tensor(out).dtype;
  const ir::Shape shape = ctx.graph.tensor(in).shape;
  if ((type != ir::DType::kInt32 && type != ir::DType::kInt64) || shape.empty()) {
    return OpError(ctx, op, kTensorType, ExitCode::kUnsupported,
                   "the output is " + std::string(ir::DTypeName(type)) + " and the input has rank " +
                       std::to_string(shape.size()),
                   "SHAPE gives int32 or int64 of an input of rank 1 or more");
  }
  const size_t size = ir::DTypeSize(type);
  std::vector<uint8_t> data;
  for (int64_t d : shape)
    for (size_t b = 0; b < size; ++b) data.push_back(static_cast<uint8_t>(static_cast<uint64_t>(d) >> (8 * b)));
  const auto rank = static_cast<int64_t>(shape.size());
  node.inputs.push_back(ConstantTensor(ctx, ctx.graph.tensor(in).name + "_shape", type, {rank}, std::move(data)));
  node.attrs["shape"] = ir::Shape{rank};
  return Status::Ok();
}

// ZEROS_LIKE (input) and FILL (dims, value) as broadcast_to of a scalar:
// ZEROS_LIKE's a constant 0 of the output's type (float32, int32 or int64, as
// TFLite's kernel), FILL's the value, whose stored bits are copied (a
// constant value takes the output's quantization with them).
Status ConvertFill(Context& ctx, const OpRef& op, ir::Node& node) {
  const bool zeros = op.op_name == "ZEROS_LIKE";
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, zeros ? 1 : 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const ir::Tensor& o = ctx.graph.tensor(out);
  const ir::DType type = o.dtype;
  const std::optional<ir::QuantParams> quant = o.quant;
  if (zeros) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
    if (type != ir::DType::kFloat32 && type != ir::DType::kInt32 && type != ir::DType::kInt64) {
      return OpError(ctx, op, kTensorType, ExitCode::kUnsupported,
                     "the output is " + std::string(ir::DTypeName(type)),
                     "ZEROS_LIKE takes float32, int32 or int64, as TFLite's kernel");
    }
    const ir::Shape shape = ctx.graph.tensor(in).shape;
    node.inputs.push_back(ConstantTensor(ctx, ctx.graph.tensor(out).name + "_zero", type, {},
                                         std::vector<uint8_t>(ir::DTypeSize(type), 0), quant));
    node.attrs["shape"] = shape;
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(auto dims, ConstInts(ctx, op, 0, "dims"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId value, Operand(ctx, op, 1));
  const ir::Tensor& v = ctx.graph.tensor(value);
  int64_t count = 1;  // bounded: a product past 2^31 elements is refused before it can overflow
  bool sizes_ok = true;
  for (int64_t d : dims) {
    sizes_ok = sizes_ok && d >= 1 && d <= (int64_t{1} << 31) / count;
    if (sizes_ok) count *= d;
  }
  if (v.num_elements() != 1 || v.dtype != type || !sizes_ok) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "value of shape " + ir::ShapeToString(v.shape) + " and type " + ir::DTypeName(v.dtype) +
                       " cannot fill dims " + ir::ShapeToString(dims) + " of type " + ir::DTypeName(type),
                   "one value of the output's type, and dims of sizes 1 or more (at most 2^31 elements)");
  }
  if (v.is_const()) {
    value = ConstantTensor(ctx, v.name + "_value", type, {}, *v.data, quant);
  } else if (!v.shape.empty()) {
    const ir::TensorId scalar = IntermediateTensor(ctx, value, {}, "scalar");
    ctx.graph.nodes.push_back(ReshapeNode(ctx.graph.tensor(scalar).name, value, scalar, {}));
    value = scalar;
  }
  node.inputs.push_back(value);
  node.attrs["shape"] = dims;
  return Status::Ok();
}

// int8 ADD_N, as TFLite Micro: every input shares one quantization; each
// x - z_in is shifted left by 20 and halved, the sum starts at the scaled
// -z_in and goes to the output by 2·s_in / (2^20·s_out): exactly the
// arithmetic of an inclusive int8 cumsum (ops/cumsum_util.h). So the
// inputs are packed along a new axis 0 (reshape, concatenation), summed by
// cumsum with the output's quantization, and the main node, a
// strided_slice, keeps the last row: the sum of all of them.
Status ConvertAddNInt8(Context& ctx, const OpRef& op, ir::Node& node, const std::vector<ir::TensorId>& in) {
  for (size_t k = 1; k < in.size(); ++k) {
    if (ctx.graph.tensor(in[k]).quant != ctx.graph.tensor(in[0]).quant) {
      return OpError(ctx, op, kBadQuant, ExitCode::kUnsupported,
                     "input " + std::to_string(k) + " is quantized otherwise than input 0",
                     "int8 ADD_N takes inputs of one scale and zero point, as TFLite Micro");
    }
  }
  const ir::Shape shape = ctx.graph.tensor(in[0]).shape;  // a copy: FirstOutput may add tensors
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const auto rank = static_cast<int64_t>(shape.size());
  if (rank > 61) return OpError(ctx, op, kOperandRank, ExitCode::kFailure, "the inputs have rank " + std::to_string(rank));
  ir::Shape one = shape, all = shape;
  one.insert(one.begin(), 1);
  all.insert(all.begin(), static_cast<int64_t>(in.size()));
  std::vector<ir::TensorId> rows;
  for (ir::TensorId t : in) rows.push_back(AddStep(ctx, ir::OpKind::kReshape, {t}, t, one, "row", {{"shape", one}}));
  const ir::TensorId packed = AddStep(ctx, ir::OpKind::kConcatenation, rows, in[0], all, "packed",
                                      {{"axis", int64_t{0}}, {"act", std::string("none")}});
  const ir::TensorId sums = AddStep(ctx, ir::OpKind::kCumsum, {packed}, out, all, "sums",
                                    {{"axis", int64_t{0}}, {"exclusive", int64_t{0}}, {"reverse", int64_t{0}}});
  node.op = ir::OpKind::kStridedSlice;
  node.inputs = {sums};
  std::vector<int64_t> begin(all.size(), 0), end = all;
  begin[0] = all[0] - 1;
  node.attrs["begin"] = begin;
  node.attrs["end"] = end;
  node.attrs["strides"] = std::vector<int64_t>(all.size(), 1);
  node.attrs["shrink_axis_mask"] = int64_t{1};
  return Status::Ok();
}

// ADD_N: float32 as a chain of adds in the order of the operands, as
// TFLite's kernel sums them (one operand: a copy, as a reshape to its own
// shape); int8 as TFLite Micro (ConvertAddNInt8, two inputs or more).
Status ConvertAddN(Context& ctx, const OpRef& op, ir::Node& node) {
  const size_t n = NumInputs(op);
  if (n == 0) return OpError(ctx, op, kOperandCount, ExitCode::kFailure, "has no inputs", kReexport);
  std::vector<ir::TensorId> in;
  for (size_t pos = 0; pos < n; ++pos) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId t, Operand(ctx, op, pos));
    const ir::Tensor& x = ctx.graph.tensor(t);
    const ir::Tensor& first = ctx.graph.tensor(in.empty() ? t : in[0]);
    const bool type_ok = x.dtype == ir::DType::kFloat32 || (x.dtype == ir::DType::kInt8 && n >= 2);
    if (!type_ok || x.dtype != first.dtype || x.shape != first.shape) {
      return OpError(ctx, op, kTensorType, ExitCode::kUnsupported,
                     "input " + std::to_string(pos) + " is " + ir::DTypeName(x.dtype) + ir::ShapeToString(x.shape),
                     "ADD_N takes float32, or two or more int8, inputs of one shape and type");
    }
    in.push_back(t);
  }
  if (ctx.graph.tensor(in[0]).dtype == ir::DType::kInt8) return ConvertAddNInt8(ctx, op, node, in);
  if (n == 1) {
    node.op = ir::OpKind::kReshape;
    node.inputs = {in[0]};
    node.attrs["shape"] = ctx.graph.tensor(in[0]).shape;
    return Status::Ok();
  }
  ir::TensorId sum = in[0];
  for (size_t k = 1; k + 1 < n; ++k) {
    sum = AddStep(ctx, ir::OpKind::kAdd, {sum, in[k]}, in[0], ctx.graph.tensor(in[0]).shape, "sum",
                  {{"act", std::string("none")}});
  }
  node.inputs = {sum, in[n - 1]};
  node.attrs["act"] = std::string("none");
  return Status::Ok();
}

Status RequireFloat(Context& ctx, const OpRef& op, ir::TensorId t, const char* what) {
  if (ctx.graph.tensor(t).dtype == ir::DType::kFloat32) return Status::Ok();
  return OpError(ctx, op, kTensorType, ExitCode::kUnsupported,
                 std::string("the input is ") + ir::DTypeName(ctx.graph.tensor(t).dtype), what);
}

// L2_POOL_2D (float32): sqrt of the average of the squares over the window,
// in-image taps only, as TFLite's kernel: mul(x, x), average_pool2d (the sum
// in window order divided by the tap count), and the main node, sqrt. A
// fused RELU changes nothing on a square root; RELU6 and RELU_N1_TO_1 → E0111.
Status ConvertL2Pool(Context& ctx, const OpRef& op, ir::Node& node) {
  ir::Node pool;
  pool.op = ir::OpKind::kAveragePool2D;
  EMBER_RETURN_IF_ERROR(ConvertPool(ctx, op, pool));
  const ir::TensorId x = pool.inputs[0];
  EMBER_RETURN_IF_ERROR(RequireFloat(ctx, op, x, "L2_POOL_2D takes float32, as TFLite Micro"));
  const std::string act = pool.GetString("act");
  if (act != "none" && act != "relu") {
    return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                   "fused activation " + act + " is not supported", "use NONE or RELU (a square root is never negative)");
  }
  pool.attrs["act"] = std::string("none");
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const ir::Shape out_shape = ctx.graph.tensor(out).shape;
  const ir::TensorId sq = AddStep(ctx, ir::OpKind::kMul, {x, x}, x, ctx.graph.tensor(x).shape, "squared",
                                  {{"act", std::string("none")}});
  node.inputs.push_back(AddStep(ctx, ir::OpKind::kAveragePool2D, {sq}, x, out_shape, "mean_square", pool.attrs));
  return Status::Ok();
}

// FLOOR_DIV (float32): floor(a / b), as TFLite's kernel; the main node is
// the floor.
Status ConvertFloorDiv(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId a, Operand(ctx, op, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId b, Operand(ctx, op, 1));
  EMBER_RETURN_IF_ERROR(RequireFloat(ctx, op, a, "FLOOR_DIV takes float32, as TFLite Micro"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const ir::Shape out_shape = ctx.graph.tensor(out).shape;
  node.inputs.push_back(AddStep(ctx, ir::OpKind::kDiv, {a, b}, a, out_shape, "quotient", {{"act", std::string("none")}}));
  return Status::Ok();
}

// REVERSE_V2 (input, axis): a strided_slice over the whole input with stride
// -1 on the reversed axes (any dtype; no arithmetic). The axes are a constant
// list, each named once, as TensorFlow requires.
Status ConvertReverse(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
  node.inputs.push_back(in);
  EMBER_ASSIGN_OR_RETURN(auto axis, ConstInts(ctx, op, 1, "axis"));
  const int64_t rank = RankOf(ctx, in);
  EMBER_ASSIGN_OR_RETURN(auto axes, NormalizeAxes(ctx, op, axis, rank, "axis", kInvalidOption));
  if (axes.size() != axis.size() || rank > 62) {
    return OpError(ctx, op, kInvalidOption, ExitCode::kFailure,
                   "axis " + ir::ShapeToString(axis) + " names an axis twice or the input has rank " +
                       std::to_string(rank),
                   "name each axis once (rank at most 62)");
  }
  std::vector<int64_t> strides(static_cast<size_t>(rank), 1);
  for (int64_t a : axes) strides[static_cast<size_t>(a)] = -1;
  const int64_t all = rank == 0 ? 0 : (int64_t{1} << rank) - 1;
  node.attrs["begin"] = std::vector<int64_t>(static_cast<size_t>(rank), 0);
  node.attrs["end"] = std::vector<int64_t>(static_cast<size_t>(rank), 0);
  node.attrs["strides"] = strides;
  node.attrs["begin_mask"] = all;
  node.attrs["end_mask"] = all;
  return Status::Ok();
}

// EMBEDDING_LOOKUP (lookup, value) as gather(value, lookup) on axis 0, as
// TFLite Micro: rows of a float32 or int8 value copied unchanged, or, for
// an int8 value with a float32 output (hybrid), gathered and then
// dequantized: TFLite Micro multiplies by the value's scale and ignores its
// zero point, so a value with a zero point other than 0, or with per-row
// scales, is refused rather than read differently.
Status ConvertEmbeddingLookup(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId lookup, Operand(ctx, op, 0));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId value, Operand(ctx, op, 1));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const ir::Tensor& l = ctx.graph.tensor(lookup);
  const ir::Tensor& v = ctx.graph.tensor(value);
  const ir::DType out_type = ctx.graph.tensor(out).dtype;
  if (l.dtype != ir::DType::kInt32 || l.shape.size() != 1 || v.shape.size() < 2) {
    return OpError(ctx, op, kOperandRank, ExitCode::kFailure,
                   "lookup is " + std::string(ir::DTypeName(l.dtype)) + ir::ShapeToString(l.shape) + " and value " +
                       ir::ShapeToString(v.shape),
                   "EMBEDDING_LOOKUP takes a 1-D int32 lookup and a value of rank 2 or more");
  }
  const bool hybrid = v.dtype == ir::DType::kInt8 && out_type == ir::DType::kFloat32;
  const bool plain = v.dtype == out_type && (v.dtype == ir::DType::kFloat32 || v.dtype == ir::DType::kInt8);
  if (!hybrid && !plain) {
    return OpError(ctx, op, kTensorType, ExitCode::kUnsupported,
                   "value " + std::string(ir::DTypeName(v.dtype)) + " with output " + ir::DTypeName(out_type),
                   "EMBEDDING_LOOKUP takes float32 → float32, int8 → int8 or int8 → float32, as TFLite Micro");
  }
  ir::Shape shape = v.shape;
  shape[0] = l.shape[0];
  const ir::Attrs gather = {{"axis", int64_t{0}}, {"batch_dims", int64_t{0}}};
  if (plain) {
    node.op = ir::OpKind::kGather;
    node.inputs = {value, lookup};
    node.attrs = gather;
    return Status::Ok();
  }
  if (!v.quant || v.quant->per_axis() || v.quant->zero_point.empty() || v.quant->zero_point[0] != 0) {
    return OpError(ctx, op, kBadQuant, ExitCode::kUnsupported,
                   "the int8 value's quantization is not one scale with zero point 0",
                   "quantize the embedding table symmetrically per tensor (TFLite Micro reads only its scale)");
  }
  node.op = ir::OpKind::kDequantize;
  node.inputs = {AddStep(ctx, ir::OpKind::kGather, {value, lookup}, value, shape, "rows", gather)};
  return Status::Ok();
}

// CUMSUM (input, axis): the constant axis and CumsumOptions' exclusive and
// reverse become attributes.
Status ConvertCumsum(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(InputAndConstAxis(ctx, op, node));
  const auto* o = op.op->builtin_options_as_CumsumOptions();
  node.attrs["exclusive"] = int64_t{o && o->exclusive() ? 1 : 0};
  node.attrs["reverse"] = int64_t{o && o->reverse() ? 1 : 0};
  return Status::Ok();
}

// BROADCAST_ARGS (s0, s1): the broadcast of two constant shapes (int32 or
// int64, numpy's rule), a constant read by the main node, a reshape that
// fold-constants folds.
Status ConvertBroadcastArgs(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
  EMBER_ASSIGN_OR_RETURN(auto s0, ConstInts(ctx, op, 0, "s0"));
  EMBER_ASSIGN_OR_RETURN(auto s1, ConstInts(ctx, op, 1, "s1"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId out, FirstOutput(ctx, op));
  const ir::DType type = ctx.graph.tensor(out).dtype;
  if (s0.size() < s1.size()) std::swap(s0, s1);
  std::vector<int64_t> r = s0;
  bool ok = type == ir::DType::kInt32 || type == ir::DType::kInt64;
  for (size_t k = 0; ok && k < s1.size(); ++k) {
    int64_t& d = r[s0.size() - s1.size() + k];
    const int64_t e = s1[k];
    ok = d >= 0 && e >= 0 && (d == e || d == 1 || e == 1);
    if (ok && d == 1) d = e;
  }
  for (int64_t d : r) ok = ok && d >= 0;
  if (!ok) {
    return OpError(ctx, op, kBadConstant, ExitCode::kFailure,
                   "shapes " + ir::ShapeToString(s0) + " and " + ir::ShapeToString(s1) + " (output " +
                       ir::DTypeName(type) + ") do not broadcast",
                   "give two shapes whose sizes agree or are 1 on each trailing axis, and an int32 or int64 output");
  }
  const size_t size = ir::DTypeSize(type);
  std::vector<uint8_t> data;
  for (int64_t d : r)
    for (size_t b = 0; b < size; ++b) data.push_back(static_cast<uint8_t>(static_cast<uint64_t>(d) >> (8 * b)));
  const auto n = static_cast<int64_t>(r.size());
  node.inputs = {ConstantTensor(ctx, ctx.graph.tensor(out).name + "_value", type, {n}, std::move(data))};
  node.attrs["shape"] = ir::Shape{n};
  return Status::Ok();
}

}  // namespace

Expected<std::vector<ir::Node>> LowerOutputs(Context& ctx, const OpRef& op, ir::Node& node) {
  std::vector<ir::Node> after;
  if (op.op_name != "UNPACK") return after;
  const ir::Shape in = ctx.graph.tensor(node.inputs[0]).shape;  // a copy: tensors are added below
  const auto axis = static_cast<size_t>(node.GetInt("axis"));
  for (ir::TensorId& out : node.outputs) {
    ir::Shape piece = in;
    piece[axis] = 1;
    const ir::TensorId t = IntermediateTensor(ctx, out, piece, "unpacked");
    after.push_back(ReshapeNode(ctx.graph.tensor(out).name, t, out, ctx.graph.tensor(out).shape));
    out = t;
  }
  return after;
}

// DEQUANTIZE of an int8/uint8/int16 tensor, or of float16 weights (TFLite's
// float16 quantization), which the importer reads as float32: then a copy
// (a reshape to the same shape), which fold-constants folds into the
// float32 constant.
Status ConvertDequantize(Context& ctx, const OpRef& op, ir::Node& node) {
  EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 1));
  const ir::Tensor& in = ctx.graph.tensor(node.inputs[0]);
  const int32_t index = InputIndex(op, 0);  // checked by ConvertPlain
  if (ctx.subgraph->tensors()->Get(static_cast<flatbuffers::uoffset_t>(index))->type() == tfl::TensorType::FLOAT16) {
    node.op = ir::OpKind::kReshape;
    node.attrs["shape"] = std::vector<int64_t>(in.shape.begin(), in.shape.end());
  }
  return Status::Ok();
}

Status ConvertOperator(Context& ctx, const OpRef& op, ir::Node& node) {
  using K = ir::OpKind;
  const auto none = tfl::ActivationFunctionType::NONE;
  switch (node.op) {
    case K::kConv2D: return ConvertConv(ctx, op, node, false);
    case K::kDepthwiseConv2D: return ConvertConv(ctx, op, node, true);
    case K::kFullyConnected: return ConvertFullyConnected(ctx, op, node);
    case K::kAveragePool2D:
    case K::kMaxPool2D: return ConvertPool(ctx, op, node);
    case K::kAdd: {
      if (op.op_name == "ADD_N") return ConvertAddN(ctx, op, node);
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 2));
      const auto* o = op.op->builtin_options_as_AddOptions();
      return SetAct(ctx, op, o ? o->fused_activation_function() : none, node);
    }
    case K::kMul: {
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 2));
      const auto* o = op.op->builtin_options_as_MulOptions();
      return SetAct(ctx, op, o ? o->fused_activation_function() : none, node);
    }
    case K::kSub: {
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 2));
      const auto* o = op.op->builtin_options_as_SubOptions();
      return SetAct(ctx, op, o ? o->fused_activation_function() : none, node);
    }
    case K::kDiv: {
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 2));
      const auto* o = op.op->builtin_options_as_DivOptions();
      return SetAct(ctx, op, o ? o->fused_activation_function() : none, node);
    }
    case K::kLeakyRelu: {
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 1));
      const auto* o = op.op->builtin_options_as_LeakyReluOptions();
      node.attrs["alpha"] = static_cast<double>(o ? o->alpha() : 0.0f);
      return Status::Ok();
    }
    case K::kLogSoftmax: return ConvertPlain(ctx, op, node, 1);
    case K::kPrelu:
    case K::kMaximum:
    case K::kMinimum:
    case K::kSquaredDifference:
    case K::kPow: return ConvertPlain(ctx, op, node, 2);
    case K::kBroadcastTo: {  // the shape operand (constant) becomes the attribute
      if (op.op_name == "ZEROS_LIKE" || op.op_name == "FILL") return ConvertFill(ctx, op, node);
      EMBER_RETURN_IF_ERROR(CheckMaxInputs(ctx, op, 2));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId in, Operand(ctx, op, 0));
      node.inputs.push_back(in);
      EMBER_ASSIGN_OR_RETURN(std::vector<int64_t> shape, ConstInts(ctx, op, 1, "shape"));
      node.attrs["shape"] = shape;
      return Status::Ok();
    }
    case K::kSqrt:
      if (op.op_name == "L2_POOL_2D") return ConvertL2Pool(ctx, op, node);
      return ConvertPlain(ctx, op, node, 1);
    case K::kFloor:
      if (op.op_name == "FLOOR_DIV") return ConvertFloorDiv(ctx, op, node);
      return ConvertPlain(ctx, op, node, 1);
    case K::kCast:  // CastOptions repeat the tensors' types; the output tensor's type is the target
    case K::kAbs:
    case K::kNeg:
    case K::kRsqrt:
    case K::kExp:
    case K::kElu:
    case K::kLog:
    case K::kCeil:
    case K::kRound:
    case K::kSin:
    case K::kCos:
    case K::kSign:
    case K::kSquare: return ConvertPlain(ctx, op, node, 1);
    case K::kCumsum: return ConvertCumsum(ctx, op, node);
    case K::kGatherNd: return ConvertPlain(ctx, op, node, 2);
    case K::kGatherElements: break;  // no TFLite operator (ONNX GatherElements)
    case K::kScatterNd: break;       // no TFLite operator ember maps (ONNX ScatterND)
    case K::kMod:  // FLOOR_MOD: the divisor's sign
      node.attrs["fmod"] = int64_t{0};
      return ConvertPlain(ctx, op, node, 2);
    case K::kSvdf: return ConvertSvdf(ctx, op, node);
    case K::kUnidirectionalSequenceLstm: return ConvertLstm(ctx, op, node);
    case K::kClip:
    case K::kHardSigmoid:
    case K::kLookupTable: break;  // no TFLite operator
    case K::kGru: break;          // no TFLite operator (ONNX GRU)
    case K::kRnn: break;          // no TFLite operator (ONNX RNN)
    case K::kAtan: break;         // no TFLite operator (ONNX Atan)
    case K::kResizeLinear: break; // no TFLite operator (ONNX Runtime's linear Resize)
    case K::kErf: break;          // no TFLite operator (ONNX Erf)
    case K::kReadVariable:
    case K::kAssignVariable: break;  // ConvertResourceOp (import_resource.cc)
    case K::kResizeNearestNeighbor:
    case K::kResizeBilinear: return ConvertResize(ctx, op, node);
    case K::kArgMax:
    case K::kArgMin: return ConvertArgMinMax(ctx, op, node);
    case K::kTopkV2: return ConvertTopkV2(ctx, op, node);
    case K::kBatchMatmul: return ConvertBatchMatmul(ctx, op, node);
    case K::kEqual:
    case K::kNotEqual:
    case K::kLess:
    case K::kLessEqual:
    case K::kGreater:
    case K::kGreaterEqual:
    case K::kLogicalAnd:
    case K::kLogicalOr: return ConvertPlain(ctx, op, node, 2);
    case K::kLogicalNot: return ConvertPlain(ctx, op, node, 1);
    case K::kSelect: return ConvertPlain(ctx, op, node, 3);
    case K::kL2Normalization: {
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 1));
      const auto* o = op.op->builtin_options_as_L2NormOptions();
      if (o && o->fused_activation_function() != none) {
        return OpError(ctx, op, kUnsupportedOption, ExitCode::kUnsupported,
                       "a fused activation is not supported", "TFLite Micro's L2_NORMALIZATION has none either");
      }
      return Status::Ok();
    }
    case K::kTransposeConv: return ConvertTransposeConv(ctx, op, node);
    case K::kReshape:
      if (op.op_name == "SPACE_TO_BATCH_ND") return ConvertSpaceBatch(ctx, op, node);
      if (op.op_name == "SHAPE") return ConvertShape(ctx, op, node);
      if (op.op_name == "BROADCAST_ARGS") return ConvertBroadcastArgs(ctx, op, node);
      return op.op_name == "EXPAND_DIMS" ? ConvertExpandDims(ctx, op, node) : ConvertReshape(ctx, op, node);
    case K::kSoftmax: {
      EMBER_RETURN_IF_ERROR(ConvertPlain(ctx, op, node, 1));
      const auto* o = op.op->builtin_options_as_SoftmaxOptions();
      if (!o) return MissingOptions(ctx, op, "SoftmaxOptions");
      node.attrs["beta"] = static_cast<double>(o->beta());
      return Status::Ok();
    }
    case K::kConcatenation:
      return op.op_name == "PACK" ? ConvertPack(ctx, op, node) : ConvertConcatenation(ctx, op, node);
    case K::kSplit: return ConvertSplit(ctx, op, node);
    case K::kGather:
      if (op.op_name == "EMBEDDING_LOOKUP") return ConvertEmbeddingLookup(ctx, op, node);
      return ConvertGather(ctx, op, node);
    case K::kMirrorPad: return ConvertMirrorPad(ctx, op, node);
    case K::kDepthToSpace:
    case K::kSpaceToDepth: return ConvertDepthSpace(ctx, op, node);
    case K::kPad:
      if (op.op_name == "PADV2") {
        EMBER_ASSIGN_OR_RETURN(node.attrs["value"], ConstScalar(ctx, op, 2, "constant_values"));
        return ConvertWithParam(ctx, op, node, 3);
      }
      [[fallthrough]];
    case K::kMean:
    case K::kReduceMax:
    case K::kReduceMin:
    case K::kReduceProd:
    case K::kReduceSum:
    case K::kTranspose: return ConvertWithParam(ctx, op, node);
    case K::kStridedSlice:
      if (op.op_name == "BATCH_TO_SPACE_ND") return ConvertSpaceBatch(ctx, op, node);
      if (op.op_name == "REVERSE_V2") return ConvertReverse(ctx, op, node);
      return op.op_name == "SLICE" ? ConvertSlice(ctx, op, node) : ConvertStridedSlice(ctx, op, node);
    case K::kSqueeze: return ConvertSqueeze(ctx, op, node);
    case K::kDequantize: return ConvertDequantize(ctx, op, node);
    case K::kQuantize:
    case K::kLogistic:
    case K::kTanh:
    case K::kRelu:
    case K::kRelu6:
    case K::kHardSwish: return ConvertPlain(ctx, op, node, 1);
  }
  return InternalError("tflite import: operator kind without a conversion");
}

}  // namespace ember::frontend::tflite::detail
