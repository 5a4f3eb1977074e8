// strided_slice: C kernel for TFLite STRIDED_SLICE (docs/numerics.md,
// "strided_slice").
//
// The start and element count of every axis are resolved at compile time
// with the reference's rules (masks, negative indices, clamping); the kernel
// is a loop nest over the output with literal bounds and input strides
// (negative for a negative stride), and a memcpy per run that is contiguous
// in both.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/layout_util.h"

namespace ember::codegen::c {
namespace {

struct AxisRange {
  int64_t start = 0;
  int64_t count = 0;
  int64_t stride = 1;
};

bool Bit(int64_t mask, size_t d) { return d < 63 && ((mask >> d) & 1) != 0; }
int64_t Clamp(int64_t v, int64_t lo, int64_t hi) { return v < lo ? lo : (v > hi ? hi : v); }

// The reference's ResolveAxis (TFLite Micro's start/stop rules).
AxisRange ResolveAxis(const ir::Node& n, size_t d, int64_t size) {
  AxisRange r;
  r.stride = n.GetInts("strides")[d];
  const bool shrink = Bit(n.GetInt("shrink_axis_mask"), d);
  const bool fwd = r.stride > 0;
  const int64_t lo = fwd ? 0 : -1;
  const int64_t hi = fwd ? size : size - 1;
  int64_t start = n.GetInts("begin")[d];
  if (Bit(n.GetInt("begin_mask"), d)) {
    start = fwd ? 0 : size - 1;
  } else {
    if (start < 0) start += size;
    start = Clamp(start, lo, hi);
  }
  int64_t stop = n.GetInts("end")[d];
  if (shrink) {
    stop = start >= size ? start : start + 1;
  } else if (Bit(n.GetInt("end_mask"), d)) {
    stop = fwd ? size : -1;
  } else {
    if (stop < 0) stop += size;
    stop = Clamp(stop, lo, hi);
  }
  const int64_t span = fwd ? stop - start : start - stop;
  const uint64_t mag = fwd ? static_cast<uint64_t>(r.stride) : 0 - static_cast<uint64_t>(r.stride);
  r.start = start;
  r.count = span <= 0 ? 0 : static_cast<int64_t>((static_cast<uint64_t>(span) - 1) / mag + 1);
  return r;
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const std::vector<int64_t> in_strides = ops::RowMajorStrides(in.shape);
  LoopNest nest;
  nest.bases = {0, 0};
  nest.steps = {{}, {}};
  std::string ranges;
  bool empty = false;
  for (size_t d = 0; d < in.shape.size(); ++d) {
    const AxisRange r = ResolveAxis(ctx.node, d, in.shape[d]);
    ranges += (d ? ", " : "") + std::to_string(r.start) + ":" + std::to_string(r.count) + ":" +
              std::to_string(r.stride);
    empty = empty || r.count == 0;
    nest.sizes.push_back(r.count);
    if (r.count > 0) nest.bases[1] += r.start * in_strides[d];
    nest.steps[1].push_back(r.count > 1 ? r.stride * in_strides[d] : 0);
  }
  nest.steps[0] = ops::RowMajorStrides(nest.sizes);
  Kernel k;
  k.code = FunctionHead(ctx, {"start:count:stride per axis " + ranges});
  if (!empty) {
    k.code += EmitStridedCopy(nest, "out0", OperandName(ctx, 0), CType(in.dtype),
                              ir::DTypeSize(in.dtype), 2);
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kStridedSliceEmitter = {ir::OpKind::kStridedSlice, Emit};

}  // namespace ember::codegen::c
