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
  // One loop over the rows; v is the row read, o the row written.
  auto row_loop = [&](const std::string& ctype, const std::string& body) {
    if (rows == 0) return std::string();
    return "  for (int32_t r = 0; r < " + CInt(rows) + "; ++r) {\n    const " + ctype + "* v = " + x + " + r * " + d +
           ";\n    " + ctype + "* o = out0 + r * " + d + ";\n" + body + "  }\n";
  };
  Kernel k;
  if (in.dtype == ir::DType::kFloat32) {
    k.code = FunctionHead(ctx, {std::to_string(rows) + " rows of " + std::to_string(depth) +
                                ": out = x / max(sqrtf(sum x*x), 1e-6f)"});
    k.code += row_loop("float", "    float sum = 0.0f, norm;\n"
                                "    int32_t c;\n"
                                "    for (c = 0; c < " + d + "; ++c) sum += v[c] * v[c];\n"
                                "    norm = sqrtf(sum);\n"
                                "    if (norm < " + CFloat(1e-6f) + ") norm = " + CFloat(1e-6f) + ";\n"
                                "    for (c = 0; c < " + d + "; ++c) o[c] = v[c] / norm;\n");
  } else {
    const int32_t z = QuantOf(ctx.graph, ctx.node.inputs[0]).zero_point;
    // 255^2 * 33025 < 2^31: shorter rows cannot wrap the int32 sum.
    const std::string add = depth < 33025 ? "acc += t * t;" : "acc = ember_wrap_add(acc, t * t);";
    k.code = FunctionHead(ctx, {std::to_string(rows) + " rows of " + std::to_string(depth) +
                                ": out = clamp(Mbqm(x - z, 1/sqrt(sum (x - z)^2)) * 128)"});
    k.code += row_loop("int8_t", "    int32_t acc = 0, m, c;\n"
                                 "    int s;\n"
                                 "    for (c = 0; c < " + d + "; ++c) {\n"
                                 "      const int32_t t = (int32_t)v[c]" + MinusZ(z) + ";\n"
                                 "      " + add + "\n"
                                 "    }\n"
                                 "    ember_inv_sqrt_multiplier(acc, &m, &s);\n"
                                 "    for (c = 0; c < " + d + "; ++c) {\n"
                                 "      o[c] = (int8_t)ember_clamp_i32(ember_mbqm((int32_t)v[c]" + MinusZ(z) +
                                 ", m, s + 7), -128, 127);\n"
                                 "    }\n");
  }
  k.code += "}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kL2NormalizationEmitter = {ir::OpKind::kL2Normalization, Emit};

}  // namespace ember::codegen::c
