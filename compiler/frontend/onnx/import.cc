// ONNX model -> ember IR (contract in import.h, mapping and diagnostics in
// docs/frontend-onnx.md).
//
// Steps:
//   1. Parse the protobuf (the file was read with a size bound) and check the
//      IR version (up to 11) and the default-domain opset (1..22; below 11
//      converted to 13 by ONNX's version converter, ConvertOldOpset).
//   2. Load external data into the tensors (model folder only, bounded).
//   3. Inline the calls of model-local functions (import_functions.cc). Fix
//      graph input shapes from --input-shape; refuse dynamic dimensions that
//      remain.
//   4. Every operator must be one ember imports, and Conv/ConvTranspose get
//      kernel_shape from their weights (PrecheckNodes); opset-18 to -22 forms
//      are rewritten to the opset-17 ones (import_opset18.cc), and a model of
//      IR version 9 to 11 is checked as IR 8; then the ONNX checker
//      and ONNX shape inference (strict; a onesided STFT is shown to them
//      as a two-sided one and a Slice, import_signal.cc): a model they
//      refuse is reported with their message.
//   5. Graph inputs, initializers, then the nodes in file order (ONNX requires
//      topological order; the checker checks it). Each node either folds to a
//      constant or becomes IR nodes.
//   6. Graph outputs, unused nodes and tensors dropped, then ir::Verify and
//      ops::CheckGraph.
#include "frontend/onnx/import.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <filesystem>
#include <map>
#include <set>

#include "frontend/onnx/import_internal.h"
#include "ir/verifier.h"
#include "onnx/checker.h"
#include "onnx/shape_inference/implementation.h"
#include "onnx/version_converter/convert.h"
#include "ops/evaluate.h"
#include "ops/op.h"
#include "support/file.h"
#include "support/utf8.h"

