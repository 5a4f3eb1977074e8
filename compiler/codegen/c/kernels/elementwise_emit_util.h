// Helpers shared by the C emitters of the elementwise, reduction and
// data-movement operators (add, mul, softmax, logistic, ..., transpose,
// strided_slice): the function head and its comment, operand names, node
// validation, loop nests with literal bounds and strides, strided copies with
// memcpy of contiguous runs, and int8 lookup tables computed by the reference
// evaluator.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "ops/quant_math.h"

namespace ember::codegen::c {

// Runs the operator's Infer on the node, so that the emitter rejects exactly
// what the reference rejects, with the same diagnostics; then checks that
// every tensor of the node has fewer than 2^31 bytes (kernels index with
// int32_t), else E0502.
Status CheckNode(const KernelContext& ctx);

// The C expression of operand i: `in<i>`, or the constant array from the pool.
std::string OperandName(const KernelContext& ctx, size_t i);

// "i8[1,10] (scale 0.00390625, zero point -128)" or "f32[2,3]".
std::string DescribeTensor(const ir::Graph& g, ir::TensorId id);

// The comment naming the source op, node, operand shapes and quantization,
// plus `details` (one line per entry), followed by
// `static void <fn>(<params>) {` and a newline.
std::string FunctionHead(const KernelContext& ctx, const std::vector<std::string>& details,
                         int64_t scratch_bytes = 0);

// Per-tensor (scale, zero point); {1, 0} for an unquantized tensor.
struct TensorQuant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};
TensorQuant QuantOf(const ir::Graph& g, ir::TensorId id);

// A loop nest over `sizes` (outermost first) that addresses several operands:
// operand k's element offset is bases[k] + sum_d i_d * steps[k][d].
struct LoopNest {
  std::vector<int64_t> sizes;
  std::vector<int64_t> bases;
  std::vector<std::vector<int64_t>> steps;  // [operand][axis]
};

// Drops size-1 axes and merges adjacent axes that are contiguous for every
// operand (steps[k][d] == sizes[d+1] * steps[k][d+1]); the addressed
// elements and their order are unchanged.
LoopNest SimplifyNest(const LoopNest& nest);

// The nest for numpy broadcasting: operand 0 is the output (row-major over
// `out`), operand k+1 is input k (right-aligned; broadcast axes get step 0).
LoopNest BroadcastNest(const ir::Shape& out, const std::vector<ir::Shape>& inputs);

// A kernel of out0[i] = fn(a[.], b[.]<extra>) with numpy broadcasting of the
// node's two inputs, `detail` in its head comment; in place over an input
// of the output's shape.
Kernel BinaryCallKernel(const KernelContext& ctx, const std::string& fn, const std::string& extra,
                        const std::string& detail);

// The statements that map a gathered index `var` into [0, size): a negative
// one counts from the end, and, for indices computed at run time (`clamp`),
// what is still outside is clamped into the axis.
std::string EmitIndexFix(const std::string& var, int64_t size, bool clamp, int indent);

// Emits the nested for-loops of `nest` at indentation `indent` (spaces); the
// body gets one C index expression per operand and its own indentation.
// A nest with a zero size emits nothing.
using LoopBody = std::function<std::string(const std::vector<std::string>& index, int indent)>;
// Loop variables are <var>0, <var>1, ... (distinct prefixes for nested nests).
std::string EmitLoops(const LoopNest& nest, int indent, const LoopBody& body,
                      const std::string& var = "i");

// Copies elements of C type `ctype` (sizeof `elem_size`) from `src` to
// `dst` along a nest whose operand 0 is the destination and operand 1 the
// source; the innermost run that is contiguous in both becomes one memcpy.
std::string EmitStridedCopy(const LoopNest& nest, const std::string& dst, const std::string& src,
                            const std::string& ctype, size_t elem_size, int indent);

// For a unary int8 -> int8 node: the reference evaluator's output for every
// input value -128..127, in that order (a 256-entry lookup table that is
// bit-exact by construction).
Expected<std::vector<int8_t>> ReferenceInt8Table(const KernelContext& ctx);

// A complete kernel `out0[i] = table[in0[i] + 128]` over the node's elements
// (in-place safe), with `details` in the head comment; `table` is the C
// name of 256 int8 entries. Helium targets look up 16 elements per VLDRB
// gather (ember_mve_lut16), the last block tail-predicated.
Kernel Int8TableLoopKernel(const KernelContext& ctx, const std::string& table, std::vector<std::string> details);
// Int8TableLoopKernel over the reference evaluator's table of the node
// (ReferenceInt8Table).
Expected<Kernel> EmitInt8TableKernel(const KernelContext& ctx,
                                     const std::vector<std::string>& details);

// The float32 clamp of a fused activation, written as the reference's
// min(max(v, lo), hi) (NaN passes, infinities clamp): two statements on `v`.
std::string FloatClamp(const std::string& v, float lo, float hi, int indent);

// `x` (an int8 lvalue without side effects) clamped to [lo, hi], written as
// x > hi ? hi : (x < lo ? lo : x) without the comparisons that are always
// false for int8 (-Wtype-limits).
std::string ClampInt8Expr(const std::string& x, int32_t lo, int32_t hi);

std::string Spaces(int n);

// Each index times `stride` (source rows and columns as element offsets, for
// the resize kernels' tables).
std::vector<int32_t> ScaledIndices(const std::vector<int32_t>& v, int64_t stride);

