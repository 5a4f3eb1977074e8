#include "tune/task.h"

#include <map>
#include <variant>

#include "ir/dtype.h"
#include "ir/op_kind.h"

namespace ember::tune {
namespace {

std::string ShapeText(const ir::Shape& s) {
  std::string t = "[";
  for (size_t i = 0; i < s.size(); ++i) t += (i ? "," : "") + std::to_string(s[i]);
  return t + "]";
}

std::string TensorText(const ir::Tensor& t) {
  std::string s = std::string(ir::DTypeName(t.dtype)) + ShapeText(t.shape);
  if (t.is_const()) s += "/const";
  if (t.quant) s += t.quant->per_axis() ? "/qc" : "/qt";  // per-channel or per-tensor quantization
  return s;
}

std::string AttrText(const ir::AttrValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  std::string t = "[";
  if (const auto* iv = std::get_if<std::vector<int64_t>>(&v))
    for (size_t i = 0; i < iv->size(); ++i) t += (i ? "," : "") + std::to_string((*iv)[i]);
  if (const auto* dv = std::get_if<std::vector<double>>(&v))
    for (size_t i = 0; i < dv->size(); ++i) t += (i ? "," : "") + std::to_string((*dv)[i]);
  return t + "]";
}

}  // namespace

uint64_t SplitMix64(uint64_t* x) {
  uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

uint64_t HashText(const std::string& s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string TaskKey(const ir::Graph& g, size_t index) {
  const ir::Node& n = g.nodes[index];
  std::string k = std::string(ir::OpIrName(n.op));
  for (size_t i = 0; i < n.inputs.size(); ++i)
    k += " in" + std::to_string(i) + "=" + (n.inputs[i] == ir::kNoTensor ? "none" : TensorText(g.tensor(n.inputs[i])));
  for (size_t i = 0; i < n.outputs.size(); ++i) k += " out" + std::to_string(i) + "=" + TensorText(g.tensor(n.outputs[i]));
  for (const auto& [name, v] : n.attrs) k += " " + name + "=" + AttrText(v);
  return k;
}

std::vector<ir::TensorId> CopyNode(const ir::Graph& src, size_t index, const std::vector<ir::TensorId>& inputs,
                                   const std::string& suffix, ir::Graph* dst) {
  const ir::Node& n = src.nodes[index];
  ir::Node c = n;
  c.name = n.name + suffix;
  size_t next = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (n.inputs[i] == ir::kNoTensor) continue;
    const ir::Tensor& t = src.tensor(n.inputs[i]);
    if (t.is_const()) {
      ir::Tensor copy = t;
      copy.name = t.name + suffix;
      c.inputs[i] = dst->AddTensor(std::move(copy));
    } else {
      c.inputs[i] = inputs.at(next++);
    }
  }
  std::vector<ir::TensorId> outs;
  for (size_t i = 0; i < n.outputs.size(); ++i) {
    ir::Tensor copy = src.tensor(n.outputs[i]);
    copy.name = copy.name + suffix;
    copy.data.reset();
    copy.is_variable = false;
    copy.init.reset();
    c.outputs[i] = dst->AddTensor(std::move(copy));
    outs.push_back(c.outputs[i]);
  }
  dst->nodes.push_back(std::move(c));
  return outs;
}

std::vector<Task> ExtractTasks(const ir::Graph& g, const codegen::c::Target& target) {
  std::vector<Task> tasks;
  std::map<std::string, size_t> by_key;
  codegen::c::ConstPool unused("tune");
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const codegen::c::KernelContext ctx{g, g.nodes[i], i, "f", unused, target};
    std::optional<codegen::c::ScheduleSpace> space = codegen::c::TuningSpace(ctx);
    if (!space || space->Size() < 2) continue;
    const std::string key = TaskKey(g, i);
    auto it = by_key.find(key);
    if (it != by_key.end()) {
      tasks[it->second].nodes.push_back(i);
      tasks[it->second].layer_names.push_back(g.nodes[i].name);
      continue;
    }
    Task t;
    t.key = key;
    t.space = *space;
    t.nodes = {i};
    t.layer_names = {g.nodes[i].name};
    std::vector<ir::TensorId> ins;
    for (ir::TensorId id : g.nodes[i].inputs) {
      if (id == ir::kNoTensor || g.tensor(id).is_const()) continue;
      ir::Tensor in = g.tensor(id);
      in.is_variable = false;
      in.init.reset();
      ins.push_back(t.graph.AddTensor(std::move(in)));
      t.graph.inputs.push_back(ins.back());
    }
    t.graph.outputs = CopyNode(g, i, ins, "", &t.graph);
    t.graph.name = "task";
    by_key[key] = tasks.size();
    tasks.push_back(std::move(t));
  }
  return tasks;
}

std::vector<uint8_t> TaskInputBytes(const std::string& key, size_t input, size_t bytes) {
  uint64_t x = HashText(key) + input;
  std::vector<uint8_t> v(bytes);
  for (size_t i = 0; i < bytes; ++i) v[i] = static_cast<uint8_t>(SplitMix64(&x) >> 56);
  return v;
}

}  // namespace ember::tune
