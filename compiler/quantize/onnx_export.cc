// Float IR graph -> float ONNX model (contract in onnx_export.h).
//
// Every IR tensor has up to two ONNX values: in the IR's layout and, for
// rank-4 tensors, in NCHW. An operator reads the layout it needs (Get), which
// writes the conversion the first time it is asked for; it writes its result
// in the layout it computes in (Produce).
#include "quantize/onnx_export.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <map>
#include <set>

#include "onnx/checker.h"
#include "ops/op_util.h"
#include "quantize/onnx_util.h"
#include "quantize/qdq_writer.h"

namespace ember::quantize {

using namespace detail;  // NOLINT: the quantizer's own helpers

namespace {

enum Layout { kIr = 0, kNchw = 1 };

const std::vector<int64_t> kToNchw = {0, 3, 1, 2};  // NCHW axis i is NHWC axis kToNchw[i]
const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};  // NHWC axis i is NCHW axis kToNhwc[i]
const int64_t kNchwAxisOf[4] = {0, 2, 3, 1};        // NHWC axis a is NCHW axis kNchwAxisOf[a]

// out[i] has extent shape[perm[i]]; elements of `size` bytes.
std::vector<uint8_t> Permute(const std::vector<uint8_t>& data, const ir::Shape& shape, const std::vector<int64_t>& perm,
                             size_t size) {
  const size_t rank = shape.size();
  std::vector<int64_t> in_strides(rank, 1);
  for (size_t d = rank; d-- > 1;) in_strides[d - 1] = in_strides[d] * shape[d];
  ir::Shape out_shape(rank);
  for (size_t i = 0; i < rank; ++i) out_shape[i] = shape[static_cast<size_t>(perm[i])];
  const int64_t n = ir::NumElements(shape);
  std::vector<uint8_t> out(data.size());
  std::vector<int64_t> idx(rank, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t src = 0;
    for (size_t i = 0; i < rank; ++i) src += idx[i] * in_strides[static_cast<size_t>(perm[i])];
    std::memcpy(&out[static_cast<size_t>(k) * size], &data[static_cast<size_t>(src) * size], size);
    for (size_t i = rank; i-- > 0;) {
      if (++idx[i] < out_shape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

ir::Shape PermuteShape(const ir::Shape& s, const std::vector<int64_t>& perm) {
  ir::Shape out(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) out[i] = s[static_cast<size_t>(perm[i])];
  return out;
}

// ONNX element type of the dtypes the exporter writes.
int32_t OnnxType(ir::DType d) {
  switch (d) {
    case ir::DType::kInt32: return pb::TensorProto::INT32;
    case ir::DType::kInt64: return pb::TensorProto::INT64;
    case ir::DType::kBool: return pb::TensorProto::BOOL;
    case ir::DType::kInt16: return pb::TensorProto::INT16;
    case ir::DType::kInt8: return pb::TensorProto::INT8;
    default: return pb::TensorProto::FLOAT;
  }
}

class Exporter {
 public:
  Exporter(const ir::Graph& g, const std::string& source) : g_(g), source_(source) {}
  Expected<pb::ModelProto> Run();

 private:
  Status Convert(const ir::Node& n);
  Status Unsupported(const ir::Node& n, const std::string& why) {
    return MakeDiag(kNotExportable, ExitCode::kUnsupported,
                    source_ + ": node '" + n.name + "' (" + ir::OpIrName(n.op) + "): " + why +
                        "; ember cannot write it as an ONNX model to quantize",
                    "quantize the model with the TFLite converter, or export it to ONNX and run ember quantize on that");
  }

  std::string Fresh(const std::string& base) {
    std::string s = base;
    for (int k = 1; used_.count(s); ++k) s = base + "_" + std::to_string(k);
    used_.insert(s);
    return s;
  }
  const ir::Tensor& T(ir::TensorId id) const { return g_.tensor(id); }
  size_t Rank(ir::TensorId id) const { return T(id).shape.size(); }
  bool Has(ir::TensorId id, Layout l) const { return names_[l].count(id) != 0; }

  pb::NodeProto* Add(const std::string& op, std::vector<std::string> ins, std::vector<std::string> outs,
                     const std::string& base) {
    pb::NodeProto* n = gp_->add_node();
    n->set_op_type(op);
    n->set_name(Fresh(base.empty() ? op : base));
    for (auto& i : ins) n->add_input(i);
    for (auto& o : outs) n->add_output(o);
    return n;
  }
  static void SetInts(pb::NodeProto* n, const std::string& name, const std::vector<int64_t>& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto::INTS);
    for (int64_t x : v) a->add_ints(x);
  }
  static void SetInt(pb::NodeProto* n, const std::string& name, int64_t v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto::INT);
    a->set_i(v);
  }
  static void SetFloat(pb::NodeProto* n, const std::string& name, float v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void SetString(pb::NodeProto* n, const std::string& name, const std::string& v) {
    auto* a = n->add_attribute();
    a->set_name(name);
    a->set_type(pb::AttributeProto::STRING);
    a->set_s(v);
  }
  // Integer indices as int64, which ONNX's GatherND and ScatterND require: a Cast.
  std::string CastToInt64(ir::TensorId id) {
    const std::string name = Fresh(T(id).name + "_int64");
    SetInt(Add("Cast", {Get(id, kIr)}, {name}, name + "_Cast"), "to", pb::TensorProto::INT64);
    return name;
  }
  std::string Int64s(const std::string& base, const std::vector<int64_t>& v) {
    const std::string name = Fresh(base);
    *gp_->add_initializer() = MakeTensor<int64_t>(name, pb::TensorProto::INT64, {static_cast<int64_t>(v.size())}, v);
    return name;
  }
  std::string FloatScalar(float v) {
    auto it = scalars_.find(v);
    if (it != scalars_.end()) return it->second;
    const std::string name = Fresh("ember_const_" + std::to_string(v));
    *gp_->add_initializer() = MakeTensor<float>(name, pb::TensorProto::FLOAT, {}, {v});
    return scalars_[v] = name;
  }
  // A constant's data as an initializer of `shape` (permuted by `perm` when given).
  std::string Initializer(const ir::Tensor& t, const std::string& base, const std::vector<int64_t>& perm = {},
                          const ir::Shape& reshape = {}) {
    int32_t type = pb::TensorProto::FLOAT;
    if (t.dtype == ir::DType::kInt32) type = pb::TensorProto::INT32;
    if (t.dtype == ir::DType::kInt64) type = pb::TensorProto::INT64;
    if (t.dtype == ir::DType::kBool) type = pb::TensorProto::BOOL;
    ir::Shape shape = reshape.empty() ? t.shape : reshape;
    std::vector<uint8_t> data = *t.data;
    if (!perm.empty()) {
      data = Permute(data, shape, perm, ir::DTypeSize(t.dtype));
      shape = PermuteShape(shape, perm);
    }
    pb::TensorProto p;
    p.set_name(Fresh(base));
    p.set_data_type(type);
    for (int64_t d : shape) p.add_dims(d);
    p.set_raw_data(std::string(data.begin(), data.end()));
    *gp_->add_initializer() = p;
    return p.name();
  }

  // Name of tensor `id` in layout `l` (written on first use).
  std::string Get(ir::TensorId id, Layout l);
  // A constant operand broadcast against a rank-4 NCHW tensor: its shape
  // aligned to rank 4 from the right (numpy), then permuted to NCHW.
  std::string ConstNchw(ir::TensorId id);
  // The name `id` gets when produced in layout `l`.
  std::string OutName(ir::TensorId id, Layout l) {
    const std::string& name = T(id).name;
    if (l == kIr || !outputs_.count(id)) {
      used_.insert(name);
      return name;
    }
    return Fresh(name + "_nchw");
  }
  void Produce(ir::TensorId id, Layout l, const std::string& name) { names_[l][id] = name; }
  // The layout `id` is available in (IR when both).
  Layout Current(ir::TensorId id) const { return Has(id, kIr) || Rank(id) != 4 ? kIr : kNchw; }

  // The fused activation: the main node writes PreAct(n, final), Act writes final.
  std::string PreAct(const ir::Node& n, const std::string& final) {
    return n.GetString("act", "none") == "none" ? final : Fresh(final + "_preact");
  }
  Status Act(const ir::Node& n, const std::string& pre, const std::string& final);

  // The usual case: one ONNX node computing output 0 in layout `l` from `ins`.
  pb::NodeProto* Main(const ir::Node& n, const std::string& op, std::vector<std::string> ins, Layout l,
                      std::string* pre, std::string* final) {
    *final = OutName(n.outputs[0], l);
    *pre = PreAct(n, *final);
    Produce(n.outputs[0], l, *final);
    return Add(op, std::move(ins), {*pre}, n.name);
  }

  Status Conv(const ir::Node& n, bool depthwise);
  Status TransposeConv(const ir::Node& n);
  Status FullyConnected(const ir::Node& n);
  Status Pool(const ir::Node& n);
  Status Binary(const ir::Node& n);
  Status Unary(const ir::Node& n);
  Status Reduce(const ir::Node& n);
  Status Concat(const ir::Node& n);
  Status PadOp(const ir::Node& n);
  Status TransposeOp(const ir::Node& n);
  Status Slice(const ir::Node& n);
  Status Resize(const ir::Node& n);
  Status ResizeBilinear(const ir::Node& n);
  Status ArgMinMax(const ir::Node& n);
  Status TopK(const ir::Node& n);
  Status GatherOp(const ir::Node& n);
  Status SplitOp(const ir::Node& n);
  Status DepthSpace(const ir::Node& n);
  Status BatchMatmul(const ir::Node& n);

  const ir::Graph& g_;
  std::string source_;
  pb::ModelProto m_;
  pb::GraphProto* gp_ = nullptr;
  std::set<std::string> used_;
  std::map<ir::TensorId, std::string> names_[2];
  std::map<ir::TensorId, std::string> const_nchw_;
  std::map<float, std::string> scalars_;
  std::set<ir::TensorId> outputs_;
};

std::string Exporter::Get(ir::TensorId id, Layout l) {
  if (Rank(id) != 4) l = kIr;
  if (auto it = names_[l].find(id); it != names_[l].end()) return it->second;
  const ir::Tensor& t = T(id);
  std::string name;
  if (t.is_const()) {
    name = l == kIr ? Initializer(t, t.name) : Initializer(t, t.name + "_nchw", kToNchw);
  } else {
    const Layout from = l == kIr ? kNchw : kIr;
    const std::vector<int64_t>& perm = l == kIr ? kToNhwc : kToNchw;
    name = l == kIr && outputs_.count(id) ? t.name : Fresh(t.name + (l == kIr ? "_nhwc" : "_nchw"));
    used_.insert(name);
    // Always a Transpose, even when only size-1 dimensions move: ember's
    // layout pass cancels it against the importer's own transposes (through
    // the Q/DQ pairs of the quantized model), which it does not do for a
    // Reshape followed by a transpose.
    SetInts(Add("Transpose", {names_[from].at(id)}, {name}, name + "_Transpose"), "perm", perm);
  }
  names_[l][id] = name;
  return name;
}

std::string Exporter::ConstNchw(ir::TensorId id) {
  if (auto it = const_nchw_.find(id); it != const_nchw_.end()) return it->second;
  const ir::Tensor& t = T(id);
  ir::Shape s = t.shape;
  while (s.size() < 4) s.insert(s.begin(), 1);
  return const_nchw_[id] = Initializer(t, t.name + "_nchw", kToNchw, s);
}

Status Exporter::Act(const ir::Node& n, const std::string& pre, const std::string& final) {
  const std::string act = n.GetString("act", "none");
  if (act == "none") return Status::Ok();
  if (act == "relu") Add("Relu", {pre}, {final}, final + "_Relu");
  else if (act == "relu6") Add("Clip", {pre, FloatScalar(0.0f), FloatScalar(6.0f)}, {final}, final + "_Clip");
  else if (act == "relu_n1_to_1") Add("Clip", {pre, FloatScalar(-1.0f), FloatScalar(1.0f)}, {final}, final + "_Clip");
  else if (act == "clip") {
    ops::Activation a;
    EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &a));
    const ops::FloatRange r = ops::ActivationRangeFloat(a);
    Add("Clip", {pre, FloatScalar(r.min), FloatScalar(r.max)}, {final}, final + "_Clip");
  } else return Unsupported(n, "fused activation '" + act + "'");
  return Status::Ok();
}

Status Exporter::Conv(const ir::Node& n, bool depthwise) {
  const ir::TensorId w = n.inputs[1];
  if (!T(w).is_const()) return Unsupported(n, "the filter is computed at run time");
  const ir::Shape& fs = T(w).shape;
  const int64_t in_c = T(n.inputs[0]).shape[3];
  const std::string x = Get(n.inputs[0], kNchw);
  // OHWI -> OIHW; depthwise [1,KH,KW,C*M] -> [C*M,1,KH,KW].
  const std::string wn = depthwise ? Initializer(T(w), T(w).name, {3, 0, 1, 2}) : Initializer(T(w), T(w).name, kToNchw);
  std::vector<std::string> ins = {x, wn};
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor) ins.push_back(Get(n.inputs[2], kIr));
  std::string pre, final;
  pb::NodeProto* c = Main(n, "Conv", ins, kNchw, &pre, &final);
  SetInts(c, "kernel_shape", {fs[1], fs[2]});
  SetInts(c, "strides", n.GetInts("stride", {1, 1}));
  SetInts(c, "dilations", n.GetInts("dilation", {1, 1}));
  SetInts(c, "pads", n.GetInts("pad", {0, 0, 0, 0}));  // [t,l,b,r] is ONNX's [x1_begin, x2_begin, x1_end, x2_end]
  SetInt(c, "group", depthwise ? in_c : in_c / fs[3]);
  return Act(n, pre, final);
}

Status Exporter::TransposeConv(const ir::Node& n) {
  const ir::TensorId w = n.inputs[1];
  if (!T(w).is_const()) return Unsupported(n, "the filter is computed at run time");
  const ir::Shape& fs = T(w).shape;
  std::vector<std::string> ins = {Get(n.inputs[0], kNchw), Initializer(T(w), T(w).name, {3, 0, 1, 2})};
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor) ins.push_back(Get(n.inputs[2], kIr));
  std::string pre, final;
  pb::NodeProto* c = Main(n, "ConvTranspose", ins, kNchw, &pre, &final);
  SetInts(c, "kernel_shape", {fs[1], fs[2]});
  SetInts(c, "strides", n.GetInts("stride", {1, 1}));
  SetInts(c, "pads", n.GetInts("pad", {0, 0, 0, 0}));
  if (n.HasAttr("output_padding")) SetInts(c, "output_padding", n.GetInts("output_padding"));
  return Act(n, pre, final);
}

