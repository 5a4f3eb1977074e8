// mirror_pad: C kernel for TFLite MIRROR_PAD and ONNX Pad mode=reflect/edge
// (docs/numerics.md, "mirror_pad").
//
// The output is written in row-major order. Each padded axis gets a table of
// input offsets (the source index along it times the input stride, computed
// at compile time by the reference's rule); the trailing axes that are not
// padded form one contiguous run, copied with memcpy.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const std::vector<int64_t> pads = ctx.node.GetInts("pads");
  const std::string mode = ctx.node.GetString("mode");
  const int64_t off = ops::MirrorPadOffset(mode);
  const std::vector<int64_t> in_strides = ops::RowMajorStrides(in.shape);
  const size_t rank = in.shape.size();
  // Axes [lead, rank) are unpadded: one run of `run` elements.
  size_t lead = rank;
  int64_t run = 1;
  while (lead > 0 && pads[2 * (lead - 1)] == 0 && pads[2 * (lead - 1) + 1] == 0) {
    --lead;
    run *= in.shape[lead];
  }
  Kernel k;
  k.code = FunctionHead(ctx, {"mode " + mode + ", pads " + ir::ShapeToString(pads)});
  if (out.num_elements() == 0) {
    k.code += "}\n";
    return k;
  }
  const std::string src = OperandName(ctx, 0);
  std::string index = "0";
  for (size_t d = 0; d < lead; ++d) {
    std::vector<int32_t> table;
    for (int64_t p = 0; p < out.shape[d]; ++p)
      table.push_back(static_cast<int32_t>(ops::MirrorPadSource(p, pads[2 * d], in.shape[d], off) * in_strides[d]));
    const std::string t = ctx.consts.AddInt32("mirror_pad_axis" + std::to_string(d), table);
    index += " + " + t + "[i" + std::to_string(d) + "]";
  }
  k.code += "  int32_t o = 0;\n";
  std::string indent = "  ";
  for (size_t d = 0; d < lead; ++d) {
    k.code += indent + "for (int32_t i" + std::to_string(d) + " = 0; i" + std::to_string(d) + " < " +
              CInt(out.shape[d]) + "; ++i" + std::to_string(d) + ") {\n";
    indent += "  ";
  }
  if (run == 1) {
    k.code += indent + "out0[o++] = " + src + "[" + index + "];\n";
  } else {
    k.code += indent + "memcpy(out0 + o, " + src + " + " + index + ", " +
              CInt(run * static_cast<int64_t>(ir::DTypeSize(in.dtype))) + ");\n";
    k.code += indent + "o += " + CInt(run) + ";\n";
  }
  for (size_t d = 0; d < lead; ++d) {
    indent.resize(indent.size() - 2);
    k.code += indent + "}\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kMirrorPadEmitter = {ir::OpKind::kMirrorPad, Emit};

}  // namespace ember::codegen::c
