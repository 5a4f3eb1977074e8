// The geometry of batch_matmul, shared by the reference evaluator
// (ops/batch_matmul.cc) and the C emitter: the matrix sizes after adj_x /
// adj_y, the element strides of each operand's rows and columns, and the
// broadcast batch shape.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "ops/conv_util.h"
#include "ops/op.h"
#include "ops/op_util.h"

namespace ember::ops::batch_matmul {

struct Geometry {
  int64_t m = 0, k = 0, n = 0;
  // lhs element (i, kk) of one batch is at i * l_row + kk * l_col; rhs
  // element (kk, j) at kk * r_row + j * r_col.
  int64_t l_row = 0, l_col = 0, r_row = 0, r_col = 0;
  ir::Shape lhs_batch, rhs_batch, out_batch, out_shape;
};

inline Expected<Geometry> GetGeometry(const ir::Graph& g, const ir::Node& n) {
  const ir::Shape& l = g.tensor(n.inputs[0]).shape;
  const ir::Shape& r = g.tensor(n.inputs[1]).shape;
  int64_t adj_x = 0, adj_y = 0;
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "adj_x", 0, 1, false, 0, &adj_x));
  EMBER_RETURN_IF_ERROR(GetIntAttr(n, "adj_y", 0, 1, false, 0, &adj_y));
  if (l.size() < 2 || l.size() > 5 || r.size() < 2 || r.size() > 5) {
    return NodeError(n, "operands of shapes " + ir::ShapeToString(l) + " and " + ir::ShapeToString(r) +
                            " are not of rank 2 to 5");
  }
  Geometry geo;
  const int64_t l_rows = l[l.size() - 2], l_cols = l[l.size() - 1];
  const int64_t r_rows = r[r.size() - 2], r_cols = r[r.size() - 1];
  geo.m = adj_x ? l_cols : l_rows;
  geo.k = adj_x ? l_rows : l_cols;
  geo.l_row = adj_x ? 1 : l_cols;
  geo.l_col = adj_x ? l_cols : 1;
  const int64_t rk = adj_y ? r_cols : r_rows;
  geo.n = adj_y ? r_rows : r_cols;
  geo.r_row = adj_y ? 1 : r_cols;
  geo.r_col = adj_y ? r_cols : 1;
  if (rk != geo.k) {
    return NodeError(n, "the inner dimensions differ: " + std::to_string(geo.k) + " (lhs " + ir::ShapeToString(l) +
                            (adj_x ? ", adj_x" : "") + ") and " + std::to_string(rk) + " (rhs " +
                            ir::ShapeToString(r) + (adj_y ? ", adj_y" : "") + ")");
  }
  geo.lhs_batch.assign(l.begin(), l.end() - 2);
  geo.rhs_batch.assign(r.begin(), r.end() - 2);
  if (!BroadcastShapes(geo.lhs_batch, geo.rhs_batch, &geo.out_batch)) {
    return NodeError(n, "the batch dimensions of " + ir::ShapeToString(l) + " and " + ir::ShapeToString(r) +
                            " do not broadcast");
  }
  geo.out_shape = geo.out_batch;
  geo.out_shape.push_back(geo.m);
  geo.out_shape.push_back(geo.n);
  return geo;
}

// TFLite's int8 and int16 rescale: (double)(s_lhs * s_rhs in float) / s_out.
// int16 (TFLite Micro's 16x8 BATCH_MATMUL) has zero points 0, an int64 sum
// and MBQM64, whose shift TFLite bounds by 7.
// With int8_semantics "onnxruntime" (QLinearMatMul, which ONNX Runtime also
// fuses a QDQ MatMul into): the float32 scale s_lhs * s_rhs / s_out, rounded
// at each step, and OrtRequantize; int8 only.
struct Int8Params {
  int32_t z_lhs = 0, z_rhs = 0, z_out = 0;
  QuantizedMultiplier m;
  Int8Semantics sem = Int8Semantics::kTflite;
  float ort_scale = 0;
};

inline Expected<Int8Params> PrepareInt8(const ir::Graph& g, const ir::Node& n) {
  Int8Params p;
  float sl = 0, sr = 0, so = 0;
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[0], &sl, &p.z_lhs));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.inputs[1], &sr, &p.z_rhs));
  EMBER_RETURN_IF_ERROR(GetInt8Or16Quant(g, n, n.outputs[0], &so, &p.z_out));
  EMBER_RETURN_IF_ERROR(GetInt8SemanticsAttr(n, &p.sem));
  const float product = sl * sr;
  if (p.sem == Int8Semantics::kOnnxRuntime) {
    if (g.tensor(n.inputs[0]).dtype != ir::DType::kInt8) {
      return NodeError(n, "int8_semantics \"onnxruntime\" applies to int8 operands only",
                       "remove the attribute from the int16 batch_matmul");
    }
    p.ort_scale = product / so;
    if (!(p.ort_scale > 0.0f) || !std::isfinite(p.ort_scale)) {
      return NodeError(n, "the rescale factor s_lhs * s_rhs / s_out = " + FormatReal(p.ort_scale) + " is unusable",
                       "the scales must be positive and finite");
    }
    return p;
  }
  const double real = static_cast<double>(product) / static_cast<double>(so);
  p.m = QuantizeMultiplier(real);
  if (!(real > 0.0) || p.m.shift > 30) {
    return NodeError(n, "the rescale factor s_lhs * s_rhs / s_out = " + FormatReal(real) + " is unusable",
                     "the scales must be positive and of similar magnitude");
  }
  if (g.tensor(n.inputs[0]).dtype == ir::DType::kInt16 && p.m.shift > 7) {
    return NodeError(n, "the rescale factor s_lhs * s_rhs / s_out = " + FormatReal(real) +
                            " is too large for the int64 accumulation of int16 (>= 2^7)",
                     "check the operand and output scales");
  }
  return p;
}

}  // namespace ember::ops::batch_matmul
