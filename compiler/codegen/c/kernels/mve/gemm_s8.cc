#include "codegen/c/kernels/mve/gemm_s8.h"

#include <cstring>
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/shared_kernel.h"

namespace ember::codegen::c::mve {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

// Layout of the per-block requantization table: 4 int32 per field.
struct QTable {
  bool shared = true;     // one multiplier and shift for every unit
  bool any_left = false;  // some shift > 0
  bool any_right = false; // some shift < 0
  bool all_right = true;  // every shift < 0
  bool ort = false;       // ONNX Runtime's float requantization: float32 scales
  int64_t mult = -1, left = -1, right = -1, scale = -1;  // field offsets (in int32), -1 when absent
  int64_t stride = 4;                        // int32 per block
};

// The table layout of `rq`; with `table`, TFLite's multipliers are in the
// table even when one serves every unit (repeated in every lane).
QTable LayoutOf(const ops::ConvRequant& rq, bool table = false) {
  QTable t;
  if (rq.semantics == ops::Int8Semantics::kOnnxRuntime) {
    t.ort = true;
    for (float f : rq.scale)
      if (f != rq.scale[0]) t.shared = false;
    if (!t.shared) t.scale = t.stride, t.stride += 4;  // the scales' bit patterns
    return t;
  }
  for (const auto& m : rq.mult) {
    if (m.multiplier != rq.mult[0].multiplier || m.shift != rq.mult[0].shift) t.shared = false;
    if (m.shift > 0) t.any_left = true;
    if (m.shift < 0) t.any_right = true;
    if (m.shift >= 0) t.all_right = false;
  }
  if (table) t.shared = false;
  if (!t.shared) {
    t.mult = t.stride;
    t.stride += 4;
    if (t.any_left) t.left = t.stride, t.stride += 4;
    if (t.any_right) t.right = t.stride, t.stride += 4;
  }
  return t;
}

struct Plan {
  int64_t rows, depth, units, kc, kfull, tail, nb, up, kp;
  bool fused = false;  // 2-row blocks requantize in their assembly (FusedPair)
  int unroll = 1, block_rows = 2;  // the schedule (GemmS8)
  bool direct, row_sum, stage;
  int32_t row_sum_mult;
  std::string w, q, im2col_fn;
  // Windows read where they lie in the input (GemmS8::Window): the rows'
  // pointers from `at_fn`, scratch only for windows that cross the border.
  bool windowed = false;
  GemmS8::Window win;
  std::string at_fn;
  // The sizes as the body's C expressions: literals, or (shared bodies) of
  // the parameters rows, units and kc.
  std::string rows_e, units_e, nb_e, up_e, kfull_e, depth_e;
  bool shared = false;
  QTable qt;
  const ops::ConvRequant* rq;
};

// The rounding right shift of a per-channel table: 0 ember_mve_rshr_up (the
// clamp hides how negative lanes round), 1 ember_mve_rdbpot_pos (every lane
// shifts), 2 ember_mve_rdbpot; EMBER_MVE_DOT24Q's FIX.
const char* const kRightShiftFns[] = {"ember_mve_rshr_up", "ember_mve_rdbpot_pos", "ember_mve_rdbpot"};
int RightShiftForm(const Plan& p) {
  return ops::ClampHidesNegativeRounding(p.rq->range.min, p.rq->output_zp) ? 0 : p.qt.all_right ? 1 : 2;
}

// The statements computing `v`, the requantized vector of row b's 4 sums
// (`sums`, an ember_v32 expression), ready to store.
std::string RequantSteps(const Plan& p, int b, const std::string& sums, const std::string& v) {
  std::string s = "  ember_v32 " + v + " = ember_mve_add(" + sums + ", ember_mve_ld32(q));\n";
  if (p.row_sum) s += "  " + v + " = ember_mve_add_n(" + v + ", t" + S(b) + ");\n";
  const std::string set = "  " + v + " = ";
  const ops::ConvRequant& rq = *p.rq;
  const bool up = ops::ClampHidesNegativeRounding(rq.range.min, rq.output_zp);  // ember_mve_rshr_up
  if (p.qt.ort) {
    const std::string tail = ", " + CInt(rq.output_zp) + ", " + CInt(rq.range.min) + ", " + CInt(rq.range.max) + ");\n";
    s += p.qt.shared ? set + "ember_mve_requant_f32_n(" + v + ", " + CFloat(rq.scale[0]) + tail
                     : set + "ember_mve_requant_f32(" + v + ", ember_mve_ld32(q + " + S(p.qt.scale) + ")" + tail;
  } else if (p.qt.shared) {
    const int shift = rq.mult[0].shift;
    if (shift > 0) s += set + "ember_mve_shl_n(" + v + ", " + S(shift) + ");\n";
    s += set + "ember_mve_srdhm_n(" + v + ", " + CInt(rq.mult[0].multiplier) + ");\n";
    if (shift < 0) s += set + (up ? "ember_mve_rshr_up_n" : "ember_mve_rdbpot_n") + "(" + v + ", " + S(-shift) + ");\n";
  } else {
    if (p.qt.any_left) s += set + "ember_mve_shl(" + v + ", ember_mve_ld32(q + " + S(p.qt.left) + "));\n";
    s += set + "ember_mve_srdhm(" + v + ", ember_mve_ld32(q + " + S(p.qt.mult) + "));\n";
    if (p.qt.any_right)
      s += set + kRightShiftFns[RightShiftForm(p)] + "(" + v + ", ember_mve_ld32(q + " + S(p.qt.right) + "));\n";
  }
  if (!p.qt.ort) {  // the float requantization adds the zero point and clamps
    if (rq.output_zp != 0) s += set + "ember_mve_add_n(" + v + ", " + CInt(rq.output_zp) + ");\n";
    s += set + "ember_mve_clamp(" + v + ", " + CInt(rq.range.min) + ", " + CInt(rq.range.max) + ");\n";
  }
  return s;
}

// The store of row b's requantized vector `v`: into the staging row, or
// straight to the output (the last block of a row with a partial store).
std::string RequantStore(const Plan& p, int b, const std::string& v) {
  if (p.stage) return "  ember_mve_st8x4(st + " + (b ? p.up_e + " + " : std::string()) + "j * 4, " + v + ");\n";
  const std::string dst = "o + " + (b ? S(p.units * b) + " + " : std::string()) + "j * 4";
  if (p.units % 4 == 0) return "  ember_mve_st8x4(" + dst + ", " + v + ");\n";
  return "  if (j < " + S(p.nb - 1) + ") ember_mve_st8x4(" + dst + ", " + v + ");\n  else ember_mve_st8x4_n(" + dst + ", " +
         v + ", " + S(p.units % 4) + ");\n";
}

// Requantizes the accumulators a[0..3] of row b.
std::string Requant(const Plan& p, int b) {
  return "{\n" + RequantSteps(p, b, "ember_mve_set4(a[0], a[1], a[2], a[3])", "v") + RequantStore(p, b, "v") + "}\n";
}

// Both rows of a pass (sums in d.acc): both vectors before either store (a
// store through int8_t* could alias the table at q, which GCC would load again).
std::string RequantPair(const Plan& p) {
  return "{\n" + RequantSteps(p, 0, "ember_mve_ld32(d.acc)", "v0") + RequantSteps(p, 1, "ember_mve_ld32(d.acc + 4)", "v1") +
         RequantStore(p, 0, "v0") + RequantStore(p, 1, "v1") + "}\n";
}

// The dot products of one unit block (weights at wj) over row `b` into
// a[0..3]: full 16-byte chunks (the first starting the accumulators, a
// second unrolled, a loop beyond: code size), then the predicated tail.
std::string Chunks(const Plan& p, int b) {
  std::string s = "int32_t a[4];\nconst int8_t* w = wj;\nconst int8_t* x = x" + S(b) + ";\n";
  if (p.kfull == 0) {
    s += "a[0] = a[1] = a[2] = a[3] = 0;\n";
  } else {
    s += "ember_mve_dot4_first(a, &w, &x);\n";
    if (p.unroll > 1 && p.shared && p.kfull >= 2) {
      // `unroll` chunks per pass, the rest one at a time (the depth is a parameter).
      std::string u;
      for (int i = 0; i < p.unroll; ++i) u += " ember_mve_dot4(a, &w, &x);";
      s += "int c = 1;\nfor (; c + " + S(p.unroll) + " <= " + p.kfull_e + "; c += " + S(p.unroll) + ") {" + u +
           " }\nfor (; c < " + p.kfull_e + "; ++c) ember_mve_dot4(a, &w, &x);\n";
    } else if (p.unroll > 1 && !p.shared && p.kfull - 1 >= p.unroll) {
      // `unroll` chunks per pass, the rest after the loop.
      const int64_t passes = (p.kfull - 1) / p.unroll, rest = (p.kfull - 1) % p.unroll;
      std::string u;
      for (int i = 0; i < p.unroll; ++i) u += (passes > 1 ? "  " : "") + std::string("ember_mve_dot4(a, &w, &x);\n");
      s += passes > 1 ? "for (int c = 0; c < " + S(passes) + "; ++c) {\n" + u + "}\n" : u;
      for (int64_t i = 0; i < rest; ++i) s += "ember_mve_dot4(a, &w, &x);\n";
    } else if (p.kfull - 1 <= 1 && !p.shared) {
      for (int64_t c = 1; c < p.kfull; ++c) s += "ember_mve_dot4(a, &w, &x);\n";
    } else if (p.shared && p.kfull >= 2) {
      // Shared bodies (kfull >= 2 in one text): the second chunk unrolled,
      // a loop for the rest (~1 % fewer instructions on vww than one loop).
      s += "ember_mve_dot4(a, &w, &x);\nfor (int c = 2; c < " + p.kfull_e + "; ++c) ember_mve_dot4(a, &w, &x);\n";
    } else if (p.kfull > 2) {
      s += "for (int c = 1; c < " + p.kfull_e + "; ++c) ember_mve_dot4(a, &w, &x);\n";
    }
  }
  if (p.tail)
    s += "ember_mve_dot4_tail(a, &w, x, " + S(p.tail) + ");  /* the last " + S(p.tail) + " of the row */\n";
  return s;
}

// True when the schedule's unroll is the number of full chunks after the
// first: the 2-row assembly then has them in line, without a loop
// (EMBER_MVE_DOT24_K; kws's 1x1 layers on cortex-m55: about 10 instructions
// fewer per block of 4 units). Its text holds the depth: layers of other
// depths get bodies of their own. Also with one full chunk (no loop to
// unroll; the tail's size in the text fixes the depth already).
bool InLine(const Plan& p) { return p.kfull >= 1 && DepthInLine(p.depth, p.unroll); }

// A 2-row block whose assembly also requantizes (Plan::fused): every block
// of 4 units in one EMBER_MVE_DOT24Q (mve.h), from the per-channel table.
std::string FusedPair(const Plan& p) {
  const ops::ConvRequant& rq = *p.rq;
  const int fix = RightShiftForm(p);
  const int64_t left = p.qt.left >= 0 ? 4 * p.qt.left : 0, right = p.qt.right >= 0 ? 4 * p.qt.right : 0;
  std::string s = "  ember_mve_dot24q_t d;  /* both rows, every block of 4 units: sums and requantization */\n";
  s += "  d.w = " + p.w + ";\n  d.x = x0;\n  d.y = x1;\n  d.nblk = " + p.nb_e + ";\n  d.kfull = " + p.kfull_e +
       ";\n  d.q = " + p.q + ";\n";
  const std::string rest_w = S(p.win.rows) + ", " + S(p.win.row_bytes / 16) + ", " + S(p.win.pitch - p.win.row_bytes) +
                             ", ";
  s += p.stage ? "  d.o0 = st;\n  d.o1 = st + " + p.up_e + ";\n" : "  d.o0 = o;\n  d.o1 = o + " + S(p.units) + ";\n";
  const std::string rest = S(left) + ", " + S(right) + ", " + S(4 * p.qt.stride) + ", " + S(fix) + ", " +
                           S(rq.output_zp) + ", " + S(rq.range.min) + ", " + S(rq.range.max) + ");\n";
  if (p.windowed) return s + "  EMBER_MVE_DOT24Q_W(d, " + rest_w + rest;  /* kernel rows, their chunks, the jump */
  if (p.kfull == 0) return s + "  EMBER_MVE_DOT24Q_N(d, " + S(p.tail) + ", " + rest;
  if (InLine(p)) return s + "  EMBER_MVE_DOT24Q_K(d, " + S(p.kfull) + ", " + S(p.tail) + ", " + rest;
  return s + "  EMBER_MVE_DOT24Q(d, " + S(p.tail) + ", " + S(p.unroll) + ", " + rest;
}

// The end of a block of `nrows` rows from `r`: the staged outputs copied out
// (with `last_odd`, the second row only when there is one), and the brace
// Block opened.
std::string StagedCopies(const Plan& p, int nrows, const std::string& r, bool last_odd) {
  std::string s;
  const std::string has1 = "(" + r + " + 1 < " + p.rows_e + ")";
  for (int b = 0; b < nrows && p.stage; ++b) {
    const std::string row = b ? "(" + r + " + " + S(b) + ")" : r;
    s += "  " + std::string(b && last_odd ? "if " + has1 + " " : "") + "ember_mve_copy(out0 + " + row + " * " +
         p.units_e + ", st" + (b ? " + " + p.up_e : std::string()) + ", " + p.units_e + ");\n";
  }
  return s + "}\n";
}

// The statements for one block of `nrows` rows starting at row `r`.
// With `last_odd` (staged kernels with an odd row count), the final pass of
// the 2-row loop has a single row: its second row repeats the first and is
// neither gathered nor copied out (one copy of the code serves all rows).
std::string Block(const Plan& p, int nrows, const std::string& r, bool last_odd = false) {
  std::string s = "{\n";
  const std::string has1 = "(" + r + " + 1 < " + p.rows_e + ")";
  if (p.windowed) {
    // Each row's window where it lies in the input, else gathered into
    // scratch at the same pitch (the two side by side).
    for (int b = 0; b < 2; ++b) {
      const std::string x = "x" + S(b), row = b ? r + " + 1" : r, at = b ? "xs + " + S(p.win.row_bytes) : "xs";
      s += "  const int8_t* " + x + " = " + p.at_fn + "(in0, " + row + ");\n";
      s += "  if (!" + x + ") {\n    " + p.im2col_fn + "(" + at + ", in0, " + row + ");\n    " + x + " = " + at +
           ";\n  }\n";
    }
  } else if (!p.direct) {
    for (int b = 0; b < nrows; ++b)
      s += "  " + std::string(b && last_odd ? "if " + has1 + " " : "") + p.im2col_fn + "(xs" +
           (b ? " + " + S(p.kp * b) : std::string()) + ", in0, " + r +
           (b ? " + " + S(b) : std::string()) + ");\n";
    s += "  const int8_t* x0 = xs;\n";
    if (nrows > 1)
      s += "  const int8_t* x1 = " + (last_odd ? has1 + " ? xs + " + S(p.kp) + " : xs" : "xs + " + S(p.kp)) +
           ";\n";
  } else {
    s += "  const int8_t* x0 = in0 + " + r + " * " + p.depth_e + ";\n";
    if (nrows > 1)
      s += "  const int8_t* x1 = " + (last_odd ? has1 + " ? x0 + " + p.depth_e + " : x0" : "x0 + " + p.depth_e) +
           ";\n";
  }
  if (p.row_sum) {
    // The filter zero-point term: row_sum_mult * sum(x), wrapping.
    for (int b = 0; b < nrows; ++b) {
      const std::string t = "t" + S(b), x = "x" + S(b);
      s += "  int32_t " + t + " = 0;\n";
      if (p.kfull > 0)
        s += "  for (int c = 0; c < " + S(p.kfull) + "; ++c) " + t + " = ember_mve_sum8(" + t +
             ", ember_mve_ld8(" + x + " + c * 16));\n";
      if (p.tail)
        s += "  " + t + " = ember_mve_sum8(" + t + ", ember_mve_ld8_n(" + x + " + " +
             S(p.kfull * 16) + ", " + S(p.tail) + "));\n";
      s += "  " + t + " = ember_wrap_mul(" + t + ", " + CInt(p.row_sum_mult) + ");\n";
    }
  }
  if (!p.stage) s += "  int8_t* const o = out0 + " + r + " * " + S(p.units) + ";\n";
  if (nrows == 2 && p.fused) {
    s += FusedPair(p);
    return s + StagedCopies(p, nrows, r, last_odd);
  }
  s += "  const int8_t* wj = " + p.w + ";\n  const int32_t* q = " + p.q + ";\n";
  if (nrows == 2)
    s += "  ember_mve_dot24_t d;  /* both rows' sums */\n  d.x = x0;\n  d.y = x1;\n  d.kfull = " + p.kfull_e + ";\n";
  s += "  for (int j = 0; j < " + p.nb_e + "; ++j, wj += " + (p.shared ? "64 * kc" : S(p.kc * 64)) + ", q += " + S(p.qt.stride) +
       ") {\n";
  if (nrows == 2) {
    // Both rows in one pass: each weight load serves the two (mve.h).
    s += "    d.w = wj;\n";
    s += p.kfull == 0 ? "    EMBER_MVE_DOT24_N(d, " + S(p.tail) + ");\n"
         : InLine(p)  ? "    EMBER_MVE_DOT24_K(d, " + S(p.kfull) + ", " + S(p.tail) + ");\n"
                      : "    EMBER_MVE_DOT24(d, " + S(p.tail) + ", " + S(p.unroll) + ");\n";
    s += Reindent(RequantPair(p), 4);
  } else {
    s += "    {  /* row 0 */\n" + Reindent(Chunks(p, 0), 6) + Reindent(Requant(p, 0), 6) + "    }\n";
  }
  s += "  }\n";
  return s + StagedCopies(p, nrows, r, last_odd);
}

}  // namespace

