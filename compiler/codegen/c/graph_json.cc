// microTVM's graph JSON for the graph executor (see graph.h for the rules).
#include <algorithm>
#include <cstdio>
#include <limits>
#include <map>

#include "codegen/c/graph.h"
#include "support/utf8.h"

namespace ember::codegen::c {
namespace {

// The dltype strings of the graph JSON (TVM's DLDataType names).
const char* GraphDType(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return "int8";
    case ir::DType::kUInt8: return "uint8";
    case ir::DType::kInt16: return "int16";
    case ir::DType::kInt32: return "int32";
    case ir::DType::kInt64: return "int64";
    case ir::DType::kFloat32: return "float32";
    case ir::DType::kBool: return "bool";
  }
  return "uint8";
}

// A JSON string literal; a name that is not UTF-8 is written escaped
// (support/utf8.h), as in metadata.json.
std::string JsonString(const std::string& name) {
  const std::string s = EscapeInvalidUtf8(name);
  std::string out = "\"";
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// Non-constant, present operands of a node: the kernel's `in<i>` parameters.
std::vector<ir::TensorId> RuntimeInputs(const ir::Graph& g, const ir::Node& n) {
  std::vector<ir::TensorId> ids;
  for (ir::TensorId id : n.inputs)
    if (id != ir::kNoTensor && !g.tensor(id).is_const()) ids.push_back(id);
  return ids;
}

constexpr size_t kForever = std::numeric_limits<size_t>::max();

}  // namespace

size_t NumOperators(const std::vector<GraphNodeCode>& nodes) {
  return static_cast<size_t>(std::count_if(nodes.begin(), nodes.end(), [](const GraphNodeCode& n) { return !n.is_copy; }));
}

// Walks the nodes in execution order. A storage is free at node i when every
// tensor placed in it was last read before node i (so a node's output never
// shares its own inputs' storage). Inputs and outputs never become free.
std::vector<int32_t> PlanGraphStorage(const ir::Graph& g, const std::vector<GraphNodeCode>& nodes) {
  std::vector<size_t> last_use(g.tensors.size(), 0);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (ir::TensorId id : RuntimeInputs(g, g.nodes[i])) last_use[static_cast<size_t>(id)] = i;
  for (ir::TensorId id : g.inputs) last_use[static_cast<size_t>(id)] = kForever;
  for (ir::TensorId id : g.outputs) last_use[static_cast<size_t>(id)] = kForever;

  std::vector<int32_t> sid(g.tensors.size(), -1);
  std::vector<int64_t> size;   // per storage: bytes
  std::vector<size_t> end;     // per storage: last node that reads one of its tensors
  auto fresh = [&](ir::TensorId id) {
    sid[static_cast<size_t>(id)] = static_cast<int32_t>(size.size());
    size.push_back(g.tensor(id).size_bytes());
    end.push_back(last_use[static_cast<size_t>(id)]);
  };
  for (ir::TensorId id : g.inputs)
    if (sid[static_cast<size_t>(id)] < 0) fresh(id);
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    const std::vector<ir::TensorId> ins = RuntimeInputs(g, n);
    if (nodes[i].is_copy && !ins.empty()) {
      const int32_t s = sid[static_cast<size_t>(ins[0])];
      sid[static_cast<size_t>(n.outputs[0])] = s;
      end[static_cast<size_t>(s)] = std::max(end[static_cast<size_t>(s)], last_use[static_cast<size_t>(n.outputs[0])]);
      continue;
    }
    for (ir::TensorId out : n.outputs) {
      const int64_t need = g.tensor(out).size_bytes();
      const bool pinned = last_use[static_cast<size_t>(out)] == kForever;
      int best = -1;
      for (size_t s = 0; s < size.size() && !pinned; ++s) {
        if (end[s] == kForever || end[s] >= i) continue;
        if (best < 0) { best = static_cast<int>(s); continue; }
        const int64_t b = size[static_cast<size_t>(best)];
        const bool fits = size[s] >= need, best_fits = b >= need;
        if ((fits && (!best_fits || size[s] < b)) || (!fits && !best_fits && size[s] > b)) best = static_cast<int>(s);
      }
      if (best < 0) {
        fresh(out);
        continue;
      }
      sid[static_cast<size_t>(out)] = best;
      size[static_cast<size_t>(best)] = std::max(size[static_cast<size_t>(best)], need);
      end[static_cast<size_t>(best)] = std::max(i, last_use[static_cast<size_t>(out)]);
    }
  }
  return sid;
}

