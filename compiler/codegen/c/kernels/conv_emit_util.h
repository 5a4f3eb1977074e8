// Shared pieces of the C emitters for the windowed operators (conv2d,
// depthwise_conv2d, the pools) and fully_connected: the pixel loop nest with a
// compile-time split between interior pixels (every tap inside the image) and
// border pixels (some taps skipped), the int8 requantization epilogue with
// multipliers from ops::PrepareConvRequant, the accumulator type, and the
// float activation clamp written in the reference evaluator's order.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "ops/conv_util.h"
#include "ops/op.h"

namespace ember::codegen::c {

// "i8[1,49,10,1]" for tensor `id`.
inline std::string TypeString(const ir::Graph& g, ir::TensorId id);
// "[4,1,5,1]" for the window's pad (top, left, bottom, right).
inline std::string PadString(const ops::Window& w);

// One spatial axis of a window: input size, taps, stride, dilation, padding
// before, output size.
struct Axis {
  int64_t in, k, stride, dil, pad, out;
};
// True when some output position along `a` has a tap outside the input.
inline bool AxisHasBorder(const Axis& a);

// The loop nest over output pixels of an NHWC window operator.
struct PixelLoop {
  const char* ctype;  // element type of input and output ("int8_t", "float")
  int64_t batch, in_c, out_c;
  Axis y, x;
  bool reverse = false;  // visit batch, oy and ox from the last to the first
};

// Emits the loops over batch, oy and ox. Inside, the bodies may use `in` (the
// batch's input), `y0`/`x0` (input coordinates of tap (0, 0), possibly
// negative), `o` (the output pixel's first channel) and, in `border` only,
// the in-image tap ranges `kyb <= ky < kye`, `kxb <= kx < kxe`. `interior`
// runs for pixels whose taps are all in the image, `border` for the others
// (only emitted when some exist). Bodies are indented by 6 spaces.
// With `run`, the interior pixels of each row are one run instead: at the
// first of them in the visiting order (InteriorRange) `run` handles all of
// them, or the first `run_pixels` (it may use `ox`, the first; then the
// loop goes on after the last), and `border` every other pixel (`interior`
// is not used).
inline std::string EmitPixelLoops(const PixelLoop& p, const std::string& interior,
                           const std::string& border, const std::string* run = nullptr,
                           int64_t run_pixels = 0);

// The output positions along `a` whose taps all lie inside the input,
// [*first, *last]; false when there are none.
inline bool InteriorRange(const Axis& a, int64_t* first, int64_t* last);

// True when the loop nest of `p` has border pixels.
inline bool HasBorder(const PixelLoop& p);

// int32 accumulation that is exact and free of undefined behaviour: plain
// int32_t when the compile-time bound of every partial sum fits, otherwise
// uint32_t with wrapping (the reference evaluators wrap too).
struct AccType {
  bool wrap = false;
  std::string Decl() const { return wrap ? "uint32_t" : "int32_t"; }
  // Converts an int32 expression to the accumulator type.
  std::string From(const std::string& e) const { return wrap ? "(uint32_t)(" + e + ")" : e; }
  // The accumulator as int32 for requantization.
  std::string ToInt32(const std::string& acc) const { return wrap ? "(int32_t)" + acc : acc; }
};
// `bound` is the largest possible |partial sum| over all channels.
inline AccType ChooseAcc(int64_t bound);

// The int8 requantization epilogue of a conv-like op (per-channel or shared
// multiplier, output zero point, activation range), parameters computed at
// compile time by ops::PrepareConvRequant.
class Requant {
 public:
  Status Init(const KernelContext& ctx, int64_t channels, ops::MultiplierFormula formula);
  // A statement storing the int8 result of int32 `acc` (bias included) of
  // channel `ch` to `dst`.
  std::string Store(const std::string& dst, const std::string& acc, const std::string& ch) const;
  // One-line description for the kernel's comment.
  std::string Describe() const;
  const ops::ConvRequant& params() const { return r_; }
  // The per-channel tables (ConstPool names: multipliers, shifts), or {} when
  // the parameters are literals; `mult` and `shift` replace their names in
  // Store (parameters of a shared kernel body).
  std::vector<std::string> Tables() const {
    if (shared_) return {};
    if (r_.semantics == ops::Int8Semantics::kOnnxRuntime) return {mult_};
    return {mult_, shift_};
  }
  void RenameTables(const std::string& mult, const std::string& shift) {
    if (!shared_) mult_ = mult, shift_ = shift;
  }

