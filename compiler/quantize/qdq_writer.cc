// QDQ model writer on the ONNX ModelProto (contract in qdq_writer.h).
//
// Steps of WriteQdq:
//   1. Index producers, readers and initializers of the graph.
//   2. Pick each quantized tensor's scale and zero point in node order (own
//      calibrated range, the input's parameters for the layout operators,
//      1/256 for Softmax, 16/256 with zero point 127 for LogSoftmax) and add
//      them as initializers `<t>_scale`,
//      `<t>_zero_point`. The float table of a Gather whose output is
//      quantized (an embedding) becomes an int8 initializer with its own
//      range's parameters, which the Gather's output takes: an int8 copy.
//   3. Rebuild the node list: Q/DQ pairs after graph inputs and after each
//      node that writes a quantized tensor; readers read `<t>_DequantizeLinear_Output`
//      (a graph output keeps its name: the producer writes
//      `<t>_QuantizeLinear_Input` and the DequantizeLinear writes `<t>`);
//      the weights and bias of Conv/ConvTranspose/Gemm/MatMul whose
//      activation input is quantized become integer initializers with a
//      DequantizeLinear in front of the node, and so do the int8 tables.
//   4. Drop initializers nothing reads any more, clear value_info, run the checker.
#include "quantize/qdq_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <exception>
#include <limits>
#include <set>

#include "onnx/checker.h"
#include "frontend/onnx/import.h"
#include "quantize/onnx_util.h"

namespace ember::quantize {

using namespace detail;  // NOLINT: the quantizer's own helpers

namespace {

bool IsLayoutOp(const std::string& op) {
  static const std::set<std::string> k = {"MaxPool", "Reshape", "Flatten",   "Transpose", "Slice",
                                          "Pad",     "Squeeze", "Unsqueeze", "Gather"};
  return k.count(op) != 0;
}

struct Params {
  std::string scale, zero_point;  // initializer names
  float s = 1.0f;
  int32_t zp = 0;
};

class Writer {
 public:
  Writer(pb::ModelProto& m, const QdqOptions& o) : m_(m), g_(m.mutable_graph()), opt_(o) {
    for (const auto& op : m.opset_import()) {
      if (op.domain().empty() || op.domain() == "ai.onnx") opset_ = op.version();
    }
  }

  Expected<std::vector<QuantizedTensor>> Run(const std::map<std::string, Range>& ranges);

 private:
  std::vector<QuantizedTensor> AssignParams(const std::map<std::string, Range>& ranges);  // step 2
  void RebuildNodes();                                                                     // step 3
  Status Finish();                                                                         // step 4
  std::string Fresh(const std::string& base) {
    std::string n = base;
    for (int k = 1; used_.count(n); ++k) n = base + "_" + std::to_string(k);
    used_.insert(n);
    return n;
  }
  Params AddParams(const std::string& t, float s, int32_t zp) {
    Params p{Fresh(t + "_scale"), Fresh(t + "_zero_point"), s, zp};
    *g_->add_initializer() = MakeTensor<float>(p.scale, pb::TensorProto::FLOAT, {}, {s});
    *g_->add_initializer() = MakeTensor<int8_t>(p.zero_point, pb::TensorProto::INT8, {}, {static_cast<int8_t>(zp)});
    return p;
  }
  void EmitQdq(const std::string& t, const Params& p, pb::GraphProto* out);
  // Quantized weight input `pos` of node `n` (rewired); false when left float.
  bool QuantizeWeights(pb::NodeProto& n, const Params& in, pb::GraphProto* out);
  // The float initializer `t` (a Gather's table) as int8 with the parameters
  // of its own range: params_[t], and tables_[t] the int8 initializer.
  void QuantizeTable(const std::string& t);
  // A node `<base>_QuantizeLinear` / `<base>_DequantizeLinear` (ONNX
  // Runtime's node names) writing `o`.
  pb::NodeProto* AddNode(pb::GraphProto* out, const char* op, const std::string& base, std::vector<std::string> ins,
                         std::string o) {
    pb::NodeProto* n = out->add_node();
    n->set_op_type(op);
    n->set_name(Fresh(base + "_" + op));
    for (auto& i : ins) n->add_input(i);
    n->add_output(o);
    return n;
  }

