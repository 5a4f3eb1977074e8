// quantize: C kernel for float32 -> integer quantization and integer ->
// integer requantization (docs/numerics.md, "quantize").
//
// f32 -> i8/u8/i16: q = clamp(round(x / s) + z) with roundf of a float32
// division; a quotient beyond int32 saturates and NaN gives 0 before z is
// added, as the reference. int -> int: q = clamp(Mbqm(x - z_in, M, shift) +
// z_out) with (M, shift) from s_in / s_out (double) as literals; equal scales
// (M = 2^30, shift 1) make Mbqm the identity and the kernel a zero-point
// shift (the i8 <-> u8 flip).
#include <string>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/elementwise_emit_util.h"
#include "ops/quant_math.h"
#include <cstdint>

namespace ember::codegen::c {
namespace {

ops::Int32Range TypeRange(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return {-128, 127};
    case ir::DType::kUInt8: return {0, 255};
    case ir::DType::kInt16: return {-32768, 32767};
    default: return {INT32_MIN, INT32_MAX};
  }
}

// The statement that stores int32 `v` clamped to the output type.
std::string Store(ir::DType out, const std::string& v) {
  const ops::Int32Range r = TypeRange(out);
  if (out == ir::DType::kInt32) return "out0[i] = " + v + ";";
  return std::string("out0[i] = (") + CType(out) + ")ember_clamp_i32(" + v + ", " + CInt(r.min) +
         ", " + CInt(r.max) + ");";
}

Expected<Kernel> Emit(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckNode(ctx));
  const ir::Tensor& in = ctx.graph.tensor(ctx.node.inputs[0]);
  const ir::Tensor& out = ctx.graph.tensor(ctx.node.outputs[0]);
  const TensorQuant qo = QuantOf(ctx.graph, ctx.node.outputs[0]);
  const std::string x = OperandName(ctx, 0) + "[i]";
  std::vector<std::string> details;
  std::string body;
  if (OnnxRuntimeInt8(ctx)) {  // MlasQuantizeLinear (after DequantizeLinear for an integer input)
    const ops::Int32Range r = TypeRange(out.dtype);
    const std::string flo = CFloat(static_cast<float>(int64_t{r.min} - qo.zero_point));
    const std::string fhi = CFloat(static_cast<float>(int64_t{r.max} - qo.zero_point));
    details.push_back("ONNX Runtime's QuantizeLinear: x / s clamped, rounded half to even");
    if (in.dtype == ir::DType::kFloat32) {
      body = "    float v = " + x + " / " + CFloat(qo.scale) + ";\n";
    } else {
      const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
      body = "    float v = (float)ember_wrap_add((int32_t)" + x + ", " + CInt(ops::WrapSub(0, qi.zero_point)) +
             ") * " + CFloat(qi.scale) + ";\n    v = v / " + CFloat(qo.scale) + ";\n";
    }
    body += "    v = v >= " + flo + " ? v : " + flo + ";\n    v = v > " + fhi + " ? " + fhi + " : v;\n";
    body += "    out0[i] = (" + std::string(CType(out.dtype)) + ")(ember_round_even_small(v) + " + CInt(qo.zero_point) +
            ");\n";
  } else if (in.dtype == ir::DType::kFloat32) {
    body = "    const float r = roundf(" + x + " / " + CFloat(qo.scale) + ");\n";
    body += "    const int32_t q = r != r ? 0 : (r >= 0x1p31f ? INT32_MAX : (r < -0x1p31f ? INT32_MIN : "
            "(int32_t)r));\n";
    body += "    " + Store(out.dtype, "ember_wrap_add(q, " + CInt(qo.zero_point) + ")") + "\n";
  } else {
    const TensorQuant qi = QuantOf(ctx.graph, ctx.node.inputs[0]);
    const ops::QuantizedMultiplier m = ops::QuantizeMultiplier(
        static_cast<double>(qi.scale) / static_cast<double>(qo.scale));
    details.push_back("multiplier " + std::to_string(m.multiplier) + " shift " + std::to_string(m.shift));
    // x - z_in, wrapping for i32 inputs.
    const std::string diff = "ember_wrap_add((int32_t)" + x + ", " + CInt(ops::WrapSub(0, qi.zero_point)) + ")";
    if (m.multiplier == (int32_t{1} << 30) && m.shift == 1) {
      body = "    " + Store(out.dtype, "ember_wrap_add(" + diff + ", " + CInt(qo.zero_point) + ")") + "\n";
    } else {
      body = "    " + Store(out.dtype, "ember_wrap_add(ember_mbqm(" + diff + ", " + CInt(m.multiplier) +
                                        ", " + std::to_string(m.shift) + "), " + CInt(qo.zero_point) + ")") +
             "\n";
    }
  }
  Kernel k;
  k.code = FunctionHead(ctx, details) + "  for (int32_t i = 0; i < " + CInt(in.num_elements()) +
           "; ++i) {\n" + body + "  }\n}\n";
  // Element i is read before it is written; sizes must match for the addresses to.
  k.inplace_ok = !in.is_const() && ir::DTypeSize(in.dtype) == ir::DTypeSize(out.dtype);
  return k;
}

}  // namespace

extern const KernelEmitter kQuantizeEmitter = {ir::OpKind::kQuantize, Emit};

}  // namespace ember::codegen::c