 private:
  ops::ConvRequant r_;
  bool shared_ = true;      // one multiplier for every channel
  bool right_only_ = true;  // every shift <= 0
  std::string mult_, shift_;
};

// "int8: z_in .., z_out .., multiplier .. shift .. (or per-channel multipliers
// (n)), clamp [lo, hi]" for a kernel's comment.
inline std::string DescribeRequant(const ops::ConvRequant& r);

// The f32 activation clamp min(max(v, lo), hi) of the reference, as a
// statement assigning to `dst` from the float variable `v`.
inline std::string FloatClamp(const std::string& dst, const std::string& v, ops::Activation act);

// The compile-time start values of int8 conv-like accumulators over `rows`
// filter rows of `depth` weights: init[r] = bias[r] - z_in * sum(w[r]) +
// depth * z_w * z_in, wrapping like the reference's int32 sums. `bound`
// (optional) receives the largest |init[r]| + 128 * sum(|w[r]|) and, when
// `border_bound` is set, also |bias[r]| + 255 * sum(|w[r]|) (the reference
// form of border pixels), for ChooseAcc.
inline std::vector<int32_t> FoldZeroPoints(const std::vector<int8_t>& w,
                                           const std::vector<int32_t>& bias, int64_t rows,
                                           int64_t depth, int32_t zin, int32_t zw,
                                           bool border_bound = false, int64_t* bound = nullptr);

// fully_connected's int8 requantization: the multiplier formula of the
// reference (per-channel: double; per-tensor: float product) and the filter
// zero point it applies (per-tensor only). `R` is Requant or a variant with
// the same Init and params().
template <class R>
Status InitFcRequant(const KernelContext& ctx, int64_t units, R* rq, int32_t* zin, int32_t* zw) {
  const ir::Tensor& wt = ctx.graph.tensor(ctx.node.inputs[1]);
  const bool per_channel = wt.quant->scale.size() > 1;
  EMBER_RETURN_IF_ERROR(rq->Init(ctx, units, per_channel ? ops::MultiplierFormula::kDouble
                                                         : ops::MultiplierFormula::kFloatProduct));
  *zin = rq->params().input_zp;
  *zw = per_channel ? 0 : rq->params().filter_zp;
  return Status::Ok();
}

// Filter data of a constant int8 operand (empty for other dtypes).
inline std::vector<int8_t> Int8Data(const ir::Graph& g, ir::TensorId id);
// Bias data of an optional constant int32 operand; zeros when absent.
inline std::vector<int32_t> BiasData(const ir::Graph& g, const ir::Node& n, int64_t channels);

// Validates the node with its op's Infer, and requires operands at positions
// 1 and up to be constant (weights and bias are compiled into the code).
inline Status CheckConstOperands(const KernelContext& ctx);

// A fully_connected node's sizes (weights [units, depth]; the input read as
// [batches, depth]), whether it has a bias, and its fused activation.
struct FcShape {
  int64_t units = 0, depth = 0, batches = 0;
  bool has_bias = false;
  ops::Activation act;
};
// Its FcShape; the activation attribute's diagnostic when that is malformed.
inline Expected<FcShape> GetFcShape(const KernelContext& ctx);

// `n` spaces.
inline std::string Indent(int n) { return std::string(static_cast<size_t>(n), ' '); }
// "(x - 5)" / "(x + 128)" / "x": an int8 value minus a zero point.
inline std::string MinusZp(const std::string& x, int32_t zp);

// Row-by-row matrix product: for each of `rows` rows r of the input
// (`depth` contiguous elements at in0 + r * depth), each unit u of the
// `weights` table ([units, depth]) gives out0[r * units + u]. Accumulators
// start at `init[u]` (a table name), or at "0"/"0.0f" when `init` is a
// literal, then add weight * input for d ascending; `store(acc, u)` returns the
// statement that writes the result. Two units share each input load.
struct Gemm {
  const char* ctype;
  int64_t rows, depth, units;
  std::string weights;
  std::string init;        // a table indexed by unit, or a literal start value
  bool init_is_table;
  std::string acc_type;    // "int32_t", "uint32_t" or "float"
  std::string term_cast;   // "" or "(uint32_t)" applied to each product
};
inline std::string EmitGemm(const Gemm& g,
                     const std::function<std::string(const std::string&, const std::string&)>& store,
                     const std::string& per_row = "");
// The float32 matrix product in blocks of two rows by four units (eight
// accumulators; each loaded input feeds four products, each loaded weight
// two), each accumulator starting at 0.0f and adding weight * input for d
// ascending as EmitGemm's, so every output is the same float; the last row of
// an odd count four units per pass; the units beyond a multiple of four one
// by one.
// `store(acc, row, u)` writes the result of row pointer `row` ("o0", "o1" or
// "o") and unit u. Rows are visited in blocks of two in ascending order, each
// block's outputs written after its reads (PixelBlockOverlapDelta with 2).
inline std::string EmitFloatGemm2x4(
    int64_t rows, int64_t depth, int64_t units, const std::string& weights,
    const std::function<std::string(const std::string&, const std::string&, const std::string&)>& store);

// ---- definitions (header-only, shared by the kernels/*.cc emitters) ----
namespace conv_emit_detail {

// "oy * 2 - 4" for (var, mul, add), simplified when mul is 1 or add is 0.
inline std::string Affine(const std::string& var, int64_t mul, int64_t add) {
  std::string s = mul == 1 ? var : var + " * " + std::to_string(mul);
  if (add > 0) s += " + " + std::to_string(add);
  if (add < 0) s += " - " + std::to_string(-add);
  return s;
}

// Prefixes every non-empty line of `text` with `n` spaces.
inline std::string Reindent(const std::string& text, int n) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    if (end > pos) out += Indent(n) + text.substr(pos, end - pos);
    out += '\n';
    pos = end + 1;
  }
  return out;
}

