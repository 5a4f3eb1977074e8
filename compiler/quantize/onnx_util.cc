// Helpers on ONNX protobuf graphs (contract in onnx_util.h).
#include "quantize/onnx_util.h"

#include <cstring>

namespace ember::quantize::detail {

const pb::AttributeProto* Attr(const pb::NodeProto& n, const std::string& name) {
  for (const auto& a : n.attribute()) {
    if (a.name() == name) return &a;
  }
  return nullptr;
}
int64_t AttrInt(const pb::NodeProto& n, const std::string& name, int64_t def) {
  const auto* a = Attr(n, name);
  return a ? a->i() : def;
}
float AttrFloat(const pb::NodeProto& n, const std::string& name, float def) {
  const auto* a = Attr(n, name);
  return a ? a->f() : def;
}

bool GetFloats(const pb::TensorProto& t, std::vector<float>* out) {
  if (t.data_type() != pb::TensorProto::FLOAT || t.data_location() == pb::TensorProto::EXTERNAL) return false;
  int64_t n = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && n > (int64_t{1} << 40) / d)) return false;
    n *= d;
  }
  if (t.has_raw_data()) {
    if (t.raw_data().size() != static_cast<size_t>(n) * 4) return false;
    out->resize(static_cast<size_t>(n));
    std::memcpy(out->data(), t.raw_data().data(), t.raw_data().size());
    return true;
  }
  if (t.float_data_size() != n) return false;
  out->assign(t.float_data().begin(), t.float_data().end());
  return true;
}

void SetFloats(pb::TensorProto* t, const std::vector<float>& v) {
  t->clear_float_data();
  t->set_data_type(pb::TensorProto::FLOAT);
  t->set_raw_data(std::string(reinterpret_cast<const char*>(v.data()), v.size() * 4));
}

Index BuildIndex(pb::GraphProto* g) {
  Index ix;
  for (int i = 0; i < g->node_size(); ++i) {
    for (const auto& o : g->node(i).output()) ix.producer[o] = i;
    for (const auto& in : g->node(i).input()) {
      if (!in.empty()) ix.readers[in].push_back(i);
    }
  }
  for (auto& t : *g->mutable_initializer()) ix.inits[t.name()] = &t;
  for (const auto& o : g->output()) ix.outputs.insert(o.name());
  return ix;
}

bool ConstScalar(const pb::GraphProto& g, const Index& ix, const std::string& name, float* out) {
  const pb::TensorProto* t = nullptr;
  if (auto it = ix.inits.find(name); it != ix.inits.end()) t = it->second;
  if (auto it = ix.producer.find(name); !t && it != ix.producer.end()) {
    const auto& n = g.node(it->second);
    if (n.op_type() == "Constant") {
      if (const auto* a = Attr(n, "value"); a && a->has_t()) t = &a->t();
    }
  }
  std::vector<float> v;
  if (!t || !GetFloats(*t, &v) || v.size() != 1) return false;
  *out = v[0];
  return true;
}

bool OnlyReader(const Index& ix, const std::string& tensor, int node) {
  auto it = ix.readers.find(tensor);
  return it != ix.readers.end() && it->second.size() == 1 && it->second[0] == node && !ix.outputs.count(tensor);
}

int Uses(const Index& ix, const std::string& tensor) {
  auto it = ix.readers.find(tensor);
  return it == ix.readers.end() ? 0 : static_cast<int>(it->second.size());
}

void EraseNodes(pb::GraphProto* g, const std::set<int>& drop) {
  pb::GraphProto kept;
  for (int i = 0; i < g->node_size(); ++i) {
    if (!drop.count(i)) *kept.add_node() = g->node(i);
  }
  g->mutable_node()->Swap(kept.mutable_node());
}

// Folds BN node `bn` into producer `p` (Conv or Gemm); false when not legal.

}  // namespace ember::quantize::detail
