// int8 matrix products for cores with the DSP extension (cortex-m4, m7, m33):
// the emitters of conv2d and fully_connected for those cores, and the inner
// loop they share, written with the SMLAD/SXTB16 helpers of
// runtime/include/ember/dsp.h (portable C elsewhere, so the same code runs in
// host tests).
//
// The shared inner loop multiplies a block of P rows (output pixels or input
// rows, P = 1 or 2) by a block of U weight rows (output channels or units,
// U = 1, 2, 4 or 8) over depth K in groups of four: per group, each row gives
// two int16x2 words, each weight word two more, and 2 * P * U SMLADs
// accumulate. Two forms:
//  - sign-extended: the row words are lanes 0,2 and lanes 1,3 of its four
//    int8 values (SXTB16, SXTB16-ROR-8), and each weight word is split the
//    same way (two instructions per weight word);
//  - biased pairs (BiasedFormFits; runtime/include/ember/dsp.h, ember_bp_*):
//    the row words are (p, r) = (x0, 256 x1 + 127 - x0) lane-wise (SXTB16,
//    EOR), and each weight word, stored with its bytes swapped in pairs and
//    the low byte offset by 128, is used as it is and with its high bytes
//    cleared (one AND). The accumulators end at 256 times the dot product
//    plus terms known from the row (subtracted at the start) and from the
//    weights (in init).
// Weights are packed at compile time into exactly the order the loop reads
// them (PackWeights, PackBiasedWeights). int32 accumulation wraps like the
// reference, so the order of terms is free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/shared_kernel.h"
#include "codegen/c/kernels/whole_input_pool.h"
#include "codegen/c/schedule.h"
#include "ops/conv_util.h"

