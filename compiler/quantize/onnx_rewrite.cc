// BatchNormalization folding and activation removal on the ONNX model
// (contract in onnx_rewrite.h).
#include "quantize/onnx_rewrite.h"

#include <cmath>
#include <limits>
#include <set>

#include "frontend/onnx/import.h"
#include "quantize/onnx_util.h"
#include "quantize/qdq_writer.h"

namespace ember::quantize {

using namespace detail;  // NOLINT: the quantizer's own helpers

namespace {

bool FoldOne(pb::GraphProto* g, Index& ix, int p, int bn) {
  pb::NodeProto& prod = *g->mutable_node(p);
  const pb::NodeProto& b = g->node(bn);
  if (b.input_size() != 5 || AttrInt(b, "training_mode", 0) != 0) return false;
  for (int k = 1; k < b.output_size(); ++k) {
    if (!b.output(k).empty()) return false;
  }
  std::vector<float> gamma, beta, mean, var, w, bias;
  auto init = [&](const std::string& name, std::vector<float>* v) {
    auto it = ix.inits.find(name);
    return it != ix.inits.end() && GetFloats(*it->second, v);
  };
  if (!init(b.input(1), &gamma) || !init(b.input(2), &beta) || !init(b.input(3), &mean) || !init(b.input(4), &var)) return false;
  const size_t c = gamma.size();
  if (beta.size() != c || mean.size() != c || var.size() != c) return false;
  if (prod.input_size() < 2 || !init(prod.input(1), &w) || Uses(ix, prod.input(1)) != 1) return false;
  const pb::TensorProto& wt = *ix.inits[prod.input(1)];
  bool rows = true;  // output channel = first weight dimension
  if (prod.op_type() == "Gemm") {
    if (AttrInt(prod, "transA", 0) != 0 || AttrFloat(prod, "alpha", 1.0f) != 1.0f || wt.dims_size() != 2) return false;
    if (prod.input_size() > 2 && AttrFloat(prod, "beta", 1.0f) != 1.0f) return false;
    rows = AttrInt(prod, "transB", 0) != 0;
  } else if (wt.dims_size() < 1) {
    return false;
  }
  const int64_t out_ch = rows ? wt.dims(0) : wt.dims(1);
  if (static_cast<size_t>(out_ch) != c || w.size() % c != 0) return false;
  const bool has_bias = prod.input_size() > 2 && !prod.input(2).empty();
  if (has_bias) {
    if (!init(prod.input(2), &bias) || bias.size() != c || Uses(ix, prod.input(2)) != 1) return false;
    if (ix.inits[prod.input(2)]->dims_size() != 1) return false;
  } else {
    bias.assign(c, 0.0f);
  }
  const double eps = AttrFloat(b, "epsilon", 1e-5f);
  std::vector<double> f(c);
  for (size_t o = 0; o < c; ++o) f[o] = gamma[o] / std::sqrt(static_cast<double>(var[o]) + eps);
  const size_t inner = w.size() / c;
  for (size_t k = 0; k < w.size(); ++k) {
    const size_t o = rows ? k / inner : k % c;
    w[k] = static_cast<float>(w[k] * f[o]);
  }
  for (size_t o = 0; o < c; ++o) bias[o] = static_cast<float>((bias[o] - mean[o]) * f[o] + beta[o]);
  SetFloats(ix.inits[prod.input(1)], w);
  if (has_bias) {
    SetFloats(ix.inits[prod.input(2)], bias);
  } else {
    std::string name = prod.input(1) + "_bn_bias";
    while (ix.inits.count(name) || ix.producer.count(name)) name += "_";
    *g->add_initializer() = MakeTensor(name, pb::TensorProto::FLOAT, {static_cast<int64_t>(c)}, bias);
    while (prod.input_size() < 2) prod.add_input("");
    if (prod.input_size() == 2) prod.add_input(name);
    else prod.set_input(2, name);
  }
  prod.set_output(0, b.output(0));
  return true;
}

}  // namespace

Expected<int> FoldBatchNormOnnx(pb::ModelProto& m) {
  pb::GraphProto* g = m.mutable_graph();
  int folded = 0;
  for (bool again = true; again;) {
    again = false;
    Index ix = BuildIndex(g);
    for (int i = 0; i < g->node_size(); ++i) {
      const pb::NodeProto& n = g->node(i);
      if (n.op_type() != "BatchNormalization" || n.input_size() < 1) continue;
      auto p = ix.producer.find(n.input(0));
      if (p == ix.producer.end() || !OnlyReader(ix, n.input(0), i)) continue;
      const std::string& op = g->node(p->second).op_type();
      if (op != "Conv" && op != "Gemm") continue;
      if (!FoldOne(g, ix, p->second, i)) continue;
      EraseNodes(g, {i});
      ++folded;
      again = true;  // indices changed
      break;
    }
  }
  return folded;
}

int RemoveFusableActivations(pb::ModelProto& m) {
  pb::GraphProto* g = m.mutable_graph();
  const Index ix = BuildIndex(g);
  std::set<int> drop;
  for (int i = 0; i < g->node_size(); ++i) {
    const pb::NodeProto& a = g->node(i);
    if (a.input_size() < 1 || a.output_size() != 1) continue;
    bool act = a.op_type() == "Relu";
    if (a.op_type() == "Clip") {
      float lo = AttrFloat(a, "min", std::numeric_limits<float>::lowest());
      if (a.input_size() > 1 && !a.input(1).empty() && !ConstScalar(*g, ix, a.input(1), &lo)) continue;
      act = lo == 0.0f;
    }
    if (!act) continue;
    auto p = ix.producer.find(a.input(0));
    if (p == ix.producer.end() || !OnlyReader(ix, a.input(0), i) || drop.count(p->second)) continue;
    const std::string& op = g->node(p->second).op_type();
    if (op != "Conv" && op != "Gemm" && op != "MatMul" && op != "Add") continue;
    g->mutable_node(p->second)->set_output(0, a.output(0));
    drop.insert(i);
  }
  EraseNodes(g, drop);
  // Constant nodes nothing reads any more (a removed Clip's bounds).
  const Index after = BuildIndex(g);
  std::set<int> unused;
  for (int i = 0; i < g->node_size(); ++i) {
    const auto& n = g->node(i);
    if (n.op_type() == "Constant" && n.output_size() == 1 && !Uses(after, n.output(0)) && !after.outputs.count(n.output(0))) {
      unused.insert(i);
    }
  }
  EraseNodes(g, unused);
  return static_cast<int>(drop.size());
}

namespace {

const auto IsWide = frontend::onnx::IsWidenedFloat;

// One walk over the model (WidenToFloat32).
class Widener {
 public:
  explicit Widener(const std::string& path) : path_(path) {}
  int count() const { return count_; }
  const std::string& first() const { return first_; }