Expected<Kernel> EmitGemmS8(const KernelContext& ctx, const GemmS8& g) {
  Plan p;
  p.rows = g.rows;
  p.depth = g.depth;
  p.units = g.units;
  p.kc = (g.depth + 15) / 16;
  p.kfull = g.depth / 16;
  p.tail = g.depth % 16;
  p.nb = (g.units + 3) / 4;
  p.up = p.nb * 4;
  p.kp = p.kc * 16;
  p.direct = g.im2col.empty();
  p.stage = g.stage;
  p.row_sum = g.row_sum_mult != 0;
  p.row_sum_mult = g.row_sum_mult;
  p.qt = LayoutOf(g.rq);
  p.rq = &g.rq;
  p.im2col_fn = ctx.fn_name + "_im2col";
  p.windowed = !g.window.at.empty();
  if (p.windowed) {
    if (!GemmS8WindowFits(g, g.window))
      return InternalError(ctx.node.name + ": a window the matrix product cannot take");
    p.win = g.window;
    p.at_fn = ctx.fn_name + "_at";
  }
  p.shared = g.share && g.stage && !p.row_sum;
  p.unroll = UnrollOf(g.depth, g.unroll);
  p.block_rows = g.block_rows == 1 ? 1 : 2;
  const int64_t br = p.block_rows;
  // Only where 2-row blocks are emitted (a shared body has them whatever its rows).
  p.fused = !p.qt.ort && !p.row_sum && br == 2 && (p.shared || g.rows >= 2) && (g.stage || g.units % 4 == 0);
  if (p.fused) p.qt = LayoutOf(g.rq, true);
  if (p.shared) {
    p.rows_e = "rows";
    p.units_e = "units";
    p.nb_e = "((units + 3) >> 2)";
    p.up_e = "4 * " + p.nb_e;
    p.kfull_e = p.tail ? "kc - 1" : "kc";
    p.depth_e = p.tail ? "(16 * kc - " + S(16 - p.tail) + ")" : "16 * kc";
    p.w = "wts";
    p.q = "qt";
  } else {
    p.rows_e = S(p.rows);
    p.units_e = S(p.units);
    p.nb_e = S(p.nb);
    p.up_e = S(p.up);
    p.kfull_e = S(p.kfull);
    p.depth_e = S(p.depth);
  }

  // Weights in loop order: [block j][chunk c][unit 4j+i][16], zero padded.
  std::vector<int8_t> wp(static_cast<size_t>(p.nb * p.kc * 64), 0);
  for (int64_t u = 0; u < g.units; ++u)
    for (int64_t k = 0; k < g.depth; ++k)
      wp[static_cast<size_t>(((u / 4 * p.kc + k / 16) * 4 + u % 4) * 16 + k % 16)] =
          g.weights[static_cast<size_t>(u * g.depth + k)];
  // Requantization table per block of 4 units (padding units copy unit 0's).
  std::vector<int32_t> qv(static_cast<size_t>(p.nb * p.qt.stride), 0);
  for (int64_t u = 0; u < p.up; ++u) {
    const size_t src = static_cast<size_t>(u < g.units ? u : 0);
    int32_t* row = &qv[static_cast<size_t>(u / 4 * p.qt.stride + u % 4)];
    row[0] = u < g.units ? g.init[static_cast<size_t>(u)] : 0;
    if (p.qt.scale >= 0) std::memcpy(&row[p.qt.scale], &g.rq.scale[src], sizeof(float));
    if (p.qt.ort) continue;
    const auto& m = g.rq.mult[src];
    if (p.qt.mult >= 0) row[p.qt.mult] = m.multiplier;
    if (p.qt.left >= 0) row[p.qt.left] = m.shift > 0 ? m.shift : 0;
    if (p.qt.right >= 0) row[p.qt.right] = m.shift < 0 ? m.shift : 0;
  }
  const std::string& name = ctx.node.name;
  const std::string w_table = ctx.consts.AddInt8(name + "_mve_w", wp);
  const std::string q_table = ctx.consts.AddInt32(name + "_mve_q", qv);
  if (!p.shared) {
    p.w = w_table;
    p.q = q_table;
  }
  if (p.shared && !p.direct) p.im2col_fn = SharedName("ember_mve_im2col_", g.im2col, ShareGroupOf(ctx, ctx.node_index));

  Kernel k;
  const int64_t stage_bytes = p.stage ? br * p.up : 0;
  k.scratch_bytes = stage_bytes + (p.direct      ? 0
                                   : p.windowed ? (p.win.rows - 1) * p.win.pitch + 2 * p.win.row_bytes
                                                : br * p.kp);
  std::string body;
  if (p.shared) {  // the im2col rows first: their size is in the body's text anyway
    const int64_t xs_bytes = p.direct ? 0 : br * p.kp;
    if (!p.direct)
      body += "  int8_t* const xs = (int8_t*)scratch;  /* " + S(br) + (br == 1 ? " im2col row of " : " im2col rows of ") +
              S(p.kp) + " */\n";
    body += "  int8_t* const st = (int8_t*)scratch + " + S(xs_bytes) + ";  /* " +
            (br == 1 ? "1 staging row" : "2 staging rows") + " */\n";
  } else {
    if (p.stage)
      body += "  int8_t* const st = (int8_t*)scratch;  /* " + S(br) + (br == 1 ? " staging row of " : " staging rows of ") +
              S(p.up) + " outputs */\n";
    if (p.windowed)
      body += "  int8_t* const xs = (int8_t*)scratch;  /* 2 windows gathered side by side, rows " + S(p.win.pitch) +
              " bytes apart */\n";
    else if (!p.direct)
      body += "  int8_t* const xs = (int8_t*)scratch" + (stage_bytes ? " + " + S(stage_bytes) : std::string()) +
              ";  /* " + S(br) + (br == 1 ? " im2col row of " : " im2col rows of ") + S(p.kp) + " */\n";
  }
  if (br == 1) {
    body += "  for (int r = 0; r < " + p.rows_e + "; ++r)  /* one row per block */\n" + Reindent(Block(p, 1, "r"), 2);
  } else if (p.shared || (p.stage && g.rows % 2 == 1 && g.rows > 1)) {
    body += "  for (int r = 0; r < " + p.rows_e + "; r += 2)\n" + Reindent(Block(p, 2, "r", true), 2);
  } else {
    if (g.rows >= 2)
      body += "  for (int r = 0; r < " + S(g.rows - 1) + "; r += 2)\n" + Reindent(Block(p, 2, "r"), 2);
    if (g.rows % 2 == 1) body += Reindent(Block(p, 1, S(g.rows - 1)), 2);
  }

  std::string code = g.comment;
  const std::string im2col_def = "static void " + p.im2col_fn + "(int8_t* d, const int8_t* in0, int p) {\n" + g.im2col + "}\n";
  if (p.shared) {
    // One body per text (shared_kernel.h): the layers' sizes and tables are arguments.
    if (!p.direct) code += GuardedDefinition(p.im2col_fn, im2col_def);
    k.code = code + SharedKernel("ember_mve_conv_", "conv2d", ctx.fn_name, KernelParams(ctx, k.scratch_bytes), body,
                                 {{"int rows", S(p.rows)},
                                  {"int units", S(p.units)},
                                  {"int kc", S(p.kc)},
                                  {"const int8_t* wts", w_table},
                                  {"const int32_t* qt", q_table}},
                                 "", ShareGroupOf(ctx, ctx.node_index));
    return k;
  }
  if (!p.direct) code += im2col_def;
  if (p.windowed) code += "static const int8_t* " + p.at_fn + "(const int8_t* in0, int p) {\n" + g.window.at + "}\n";
  code += "static void " + ctx.fn_name + "(" + KernelParams(ctx, k.scratch_bytes) + ") {\n" + body + "}\n";
  k.code = code;
  return k;
}