// Gemm(transB=1) on [batches, depth]: the input in the IR's layout, reshaped
// to 2-D when it is not; the output reshaped back (keep_num_dims).
Status Exporter::FullyConnected(const ir::Node& n) {
  const ir::TensorId w = n.inputs[1];
  if (!T(w).is_const() || Rank(w) != 2) return Unsupported(n, "the weights are not a constant 2-D matrix");
  const ir::Shape& out = T(n.outputs[0]).shape;
  const int64_t depth = T(w).shape[1];
  const int64_t batches = ir::NumElements(T(n.inputs[0]).shape) / std::max<int64_t>(depth, 1);
  std::string a = Get(n.inputs[0], kIr);
  const ir::Shape& in = T(n.inputs[0]).shape;
  if (in.size() != 2 || in[0] != batches) {
    const std::string r = Fresh(T(n.inputs[0]).name + "_2d");
    Add("Reshape", {a, Int64s(r + "_shape", {batches, depth})}, {r}, r + "_Reshape");
    a = r;
  }
  std::vector<std::string> ins = {a, Initializer(T(w), T(w).name)};
  if (n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor) ins.push_back(Get(n.inputs[2], kIr));
  const bool reshape = out.size() != 2;
  const std::string final = OutName(n.outputs[0], kIr);
  const std::string act_out = reshape ? Fresh(final + "_2d") : final;
  const std::string pre = PreAct(n, act_out);
  SetInt(Add("Gemm", ins, {pre}, n.name), "transB", 1);
  EMBER_RETURN_IF_ERROR(Act(n, pre, act_out));
  if (reshape) Add("Reshape", {act_out, Int64s(final + "_shape", out)}, {final}, final + "_Reshape");
  Produce(n.outputs[0], kIr, final);
  return Status::Ok();
}

