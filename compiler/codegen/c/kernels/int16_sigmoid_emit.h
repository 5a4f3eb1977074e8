// The int16 kernel of LOGISTIC and TANH (16x8 quantization): the input
// rescaling as literals, and per element ember_logistic16 / ember_tanh16 of
// ember/fixed_point.h, which interpolate TFLite's 256-entry sigmoid table
// (a constant array of that header).
#pragma once

#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/int16_activation.h"

namespace ember::codegen::c {

inline Expected<Kernel> EmitInt16SigmoidKernel(const KernelContext& ctx, bool is_tanh) {
  EMBER_ASSIGN_OR_RETURN(const ops::Int16SigmoidInput p,
                         ops::PrepareInt16SigmoidInput(ctx.graph, ctx.node, is_tanh));
  Kernel k;
  k.code = FunctionHead(ctx, {"input x -> (x * " + std::to_string(p.multiplier) + " + " + std::to_string(p.round) +
                                  ") >> " + std::to_string(p.shift) + " in units of 1/(3 * 4096)",
                              "sigmoid(i / 24) table in unsigned Q0.16, interpolated; output Q0.15"});
  k.code += "  for (int32_t i = 0; i < " + CInt(ctx.graph.tensor(ctx.node.inputs[0]).num_elements()) + "; ++i) {\n";
  k.code += "    const int32_t v = ember_sigmoid16_input(" + OperandName(ctx, 0) + "[i], " + CInt(p.multiplier) +
            ", " + std::to_string(p.shift) + ", " + CInt(p.round) + ");\n";
  k.code += "    out0[i] = " + std::string(is_tanh ? "ember_tanh16" : "ember_logistic16") + "(v);\n";
  k.code += "  }\n}\n";
  k.inplace_ok = true;
  return k;
}

}  // namespace ember::codegen::c