Expected<std::string> GraphJson(const ir::Graph& g, const std::vector<GraphNodeCode>& nodes) {
  const std::vector<int32_t> sid = PlanGraphStorage(g, nodes);
  std::map<ir::TensorId, std::pair<size_t, size_t>> producer;  // tensor -> (graph node, output index)
  std::vector<ir::TensorId> entries;                          // entry id -> tensor
  std::vector<size_t> row_ptr = {0};
  std::string s = "{\n  \"nodes\": [\n";
  std::string sep;
  for (size_t k = 0; k < g.inputs.size(); ++k) {
    producer[g.inputs[k]] = {k, 0};
    entries.push_back(g.inputs[k]);
    row_ptr.push_back(entries.size());
    s += sep + "    {\"op\": \"null\", \"name\": " + JsonString(g.tensor(g.inputs[k]).name) + ", \"inputs\": []}";
    sep = ",\n";
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const ir::Node& n = g.nodes[i];
    const size_t id = g.inputs.size() + i;
    const std::vector<ir::TensorId> ins = RuntimeInputs(g, n);
    std::string in_list;
    for (ir::TensorId t : ins) {
      auto it = producer.find(t);
      if (it == producer.end()) {
        return InternalError("graph json: operand '" + g.tensor(t).name + "' of node " + std::to_string(i) +
                             " has no producer");
      }
      in_list += std::string(in_list.empty() ? "" : ", ") + "[" + std::to_string(it->second.first) + ", " +
                 std::to_string(it->second.second) + ", 0]";
    }
    for (size_t o = 0; o < n.outputs.size(); ++o) {
      producer[n.outputs[o]] = {id, o};
      entries.push_back(n.outputs[o]);
    }
    row_ptr.push_back(entries.size());
    const std::string func = nodes[i].is_copy ? kNopFuncName : nodes[i].fn;
    s += sep + "    {\"op\": \"tvm_op\", \"name\": " + JsonString(nodes[i].fn) + ", \"attrs\": {\"func_name\": " +
         JsonString(func) + ", \"num_inputs\": \"" + std::to_string(ins.size()) + "\", \"num_outputs\": \"" +
         std::to_string(n.outputs.size()) + "\", \"flatten_data\": \"0\"}, \"inputs\": [" + in_list + "]}";
  }
  s += "\n  ],\n  \"arg_nodes\": [";
  for (size_t k = 0; k < g.inputs.size(); ++k) s += (k ? ", " : "") + std::to_string(k);
  s += "],\n  \"heads\": [";
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    auto it = producer.find(g.outputs[k]);
    if (it == producer.end()) return InternalError("graph json: model output has no producer");
    s += (k ? ", [" : "[") + std::to_string(it->second.first) + ", " + std::to_string(it->second.second) + ", 0]";
  }
  std::string dl, st, sh;
  for (size_t e = 0; e < entries.size(); ++e) {
    const ir::Tensor& t = g.tensor(entries[e]);
    const std::string c = e ? ", " : "";
    dl += c + "\"" + GraphDType(t.dtype) + "\"";
    st += c + std::to_string(sid[static_cast<size_t>(entries[e])]);
    sh += c + "[";
    for (size_t d = 0; d < t.shape.size(); ++d) sh += (d ? ", " : "") + std::to_string(t.shape[d]);
    sh += "]";
  }
  s += "],\n  \"attrs\": {\n    \"dltype\": [\"list_str\", [" + dl + "]],\n    \"storage_id\": [\"list_int\", [" + st +
       "]],\n    \"shape\": [\"list_shape\", [" + sh + "]]\n  },\n  \"node_row_ptr\": [";
  for (size_t r = 0; r < row_ptr.size(); ++r) s += (r ? ", " : "") + std::to_string(row_ptr[r]);
  return s + "]\n}\n";
}

}  // namespace ember::codegen::c