bool GemmS8WindowFits(const GemmS8& g, const GemmS8::Window& w) {
  if (g.share || g.stage || g.im2col.empty() || g.row_sum_mult != 0 ||
      g.rq.semantics == ops::Int8Semantics::kOnnxRuntime)
    return false;
  if (g.block_rows != 2 || g.rows < 2 || g.rows % 2 != 0 || g.units % 4 != 0 || g.depth % 16 != 0) return false;
  if (!DepthInLine(g.depth, g.unroll)) return false;
  if (w.rows < 1 || w.row_bytes < 16 || w.row_bytes % 16 != 0 || w.rows * w.row_bytes != g.depth) return false;
  if (w.pitch < 2 * w.row_bytes || w.pitch - w.row_bytes > 4095) return false;
  return (w.rows - 1) * w.pitch + 2 * w.row_bytes <= kMaxWindowScratch;
}

// Knob defaults: blocks of 2 rows (each weight load serves both); every
// full chunk after the first in line when there are at most 8 of them
// (one pass, no loop: kws on cortex-m55 -5 %), else 4 per pass of the depth
// loop when at least 4 follow the first (ic's 3x3 layers: -2.7 %
// instructions on cortex-m55), else one.
std::vector<Knob> GemmS8Knobs(int64_t depth, const std::string& rows_name) {
  // With the in-line value offered, 2 and 4 only where they loop (one row
  // per block would otherwise emit the same code for both).
  const int64_t all = depth / 16 - 1;
  const bool in_line = all >= 2 && all <= kMaxInLine;
  std::vector<int64_t> unroll{1};
  for (int64_t u : {2, 4})
    if (all >= (in_line ? 2 * u : u)) unroll.push_back(u);
  if (in_line) unroll.push_back(all);
  return {{rows_name, {1, 2}, "rows per block (1: each weight load serves one row, half the scratch)"},
          {"unroll", unroll,
           "16-byte chunks per pass of the depth loop after the first (6 loads and 8 VMLADAVA.S8 each for 2 rows; "
           "all of them: in line, no loop)"}};
}

