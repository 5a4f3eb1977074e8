// Internal interface between the parts of the ONNX importer:
//   import.cc          file checks, checker, shape inference, graph inputs/outputs, node loop
//   import_node.cc     diagnostics, operands, attributes, IR node creation
//   import_tensor.cc   TensorProto -> constants (raw/typed/external data), IR helpers
//   import_nn.cc       spatial and dense operators (Conv, pools, Gemm/MatMul, BN, Pad)
//   import_misc.cc     elementwise, activations, shape and reduction operators
//   import_fold.cc     operators folded at import (Constant, Shape, Gather, ...), Q/DQ
//   import_ext.cc      operators that map onto IR operators ember may lack
//   import_math.cc     math and logic operators (ArgMax, comparisons, Where, ReduceSum, ...)
//   import_qop.cc      QOperator form (QLinearConv, ..., ConvInteger) as its QDQ equivalent
// Not a public header: only the importer's own files include it.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "ir/graph.h"
#include "onnx/onnx_pb.h"
#include "support/status.h"

namespace ember::frontend::onnx::detail {

namespace pb = ::onnx;

// Diagnostic ids of the importer (documented in docs/frontend-onnx.md).
inline constexpr const char* kNotAModel = "E1001";
inline constexpr const char* kTooLarge = "E1002";
inline constexpr const char* kCheckerRefused = "E1003";
inline constexpr const char* kShapeInference = "E1004";
inline constexpr const char* kOpset = "E1005";
inline constexpr const char* kUnsupportedOp = "E1006";
inline constexpr const char* kUnsupportedAttr = "E1007";
inline constexpr const char* kDynamicDim = "E1008";
inline constexpr const char* kInputShapeFlag = "E1009";
inline constexpr const char* kExternalData = "E1010";
inline constexpr const char* kTensorData = "E1011";
inline constexpr const char* kTensorType = "E1012";
inline constexpr const char* kNotConstant = "E1013";
inline constexpr const char* kDataflow = "E1014";
inline constexpr const char* kBadOperand = "E1015";

// Largest constant the importer computes by folding (elements).
inline constexpr int64_t kMaxFoldedElements = int64_t{1} << 24;

// A tensor whose value is known at import time. Floating-point types keep
// their values in `f`, integer and bool types in `i`.
struct ConstTensor {
  int32_t elem_type = pb::TensorProto::FLOAT;
  ir::Shape shape;
  std::vector<double> f;
  std::vector<int64_t> i;

