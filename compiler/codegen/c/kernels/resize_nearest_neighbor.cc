// resize_nearest_neighbor: C kernel copying one input pixel (C contiguous
// elements of NHWC) per output pixel (docs/numerics.md,
// "resize_nearest_neighbor").
//
// The source row and column of every output row and column are computed at
// compile time with the reference's own function and emitted as two int32
// tables; the kernel is then a loop over output pixels with one memcpy each.
// The same code serves f32 and int8 (a raw copy either way).
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/resize_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = ctx.graph.tensor(n.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(n.outputs[0]);
  const bool align = n.GetInt("align_corners") == 1;
  const bool half = n.GetInt("half_pixel_centers") == 1;
  const std::vector<std::string> details = {
      "align_corners " + std::to_string(align) + ", half_pixel_centers " + std::to_string(half)};
  Kernel k;
  k.code = FunctionHead(ctx, details);
  if (out.num_elements() > 0) {
    std::vector<int32_t> rows, cols;
    for (int64_t r : ops::NearestNeighborIndices(in.shape[1], out.shape[1], align, half))
      rows.push_back(static_cast<int32_t>(r * in.shape[2] * in.shape[3]));
    for (int64_t c : ops::NearestNeighborIndices(in.shape[2], out.shape[2], align, half))
      cols.push_back(static_cast<int32_t>(c * in.shape[3]));
    const std::string row_t = ctx.consts.AddInt32("resize_rows", rows);
    const std::string col_t = ctx.consts.AddInt32("resize_cols", cols);
    const int64_t c = in.shape[3];
    const std::string bytes = CInt(c * static_cast<int64_t>(ir::DTypeSize(in.dtype)));
    k.code += "  /* " + row_t + "[y]: element offset of the source row of output row y; " + col_t +
              "[x]: of the source column */\n";
    k.code += "  for (int32_t b = 0; b < " + CInt(out.shape[0]) + "; ++b) {\n";
    k.code += "    for (int32_t y = 0; y < " + CInt(out.shape[1]) + "; ++y) {\n";
    k.code += "      for (int32_t x = 0; x < " + CInt(out.shape[2]) + "; ++x) {\n";
    k.code += "        memcpy(out0 + ((b * " + CInt(out.shape[1]) + " + y) * " + CInt(out.shape[2]) +
              " + x) * " + CInt(c) + ", " + OperandName(ctx, 0) + " + b * " +
              CInt(in.shape[1] * in.shape[2] * c) + " + " + row_t + "[y] + " + col_t + "[x], " +
              bytes + ");\n";
    k.code += "      }\n    }\n  }\n";
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kResizeNearestNeighborEmitter = {ir::OpKind::kResizeNearestNeighbor, Emit};

}  // namespace ember::codegen::c
