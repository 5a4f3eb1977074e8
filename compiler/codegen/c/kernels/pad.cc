// pad: C kernel for constant padding (docs/numerics.md, "pad").
//
// The whole output is filled with the fill value (the output zero point when
// quantized, else 0; memset when every byte of it is equal), then the input
// is copied into the box that starts at `before_d` on every axis, with one
// memcpy per contiguous run (the innermost unpadded axes merge into it).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {
namespace {

std::string EmitFill(const ir::Tensor& out, int64_t fill) {
  const int64_t count = out.num_elements();
  const size_t esz = ir::DTypeSize(out.dtype);
  if (count == 0) return "";
  if (fill == 0 || esz == 1) {
    return "  memset(out0, " + std::to_string(static_cast<uint8_t>(fill)) + ", " +
           CInt(count * static_cast<int64_t>(esz)) + ");\n";
  }
  return "  for (int32_t i = 0; i < " + CInt(count) + "; ++i) out0[i] = " + CInt(fill) + ";\n";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::vector<int64_t> pads = ctx.node.GetInts("pads");
  // Float and bool outputs always fill with zero bits.
  int64_t fill = 0;
  if (out.dtype != ir::DType::kFloat32 && out.dtype != ir::DType::kBool && out.quant &&
      !out.quant->zero_point.empty())
    fill = out.quant->zero_point[0];
  LoopNest nest;
  nest.sizes = in.shape;
  nest.steps = {ops::RowMajorStrides(out.shape), ops::RowMajorStrides(in.shape)};
  nest.bases = {0, 0};
  for (size_t d = 0; d < in.shape.size(); ++d) nest.bases[0] += pads[2 * d] * nest.steps[0][d];
  Kernel k;
  k.code = FunctionHead(ctx, {"pads " + ir::ShapeToString(pads) + ", fill value " + std::to_string(fill)});
  k.code += EmitFill(out, fill);
  k.code += EmitStridedCopy(nest, "out0", OperandName(ctx, 0), CType(in.dtype), ir::DTypeSize(in.dtype), 2);
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kPadEmitter = {ir::OpKind::kPad, Emit};

}  // namespace ember::codegen::c