namespace ember::frontend::onnx {

namespace {

using namespace detail;  // NOLINT: the importer's own internals

constexpr int64_t kMinOpset = 11;
// Opsets 1 to 10 are converted to kConvertedOpset (of IR version
// kConvertedIrVersion) by ONNX's version converter first (ConvertOldOpset).
constexpr int64_t kMinConvertedOpset = 1;
constexpr int64_t kConvertedOpset = 13;
constexpr int64_t kConvertedIrVersion = 7;
constexpr int64_t kMaxOpset = 22;
// libonnx 1.12's checker reads IR version 8 and refuses newer ones. IR 9 to
// 11 add element types (float8, int4, float4: refused as types), function
// attribute defaults and overloads (read by import_functions.cc) and
// annotations (metadata on nodes, device configurations) that do not change
// what a model computes: such a model is checked as IR 8.
constexpr int64_t kCheckerIrVersion = 8;
constexpr int64_t kMaxIrVersion = 11;
constexpr const char* kReexport = "the model file is damaged; re-export it";
// Integers up to 2^24 are exact in float32.
constexpr double kExactFloatIntegers = 16777216.0;

Status CheckOpset(Context& ctx, const pb::ModelProto& m) {
  for (const auto& o : m.opset_import()) {
    if (IsDefaultDomain(o.domain())) ctx.opset = o.version();
  }
  if (ctx.opset < kMinConvertedOpset || ctx.opset > kMaxOpset) {
    return FileError(ctx, kOpset, ExitCode::kUnsupported,
                     "uses opset " + std::to_string(ctx.opset) + " of the default ONNX domain; ember imports opsets " +
                         std::to_string(kMinConvertedOpset) + " to " + std::to_string(kMaxOpset) + " (below " +
                         std::to_string(kMinOpset) + " through ONNX's version converter)",
                     "convert the model with onnx.version_converter.convert_version(model, 13)");
  }
  return Status::Ok();
}

// A model of opset 1 to 10: checked by the ONNX checker, its shapes inferred
// (leniently), then converted to opset 13 by ONNX's version converter (its
// adapters rewrite the operators whose form changed: Upsample to Resize,
// Slice's attributes to inputs, ...). A model either refuses is E1003 /
// E1005 with its message.
Status ConvertOldOpset(Context& ctx, pb::ModelProto* m) {
  if (ctx.opset >= kMinOpset) return Status::Ok();
  try {
    ::onnx::checker::check_model(*m);
  } catch (const std::exception& e) {
    return FileError(ctx, kCheckerRefused, ExitCode::kFailure,
                     std::string("the ONNX checker refuses the model: ") + e.what(), kReexport);
  }
  // libonnx 1.12's converter dereferences the producer of every graph
  // output without looking (the checker does not require one): found by the
  // onnx fuzz target.
  std::set<std::string> produced;
  for (const auto& in : m->graph().input()) produced.insert(in.name());
  if (m->ir_version() >= 4) {
    for (const auto& t : m->graph().initializer()) produced.insert(t.name());
  }
  for (const auto& n : m->graph().node()) produced.insert(n.output().begin(), n.output().end());
  for (const auto& out : m->graph().output()) {
    if (!produced.count(out.name())) {
      return FileError(ctx, kDataflow, ExitCode::kFailure, "graph output '" + out.name() + "' is not produced by any node",
                       kReexport);
    }
  }
  // The converter's adapters read the shapes of the values they rewrite.
  try {
    ::onnx::shape_inference::InferShapes(*m, ::onnx::OpSchemaRegistry::Instance());
  } catch (const std::exception&) {
    // Lenient: what cannot be inferred stays unknown; the strict inference
    // after the conversion reports it.
  }
  try {
    pb::ModelProto converted = ::onnx::version_conversion::ConvertVersion(*m, static_cast<int>(kConvertedOpset));
    *m = std::move(converted);
    // Opset 13 belongs to IR version 7; the converter keeps the old one, whose
    // rules (initializers listed as inputs before IR 4) its new constants break.
    if (m->ir_version() < kConvertedIrVersion) m->set_ir_version(kConvertedIrVersion);
  } catch (const std::exception& e) {
    return FileError(ctx, kOpset, ExitCode::kUnsupported,
                     "uses opset " + std::to_string(ctx.opset) + ", which ONNX's version converter cannot take to " +
                         std::to_string(kConvertedOpset) + ": " + e.what(),
                     "re-export the model with opset 13 or later");
  }
  return CheckOpset(ctx, *m);
}

Status InlineAllExternalData(Context& ctx, pb::GraphProto* g) {
  for (auto& t : *g->mutable_initializer()) {
    if (t.data_location() == pb::TensorProto::EXTERNAL) EMBER_RETURN_IF_ERROR(InlineExternalData(ctx, t));
  }
  for (auto& n : *g->mutable_node()) {
    for (auto& a : *n.mutable_attribute()) {
      if (a.has_t() && a.t().data_location() == pb::TensorProto::EXTERNAL) {
        EMBER_RETURN_IF_ERROR(InlineExternalData(ctx, *a.mutable_t()));
      }
      if (a.has_g()) EMBER_RETURN_IF_ERROR(InlineAllExternalData(ctx, a.mutable_g()));
    }
  }
  return Status::Ok();
}

std::string DimsText(const pb::TensorShapeProto& s) {
  std::string out;
  for (int k = 0; k < s.dim_size(); ++k) {
    if (k) out += "x";
    const auto& d = s.dim(k);
    out += d.has_dim_value() ? std::to_string(d.dim_value()) : (d.dim_param().empty() ? "?" : d.dim_param());
  }
  return out.empty() ? "(scalar)" : out;
}

// Step 3: applies --input-shape and refuses dynamic dimensions.
Status FixInputShapes(Context& ctx, pb::GraphProto* g) {
  std::set<std::string> inits;
  for (const auto& t : g->initializer()) inits.insert(t.name());
  std::set<std::string> inputs;
  for (const auto& in : g->input()) {
    if (!inits.count(in.name())) inputs.insert(in.name());
  }
  for (const auto& [name, shape] : ctx.input_shapes) {
    (void)shape;
    if (!inputs.count(name)) {
      std::string names;
      for (const auto& in : g->input()) {
        if (!inits.count(in.name())) names += (names.empty() ? "'" : ", '") + in.name() + "'";
      }
      return FileError(ctx, kInputShapeFlag, ExitCode::kUsage,
                       "--input-shape names '" + name + "', which is not a graph input; the inputs are " + names);
    }
  }
  const std::string flag_hint = "fix the shape with --input-shape NAME=1x3x96x96 (one per input)";
  for (auto& in : *g->mutable_input()) {
    if (inits.count(in.name())) continue;
    if (!in.type().has_tensor_type()) {
      return FileError(ctx, kTensorType, ExitCode::kUnsupported, "graph input '" + in.name() + "' is not a tensor");
    }
    auto* tt = in.mutable_type()->mutable_tensor_type();
    auto it = ctx.input_shapes.find(in.name());
    if (it != ctx.input_shapes.end()) {
      const ir::Shape& want = it->second;
      if (tt->has_shape() && tt->shape().dim_size() != static_cast<int>(want.size())) {
        return FileError(ctx, kInputShapeFlag, ExitCode::kUsage,
                         "--input-shape gives " + std::to_string(want.size()) + " dimensions for input '" + in.name() +
                             "', which has " + std::to_string(tt->shape().dim_size()) + " (" + DimsText(tt->shape()) + ")");
      }
      auto* shape = tt->mutable_shape();
      for (size_t k = 0; k < want.size(); ++k) {
        if (static_cast<int>(k) >= shape->dim_size()) shape->add_dim();
        auto* d = shape->mutable_dim(static_cast<int>(k));
        if (d->has_dim_value() && d->dim_value() != want[k]) {
          return FileError(ctx, kInputShapeFlag, ExitCode::kUsage,
                           "--input-shape sets dimension " + std::to_string(k) + " of input '" + in.name() + "' to " +
                               std::to_string(want[k]) + " but the model fixes it to " + std::to_string(d->dim_value()));
        }
        d->set_dim_value(want[k]);
      }
    }
    if (!tt->has_shape()) {
      return FileError(ctx, kDynamicDim, ExitCode::kUnsupported,
                       "graph input '" + in.name() + "' has no shape (unknown rank)", flag_hint);
    }
    for (const auto& d : tt->shape().dim()) {
      if (!d.has_dim_value() || d.dim_value() <= 0) {
        return FileError(ctx, kDynamicDim, ExitCode::kUnsupported,
                         "graph input '" + in.name() + "' has dynamic dimensions (" + DimsText(tt->shape()) +
                             "); ember compiles static shapes only",
                         flag_hint);
      }
    }
  }
  return Status::Ok();
}

// The operators the importer converts; those of import_ext.cc only when
// ember has their IR operator.
bool IsImportedOp(const std::string& op) {
  static const std::set<std::string> kOps = {
      "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "Gemm", "MatMul", "BatchNormalization", "Pad",
      "Identity", "Dropout", "Relu", "Sigmoid", "Tanh", "HardSwish", "Clip", "Add", "Mul", "Sub", "Div",
      "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Softmax", "ReduceMean", "Constant",
      "Shape", "Size", "Gather", "Cast", "ConstantOfShape", "Slice", "Range", "EyeLike", "QuantizeLinear", "DequantizeLinear",
      "BitShift"};
  static const std::map<std::string, const char*> kRecurrent = {
      {"LSTM", "unidirectional_sequence_lstm"}, {"GRU", "gru"}, {"RNN", "rnn"}};
  if (kOps.count(op) || IsQOperatorOp(op) || IsMathOp(op) || IsSignalOp(op)) return true;
  const char* ir_name = ExtIrName(op);
  if (const auto r = kRecurrent.find(op); ir_name == nullptr && r != kRecurrent.end()) ir_name = r->second;
  return ir_name != nullptr && IrOp(ir_name).has_value();
}

bool IsImportedNode(const pb::NodeProto& n) {
  if (n.domain() == kContribDomain) return IsContribQOperatorOp(n.op_type());
  return IsDefaultDomain(n.domain()) && IsImportedOp(n.op_type());
}

// libonnx has no schema of the com.microsoft operators and leaves their
// outputs untyped, which strict inference refuses in the operators that
// read them: their element type is that of the output zero point (else the
// input's zero point; uint8 when neither is given; float for QGemm without
// an output scale).
void TypeContribOutputs(pb::GraphProto* g, const std::map<std::string, const pb::TensorProto*>& consts) {
  std::set<std::string> typed;
  for (const auto& v : g->value_info()) typed.insert(v.name());
  for (const auto& v : g->output()) typed.insert(v.name());
  for (const auto& n : g->node()) {
    if (n.domain() != kContribDomain || n.output_size() < 1 || typed.count(n.output(0))) continue;
    const std::string& op = n.op_type();
    const bool unary = op == "QLinearGlobalAveragePool" || op == "QLinearAveragePool" || op == "QLinearSigmoid" ||
                       op == "QLinearLeakyRelu" || op == "QLinearSoftmax";
    const bool gemm = op == "QGemm";
    int32_t elem = pb::TensorProto::UINT8;
    if (gemm && (n.input_size() < 8 || n.input(7).empty())) elem = pb::TensorProto::FLOAT;  // no y_scale
    if (op == "DequantizeLinear") elem = pb::TensorProto::FLOAT;
    std::vector<int> zero_points = unary ? std::vector<int>{4, 2} : gemm ? std::vector<int>{8, 2} : std::vector<int>{7, 2};
    if (op == "QLinearConcat") zero_points = {1, 4};  // the output's, else the first input's
    if (op == "QLinearWhere") zero_points = {8, 3};  // the output's, else X's
    for (int pos : zero_points) {
      if (elem == pb::TensorProto::FLOAT) break;
      if (pos < n.input_size() && consts.count(n.input(pos))) {
        elem = consts.at(n.input(pos))->data_type();
        break;
      }
    }
    auto* v = g->add_value_info();
    v->set_name(n.output(0));
    v->mutable_type()->mutable_tensor_type()->set_elem_type(elem);
    typed.insert(n.output(0));
  }
}

Diagnostic UnsupportedOp(const Context& ctx, const NodeRef& ref) {
  const std::string dom = IsDefaultDomain(ref.node->domain()) ? "" : " of domain '" + ref.node->domain() + "'";
  const std::string hint =
      "docs/frontend-onnx.md lists the ONNX operators ember imports; replace this operator in the "
      "source model (or export it with supported operators) and try again";
  return NodeError(ctx, ref, kUnsupportedOp, ExitCode::kUnsupported,
                   "operator " + ref.node->op_type() + dom + " is not supported by ember", hint);
}

// libonnx 1.12's convolution and pooling shape inference divides by the
// strides unchecked (a zero stride stops the process): before any libonnx
// inference runs, every strides, dilations and kernel_shape value of the
// windowed operators must be positive.
Status PrecheckWindows(Context& ctx, const pb::GraphProto& g) {
  static const std::set<std::string> kWindowed = {"Conv",    "ConvInteger", "QLinearConv", "ConvTranspose",
                                                  "MaxPool", "AveragePool", "LpPool",      "QLinearAveragePool"};
  for (int i = 0; i < g.node_size(); ++i) {
    const pb::NodeProto& n = g.node(i);
    if (!kWindowed.count(n.op_type())) continue;
    for (const auto& a : n.attribute()) {
      if (a.name() != "strides" && a.name() != "dilations" && a.name() != "kernel_shape") continue;
      for (int64_t v : a.ints()) {
        if (v <= 0) {
          return NodeError(ctx, RefOf(g, i), kBadOperand, ExitCode::kFailure,
                           "has " + a.name() + " with a value of " + std::to_string(v) + " (they must be positive)");
        }
      }
    }
  }
  return Status::Ok();
}

// Before libonnx's checker and shape inference see the graph: every operator
// must be one ember imports (so that only their inference functions run),
// and Conv/ConvTranspose get an explicit kernel_shape from their weights.
// libonnx 1.12 takes the kernel from the weight's dims without comparing its
// rank with the input's and reads past the input shape when they differ; with
// kernel_shape given it checks the size and fails cleanly.
// The constants of the graph, and the outputs of the DequantizeLinear,
// Identity and Clip nodes that keep a constant's shape (quantized weights;
// QCDQ exports clip int8 weights to fewer bits before DequantizeLinear).
std::map<std::string, const pb::TensorProto*> WeightConstants(const pb::GraphProto& g) {
  std::map<std::string, const pb::TensorProto*> consts = ConstantTensors(g);
  for (const auto& n : g.node()) {
    if ((n.op_type() == "DequantizeLinear" || n.op_type() == "Identity" || n.op_type() == "Clip") &&
        n.input_size() > 0 && n.output_size() > 0 && consts.count(n.input(0))) {
      consts[n.output(0)] = consts[n.input(0)];
    }
  }
  return consts;
}

// Conv/ConvTranspose/ConvInteger/QLinearConv get an explicit kernel_shape
// from their constant weights (see above). Run before any libonnx inference
// and again after the function expansion.
Status AddKernelShapes(Context& ctx, pb::GraphProto* g) {
  const std::map<std::string, const pb::TensorProto*> consts = WeightConstants(*g);
  for (int i = 0; i < g->node_size(); ++i) {
    const NodeRef ref = RefOf(*g, i);
    pb::NodeProto* n = g->mutable_node(i);
    const bool qconv = n->op_type() == "QLinearConv";
    if (n->op_type() != "Conv" && n->op_type() != "ConvTranspose" && n->op_type() != "ConvInteger" && !qconv) continue;
    if (FindAttr(ref, "kernel_shape")) continue;
    const int wpos = qconv ? 3 : 1;
    auto w = n->input_size() > wpos ? consts.find(n->input(wpos)) : consts.end();
    if (w == consts.end()) {
      return NodeError(ctx, ref, kNotConstant, ExitCode::kUnsupported,
                       "the weights ('" + (n->input_size() > wpos ? n->input(wpos) : std::string()) +
                           "') are computed at run time; ember needs constant convolution weights",
                       "export the model with constant weights (do_constant_folding=True)");
    }
    auto* a = n->add_attribute();
    a->set_name("kernel_shape");
    a->set_type(pb::AttributeProto::INTS);
    for (int d = 2; d < w->second->dims_size(); ++d) a->add_ints(w->second->dims(d));
  }
  return Status::Ok();
}

Status PrecheckNodes(Context& ctx, pb::GraphProto* g) {
  for (int i = 0; i < g->node_size(); ++i) {
    if (!IsImportedNode(g->node(i))) return UnsupportedOp(ctx, RefOf(*g, i));
  }
  EMBER_RETURN_IF_ERROR(AddKernelShapes(ctx, g));
  TypeContribOutputs(g, WeightConstants(*g));
  return Status::Ok();
}

// Step 4.
Status CheckAndInfer(Context& ctx, pb::ModelProto& m) {
  try {
    ::onnx::checker::check_model(m);
  } catch (const std::exception& e) {
    return FileError(ctx, kCheckerRefused, ExitCode::kFailure,
                     std::string("the ONNX checker refuses the model: ") + e.what(), kReexport);
  }
  try {
    ::onnx::ShapeInferenceOptions opts(/*check_type=*/true, /*strict_mode=*/1, /*data_prop=*/false);
    ::onnx::shape_inference::InferShapes(m, ::onnx::OpSchemaRegistry::Instance(), opts);
  } catch (const std::exception& e) {
    return FileError(ctx, kShapeInference, ExitCode::kFailure,
                     std::string("ONNX shape inference fails: ") + e.what(),
                     "check the model with onnx.shape_inference.infer_shapes(model, strict_mode=True)");
  }
  return Status::Ok();
}

Status ConvertGraphInputs(Context& ctx, const pb::GraphProto& g) {
  std::set<std::string> inits;
  for (const auto& t : g.initializer()) inits.insert(t.name());
  for (const auto& in : g.input()) {
    if (inits.count(in.name())) continue;
    const auto& tt = in.type().tensor_type();
    auto dt = ToRuntimeDType(tt.elem_type());
    if (!dt) {
      return FileError(ctx, kTensorType, ExitCode::kUnsupported,
                       "graph input '" + in.name() + "' has element type " + ElemTypeName(tt.elem_type()) +
                           "; ember models take float32, int8, uint8, int16, int32, int64 or bool inputs (double, "
                           "float16 and bfloat16 as float32)");
    }
    if (IsWidenedFloat(tt.elem_type())) WarnWidened(ctx, "graph input '" + in.name() + "'", tt.elem_type());
    ir::Tensor t;
    t.name = UniqueName(ctx, in.name());
    t.dtype = *dt;
    for (const auto& d : tt.shape().dim()) t.shape.push_back(d.dim_value());
    const ir::TensorId id = ctx.graph.AddTensor(std::move(t));
    ctx.graph.inputs.push_back(id);
    ctx.values[in.name()].id = id;
  }
  for (const auto& init : g.initializer()) {
    EMBER_ASSIGN_OR_RETURN(ConstTensor c, ReadTensorProto(ctx, init));
    ctx.values[init.name()] = Value{std::make_shared<const ConstTensor>(std::move(c)), ir::kNoTensor};
  }
  return Status::Ok();
}

// A node whose inputs are all import-time constants is converted like any
// node, constants of every IR type allowed (int64 too: the mask and index
// arithmetic of exporters and of ONNX function bodies, Equal / Where / Not
// / ... of int64 constants, which no IR tensor computes at run time), and
// the IR nodes it made are evaluated at once by the reference evaluators:
// its outputs become import-time constants (so a chain of such nodes folds
// node by node) and the nodes are dropped. Anything that cannot be folded so
// (a quantized result, a conversion or an evaluation that fails) leaves the
// node to the normal conversion, which reports it.
Status FoldConstantNode(Context& ctx, const NodeRef& ref, bool* folded) {
  *folded = false;
  const std::string& op = ref.node->op_type();
  if (!IsDefaultDomain(ref.node->domain()) || op == "QuantizeLinear" || op == "DequantizeLinear" || IsQOperatorOp(op))
    return Status::Ok();
  std::map<std::string, Value> saved;
  for (size_t k = 0; k < NumInputs(ref); ++k) {
    if (!HasInput(ref, k)) continue;
    const std::string& name = ref.node->input(static_cast<int>(k));
    auto it = ctx.values.find(name);
    if (it == ctx.values.end() || !it->second.c || ctx.u8_as_i8.count(it->second.id)) return Status::Ok();
    saved[name] = it->second;
  }
  if (saved.empty()) return Status::Ok();
  const size_t nodes0 = ctx.graph.nodes.size(), tensors0 = ctx.graph.tensors.size();
  auto restore = [&] {
    ctx.graph.nodes.resize(nodes0);
    ctx.graph.tensors.resize(tensors0);
    for (const auto& [name, v] : saved) ctx.values[name] = v;
    for (const auto& out : ref.node->output()) ctx.values.erase(out);
  };
  ctx.wide_constants = true;
  bool handled = false;
  const Status converted = ConvertNode(ctx, ref, &handled);
  ctx.wide_constants = false;
  if (!converted.ok() || !handled) {
    restore();
    return Status::Ok();
  }
  // The new nodes as a graph of their own: constants in, the outputs out.
  ir::Graph sub;
  std::map<ir::TensorId, ir::TensorId> remap;
  bool ok = true;
  auto map_id = [&](ir::TensorId id) {
    if (id == ir::kNoTensor) return id;
    auto it = remap.find(id);
    if (it != remap.end()) return it->second;
    if (static_cast<size_t>(id) < tensors0 && !ctx.graph.tensor(id).is_const()) ok = false;  // run time
    return remap[id] = sub.AddTensor(ctx.graph.tensor(id));
  };
  for (size_t i = nodes0; i < ctx.graph.nodes.size(); ++i) {
    ir::Node n = ctx.graph.nodes[i];
    // Bounded work: no result above kMaxFoldedElements, no more than 2^24
    // multiply-accumulates (what the fold-constants pass allows).
    const ops::OpDef& def = ops::GetOpDef(n.op);
    if (def.macs != nullptr && def.macs(ctx.graph, n) > kMaxFoldedElements) ok = false;
    for (ir::TensorId id : n.outputs)
      if (id != ir::kNoTensor && ctx.graph.tensor(id).num_elements() > kMaxFoldedElements) ok = false;
    if (!ok) break;
    for (auto& id : n.inputs) id = map_id(id);
    for (auto& id : n.outputs) id = map_id(id);
    sub.nodes.push_back(std::move(n));
  }
  std::vector<std::pair<std::string, size_t>> evaluated;  // ONNX output, position in sub.outputs
  std::map<std::string, Value> constants;
  for (const auto& out : ref.node->output()) {
    auto it = ctx.values.find(out);
    if (out.empty() || it == ctx.values.end()) continue;
    if (it->second.c) {
      constants[out] = Value{it->second.c, ir::kNoTensor};
      continue;
    }
    const ir::Tensor& t = ctx.graph.tensor(it->second.id);
    if (t.quant || ToElemType(t.dtype) == pb::TensorProto::UNDEFINED ||
        t.num_elements() > kMaxFoldedElements)
      ok = false;
    evaluated.emplace_back(out, sub.outputs.size());
    sub.outputs.push_back(map_id(it->second.id));
  }
  if (!ok) {
    restore();
    return Status::Ok();
  }
  Expected<ops::EvalResult> r = ops::EvaluateGraph(sub, {});
  if (!r.ok()) {
    restore();
    return Status::Ok();
  }
  for (const auto& [out, pos] : evaluated) {
    const ir::Tensor& t = sub.tensor(sub.outputs[pos]);
    const std::vector<uint8_t>& b = r->outputs[pos];
    ConstTensor c;
    c.elem_type = ToElemType(t.dtype);
    c.shape = t.shape;
    const int64_t n = t.num_elements();
    for (int64_t k = 0; k < n; ++k) {
      const uint8_t* p = b.data() + k * static_cast<int64_t>(ir::DTypeSize(t.dtype));
      auto load = [&](auto v) {
        std::memcpy(&v, p, sizeof v);
        return v;
      };
      switch (t.dtype) {
        case ir::DType::kFloat32: c.f.push_back(load(float{})); break;
        case ir::DType::kInt8: c.i.push_back(load(int8_t{})); break;
        case ir::DType::kInt16: c.i.push_back(load(int16_t{})); break;
        case ir::DType::kInt32: c.i.push_back(load(int32_t{})); break;
        case ir::DType::kInt64: c.i.push_back(load(int64_t{})); break;
        default: c.i.push_back(*p != 0 ? 1 : 0); break;  // bool
      }
    }
    constants[out] = ConstValue(std::move(c));
  }
  restore();
  for (auto& [out, v] : constants) ctx.values[out] = v;
  *folded = true;
  return Status::Ok();
}

// A node that passes a value on as it is (Identity, Dropout, a Reshape to
// the same shape) passes on how it is held: integers in float32 of
// ConvInteger/MatMulInteger or DynamicQuantizeLinear keep their readers'
// rules. A Cast reads them as the numbers they are.
void PassOnHeldAs(Context& ctx, const NodeRef& ref) {
  if (ref.node->op_type() == "Cast") return;
  for (const auto& out : ref.node->output()) {
    auto o = ctx.values.find(out);
    if (o == ctx.values.end() || o->second.id == ir::kNoTensor) continue;
    for (const auto& in : ref.node->input()) {
      auto v = ctx.values.find(in);
      if (v == ctx.values.end() || v->second.id != o->second.id) continue;
      if (ctx.u8_in_float.count(in)) ctx.u8_in_float.insert(out);
      if (ctx.int_as_float.count(in)) {
        ctx.int_as_float.insert(out);
        if (const auto b = ctx.int_as_float_bound.find(in); b != ctx.int_as_float_bound.end())
          ctx.int_as_float_bound[out] = b->second;
      }
    }
  }
}

// A uint16 tensor held as int16 (Context::u16_as_i16) is read only by
// DequantizeLinear and the operators that move values; anything else would
// compute on the shifted integers.
Status CheckUint16Readers(Context& ctx, const NodeRef& ref) {
  if (ctx.u16_as_i16.empty() || ReadsU8AsI8(ref.node->op_type())) return Status::Ok();
  for (const auto& in : ref.node->input()) {
    auto v = ctx.values.find(in);
    if (v == ctx.values.end() || v->second.id == ir::kNoTensor || !ctx.u16_as_i16.count(v->second.id)) continue;
    return UnsupportedAttr(ctx, ref, "computing on the uint16 values of '" + in + "' (a uint16 QuantizeLinear's)",
                           "ember has no uint16 arithmetic; dequantize them first (DequantizeLinear), or quantize "
                           "to int16");
  }
  return Status::Ok();
}

Status ConvertNodes(Context& ctx, const pb::GraphProto& g) {
  for (int i = 0; i < g.node_size(); ++i) {
    const NodeRef ref = RefOf(g, i);
    bool handled = false;
    EMBER_RETURN_IF_ERROR(CheckUint16Readers(ctx, ref));
    if (ctx.if_selects.count(ref.node->name())) EMBER_RETURN_IF_ERROR(ConvertIfSelect(ctx, ref, &handled));
    if (!handled && IsImportedNode(*ref.node)) {
      EMBER_RETURN_IF_ERROR(FoldConstantNode(ctx, ref, &handled));
      if (!handled) EMBER_RETURN_IF_ERROR(ConvertNode(ctx, ref, &handled));
    }
    if (!handled) return UnsupportedOp(ctx, ref);
    PassOnHeldAs(ctx, ref);
  }
  return Status::Ok();
}

Status ConvertGraphOutputs(Context& ctx, const pb::GraphProto& g) {
  for (const auto& out : g.output()) {
    // An output type no ember tensor has (uint16, string, ...): the model
    // would silently give another type. Double, float16 and bfloat16 are
    // given as float32, with a warning.
    if (const int32_t elem = out.type().tensor_type().elem_type();
        elem != pb::TensorProto::UNDEFINED && !ToRuntimeDType(elem)) {
      return FileError(ctx, kTensorType, ExitCode::kUnsupported,
                       "graph output '" + out.name() + "' has element type " + ElemTypeName(elem) +
                           "; ember models give float32, int8, uint8, int16, int32, int64 or bool outputs (double, "
                           "float16 and bfloat16 as float32)",
                       "cast the output to float32 in the source model");
    } else if (IsWidenedFloat(elem)) {
      WarnWidened(ctx, "graph output '" + out.name() + "'", elem);
    }
    auto it = ctx.values.find(out.name());
    if (auto u = ctx.unavailable.find(out.name()); it == ctx.values.end() && u != ctx.unavailable.end()) {
      return FileError(ctx, kUnsupportedAttr, ExitCode::kUnsupported, "graph output '" + out.name() + "' is " + u->second.first,
                       u->second.second);
    }
    if (it == ctx.values.end()) {
      return FileError(ctx, kDataflow, ExitCode::kFailure, "graph output '" + out.name() + "' is not produced by any node", kReexport);
    }
    const bool int32_sums = ctx.int_as_float.count(out.name()) > 0;
    if (int32_sums) {
      const auto b = ctx.int_as_float_bound.find(out.name());
      if (b == ctx.int_as_float_bound.end() || !(b->second < kExactFloatIntegers)) {
        return FileError(ctx, kUnsupportedAttr, ExitCode::kUnsupported,
                         "graph output '" + out.name() + "' is the int32 result of ConvInteger/MatMulInteger, whose "
                         "partial sums can reach 2^24, beyond what ember computes exactly",
                         "ember gives it as int32 when every partial sum stays below 2^24, or when a Cast to float "
                         "reads it; quantize the model statically (QDQ or QLinear operators) instead");
      }
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId id, ToRuntime(ctx, it->second, out.name()));
    // An output an Identity passed on (a converter's final Identity, the
    // result of an If or a Loop) is the tensor of the value it aliases: it
    // takes the output's name, which the model's users read, unless that
    // tensor is a graph input or already another output, or the name is taken.
    if (ir::Tensor& t = ctx.graph.tensor(id);
        t.name != out.name() && !t.is_const() && !ctx.names.count(out.name()) &&
        std::find(ctx.graph.inputs.begin(), ctx.graph.inputs.end(), id) == ctx.graph.inputs.end() &&
        std::find(ctx.graph.outputs.begin(), ctx.graph.outputs.end(), id) == ctx.graph.outputs.end()) {
      ctx.names.erase(t.name);
      t.name = out.name();
      ctx.names.insert(t.name);
    }
    // An int32 output held as float32 (ConvInteger/MatMulInteger's exact
    // sums), a uint8 output held as float32 (DynamicQuantizeLinear's) or as
    // int8 inside the graph: a last node (a synthetic Cast or QuantizeLinear
    // for diagnostics) makes the output's type, which takes the output's name.
    const bool in_float = ctx.u8_in_float.count(out.name()) != 0;
    if (int32_sums || in_float || ctx.u8_as_i8.count(id)) {
      pb::NodeProto n;
      n.set_op_type(int32_sums || in_float ? "Cast" : "QuantizeLinear");
      NodeRef ref;
      ref.node = &n;
      ref.name = out.name();
      ref.index = static_cast<size_t>(g.node_size());
      ir::Tensor& t = ctx.graph.tensor(id);
      if (t.name == out.name()) {
        ctx.names.erase(t.name);
        t.name = UniqueName(ctx, out.name() + (int32_sums || in_float ? "_f32" : "_i8"));
      }
      if (int32_sums) {
        EMBER_ASSIGN_OR_RETURN(id, AddNode(ctx, ref, ir::OpKind::kCast, {id}, {}, out.name(), ir::DType::kInt32));
      } else if (in_float) {
        EMBER_ASSIGN_OR_RETURN(id, AddNode(ctx, ref, ir::OpKind::kCast, {id}, {}, out.name(), ir::DType::kUInt8));
      } else {
        EMBER_ASSIGN_OR_RETURN(id, I8ToU8(ctx, ref, id, out.name()));
      }
    }
    // An output that is a graph input passed on, or the value of an earlier
    // output (Identity(y) beside y, a Cast to double of a float32 output):
    // a copy named after it, which the generated code writes (the
    // materialize-outputs pass does the same, with a derived name, for graphs
    // of other sources; constants are left to it, after constant folding).
    if (std::find(ctx.graph.inputs.begin(), ctx.graph.inputs.end(), id) != ctx.graph.inputs.end() ||
        std::find(ctx.graph.outputs.begin(), ctx.graph.outputs.end(), id) != ctx.graph.outputs.end()) {
      pb::NodeProto n;
      n.set_op_type("Identity");
      NodeRef ref;
      ref.node = &n;
      ref.name = out.name();
      ref.index = static_cast<size_t>(g.node_size());
      const ir::Shape shape = ctx.graph.tensor(id).shape;
      EMBER_ASSIGN_OR_RETURN(id, AddNode(ctx, ref, ir::OpKind::kReshape, {id},
                                         {{"shape", std::vector<int64_t>(shape.begin(), shape.end())}}, out.name(),
                                         std::nullopt, ctx.graph.tensor(id).quant));
    }
    ctx.graph.outputs.push_back(id);
  }
  if (ctx.graph.outputs.empty()) {
    return FileError(ctx, kDataflow, ExitCode::kFailure, "the graph has no outputs", kReexport);
  }
  return Status::Ok();
}

// Drops nodes whose outputs nobody reads (e.g. the dequantize of weights that
// were permuted before dequantizing instead) and tensors nothing refers to
// (an unread output of a node that stays is referred to),
// keeping the order of the rest. An assign_variable (no outputs: it writes
// its variable) stays.
void PruneUnused(ir::Graph& g) {
  std::vector<char> used(g.tensors.size(), 0);
  for (ir::TensorId id : g.outputs) used[static_cast<size_t>(id)] = 1;
  std::vector<char> keep(g.nodes.size(), 0);
  for (size_t k = g.nodes.size(); k-- > 0;) {
    keep[k] = g.nodes[k].op == ir::OpKind::kAssignVariable;
    for (ir::TensorId o : g.nodes[k].outputs) keep[k] = keep[k] || used[static_cast<size_t>(o)];
    if (!keep[k]) continue;
    for (ir::TensorId i : g.nodes[k].inputs) {
      if (i != ir::kNoTensor) used[static_cast<size_t>(i)] = 1;
    }
    // A kept node keeps all its outputs (a Split piece nobody reads).
    for (ir::TensorId o : g.nodes[k].outputs) {
      if (o != ir::kNoTensor) used[static_cast<size_t>(o)] = 1;
    }
  }
  for (ir::TensorId id : g.inputs) used[static_cast<size_t>(id)] = 1;
  std::vector<ir::TensorId> remap(g.tensors.size(), ir::kNoTensor);
  std::vector<ir::Tensor> tensors;
  for (size_t k = 0; k < g.tensors.size(); ++k) {
    if (!used[k]) continue;
    remap[k] = static_cast<ir::TensorId>(tensors.size());
    tensors.push_back(std::move(g.tensors[k]));
  }
  auto map = [&](std::vector<ir::TensorId>& ids) {
    for (ir::TensorId& id : ids) {
      if (id != ir::kNoTensor) id = remap[static_cast<size_t>(id)];
    }
  };
  std::vector<ir::Node> nodes;
  for (size_t k = 0; k < g.nodes.size(); ++k) {
    if (!keep[k]) continue;
    map(g.nodes[k].inputs);
    map(g.nodes[k].outputs);
    nodes.push_back(std::move(g.nodes[k]));
  }
  map(g.inputs);
  map(g.outputs);
  g.tensors = std::move(tensors);
  g.nodes = std::move(nodes);
}

Diagnostic WithSource(const Context& ctx, Diagnostic d) {
  d.message = ctx.source + ": " + d.message;
  return d;
}

}  // namespace

Expected<ir::Graph> ImportOnnx(const std::vector<uint8_t>& bytes, const std::string& source,
                               const ImportOptions& options) {
  Context ctx;
  ctx.source = source;
  ctx.model_dir = options.model_dir;
  ctx.input_shapes = options.input_shapes;
  const std::string hint = "pass an .onnx model file (ONNX protobuf)";
  if (bytes.size() > kMaxOnnxFileBytes) {
    return FileError(ctx, kTooLarge, ExitCode::kUnsupported, "is " + std::to_string(bytes.size()) + " bytes, over the limit",
                     "models this large cannot run on a microcontroller");
  }
  pb::ModelProto model;
  if (bytes.empty() || !model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return FileError(ctx, kNotAModel, ExitCode::kFailure, "is not an ONNX model: the protobuf cannot be parsed",
                     "the file is truncated or damaged; " + hint);
  }
  if (!model.has_graph() || model.ir_version() <= 0) {
    return FileError(ctx, kNotAModel, ExitCode::kFailure, "is not an ONNX model: no graph or no IR version", hint);
  }
  if (model.ir_version() > kMaxIrVersion) {
    return FileError(ctx, kOpset, ExitCode::kUnsupported,
                     "has IR version " + std::to_string(model.ir_version()) + "; ember reads IR versions up to " +
                         std::to_string(kMaxIrVersion),
                     "re-export the model with opset 22 or lower (IR version 11 or lower)");
  }
  EMBER_RETURN_IF_ERROR(CheckOpset(ctx, model));
  for (const auto& prop : model.metadata_props()) {
    if (prop.key() == kInt8SemanticsKey && (prop.value() == "tflite" || prop.value() == "onnxruntime"))
      ctx.int8_semantics = prop.value();
  }
  EMBER_RETURN_IF_ERROR(InlineControlFlow(ctx, &model));
  EMBER_RETURN_IF_ERROR(InlineAllExternalData(ctx, model.mutable_graph()));
  EMBER_RETURN_IF_ERROR(InlineLocalFunctions(ctx, &model));
  EMBER_RETURN_IF_ERROR(PrecheckTensorData(ctx, model));
  // Before any libonnx inference (the function expansion and the opset-18
  // lowering run it leniently on copies).
  EMBER_RETURN_IF_ERROR(PrecheckWindows(ctx, model.graph()));
  EMBER_RETURN_IF_ERROR(AddKernelShapes(ctx, model.mutable_graph()));
  EMBER_RETURN_IF_ERROR(PrecheckSignalNodes(ctx, model));
  EMBER_RETURN_IF_ERROR(PrecheckMaxUnpool(ctx, model));
  EMBER_RETURN_IF_ERROR(ConvertOldOpset(ctx, &model));
  EMBER_RETURN_IF_ERROR(ExpandGelu(ctx, &model));
  EMBER_RETURN_IF_ERROR(ExpandSchemaFunctions(ctx, &model, IsImportedNode));
  EMBER_RETURN_IF_ERROR(FixInputShapes(ctx, model.mutable_graph()));
  EMBER_RETURN_IF_ERROR(PrecheckNodes(ctx, model.mutable_graph()));
  EMBER_RETURN_IF_ERROR(LowerOpset18Forms(ctx, &model));
  EMBER_RETURN_IF_ERROR(LowerOpset19Forms(ctx, &model));
  if (model.ir_version() > kCheckerIrVersion) model.set_ir_version(kCheckerIrVersion);
  const std::vector<HiddenStft> stft = HideOnesidedStft(model.mutable_graph());
  if (Status checked = CheckAndInfer(ctx, model); !checked.ok()) {
    // Reported on the model as written (not the Slice shown to inference).
    if (stft.empty()) return checked;
    RestoreOnesidedStft(model.mutable_graph(), stft);
    EMBER_RETURN_IF_ERROR(CheckAndInfer(ctx, model));
    return checked;
  }
  RestoreOnesidedStft(model.mutable_graph(), stft);
  ctx.graph.name = "main";
  const pb::GraphProto& g = model.graph();
  for (const auto& out : g.output()) ctx.graph_outputs.insert(out.name());
  for (const auto& n : g.node()) ctx.read_values.insert(n.input().begin(), n.input().end());
  EMBER_RETURN_IF_ERROR(ConvertGraphInputs(ctx, g));
  EMBER_RETURN_IF_ERROR(ConvertNodes(ctx, g));
  EMBER_RETURN_IF_ERROR(ConvertGraphOutputs(ctx, g));
  PruneUnused(ctx.graph);
  if (Status s = ir::Verify(ctx.graph); !s.ok()) return WithSource(ctx, s.diag());
  if (Status s = ops::CheckGraph(ctx.graph); !s.ok()) return WithSource(ctx, s.diag());
  if (options.warnings) {
    for (Diagnostic& w : ctx.warnings) options.warnings->push_back(std::move(w));
  }
  return std::move(ctx.graph);
}

Expected<ir::Graph> ImportOnnxFile(const std::string& path, ImportOptions options) {
  auto bytes = ReadFileBytes(path, kMaxOnnxFileBytes, "an ONNX model");
  if (!bytes.ok()) return bytes.diag();
  if (options.model_dir.empty()) {
    const std::filesystem::path dir = std::filesystem::path(path).parent_path();
    options.model_dir = dir.empty() ? "." : dir.string();
  }
  return ImportOnnx(*bytes, path, options);
}

Status ParseInputShapeFlag(const std::string& text, std::map<std::string, ir::Shape>* out) {
  const auto bad = [&](const std::string& why) {
    return MakeDiag(kInputShapeFlag, ExitCode::kUsage, "--input-shape '" + text + "': " + why,
                    "write NAME=DIMS with dimensions separated by 'x', e.g. --input-shape input=1x3x96x96");
  };
  const size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0) return bad("expected NAME=DIMS");
  const std::string name = text.substr(0, eq);
  const std::string dims = text.substr(eq + 1);
  ir::Shape shape;
  size_t pos = 0;
  while (pos <= dims.size()) {
    const size_t x = dims.find_first_of("x,", pos);
    const std::string part = dims.substr(pos, x == std::string::npos ? std::string::npos : x - pos);
    if (part.empty() || part.size() > 9 || part.find_first_not_of("0123456789") != std::string::npos) {
      return bad("dimension '" + part + "' is not a positive integer");
    }
    const int64_t v = std::stoll(part);
    if (v <= 0) return bad("dimension '" + part + "' is not a positive integer");
    shape.push_back(v);
    if (x == std::string::npos) break;
    pos = x + 1;
  }
  if (out->count(name)) return bad("input '" + name + "' is given twice");
  (*out)[name] = shape;
  return Status::Ok();
}

}  // namespace ember::frontend::onnx
