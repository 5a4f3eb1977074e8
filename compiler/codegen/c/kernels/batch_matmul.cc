// batch_matmul: C kernel for the batched matrix product (docs/numerics.md,
// "batch_matmul"), as the reference (ops/batch_matmul.cc): the broadcast
// batch axes as a loop nest with literal strides (BroadcastNest over the
// batch shapes, scaled by the matrix sizes), then for each (i, j) the sum over
// k with the operands' literal row and column strides (adj_x / adj_y only
// change strides). float32 sums from 0.0f in k order; int8 sums
// (l - z_l) * (r - z_r) in int32 and requantizes with ember_mbqm (or, with
// int8_semantics "onnxruntime", ember_requant_f32 by the float32 scale); int16
// sums l * r in int64 and requantizes with ember_mbqm64.
#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/batch_matmul_util.h"

namespace ember::codegen::c {
namespace {

// "v * s" without the multiplication when s is 1.
std::string Times(const std::string& v, int64_t s) { return s == 1 ? v : v + " * " + CInt(s); }

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  EMBER_ASSIGN_OR_RETURN(const ops::batch_matmul::Geometry geo, ops::batch_matmul::GetGeometry(ctx.graph, ctx.node));
  const ir::Tensor& l = ctx.graph.tensor(ctx.node.inputs[0]);
  const bool is_float = l.dtype == ir::DType::kFloat32;
  const std::string t = CType(l.dtype), x = OperandName(ctx, 0), y = OperandName(ctx, 1);
  std::vector<std::string> details{std::to_string(ir::NumElements(geo.out_batch)) + " products of [" +
                                   std::to_string(geo.m) + "x" + std::to_string(geo.k) + "] by [" +
                                   std::to_string(geo.k) + "x" + std::to_string(geo.n) + "]"};
  std::string sum_stmt, finish;
  if (is_float) {
    sum_stmt = "total += lb[" + Times("i", geo.l_row) + " + " + Times("k", geo.l_col) + "] * rb[" +
               Times("k", geo.r_row) + " + " + Times("j", geo.r_col) + "];";
    finish = "total";
  } else if (l.dtype == ir::DType::kInt16) {
    EMBER_ASSIGN_OR_RETURN(const ops::batch_matmul::Int8Params p, ops::batch_matmul::PrepareInt8(ctx.graph, ctx.node));
    // |l * r| <= 2^30: each product fits int32, the sum is int64 (exact).
    sum_stmt = "total += (int32_t)lb[" + Times("i", geo.l_row) + " + " + Times("k", geo.l_col) + "] * rb[" +
               Times("k", geo.r_row) + " + " + Times("j", geo.r_col) + "];";
    finish = "(int16_t)ember_clamp_i32(ember_mbqm64(total, " + CInt(p.m.multiplier) + ", " +
             std::to_string(p.m.shift) + "), -32768, 32767)";
    details.push_back("int16 (16x8): int64 sum, requantized by MBQM64 (" + std::to_string(p.m.multiplier) + ", " +
                      std::to_string(p.m.shift) + ")");
  } else {
    EMBER_ASSIGN_OR_RETURN(const ops::batch_matmul::Int8Params p, ops::batch_matmul::PrepareInt8(ctx.graph, ctx.node));
    // (l - z_l) * (r - z_r) <= 255^2: below 33025 terms the int32 sum cannot wrap.
    const std::string prod = "((int32_t)lb[" + Times("i", geo.l_row) + " + " + Times("k", geo.l_col) + "]" +
                             MinusZ(p.z_lhs) + ") * ((int32_t)rb[" + Times("k", geo.r_row) + " + " +
                             Times("j", geo.r_col) + "]" + MinusZ(p.z_rhs) + ")";
    sum_stmt = geo.k < 33025 ? "total += " + prod + ";" : "total = ember_wrap_add(total, " + prod + ");";
    if (p.sem == ops::Int8Semantics::kOnnxRuntime) {
      finish = "(int8_t)ember_requant_f32(total, " + CFloat(p.ort_scale) + ", " + CInt(p.z_out) + ", -128, 127)";
      details.push_back("int8, ONNX Runtime's arithmetic: requantized in float32 by " + ops::FormatReal(p.ort_scale) +
                        ", output zero point " + std::to_string(p.z_out));
    } else {
      finish = "(int8_t)ember_clamp_i32(ember_wrap_add(ember_mbqm(total, " + CInt(p.m.multiplier) + ", " +
               std::to_string(p.m.shift) + "), " + CInt(p.z_out) + "), -128, 127)";
      details.push_back("int8: requantized by (" + std::to_string(p.m.multiplier) + ", " +
                        std::to_string(p.m.shift) + "), output zero point " + std::to_string(p.z_out));
    }
  }
  LoopNest nest = BroadcastNest(geo.out_batch, {geo.lhs_batch, geo.rhs_batch});
  const int64_t scale[3] = {geo.m * geo.n, geo.m * geo.k, geo.k * geo.n};
  for (size_t op = 0; op < 3; ++op) {
    nest.bases[op] *= scale[op];
    for (auto& s : nest.steps[op]) s *= scale[op];
  }
  nest = SimplifyNest(nest);
  Kernel k;
  k.code = FunctionHead(ctx, details);
  if (ir::NumElements(geo.out_shape) > 0) {
    k.code += EmitLoops(nest, 2, [&](const std::vector<std::string>& b, int in) {
      const std::string s = Spaces(in);
      std::string c = s + "{\n";
      c += s + "  const " + t + "* lb = " + x + " + " + b[1] + ";\n";
      c += s + "  const " + t + "* rb = " + y + " + " + b[2] + ";\n";
      c += s + "  " + t + "* ob = out0 + " + b[0] + ";\n";
      c += s + "  for (int32_t i = 0; i < " + CInt(geo.m) + "; ++i) {\n";
      c += s + "    for (int32_t j = 0; j < " + CInt(geo.n) + "; ++j) {\n";
      c += s + "      " + (is_float ? "float total = 0.0f;\n" : l.dtype == ir::DType::kInt16 ? "int64_t total = 0;\n" : "int32_t total = 0;\n");
      c += s + "      for (int32_t k = 0; k < " + CInt(geo.k) + "; ++k) " + sum_stmt + "\n";
      c += s + "      ob[" + Times("i", geo.n) + " + j] = " + finish + ";\n";
      c += s + "    }\n";
      c += s + "  }\n";
      c += s + "}\n";
      return c;
    });
  }
  k.code += "}\n";
  return k;
}

}  // namespace

extern const KernelEmitter kBatchMatmulEmitter = {ir::OpKind::kBatchMatmul, Emit};

}  // namespace ember::codegen::c