Status Exporter::Pool(const ir::Node& n) {
  std::string pre, final;
  pb::NodeProto* p = Main(n, n.op == ir::OpKind::kMaxPool2D ? "MaxPool" : "AveragePool", {Get(n.inputs[0], kNchw)},
                          kNchw, &pre, &final);
  SetInts(p, "kernel_shape", n.GetInts("filter"));
  SetInts(p, "strides", n.GetInts("stride", {1, 1}));
  SetInts(p, "pads", n.GetInts("pad", {0, 0, 0, 0}));  // AveragePool: count_include_pad 0, as TFLite
  return Act(n, pre, final);
}

// add, mul, sub, div, prelu: NCHW when a computed rank-4 operand is in NCHW
// and every computed operand is rank 4 (constants are aligned to it).
Status Exporter::Binary(const ir::Node& n) {
  bool nchw = false, all4 = Rank(n.outputs[0]) == 4;
  for (ir::TensorId i : n.inputs) {
    if (T(i).is_const()) {
      all4 = all4 && Rank(i) <= 4;
      continue;
    }
    all4 = all4 && Rank(i) == 4;
    nchw = nchw || (Rank(i) == 4 && Current(i) == kNchw);
  }
  const Layout l = nchw && all4 ? kNchw : kIr;
  std::vector<std::string> ins;
  for (ir::TensorId i : n.inputs) ins.push_back(l == kNchw && T(i).is_const() ? ConstNchw(i) : Get(i, l));
  std::string pre, final;
  if (n.op == ir::OpKind::kNotEqual) {  // Not(Equal)
    const std::string eq = Fresh(T(n.outputs[0]).name + "_equal");
    Add("Equal", ins, {eq}, n.name + "_Equal");
    Main(n, "Not", {eq}, l, &pre, &final);
    return Status::Ok();
  }
  pb::NodeProto* p = Main(n, ir::OpOnnxName(n.op), ins, l, &pre, &final);
  if (n.op == ir::OpKind::kMod) SetInt(p, "fmod", n.GetInt("fmod", 0));
  return Act(n, pre, final);
}