  bool is_float() const;
  int64_t size() const { return ir::NumElements(shape); }
  double at(int64_t k) const { return is_float() ? f[static_cast<size_t>(k)] : static_cast<double>(i[static_cast<size_t>(k)]); }
  int64_t int_at(int64_t k) const { return is_float() ? static_cast<int64_t>(f[static_cast<size_t>(k)]) : i[static_cast<size_t>(k)]; }
};

// An ONNX value: a constant known at import, or an IR tensor computed at run time
// (or both, once a constant has been materialized as an IR tensor).
struct Value {
  std::shared_ptr<const ConstTensor> c;
  ir::TensorId id = ir::kNoTensor;
};

struct Context {
  std::string source;     // file name for diagnostics
  std::string model_dir;  // folder of the model (external data); empty: refused
  int64_t opset = 0;      // of the default domain
  std::map<std::string, ir::Shape> input_shapes;
  std::map<std::string, Value> values;  // ONNX name -> value
  std::set<std::string> names;          // IR tensor names in use
  uint64_t external_bytes = 0;
  // Values that are DequantizeLinear of a constant (per tensor): the integer
  // constant and its quantization, so that weights can be permuted to the IR
  // layout before the dequantize instead of after it.
  struct DqConst {
    ConstTensor q;
    ir::QuantParams quant;
  };
  std::map<std::string, DqConst> dq_consts;
  // Warnings (W1001), handed to ImportOptions::warnings.
  std::vector<Diagnostic> warnings;
  // IR tensors that hold an ONNX uint8 tensor as int8 (value - 128, zero
  // point - 128; exact), so that fold-qdq sees int8 (import_qop.cc).
  std::set<ir::TensorId> u8_as_i8;
  // IR tensors that hold an ONNX uint16 tensor (16-bit activations) as
  // int16 the same way (value - 32768, zero point - 32768). Only
  // DequantizeLinear and the operators that move values read them
  // (ReadsU8AsI8); ember has no uint16 type to compute on.
  std::set<ir::TensorId> u16_as_i16;
  // ONNX values of type int32 (ConvInteger/MatMulInteger results) held as
  // float32 with the same integer values; only a Cast to float may read them.
  std::set<std::string> int_as_float;
  // For each of them, the largest |partial sum| it can reach: below 2^24 the
  // float32 sums are exact and a graph output gets them as int32.
  std::map<std::string, double> int_as_float_bound;
  // ONNX values of type uint8 computed at run time by DynamicQuantizeLinear,
  // held as float32 with the same integer values; only ConvInteger /
  // MatMulInteger (and graph outputs) read them (import_dynamic_quant.cc).
  std::set<std::string> u8_in_float;
  std::set<std::string> graph_outputs;  // ONNX names of the graph outputs
  std::set<std::string> read_values;    // ONNX names some node of the graph reads
  // DequantizeLinear made for QOperator nodes, by value and parameters: the
  // name of its result and the IR tensor (run time) it was bound to.
  std::map<std::string, std::pair<std::string, ir::TensorId>> qop_dequantized;
  // The int8 arithmetic QuantizeLinear nodes carry into the IR (attribute
  // int8_semantics of quantize, which fold-qdq passes on to the int8 ops it
  // makes): ONNX Runtime's unless the model's metadata_props entry
  // "ember.int8_semantics" says "tflite" (models written by ember quantize).
  std::string int8_semantics = "onnxruntime";
  // ONNX values an imported node defines but ember does not compute (an
  // LSTM's final cell state): what it is, and a hint, for when something reads one.
  std::map<std::string, std::pair<std::string, std::string>> unavailable;
  // While a node of constant inputs is folded (import.cc FoldConstantNode):
  // constants of any IR type (int64 too) may become IR tensors.
  bool wide_constants = false;
  // Nodes made from an operator's ONNX function body or an If branch, by
  // node name: where they come from ("the ONNX function body of CastLike
  // node 'x'", "the then branch of If node 'y'"), for diagnostics.
  std::map<std::string, std::string> expanded_from;
  // The Where nodes that select an If's outputs under a run-time condition
  // (import_control_flow.cc).
  std::set<std::string> if_selects;
  ir::Graph graph;
};

// The node being converted, for diagnostics and attribute access.
struct NodeRef {
  size_t index = 0;
  const pb::NodeProto* node = nullptr;
  std::string name;  // the node's name, or its first output's when unnamed
  // The operator named in diagnostics when not node->op_type(): the
  // QOperator node a synthetic QDQ node stands for.
  std::string shown_op;
};

// "<source>: node <i> '<name>' (<Op>, opset <n>): <message>"
Diagnostic NodeError(const Context& ctx, const NodeRef& ref, const char* id, ExitCode exit,
                     const std::string& message, const std::string& hint = "");
// "<source>: <message>"
Diagnostic FileError(const Context& ctx, const char* id, ExitCode exit, const std::string& message,
                     const std::string& hint = "");
// E1007 for an attribute value ember does not support.
Diagnostic UnsupportedAttr(const Context& ctx, const NodeRef& ref, const std::string& what,
                           const std::string& hint = "");

// ---- tensors (import_tensor.cc) ----
// IR element type of an ONNX one; nullopt for types ember lacks.
std::optional<ir::DType> ToDType(int32_t elem_type);
// ToDType, with the widened float types as float32.
std::optional<ir::DType> ToRuntimeDType(int32_t elem_type);
// `v` rounded to the ONNX float type `elem_type` (float16, bfloat16 and
// float32 round to nearest even, overflowing to infinity; double is exact).
double RoundToFloatType(double v, int32_t elem_type);
// Warns (W1001) that `what` (a graph input, output or run-time cast) of
// ONNX type `elem_type` is computed in float32.
void WarnWidened(Context& ctx, const std::string& what, int32_t elem_type);
// The ONNX element type of an IR one (float32, int8, int16, int32, int64,
// bool); UNDEFINED for the others.
int32_t ToElemType(ir::DType dtype);
std::string ElemTypeName(int32_t elem_type);
// Reads a TensorProto (raw, typed or external data) into a constant.
Expected<ConstTensor> ReadTensorProto(Context& ctx, const pb::TensorProto& t);
// Loads external data of `t` into its raw_data (model folder only, bounded).
Status InlineExternalData(Context& ctx, pb::TensorProto& t);

// The graph's constant tensors by value name: initializers and Constant
// nodes' `value` (import_opset18.cc).
std::map<std::string, const pb::TensorProto*> ConstantTensors(const pb::GraphProto& g);

// Inlines every call of a model-local function (ModelProto.functions) into
// the main graph and drops the functions (import_functions.cc).
Status InlineLocalFunctions(Context& ctx, pb::ModelProto* m);
// Replaces every If node (nested ones too) by the nodes of its branches: the
// chosen branch under a constant condition, else both and a Where per
// output; unrolls every Loop of a constant trip count whose condition stays
// true; refuses other subgraphs (import_control_flow.cc).
Status InlineControlFlow(Context& ctx, pb::ModelProto* m);
// The Where of an If's output (ctx.if_selects): under a condition that
// folded, the chosen value (`handled`); else E1007 when the branches' shapes
// differ, or nothing (the Where converts as any other).
Status ConvertIfSelect(Context& ctx, const NodeRef& ref, bool* handled);
// Expands every default-domain node that `imported` refuses and whose ONNX
// schema (at the model's opset) defines the operator by a function body
// (CastLike, MeanVarianceNormalization, NegativeLogLikelihoodLoss,
// SoftmaxCrossEntropyLoss, the window operators, ...) into the nodes of that
// body, until none is left (import_functions.cc).
Status ExpandSchemaFunctions(Context& ctx, pb::ModelProto* m,
                             const std::function<bool(const pb::NodeProto&)>& imported);
// Expands Gelu (opset 20) by its ONNX function body into Div, Erf, Tanh,
// Mul and Add nodes (import_functions.cc).
Status ExpandGelu(Context& ctx, pb::ModelProto* m);

// Ranks of the graph's values from libonnx's shape inference in lenient mode
// (nodes it cannot infer are skipped), on a copy of the model
// (import_opset18.cc).
std::map<std::string, int> ValueRanks(const pb::ModelProto& m);
// libonnx 1.12's MaxUnpool shape inference reads dimension 1 of the indices'
// shape without checking it: a two-input MaxUnpool whose X has a known shape
// needs indices of a known rank of at least 2 (from ValueRanks), else E1015
// before any libonnx inference runs (import_ext.cc).
Status PrecheckMaxUnpool(Context& ctx, const pb::ModelProto& m);
// Every tensor of the model (initializers, tensor attributes, in subgraphs
// too) holds exactly the data its shape needs (E1011), before libonnx's
// inference reads any: libonnx 1.12's ParseData copies an int64 tensor's
// short raw_data out of bounds (found by the onnx fuzz target).
Status PrecheckTensorData(Context& ctx, const pb::ModelProto& m);
// Rewrites the opset-18 forms libonnx 1.12's checker does not know into their
// opset-13..17 equivalents (import_opset18.cc); nothing below opset 18.
Status LowerOpset18Forms(Context& ctx, pb::ModelProto* m);
// The same for the forms opsets 19 to 22 added (import_opset18.cc).
Status LowerOpset19Forms(Context& ctx, pb::ModelProto* m);
// `base`, or `base_1`, `base_2`, ... whichever `used` lacks first; added to it.
inline std::string FreshName(std::set<std::string>* used, const std::string& base) {
  std::string name = base;
  for (int k = 1; used->count(name); ++k) name = base + "_" + std::to_string(k);
  used->insert(name);
  return name;
}
// A fresh IR tensor name derived from `base`.
std::string UniqueName(Context& ctx, const std::string& base);
// Adds an IR constant holding `c` (float types as f32, integers as their type).
Expected<ir::TensorId> AddConst(Context& ctx, const std::string& name, const ConstTensor& c);
// A value known at import.
Value ConstValue(ConstTensor c);
// A float32 constant of `shape` with `values`.
ConstTensor FloatConst(ir::Shape shape, std::vector<double> values);
// The float32 values of integer constant q quantized by p (per tensor, or
// per axis p.axis): scale · (q − zero point), as the dequantize evaluator
// computes them.
ConstTensor DequantizedConst(const ConstTensor& q, const ir::QuantParams& p);
// An integer constant of `shape` (int64 unless `elem_type` says otherwise).
ConstTensor IntConst(ir::Shape shape, std::vector<int64_t> values, int32_t elem_type = pb::TensorProto::INT64);
// IR shape of a value (constant or run time).
ir::Shape ShapeOf(const Context& ctx, const Value& v);
// Permutes a constant's axes: out.shape[k] = in.shape[perm[k]] (import_nn.cc).
ConstTensor PermuteConstTensor(const ConstTensor& in, const std::vector<int64_t>& perm);

// ---- node helpers (import_node.cc) ----
size_t NumInputs(const NodeRef& ref);
bool HasInput(const NodeRef& ref, size_t pos);
// The value of input `pos` (E1014 when unknown).
Expected<Value> Input(Context& ctx, const NodeRef& ref, size_t pos);
// An ONNX value name no value has yet (base, base_1, ...), reserved in
// ctx.values for the synthetic node that will write it.
std::string FreshValueName(Context& ctx, const std::string& base);
// Input `pos` as an IR tensor (a constant is materialized).
Expected<ir::TensorId> RuntimeInput(Context& ctx, const NodeRef& ref, size_t pos);
// Run-time indices (input `pos`) as int32: int64 ones (an int64 graph input,
// ArgMax's index) through a `cast`, which keeps their low 32 bits (any index
// of a tensor that fits in memory).
Expected<ir::TensorId> RuntimeIndices(Context& ctx, const NodeRef& ref, size_t pos);
// Input `pos` as a constant (E1013 otherwise); `what` names it.
Expected<std::shared_ptr<const ConstTensor>> ConstInput(Context& ctx, const NodeRef& ref, size_t pos,
                                                        const std::string& what);
// Materializes a value as an IR tensor.
Expected<ir::TensorId> ToRuntime(Context& ctx, Value& v, const std::string& name);
// Adds an IR node; its single output's dtype and shape come from the op's
// shape inference. Returns the output tensor.
Expected<ir::TensorId> AddNode(Context& ctx, const NodeRef& ref, ir::OpKind op,
                               std::vector<ir::TensorId> inputs, ir::Attrs attrs,
                               const std::string& out_name,
                               std::optional<ir::DType> out_dtype = std::nullopt,
                               std::optional<ir::QuantParams> out_quant = std::nullopt);
// The attributes of a strided_slice taking [begin, end) by `strides` on
// every axis (no begin or shrink masks).
inline ir::Attrs SliceAttrs(std::vector<int64_t> begin, std::vector<int64_t> end, std::vector<int64_t> strides,
                            int64_t end_mask = 0) {
  return {{"begin", std::move(begin)}, {"end", std::move(end)}, {"strides", std::move(strides)},
          {"begin_mask", int64_t{0}}, {"end_mask", end_mask}, {"shrink_axis_mask", int64_t{0}}};
}
// A gather of `x` along `axis` with constant int32 `indices` (in range).
Expected<ir::TensorId> GatherConstIndices(Context& ctx, const NodeRef& ref, ir::TensorId x, int64_t axis,
                                          const std::vector<int64_t>& indices, const std::string& out_name);
// Binds ONNX output `pos` of the node to a value.
void BindOutput(Context& ctx, const NodeRef& ref, size_t pos, Value v);
std::string OutputName(const NodeRef& ref, size_t pos);
// The reference of node i of `g` for diagnostics.
NodeRef RefOf(const pb::GraphProto& g, int i);

// Attributes.
const pb::AttributeProto* FindAttr(const NodeRef& ref, const std::string& name);
int64_t AttrInt(const NodeRef& ref, const std::string& name, int64_t def);
float AttrFloat(const NodeRef& ref, const std::string& name, float def);
std::string AttrString(const NodeRef& ref, const std::string& name, const std::string& def);
std::vector<int64_t> AttrInts(const NodeRef& ref, const std::string& name,
                              std::vector<int64_t> def = {});
// Normalizes an axis of a rank-`rank` tensor (E1015 when out of range).
Expected<int64_t> NormAxis(const Context& ctx, const NodeRef& ref, int64_t axis, size_t rank);

// Input `pos` as a weight operand in the IR layout (`perm` applied): a
// constant is permuted (and scaled by `factor`) at import, quantized
// constant weights are permuted before their dequantize, a run-time tensor
// gets a transpose node (import_nn.cc). A `dilation` other than {1, 1}
// spreads a constant kernel's taps (its last two axes, before `perm`) apart
// with zeros between them, as a transposed convolution's dilation does.
// `rows` (count >= 0) keeps rows [begin, begin + count) of axis 0 (one
// group's weights; a per-channel quantization on axis 0 keeps their scales).
struct WeightRows {
  int64_t begin = 0, count = -1;
};
Expected<ir::TensorId> Weights(Context& ctx, const NodeRef& ref, size_t pos, const std::vector<int64_t>& perm,
                               double factor = 1.0, const std::array<int64_t, 2>& dilation = {1, 1},
                               const WeightRows& rows = {});
// Rows [begin, begin + count) of axis 0 of a constant, and of a per-axis
// quantization on axis 0 (import_nn.cc).
ConstTensor SliceRows(const ConstTensor& c, int64_t begin, int64_t count);
ir::QuantParams SliceRowsQuant(ir::QuantParams q, int64_t begin, int64_t count);

// The constant (or quantized constant) weights of a 3-D convolution or
// transposed convolution, input 1, [A, B, KD, KH, KW], as a 2-D filter:
// `flip_depth` reverses the KD taps, `perm` orders the five axes, and the
// last two merge, [P0, P1, P2, P3·P4]; a per-channel quantization axis must
// become axis 0. Weights computed at run time: E1013 (import_nn.cc).
Expected<ir::TensorId> Weights3d(Context& ctx, const NodeRef& ref, const std::vector<int64_t>& perm, bool flip_depth);
// The depth taps of a convolution along D over t = [N, D, H, W, C] (padded
// already): KD strided slices (start k·dilation, step `stride`, `od` each)
// interleaved into channels c·KD + k, [N·od, H, W, C·KD] (import_nn.cc).
Expected<ir::TensorId> StackDepthTaps(Context& ctx, const NodeRef& ref, ir::TensorId t, int64_t kd, int64_t dilation,
                                      int64_t stride, int64_t od, const std::string& name);
// A 2-D operator's result y (batch N·D) as the 5-D ONNX tensor: reshaped to
// `ndhwc` [N, D, H, W, C], then transposed to [N, C, D, H, W] named `name`.
Expected<ir::TensorId> FromNdhwc(Context& ctx, const NodeRef& ref, ir::TensorId y, const std::vector<int64_t>& ndhwc,
                                 const std::string& name);

// Transposes between the ONNX layout and the IR's NHWC.
Expected<ir::TensorId> ToNhwc(Context& ctx, const NodeRef& ref, ir::TensorId x);
Expected<ir::TensorId> ToNchw(Context& ctx, const NodeRef& ref, ir::TensorId x, const std::string& out_name);
// The same for the operand of a 1-D or 2-D spatial operator (import_nn.cc):
// [N, C, W] becomes [N, 1, W, C] (transpose [0,2,1], reshape), the NHWC
// result goes back to [N, C', W'] (reshape, transpose) when `rank` is 3.
Expected<ir::TensorId> SpatialIn(Context& ctx, const NodeRef& ref, ir::TensorId x);
Expected<ir::TensorId> SpatialOut(Context& ctx, const NodeRef& ref, ir::TensorId y, size_t rank,
                                  const std::string& out_name);
// [N, C, W] -> [N, C, 1, W]; other shapes as they are.
ir::Shape As2dShape(const ir::Shape& in);
// A 1-D operator's attribute as the 2-D one over H = 1: [k] -> [fill, k];
// pads [b, e] (fill 0) -> [0, b, 0, e]. Other sizes as they are. Only for
// 1-D operators (a 2-D output_padding [a, b] would read as pads).
std::vector<int64_t> As2dAxes(const std::vector<int64_t>& v, int64_t fill);

// ---- operators ----
// Converts one node (import_nn.cc / import_misc.cc). Returns false in
// *handled when the operator is not known.
Status ConvertNnNode(Context& ctx, const NodeRef& ref, bool* handled);
Status ConvertMiscNode(Context& ctx, const NodeRef& ref, bool* handled);
// GridSample with a constant grid, as gathers (import_grid_sample.cc).
Status ConvertGridSample(Context& ctx, const NodeRef& ref);
// A fixed sampler of the 4-D float32 image x [N, C, H, W]: for each tap k,
// the rows idx[k] of x as [N·H·W, C] pixels times the weights wt[k] (one
// per point; no multiply when all are 1), summed over the taps (or their
// maximum taken), then the points [points_shape..., C] back to NCHW as
// `out` (import_grid_sample.cc).
Expected<ir::TensorId> GatherTaps(Context& ctx, const NodeRef& ref, ir::TensorId x,
                                  const std::vector<std::vector<int64_t>>& idx,
                                  const std::vector<std::vector<double>>& wt, bool take_max,
                                  const std::vector<int64_t>& points_shape, const std::string& out);
// RoiAlign with constant regions, as gathers (import_roi_align.cc).
Status ConvertRoiAlign(Context& ctx, const NodeRef& ref);
// Add, Sub, Mul, Div, Mod, Max, Min, Clip, MaxPool and BitShift of plain
// (unquantized) uint8 / int8 tensors, on the values widened to int32 /
// float32 (import_8bit_arith.cc); any other BitShift folded when its
// operands are constants, else refused.
bool ReadsPlainBytes(const Context& ctx, const NodeRef& ref);
Status ConvertWidenedBytes(Context& ctx, const NodeRef& ref);
Status FoldBitShift(Context& ctx, const NodeRef& ref);
// DynamicQuantizeLinear in float32 (import_dynamic_quant.cc).
Status ConvertDynamicQuantizeLinear(Context& ctx, const NodeRef& ref);
// QuantizeLinear / DequantizeLinear with run-time parameters (or per-axis on a
// run-time tensor; a DequantizeLinear of a plain 8-bit cast result), by
// float32 arithmetic (import_dynamic_quant.cc).
Status ConvertComputedQuantize(Context& ctx, const NodeRef& ref);
Status ConvertComputedDequantize(Context& ctx, const NodeRef& ref);
// DFT, STFT and MelWeightMatrix (import_signal.cc).
bool IsSignalOp(const std::string& op);
Status ConvertSignalNode(Context& ctx, const NodeRef& ref, bool* handled);
// libonnx 1.12 infers a onesided STFT's output with all frame_length bins:
// for its checker and shape inference each onesided STFT with a constant
// frame length is made two-sided and followed by a Slice to the onesided
// bins; RestoreOnesidedStft puts the graph back (import_signal.cc).
struct HiddenStft {
  std::string output, intermediate;
  bool had_attr = false;
  std::vector<std::string> initializers;
};
// Before libonnx's inference runs: a DFT's or STFT's signal must have a
// known rank (at least 2; 3 for STFT) and its frame_step, frame_length and
// dft_length must be stored positive scalars, since libonnx 1.12's inference
// functions read them unchecked (import_signal.cc).
Status PrecheckSignalNodes(Context& ctx, const pb::ModelProto& m);
std::vector<HiddenStft> HideOnesidedStft(pb::GraphProto* g);
void RestoreOnesidedStft(pb::GraphProto* g, const std::vector<HiddenStft>& hidden);
// Operators that map onto IR operators ember may not have (sub, div,
// leaky_relu, prelu, clip, hard_sigmoid, transpose_conv,
// resize_nearest_neighbor, reduce_max, reduce_min, reduce_prod, ...; looked up by IR name): *handled is
// false when the operator is not one of them or its IR operator is absent
// (import_ext.cc).
Status ConvertExtNode(Context& ctx, const NodeRef& ref, bool* handled);
// The IR operator an operator of ConvertExtNode needs ("leaky_relu" for
// LeakyRelu), or nullptr for the others.
const char* ExtIrName(const std::string& op);
// The IR operator of that name when ember has it.
std::optional<ir::OpKind> IrOp(const char* ir_name);
// The axes of a Reduce node (`axes` attribute or constant input, normalized,
// sorted, unique; empty: all, or none with noop_with_empty_axes) and keepdims.
struct ReduceAxes {
  std::vector<int64_t> axes;
  int64_t keep = 1;
  bool noop = false;  // noop_with_empty_axes with no axes: the input is passed on
};
Expected<ReduceAxes> GetReduceAxes(Context& ctx, const NodeRef& ref, size_t rank);
// ArgMax/ArgMin, comparisons, Where, Not/And/Or, ReduceSum and the Reduce
// functions built on it, Max/Min/Sum/Mean, Abs/Neg/Sqrt/Exp/Log/
// Reciprocal, Elu (import_math.cc): IsMathOp is true when ember has the IR
// operators `op` needs.
bool IsMathOp(const std::string& op);
Status ConvertMathNode(Context& ctx, const NodeRef& ref, bool* handled);
// MatMul of operands of rank 2 to 5 that is not a dense layer: batch_matmul.
Status ConvertBatchMatMul(Context& ctx, const NodeRef& ref);
// BatchNormalization in training mode (opset 14 and later; import_math.cc):
// the batch's own statistics, and the running ones.
Status BatchNormTraining(Context& ctx, const NodeRef& ref);
// LSTM, GRU and RNN (import_rnn.cc): *handled is false for other operators
// or when ember lacks their IR operator (unidirectional_sequence_lstm, gru,
// rnn).
Status ConvertRnnNode(Context& ctx, const NodeRef& ref, bool* handled);
// LSTM, GRU or RNN unrolled into its equations per time step, in float32
// (import_rnn_unrolled.cc): for run-time initial states, a read Y_c,
// peepholes, clip and other activations.
Status ConvertRecurrentUnrolled(Context& ctx, const NodeRef& ref);
// Constant, Shape, Gather, Cast, ConstantOfShape, Slice, QuantizeLinear,
// DequantizeLinear (import_fold.cc).
Status ConvertFoldNode(Context& ctx, const NodeRef& ref, bool* handled);

// ---- QOperator form (import_qop.cc) ----
inline constexpr const char* kContribDomain = "com.microsoft";
// The default ONNX domain, as a node or opset import names it.
inline bool IsDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }
// QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger (default domain).
bool IsQOperatorOp(const std::string& op);
// QLinearAdd, QLinearMul, QLinearGlobalAveragePool, QLinearAveragePool
// (com.microsoft, written by ONNX Runtime's quantizer).
bool IsContribQOperatorOp(const std::string& op);
// Any node: QOperator nodes as their QDQ equivalent, the others by the
// converters above. *handled is false for an operator ember lacks.
Status ConvertNode(Context& ctx, const NodeRef& ref, bool* handled);
// uint8 <-> int8 (value and zero point shifted by 128; exact).
Expected<ir::TensorId> U8ToI8(Context& ctx, const NodeRef& ref, ir::TensorId u8);
Expected<ir::TensorId> I8ToU8(Context& ctx, const NodeRef& ref, ir::TensorId i8, const std::string& out_name);
// Operators that read a uint8 tensor held as int8 as it is (dequantize, and
// operators that only move or select values).
bool ReadsU8AsI8(const std::string& op);
// `x` with quantization `qp`: given to a tensor that has none; a tensor
// quantized otherwise is relabelled by a byte copy that carries `qp`
// (import_fold.cc).
Expected<ir::TensorId> WithQuant(Context& ctx, const NodeRef& ref, ir::TensorId x, const ir::QuantParams& qp);

}  // namespace ember::frontend::onnx::detail