// Declarations of the in-image tap range [kb, ke) along `a` for origin `v`.
inline std::string TapRange(const Axis& a, const std::string& v, const std::string& kb,
                     const std::string& ke) {
  const std::string in = std::to_string(a.in), k = std::to_string(a.k);
  if (!AxisHasBorder(a)) return "const int " + kb + " = 0, " + ke + " = " + k + ";\n";
  if (a.dil == 1) {
    return "const int " + kb + " = " + v + " < 0 ? -" + v + " : 0;\n" + "const int " + ke +
           " = " + in + " - " + v + " < " + k + " ? " + in + " - " + v + " : " + k + ";\n";
  }
  // Dilated: first tap k with v + k*D >= 0, last with v + k*D < in (ceiling divisions).
  const std::string d = std::to_string(a.dil), dm1 = std::to_string(a.dil - 1);
  const std::string lim = "(" + in + " - " + v + " + " + dm1 + ") / " + d;
  return "const int " + kb + " = " + v + " < 0 ? (" + dm1 + " - " + v + ") / " + d + " : 0;\n" +
         "const int " + ke + " = " + in + " - " + v + " <= 0 ? 0 : (" + lim + " < " + k + " ? " +
         lim + " : " + k + ");\n";
}

}  // namespace conv_emit_detail
using conv_emit_detail::Affine;
using conv_emit_detail::Reindent;
using conv_emit_detail::TapRange;


inline std::string TypeString(const ir::Graph& g, ir::TensorId id) {
  const ir::Tensor& t = g.tensor(id);
  std::string s = std::string(ir::DTypeName(t.dtype)) + "[";
  for (size_t i = 0; i < t.shape.size(); ++i) s += (i ? "," : "") + std::to_string(t.shape[i]);
  return s + "]";
}

inline std::string PadString(const ops::Window& w) {
  return "[" + std::to_string(w.pad_top) + "," + std::to_string(w.pad_left) + "," +
         std::to_string(w.pad_bottom) + "," + std::to_string(w.pad_right) + "]";
}

inline bool AxisHasBorder(const Axis& a) {
  // Position 0 reads from -pad; the last position reads up to its last tap.
  const int64_t last = (a.out - 1) * a.stride - a.pad + (a.k - 1) * a.dil;
  return a.pad > 0 || last >= a.in;
}

inline bool HasBorder(const PixelLoop& p) { return AxisHasBorder(p.y) || AxisHasBorder(p.x); }