Status Exporter::Unary(const ir::Node& n) {
  const ir::TensorId x = n.inputs[0];
  const Layout l = Current(x);
  std::vector<std::string> ins = {Get(x, l)};
  std::string op = ir::OpOnnxName(n.op);
  if (n.op == ir::OpKind::kRelu6) {
    op = "Clip";
    ins.push_back(FloatScalar(0.0f));
    ins.push_back(FloatScalar(6.0f));
  } else if (n.op == ir::OpKind::kSquare) {  // ONNX has no Square: x · x, unclamped as SQUARE's kernel
    op = "Mul";
    ins.push_back(ins[0]);
  } else if (n.op == ir::OpKind::kClip) {
    ins.push_back(n.HasAttr("min") ? FloatScalar(static_cast<float>(n.GetReal("min"))) : "");
    if (n.HasAttr("max")) ins.push_back(FloatScalar(static_cast<float>(n.GetReal("max"))));
  }
  std::string pre, final;
  pb::NodeProto* p = Main(n, op, ins, l, &pre, &final);
  if (n.op == ir::OpKind::kLeakyRelu) SetFloat(p, "alpha", static_cast<float>(n.GetReal("alpha")));
  if (n.op == ir::OpKind::kElu) SetFloat(p, "alpha", 1.0f);  // TFLite's ELU; ONNX's default, written out
  if (n.op == ir::OpKind::kCast) SetInt(p, "to", OnnxType(T(n.outputs[0]).dtype));
  if (n.op == ir::OpKind::kHardSigmoid) {
    SetFloat(p, "alpha", static_cast<float>(n.GetReal("alpha", 0.2)));
    SetFloat(p, "beta", static_cast<float>(n.GetReal("beta", 0.5)));
  }
  return Status::Ok();
}

// mean, reduce_max, reduce_min, reduce_prod, reduce_sum: in NCHW when the input is, unless dropping the axes
// leaves C before H or W in NCHW but after them in the IR.
Status Exporter::Reduce(const ir::Node& n) {
  const ir::TensorId x = n.inputs[0];
  const std::vector<int64_t> axes = n.GetInts("axes");
  const bool keep = n.GetInt("keep_dims", 0) != 0;
  std::set<int64_t> kept = {0, 1, 2, 3};
  for (int64_t a : axes) kept.erase(a);
  const bool order_differs = kept.count(3) && (kept.count(1) || kept.count(2));
  const Layout l = Rank(x) == 4 && Current(x) == kNchw && (keep || !order_differs) ? kNchw : kIr;
  std::vector<int64_t> onnx_axes = axes;
  if (l == kNchw) {
    for (int64_t& a : onnx_axes) a = kNchwAxisOf[a];
    std::sort(onnx_axes.begin(), onnx_axes.end());
  }
  std::string pre, final;
  if (n.op == ir::OpKind::kReduceSum) {  // axes as an input from opset 13
    SetInt(Main(n, "ReduceSum", {Get(x, l), Int64s(T(n.outputs[0]).name + "_axes", onnx_axes)}, keep ? l : kIr, &pre,
                &final),
           "keepdims", keep ? 1 : 0);
    return Status::Ok();
  }
  pb::NodeProto* p = Main(n, n.op == ir::OpKind::kMean ? "ReduceMean" : ir::OpOnnxName(n.op), {Get(x, l)},
                          keep ? l : kIr, &pre, &final);
  SetInts(p, "axes", onnx_axes);
  SetInt(p, "keepdims", keep ? 1 : 0);
  return Status::Ok();
}

