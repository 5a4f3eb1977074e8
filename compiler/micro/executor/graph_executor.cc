#include "micro/executor/graph_executor.h"

#include <map>

#include <nlohmann/json.hpp>

namespace ember::micro {
namespace {

using nlohmann::json;

// The dltypes of ember's graphs (the element types a device operator takes).
DataType EntryDataType(const std::string& dtype) {
  const std::optional<DataType> t = ParseDataType(dtype);
  if (!t) throw GraphError("graph: unsupported dltype '" + dtype + "'");
  return *t;
}

// attrs[key] is ["list_xxx", [...]]: returns the list.
const json& AttrList(const json& g, const char* key) {
  if (!g.contains("attrs") || !g["attrs"].contains(key) || !g["attrs"][key].is_array() ||
      g["attrs"][key].size() != 2 || !g["attrs"][key][1].is_array())
    throw GraphError(std::string("graph: attrs.") + key + " is missing or not [type, list]");
  return g["attrs"][key][1];
}

uint32_t Entry(const json& ref, const std::vector<uint32_t>& row_ptr) {
  if (!ref.is_array() || ref.size() < 2 || !ref[0].is_number_unsigned() || !ref[1].is_number_unsigned())
    throw GraphError("graph: a node input is not [node, index, version]");
  const auto node = ref[0].get<uint32_t>();
  if (node + 1 >= row_ptr.size()) throw GraphError("graph: an input refers to node " + std::to_string(node));
  return row_ptr[node] + ref[1].get<uint32_t>();
}

// Whether a node calls an operator on the device: inputs ("null") and the
// graph's copies ("__nop", aliases of their input's storage) do not.
bool CallsDevice(const GraphNode& n) { return n.op == "tvm_op" && n.func_name != "__nop"; }

std::string AttrString(const json& node, const char* key) {
  if (!node.contains("attrs") || !node["attrs"].contains(key)) return "";
  const json& v = node["attrs"][key];
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace

GraphExecutor::GraphExecutor(std::string_view graph_json, RpcClient& rpc) : rpc_(rpc) {
  const json g = json::parse(graph_json, nullptr, false);
  if (!g.is_object() || !g.contains("nodes") || !g["nodes"].is_array() || !g.contains("node_row_ptr") ||
      !g.contains("heads") || !g.contains("arg_nodes"))
    throw GraphError("graph: not a graph JSON (nodes, arg_nodes, heads, node_row_ptr)");
  const auto row_ptr = g["node_row_ptr"].get<std::vector<uint32_t>>();
  if (row_ptr.size() != g["nodes"].size() + 1) throw GraphError("graph: node_row_ptr does not match the nodes");
  const json& shapes = AttrList(g, "shape");
  const json& dtypes = AttrList(g, "dltype");
  const json& sids = AttrList(g, "storage_id");
  const size_t num_entries = row_ptr.back();
  if (shapes.size() != num_entries || dtypes.size() != num_entries || sids.size() != num_entries)
    throw GraphError("graph: attrs do not have one value per entry");
  int32_t num_storage = 0;
  for (size_t e = 0; e < num_entries; ++e) {
    GraphEntry entry;
    entry.shape = shapes[e].get<std::vector<int64_t>>();
    entry.dtype = dtypes[e].get<std::string>();
    entry.storage_id = sids[e].get<int32_t>();
    entry.data_type = EntryDataType(entry.dtype);
    int64_t n = entry.data_type.bits / 8 * entry.data_type.lanes;
    for (int64_t d : entry.shape) n *= d;
    if (entry.storage_id < 0 || n < 0 || n > (int64_t{1} << 31)) throw GraphError("graph: entry " + std::to_string(e) + " is invalid");
    entry.bytes = static_cast<uint32_t>(n);
    num_storage = std::max(num_storage, entry.storage_id + 1);
    entries_.push_back(std::move(entry));
  }
  for (size_t i = 0; i < g["nodes"].size(); ++i) {
    const json& n = g["nodes"][i];
    GraphNode node;
    node.op = n.value("op", "");
    node.name = n.value("name", "");
    node.first_entry = row_ptr[i];
    node.num_outputs = row_ptr[i + 1] - row_ptr[i];
    if (node.op == "tvm_op") {
      node.func_name = AttrString(n, "func_name");
      for (const json& ref : n.value("inputs", json::array())) node.inputs.push_back(Entry(ref, row_ptr));
    } else if (node.op != "null") {
      throw GraphError("graph: node " + std::to_string(i) + " has op '" + node.op + "'");
    }
    nodes_.push_back(std::move(node));
  }
  for (const json& a : g["arg_nodes"]) input_nodes_.push_back(a.get<uint32_t>());
  for (const json& h : g["heads"]) heads_.push_back(Entry(h, row_ptr));

  // Every operator must be on the device.
  std::map<std::string, OperatorInfo> table;
  for (const OperatorInfo& op : rpc_.Operators()) table[op.name] = op;
  for (const GraphNode& n : nodes_) {
    if (!CallsDevice(n)) continue;
    auto it = table.find(n.func_name);
    if (it == table.end())
      throw GraphError("the device has no operator '" + n.func_name +
                       "': build the project from an archive compiled with --executor graph and flash it");
    if (it->second.num_inputs != n.inputs.size() || it->second.num_outputs != n.num_outputs)
      throw GraphError("operator '" + n.func_name + "' on the device takes other arguments than the graph's node");
  }
  // One device buffer per storage id, as large as its largest entry.
  std::vector<uint32_t> sizes(static_cast<size_t>(num_storage), 0);
  for (const GraphEntry& e : entries_) sizes[e.storage_id] = std::max(sizes[e.storage_id], e.bytes);
  for (uint32_t bytes : sizes) storage_.push_back(rpc_.Alloc(std::max<uint32_t>(bytes, 1), 16));
}

GraphExecutor::~GraphExecutor() {
  for (uint32_t h : storage_) {
    try {
      rpc_.Free(h);
    } catch (const std::exception&) {
      return;  // the link is gone: a new session empties the pool anyway
    }
  }
}

void GraphExecutor::SetInput(size_t index, std::span<const uint8_t> bytes) {
  if (index >= input_nodes_.size()) throw GraphError("graph: no input " + std::to_string(index));
  const GraphEntry& e = entries_[nodes_[input_nodes_[index]].first_entry];
  if (bytes.size() != e.bytes)
    throw GraphError("graph: input " + std::to_string(index) + " takes " + std::to_string(e.bytes) + " bytes, not " +
                     std::to_string(bytes.size()));
  rpc_.Write(MemorySpace::kPool, storage_[e.storage_id], 0, bytes);
}

// The node's arguments, inputs then outputs: each entry's storage and dtype
// (the storage may be larger than the entry: the device accepts that).
std::vector<CallArg> GraphExecutor::CallArgs(const GraphNode& n) const {
  std::vector<CallArg> args;
  auto add = [&](uint32_t entry) {
    const GraphEntry& e = entries_[entry];
    args.push_back(CallArg{storage_[e.storage_id], e.data_type});
  };
  for (uint32_t e : n.inputs) add(e);
  for (uint32_t k = 0; k < n.num_outputs; ++k) add(n.first_entry + k);
  return args;
}

void GraphExecutor::RunNode(size_t node) {
  const GraphNode& n = nodes_.at(node);
  if (!CallsDevice(n)) return;
  rpc_.Call(n.func_name, CallArgs(n));
}

std::vector<uint32_t> GraphExecutor::TimeNode(size_t node, uint32_t number, uint32_t repeat) {
  const GraphNode& n = nodes_.at(node);
  if (!CallsDevice(n)) return std::vector<uint32_t>(repeat, 0);
  return rpc_.Time(n.func_name, CallArgs(n), number, repeat);
}

void GraphExecutor::Run() {
  for (size_t i = 0; i < nodes_.size(); ++i) RunNode(i);
}

std::vector<uint8_t> GraphExecutor::ReadEntry(uint32_t entry) {
  const GraphEntry& e = entries_.at(entry);
  return rpc_.Read(MemorySpace::kPool, storage_[e.storage_id], 0, e.bytes);
}

std::vector<uint8_t> GraphExecutor::GetOutput(size_t index) {
  if (index >= heads_.size()) throw GraphError("graph: no output " + std::to_string(index));
  return ReadEntry(heads_[index]);
}

}  // namespace ember::micro
