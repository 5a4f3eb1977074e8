// Graphviz rendering: one box per node (op, source name, output shapes), an
// ellipse per graph input and output, constants as small grey notes. Node ids
// are positional (n<i>, t<id>), so the output depends only on the graph.
#include "ir/dot.h"

#include <set>
#include <string>
#include <vector>

namespace ember::ir {
namespace {

// Escapes for a double-quoted DOT string; `\l`-free, so labels stay centred.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

bool InRange(const Graph& g, TensorId id) { return id >= 0 && static_cast<size_t>(id) < g.tensors.size(); }

std::string TypeText(const Graph& g, TensorId id) {
  if (!InRange(g, id)) return "?";
  const Tensor& t = g.tensor(id);
  return std::string(DTypeName(t.dtype)) + ShapeToString(t.shape);
}

}  // namespace

std::string ToDot(const Graph& g) {
  std::string out = "digraph \"" + Escape(g.name) + "\" {\n  rankdir=TB;\n  node [fontname=\"Helvetica\"];\n";
  std::set<TensorId> graph_inputs(g.inputs.begin(), g.inputs.end());
  // Which node produces each tensor (the first one, for invalid graphs).
  std::vector<int64_t> producer(g.tensors.size(), -1);
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (TensorId id : g.nodes[i].outputs)
      if (InRange(g, id) && producer[static_cast<size_t>(id)] < 0)
        producer[static_cast<size_t>(id)] = static_cast<int64_t>(i);

  for (TensorId id : graph_inputs) {
    if (!InRange(g, id)) continue;
    out += "  t" + std::to_string(id) + " [shape=ellipse, label=\"" + Escape(g.tensor(id).name) + "\\n" +
           TypeText(g, id) + "\"];\n";
  }
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = g.nodes[i];
    const bool known = static_cast<int>(n.op) >= 0 && static_cast<size_t>(n.op) < kNumOpKinds;
    std::string label = known ? OpIrName(n.op) : "?";
    if (!n.name.empty()) label += "\\n" + Escape(n.name);
    for (TensorId id : n.outputs) label += "\\n" + TypeText(g, id);
    out += "  n" + std::to_string(i) + " [shape=box, label=\"" + label + "\"];\n";
  }
  // Edges into each node, in operand order; constants become small notes.
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const std::string dst = "n" + std::to_string(i);
    for (size_t k = 0; k < g.nodes[i].inputs.size(); ++k) {
      const TensorId id = g.nodes[i].inputs[k];
      if (!InRange(g, id)) continue;
      const size_t u = static_cast<size_t>(id);
      if (producer[u] >= 0) {
        out += "  n" + std::to_string(producer[u]) + " -> " + dst + ";\n";
      } else if (graph_inputs.count(id)) {
        out += "  t" + std::to_string(id) + " -> " + dst + ";\n";
      } else if (g.tensors[u].is_const()) {
        const std::string c = "c" + std::to_string(i) + "_" + std::to_string(k);
        out += "  " + c + " [shape=note, fontsize=8, color=gray, label=\"" + Escape(g.tensors[u].name) +
               "\\n" + TypeText(g, id) + "\"];\n  " + c + " -> " + dst + " [color=gray];\n";
      }
    }
  }
  for (size_t k = 0; k < g.outputs.size(); ++k) {
    const TensorId id = g.outputs[k];
    if (!InRange(g, id)) continue;
    const std::string o = "out" + std::to_string(k);
    out += "  " + o + " [shape=ellipse, label=\"" + Escape(g.tensor(id).name) + "\\n" + TypeText(g, id) +
           "\"];\n";
    const size_t u = static_cast<size_t>(id);
    if (producer[u] >= 0)
      out += "  n" + std::to_string(producer[u]) + " -> " + o + ";\n";
    else if (graph_inputs.count(id))
      out += "  t" + std::to_string(id) + " -> " + o + ";\n";
  }
  out += "}\n";
  return out;
}

}  // namespace ember::ir
