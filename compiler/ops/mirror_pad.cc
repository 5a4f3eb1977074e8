// mirror_pad: padding with a mirror image of the input (TFLite MIRROR_PAD,
// ONNX Pad mode=reflect). No arithmetic: every output element is an input
// element, bytes unchanged.
//
// Attributes: `pads` = [before_0, after_0, before_1, after_1, ...] as for pad
// (non-negative), `mode` = "reflect" (the edge element is not repeated:
// [a b c] padded by 2 on each side is [c b a b c b a]) or "symmetric" (it
// is: [b a a b c c b]) or "edge" (ONNX Pad mode=edge: the edge element
// repeats, [a a a b c c c]). Let off = 1 for reflect, 0 for symmetric; each
// pad must be at most size - off along its axis (TFLite's rule; TFLite Micro
// reads outside the input beyond it); edge pads any amount of a non-empty axis.
// For output index p along an axis of input size S with padding L before,
// as TFLite Micro's GetInputDimension computes it:
//   p < L:          L + off - 1 - p
//   L <= p < L + S: p - L
//   p >= L + S:     S - 1 - off - (p - L - S)
// and for edge: p - L clamped to [0, S - 1].
// Rank <= 5 (as pad).
#include <cstring>
#include <string>

#include "ops/layout_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 1, 1, 1));
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const std::string mode = n.GetString("mode", "");
  if (mode != "reflect" && mode != "symmetric" && mode != "edge") {
    return NodeError(n, "has mode '" + mode + "'", "mode is \"reflect\", \"symmetric\" or \"edge\"");
  }
  const int64_t off = MirrorPadOffset(mode);
  std::vector<int64_t> pads;
  EMBER_ASSIGN_OR_RETURN(ir::Shape out, PaddedShape(n, in, &pads));
  for (size_t d = 0; d < in.shape.size(); ++d) {
    const int64_t before = pads[2 * d], after = pads[2 * d + 1];
    // Edge pads any amount of a non-empty axis.
    const int64_t limit = off < 0 ? (in.shape[d] > 0 ? INT64_MAX : 0) : in.shape[d] - off;
    if ((before > 0 && before > limit) || (after > 0 && after > limit)) {
      return NodeError(n, "pads axis " + std::to_string(d) + " (size " +
                              std::to_string(in.shape[d]) + ") by " + std::to_string(before) +
                              "/" + std::to_string(after) + " in " + mode + " mode",
                       off < 0 ? "edge padding needs a non-empty axis"
                               : "each pad must be in [0, size" + std::string(off ? " - 1" : "") +
                                     "] along its axis");
    }
  }
  return std::vector<TensorType>{{in.dtype, out}};
}

// For every output element, in row-major order, the input element that the
// per-axis rule selects.
Status Eval(const EvalArgs& a) {
  const ir::Tensor& in = a.in_tensor(0);
  const ir::Tensor& out = a.out_tensor(0);
  const std::vector<int64_t> pads = a.node.GetInts("pads");
  const int64_t off = MirrorPadOffset(a.node.GetString("mode"));
  const std::vector<int64_t> in_strides = RowMajorStrides(in.shape);
  const std::vector<int64_t> out_strides = RowMajorStrides(out.shape);
  const size_t esz = ir::DTypeSize(in.dtype);
  const int64_t count = out.num_elements();
  for (int64_t i = 0; i < count; ++i) {
    int64_t rest = i, src = 0;
    for (size_t d = 0; d < in.shape.size(); ++d) {
      const int64_t p = rest / out_strides[d];
      rest %= out_strides[d];
      src += MirrorPadSource(p, pads[2 * d], in.shape[d], off) * in_strides[d];
    }
    std::memcpy(a.outputs[0] + static_cast<size_t>(i) * esz, a.inputs[0] + static_cast<size_t>(src) * esz, esz);
  }
  return Status::Ok();
}

}  // namespace

// 1 for reflect, 0 for symmetric, -1 for edge.
int64_t MirrorPadOffset(const std::string& mode) { return mode == "reflect" ? 1 : (mode == "edge" ? -1 : 0); }

int64_t MirrorPadSource(int64_t p, int64_t before, int64_t size, int64_t off) {
  if (off < 0) return p < before ? 0 : (p - before >= size ? size - 1 : p - before);
  if (p < before) return before + off - 1 - p;
  p -= before;
  if (p < size) return p;
  return size - 1 - off - (p - size);
}

extern const OpDef kMirrorPadDef = {ir::OpKind::kMirrorPad, "i8, u8, i16, i32, i64, f32, bool", Infer,
                                    Eval, nullptr};

}  // namespace ember::ops