Status Exporter::Concat(const ir::Node& n) {
  bool nchw = Rank(n.outputs[0]) == 4;
  bool any_nchw = false;
  for (ir::TensorId i : n.inputs) any_nchw = any_nchw || (!T(i).is_const() && Current(i) == kNchw);
  const Layout l = nchw && any_nchw ? kNchw : kIr;
  std::vector<std::string> ins;
  for (ir::TensorId i : n.inputs) ins.push_back(Get(i, l));
  const int64_t axis = n.GetInt("axis");
  std::string pre, final;
  SetInt(Main(n, "Concat", ins, l, &pre, &final), "axis", l == kNchw ? kNchwAxisOf[axis] : axis);
  return Act(n, pre, final);
}

Status Exporter::PadOp(const ir::Node& n) {
  const ir::TensorId x = n.inputs[0];
  const Layout l = Current(x);
  const std::vector<int64_t> pads = n.GetInts("pads");
  if (n.GetReal("value", 0.0) != 0.0) return Unsupported(n, "a padding value other than 0");
  const std::string mode = n.op == ir::OpKind::kMirrorPad ? n.GetString("mode", "") : "constant";
  if (mode == "symmetric") return Unsupported(n, "mode 'symmetric' (ONNX Pad has reflect and edge)");
  const size_t rank = Rank(x);
  std::vector<int64_t> onnx(2 * rank);
  for (size_t i = 0; i < rank; ++i) {
    const size_t a = l == kNchw ? static_cast<size_t>(kToNchw[i]) : i;
    onnx[i] = pads[2 * a];
    onnx[rank + i] = pads[2 * a + 1];
  }
  std::string pre, final;
  pb::NodeProto* p = Main(n, "Pad", {Get(x, l), Int64s(T(n.outputs[0]).name + "_pads", onnx)}, l, &pre, &final);
  if (mode != "constant") SetString(p, "mode", mode);
  return Status::Ok();
}

Status Exporter::TransposeOp(const ir::Node& n) {
  const ir::TensorId x = n.inputs[0];
  std::vector<int64_t> perm = n.GetInts("perm");
  const Layout l = Current(x);
  if (l == kNchw) {
    for (int64_t& p : perm) p = kToNhwc[static_cast<size_t>(p)];
  }
  std::string pre, final;
  SetInts(Main(n, "Transpose", {Get(x, l)}, kIr, &pre, &final), "perm", perm);
  return Status::Ok();
}

// strided_slice as Slice (masks resolved against the static shape), then a
// Reshape for shrink_axis_mask; squeeze as Reshape; broadcast_to as Expand.
Status Exporter::Slice(const ir::Node& n) {
  const ir::TensorId x = n.inputs[0];
  const ir::Shape& s = T(x).shape;
  const std::string final = OutName(n.outputs[0], kIr);
  Produce(n.outputs[0], kIr, final);
  if (n.op == ir::OpKind::kSqueeze || n.op == ir::OpKind::kReshape || n.op == ir::OpKind::kBroadcastTo) {
    Add(n.op == ir::OpKind::kBroadcastTo ? "Expand" : "Reshape",
        {Get(x, kIr), Int64s(final + "_shape", T(n.outputs[0]).shape)}, {final}, n.name);
    return Status::Ok();
  }
  const std::vector<int64_t> begin = n.GetInts("begin"), end = n.GetInts("end"), strides = n.GetInts("strides");
  const int64_t bm = n.GetInt("begin_mask"), em = n.GetInt("end_mask"), sm = n.GetInt("shrink_axis_mask");
  if (begin.size() != s.size()) return Unsupported(n, "begin/end of another rank than the input");
  std::vector<int64_t> starts, ends, axes, steps;
  constexpr int64_t kBig = int64_t{1} << 62;
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t st = strides[i];
    int64_t b = begin[i], e = end[i];
    if (sm >> i & 1) {
      if (b < 0) b += s[i];
      e = b + 1;
    } else {
      if (bm >> i & 1) b = st > 0 ? 0 : kBig;
      if (em >> i & 1) e = st > 0 ? kBig : -kBig;
    }
    starts.push_back(b);
    ends.push_back(e);
    axes.push_back(static_cast<int64_t>(i));
    steps.push_back((sm >> i & 1) ? 1 : st);
  }
  const std::string sliced = sm != 0 ? Fresh(final + "_slice") : final;
  Add("Slice",
      {Get(x, kIr), Int64s(final + "_starts", starts), Int64s(final + "_ends", ends), Int64s(final + "_axes", axes),
       Int64s(final + "_steps", steps)},
      {sliced}, n.name);
  if (sm != 0) Add("Reshape", {sliced, Int64s(final + "_shape", T(n.outputs[0]).shape)}, {final}, final + "_Reshape");
  return Status::Ok();
}

