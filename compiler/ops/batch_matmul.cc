// batch_matmul: out[..., i, j] = sum_k lhs[..., i, k] * rhs[..., k, j]
// (TFLite BATCH_MATMUL), with `adj_x` / `adj_y` (0/1) transposing the last two
// axes of lhs / rhs and numpy broadcasting of the batch axes (ranks 2 to 5).
//
// As TFLite Micro's reference (docs/numerics.md, "batch_matmul"): float32
// sums the products from 0.0f in k order; int8 sums
// (lhs - z_lhs) * (rhs - z_rhs) in wrapping int32 and requantizes with Mbqm by
// QuantizeMultiplier((double)(s_lhs * s_rhs) / s_out), + z_out, clamped to
// [-128, 127]. int16 (16x8; zero points 0): the products summed in int64,
// then Mbqm64 by the same multiplier, clamped to [-32768, 32767].
// int8 with int8_semantics "onnxruntime" (ONNX Runtime's QLinearMatMul): the
// same int32 sum, requantized by OrtRequantize with the float32 scale
// (s_lhs * s_rhs) / s_out.
#include <algorithm>
#include <string>
#include <type_traits>
#include <vector>

#include "ops/batch_matmul_util.h"

namespace ember::ops {
namespace {

Expected<std::vector<TensorType>> Infer(const ir::Graph& g, const ir::Node& n) {
  EMBER_RETURN_IF_ERROR(CheckArity(g, n, 2, 2, 1));
  const ir::Tensor& l = g.tensor(n.inputs[0]);
  const ir::Tensor& r = g.tensor(n.inputs[1]);
  if (l.dtype != r.dtype ||
      (l.dtype != ir::DType::kInt8 && l.dtype != ir::DType::kInt16 && l.dtype != ir::DType::kFloat32)) {
    return NodeError(n, std::string("operand types ") + ir::DTypeName(l.dtype) + " and " + ir::DTypeName(r.dtype) +
                            " are not supported; supported: both i8, both i16 or both f32");
  }
  EMBER_ASSIGN_OR_RETURN(const batch_matmul::Geometry geo, batch_matmul::GetGeometry(g, n));
  if (l.dtype != ir::DType::kFloat32) {
    auto p = batch_matmul::PrepareInt8(g, n);
    if (!p.ok()) return p.diag();
  }
  return std::vector<TensorType>{{l.dtype, geo.out_shape}};
}

template <typename T, typename Finish>
void Multiply(const EvalArgs& a, const batch_matmul::Geometry& geo, int32_t zl, int32_t zr, Finish finish) {
  using Acc = std::conditional_t<std::is_same_v<T, float>, float,
                                 std::conditional_t<std::is_same_v<T, int16_t>, int64_t, int32_t>>;
  const int64_t batches = ir::NumElements(geo.out_batch);
  const T* x = a.in<T>(0);
  const T* y = a.in<T>(1);
  T* out = a.out<T>(0);
  for (int64_t b = 0; b < batches; ++b) {
    const T* lb = x + BroadcastIndex(geo.lhs_batch, geo.out_batch, b) * geo.m * geo.k;
    const T* rb = y + BroadcastIndex(geo.rhs_batch, geo.out_batch, b) * geo.k * geo.n;
    for (int64_t i = 0; i < geo.m; ++i) {
      for (int64_t j = 0; j < geo.n; ++j) {
        Acc total = 0;
        for (int64_t kk = 0; kk < geo.k; ++kk) {
          const Acc lv = static_cast<Acc>(lb[i * geo.l_row + kk * geo.l_col]) - static_cast<Acc>(zl);
          const Acc rv = static_cast<Acc>(rb[kk * geo.r_row + j * geo.r_col]) - static_cast<Acc>(zr);
          if constexpr (!std::is_same_v<T, int8_t>) total += lv * rv;  // f32; int16 in int64, exact
          else total = WrapAdd(total, lv * rv);
        }
        out[(b * geo.m + i) * geo.n + j] = finish(total);
      }
    }
  }
}

Status Eval(const EvalArgs& a) {
  EMBER_ASSIGN_OR_RETURN(const batch_matmul::Geometry geo, batch_matmul::GetGeometry(a.graph, a.node));
  if (a.in_tensor(0).dtype == ir::DType::kFloat32) {
    Multiply<float>(a, geo, 0, 0, [](float v) { return v; });
    return Status::Ok();
  }
  EMBER_ASSIGN_OR_RETURN(const batch_matmul::Int8Params p, batch_matmul::PrepareInt8(a.graph, a.node));
  if (a.in_tensor(0).dtype == ir::DType::kInt16) {
    Multiply<int16_t>(a, geo, 0, 0, [&](int64_t v) {
      return static_cast<int16_t>(std::min(std::max(Mbqm64(v, p.m), -32768), 32767));
    });
    return Status::Ok();
  }
  if (p.sem == Int8Semantics::kOnnxRuntime) {
    Multiply<int8_t>(a, geo, p.z_lhs, p.z_rhs,
                     [&](int32_t v) { return static_cast<int8_t>(OrtRequantize(v, p.ort_scale, p.z_out, -128, 127)); });
    return Status::Ok();
  }
  Multiply<int8_t>(a, geo, p.z_lhs, p.z_rhs, [&](int32_t v) {
    const int32_t o = WrapAdd(Mbqm(v, p.m), p.z_out);
    return static_cast<int8_t>(std::min(std::max(o, -128), 127));
  });
  return Status::Ok();
}

int64_t Macs(const ir::Graph& g, const ir::Node& n) {
  auto geo = batch_matmul::GetGeometry(g, n);
  return geo.ok() ? ir::NumElements(geo->out_batch) * geo->m * geo->n * geo->k : 0;
}

}  // namespace

extern const OpDef kBatchMatmulDef = {ir::OpKind::kBatchMatmul, "i8, i16, f32", Infer, Eval, Macs};

}  // namespace ember::ops