inline bool InteriorRange(const Axis& a, int64_t* first, int64_t* last) {
  *first = -1, *last = -1;
  for (int64_t o = 0; o < a.out; ++o) {
    const int64_t begin = o * a.stride - a.pad;
    if (begin < 0 || begin + (a.k - 1) * a.dil >= a.in) continue;
    if (*first < 0) *first = o;
    *last = o;
  }
  return *first >= 0;
}

inline std::string EmitPixelLoops(const PixelLoop& p, const std::string& interior,
                           const std::string& border, const std::string* run, int64_t run_pixels) {
  const std::string t = p.ctype;
  const bool by = AxisHasBorder(p.y), bx = AxisHasBorder(p.x), any = by || bx;
  std::string s;
  int ind = 2;
  // "for (int v = 0; v < n; ++v)", or from n - 1 down to 0 when reversed.
  auto loop = [&](const char* v, int64_t n) {
    const std::string var = v;
    if (p.reverse) return "for (int " + var + " = " + std::to_string(n - 1) + "; " + var + " >= 0; --" + var + ")";
    return "for (int " + var + " = 0; " + var + " < " + std::to_string(n) + "; ++" + var + ")";
  };
  if (p.batch > 1) {
    s += "  " + loop("b", p.batch) + " {\n";
    ind = 4;
    s += Indent(ind) + "const " + t + "* in = in0 + b * " +
         std::to_string(p.y.in * p.x.in * p.in_c) + ";\n";
    s += Indent(ind) + t + "* out = out0 + b * " + std::to_string(p.y.out * p.x.out * p.out_c) +
         ";\n";
  } else {
    s += "  const " + t + "* in = in0;\n  " + t + "* out = out0;\n";
  }
  s += Indent(ind) + loop("oy", p.y.out) + " {\n";
  s += Indent(ind + 2) + "const int y0 = " + Affine("oy", p.y.stride, -p.y.pad) + ";\n";
  if (any) s += Reindent(TapRange(p.y, "y0", "kyb", "kye"), ind + 2);
  // The ox loop's body (or block) closed, then the oy and batch loops.
  const auto close = [&]() {
    s += Indent(ind + 2) + "}\n" + Indent(ind) + "}\n";
    if (p.batch > 1) s += "  }\n";
    return s;
  };
  int64_t ya = 0, yb = 0, xa = 0, xb = 0;
  if (run != nullptr && InteriorRange(p.y, &ya, &yb) && InteriorRange(p.x, &xa, &xb)) {
    const bool whole = run_pixels <= 0 || run_pixels >= xb - xa + 1;
    if (!whole) {  // the first run_pixels in the visiting order
      if (p.reverse) xa = xb - (run_pixels - 1);
      else xb = xa + (run_pixels - 1);
    }
    const int64_t first = p.reverse ? xb : xa, last = p.reverse ? xa : xb;
    const std::string o = Indent(ind + 4) + t + "* o = out + (" + Affine("oy", p.x.out, 0) + " + ox) * " +
                          std::to_string(p.out_c) + ";\n";
    const std::string x0 = Indent(ind + 4) + "const int x0 = " + Affine("ox", p.x.stride, -p.x.pad) + ";\n";
    const std::string what = "/* ox " + std::to_string(xa) + ".." + std::to_string(xb) + ": " +
                             (whole ? "the row's pixels whose taps are all inside the image" : "interior pixels") +
                             ", in one run */\n";
    if (!any && whole) {
      s += Indent(ind + 2) + "{  " + what + Indent(ind + 4) + "const int ox = " + std::to_string(first) + ";\n" + x0 +
           o + Reindent(*run, ind + 4);
      return close();
    }
    const int body = ind + 4;
    s += Indent(ind + 2) + loop("ox", p.x.out) + " {\n" + x0 + o;
    s += Indent(body) + "if (" + (by ? "kyb == 0 && kye == " + std::to_string(p.y.k) + " && " : std::string()) +
         "ox == " + std::to_string(first) + ") {  " + what;
    s += Reindent(*run, body + 2) + Indent(body + 2) + "ox = " + std::to_string(last) + ";\n";
    s += Indent(body + 2) + "continue;\n" + Indent(body) + "}\n";
    if (any) {
      s += Reindent(TapRange(p.x, "x0", "kxb", "kxe"), body);
      s += Indent(body) + "/* border: taps outside the image are skipped */\n";
    }
    s += Reindent(border, body);
    return close();
  }
  s += Indent(ind + 2) + loop("ox", p.x.out) + " {\n";
  const int body = ind + 4;
  s += Indent(body) + "const int x0 = " + Affine("ox", p.x.stride, -p.x.pad) + ";\n";
  if (any) s += Reindent(TapRange(p.x, "x0", "kxb", "kxe"), body);
  s += Indent(body) + t + "* o = out + (" + Affine("oy", p.x.out, 0) + " + ox) * " +
       std::to_string(p.out_c) + ";\n";
  if (!any) {
    s += Reindent(interior, body);
  } else {
    std::string cond;
    if (by) cond += "kyb == 0 && kye == " + std::to_string(p.y.k);
    if (bx) cond += std::string(by ? " && " : "") + "kxb == 0 && kxe == " + std::to_string(p.x.k);
    s += Indent(body) + "if (" + cond + ") {  /* every tap inside the image */\n";
    s += Reindent(interior, body + 2);
    s += Indent(body) + "} else {  /* border: taps outside the image are skipped */\n";
    s += Reindent(border, body + 2);
    s += Indent(body) + "}\n";
  }
  return close();
}

