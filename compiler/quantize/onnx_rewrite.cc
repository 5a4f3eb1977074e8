// BatchNormalization folding and activation removal on the ONNX model
// (contract in onnx_rewrite.h).
#include "quantize/onnx_rewrite.h"

#include <cmath>
#include <limits>
#include <set>

#include "quantize/onnx_util.h"

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