Schedule GemmS8Size(const std::string& rows_name) { return Schedule{{{rows_name, 1}, {"unroll", 1}}}; }

Schedule GemmS8Default(int64_t depth, const std::string& rows_name) {
  const int64_t all = depth / 16 - 1;
  return Schedule{{{rows_name, 2}, {"unroll", all >= 1 && all <= kMaxInLine ? all : all >= 4 ? 4 : 1}}};
}

bool DepthInLine(int64_t depth, int64_t u) {
  const int64_t kfull = depth / 16;
  return kfull <= 1 || UnrollOf(depth, u) == kfull - 1;
}

int UnrollOf(int64_t depth, int64_t u) {
  const int64_t all = depth / 16 - 1;
  return u == 2 || u == 4 || (u == all && all >= 2 && all <= kMaxInLine) ? static_cast<int>(u) : 1;
}

void ApplyGemmS8Schedule(const Schedule& s, const std::string& rows_name, GemmS8* g) {
  const Schedule def = GemmS8Default(g->depth, rows_name);
  g->block_rows = s.Get(rows_name, def.Get(rows_name, 2)) == 1 ? 1 : 2;
  g->unroll = UnrollOf(g->depth, s.Get("unroll", def.Get("unroll", 1)));
}

}  // namespace ember::codegen::c::mve