inline AccType ChooseAcc(int64_t bound) {
  AccType a;
  a.wrap = bound > INT32_MAX;
  return a;
}

inline Status Requant::Init(const KernelContext& ctx, int64_t channels, ops::MultiplierFormula formula) {
  EMBER_RETURN_IF_ERROR(ops::PrepareConvRequant(ctx.graph, ctx.node, channels, formula, &r_));
  if (r_.semantics == ops::Int8Semantics::kOnnxRuntime) {
    // One float32 scale per channel (ember_requant_f32); shift_ stays empty.
    for (float f : r_.scale)
      if (f != r_.scale[0]) shared_ = false;
    mult_ = shared_ ? CFloat(r_.scale[0]) : ctx.consts.AddFloat(ctx.node.name + "_scale", r_.scale);
    return Status::Ok();
  }
  std::vector<int32_t> mult, shift, rshift;
  for (const auto& q : r_.mult) {
    mult.push_back(q.multiplier);
    shift.push_back(q.shift);
    rshift.push_back(-q.shift);
    if (q.shift > 0) right_only_ = false;
    if (q.multiplier != r_.mult[0].multiplier || q.shift != r_.mult[0].shift) shared_ = false;
  }
  if (shared_) {
    mult_ = CInt(r_.mult[0].multiplier);
    shift_ = std::to_string(right_only_ ? -r_.mult[0].shift : r_.mult[0].shift);
  } else {
    mult_ = ctx.consts.AddInt32(ctx.node.name + "_mult", mult);
    shift_ = ctx.consts.AddInt32(ctx.node.name + (right_only_ ? "_rshift" : "_shift"),
                                 right_only_ ? rshift : shift);
  }
  return Status::Ok();
}

inline std::string Requant::Store(const std::string& dst, const std::string& acc,
                           const std::string& ch) const {
  const std::string m = shared_ ? mult_ : mult_ + "[" + ch + "]";
  if (r_.semantics == ops::Int8Semantics::kOnnxRuntime) {
    return dst + " = (int8_t)ember_requant_f32(" + acc + ", " + m + ", " + CInt(r_.output_zp) + ", " +
           CInt(r_.range.min) + ", " + CInt(r_.range.max) + ");\n";
  }
  const std::string sh = shared_ ? shift_ : shift_ + "[" + ch + "]";
  std::string v;
  if (!right_only_) {
    v = "ember_mbqm(" + acc + ", " + m + ", " + sh + ")";
  } else if (shared_ && shift_ == "0") {
    v = "ember_srdhm(" + acc + ", " + m + ")";
  } else {
    v = "ember_rdbpot(ember_srdhm(" + acc + ", " + m + "), " + sh + ")";
  }
  if (r_.output_zp != 0) v = "ember_wrap_add(" + v + ", " + CInt(r_.output_zp) + ")";
  const std::string lo = CInt(r_.range.min), hi = CInt(r_.range.max);
  return "{\n  int32_t v = " + v + ";\n  v = v < " + lo + " ? " + lo + " : v;\n  " + dst +
         " = (int8_t)(v > " + hi + " ? " + hi + " : v);\n}\n";
}

