// The kernel of the comparisons (kernels/equal.cc, less.cc, ...): the
// broadcast as a loop nest with literal bounds and strides, each output byte
// (x <cmp> y) as 0 or 1. int8 compares the inputs rescaled as the reference
// (ops/compare_util.h): Mbqm((x - z) * 2^8, M, s) per input.
#pragma once

#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/compare_util.h"

namespace ember::codegen::c {

// `cmp` is the C operator: "==", "!=", "<", "<=", ">", ">=".
inline Expected<Kernel> EmitCompareKernel(const KernelContext& ctx, const char* cmp) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& a = g.tensor(ctx.node.inputs[0]);
  const ir::Tensor& b = g.tensor(ctx.node.inputs[1]);
  const ir::Tensor& out = g.tensor(ctx.node.outputs[0]);
  const std::string x = OperandName(ctx, 0), y = OperandName(ctx, 1), c = cmp;
  const LoopNest nest = SimplifyNest(BroadcastNest(out.shape, {a.shape, b.shape}));
  std::vector<std::string> details{std::string("out = x ") + c + " y ? 1 : 0"};
  LoopBody body;
  if (a.dtype == ir::DType::kInt8) {
    ops::compare::Int8Input p[2];
    for (size_t i = 0; i < 2; ++i) {
      auto q = ops::compare::PrepareInt8Input(g, ctx.node, i);
      if (!q.ok()) return q.diag();
      p[i] = *q;
    }
    details.push_back("int8: each input v = Mbqm((x - z) * 256, M, s): x (" + std::to_string(p[0].m.multiplier) +
                      ", " + std::to_string(p[0].m.shift) + "), y (" + std::to_string(p[1].m.multiplier) + ", " +
                      std::to_string(p[1].m.shift) + ")");
    auto scaled = [&](const std::string& v, const ops::compare::Int8Input& q) {
      return "ember_mbqm(((int32_t)" + v + MinusZ(q.zero_point) + ") * 256, " + CInt(q.m.multiplier) + ", " +
             std::to_string(q.m.shift) + ")";
    };
    body = [=, p0 = p[0], p1 = p[1]](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "const int32_t x = " + scaled(x + "[" + i[1] + "]", p0) + ";\n" + Spaces(in) +
             "const int32_t y = " + scaled(y + "[" + i[2] + "]", p1) + ";\n" + Spaces(in) + "out0[" + i[0] +
             "] = (uint8_t)(x " + c + " y);\n";
    };
  } else {
    body = [=](const std::vector<std::string>& i, int in) {
      return Spaces(in) + "out0[" + i[0] + "] = (uint8_t)(" + x + "[" + i[1] + "] " + c + " " + y + "[" + i[2] +
             "]);\n";
    };
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + EmitLoops(nest, 2, body) + "}\n";
  // One-byte inputs (i8, bool) may share the output's buffer: each output
  // byte is written after its own inputs are read.
  const bool bytes = ir::DTypeSize(a.dtype) == 1;
  k.inplace_ok = bytes && !a.is_const() && a.shape == out.shape;
  const bool same = ctx.node.inputs[1] == ctx.node.inputs[0];  // x < x: one hint
  if (bytes && !b.is_const() && b.shape == out.shape && !same) k.overlaps.push_back({1, 0});
  return k;
}

}  // namespace ember::codegen::c