  pb::ModelProto& m_;
  pb::GraphProto* g_;
  QdqOptions opt_;
  int64_t opset_ = 0;
  Index ix_;
  std::set<std::string> used_;
  std::map<std::string, Params> params_;       // quantized tensor -> params
  std::map<std::string, std::string> dq_of_;  // quantized tensor -> name readers read
  std::map<std::string, std::string> pre_;    // quantized graph output -> what its producer writes
  std::map<std::string, std::string> wcache_; // weight initializer -> its DequantizeLinear output
  std::map<std::string, std::string> tables_; // float table initializer -> its int8 initializer
};

// Asymmetric int8 over [min(0, lo), max(0, hi)] of the table, as activations
// (QuantParamsFor); values rounded half away from zero.
void Writer::QuantizeTable(const std::string& t) {
  auto it = ix_.inits.find(t);
  std::vector<float> v;
  if (it == ix_.inits.end() || !GetFloats(*it->second, &v) || v.empty()) return;
  Range r{v[0], v[0]};
  for (float x : v) {
    if (!std::isfinite(x)) return;
    r.lo = std::min(r.lo, x);
    r.hi = std::max(r.hi, x);
  }
  const AffineInt8 a = QuantParamsFor(r);
  std::vector<int8_t> q(v.size());
  for (size_t k = 0; k < v.size(); ++k) {
    q[k] = static_cast<int8_t>(std::clamp(std::round(v[k] / a.scale) + static_cast<float>(a.zero_point), -128.0f, 127.0f));
  }
  const std::string qn = Fresh(t + "_quantized");
  *g_->add_initializer() = MakeTensor(qn, pb::TensorProto::INT8, {it->second->dims().begin(), it->second->dims().end()}, q);
  params_[t] = AddParams(t, a.scale, a.zero_point);
  tables_[t] = qn;
}

void Writer::EmitQdq(const std::string& t, const Params& p, pb::GraphProto* out) {
  const std::string q = Fresh(t + "_QuantizeLinear_Output");
  auto pre = pre_.find(t);
  AddNode(out, "QuantizeLinear", t, {pre != pre_.end() ? pre->second : t, p.scale, p.zero_point}, q);
  const std::string dq = pre != pre_.end() ? t : Fresh(t + "_DequantizeLinear_Output");
  AddNode(out, "DequantizeLinear", t, {q, p.scale, p.zero_point}, dq);
  dq_of_[t] = dq;
}

// Weights int8 symmetric: per output channel (axis 0; axis 1 for
// ConvTranspose) with --per-channel on Conv/ConvTranspose, else per tensor;
// scale = max|w| / 127 (1 for an all-zero channel). The bias becomes int32
// with scale s_in * s_w, rounded half away from zero and saturated.
bool Writer::QuantizeWeights(pb::NodeProto& n, const Params& in, pb::GraphProto* out) {
  const std::string& op = n.op_type();
  if (n.input_size() < 2) return false;
  auto wit = ix_.inits.find(n.input(1));
  std::vector<float> w;
  if (wit == ix_.inits.end() || !GetFloats(*wit->second, &w) || w.empty()) return false;
  const pb::TensorProto& wt = *wit->second;
  if (op == "Gemm" && (AttrInt(n, "transA", 0) != 0 || AttrFloat(n, "alpha", 1.0f) != 1.0f)) return false;
  const bool conv = op == "Conv" || op == "ConvTranspose";
  const int axis = op == "ConvTranspose" ? 1 : 0;
  const bool per_ch = opt_.per_channel && conv && opset_ >= 13 && wt.dims_size() > axis;
  int64_t channels = per_ch ? wt.dims(axis) : 1;
  int64_t inner = 1;  // elements after the axis
  for (int d = axis + 1; per_ch && d < wt.dims_size(); ++d) inner *= wt.dims(d);
  std::vector<float> scales(static_cast<size_t>(channels), 0.0f);
  for (size_t k = 0; k < w.size(); ++k) {
    const size_t c = per_ch ? (k / static_cast<size_t>(inner)) % static_cast<size_t>(channels) : 0;
    scales[c] = std::max(scales[c], std::fabs(w[k]));
  }
  for (float& s : scales) s = s > 0.0f ? s / 127.0f : 1.0f;
  const std::string wname = n.input(1);
  std::string wdq;
  const std::string key = wname + (per_ch ? "/pc" : "/pt");
  if (auto c = wcache_.find(key); c != wcache_.end()) {
    wdq = c->second;
  } else {
    std::vector<int8_t> q(w.size());
    for (size_t k = 0; k < w.size(); ++k) {
      const size_t c = per_ch ? (k / static_cast<size_t>(inner)) % static_cast<size_t>(channels) : 0;
      q[k] = static_cast<int8_t>(std::clamp(std::round(w[k] / scales[c]), -127.0f, 127.0f));
    }
    std::vector<int64_t> dims(wt.dims().begin(), wt.dims().end());
    std::vector<int64_t> pdims = per_ch ? std::vector<int64_t>{channels} : std::vector<int64_t>{};
    const std::string qn = Fresh(wname + "_quantized"), sn = Fresh(wname + "_scale"), zn = Fresh(wname + "_zero_point");
    *g_->add_initializer() = MakeTensor(qn, pb::TensorProto::INT8, dims, q);
    *g_->add_initializer() = MakeTensor(sn, pb::TensorProto::FLOAT, pdims, scales);
    *g_->add_initializer() = MakeTensor(zn, pb::TensorProto::INT8, pdims, std::vector<int8_t>(scales.size(), 0));
    wdq = Fresh(wname + "_DequantizeLinear_Output");
    pb::NodeProto* d = AddNode(out, "DequantizeLinear", wname, {qn, sn, zn}, wdq);
    if (per_ch) {
      auto* a = d->add_attribute();
      a->set_name("axis");
      a->set_type(pb::AttributeProto::INT);
      a->set_i(axis);
    }
    wcache_[key] = wdq;
  }
  n.set_input(1, wdq);
  // Bias: Conv/ConvTranspose input 2, Gemm's C when 1-D with beta 1.
  std::vector<float> b;
  if (n.input_size() < 3 || n.input(2).empty() || op == "MatMul") return true;
  auto bit = ix_.inits.find(n.input(2));
  if (bit == ix_.inits.end() || !GetFloats(*bit->second, &b) || bit->second->dims_size() != 1) return true;
  if (op == "Gemm" && AttrFloat(n, "beta", 1.0f) != 1.0f) return true;
  if (per_ch && b.size() != scales.size()) return true;
  std::vector<float> bs(per_ch ? scales.size() : 1);
  for (size_t c = 0; c < bs.size(); ++c) bs[c] = in.s * scales[c];
  std::vector<int32_t> bq(b.size());
  for (size_t k = 0; k < b.size(); ++k) {
    const double v = std::round(static_cast<double>(b[k]) / bs[per_ch ? k : 0]);
    bq[k] = static_cast<int32_t>(std::clamp(v, -2147483648.0, 2147483647.0));
  }
  const std::string bname = n.input(2);
  std::vector<int64_t> pdims = per_ch ? std::vector<int64_t>{static_cast<int64_t>(bs.size())} : std::vector<int64_t>{};
  const std::string qn = Fresh(bname + "_quantized"), sn = Fresh(bname + "_scale"), zn = Fresh(bname + "_zero_point");
  *g_->add_initializer() = MakeTensor(qn, pb::TensorProto::INT32, {static_cast<int64_t>(b.size())}, bq);
  *g_->add_initializer() = MakeTensor(sn, pb::TensorProto::FLOAT, pdims, bs);
  *g_->add_initializer() = MakeTensor(zn, pb::TensorProto::INT32, pdims, std::vector<int32_t>(bs.size(), 0));
  const std::string bdq = Fresh(bname + "_DequantizeLinear_Output");
  pb::NodeProto* d = AddNode(out, "DequantizeLinear", bname, {qn, sn, zn}, bdq);
  if (per_ch) {
    auto* a = d->add_attribute();
    a->set_name("axis");
    a->set_type(pb::AttributeProto::INT);
    a->set_i(0);
  }
  n.set_input(2, bdq);
  return true;
}

std::vector<QuantizedTensor> Writer::AssignParams(const std::map<std::string, Range>& ranges) {
  std::vector<QuantizedTensor> result;
  auto own = [&](const std::string& t, const std::string& producer) {
    auto r = ranges.find(t);
    if (r == ranges.end()) return;
    const AffineInt8 a = QuantParamsFor(r->second);
    params_[t] = AddParams(t, a.scale, a.zero_point);
    result.push_back({t, producer, a.scale, a.zero_point});
  };
  for (const auto& in : g_->input()) {
    if (!ix_.inits.count(in.name()) && !ix_.outputs.count(in.name())) own(in.name(), "input");
  }
  for (int i = 0; i < g_->node_size(); ++i) {
    const pb::NodeProto& n = g_->node(i);
    if (n.op_type() == "Gather" && n.input_size() > 1 && n.output_size() > 0 && ranges.count(n.output(0)) &&
        ix_.inits.count(n.input(0)) && !params_.count(n.input(0)))
      QuantizeTable(n.input(0));
    for (const auto& o : n.output()) {
      // A layout operator's output reuses its quantized input's parameters
      // even when the importer folded it away (a Pad of zeros has no tensor).
      const bool reuse = IsLayoutOp(n.op_type()) && n.input_size() > 0 && params_.count(n.input(0)) && &o == &n.output(0);
      if (o.empty() || (!ranges.count(o) && !reuse)) continue;
      if (reuse) {
        params_[o] = params_[n.input(0)];
        result.push_back({o, n.op_type(), params_[o].s, params_[o].zp});
      } else if (n.op_type() == "Softmax") {
        params_[o] = AddParams(o, 1.0f / 256.0f, -128);
        result.push_back({o, n.op_type(), 1.0f / 256.0f, -128});
      } else if (n.op_type() == "LogSoftmax") {  // TFLite's fixed int8 output: [-255/16, 0] in steps of 1/16
        params_[o] = AddParams(o, 16.0f / 256.0f, 127);
        result.push_back({o, n.op_type(), 16.0f / 256.0f, 127});
      } else {
        own(o, n.op_type());
      }
    }
  }
  for (const auto& [t, p] : params_) {
    if (ix_.outputs.count(t)) pre_[t] = Fresh(t + "_QuantizeLinear_Input");
  }
  return result;
}

void Writer::RebuildNodes() {
  pb::GraphProto out;
  for (const auto& [t, qn] : tables_) {
    const Params& p = params_[t];
    const std::string dq = Fresh(t + "_DequantizeLinear_Output");
    AddNode(&out, "DequantizeLinear", t, {qn, p.scale, p.zero_point}, dq);
    dq_of_[t] = dq;
  }
  for (const auto& in : g_->input()) {
    if (auto p = params_.find(in.name()); p != params_.end()) EmitQdq(in.name(), p->second, &out);
  }
  for (int i = 0; i < g_->node_size(); ++i) {
    pb::NodeProto n = g_->node(i);
    for (int k = 0; k < n.input_size(); ++k) {
      if (auto d = dq_of_.find(n.input(k)); d != dq_of_.end()) n.set_input(k, d->second);
    }
    const std::string& op = n.op_type();
    if ((op == "Conv" || op == "ConvTranspose" || op == "Gemm" || op == "MatMul") && n.input_size() > 1) {
      if (auto in = params_.find(g_->node(i).input(0)); in != params_.end()) QuantizeWeights(n, in->second, &out);
    }
    for (int k = 0; k < n.output_size(); ++k) {
      if (auto p = pre_.find(n.output(k)); p != pre_.end()) n.set_output(k, p->second);
    }
    *out.add_node() = n;
    for (const auto& o : g_->node(i).output()) {
      if (auto p = params_.find(o); p != params_.end()) EmitQdq(o, p->second, &out);
    }
  }
  g_->mutable_node()->Swap(out.mutable_node());
}

Status Writer::Finish() {
  std::set<std::string> read;
  for (const auto& n : g_->node()) {
    for (const auto& in : n.input()) read.insert(in);
  }
  for (const auto& o : g_->output()) read.insert(o.name());
  auto* inits = g_->mutable_initializer();
  for (int k = inits->size(); k-- > 0;) {
    if (!read.count(inits->Get(k).name())) inits->DeleteSubrange(k, 1);
  }
  // Graph inputs listed for initializers that were dropped (IR version < 4 style).
  std::set<std::string> init_names;
  for (const auto& t : g_->initializer()) init_names.insert(t.name());
  auto* gin = g_->mutable_input();
  for (int k = gin->size(); k-- > 0;) {
    const std::string& nm = gin->Get(k).name();
    if (ix_.inits.count(nm) && !init_names.count(nm)) gin->DeleteSubrange(k, 1);
  }
  g_->clear_value_info();
  try {
    pb::checker::check_model(m_);
  } catch (const std::exception& e) {
    return MakeDiag(kQdqInvalid, ExitCode::kInternal,
                    std::string("the quantized model fails the ONNX checker: ") + e.what(),
                    "this is a bug in ember's quantizer; please report it with the model");
  }
  return Status::Ok();
}

Expected<std::vector<QuantizedTensor>> Writer::Run(const std::map<std::string, Range>& ranges) {
  ix_ = BuildIndex(g_);  // step 1
  for (const auto& t : g_->initializer()) used_.insert(t.name());
  for (const auto& n : g_->node()) {
    used_.insert(n.name());
    for (const auto& o : n.output()) used_.insert(o);
  }
  for (const auto& in : g_->input()) used_.insert(in.name());
  std::vector<QuantizedTensor> result = AssignParams(ranges);  // step 2
  RebuildNodes();                                               // step 3
  EMBER_RETURN_IF_ERROR(Finish());                              // step 4
  // The int8 model follows TFLite's int8 semantics (docs/quantize.md): the
  // ONNX importer reads this entry and keeps ember's shared int8 kernels.
  bool marked = false;
  for (auto& prop : *m_.mutable_metadata_props()) {
    if (prop.key() == frontend::onnx::kInt8SemanticsKey) {
      prop.set_value("tflite");
      marked = true;
    }
  }
  if (!marked) {
    auto* prop = m_.add_metadata_props();
    prop->set_key(frontend::onnx::kInt8SemanticsKey);
    prop->set_value("tflite");
  }
  return result;
}

}  // namespace

Expected<std::vector<QuantizedTensor>> WriteQdq(pb::ModelProto& m, const std::map<std::string, Range>& ranges,
                                                const QdqOptions& options) {
  Writer w(m, options);
  return w.Run(ranges);
}

}  // namespace ember::quantize