inline std::string DescribeRequant(const ops::ConvRequant& r) {
  bool shared = true;
  for (const auto& q : r.mult)
    if (q.multiplier != r.mult[0].multiplier || q.shift != r.mult[0].shift) shared = false;
  std::string s = "int8: z_in " + std::to_string(r.input_zp) + ", z_out " +
                  std::to_string(r.output_zp) + ", ";
  if (r.semantics == ops::Int8Semantics::kOnnxRuntime) {
    bool same = true;
    for (float f : r.scale) same = same && f == r.scale[0];
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.9g", static_cast<double>(r.scale.empty() ? 0.0f : r.scale[0]));
    s += "onnxruntime float requantization, " +
         (same ? std::string("scale ") + buf : "per-channel scales (" + std::to_string(r.scale.size()) + ")");
    return s + ", clamp [" + std::to_string(r.range.min) + ", " + std::to_string(r.range.max) + "]";
  }
  if (shared) {
    s += "multiplier " + std::to_string(r.mult[0].multiplier) + " shift " +
         std::to_string(r.mult[0].shift);
  } else {
    s += "per-channel multipliers (" + std::to_string(r.mult.size()) + ")";
  }
  return s + ", clamp [" + std::to_string(r.range.min) + ", " + std::to_string(r.range.max) + "]";
}

inline std::string Requant::Describe() const { return DescribeRequant(r_); }

inline std::string FloatClamp(const std::string& dst, const std::string& v, ops::Activation act) {
  const ops::FloatRange r = ops::ActivationRangeFloat(act);
  const std::string lo = CFloat(r.min), hi = CFloat(r.max);
  return "{\n  const float vc = " + v + " < " + lo + " ? " + lo + " : " + v + ";\n  " + dst +
         " = " + hi + " < vc ? " + hi + " : vc;\n}\n";
}

inline std::vector<int32_t> FoldZeroPoints(const std::vector<int8_t>& w,
                                           const std::vector<int32_t>& bias, int64_t rows,
                                           int64_t depth, int32_t zin, int32_t zw,
                                           bool border_bound, int64_t* bound) {
  std::vector<int32_t> init(static_cast<size_t>(rows));
  int64_t b = 0;
  for (int64_t r = 0; r < rows; ++r) {
    int64_t sum = 0, abs_sum = 0;
    for (int64_t d = 0; d < depth; ++d) {
      const int64_t v = w[static_cast<size_t>(r * depth + d)];
      sum += v;
      abs_sum += std::abs(v);
    }
    const int32_t bi = bias[static_cast<size_t>(r)];
    int32_t ini = ops::WrapSub(bi, ops::WrapMul(zin, static_cast<int32_t>(sum)));
    if (zw != 0)
      ini = ops::WrapAdd(ini, ops::WrapMul(ops::WrapMul(static_cast<int32_t>(depth), zw), zin));
    init[static_cast<size_t>(r)] = ini;
    b = std::max(b, std::abs(int64_t{ini}) + 128 * abs_sum);
    if (border_bound) b = std::max(b, std::abs(int64_t{bi}) + 255 * abs_sum);
  }
  if (bound) *bound = b;
  return init;
}

inline std::vector<int8_t> Int8Data(const ir::Graph& g, ir::TensorId id) {
  const ir::Tensor& t = g.tensor(id);
  std::vector<int8_t> v;
  if (t.dtype != ir::DType::kInt8 || !t.data) return v;
  v.resize(t.data->size());
  if (!v.empty()) std::memcpy(v.data(), t.data->data(), v.size());
  return v;
}

inline std::vector<int32_t> BiasData(const ir::Graph& g, const ir::Node& n, int64_t channels) {
  std::vector<int32_t> v(static_cast<size_t>(channels), 0);
  if (n.inputs.size() < 3 || n.inputs[2] == ir::kNoTensor) return v;
  const ir::Tensor& t = g.tensor(n.inputs[2]);
  if (t.dtype != ir::DType::kInt32 || !t.data || t.data->size() != v.size() * 4) return v;
  std::memcpy(v.data(), t.data->data(), v.size() * 4);
  return v;
}

