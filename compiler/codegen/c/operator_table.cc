// The operator table of a graph build: every kernel callable through the
// uniform signature of ember/model_io.h (see graph.h).
#include <algorithm>

#include "codegen/c/aot.h"
#include "codegen/c/emitter.h"
#include "codegen/c/graph.h"

namespace ember::codegen::c {
namespace {

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// "(const int8_t*)args[0], (int8_t*)args[1]" plus the scratch buffer.
std::string WrapperArgs(const ir::Graph& g, const ir::Node& n, bool scratch, const std::string& scratch_name,
                        size_t& num_args) {
  std::string a;
  num_args = 0;
  auto add = [&](const std::string& s) { a += (a.empty() ? "" : ", ") + s; };
  for (ir::TensorId id : n.inputs) {
    if (id == ir::kNoTensor || g.tensor(id).is_const()) continue;
    add(std::string("(const ") + CType(g.tensor(id).dtype) + "*)args[" + std::to_string(num_args++) + "]");
  }
  for (ir::TensorId id : n.outputs)
    add(std::string("(") + CType(g.tensor(id).dtype) + "*)args[" + std::to_string(num_args++) + "]");
  if (scratch) add(scratch_name);
  return a;
}

// The DLDataType of a tensor's elements, as ember/model_io.h spells it.
std::string ArgDType(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return "EMBER_DTYPE_INT, 8u, 1u";
    case ir::DType::kUInt8: return "EMBER_DTYPE_UINT, 8u, 1u";
    case ir::DType::kInt16: return "EMBER_DTYPE_INT, 16u, 1u";
    case ir::DType::kInt32: return "EMBER_DTYPE_INT, 32u, 1u";
    case ir::DType::kInt64: return "EMBER_DTYPE_INT, 64u, 1u";
    case ir::DType::kFloat32: return "EMBER_DTYPE_FLOAT, 32u, 1u";
    case ir::DType::kBool: return "EMBER_DTYPE_BOOL, 8u, 1u";
  }
  return "EMBER_DTYPE_UINT, 8u, 1u";
}

// The argument table of node n's operator: one line per argument (the
// non-constant inputs, then the outputs), what the RPC server checks a CALL
// against.
std::string ArgTable(const ir::Graph& g, const ir::Node& n, const std::string& name) {
  std::string rows;
  size_t count = 0;
  auto add = [&](ir::TensorId id, const char* role) {
    const ir::Tensor& t = g.tensor(id);
    rows += "  {" + std::to_string(t.size_bytes()) + "u, " + ArgDType(t.dtype) + "}, /* " + role + " " +
            std::string(ir::DTypeName(t.dtype)) + " */\n";
    ++count;
  };
  for (ir::TensorId id : n.inputs)
    if (id != ir::kNoTensor && !g.tensor(id).is_const()) add(id, "input");
  for (ir::TensorId id : n.outputs) add(id, "output");
  return "static const struct ember_operator_arg " + name + "[" + std::to_string(count) + "] = {\n" + rows + "};\n";
}

}  // namespace

std::string OperatorTableSource(const ir::Graph& g, const std::vector<GraphNodeCode>& nodes,
                                const std::string& prefix) {
  int64_t scratch = 0;
  for (const GraphNodeCode& n : nodes)
    if (!n.is_copy) scratch = std::max(scratch, n.scratch_bytes);
  const std::string scratch_name = prefix + "_operator_scratch";
  std::string s =
      "/* The operator table (--executor graph): each kernel behind the uniform signature of\n"
      " * ember/model_io.h, args = its inputs then its outputs, with the bytes and dtype of each\n"
      " * (what a caller checks before calling). Copies (reshape) are \"__nop\" nodes of the graph\n"
      " * and have no entry. */\n";
  if (scratch > 0) {
    s += "/* Scratch of the kernels called through the table: the largest need, " + std::to_string(scratch) +
         " bytes. */\n";
    s += "static uint8_t " + scratch_name + "[" + std::to_string(scratch) + "] EMBER_ALIGNED(16);\n\n";
  }
  std::string table;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].is_copy) continue;
    const ir::Node& n = g.nodes[i];
    size_t num_args = 0;
    const std::string args = WrapperArgs(g, n, nodes[i].scratch_bytes > 0, scratch_name, num_args);
    const std::string wrapper = nodes[i].fn + "_op";
    const std::string arg_table = nodes[i].fn + "_args";
    s += NodeComment(g, i) + "\n";
    s += ArgTable(g, n, arg_table);
    s += "static int32_t " + wrapper + "(void* const* args, uint32_t num_args) {\n";
    s += "  if (args == 0 || num_args != " + std::to_string(num_args) +
         "u) return kEmberErrorFunctionCallNumArguments;\n";
    s += "  " + nodes[i].fn + "(" + args + ");\n  return 0;\n}\n\n";
    table += "  {\"" + nodes[i].fn + "\", " + wrapper + ", " + std::to_string(num_args - n.outputs.size()) + ", " +
             std::to_string(n.outputs.size()) + ", " + arg_table + "},\n";
  }
  const size_t count = NumOperators(nodes);
  s += "const struct ember_operator " + prefix + "_operators[" +
       (count > 0 ? Upper(prefix) + "_NUM_OPERATORS" : std::string("1")) + "] = {\n";
  s += count > 0 ? table : "  {0, 0, 0, 0, 0}\n";
  return s + "};\n";
}

std::string OperatorTableHeader(const std::vector<GraphNodeCode>& nodes, const std::string& prefix) {
  const std::string up = Upper(prefix);
  const size_t count = NumOperators(nodes);
  std::string h = "/* The operator table (--executor graph): entry i is callable by the func_name of a\n"
                  " * node of executor-config/graph/<name>.graph. */\n";
  h += "#define " + up + "_NUM_OPERATORS " + std::to_string(count) + "\n";
  h += "extern const struct ember_operator " + prefix + "_operators[" +
       (count > 0 ? up + "_NUM_OPERATORS" : std::string("1")) + "];\n\n";
  return h;
}

}  // namespace ember::codegen::c
