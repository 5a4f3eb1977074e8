// clip: C kernel for min(max(x, min), max) elementwise (docs/numerics.md,
// "clip").
//
// int8: the output depends on the 8-bit input value only, so the kernel is a
// 256-entry lookup table filled at compile time by the reference evaluator
// (bit-exact by construction). float32: the reference's min(max(x, lo), hi)
// with literal bounds; an absent bound emits no comparison.
#include <cmath>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = ctx.graph.tensor(n.inputs[0]);
  const bool has_min = n.attrs.count("min") > 0 && n.GetReal("min") >= -3.4e38;
  const bool has_max = n.attrs.count("max") > 0 && n.GetReal("max") <= 3.4e38;
  const std::vector<std::string> details = {
      "min " + (has_min ? Num(n.GetReal("min")) : std::string("none")) + ", max " +
      (has_max ? Num(n.GetReal("max")) : std::string("none"))};
  if (in.dtype == ir::DType::kInt8) return EmitInt8TableKernel(ctx, details);
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  for (int32_t i = 0; i < " + CInt(in.num_elements()) + "; ++i) {\n";
  k.code += "    float v = " + OperandName(ctx, 0) + "[i];\n";
  // std::max(v, lo) is (v < lo ? lo : v); std::min(v, hi) is (hi < v ? hi : v).
  if (has_min) {
    const std::string lo = CFloat(static_cast<float>(n.GetReal("min")));
    k.code += "    v = v < " + lo + " ? " + lo + " : v;\n";
  }
  if (has_max) {
    const std::string hi = CFloat(static_cast<float>(n.GetReal("max")));
    k.code += "    v = " + hi + " < v ? " + hi + " : v;\n";
  }
  k.code += "    out0[i] = v;\n  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kClipEmitter = {ir::OpKind::kClip, Emit};

}  // namespace ember::codegen::c
