#include "micro/executor/validate.h"

#include <cmath>
#include <cstring>

#include "ir/op_kind.h"
#include "ops/evaluate.h"

namespace ember::micro {
namespace {

// Element `i` of a little-endian buffer of T, as a double.
template <typename T>
double Element(const std::vector<uint8_t>& buf, size_t i) {
  T v;
  std::memcpy(&v, &buf[i * sizeof(T)], sizeof(T));
  return static_cast<double>(v);
}

// Compares two buffers of `dtype` element by element.
void Compare(ir::DType dtype, const std::vector<uint8_t>& ref, const std::vector<uint8_t>& dev, Tolerance tol,
             NodeComparison* c) {
  const size_t size = ir::DTypeSize(dtype);
  c->elements = ref.size() / size;
  for (size_t i = 0; i < c->elements; ++i) {
    double a = 0, b = 0;
    bool bad;
    switch (dtype) {
      case ir::DType::kFloat32:
        a = Element<float>(ref, i);
        b = Element<float>(dev, i);
        bad = !(std::fabs(a - b) <= tol.atol + tol.rtol * std::fabs(a));
        break;
      case ir::DType::kInt8: a = Element<int8_t>(ref, i); b = Element<int8_t>(dev, i); bad = a != b; break;
      case ir::DType::kInt16: a = Element<int16_t>(ref, i); b = Element<int16_t>(dev, i); bad = a != b; break;
      case ir::DType::kInt32: a = Element<int32_t>(ref, i); b = Element<int32_t>(dev, i); bad = a != b; break;
      default:
        bad = std::memcmp(&ref[i * size], &dev[i * size], size) != 0;
        a = bad ? 1 : 0;
        break;
    }
    if (bad) ++c->mismatches;
    c->max_abs_diff = std::max(c->max_abs_diff, std::isnan(a - b) ? INFINITY : std::fabs(a - b));
  }
}

}  // namespace

ValidationReport ValidateOnDevice(const ir::Graph& g, GraphExecutor& exec,
                                  const std::vector<std::vector<uint8_t>>& inputs, Tolerance tol) {
  std::vector<size_t> op_nodes;  // graph node index of each tvm_op
  for (size_t i = 0; i < exec.nodes().size(); ++i)
    if (exec.nodes()[i].op == "tvm_op") op_nodes.push_back(i);
  if (op_nodes.size() != g.nodes.size())
    throw GraphError("the device's graph has " + std::to_string(op_nodes.size()) + " operator nodes, the model " +
                     std::to_string(g.nodes.size()) + ": the project was built from another model");
  auto ref = ops::EvaluateGraph(g, inputs, ops::EvalOptions{true});
  if (!ref.ok()) throw GraphError("the reference evaluation failed: " + ref.diag().message);
  if (inputs.size() != exec.num_inputs()) throw GraphError("the device's graph has another number of inputs");
  for (size_t i = 0; i < inputs.size(); ++i) exec.SetInput(i, inputs[i]);

  ValidationReport report;
  size_t k = 0;
  for (size_t i = 0; i < exec.nodes().size(); ++i) {
    exec.RunNode(i);
    if (exec.nodes()[i].op != "tvm_op") continue;
    const ir::Node& node = g.nodes[k];
    const ir::Tensor& t = g.tensor(node.outputs[0]);
    NodeComparison c;
    c.node = k;
    c.name = node.name;
    c.op = ir::OpIrName(node.op);
    const std::vector<uint8_t> dev = exec.ReadEntry(exec.nodes()[i].first_entry);
    const std::vector<uint8_t>& want = ref->all[node.outputs[0]];
    if (dev.size() != want.size())
      throw GraphError("node " + std::to_string(k) + " '" + node.name + "': the device's output has " +
                       std::to_string(dev.size()) + " bytes, the model's " + std::to_string(want.size()) +
                       ": the project was built from another model");
    Compare(t.dtype, want, dev, tol, &c);
    if (c.mismatches > 0 && !report.first_mismatch) report.first_mismatch = report.nodes.size();
    report.nodes.push_back(std::move(c));
    ++k;
  }
  return report;
}

}  // namespace ember::micro