  Status Graph(pb::GraphProto* g, bool main = false) {
    const std::string in = main ? "" : " of subgraph '" + g->name() + "'";
    for (auto* list : {g->mutable_input(), g->mutable_output(), g->mutable_value_info()}) {
      for (auto& v : *list) Type(v.mutable_type(), "value '" + v.name() + "'" + in);
    }
    for (auto& t : *g->mutable_initializer()) EMBER_RETURN_IF_ERROR(Tensor(&t, "initializer '" + t.name() + "'" + in));
    for (const auto& s : g->sparse_initializer()) {
      if (IsWide(s.values().data_type())) return Refuse("sparse initializer '" + s.values().name() + "'" + in);
    }
    for (auto& n : *g->mutable_node()) EMBER_RETURN_IF_ERROR(Node(&n));
    return Status::Ok();
  }

  Status Node(pb::NodeProto* n) {
    const std::string who = "node '" + n->name() + "' (" + n->op_type() + ")";
    static const std::set<std::string> kDtypeOps = {"RandomNormal",     "RandomUniform", "RandomNormalLike",
                                                    "RandomUniformLike", "EyeLike",      "Bernoulli",
                                                    "SequenceEmpty"};
    for (auto& a : *n->mutable_attribute()) {
      if (a.type() == pb::AttributeProto::INT && IsWide(static_cast<int32_t>(a.i())) &&
          ((n->op_type() == "Cast" && a.name() == "to") || (kDtypeOps.count(n->op_type()) && a.name() == "dtype"))) {
        Note("attribute " + a.name() + " of " + who, static_cast<int32_t>(a.i()));
        a.set_i(pb::TensorProto::FLOAT);
      }
      if (a.has_t()) EMBER_RETURN_IF_ERROR(Tensor(a.mutable_t(), "attribute " + a.name() + " of " + who));
      for (auto& t : *a.mutable_tensors()) EMBER_RETURN_IF_ERROR(Tensor(&t, "attribute " + a.name() + " of " + who));
      if (a.has_sparse_tensor() && IsWide(a.sparse_tensor().values().data_type())) {
        return Refuse("the sparse tensor attribute " + a.name() + " of " + who);
      }
      if (a.has_tp()) Type(a.mutable_tp(), "attribute " + a.name() + " of " + who);
      for (auto& tp : *a.mutable_type_protos()) Type(&tp, "attribute " + a.name() + " of " + who);
      if (a.has_g()) EMBER_RETURN_IF_ERROR(Graph(a.mutable_g()));
      for (auto& g : *a.mutable_graphs()) EMBER_RETURN_IF_ERROR(Graph(&g));
    }
    return Status::Ok();
  }

