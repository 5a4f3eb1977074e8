// fuse-activation: relu, relu6 and clip that directly follow an operator
// with a fused activation attribute (`act`, docs/operators.md) whose act is
// "none" become that act, when the producer's output has no other reader and
// is no graph output:
//
//   %t = conv2d(%x, %w, %b) {act="none"} ; %y = relu(%t)
//   -> %y = conv2d(%x, %w, %b) {act="relu"}
//
// A clip with the bounds of relu, relu6 or relu_n1_to_1 becomes that act; any
// other becomes act="clip" with act_min / act_max (an absent bound is the
// float range's end). The producer takes over the activation's output tensor
// (name, type, quantization), so graph outputs and later readers are
// untouched. The int8 operators fold-qdq leaves are fused by fuse-clamp.
//
// Exactness. float32: the fused clamp is min(max(v, lo), hi), the same values
// as the separate operator (NaN and infinities aside). int8: the fused clamp
// is TFLite's CalculateActivationRangeQuantized on the output's scale and zero
// point, [max(-128, z), 127] for relu, [z, min(127, z + round(6 / s))] for
// relu6 and [max(-128, z + round(lo / s)), min(127, z + round(hi / s))] for
// clip; the separate relu (requantizing by s_in/s_out), relu6 (clamping in
// its input's quantization) and clip (the same bounds) give exactly these
// values when the activation's input and output quantization are equal, which
// the pass requires.
#include <optional>

#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {

Status FuseActivation(ir::Graph& g, const PassOptions&) {
  FuseActivations(g, [](const ir::Graph&, const ir::Node& n) {
    return n.inputs.size() == 1 ? ActivationOf(n) : std::nullopt;
  });
  return Status::Ok();
}

}  // namespace ember::passes
