// cumsum: C kernel for the running sum along one axis, as the reference
// (ops/cumsum.cc): loops over [outer, depth, inner] with literal bounds, the
// sum in axis order (from the end with reverse); float32 adds in float,
// int32 and int64 wrap through unsigned arithmetic, int8 follows TFLite
// Micro's arithmetic with the multipliers and the starting sum computed at
// compile time (ops/cumsum_util.h). Each element is read before its output
// is written, so the kernel may run in place.
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/cumsum_util.h"

namespace ember::codegen::c {
namespace {

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Tensor& in = g.tensor(ctx.node.inputs[0]);
  EMBER_ASSIGN_OR_RETURN(const ops::CumsumGeometry c, ops::GetCumsumGeometry(g, ctx.node));
  const std::string x = OperandName(ctx, 0);
  std::string acc_type, start, add, store;
  std::vector<std::string> details = {std::string(c.exclusive ? "exclusive" : "inclusive") +
                                      (c.reverse ? ", from the end of the axis" : "")};
  switch (in.dtype) {
    case ir::DType::kInt8: {
      EMBER_ASSIGN_OR_RETURN(const ops::CumsumInt8 p, ops::PrepareCumsumInt8(g, ctx.node));
      const int32_t first = ops::Mbqm(ops::WrapShl(-p.z_in, ops::kCumsumLeftShift), p.input);
      acc_type = "int32_t";
      start = CInt(first);
      add = "ember_wrap_add(acc, ember_mbqm(ember_wrap_shl((int32_t)v - " + CInt(p.z_in) + ", " +
            std::to_string(ops::kCumsumLeftShift) + "), " + CInt(p.input.multiplier) + ", " +
            std::to_string(p.input.shift) + "))";
      store = "(int8_t)ember_clamp_i32(ember_mbqm(SUM, " + CInt(p.output.multiplier) + ", " +
              std::to_string(p.output.shift) + ") + " + CInt(p.z_out) + ", -128, 127)";
      details.push_back("int8 (TFLite Micro): output multiplier " + std::to_string(p.output.multiplier) + " shift " +
                        std::to_string(p.output.shift));
      break;
    }
    case ir::DType::kInt32:
      acc_type = "int32_t", start = "0", add = "ember_wrap_add(acc, v)", store = "SUM";
      break;
    case ir::DType::kInt64:
      acc_type = "int64_t", start = "0", add = "(int64_t)((uint64_t)acc + (uint64_t)v)", store = "SUM";
      break;
    default: acc_type = "float", start = "0.0f", add = "acc + v", store = "SUM";
  }
  auto stored = [&](const std::string& sum) {
    std::string s = store;
    s.replace(s.find("SUM"), 3, sum);
    return s;
  };
  const std::string elem = CType(in.dtype);
  const std::string at = "(o * " + CInt(c.depth) + " + " + (c.reverse ? CInt(c.depth - 1) + " - k" : "k") +
                         ") * " + CInt(c.inner) + " + i";
  Kernel k;
  k.code = FunctionHead(ctx, details);
  k.code += "  for (int32_t o = 0; o < " + CInt(c.outer) + "; ++o) {\n";
  k.code += "    for (int32_t i = 0; i < " + CInt(c.inner) + "; ++i) {\n";
  k.code += "      " + acc_type + " acc = " + start + ";\n";
  k.code += "      for (int32_t k = 0; k < " + CInt(c.depth) + "; ++k) {\n";
  k.code += "        const int32_t at = " + at + ";\n";
  k.code += "        const " + elem + " v = " + x + "[at];\n";
  if (c.exclusive) {
    k.code += "        out0[at] = " + stored("acc") + ";\n";
    k.code += "        acc = " + add + ";\n";
  } else {
    k.code += "        acc = " + add + ";\n";
    k.code += "        out0[at] = " + stored("acc") + ";\n";
  }
  k.code += "      }\n    }\n  }\n}\n";
  k.inplace_ok = !in.is_const();
  return k;
}

}  // namespace

extern const KernelEmitter kCumsumEmitter = {ir::OpKind::kCumsum, Emit};

}  // namespace ember::codegen::c