inline Expected<FcShape> GetFcShape(const KernelContext& ctx) {
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& wt = g.tensor(n.inputs[1]);
  FcShape f;
  f.units = wt.shape[0];
  f.depth = wt.shape[1];
  f.batches = g.tensor(n.inputs[0]).num_elements() / f.depth;
  f.has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  EMBER_RETURN_IF_ERROR(ops::GetActivationAttr(n, &f.act));
  return f;
}

inline Status CheckConstOperands(const KernelContext& ctx) {
  auto inferred = ops::GetOpDef(ctx.node.op).infer(ctx.graph, ctx.node);
  if (!inferred.ok()) return inferred.diag();
  const ir::Node& n = ctx.node;
  if (n.inputs.empty() || n.inputs[0] == ir::kNoTensor || ctx.graph.tensor(n.inputs[0]).is_const())
    return EmitError(ctx, "has a constant or missing data input", "fold constant subgraphs first");
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    if (n.inputs[i] != ir::kNoTensor && !ctx.graph.tensor(n.inputs[i]).is_const()) {
      return EmitError(ctx, "operand " + std::to_string(i) + " ('" +
                                ctx.graph.tensor(n.inputs[i]).name +
                                "') is not constant; the C kernel compiles weights and bias in",
                       "give the operator constant weights and bias");
    }
  }
  const int64_t limit = int64_t{1} << 30;
  if (ctx.graph.tensor(n.inputs[0]).num_elements() > limit ||
      ctx.graph.tensor(n.outputs[0]).num_elements() > limit)
    return EmitError(ctx, "has a tensor of more than 2^30 elements", "split the operator");
  return Status::Ok();
}



inline std::string MinusZp(const std::string& x, int32_t zp) {
  if (zp == 0) return x;
  return "(" + x + (zp > 0 ? " - " : " + ") + std::to_string(zp > 0 ? zp : -int64_t{zp}) + ")";
}

inline std::string EmitGemm(const Gemm& g,
                     const std::function<std::string(const std::string&, const std::string&)>& store,
                     const std::string& per_row) {
  const std::string t = g.ctype, d = std::to_string(g.depth), un = std::to_string(g.units);
  const bool is_float = t == "float";
  auto start = [&](const std::string& u) { return g.init_is_table ? g.init + "[" + u + "]" : g.init; };
  auto term = [&](const std::string& w) {
    return g.term_cast.empty() ? w + " * xv" : g.term_cast + "(" + w + " * xv)";
  };
  std::string s = "  for (int r = 0; r < " + std::to_string(g.rows) + "; ++r) {\n";
  s += "    const " + t + "* x = in0 + r * " + d + ";\n";
  s += "    " + t + "* o = out0 + r * " + un + ";\n";
  if (!per_row.empty()) s += Reindent(per_row, 4);
  const int64_t even = g.units - g.units % 2;
  if (even > 0) {
    s += "    for (int u = 0; u < " + std::to_string(even) + "; u += 2) {  /* two units per pass */\n";
    s += "      const " + t + "* w0 = " + g.weights + " + u * " + d + ";\n";
    s += "      const " + t + "* w1 = w0 + " + d + ";\n";
    s += "      " + g.acc_type + " acc0 = " + start("u") + ", acc1 = " + start("u + 1") + ";\n";
    s += "      for (int d = 0; d < " + d + "; ++d) {\n";
    s += std::string("        const ") + (is_float ? "float" : "int") + " xv = x[d];\n";
    s += "        acc0 += " + term("w0[d]") + ";\n";
    s += "        acc1 += " + term("w1[d]") + ";\n      }\n";
    s += Reindent(store("acc0", "u") + store("acc1", "u + 1"), 6);
    s += "    }\n";
  }
  if (g.units % 2 == 1) {
    const std::string u = std::to_string(g.units - 1);
    s += "    {  /* the last unit */\n";
    s += "      const " + t + "* w0 = " + g.weights + " + " + std::to_string((g.units - 1) * g.depth) + ";\n";
    s += "      " + g.acc_type + " acc0 = " + start(u) + ";\n";
    s += "      for (int d = 0; d < " + d + "; ++d) {\n";
    s += std::string("        const ") + (is_float ? "float" : "int") + " xv = x[d];\n";
    s += "        acc0 += " + term("w0[d]") + ";\n      }\n";
    s += Reindent(store("acc0", u), 6);
    s += "    }\n";
  }
  return s + "  }\n";
}


