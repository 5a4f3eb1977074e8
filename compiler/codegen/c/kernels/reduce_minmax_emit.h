// The kernel of reduce_max and reduce_min (kernels/reduce_max.cc,
// reduce_min.cc; docs/numerics.md, "reduce_max, reduce_min"). The loops are
// EmitReductionKernel's; each output starts at the far end of its type and
// takes v > m ? v : m (max) or v < m ? v : m (min), as the reference (so a
// NaN input never wins). int8 has equal input and output quantization
// (checked by Infer): a raw maximum or minimum.
#pragma once

#include <limits>
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {

inline Expected<Kernel> EmitReduceMinMaxKernel(const KernelContext& ctx, bool largest) {
  return EmitReductionKernel(ctx, [largest](const ReductionInput& r) {
    ReductionBody b;
    b.details = {std::string(largest ? "maximum" : "minimum") + " of " + std::to_string(r.count) +
                 " elements per output"};
    const float start = largest ? std::numeric_limits<float>::lowest() : std::numeric_limits<float>::max();
    b.init = r.is_float ? "float m = " + CFloat(start) + ";" : std::string("int8_t m = ") + (largest ? "-128;" : "127;");
    b.step = [r, largest](const std::string& idx) {
      const std::string v = r.x + "[" + idx + "]";
      return "m = " + v + (largest ? " > " : " < ") + "m ? " + v + " : m;";
    };
    b.finish = [](const std::string& o, int ind) { return Spaces(ind) + "out0[" + o + "] = m;\n"; };
    return b;
  });
}

}  // namespace ember::codegen::c