Status Exporter::Resize(const ir::Node& n) {
  const ir::Shape& o = T(n.outputs[0]).shape;
  std::string pre, final;
  pb::NodeProto* p = Main(n, "Resize", {Get(n.inputs[0], kNchw), "", "", Int64s(T(n.outputs[0]).name + "_sizes",
                                                                            PermuteShape(o, kToNchw))},
                          kNchw, &pre, &final);
  SetString(p, "mode", "nearest");
  if (n.GetInt("align_corners") != 0) {
    SetString(p, "coordinate_transformation_mode", "align_corners");
    SetString(p, "nearest_mode", "round_prefer_ceil");
  } else if (n.GetInt("half_pixel_centers") != 0) {
    SetString(p, "coordinate_transformation_mode", "tf_half_pixel_for_nn");
    SetString(p, "nearest_mode", "floor");
  } else {
    SetString(p, "coordinate_transformation_mode", "asymmetric");
    SetString(p, "nearest_mode", "floor");
  }
  return Status::Ok();
}

// resize_bilinear as a linear Resize with the coordinate mapping TFLite's
// flags select (the ONNX frontend imports it back as resize_bilinear).
Status Exporter::ResizeBilinear(const ir::Node& n) {
  const ir::Shape& o = T(n.outputs[0]).shape;
  std::string pre, final;
  pb::NodeProto* p = Main(n, "Resize", {Get(n.inputs[0], kNchw), "", "", Int64s(T(n.outputs[0]).name + "_sizes",
                                                                            PermuteShape(o, kToNchw))},
                          kNchw, &pre, &final);
  SetString(p, "mode", "linear");
  const char* ctm = n.GetInt("align_corners") != 0       ? "align_corners"
                    : n.GetInt("half_pixel_centers") != 0 ? "half_pixel"
                                                          : "asymmetric";
  SetString(p, "coordinate_transformation_mode", ctm);
  return Status::Ok();
}

// ArgMax/ArgMin (int64 index), then a Cast for an int32 index.
Status Exporter::ArgMinMax(const ir::Node& n) {
  const ir::TensorId y = n.outputs[0];
  const bool i32 = T(y).dtype == ir::DType::kInt32;
  const std::string final = OutName(y, kIr);
  const std::string index = i32 ? Fresh(final + "_i64") : final;
  pb::NodeProto* p = Add(n.op == ir::OpKind::kArgMax ? "ArgMax" : "ArgMin", {Get(n.inputs[0], kIr)}, {index}, n.name);
  SetInt(p, "axis", n.GetInt("axis"));
  SetInt(p, "keepdims", n.GetInt("keep_dims", 0));
  if (i32) SetInt(Add("Cast", {index}, {final}, final + "_Cast"), "to", pb::TensorProto::INT32);
  Produce(y, kIr, final);
  return Status::Ok();
}

// TopK along the last axis (int64 indices), then a Cast for int32 ones.
Status Exporter::TopK(const ir::Node& n) {
  const ir::TensorId v = n.outputs[0], idx = n.outputs[1];
  const bool i32 = T(idx).dtype == ir::DType::kInt32;
  const std::string values = OutName(v, kIr), final = OutName(idx, kIr);
  const std::string index = i32 ? Fresh(final + "_i64") : final;
  pb::NodeProto* p =
      Add("TopK", {Get(n.inputs[0], kIr), Int64s(n.name + "_k", {n.GetInt("k")})}, {values, index}, n.name);
  SetInt(p, "axis", -1);
  SetInt(p, "largest", n.GetInt("largest", 1));
  if (i32) SetInt(Add("Cast", {index}, {final}, final + "_Cast"), "to", pb::TensorProto::INT32);
  Produce(v, kIr, values);
  Produce(idx, kIr, final);
  return Status::Ok();
}

Status Exporter::GatherOp(const ir::Node& n) {
  if (n.GetInt("batch_dims", 0) != 0) return Unsupported(n, "batch_dims != 0 (ONNX Gather has none)");
  std::string pre, final;
  SetInt(Main(n, "Gather", {Get(n.inputs[0], kIr), Get(n.inputs[1], kIr)}, kIr, &pre, &final), "axis",
         n.GetInt("axis"));
  return Status::Ok();
}

Status Exporter::SplitOp(const ir::Node& n) {
  std::vector<std::string> outs;
  for (ir::TensorId o : n.outputs) {
    outs.push_back(OutName(o, kIr));
    Produce(o, kIr, outs.back());
  }
  SetInt(Add("Split", {Get(n.inputs[0], kIr), Int64s(n.name + "_split", n.GetInts("sizes"))}, outs, n.name), "axis",
         n.GetInt("axis"));
  return Status::Ok();
}

// depth_to_space / space_to_depth: ONNX's on NCHW move the same elements as
// the IR's on NHWC (DepthToSpace in the IR's mode, DCR or CRD).
Status Exporter::DepthSpace(const ir::Node& n) {
  const bool d2s = n.op == ir::OpKind::kDepthToSpace;
  std::string pre, final;
  pb::NodeProto* p = Main(n, d2s ? "DepthToSpace" : "SpaceToDepth", {Get(n.inputs[0], kNchw)}, kNchw, &pre, &final);
  SetInt(p, "blocksize", n.GetInt("block_size"));
  if (d2s) SetString(p, "mode", n.GetString("mode", "DCR"));
  return Status::Ok();
}

