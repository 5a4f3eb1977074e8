// pad: C kernel for constant padding (docs/numerics.md, "pad").
//
// The whole output is filled with the fill value (the `value` attribute, else
// the output zero point when quantized, else 0; memset when every byte of it
// is equal), then the input
// is copied into the box that starts at `before_d` on every axis, with one
// memcpy per contiguous run (the innermost unpadded axes merge into it).
#include <algorithm>
#include <cstring>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {
namespace {

// Fills out0 with `elem` (one element's bytes): memset when its bytes are
// all equal, else a loop storing the typed value.
std::string EmitFill(const ir::Tensor& out, const std::vector<uint8_t>& elem, std::string* shown) {
  const int64_t count = out.num_elements();
  const auto esz = static_cast<int64_t>(elem.size());
  std::string value;
  if (out.dtype == ir::DType::kFloat32) {
    float f = 0;
    std::memcpy(&f, elem.data(), sizeof f);
    value = CFloat(f);
    *shown = Num(f);
  } else {
    uint64_t u = 0;
    for (size_t b = 0; b < elem.size(); ++b) u |= static_cast<uint64_t>(elem[b]) << (8 * b);
    int64_t v = static_cast<int64_t>(u);
    if (esz < 8 && out.dtype != ir::DType::kUInt8 && out.dtype != ir::DType::kBool &&
        (u >> (8 * esz - 1)) & 1)
      v -= int64_t{1} << (8 * esz);  // sign-extend
    value = CInt(v);
    *shown = std::to_string(v);
  }
  if (count == 0) return "";
  if (std::all_of(elem.begin(), elem.end(), [&](uint8_t x) { return x == elem[0]; })) {
    return "  memset(out0, " + std::to_string(elem[0]) + ", " + CInt(count * esz) + ");\n";
  }
  return "  for (int32_t i = 0; i < " + CInt(count) + "; ++i) out0[i] = " + value + ";\n";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::vector<int64_t> pads = ctx.node.GetInts("pads");
  std::vector<uint8_t> elem;
  EMBER_RETURN_IF_ERROR(ops::PadFillElement(ctx.node, out, &elem));
  std::string shown;
  const std::string fill = EmitFill(out, elem, &shown);
  LoopNest nest;
  nest.sizes = in.shape;
  nest.steps = {ops::RowMajorStrides(out.shape), ops::RowMajorStrides(in.shape)};
  nest.bases = {0, 0};
  for (size_t d = 0; d < in.shape.size(); ++d) nest.bases[0] += pads[2 * d] * nest.steps[0][d];
  Kernel k;
  k.code = FunctionHead(ctx, {"pads " + ir::ShapeToString(pads) + ", fill value " + shown});
  k.code += fill;
  k.code += EmitStridedCopy(nest, "out0", OperandName(ctx, 0), CType(in.dtype), ir::DTypeSize(in.dtype), 2);
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kPadEmitter = {ir::OpKind::kPad, Emit};

}  // namespace ember::codegen::c
