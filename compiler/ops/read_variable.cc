// read_variable: out = the bytes of variable operand 0 (TFLite READ_VARIABLE,
// TFLite Micro's MicroResourceVariables::Read: a memcpy of the resource
// buffer). The output has the variable's data type and shape; its
// quantization parameters are its own (bytes are copied, never requantized).
#include <cstring>
#include <string>

#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& v = g.tensor(n.inputs[0]);
  if (!v.is_variable) {
    return NodeError(n, "reads '" + v.name + "', which is not a variable",
                     "read_variable copies a variable's state (TFLite: a resource variable)");
  }
  return std::vector<TensorType>{{v.dtype, v.shape}};
}

Status Eval(const EvalArgs& a) {
  const auto bytes = static_cast<size_t>(a.in_tensor(0).size_bytes());
  if (bytes != 0) std::memcpy(a.outputs[0], a.inputs[0], bytes);
  return Status::Ok();
}

}  // namespace

extern const OpDef kReadVariableDef = {ir::OpKind::kReadVariable, "i8, u8, i16, i32, i64, f32, bool",
                                       Infer, Eval, nullptr};

}  // namespace ember::ops
