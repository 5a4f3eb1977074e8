// conv2d for DSP cores (cortex-m4, m7, m33): int8, ungrouped, any filter,
// stride, dilation and padding (1x1 pointwise and few-channel first layers
// included). Bit-exact with ops/conv2d.cc.
//
// Output pixels are taken in raster order (batch, oy, ox) in blocks of two
// consecutive pixels (the last block of an odd count has one). For a block:
//  1. im2col: each pixel's K = KH * KW * C_in taps, in the filter's (ky, kx, ic)
//     order, are gathered as int8 into scratch, taps outside the image filled
//     with z_in (then x - z_in = 0 there, so border pixels need no special
//     path: acc = init + sum(w * x) with init = bias - z_in * sum(w) is exact),
//     K padded to a multiple of 4 with zeros (their weights are zero too). A
//     pointwise conv with C_in a multiple of 4 reads the input directly; so
//     does a block whose windows lie inside the image where each filter row's
//     taps are whole words (dilation 1 along x, KW * C_in a multiple of 4):
//     step 2 reads them row by row from the image (ic -2 %: no gather).
//  2. The block's int8 values become int16x2 column words once, interleaved
//     per group of four taps: the biased pair form's (p, r) words when the
//     weights keep its sums inside int32 (gemm_s8.h), else sign-extended
//     (SXTB16 / SXTB16-ROR-8).
//  3. For each pair of output channels, a 2 pixels x 2 channels SMLAD loop
//     (gemm_s8.h) over the groups, weights packed at compile time in the
//     order it reads them; then requantization and clamp fused into the store.
// A layer with C_in a multiple of 4 and dilation 1 makes step 2's words
// once per input pixel instead of once per window that reads it (nine
// times for a 3x3 stride 1 layer): a ring of KH input rows of column words
// in scratch (Ring), each row made when the first output row that needs it
// starts, its padding columns (and rows outside the image) holding z_in's
// words; the SMLAD loop reads a window's KH filter rows where they lie in
// the ring (ic on cortex-m4: -6.6 %). At most kMaxRingScratch bytes; the
// knob `ring` turns it off.
// Access order (for the memory planner): a block's outputs are written only
// after all of the block's input pixels were read; blocks go in raster order
// (the ring reads an input row earlier still, never later), and with a ring
// on an odd output width they restart at each output row (Conv2DRowBlocks:
// a row's last block has one pixel).
//
// Pointwise layers whose kernel text would be the same but for the sizes and
// tables share one body that takes those as parameters (shared_kernel.h;
// vww: three bodies for its thirteen pointwise layers); a layer alone of its
// kind keeps literal bounds (gcc 12 allocates the literal loops better: the
// shared body inlined with constant arguments spills in the inner loop, 39
// instead of 32 instructions per pass on vww's 6x6x128 layers).
#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/dsp/gemm_s8.h"
#include "codegen/c/kernels/shared_kernel.h"
#include "codegen/c/schedule.h"
#include "ops/conv_util.h"