inline std::string EmitFloatGemm2x4(
    int64_t rows, int64_t depth, int64_t units, const std::string& weights,
    const std::function<std::string(const std::string&, const std::string&, const std::string&)>& store) {
  const std::string d = std::to_string(depth), un = std::to_string(units);
  const int64_t u4 = units - units % 4;
  // The units of rows xs (written to os): four per pass, then one by one;
  // accumulator a<row><unit>.
  auto units_of = [&](const std::vector<std::string>& xs, const std::vector<std::string>& os) {
    std::string b;
    const size_t n = xs.size();
    auto acc = [](size_t row, int k) { return "a" + std::to_string(row) + std::to_string(k); };
    if (u4 > 0) {
      b += "    for (int u = 0; u < " + std::to_string(u4) + "; u += 4) {  /* four units per pass */\n";
      b += "      const float* w0 = " + weights + " + u * " + d + ";\n";
      for (int k = 1; k < 4; ++k)
        b += "      const float* w" + std::to_string(k) + " = w" + std::to_string(k - 1) + " + " + d + ";\n";
      for (size_t r = 0; r < n; ++r)
        b += "      float " + acc(r, 0) + " = 0.0f, " + acc(r, 1) + " = 0.0f, " + acc(r, 2) + " = 0.0f, " + acc(r, 3) +
             " = 0.0f;\n";
      b += "      for (int d = 0; d < " + d + "; ++d) {\n";
      b += "        const float wa = w0[d], wb = w1[d], wc = w2[d], wd = w3[d];\n";
      for (size_t r = 0; r < n; ++r) {
        b += "        const float x" + std::to_string(r) + "d = " + xs[r] + "[d];\n";
        for (int k = 0; k < 4; ++k)
          b += "        " + acc(r, k) + " += w" + std::string(1, static_cast<char>('a' + k)) + " * x" + std::to_string(r) +
               "d;\n";
      }
      b += "      }\n";
      std::string st;
      for (size_t r = 0; r < n; ++r)
        for (int k = 0; k < 4; ++k) st += store(acc(r, k), os[r], k == 0 ? std::string("u") : "u + " + std::to_string(k));
      b += Reindent(st, 6) + "    }\n";
    }
    for (int64_t u = u4; u < units; ++u) {
      const std::string us = std::to_string(u);
      b += "    {  /* unit " + us + " */\n";
      b += "      const float* w0 = " + weights + " + " + std::to_string(u * depth) + ";\n";
      std::string decl, body, st;
      for (size_t r = 0; r < n; ++r) {
        decl += (r ? ", " : "") + acc(r, 0) + " = 0.0f";
        body += "        " + acc(r, 0) + " += wa * " + xs[r] + "[d];\n";
        st += store(acc(r, 0), os[r], us);
      }
      b += "      float " + decl + ";\n      for (int d = 0; d < " + d + "; ++d) {\n        const float wa = w0[d];\n" +
           body + "      }\n";
      b += Reindent(st, 6) + "    }\n";
    }
    return b;
  };
  std::string s;
  if (rows >= 2) {
    s += "  for (int r = 0; r + 1 < " + std::to_string(rows) + "; r += 2) {  /* two rows per pass */\n";
    s += "    const float* x0 = in0 + r * " + d + ";\n";
    s += "    const float* x1 = x0 + " + d + ";\n";
    s += "    float* o0 = out0 + r * " + un + ";\n";
    s += "    float* o1 = o0 + " + un + ";\n";
    s += units_of({"x0", "x1"}, {"o0", "o1"}) + "  }\n";
  }
  if (rows % 2 == 1) {
    // The last row (the only one of a single-row product).
    const std::string last = std::to_string(rows - 1);
    s += "  {  /* " + std::string(rows == 1 ? "the row" : "the last row") + " */\n";
    s += "    const float* x = in0 + " + (rows == 1 ? std::string("0") : last + " * " + d) + ";\n";
    s += "    float* o = out0 + " + (rows == 1 ? std::string("0") : last + " * " + un) + ";\n";
    s += units_of({"x"}, {"o"}) + "  }\n";
  }
  return s;
}

}  // namespace ember::codegen::c
