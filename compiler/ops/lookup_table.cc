// lookup_table: out[i] = table[x[i] + 128] for an int8 x and a constant
// int8 table of 256 entries (entry k is the result for input k - 128).
//
// The frontends have no such operator: fold-qdq makes it from
// dequantize -> f -> quantize when f is elementwise on one tensor (relu,
// sigmoid, tanh, leaky_relu, hard_swish, elu, exp, ...) and no int8 kernel of
// f follows the graph's int8 arithmetic. The table holds the literal result
// quantize(f(dequantize(k))) of every int8 input k, computed with the
// reference evaluators, so the int8 graph equals the graph it replaces
// element for element (docs/numerics.md, "lookup_table"). The `function`
// attribute names f, for the reader.
//
// Per channel: a table of [C, 256] entries and the attribute `axis`, where
// x's dimension `axis` is C: an element of channel c maps through row c (f
// with constants that vary along that axis, e.g. a batch normalization's
// scale and shift).
#include <vector>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

constexpr int64_t kEntries = 256;

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& x = g.tensor(n.inputs[0]);
  const ir::Tensor& table = g.tensor(n.inputs[1]);
  if (x.dtype != ir::DType::kInt8) {
    return NodeError(n, std::string("input 0 is ") + ir::DTypeName(x.dtype) + ", not int8",
                     "lookup_table maps int8 values");
  }
  if (table.dtype != ir::DType::kInt8 || !table.is_const()) {
    return NodeError(n, "input 1 ('" + table.name + "') must be a constant int8 tensor",
                     "entry k is the result for input k - 128");
  }
  if (n.HasAttr("axis")) {
    const int64_t axis = n.GetInt("axis");
    if (axis < 0 || axis >= static_cast<int64_t>(x.shape.size()) || table.shape.size() != 2 ||
        table.shape[0] != x.shape[static_cast<size_t>(axis)] || table.shape[1] != kEntries) {
      return NodeError(n, "a table per channel of axis " + std::to_string(axis) + " must be [C, 256] with C input " +
                              "x's dimension there; input is " + ir::ShapeToString(x.shape) + ", table " +
                              ir::ShapeToString(table.shape),
                       "row c holds the results for the elements of channel c");
    }
  } else if (table.num_elements() != kEntries) {
    return NodeError(n, "input 1 ('" + table.name + "') must have 256 entries (or [C, 256] with an axis)",
                     "entry k is the result for input k - 128");
  }
  if (n.HasAttr("function") && !std::holds_alternative<std::string>(n.attrs.at("function"))) {
    return NodeError(n, "attribute 'function' must be a string", "it names the operator the table computes");
  }
  return std::vector<TensorType>{{ir::DType::kInt8, x.shape}};
}

Status Eval(const EvalArgs& a) {
  const int8_t* table = a.in<int8_t>(1);
  const int8_t* x = a.in<int8_t>(0);
  int8_t* out = a.out<int8_t>(0);
  const int64_t count = a.in_tensor(0).num_elements();
  if (!a.node.HasAttr("axis")) {
    for (int64_t i = 0; i < count; ++i) out[i] = table[x[i] + 128];
    return Status::Ok();
  }
  const ir::Shape& s = a.in_tensor(0).shape;
  const size_t axis = static_cast<size_t>(a.node.GetInt("axis"));
  int64_t inner = 1;
  for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
  const int64_t channels = s[axis];
  for (int64_t i = 0; i < count; ++i) out[i] = table[((i / inner) % channels) * kEntries + x[i] + 128];
  return Status::Ok();
}

}  // namespace

extern const OpDef kLookupTableDef = {ir::OpKind::kLookupTable, "i8", Infer, Eval, nullptr};

}  // namespace ember::ops