namespace ember::codegen::c::dsp {

// An int8 conv2d's sizes (NHWC input, OHWI filter; the DSP and v7m
// variants handle ungrouped ones) and its im2col depth K = KH * KW * C_in.
struct ConvShape {
  int64_t batch, in_h, in_w, in_c, k_h, k_w, out_h, out_w, out_c;
  ops::Window w;
  int64_t depth() const { return k_h * k_w * in_c; }
  Axis y() const { return {in_h, k_h, w.stride_h, w.dilation_h, w.pad_top, out_h}; }
  Axis x() const { return {in_w, k_w, w.stride_w, w.dilation_w, w.pad_left, out_w}; }
  int64_t padded_depth() const { return (depth() + 3) / 4 * 4; }
  bool pointwise() const {
    return k_h == 1 && k_w == 1 && w.stride_h == 1 && w.stride_w == 1 && w.pad_top == 0 &&
           w.pad_left == 0 && w.pad_bottom == 0 && w.pad_right == 0;
  }
  // The block's pixels are read straight from the input (no int8 gather).
  bool direct() const { return pointwise() && in_c % 4 == 0; }
};
// False when the node's operands are not 4-d or its window does not parse.
bool GetConvShape(const KernelContext& ctx, ConvShape* s);
// Largest im2col depth the variants handle; larger ones stay portable.
constexpr int64_t kMaxIm2colDepth = 4096;
// The static C function `name`(in, oy, ox, d) that gathers output pixel
// (oy, ox)'s K taps of image `in` as int8 into d, in the filter's (ky, kx, ic)
// order, taps outside the image = `zin`, then zeros up to padded_depth().
std::string Im2colFunction(const ConvShape& s, const std::string& name, int32_t zin);

// Conv2D / FullyConnected variants for DSP cores. `*Applies` is true when the
// node is one the variant handles (int8, ungrouped, constant operands, sizes in
// range); otherwise the portable emitter runs.
bool Conv2DApplies(const KernelContext& ctx);
Expected<Kernel> EmitConv2D(const KernelContext& ctx);
bool FullyConnectedApplies(const KernelContext& ctx);
Expected<Kernel> EmitFullyConnected(const KernelContext& ctx);
// Their schedule spaces (codegen/c/schedule.h, docs/tuning.md), for nodes
// where *Applies holds.
std::optional<ScheduleSpace> Conv2DSpace(const KernelContext& ctx);
std::optional<ScheduleSpace> FullyConnectedSpace(const KernelContext& ctx);

// average_pool2d whose window is the whole input (int8, TFLite's
// arithmetic, at most 255 taps): the statements of the kernel body (operands
// in0, out0), or nullopt (more taps: the portable kernel).
std::optional<std::string> EmitWholeInputPoolBody(const WholeInputPool& w);
// The conv2d's pixels per block (its access order, for the overlap it declares).
int Conv2DPixelBlock(const KernelContext& ctx);
// Whether its blocks restart at each output row (a ring of input rows with
// blocks of two pixels on an odd output width), else they run on across rows.
bool Conv2DRowBlocks(const KernelContext& ctx);

// The requantization store of the DSP kernels: ember_requant_rs (one SMLAL
// and one shift, runtime/include/ember/dsp.h) when every channel's multiplier
// is >= 0 with a right shift of at least 2 (the usual case), else the
// portable Requant of conv_emit_util.h. Then the output zero point and the
// clamp, as the reference.
class DspRequant {
 public:
  // `doubled`: the kernel can give Store twice the int32 sum (the biased
  // pair form, every |sum| < 2^30); where the fast form applies, Store then
  // takes it and requantizes with ember_requant_mm (SMMULR, SMMLAR), and
  // doubled() is true.
  Status Init(const KernelContext& ctx, int64_t channels, ops::MultiplierFormula formula,
              bool doubled = false);
  bool doubled() const { return doubled_; }
  // Declarations at the start of a block of channels from `c` (the pointer
  // `rq` to its per-channel parameters), or "".
  std::string BlockSetup(const std::string& c) const;
  // A statement storing the int8 result of int32 `acc` of channel `ch`, the
  // block's channel number `u` (-1: the C variable `u`), to `dst`.
  std::string Store(const std::string& dst, const std::string& acc, const std::string& ch, int u) const;
  // Declarations reading block channel u's parameters into locals once, for
  // several StoreLoaded of that channel ("" when they are literals). A
  // store through int8_t* may alias the table, so without them gcc reloads
  // the parameters for every store.
  std::string LoadChannel(int u) const;
  // Store, reading the parameters from LoadChannel's locals.
  std::string StoreLoaded(const std::string& dst, const std::string& acc, const std::string& ch) const;
  std::string Describe() const { return DescribeRequant(r_); }
  // For a shared kernel body (shared_kernel.h): its per-channel tables become
  // parameters (rqt; or rqm and rqs for the portable form); returns them with
  // the tables as arguments ({} when the parameters are literals).
  std::vector<SharedParam> ShareTables();
  const ops::ConvRequant& params() const { return r_; }

