#include "micro/executor/graph_executor.h"

#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "support/file.h"
#include "support/json_text.h"

namespace ember::micro {
namespace {

using nlohmann::json;

[[noreturn]] void Malformed(const std::string& what) { throw MalformedGraphError("graph: " + what); }

// The dltypes of ember's graphs (the element types a device operator takes).
DataType EntryDataType(const std::string& dtype) {
  const std::optional<DataType> t = ParseDataType(dtype);
  if (!t) Malformed("unsupported dltype '" + EscapeInvalidUtf8(dtype) + "'");
  return *t;
}

// `v` as an index below `limit` (a node or entry count); `field` names it.
uint32_t Index(const json& v, uint64_t limit, const std::string& field) {
  if (!v.is_number_unsigned() || v.get<uint64_t>() >= limit)
    Malformed(field + " is " + DescribeJson(v) + "; expected a whole number below " + std::to_string(limit));
  return static_cast<uint32_t>(v.get<uint64_t>());
}

const json& Member(const json& obj, const char* key, json::value_t type, const std::string& field) {
  if (!obj.is_object() || !obj.contains(key) || obj[key].type() != type)
    Malformed(field + "." + key + " is missing or not a" + (type == json::value_t::array ? " list" : " string"));
  return obj[key];
}

// attrs[key] is ["list_xxx", [...]] with one value per entry: returns the list.
const json& AttrList(const json& g, const char* key, size_t num_entries) {
  if (!g.contains("attrs") || !g["attrs"].is_object() || !g["attrs"].contains(key) || !g["attrs"][key].is_array() ||
      g["attrs"][key].size() != 2 || !g["attrs"][key][1].is_array())
    Malformed(std::string("attrs.") + key + " is missing or not [type, list]");
  const json& list = g["attrs"][key][1];
  if (list.size() != num_entries)
    Malformed(std::string("attrs.") + key + " has " + std::to_string(list.size()) + " values for " +
              std::to_string(num_entries) + " entries");
  return list;
}

// node_row_ptr: starts at 0 and never decreases (node i owns entries
// row_ptr[i] .. row_ptr[i+1]-1).
std::vector<uint32_t> RowPtr(const json& g) {
  const json& rows = g["node_row_ptr"];
  if (!rows.is_array() || rows.size() != g["nodes"].size() + 1)
    Malformed("node_row_ptr is not a list of one more value than there are nodes");
  std::vector<uint32_t> row_ptr;
  for (size_t i = 0; i < rows.size(); ++i) {
    const uint32_t v = Index(rows[i], uint64_t{1} << 24, "node_row_ptr[" + std::to_string(i) + "]");
    if ((i == 0 && v != 0) || (i > 0 && v < row_ptr.back())) Malformed("node_row_ptr does not start at 0 and grow");
    row_ptr.push_back(v);
  }
  return row_ptr;
}

GraphEntry ParseEntry(const json& shape, const json& dtype, const json& sid, size_t e, size_t num_entries) {
  const std::string field = "entry " + std::to_string(e);
  GraphEntry entry;
  if (!dtype.is_string()) Malformed(field + ": dltype is " + DescribeJson(dtype) + "; expected a string");
  entry.dtype = dtype.get<std::string>();
  entry.storage_id = static_cast<int32_t>(Index(sid, num_entries, field + ": storage_id"));
  if (!shape.is_array()) Malformed(field + ": shape is " + DescribeJson(shape) + "; expected a list");
  entry.data_type = EntryDataType(entry.dtype);
  int64_t n = entry.data_type.bits / 8 * entry.data_type.lanes;
  for (const json& d : shape) {
    const uint32_t dim = Index(d, uint64_t{1} << 31, field + ": a dimension");
    entry.shape.push_back(dim);
    if (dim != 0 && n > (int64_t{1} << 31) / dim) Malformed(field + " is larger than 2 GiB");
    n *= dim;
  }
  entry.bytes = static_cast<uint32_t>(n);
  return entry;
}

// A node input or a head: [node, output index, version], checked against the nodes.
uint32_t Entry(const json& ref, const std::vector<uint32_t>& row_ptr, const std::string& field) {
  if (!ref.is_array() || ref.size() < 2)
    Malformed(field + " is " + DescribeJson(ref) + "; expected [node, index, version]");
  const uint32_t node = Index(ref[0], row_ptr.size() - 1, field + "[0] (a node)");
  return row_ptr[node] + Index(ref[1], row_ptr[node + 1] - row_ptr[node], field + "[1] (an output of node " +
                                                                               std::to_string(node) + ")");
}

// Whether a node calls an operator on the device: inputs ("null") and the
// graph's copies ("__nop", aliases of their input's storage) do not.
bool CallsDevice(const GraphNode& n) { return n.op == "tvm_op" && n.func_name != "__nop"; }

std::string AttrString(const json& node, const char* key) {
  if (!node.contains("attrs") || !node["attrs"].is_object() || !node["attrs"].contains(key)) return "";
  const json& v = node["attrs"][key];
  return v.is_string() ? v.get<std::string>() : DumpJson(v);
}

GraphNode ParseNode(const json& n, size_t i, const std::vector<uint32_t>& row_ptr) {
  const std::string field = "nodes[" + std::to_string(i) + "]";
  if (!n.is_object()) Malformed(field + " is " + DescribeJson(n) + "; expected an object");
  GraphNode node;
  node.op = Member(n, "op", json::value_t::string, field).get<std::string>();
  if (n.contains("name")) node.name = Member(n, "name", json::value_t::string, field).get<std::string>();
  node.first_entry = row_ptr[i];
  node.num_outputs = row_ptr[i + 1] - row_ptr[i];
  if (node.op == "tvm_op") {
    node.func_name = AttrString(n, "func_name");
    if (n.contains("inputs")) {
      const json& inputs = Member(n, "inputs", json::value_t::array, field);
      for (size_t k = 0; k < inputs.size(); ++k)
        node.inputs.push_back(Entry(inputs[k], row_ptr, field + ".inputs[" + std::to_string(k) + "]"));
    }
  } else if (node.op != "null") {
    Malformed(field + " has op '" + EscapeInvalidUtf8(node.op) + "'");
  }
  return node;
}

}  // namespace

void GraphExecutor::Parse(std::string_view graph_json) {
  if (graph_json.size() > kMaxJsonFileBytes)
    Malformed("the graph JSON has " + std::to_string(graph_json.size()) + " bytes, the limit is " +
              std::to_string(kMaxJsonFileBytes));
  const json g = ParseJsonText<json>(graph_json);
  if (!g.is_object() || !g.contains("nodes") || !g["nodes"].is_array() || !g.contains("node_row_ptr") ||
      !g.contains("heads") || !g["heads"].is_array() || !g.contains("arg_nodes") || !g["arg_nodes"].is_array())
    Malformed("not a graph JSON (nodes, arg_nodes, heads, node_row_ptr)");
  const std::vector<uint32_t> row_ptr = RowPtr(g);
  const size_t num_entries = row_ptr.back();
  const json& shapes = AttrList(g, "shape", num_entries);
  const json& dtypes = AttrList(g, "dltype", num_entries);
  const json& sids = AttrList(g, "storage_id", num_entries);
  for (size_t e = 0; e < num_entries; ++e) entries_.push_back(ParseEntry(shapes[e], dtypes[e], sids[e], e, num_entries));
  for (size_t i = 0; i < g["nodes"].size(); ++i) nodes_.push_back(ParseNode(g["nodes"][i], i, row_ptr));
  const json& args = g["arg_nodes"];
  for (size_t k = 0; k < args.size(); ++k) {
    const uint32_t node = Index(args[k], nodes_.size(), "arg_nodes[" + std::to_string(k) + "]");
    if (nodes_[node].num_outputs == 0) Malformed("arg_nodes[" + std::to_string(k) + "] is a node without outputs");
    input_nodes_.push_back(node);
  }
  const json& heads = g["heads"];
  for (size_t k = 0; k < heads.size(); ++k) heads_.push_back(Entry(heads[k], row_ptr, "heads[" + std::to_string(k) + "]"));
}

GraphExecutor::GraphExecutor(std::string_view graph_json, RpcClient& rpc) : rpc_(rpc) {
  Parse(graph_json);
  int32_t num_storage = 0;
  for (const GraphEntry& e : entries_) num_storage = std::max(num_storage, e.storage_id + 1);

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
