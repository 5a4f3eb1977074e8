// microTVM's create_local_debug_executor: the graph runs host-driven
// (GraphExecutor) while every node is timed on the device with its platform
// timer and every node's output is read back and dumped:
//   <dump_root>/_tvmdbg_device_<device>/
//     _tvmdbg_graph_dump.json       the graph with shapes and dtypes
//     _tvmdbg_execution_trace.json  Chrome trace (chrome://tracing, Perfetto)
//     table.txt                     the per-node table (also returned)
//     outputs/<NNN>_<func_name>.npy  the output of node NNN
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "micro/executor/graph_executor.h"

namespace ember::micro {

struct NodeReport {
  size_t node = 0;
  std::string name, func_name, shape, dtype;
  std::vector<uint32_t> ticks;  // per measurement, `number` calls each
  double time_us = 0;           // mean time of one call
  std::string output_file;      // the .npy written, relative to the dump folder
};

class DebugExecutor {
 public:
  // `ticks_per_second`: the device's timer rate (DeviceInfo); 0 = no timer
  // (times are then reported as 0).
  DebugExecutor(std::string_view graph_json, RpcClient& rpc, uint32_t ticks_per_second,
                std::filesystem::path dump_root, std::string device_name = "micro_0");

  GraphExecutor& graph() { return graph_; }
  const std::filesystem::path& dump_dir() const { return dump_dir_; }

  // One warm-up run, then `repeat` measurements of `number` calls of every
  // node, then one run node by node reading every output back. Returns one
  // report per tvm_op node, in graph order, and writes the dump.
  std::vector<NodeReport> Run(uint32_t number = 10, uint32_t repeat = 1);

  // microTVM's table: Node Name, Ops, Time(us), Time(%), Shape, Inputs,
  // Outputs, Measurements(us); sorted by time (descending) or graph order,
  // then a Total_time row.
  std::string Table(const std::vector<NodeReport>& reports, bool sort_by_time = true) const;

 private:
  GraphExecutor graph_;
  uint32_t ticks_per_second_;
  std::filesystem::path dump_dir_;
};

inline std::unique_ptr<DebugExecutor> create_local_debug_executor(std::string_view graph_json, RpcClient& rpc,
                                                                  uint32_t ticks_per_second,
                                                                  std::filesystem::path dump_root) {
  return std::make_unique<DebugExecutor>(graph_json, rpc, ticks_per_second, std::move(dump_root));
}

// The .npy descr of a graph dtype ("int8" → "|i1"), or "" if unknown.
std::string NpyDescr(const std::string& dtype);

}  // namespace ember::micro