// batch_matmul as MatMul (numpy batch broadcasting), adj_x / adj_y as a
// Transpose of the last two axes.
Status Exporter::BatchMatmul(const ir::Node& n) {
  std::vector<std::string> ins;
  for (size_t k = 0; k < 2; ++k) {
    const ir::TensorId id = n.inputs[k];
    std::string v = Get(id, kIr);
    if (n.GetInt(k == 0 ? "adj_x" : "adj_y", 0) != 0) {
      std::vector<int64_t> perm(Rank(id));
      for (size_t d = 0; d < perm.size(); ++d) perm[d] = static_cast<int64_t>(d);
      std::swap(perm[perm.size() - 1], perm[perm.size() - 2]);
      const std::string t = Fresh(T(id).name + "_adj");
      SetInts(Add("Transpose", {v}, {t}, t + "_Transpose"), "perm", perm);
      v = t;
    }
    ins.push_back(v);
  }
  std::string pre, final;
  Main(n, "MatMul", ins, kIr, &pre, &final);
  return Status::Ok();
}

Status Exporter::Convert(const ir::Node& n) {
  using K = ir::OpKind;
  if (n.op == K::kSplit) return SplitOp(n);
  if (n.op == K::kTopkV2) return TopK(n);
  if (n.outputs.size() != 1) return Unsupported(n, "more than one output");
  for (ir::TensorId i : n.inputs) {
    if (i != ir::kNoTensor && Rank(i) == 4 && T(i).is_const() == false && !Has(i, kIr) && !Has(i, kNchw)) {
      return Unsupported(n, "reads a tensor nothing wrote");
    }
  }
  switch (n.op) {
    case K::kConv2D: return Conv(n, false);
    case K::kDepthwiseConv2D: return Conv(n, true);
    case K::kTransposeConv: return TransposeConv(n);
    case K::kFullyConnected: return FullyConnected(n);
    case K::kAveragePool2D:
    case K::kMaxPool2D: return Pool(n);
    case K::kAdd:
    case K::kMul:
    case K::kSub:
    case K::kDiv:
    case K::kPow:
    case K::kPrelu:
    case K::kMaximum:
    case K::kMinimum:
    case K::kEqual:
    case K::kNotEqual:
    case K::kLess:
    case K::kLessEqual:
    case K::kGreater:
    case K::kGreaterEqual:
    case K::kLogicalAnd:
    case K::kLogicalOr:
    case K::kSelect: return Binary(n);
    case K::kRelu:
    case K::kRelu6:
    case K::kLogistic:
    case K::kTanh:
    case K::kHardSwish:
    case K::kLeakyRelu:
    case K::kClip:
    case K::kHardSigmoid:
    case K::kAbs:
    case K::kNeg:
    case K::kSqrt:
    case K::kExp:
    case K::kLog:
    case K::kFloor:
    case K::kCeil:
    case K::kRound:
    case K::kSin:
    case K::kCos:
    case K::kAtan:
    case K::kSign:
    case K::kSquare:
    case K::kElu:
    case K::kLogicalNot:
    case K::kCast: return Unary(n);
    case K::kMean:
    case K::kReduceMax:
    case K::kReduceMin:
    case K::kReduceProd:
    case K::kReduceSum: return Reduce(n);
    case K::kConcatenation: return Concat(n);
    case K::kPad:
    case K::kMirrorPad: return PadOp(n);
    case K::kArgMax:
    case K::kArgMin: return ArgMinMax(n);
    case K::kGather: return GatherOp(n);
    case K::kScatterNd: {
      if (n.GetString("reduction", "none") != "none") {
        return Unsupported(n, "a ScatterND reduction (ONNX opset 16; the written model is opset 13)");
      }
      const std::string idx = CastToInt64(n.inputs[1]);
      std::string pre, final;
      Main(n, "ScatterND", {Get(n.inputs[0], kIr), idx, Get(n.inputs[2], kIr)}, kIr, &pre, &final);
      return Status::Ok();
    }
    case K::kGatherElements: {
      std::string pre, final;
      SetInt(Main(n, "GatherElements", {Get(n.inputs[0], kIr), Get(n.inputs[1], kIr)}, kIr, &pre, &final), "axis",
             n.GetInt("axis"));
      return Status::Ok();
    }
    case K::kGatherNd: {
      const std::string idx = CastToInt64(n.inputs[1]);
      std::string pre, final;
      SetInt(Main(n, "GatherND", {Get(n.inputs[0], kIr), idx}, kIr, &pre, &final), "batch_dims",
             n.GetInt("batch_dims", 0));
      return Status::Ok();
    }
    case K::kSplit: return SplitOp(n);
    case K::kTopkV2: return TopK(n);
    case K::kDepthToSpace:
    case K::kSpaceToDepth: return DepthSpace(n);
    case K::kBatchMatmul: return BatchMatmul(n);
    case K::kResizeBilinear: return ResizeBilinear(n);
    case K::kTranspose: return TransposeOp(n);
    case K::kReshape:
    case K::kBroadcastTo:
    case K::kSqueeze:
    case K::kStridedSlice: return Slice(n);
    case K::kResizeNearestNeighbor: return Resize(n);
    case K::kSoftmax: {
      std::string x = Get(n.inputs[0], kIr);
      const double beta = n.GetReal("beta", 1.0);
      if (beta != 1.0) {
        const std::string scaled = Fresh(T(n.inputs[0]).name + "_beta");
        Add("Mul", {x, FloatScalar(static_cast<float>(beta))}, {scaled}, scaled + "_Mul");
        x = scaled;
      }
      std::string pre, final;
      SetInt(Main(n, "Softmax", {x}, kIr, &pre, &final), "axis", -1);
      return Status::Ok();
    }
    case K::kLogSoftmax: {
      std::string pre, final;
      SetInt(Main(n, "LogSoftmax", {Get(n.inputs[0], kIr)}, kIr, &pre, &final), "axis", -1);
      return Status::Ok();
    }
    case K::kQuantize:
    case K::kDequantize:
    case K::kLookupTable:  // int8 only: made by fold-qdq, never in a float model
    case K::kSvdf:  // stateful: no ONNX form
    case K::kUnidirectionalSequenceLstm:  // stateful; ONNX LSTM has other gates and layouts
    case K::kGru:  // made by the ONNX importer only; TFLite models have none
    case K::kRnn:
    case K::kErf:
    case K::kReadVariable:  // resource variables: state, no ONNX form
    case K::kAssignVariable:
    case K::kResizeLinear:  // made by the ONNX importer only
      break;
    case K::kCumsum: {
      std::string pre, final;
      pb::NodeProto* p = Main(n, "CumSum", {Get(n.inputs[0], kIr), Int64s(T(n.outputs[0]).name + "_axis", {n.GetInt("axis")})},
                              kIr, &pre, &final);
      SetInt(p, "exclusive", n.GetInt("exclusive", 0));
      SetInt(p, "reverse", n.GetInt("reverse", 0));
      return Status::Ok();
    }
    case K::kMod:
      if (T(n.inputs[0]).dtype != ir::DType::kFloat32 || n.GetInt("fmod", 0) == 1) return Binary(n);
      return Unsupported(n, "a float floor modulo has no ONNX form (ONNX's float Mod truncates)");
    case K::kSquaredDifference:  // ONNX has no single operator for these
    case K::kRsqrt:
    case K::kL2Normalization:  // LpNormalization has no epsilon
      break;
  }
  return Unsupported(n, "no ONNX form");
}