 private:
  void Note(const std::string& what, int32_t t) {
    if (count_++ == 0) first_ = what + " (" + pb::TensorProto::DataType_Name(static_cast<pb::TensorProto::DataType>(t)) + ")";
  }

  void Type(pb::TypeProto* tp, const std::string& what) {
    switch (tp->value_case()) {
      case pb::TypeProto::kTensorType:
        if (IsWide(tp->tensor_type().elem_type())) {
          Note(what, tp->tensor_type().elem_type());
          tp->mutable_tensor_type()->set_elem_type(pb::TensorProto::FLOAT);
        }
        break;
      case pb::TypeProto::kSparseTensorType:
        if (IsWide(tp->sparse_tensor_type().elem_type())) {
          Note(what, tp->sparse_tensor_type().elem_type());
          tp->mutable_sparse_tensor_type()->set_elem_type(pb::TensorProto::FLOAT);
        }
        break;
      case pb::TypeProto::kSequenceType: Type(tp->mutable_sequence_type()->mutable_elem_type(), what); break;
      case pb::TypeProto::kOptionalType: Type(tp->mutable_optional_type()->mutable_elem_type(), what); break;
      case pb::TypeProto::kMapType: Type(tp->mutable_map_type()->mutable_value_type(), what); break;
      default: break;
    }
  }

  Status Tensor(pb::TensorProto* t, const std::string& what) {
    if (!IsWide(t->data_type())) return Status::Ok();
    // The importer's reader: float16 and bfloat16 bit patterns, doubles.
    auto v = frontend::onnx::ReadFloatTensor(*t, path_);
    if (!v.ok()) return Refuse(what + ", whose data is external or does not match its dims,");
    Note(what, t->data_type());
    t->clear_double_data();
    t->clear_int32_data();
    SetFloats(t, std::vector<float>(v->begin(), v->end()));
    return Status::Ok();
  }

  Status Refuse(const std::string& what) {
    return MakeDiag(kNotQuantizable, ExitCode::kUnsupported,
                    path_ + ": " + what + " has double, float16 or bfloat16 values that ember quantize cannot read as float32",
                    "convert the model to float32 first (export it in float32)");
  }

  const std::string& path_;
  int count_ = 0;
  std::string first_;
};

}  // namespace

Expected<int> WidenToFloat32(pb::ModelProto& m, const std::string& path, std::string* first) {
  Widener w(path);
  EMBER_RETURN_IF_ERROR(w.Graph(m.mutable_graph(), true));
  for (auto& f : *m.mutable_functions()) {
    for (auto& n : *f.mutable_node()) EMBER_RETURN_IF_ERROR(w.Node(&n));
  }
  if (first) *first = w.first();
  return w.count();
}

std::vector<std::string> CandidateTensors(const pb::ModelProto& m) {
  std::vector<std::string> out;
  std::set<std::string> inits;
  for (const auto& t : m.graph().initializer()) inits.insert(t.name());
  for (const auto& in : m.graph().input()) {
    if (!inits.count(in.name())) out.push_back(in.name());
  }
  for (const auto& n : m.graph().node()) {
    if (n.op_type() == "Constant") continue;
    for (const auto& o : n.output()) {
      if (!o.empty()) out.push_back(o);
    }
  }
  return out;
}

}  // namespace ember::quantize
