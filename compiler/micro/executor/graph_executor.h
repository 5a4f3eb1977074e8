// Host-driven graph execution (microTVM's create_local_graph_executor): the
// graph JSON is interpreted on the host; every tensor lives on the device
// (allocated in its RPC pool) and every operator runs there, called by name
// through the RPC (docs/rpc.md). Inputs are written and outputs read over
// the same link, so any node's output can be inspected (DebugExecutor).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "micro/session/rpc_client.h"

namespace ember::micro {

// One data entry of the graph (a node output).
struct GraphEntry {
  std::vector<int64_t> shape;
  std::string dtype;  // "int8", "float32", ...
  DataType data_type;  // the same, as CALL sends it
  int32_t storage_id = 0;
  uint32_t bytes = 0;
};

struct GraphNode {
  std::string op;         // "null" (an input) or "tvm_op"
  std::string name;
  std::string func_name;  // tvm_op: the operator's name on the device ("__nop": a copy)
  std::vector<uint32_t> inputs;  // entry ids
  uint32_t first_entry = 0;      // entry id of output 0
  uint32_t num_outputs = 1;
};

// Thrown for a graph JSON that is malformed or does not fit the device.
class GraphError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The graph JSON itself is malformed: not JSON, a field of the wrong type, an
// index out of range, an entry over 2 GiB, or more than kMaxJsonFileBytes.
class MalformedGraphError : public GraphError {
 public:
  using GraphError::GraphError;
};

class GraphExecutor {
 public:
  // Parses the graph (MalformedGraphError when it is malformed: every field
  // is type- and range-checked) and allocates one device buffer per storage
  // id. Every tvm_op must be in the device's operator table (GraphError
  // otherwise: compile with --executor graph and flash that build).
  GraphExecutor(std::string_view graph_json, RpcClient& rpc);
  ~GraphExecutor();  // frees the device buffers (best effort)
  GraphExecutor(const GraphExecutor&) = delete;
  GraphExecutor& operator=(const GraphExecutor&) = delete;

  size_t num_inputs() const { return input_nodes_.size(); }
  size_t num_outputs() const { return heads_.size(); }
  void SetInput(size_t index, std::span<const uint8_t> bytes);
  void Run();  // every node in order
  std::vector<uint8_t> GetOutput(size_t index);

  // Per node: for debugging and timing.
  const std::vector<GraphNode>& nodes() const { return nodes_; }
  const std::vector<GraphEntry>& entries() const { return entries_; }
  void RunNode(size_t node);  // no-op for inputs and copies
  std::vector<uint32_t> TimeNode(size_t node, uint32_t number, uint32_t repeat);
  std::vector<uint8_t> ReadEntry(uint32_t entry);
  const std::vector<uint32_t>& output_entries() const { return heads_; }
  const std::vector<uint32_t>& input_nodes() const { return input_nodes_; }  // node ids, in input order

 private:
  std::vector<CallArg> CallArgs(const GraphNode& n) const;
  void Parse(std::string_view graph_json);

  RpcClient& rpc_;
  std::vector<GraphNode> nodes_;
  std::vector<GraphEntry> entries_;
  std::vector<uint32_t> input_nodes_;  // node ids, in input order
  std::vector<uint32_t> heads_;        // entry ids of the outputs
  std::vector<uint32_t> storage_;      // device handle per storage id
};

// tvm.micro's name.
inline std::unique_ptr<GraphExecutor> create_local_graph_executor(std::string_view graph_json, RpcClient& rpc) {
  return std::make_unique<GraphExecutor>(graph_json, rpc);
}

}  // namespace ember::micro
