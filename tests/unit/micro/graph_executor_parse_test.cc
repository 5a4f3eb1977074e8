// The host graph executor reads the graph JSON of a user's archive: every
// field is type- and range-checked before use, and a malformed graph is a
// MalformedGraphError naming the field (it crashed, or threw nlohmann's
// type errors, on some of these).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "micro/executor/graph_executor.h"
#include "micro/session/session.h"
#include "micro/transport/test_transports.h"

namespace ember::micro {
namespace {

using nlohmann::json;

// A graph of one input (node 0) and one operator (node 1) reading it.
json GoodGraph() {
  return json::parse(R"({
    "nodes": [{"op": "null", "name": "x", "inputs": []},
              {"op": "tvm_op", "name": "f", "attrs": {"func_name": "f"}, "inputs": [[0, 0, 0]]}],
    "arg_nodes": [0], "heads": [[1, 0, 0]],
    "attrs": {"dltype": ["list_str", ["int8", "int8"]], "storage_id": ["list_int", [0, 1]],
              "shape": ["list_shape", [[1, 4], [1, 4]]]},
    "node_row_ptr": [0, 1, 2]})");
}

// The parse fails before the device is asked anything: the session is never opened.
std::string ParseError(const json& graph) {
  InProcessTransport link{nullptr, TransportTimeouts{0, 1, 0.2}};
  Session session{link, SessionOptions{}};
  RpcClient rpc{session};
  try {
    GraphExecutor exec(graph.dump(), rpc);
  } catch (const MalformedGraphError& e) {
    return e.what();
  } catch (const std::exception& e) {
    return std::string("not a MalformedGraphError: ") + e.what();
  }
  return "no error";
}

TEST(GraphExecutorParse, MalformedGraphsNameTheField) {
  struct Case {
    const char* pointer;
    json value;
    const char* expect;
  };
  const std::vector<Case> cases = {
      {"/arg_nodes/0", 9999, "arg_nodes[0] is a number (9999); expected a whole number below 2"},
      {"/arg_nodes/0", "x", "arg_nodes[0] is a string (\"x\")"},
      {"/node_row_ptr", json::array({"a"}), "node_row_ptr is not a list"},
      {"/node_row_ptr", json::array({0, 2, 1}), "node_row_ptr does not start at 0 and grow"},
      {"/nodes/1/op", 5, "nodes[1].op is missing or not a string"},
      {"/nodes/0/name", 5, "nodes[0].name is missing or not a string"},
      {"/nodes/1/inputs/0", json::array({999999, 0, 0}), "nodes[1].inputs[0][0] (a node) is a number (999999)"},
      {"/nodes/1/inputs/0", json::array({0, 7, 0}), "nodes[1].inputs[0][1] (an output of node 0) is a number (7)"},
      {"/heads/0", json::array({1, 5000, 0}), "heads[0][1] (an output of node 1) is a number (5000)"},
      {"/attrs/dltype/1/0", 5, "entry 0: dltype is a number (5); expected a string"},
      {"/attrs/storage_id/1/0", "x", "entry 0: storage_id is a string (\"x\")"},
      {"/attrs/storage_id/1/0", 2000000000, "entry 0: storage_id is a number (2000000000); expected a whole number below 2"},
      {"/attrs/shape/1/0", "x", "entry 0: shape is a string (\"x\"); expected a list"},
      {"/attrs/shape/1/0", json::array({-1, 4}), "entry 0: a dimension is a number (-1)"},
      {"/attrs/shape/1/0", json::array({65536, 65536}), "entry 0 is larger than 2 GiB"},
      {"/attrs/shape/1", json::array({json::array({1})}), "attrs.shape has 1 values for 2 entries"},
      {"/attrs", json::array(), "attrs.shape is missing or not [type, list]"},
      {"/nodes", json::object(), "not a graph JSON"},
  };
  for (const Case& c : cases) {
    json g = GoodGraph();
    g[json::json_pointer(c.pointer)] = c.value;
    const std::string error = ParseError(g);
    EXPECT_NE(error.find(c.expect), std::string::npos) << c.pointer << ": " << error;
  }
  EXPECT_NE(ParseError(json("{not json")).find("not a graph JSON"), std::string::npos);
}

}  // namespace
}  // namespace ember::micro
