// l2_normalization: C kernel for each last-axis vector divided by its L2 norm
// (docs/numerics.md, "l2_normalization"), as the reference
// (ops/l2_normalization.cc): float32 sums x*x in axis order, sqrtf, the 1e-6
// floor and one division per element; int8 sums (x - z)^2 in int32, takes
// 1/sqrt as a multiplier with ember_inv_sqrt_multiplier (runtime
// fixed_point.h) and rescales each x - z by it to units of 1/128. Each row
// is read completely before it is written, so the output may share the
// input's buffer.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const int64_t depth = in.shape.back();
  const int64_t rows = depth == 0 ? 0 : in.num_elements() / depth;
  const std::string x = OperandName(ctx, 0), d = CInt(depth);
  Kernel k;
  if (in.dtype == ir::DType::kFloat32) {
    k.code = FunctionHead(ctx, {std::to_string(rows) + " rows of " + std::to_string(depth) +
                                ": out = x / max(sqrtf(sum x*x), 1e-6f)"});
    if (rows > 0) {
      k.code += "  for (int32_t r = 0; r < " + CInt(rows) + "; ++r) {\n";
      k.code += "    const float* v = " + x + " + r * " + d + ";\n";
      k.code += "    float* o = out0 + r * " + d + ";\n";
      k.code += "    float sum = 0.0f, norm;\n";
      k.code += "    int32_t c;\n";
      k.code += "    for (c = 0; c < " + d + "; ++c) sum += v[c] * v[c];\n";
      k.code += "    norm = sqrtf(sum);\n";
      k.code += "    if (norm < " + CFloat(1e-6f) + ") norm = " + CFloat(1e-6f) + ";\n";
      k.code += "    for (c = 0; c < " + d + "; ++c) o[c] = v[c] / norm;\n";
      k.code += "  }\n";
    }
  } else {
    const int32_t z = QuantOf(ctx.graph, ctx.node.inputs[0]).zero_point;
    // 255^2 * 33025 < 2^31: shorter rows cannot wrap the int32 sum.
    const std::string add = depth < 33025 ? "acc += t * t;" : "acc = ember_wrap_add(acc, t * t);";
    k.code = FunctionHead(ctx, {std::to_string(rows) + " rows of " + std::to_string(depth) +
                                ": out = clamp(Mbqm(x - z, 1/sqrt(sum (x - z)^2)) * 128)"});
    if (rows > 0) {
      k.code += "  for (int32_t r = 0; r < " + CInt(rows) + "; ++r) {\n";
      k.code += "    const int8_t* v = " + x + " + r * " + d + ";\n";
      k.code += "    int8_t* o = out0 + r * " + d + ";\n";
      k.code += "    int32_t acc = 0, m, c;\n";
      k.code += "    int s;\n";
      k.code += "    for (c = 0; c < " + d + "; ++c) {\n";
      k.code += "      const int32_t t = (int32_t)v[c]" + MinusZ(z) + ";\n";
      k.code += "      " + add + "\n";
      k.code += "    }\n";
      k.code += "    ember_inv_sqrt_multiplier(acc, &m, &s);\n";
      k.code += "    for (c = 0; c < " + d + "; ++c) {\n";
      k.code += "      o[c] = (int8_t)ember_clamp_i32(ember_mbqm((int32_t)v[c]" + MinusZ(z) +
                ", m, s + 7), -128, 127);\n";
      k.code += "    }\n";
      k.code += "  }\n";
    }
  }
  k.code += "}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kL2NormalizationEmitter = {ir::OpKind::kL2Normalization, Emit};

}  // namespace ember::codegen::c