// TFLite's float32 logistic of `x` (an expression without side effects,
// read up to three times) as the reference's LogisticFloat: 1 above
// 16.619047164916992188, expf(x) below -9, else 1 / (1 + expf(-x)).
std::string FloatLogisticExpr(const std::string& x);

// A reduction kernel over the node's `axes` attribute (mean, reduce_sum,
// reduce_prod, reduce_max, reduce_min). The kept axes form the outer loop
// nest (one output each, row major), the reduced axes the inner nest in input
// order (contiguous axes merged), so every output visits its inputs in the
// reference's row-major order. `make` is given N (the number of elements
// reduced per output), whether the input is f32, and the input's C name; it
// returns the kernel's comment lines and, per output, `init` (declares the
// accumulator), `step(idx)` for each reduced input element idx (an index
// expression into the input), then `finish(o, indent)`, the statements that
// store output o.
struct ReductionInput {
  int64_t count = 1;
  bool is_float = false;
  std::string x;
};
struct ReductionBody {
  std::vector<std::string> details;
  std::string init;
  std::function<std::string(const std::string& idx)> step;
  std::function<std::string(const std::string& o, int indent)> finish;
};
Expected<Kernel> EmitReductionKernel(const KernelContext& ctx,
                                     const std::function<ReductionBody(const ReductionInput&)>& make);
// The rows of an operator over the last axis (softmax, log_softmax): the
// input's last dimension and the number of rows (0 when it is empty).
struct LastAxisRows {
  int64_t depth = 0, rows = 0;
};
LastAxisRows GetLastAxisRows(const ir::Tensor& in);
// The loop over those rows: per row, `x` (const in_ctype*, operand 0's row)
// and `y` (out_ctype*, the output's row), then `body`. Empty without rows.
std::string EmitRowLoop(const KernelContext& ctx, const LastAxisRows& r, const char* in_ctype,
                        const char* out_ctype, const std::string& body);
// -(z * N) modulo 2^32: the wrapping int32 constant that turns a raw sum of N
// quantized values into sum - z * N.
int32_t NegatedZeroPointSum(int32_t z, int64_t count);

// The f32 loop body of a broadcasting binary kernel (add, mul):
// out0[i0] = clamp(x[i1] <op> y[i2]) to the fused activation's range.
LoopBody FloatBinaryBody(const std::string& x, const std::string& y, const char* op,
                         ops::Activation act);
// The int32 / int64 loop body of add, sub and mul: `op` on the unsigned
// values (wrapping, no overflow), converted back to two's complement without
// C's implementation-defined conversion.
LoopBody WideIntBinaryBody(const std::string& x, const std::string& y, const char* op, ir::DType dtype);
// The C expression of the unsigned int32 / int64 value `v` (uint32_t /
// uint64_t) as the signed value of the same bits, without C's
// implementation-defined conversion.
std::string SignedFromUnsigned(const std::string& v, ir::DType dtype);
// The int8 loop body of add and sub (TFLite's shared shape, docs/numerics.md
// "add"): each input rescaled by Rdbpot(Srdhm((x - z) * 2^20, M), -e) (int16:
// 2^15), the two
// combined with `op` ("+" or "-"), rescaled to the output, + z_out, clamped.
// `p` holds the multipliers computed by the op's own formula.
// int16 (16x8) uses the same body with `left_shift` 15 and ctype "int16_t".
struct AddSubInt8 {
  int32_t z1 = 0, z2 = 0, zo = 0;
  ops::QuantizedMultiplier m1, m2, mo;
  ops::Int32Range act{-128, 127};
  int left_shift = 20;
  std::string ctype = "int8_t";
};
LoopBody AddSubInt8Body(const std::string& x, const std::string& y, const AddSubInt8& p,
                        const char* op);
// The int8 add / sub (`op` "+" or "-") with one operand read through a
// table of its 256 rescaled values, where exactly one operand's multiplier
// is a half (its rescale a shift: the other's, a multiply and a rounding
// shift, becomes one load) and the loop is long enough for the table's
// 1 KB (at least kAddSubTableMinElements). values[u] is the table operand's
// rescale of the byte u, signed as `op` takes it, plus the other operand's
// zero point term; nullopt where it does not apply (int16, both or neither
// a half, a short loop).
inline constexpr int64_t kAddSubTableMinElements = 2048;
struct AddSubTable {
  int operand = 0;  // 0: x through the table, 1: y
  std::vector<int32_t> values;
};
std::optional<AddSubTable> AddSubInt8Table(const AddSubInt8& p, const char* op, int64_t elements);
// AddSubInt8Body with `t` (its values emitted as the C array `table`).
LoopBody AddSubInt8TableBody(const std::string& x, const std::string& y, const AddSubInt8& p, const char* op,
                             const AddSubTable& t, const std::string& table);
// The loop body of node ctx's int8 add / sub over `elements`: through a
// table where AddSubInt8Table applies (its array in ctx.consts, a line in
// `details`), else AddSubInt8Body.
LoopBody AddSubInt8Loop(const KernelContext& ctx, const std::string& x, const std::string& y, const AddSubInt8& p,
                        const char* op, int64_t elements, std::vector<std::string>* details);
// The kernel comment lines of an AddSubInt8 (multipliers, output range).
std::vector<std::string> AddSubInt8Details(const AddSubInt8& p);

// " - z", " + |z|" for a negative z, or "" for 0: the text after `x` in x - z.
std::string MinusZ(int64_t z);
// "%g" of a double, for comments.
std::string Num(double v);

}  // namespace ember::codegen::c
