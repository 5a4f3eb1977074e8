// assign_variable: variable operand 0 = the bytes of operand 1 (TFLite
// ASSIGN_VARIABLE, TFLite Micro's MicroResourceVariables::Assign: a memcpy
// into the resource buffer). No outputs. The value has the variable's data
// type and element count (its shape may differ: bytes are copied); no node
// uses the variable after it (ir::Verify, E0241).
#include <cstring>
#include <string>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 0));
  const ir::Tensor& v = g.tensor(n.inputs[0]);
  const ir::Tensor& x = g.tensor(n.inputs[1]);
  if (!v.is_variable) {
    return NodeError(n, "writes '" + v.name + "', which is not a variable",
                     "assign_variable sets a variable's state (TFLite: a resource variable)");
  }
  if (x.dtype != v.dtype || x.num_elements() != v.num_elements()) {
    return NodeError(n, "assigns " + std::string(ir::DTypeName(x.dtype)) + ir::ShapeToString(x.shape) +
                            " to variable '" + v.name + "' of " + ir::DTypeName(v.dtype) +
                            ir::ShapeToString(v.shape),
                     "the value must have the variable's data type and element count");
  }
  return std::vector<TensorType>{};
}

Status Eval(const EvalArgs& a) {
  const auto bytes = static_cast<size_t>(a.in_tensor(0).size_bytes());
  if (bytes != 0) std::memcpy(a.var<uint8_t>(0), a.inputs[1], bytes);
  return Status::Ok();
}

}  // namespace

extern const OpDef kAssignVariableDef = {ir::OpKind::kAssignVariable, "i8, u8, i16, i32, i64, f32, bool",
                                         Infer, Eval, nullptr};

}  // namespace ember::ops