 private:
  static constexpr int kLoaded = -2;  // Store's u: the LoadChannel locals
  ops::ConvRequant r_;
  Requant portable_;  // initialized (its tables emitted) only when !fast_
  bool fast_ = false, shared_ = true, zp_folded_ = false;
  bool clamped_ = false;  // range.min >= z_out: ember_requant_rs_clamped (ember_requant_mm_clamped)
  bool doubled_ = false;  // Store takes 2 * acc: ember_requant_mm
  std::string mult_, rnd_, shift_;  // literals (shared); doubled: multiplier, 2^(32 - e), unused
  std::string table_;               // per channel: multiplier, rounding term, shift (doubled: multiplier, 2^(32 - e))
  int Stride() const { return doubled_ ? 2 : 3; }
  std::string table_ref_;           // what BlockSetup reads it as ("": table_)
};

// Packs int8 weight rows [rows][depth] as little-endian words of four int8 in
// the loop's order: rows padded with zero rows to a multiple of `block`, depth
// padded with zeros to a multiple of 4; then, per block of `block` rows, per
// group of four depth values, one word per row of the block.
std::vector<int32_t> PackWeights(const std::vector<int8_t>& w, int64_t rows, int64_t depth,
                                 int64_t block);

// The biased pair form (runtime/include/ember/dsp.h, ember_bp_*): the weight
// words one AND instead of two SXTB16 each. It is exact for a weight matrix
// when, for every row and any int8 input, 256 times the dot product plus the
// row's weight term T = 127 (S + 128 n) stays inside int32 (S: the sum of the
// row's weights at odd depth positions, n: half its depth padded to a
// multiple of 4), so that no accumulator leaves int32.
// Rows whose multiplier in `rq` is 0 are left out (LiveChannel).
bool BiasedFormFits(const std::vector<int8_t>& w, int64_t rows, int64_t depth,
                    const ops::ConvRequant* rq = nullptr);
// A channel whose TFLite multiplier is 0 (a scale that quantizes to 0)
// requantizes every sum to z_out: the form of its product and the size of its
// sum do not matter. False for such a row of `rq` (null, without multipliers
// or with ONNX Runtime's float scales, whose multipliers are unset: every row
// is live).
inline bool LiveChannel(const ops::ConvRequant* rq, int64_t row) {
  return !rq || rq->semantics != ops::Int8Semantics::kTflite || rq->mult.empty() ||
         rq->mult[static_cast<size_t>(row)].multiplier != 0;
}
// The fast requantization's shift of a multiplier: its own, or -2 for a zero
// multiplier (which gives z_out with any shift; QuantizeMultiplier gives it 0).
inline int FastShift(const ops::QuantizedMultiplier& q) { return q.multiplier == 0 ? -2 : q.shift; }
// The largest |init[r]| + 128 sum|w[r]| over the live rows (DoubledSumFits'
// bound; FoldZeroPoints' own bound counts every row).
int64_t LiveBound(const std::vector<int8_t>& w, const std::vector<int32_t>& init, int64_t rows, int64_t depth,
                  const ops::ConvRequant& rq);
// PackWeights with each word's bytes (w0, w1, w2, w3) stored as
// (w1 ^ 0x80, w0, w3 ^ 0x80, w2); padding (zero weights) too.
std::vector<int32_t> PackBiasedWeights(const std::vector<int8_t>& w, int64_t rows, int64_t depth,
                                       int64_t block);
// init[r] - floor(T_r / 256) for each row r < rows (wrapping; T_r >= 0 the
// row's weight term above): the base that ember_bp_result adds; with
// `doubled`, 2 init[r] - floor(T_r / 128), ember_bp_result2's.
void BiasInit(const std::vector<int8_t>& w, int64_t rows, int64_t depth, std::vector<int32_t>* init,
              bool doubled = false);
// Whether a biased layer can hand its stores twice the int32 sum: no filter
// zero point, and `bound` (LiveBound) below 2^30.
inline bool DoubledSumFits(int32_t zw, int64_t bound) { return zw == 0 && bound < (int64_t{1} << 30); }

// A conv2d's or fully_connected's weight rows and the form of its product.
struct GemmLayer {
  ops::ConvRequant pre;       // the node's quantization parameters
  std::vector<int8_t> w;      // the weights, [rows][depth]
  std::vector<int32_t> init;  // per row: FoldZeroPoints, then BiasInit in the biased form
  int32_t zw = 0;             // the filter zero point folded into init (0 with per-channel multipliers)
  bool biased = false;        // BiasedFormFits
};
// Reads node ctx's weights and quantization (`rows` rows of `depth`), picks
// the form of its product (BiasedFormFits) and initializes `rq`, from twice
// the sum where the biased form's sums allow it (DoubledSumFits: the zero
// points and the bound come first). `filter_zp`: the kernel folds a
// per-tensor filter zero point (fully_connected); conv2d's is 0.
Status PrepareGemmLayer(const KernelContext& ctx, int64_t rows, int64_t depth, ops::MultiplierFormula formula,
                        bool filter_zp, DspRequant* rq, GemmLayer* layer);

// The int8 word of the last, partial group of a row (`n` of 4 values at
// xq[at..at+n-1] of the C pointer `xq`), the missing lanes zero: an int32
// expression that reads nothing past the row.
std::string PartialWord(int64_t at, int64_t n);

// How a group of four row values is obtained.
enum class RowSource {
  kColumns,  // `xp` (const int32_t*): per group, per row, its two int16x2 words
             // (an im2col block prepared with SplitS8x4)
  kInt8,     // `xq` (const int8_t*): one row of int8, read a word at a time
  kRing,     // rows of column words made once (conv2d's ring of input rows):
             // per group, row 0's two words at `xp`, row p's `row_words`
             // words further; the depth runs in `segments` passes of
             // `unroll` groups, pass `sg` from `segment_start`
};

struct SmladGemm {
  int64_t depth;     // K (kInt8), or K padded to a multiple of 4 (kColumns)
  int64_t channels;  // weight rows that exist (the packed table has them rounded up)
  int block;         // U
  int rows;          // P (kColumns: 1 or 2; kInt8: 1)
  int unroll;        // groups per loop iteration
  RowSource source;
  std::string weights;  // packed table (PackWeights with `block`)
  std::string init;     // int32 start values, one per packed weight row
  std::string columns;  // kColumns: the expression of the first column word
  std::string row;      // kInt8: the expression of the row's first int8
  int64_t segments = 1;           // kRing: passes of the depth (depth = 4 * unroll * segments)
  std::string segment_start = "";  // kRing: segment `sg`'s first word (an expression of sg)
  int64_t row_words = 0;          // kRing: words from row p's words to row p + 1's
  // The biased pair form: the weights come from PackBiasedWeights, the
  // `init` table from BiasInit; kColumns words are (ember_bp_p,
  // ember_bp_r) pairs; row p's accumulators start at start[p] (-32768 times
  // the sum of its odd lanes, ember_bp_start) and are stored as
  // ember_bp_result(acc, init[ch]).
  bool biased = false;
  bool doubled = false;  // biased: stored as ember_bp_result2 (twice the sum; init from BiasInit doubled)
  std::vector<std::string> start = {};
  std::string block_setup = "";  // statements at the start of each channel block (`c`)
  // The stores go channel by channel (all rows of channel u, then u + 1);
  // when set, channel_load(u) precedes channel u's stores in their scope.
  std::function<std::string(int u)> channel_load = nullptr;
  bool store_loop = false;  // rows == 1: store the block through a loop over `u` (store's u = -1)
  // Sizes as C expressions of the caller's body (shared kernels, shared_kernel.h);
  // "" = the literals above. `channels_expr`: the channel count (the loop runs
  // while c < it). `passes_expr`: the number of passes of `unroll` groups
  // (>= 1; then depth is a multiple of 4 * unroll).
  std::string channels_expr = "", passes_expr = "";
};

// Whether EmitSmladGemm computes each block's sums with one call of
// ember_bp_dot8 (runtime/include/ember/dsp.h; an assembly function on DSP
// cores): one kInt8 row of whole groups of four (depth a multiple of 4) in
// the biased pair form, blocks of eight units, one group per pass.
bool UsesDot8(const SmladGemm& g);

// The loop over channel blocks: for each block, accumulate every group, then
// `store(acc, p, ch, u)` for row p, channel expression ch (e.g. "c + 1") and
// block channel u of each accumulator, skipping channels >= `channels`. `row_guard(p)` is a
// condition under which row p > 0 is stored ("" = always).
std::string EmitSmladGemm(const SmladGemm& g,
                          const std::function<std::string(const std::string& acc, int p,
                                                          const std::string& ch, int u)>& store,
                          const std::function<std::string(int p)>& row_guard);

}  // namespace ember::codegen::c::dsp