Expected<pb::ModelProto> Exporter::Run() {
  m_.set_ir_version(7);
  m_.set_producer_name("ember");
  auto* op = m_.add_opset_import();
  op->set_domain("");
  // HardSwish exists from opset 14.
  const bool hard_swish = std::any_of(g_.nodes.begin(), g_.nodes.end(),
                                      [](const ir::Node& n) { return n.op == ir::OpKind::kHardSwish; });
  op->set_version(hard_swish ? 14 : kExportOpset);
  gp_ = m_.mutable_graph();
  gp_->set_name(g_.name.empty() ? "main" : g_.name);
  // Float only: computed tensors f32 (bool, int32 and int64 for indices,
  // comparisons, conditions), constants f32 / i32 / i64 / bool; nothing quantized.
  for (const ir::Tensor& t : g_.tensors) {
    const bool ok = (t.dtype == ir::DType::kFloat32 || t.dtype == ir::DType::kInt32 ||
                     t.dtype == ir::DType::kInt64 || t.dtype == ir::DType::kBool) && !t.quant;
    if (!ok) {
      return MakeDiag(kNotQuantizable, ExitCode::kUnsupported,
                      source_ + ": is not a float model (tensor '" + t.name + "' is " + ir::DTypeName(t.dtype) +
                          (t.quant ? ", quantized" : "") + ")",
                      "compile an int8 model as it is: ember compile " + source_);
    }
    used_.insert(t.name);
  }
  for (ir::TensorId o : g_.outputs) outputs_.insert(o);
  auto value_info = [](pb::ValueInfoProto* v, const ir::Tensor& t) {
    v->set_name(t.name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(OnnxType(t.dtype));
    auto* sh = tt->mutable_shape();
    for (int64_t d : t.shape) sh->add_dim()->set_dim_value(d);
  };
  for (ir::TensorId i : g_.inputs) {
    value_info(gp_->add_input(), T(i));
    Produce(i, kIr, T(i).name);
  }
  for (const ir::Node& n : g_.nodes) EMBER_RETURN_IF_ERROR(Convert(n));
  for (ir::TensorId o : g_.outputs) {
    if (T(o).is_const() || std::count(g_.inputs.begin(), g_.inputs.end(), o) != 0) {
      return MakeDiag(kNotExportable, ExitCode::kUnsupported,
                      source_ + ": graph output '" + T(o).name + "' is a constant or a graph input",
                      "quantize the model with the TFLite converter");
    }
    Get(o, kIr);
    value_info(gp_->add_output(), T(o));
  }
  try {
    pb::checker::check_model(m_);
  } catch (const std::exception& e) {
    return MakeDiag(kQdqInvalid, ExitCode::kInternal,
                    source_ + ": the float ONNX model written for quantization fails the ONNX checker: " + e.what(),
                    "this is a bug in ember; please report it with the model");
  }
  return m_;
}

}  // namespace

Expected<pb::ModelProto> ExportFloatOnnx(const ir::Graph& g, const std::string& source) {
  Exporter e(g, source);
  return e.Run();
}

}  // namespace ember::quantize
