#include "ir/graph.h"

namespace ember::ir {

int64_t NumElements(const Shape& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

std::string ShapeToString(const Shape& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i) s += ",";
    s += std::to_string(shape[i]);
  }
  return s + "]";
}

namespace {
template <typename T>
const T* Find(const Attrs& a, const std::string& key) {
  auto it = a.find(key);
  if (it == a.end()) return nullptr;
  return std::get_if<T>(&it->second);
}
}  // namespace

int64_t Node::GetInt(const std::string& key, int64_t def) const {
  const auto* v = Find<int64_t>(attrs, key);
  return v ? *v : def;
}
double Node::GetReal(const std::string& key, double def) const {
  if (const auto* v = Find<double>(attrs, key)) return *v;
  if (const auto* i = Find<int64_t>(attrs, key)) return static_cast<double>(*i);
  return def;
}
std::string Node::GetString(const std::string& key, const std::string& def) const {
  const auto* v = Find<std::string>(attrs, key);
  return v ? *v : def;
}
std::vector<int64_t> Node::GetInts(const std::string& key, std::vector<int64_t> def) const {
  const auto* v = Find<std::vector<int64_t>>(attrs, key);
  return v ? *v : def;
}
std::vector<double> Node::GetReals(const std::string& key, std::vector<double> def) const {
  const auto* v = Find<std::vector<double>>(attrs, key);
  return v ? *v : def;
}

TensorId Graph::FindTensor(const std::string& name) const {
  for (size_t i = 0; i < tensors.size(); ++i)
    if (tensors[i].name == name) return static_cast<TensorId>(i);
  return kNoTensor;
}

}  // namespace ember::ir