namespace ember::codegen::c::dsp {
namespace {

using Shape = ConvShape;

// The schedule's choices for a layer (Conv2DSpace documents them).
struct Choice {
  int pixels;    // P: output pixels per block (1 or 2)
  int channels;  // U: output channels per inner block (1, 2 or 4)
  int unroll;    // groups of four taps per pass of the inner loop
  bool ring;     // input rows made into column words once (Ring), where the layer allows
};

// The ring of a layer's input rows as column words (Choice::ring): KH
// slots (any KH consecutive rows, padding rows included, fall in distinct
// slots: row iy in slot (iy + off) % KH), each `cols` columns (image
// x = column - pad_left: every column a window touches; with an odd output
// width, also those of the second pixel its last block of two computes and
// does not store) of `groups` groups of four channels, two words per group
// ((p | r), or lanes 0,2 | 1,3); in the biased pair form then each column's
// accumulator start, per slot.
struct Ring {
  int64_t rows = 0, cols = 0, groups = 0;
  int64_t used = 0;  // columns read from the image: pad_left .. pad_left + used - 1
  int64_t pass = 0;  // groups per pass of the SMLAD loop: the largest divisor of a filter row's up to kMaxRingRun
  int64_t slot_words() const { return cols * 2 * groups; }
  int64_t words_bytes() const { return 4 * rows * slot_words(); }
  int64_t bytes(bool biased) const { return words_bytes() + (biased ? 4 * rows * cols : 0); }
};

// The ring's scratch at most (ic's layers take 3.2-4.0 KB).
constexpr int64_t kMaxRingScratch = 4096;
// The ring's SMLAD loop runs passes of up to this many groups, whole
// filter rows where they are no longer (the schedule's unroll does not
// apply: passes of 4 groups cost ic's 3x3x16 layers 8 % more).
constexpr int64_t kMaxRingRun = 12;

// The ring of a layer, or nullopt where it does not apply: C_in a multiple
// of 4 (a pixel is whole groups), dilation 1, each input pixel read by two
// windows or more (a strided 1x1 layer would make pixels no window reads),
// the LDRD offsets of a pass within reach and at most kMaxRingScratch (with
// the accumulator starts and the columns of an odd width's last block:
// whether a layer takes a ring does not depend on the form of its product,
// nor on its schedule but for the knob `ring`).
std::optional<Ring> RingOf(const Shape& s) {
  if (s.direct() || s.in_c % 4 != 0 || s.w.dilation_h != 1 || s.w.dilation_w != 1 ||
      s.k_h * s.k_w < 2 * s.w.stride_h * s.w.stride_w)
    return std::nullopt;
  Ring r;
  r.rows = s.k_h;
  r.cols = (s.out_w + s.out_w % 2 - 1) * s.w.stride_w + s.k_w;
  r.groups = s.in_c / 4;
  r.used = std::max<int64_t>(0, std::min(s.in_w, r.cols - s.w.pad_left));
  const int64_t row_words = s.w.stride_w * 2 * r.groups;  // pixel a's words to pixel b's
  const int64_t row_groups = s.k_w * r.groups;
  r.pass = std::min(row_groups, kMaxRingRun);
  while (row_groups % r.pass != 0) --r.pass;
  if (4 * (row_words + 2 * (r.pass - 1)) > 1016 || r.bytes(true) > kMaxRingScratch)
    return std::nullopt;
  return r;
}

// The unroll factors of a layer: the divisors of its group count among 1,
// 2, 4 (a literal loop or a shared body) and, for up to 8 groups, all of
// them in one straight run (a literal kernel only).
std::vector<int64_t> UnrollValues(int64_t groups) {
  std::vector<int64_t> v;
  for (int64_t u : {1, 2, 4})
    if (groups % u == 0 && u <= groups) v.push_back(u);
  if (groups <= 8 && groups != v.back()) v.push_back(groups);
  return v;
}

// Today's heuristic: four groups per pass when they divide the group count,
// else two when they do, else one; a layer's own kernel with fewer than 8
// groups (the few-channel first layers: 7 for a 3x3x3 filter) runs them in
// one straight run (beyond that gcc spills: 10 in one run cost kws 2 %).
// Four per pass against two: kws, vww and ic take 2-3 % fewer instructions
// on cortex-m4 for ~100 B more code per conv. Layers of one kind whose
// group counts take different values get different shared bodies.
int DefaultUnroll(int64_t groups, bool shared) {
  if (!shared && groups < 8) return static_cast<int>(groups);
  return groups % 4 == 0 ? 4 : groups % 2 == 0 ? 2 : 1;
}

// The schedule of node `index` (unset knobs: the defaults), clamped to what
// the layer allows so that any schedule emits a correct kernel.
Choice ChoiceOf(const KernelContext& ctx, size_t index, const Shape& s, bool shared) {
  const Schedule sc = ScheduleOf(ctx, index);
  const int64_t groups = s.padded_depth() / 4;
  Choice c{2, 2, DefaultUnroll(groups, shared), !shared};
  const int64_t p = sc.Get("pixels", c.pixels), u = sc.Get("channels", c.channels), r = sc.Get("unroll", c.unroll);
  if (sc.Get("ring", 1) == 0) c.ring = false;
  if (p == 1 || p == 2) c.pixels = static_cast<int>(p);
  if (u == 1 || u == 2 || u == 4) c.channels = static_cast<int>(u);
  const std::vector<int64_t> rs = UnrollValues(groups);
  const bool fits = std::find(rs.begin(), rs.end(), r) != rs.end() && (!shared || r == 1 || r == 2 || r == 4);
  if (fits) c.unroll = static_cast<int>(r);
  return c;
}

// The column words of one group of 4 taps read at `at` from pixel a's and
// (P = 2) pixel b's int8 values xa, xb: pixel a's two words, then pixel b's,
// and the accumulator starts nxa, nxb in the biased pair form.
std::string GroupWords(int P, const std::string& at, bool biased, const std::string& xa, const std::string& xb) {
  std::string b = "{\n  const int32_t va = ember_read_s8x4(" + xa + " + " + at + ")";
  b += P == 2 ? ", vb = ember_read_s8x4(" + xb + " + " + at + ");\n" : ";\n";
  for (const char* px : {"a", "b"}) {
    if (std::string(px) == "b" && P == 1) break;
    const std::string v = std::string("v") + px;
    if (biased) {
      b += "  ember_st2(&cp, ember_bp_p(" + v + "), ember_bp_r(" + v + "));\n";
      b += "  nx" + std::string(px) + " = ember_bp_start(" + v + ", nx" + px + ");\n";
    } else {
      b += "  ember_st2(&cp, ember_sxtb16(" + v + "), ember_sxtb16_ror8(" + v + "));\n";
    }
  }
  return b + "}\n";
}

std::string ColumnComment(int P, bool biased, const std::string& more = "") {
  return std::string("/* ") + (biased ? "biased pairs" : "sign-extend once") + ": per group of 4 taps, pixel a " +
         (biased ? "(p | r)" : "(lanes 0,2 | 1,3)") + (P == 2 ? ", pixel b" : "") + more + " */";
}

// The block's int8 values made once into int16x2 column words (GroupWords)
// from the gathered taps xa, xb: per group of 4 taps, pixel a's two words,
// then pixel b's when P is 2. Sign-extended (lanes 0,2 | 1,3), or with
// `biased` the biased pair form's (ember_bp_p, ember_bp_r), while nxa (nxb)
// collect pixel a's (b's) accumulator start (declared by the caller).
// `pairs`: the group count is even, two groups per pass.
std::string ColumnWords(int P, const std::string& groups, bool pairs, bool biased) {
  std::string b = "{  " + ColumnComment(P, biased) + "\n  int32_t* cp = cols;\n  int j;\n  for (j = 0; j < " + groups +
                  "; " + (pairs ? "j += 2" : "++j") + ") {\n";
  for (int k = 0; k < (pairs ? 2 : 1); ++k)
    b += Reindent(GroupWords(P, k ? "4 * j + 4" : "4 * j", biased, "xa", "xb"), 4);
  return b + "  }\n}\n";
}

// The same words read straight from the image for a block whose windows lie
// inside it, ra and rb pointing at their first taps: per filter row (kh of
// them, `step` bytes apart in the image) `row_groups` groups, contiguous
// (dilation 1 along x, k_w * c_in a multiple of 4), in the gathered order.
std::string ColumnWordsFromImage(int P, int64_t kh, int64_t step, int64_t row_groups, bool biased) {
  const bool pairs = row_groups % 2 == 0;
  std::string b = "{  " + ColumnComment(P, biased, ", from the image") + "\n  int32_t* cp = cols;\n  int ky, j;\n";
  b += "  for (ky = 0; ky < " + std::to_string(kh) + "; ++ky) {\n";
  b += "    const int8_t* const ya = ra + ky * " + std::to_string(step) + ";\n";
  if (P == 2) b += "    const int8_t* const yb = rb + ky * " + std::to_string(step) + ";\n";
  b += "    for (j = 0; j < " + std::to_string(row_groups) + "; " + (pairs ? "j += 2" : "++j") + ") {\n";
  for (int k = 0; k < (pairs ? 2 : 1); ++k)
    b += Reindent(GroupWords(P, k ? "4 * j + 4" : "4 * j", biased, "ya", "yb"), 6);
  return b + "    }\n  }\n}\n";
}

// A static C function `name`(in, oy, ox) returning the address in image
// `in` of output pixel (oy, ox)'s first tap when its whole window lies inside
// the image, else 0.
std::string WindowFunction(const Shape& s, const std::string& name) {
  std::string b = "/* the first tap of output pixel (oy, ox) when its window lies inside the image, else 0 */\n";
  b += "static const int8_t* " + name + "(const int8_t* in, int oy, int ox) {\n";
  b += "  const int y0 = " + Affine("oy", s.w.stride_h, -s.w.pad_top) + ";\n";
  b += "  const int x0 = " + Affine("ox", s.w.stride_w, -s.w.pad_left) + ";\n";
  b += "  if (y0 < 0 || y0 + " + std::to_string((s.k_h - 1) * s.w.dilation_h) + " >= " + std::to_string(s.in_h) +
       " || x0 < 0 || x0 + " + std::to_string((s.k_w - 1) * s.w.dilation_w) + " >= " + std::to_string(s.in_w) +
       ") return 0;\n";
  b += "  return in + (y0 * " + std::to_string(s.in_w) + " + x0) * " + std::to_string(s.in_c) + ";\n}\n";
  return b;
}

// The words of z_in's int8 word (four lanes of z) in the ring: the two
// column words and, biased, the accumulator start of a column of `groups`
// groups (ember_bp_start: -32768 (x1 + x3) per group, wrapping).
struct PadWords {
  int32_t lo, hi, start;
};
PadWords PadWordsOf(int32_t z, int64_t groups, bool biased) {
  const uint32_t lane16 = static_cast<uint16_t>(static_cast<int16_t>(z));  // SXTB16 of a lane
  const uint32_t ext = lane16 | (lane16 << 16);
  const uint32_t word = static_cast<uint8_t>(z) * 0x01010101u;
  const uint32_t start = static_cast<uint32_t>(groups) * static_cast<uint32_t>(-65536 * int64_t{z});
  if (!biased) return {static_cast<int32_t>(ext), static_cast<int32_t>(ext), 0};
  return {static_cast<int32_t>(ext), static_cast<int32_t>(word ^ 0x007f007fu), static_cast<int32_t>(start)};
}

// The static C function `name`(in, iy, d, nx) making input row iy of image
// `in` into ring slot d (Ring), its columns' accumulator starts into nx
// (biased).
std::string RingRowFunction(const Shape& s, const Ring& r, const std::string& name, int32_t zin, bool biased) {
  const PadWords z = PadWordsOf(zin, r.groups, biased);
  const std::string g = std::to_string(r.groups);
  std::string b = "/* input row iy of image `in` as column words in ring slot d: per column (image x = column - " +
                  std::to_string(s.w.pad_left) + "), per group of 4 channels, " +
                  (biased ? "p | r (biased pairs), and the column's accumulator start in nx"
                          : "lanes 0,2 | 1,3 sign-extended") +
                  ";\n   columns and rows outside the image hold z_in " + std::to_string(zin) + "'s */\n";
  b += "static void " + name + "(const int8_t* in, int iy, int32_t* d" + (biased ? ", int32_t* nx" : "") + ") {\n";
  b += "  const int inside = iy >= 0 && iy < " + std::to_string(s.in_h) + ";\n  int j, g;\n";
  b += "  for (j = 0; j < " + std::to_string(r.cols) + "; ++j) {\n";
  b += "    if (inside && j >= " + std::to_string(s.w.pad_left) + " && j < " + std::to_string(s.w.pad_left + r.used) +
       ") {\n";
  b += "      const int8_t* const x = in + (" + Affine("iy * " + std::to_string(s.in_w) + " + j", 1, -s.w.pad_left) +
       ") * " + std::to_string(s.in_c) + ";\n";
  if (biased) b += "      int32_t t = 0;\n";
  b += "      for (g = 0; g < " + g + "; ++g) {\n        const int32_t v = ember_read_s8x4(x + 4 * g);\n";
  if (biased) {
    b += "        ember_st2(&d, ember_bp_p(v), ember_bp_r(v));\n        t = ember_bp_start(v, t);\n      }\n";
    b += "      nx[j] = t;\n";
  } else {
    b += "        ember_st2(&d, ember_sxtb16(v), ember_sxtb16_ror8(v));\n      }\n";
  }
  b += "    } else {\n      for (g = 0; g < " + g + "; ++g) ember_st2(&d, " + CInt(z.lo) + ", " + CInt(z.hi) + ");\n";
  if (biased) b += "      nx[j] = " + CInt(z.start) + ";\n";
  b += "    }\n  }\n}\n";
  return b;
}

// The body of a layer with a ring (Ring): per image, per output row, the
// rows it needs made into the ring, then its blocks of P pixels, each
// window read in the ring by the SMLAD loop `gm` (its segments and rows set
// here) and stored by `store`.
std::string RingBody(const Shape& s, const Ring& r, int P, bool biased, const std::string& row_fn, SmladGemm gm,
                     const std::function<std::string(const std::string&, int, const std::string&, int)>& store) {
  const std::string kh = std::to_string(s.k_h), R = std::to_string(r.rows), slot = std::to_string(r.slot_words());
  const std::string cols = std::to_string(r.cols);
  const int64_t off = r.rows * ((s.w.pad_top + r.rows - 1) / r.rows);  // (iy + off) % R >= 0 for iy >= -pad_top
  auto slot_of = [&](const std::string& iy) { return "(" + iy + " + " + std::to_string(off) + ") % " + R; };
  std::string b = "int32_t* const ring = (int32_t*)scratch;  /* " + R + " rows x " + cols + " columns x " +
                  std::to_string(2 * r.groups) + " words */\n";
  if (biased)
    b += "int32_t* const ringnx = (int32_t*)(scratch + " + std::to_string(r.words_bytes()) + ");  /* " + R +
         " rows x " + cols + " accumulator starts */\n";
  b += "int8_t* o = out0;\n";
  b += "for (int n = 0; n < " + std::to_string(s.batch) + "; ++n) {\n";
  std::string img = "const int8_t* const img = in0 + n * " + std::to_string(s.in_h * s.in_w * s.in_c) + ";\n";
  img += "int next = " + std::to_string(-s.w.pad_top) + ";  /* the next input row to make; those before it are made */\n";
  img += "for (int oy = 0; oy < " + std::to_string(s.out_h) + "; ++oy) {\n";
  std::string row = "const int y0 = " + Affine("oy", s.w.stride_h, -s.w.pad_top) + ";\n";
  row += "const int32_t* xr[" + kh + "];\n";
  if (biased) row += "const int32_t* nr[" + kh + "];\n";
  row += "int ky;\nif (next < y0) next = y0;\n";
  row += "for (; next < y0 + " + kh + "; ++next) " + row_fn + "(img, next, ring + " + slot_of("next") + " * " + slot +
         (biased ? ", ringnx + " + slot_of("next") + " * " + cols : std::string()) + ");\n";
  row += "for (ky = 0; ky < " + kh + "; ++ky) {\n  const int sl = " + slot_of("y0 + ky") + ";\n  xr[ky] = ring + sl * " +
         slot + ";\n" + (biased ? "  nr[ky] = ringnx + sl * " + cols + ";\n" : std::string()) + "}\n";
  row += "for (int ox = 0; ox < " + std::to_string(s.out_w) + "; ox += " + std::to_string(P) + ", o += " +
         std::to_string(P * s.out_c) + ") {\n";
  // Each pass of the SMLAD loop starts at a pointer of its own (one loop
  // over all passes: a loop per filter row would spill in the passes).
  const int64_t per_row = s.k_w * r.groups / r.pass, segments = s.k_h * per_row;
  const bool odd = P == 2 && s.out_w % 2 == 1;  // a row's last block has one pixel (its b computed, not stored)
  std::string blk = "const int32_t* xw[" + std::to_string(segments) + "];  /* pixel a's first word of each pass */\n";
  if (odd) blk += "const int two = ox + 1 < " + std::to_string(s.out_w) + ";  /* the block has a 2nd pixel */\n";
  if (biased) blk += P == 2 ? "int32_t nxa = 0, nxb = 0;\n" : "int32_t nxa = 0;\n";
  blk += "for (ky = 0; ky < " + kh + "; ++ky) {\n";
  const std::string first = "xr[ky] + " + Affine("ox", s.w.stride_w * 2 * r.groups, 0);
  if (per_row == 1) {
    blk += "  xw[ky] = " + first + ";\n";
  } else {
    blk += "  const int32_t* const x = " + first + ";\n";
    for (int64_t j = 0; j < per_row; ++j)
      blk += "  xw[" + Affine("ky", per_row, j) + "] = x" + (j ? " + " + std::to_string(2 * r.pass * j) : "") + ";\n";
  }
  if (biased) {
    const std::string sw = std::to_string(s.w.stride_w);
    blk += "  {\n    const int32_t* const q = nr[ky] + " + Affine("ox", s.w.stride_w, 0) + ";\n    int kx;\n";
    blk += "    for (kx = 0; kx < " + std::to_string(s.k_w) + "; ++kx) {\n";
    blk += "      nxa = (int32_t)((uint32_t)nxa + (uint32_t)q[kx]);\n";
    if (P == 2) blk += "      nxb = (int32_t)((uint32_t)nxb + (uint32_t)q[kx + " + sw + "]);\n";
    blk += "    }\n  }\n";
  }
  blk += "}\n";
  gm.source = RowSource::kRing;
  gm.segments = segments;
  gm.segment_start = "xw[sg]";
  gm.row_words = s.w.stride_w * 2 * r.groups;
  gm.unroll = static_cast<int>(r.pass);
  blk += EmitSmladGemm(gm, store, [&](int) { return odd ? std::string("two") : std::string(); });
  row += Reindent(blk, 2) + "}\n";
  if (odd) row += "o -= " + std::to_string(s.out_c) + ";  /* the row's last block had one pixel */\n";
  img += Reindent(row, 2) + "}\n";
  b += Reindent(img, 2) + "}\n";
  return b;
}

// A layer's requantization and the form of its product (PrepareGemmLayer:
// per-channel multipliers, no filter zero point).
Status PrepareLayer(const KernelContext& ctx, const Shape& s, DspRequant* rq, GemmLayer* layer) {
  return PrepareGemmLayer(ctx, s.out_c, s.depth(), ops::MultiplierFormula::kDouble, false, rq, layer);
}

// The body shared by pointwise layers (direct()): sizes and tables are the
// parameters pixels, cout, groups (= in_c / 4), wts, inits and the requant
// tables (DspRequant::ShareTables). With blocks of two pixels, a block of one
// (the last of an odd count) computes it twice and stores it twice to the
// same place (ob = o), so no store needs a guard.
std::string SharedDirectBody(const Shape& s, const Choice& ch, bool biased, DspRequant* rq) {
  const bool doubled = rq->doubled();
  const int64_t groups = s.padded_depth() / 4;
  rq->ShareTables();
  const int P = ch.pixels;
  std::string b = "int32_t* const cols = (int32_t*)scratch;\nint8_t* o = out0;\n";
  b += "for (int p = 0; p < pixels; p += " + std::to_string(P) + ", o += " + (P == 2 ? "2 * cout" : "cout") + ") {\n";
  std::string blk;
  if (P == 2) {
    blk += "const int two = p + 1 < pixels;  /* the block has a 2nd pixel (else b repeats a) */\n";
    blk += "const int8_t* const xa = in0 + p * 4 * groups;\n";
    blk += "const int8_t* const xb = two ? xa + 4 * groups : xa;\n";
    blk += "int8_t* const ob = two ? o + cout : o;\n";
  } else {
    blk += "const int8_t* const xa = in0 + p * 4 * groups;\n";
  }
  if (biased) blk += P == 2 ? "int32_t nxa = 0, nxb = 0;\n" : "int32_t nxa = 0;\n";
  blk += ColumnWords(P, "groups", ch.unroll % 2 == 0, biased);
  SmladGemm gm{4 * groups, s.out_c, ch.channels, P, ch.unroll, RowSource::kColumns, "wts", "inits", "cols", ""};
  if (biased) {
    gm.biased = true;
    gm.doubled = doubled;
    gm.start = P == 2 ? std::vector<std::string>{"nxa", "nxb"} : std::vector<std::string>{"nxa"};
  }
  gm.channels_expr = "cout";
  gm.passes_expr = ch.unroll == 1 ? "groups" : ch.unroll == 2 ? "groups >> 1" : "groups >> 2";
  gm.block_setup = rq->BlockSetup("c");
  gm.channel_load = [&](int u) { return rq->LoadChannel(u); };
  blk += EmitSmladGemm(
      gm,
      [&](const std::string& acc, int p, const std::string& c, int) {
        return rq->StoreLoaded(std::string(p ? "ob[" : "o[") + c + "]", acc, c);
      },
      [&](int) { return std::string(); });
  return Reindent(b + Reindent(blk, 2) + "}\n", 2);
}

// The shared body of node `index` of `g` for `target`, "" when the node is
// not a pointwise conv2d the DSP variant handles.
std::string SharedDirectBodyOf(const ir::Graph& g, size_t index, const Target& target,
                               const std::map<size_t, Schedule>* schedules) {
  const ir::Node& n = g.nodes[index];
  if (n.op != ir::OpKind::kConv2D) return "";
  ConstPool unused("unused");
  const KernelContext ctx{g, n, index, "f", unused, target, false, schedules};
  Shape s;
  DspRequant rq;
  GemmLayer layer;
  if (!Conv2DApplies(ctx) || !GetConvShape(ctx, &s) || !s.direct() || !PrepareLayer(ctx, s, &rq, &layer).ok())
    return "";
  return SharedDirectBody(s, ChoiceOf(ctx, index, s, true), layer.biased, &rq);
}

}  // namespace

bool Conv2DApplies(const KernelContext& ctx) {
  Shape s;
  if (!GetConvShape(ctx, &s) || !CheckConstOperands(ctx).ok()) return false;
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  if (g.tensor(n.inputs[0]).dtype != ir::DType::kInt8 || g.tensor(n.inputs[1]).dtype != ir::DType::kInt8 ||
      g.tensor(n.outputs[0]).dtype != ir::DType::kInt8)
    return false;
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  return f.shape[3] == s.in_c && s.depth() <= kMaxIm2colDepth && s.out_c > 0;
}

std::optional<ScheduleSpace> Conv2DSpace(const KernelContext& ctx) {
  Shape s;
  if (!GetConvShape(ctx, &s)) return std::nullopt;
  const int64_t groups = s.padded_depth() / 4;
  ScheduleSpace sp;
  sp.kernel = "dsp.conv2d";
  sp.knobs = {{"channels", {1, 2, 4}, "output channels per inner block (accumulators per pixel)"},
              {"pixels", {1, 2}, "output pixels per block (im2col rows sharing each weight load)"},
              {"unroll", UnrollValues(groups), "groups of four taps per pass of the inner loop"}};
  sp.default_point.knobs = {{"channels", 2}, {"pixels", 2}, {"unroll", DefaultUnroll(groups, false)}};
  // Least memory: one group per pass (the shortest loop), no ring (its
  // scratch is up to 4 KB).
  sp.size_point.knobs = {{"unroll", 1}};
  if (RingOf(s)) {  // its passes are the ring's own; without it (ring 0), the default unroll
    sp.knobs.back() = {"ring", {0, 1}, "input rows made into column words once, in a ring of KH rows (1), or per block (0)"};
    sp.default_point.knobs.erase("unroll");
    sp.default_point.knobs["ring"] = 1;
    sp.size_point.knobs = {{"ring", 0}};
  }
  return sp;
}

int Conv2DPixelBlock(const KernelContext& ctx) {
  Shape s;
  if (!GetConvShape(ctx, &s)) return 2;
  return ChoiceOf(ctx, ctx.node_index, s, false).pixels;
}

bool Conv2DRowBlocks(const KernelContext& ctx) {
  Shape s;
  if (!GetConvShape(ctx, &s) || s.out_w % 2 == 0) return false;
  const Choice ch = ChoiceOf(ctx, ctx.node_index, s, false);
  return ch.pixels == 2 && ch.ring && RingOf(s).has_value();
}

Expected<Kernel> EmitConv2D(const KernelContext& ctx) {
  EMBER_RETURN_IF_ERROR(CheckConstOperands(ctx));
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  Shape s;
  if (!GetConvShape(ctx, &s)) return EmitError(ctx, "has an unsupported shape for the DSP conv2d");
  DspRequant rq;
  GemmLayer layer;
  EMBER_RETURN_IF_ERROR(PrepareLayer(ctx, s, &rq, &layer));
  const bool biased = layer.biased;
  const std::vector<int8_t>& w = layer.w;
  std::vector<int32_t>& init = layer.init;
  const int32_t zin = rq.params().input_zp;
  const int64_t k = s.depth(), k4 = s.padded_depth(), groups = k4 / 4;
  const int64_t pixels = s.batch * s.out_h * s.out_w, hw = s.out_h * s.out_w;

  // A body shared with another layer of the graph (same text, same share group), or literals.
  const std::string mine = SharedDirectBodyOf(g, ctx.node_index, ctx.target, ctx.schedules);
  const std::string shared =
      AnotherLayerHasBody(ctx, mine, [&](size_t i) { return SharedDirectBodyOf(g, i, ctx.target, ctx.schedules); })
          ? mine
          : std::string();
  const Choice ch = ChoiceOf(ctx, ctx.node_index, s, !shared.empty());
  const int P = ch.pixels, U = ch.channels;
  const std::optional<Ring> ring = ch.ring ? RingOf(s) : std::nullopt;

  init.resize(static_cast<size_t>((s.out_c + U - 1) / U * U), 0);
  const std::string wt = ctx.consts.AddInt32(
      n.name + "_w_smlad", biased ? PackBiasedWeights(w, s.out_c, k, U) : PackWeights(w, s.out_c, k, U));
  const std::string it = ctx.consts.AddInt32(n.name + "_init", init);

  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  const std::string blocks = std::to_string(P) + (P == 1 ? " pixel" : " pixels");
  std::string code = "/* conv2d '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                     TypeString(g, n.outputs[0]) + ", filter " + std::to_string(s.k_h) + "x" +
                     std::to_string(s.k_w) + ", stride " + std::to_string(s.w.stride_h) + "x" +
                     std::to_string(s.w.stride_w);
  if (s.w.dilation_h > 1 || s.w.dilation_w > 1)
    code += ", dilation " + std::to_string(s.w.dilation_h) + "x" + std::to_string(s.w.dilation_w);
  code += ", pad " + PadString(s.w) + ", act " + ops::DescribeActivation(s.w.act) +
          (has_bias ? "" : ", no bias") + "\n   " + rq.Describe() +
          "; init = bias - z_in * sum(w)\n   DSP (SMLAD): " +
          (ring ? "input rows made into int16 column words once, in a ring of " + std::to_string(ring->rows) +
                      " rows (" + std::to_string(ring->bytes(biased)) + " B of scratch), "
                : "im2col of " + blocks + " (K " + std::to_string(k) + " -> " + std::to_string(k4) +
                      ") into int16 scratch, ") +
          blocks + " x " + std::to_string(U) +
          (U == 1 ? " channel" : " channels") + " per inner loop" +
          (biased ? std::string(" (biased pair form, ember_bp_*") + (rq.doubled() ? "; SMMULR/SMMLAR requantization)" : ")")
                  : std::string()) +
          (shared.empty() ? "" : ",\n   in a body shared by the layers with the same text") + ".\n"
          "   Access order: pixels in raster order (batch, oy, ox) in blocks of " + std::to_string(P) +
          "; a block's outputs\n   are written after all its input pixels were read. */\n";

  // Scratch: [col8: P x k4 int8, gathered taps] [cols: P x k4 int16 as words].
  // Windows inside the image make their column words straight from it
  // (no gather into col8) where each filter row's taps are contiguous;
  // with every window inside (no border on either axis) there is no gather
  // at all (gcc -Warray-bounds would see one that cannot run read past the
  // image).
  const bool from_image = !s.direct() && s.w.dilation_w == 1 && (s.k_w * s.in_c) % 4 == 0;
  const bool all_inside = from_image && !AxisHasBorder(s.y()) && !AxisHasBorder(s.x());
  const int64_t col8_bytes = s.direct() || all_inside ? 0 : P * k4;
  const int64_t scratch = col8_bytes + 2 * P * k4;
  if (!shared.empty()) {
    std::vector<SharedParam> params = {{"int pixels", std::to_string(pixels)},
                                       {"int cout", std::to_string(s.out_c)},
                                       {"int groups", std::to_string(groups)},
                                       {"const int32_t* wts", wt},
                                       {"const int32_t* inits", it}};
    for (const SharedParam& t : rq.ShareTables()) params.push_back(t);
    Kernel kernel;
    kernel.code = code + SharedKernel("ember_conv_", "conv2d", ctx.fn_name, KernelParams(ctx, scratch), shared,
                                      params, "EMBER_NOINLINE ", ShareGroupOf(ctx, ctx.node_index));
    kernel.scratch_bytes = scratch;
    return kernel;
  }
  const std::string oc = std::to_string(s.out_c);
  SmladGemm gm{k4, s.out_c, U, P, ch.unroll, RowSource::kColumns, wt, it, "cols", ""};
  if (biased) {
    gm.biased = true;
    gm.doubled = rq.doubled();
    gm.start = P == 2 ? std::vector<std::string>{"nxa", "nxb"} : std::vector<std::string>{"nxa"};
  }
  gm.block_setup = rq.BlockSetup("c");
  gm.channel_load = [&](int u) { return rq.LoadChannel(u); };
  const auto store = [&](const std::string& acc, int p, const std::string& c, int) {
    return rq.StoreLoaded("o[" + (p ? oc + " + " : std::string()) + c + "]", acc, c);
  };
  if (ring) {
    const std::string row_fn = ctx.fn_name + "_row";
    code += RingRowFunction(s, *ring, row_fn, zin, biased);
    code += "EMBER_NOINLINE static void " + ctx.fn_name + "(" + KernelParams(ctx, ring->bytes(biased)) + ") {\n";
    code += Reindent(RingBody(s, *ring, P, biased, row_fn, gm, store), 2) + "}\n";
    Kernel kernel;
    kernel.code = code;
    kernel.scratch_bytes = ring->bytes(biased);
    return kernel;
  }
  const std::string im2col = ctx.fn_name + "_im2col", window = ctx.fn_name + "_window";
  if (!s.direct() && !all_inside) code += Im2colFunction(s, im2col, zin);
  if (from_image) code += WindowFunction(s, window);

  code += "EMBER_NOINLINE static void " + ctx.fn_name + "(" + KernelParams(ctx, scratch) + ") {\n";
  std::string b;
  if (!s.direct() && !all_inside) b += "int8_t* const col8 = (int8_t*)scratch;\n";
  b += "int32_t* const cols = (int32_t*)(scratch + " + std::to_string(col8_bytes) + ");\n";
  b += "int8_t* o = out0;\n";
  b += "for (int p = 0; p < " + std::to_string(pixels) + "; p += " + std::to_string(P) + ", o += " +
       std::to_string(P * s.out_c) + ") {\n";
  std::string blk;
  const bool odd = P == 2 && pixels % 2 == 1;  // the last block has one pixel
  if (odd) blk += "const int two = p + 1 < " + std::to_string(pixels) + ";  /* the block has a 2nd pixel */\n";
  if (biased) blk += P == 2 ? "int32_t nxa = 0, nxb = 0;\n" : "int32_t nxa = 0;\n";
  const std::string image = std::to_string(s.in_h * s.in_w * s.in_c);
  if (s.direct()) {
    blk += "const int8_t* const xa = in0 + p * " + std::to_string(s.in_c) + ";\n";
    if (P == 2)
      blk += "const int8_t* const xb = " + (odd ? "two ? xa + " + std::to_string(s.in_c) + " : xa" : "xa + " + std::to_string(s.in_c)) + ";\n";
    blk += ColumnWords(P, std::to_string(groups), groups % 2 == 0, biased);
  } else {
    std::string gather;
    if (P == 2) {
      gather += std::string("{\n  int q;\n  for (q = 0; q < ") + (odd ? "1 + two" : "2") + "; ++q) {\n";
      gather += "    const int i = (p + q) % " + std::to_string(hw) + ";\n";
      gather += "    " + im2col + "(in0 + (p + q) / " + std::to_string(hw) + " * " + image + ", i / " +
                std::to_string(s.out_w) + ", i % " + std::to_string(s.out_w) + ", col8 + q * " + std::to_string(k4) +
                ");\n  }\n}\n";
    } else {
      gather += "{\n  const int i = p % " + std::to_string(hw) + ";\n";
      gather += "  " + im2col + "(in0 + p / " + std::to_string(hw) + " * " + image + ", i / " +
                std::to_string(s.out_w) + ", i % " + std::to_string(s.out_w) + ", col8);\n}\n";
    }
    gather += "const int8_t* const xa = col8;\n";
    if (P == 2)
      gather += "const int8_t* const xb = " + (odd ? "two ? col8 + " + std::to_string(k4) + " : col8" : "col8 + " + std::to_string(k4)) + ";\n";
    gather += ColumnWords(P, std::to_string(groups), groups % 2 == 0, biased);
    if (from_image) {
      auto at = [&](const std::string& q) {
        const std::string i = "(" + q + ") % " + std::to_string(hw);
        return window + "(in0 + (" + q + ") / " + std::to_string(hw) + " * " + image + ", " + i + " / " +
               std::to_string(s.out_w) + ", " + i + " % " + std::to_string(s.out_w) + ")";
      };
      blk += "const int8_t* const ra = " + at("p") + ";\n";
      if (P == 2) blk += "const int8_t* const rb = " + (odd ? "two ? " + at("p + 1") + " : ra" : at("p + 1")) + ";\n";
      const std::string words =
          ColumnWordsFromImage(P, s.k_h, s.w.dilation_h * s.in_w * s.in_c, s.k_w * s.in_c / 4, biased);
      if (all_inside)
        blk += words;
      else
        blk += std::string("if (ra") + (P == 2 ? " && rb" : "") + ") {  /* every tap inside the image */\n" +
               Reindent(words, 2) + "} else {\n" + Reindent(gather, 2) + "}\n";
    } else {
      blk += gather;
    }
  }
  blk += EmitSmladGemm(gm, store, [&](int) { return odd ? std::string("two") : std::string(); });
  b += Reindent(blk, 2) + "}\n";
  code += Reindent(b, 2) + "}\n";
  Kernel kernel;
  kernel.code = code;
  kernel.scratch_bytes = scratch;
  return kernel;
}

}  // namespace ember::codegen::c::dsp
