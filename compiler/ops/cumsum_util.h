// cumsum's geometry and TFLite Micro's int8 parameters, shared by the
// reference evaluator (ops/cumsum.cc) and the C kernel.
#pragma once

#include <cstdint>
#include <string>

#include "ir/graph.h"
#include "ops/conv_util.h"
#include "ops/op_util.h"
#include "ops/quant_math.h"

namespace ember::ops {

// The input as [outer, depth, inner] around `axis`.
struct CumsumGeometry {
  int64_t outer = 1, depth = 1, inner = 1;
  bool exclusive = false, reverse = false;
};

inline Expected<CumsumGeometry> GetCumsumGeometry(const ir::Graph& g, const ir::Node& n) {
  const ir::Shape& s = g.tensor(n.inputs[0]).shape;
  if (s.empty()) return NodeError(n, "the input is a scalar; it has no axis", "give it at least one axis");
  int64_t axis = 0, exclusive = 0, reverse = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "axis", 0, static_cast<int64_t>(s.size()) - 1, true, 0, &axis));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "exclusive", 0, 1, false, 0, &exclusive));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "reverse", 0, 1, false, 0, &reverse));
  CumsumGeometry r;
  for (size_t d = 0; d < s.size(); ++d) {
    const auto a = static_cast<int64_t>(d);
    if (a < axis) r.outer *= s[d];
    else if (a > axis) r.inner *= s[d];
    else r.depth = s[d];
  }
  r.exclusive = exclusive == 1;
  r.reverse = reverse == 1;
  return r;
}

// TFLite Micro's int8 CUMSUM (kernels/cumsum.cc): each x - z_in is shifted
// left by 20 and scaled by 1/2 (the multiplier of 0.5: exactly 2^19), the
// running sum starts at the scaled -z_in (not 0, as TFLite Micro's kernel
// starts it) and wraps in int32, and each sum goes to the output with the
// multiplier 2·s_in / (2^20·s_out) (below one) plus z_out, clamped.
inline constexpr int kCumsumLeftShift = 20;
struct CumsumInt8 {
  int32_t z_in = 0, z_out = 0;
  QuantizedMultiplier input, output;
};

inline Expected<CumsumInt8> PrepareCumsumInt8(const ir::Graph& g, const ir::Node& n) {
  EMBER_ASSIGN_OR_RETURN(const InOutInt8Quant q, GetInOutInt8Quant(g, n));
  const double twice = 2 * static_cast<double>(q.s_in);
  const double out_real = twice / ((1 << kCumsumLeftShift) * static_cast<double>(q.s_out));
  if (!(out_real < 1.0)) {
    return NodeError(n, "the input scale is 2^19 times the output scale or more (output multiplier " +
                            std::to_string(out_real) + ")",
                     "TFLite Micro's int8 CUMSUM needs s_in / s_out below 2^19");
  }
  CumsumInt8 p;
  p.z_in = q.z_in;
  p.z_out = q.z_out;
  p.input = QuantizeMultiplier(static_cast<double>(q.s_in) / twice);
  p.output = QuantizeMultiplier(out_real);
  return p;
}

}  // namespace ember::ops
