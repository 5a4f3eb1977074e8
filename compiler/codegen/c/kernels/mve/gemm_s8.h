// Helium (MVE) int8 matrix product for conv2d and fully_connected on
// cortex-m55 targets: out[r][u] = requant(init[u] + sum_k w[u][k] * x[r][k]).
//
// Rows are output pixels (or FC batches); each row's K inputs come either
// straight from the input (`direct`: row r at in0 + r * K), from an im2col
// function that gathers one pixel's window into scratch, or (`window`) from
// the window where it lies in the input, its kernel rows a pitch apart, and
// gathered at that pitch only where it crosses the border. Rows go in blocks of
// 2 (the schedule may choose 1). A block of 2 takes 2 rows x 4 units per
// pass: per 16-byte chunk, 4 weight and 2 input vector loads serve 8 dot
// products (VMLADAVA.S8, 16 MACs each). The whole depth loop of a pass is one
// inline assembly block (EMBER_MVE_DOT24, mve.h): its 8 accumulators must sit
// in even registers, which GCC 12 cannot allocate across a C loop. With
// TFLite's arithmetic and no filter zero point (the usual case) one assembly
// block does every unit block of the 2 rows and their requantization from a
// per-channel table (EMBER_MVE_DOT24Q; a per-tensor multiplier is repeated in
// it): the C loop around a block per call kept its state on the stack, about
// 10 instructions per block. A block of
// 1 takes 1 row x 4 units (ember_mve_dot4: 1 input load serves 4 products).
// Weights are rearranged at compile time into the order the loop reads them
// ([unit block][16-byte chunk][4 units][16]), padded with zeros to a multiple
// of 4 units and 16 depth; the last chunk of a row is loaded with a tail
// predicate (lanes past K read as 0). The input zero point is folded into
// init at compile time, so raw int8 inputs multiply raw int8 weights (exact:
// int32 sums wrap). Requantization runs on 4 units at a time with VQRDMULH
// and a rounding shift, bit-exact with ember_mbqm (mve.h).
//
// Access order (for memory planning): rows in ascending order (batch, oy, ox
// raster order), in blocks of 2 consecutive rows (the last block may have 1).
// With `stage`, every output byte of a block is written (from a staging area
// in scratch) only after all input bytes of the block's rows were read;
// without, a block's outputs are written while its rows are still being read
// (so they must not overlap the block's own inputs). Nothing else of the
// input or output is touched while a block runs.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codegen/c/emitter.h"
#include "codegen/c/schedule.h"
#include "ops/conv_util.h"

namespace ember::codegen::c::mve {

struct GemmS8 {
  std::string comment;            // the kernel's leading comment (complete, with /* */)
  int64_t rows = 0, depth = 0, units = 0;
  std::vector<int8_t> weights;    // [units][depth]
  std::vector<int32_t> init;      // [units]: accumulator start (bias and zero-point terms)
  ops::ConvRequant rq;            // multipliers, output zero point, clamp
  int32_t row_sum_mult = 0;       // when non-zero, acc += row_sum_mult * sum(x[r]) (FC filter zp)
  // Empty for direct rows; else the body of
  //   static void <fn>_im2col(int8_t* d, const int8_t* in0, int p)
  // which writes the `depth` inputs of row p to d[0..depth-1].
  std::string im2col;
  // A window read where it lies in the input (conv2d; GemmS8WindowFits):
  // `at` is the body of
  //   static const int8_t* <fn>_at(const int8_t* in0, int p)
  // which returns row p's window in the input when all of it lies inside the
  // image, else 0; then `im2col` writes the window to scratch at the same
  // pitch. Its `rows` kernel rows of `row_bytes` bytes lie `pitch` bytes apart.
  struct Window {
    std::string at;
    int64_t rows = 0, row_bytes = 0, pitch = 0;
  } window;
  // Outputs of a block go through scratch (see the access order above).
  bool stage = true;
  // The body takes rows, units and depth (in 16-byte chunks) and the tables as
  // parameters and is shared by the layers with the same text (shared_kernel.h);
  // only with `stage` and no row sums.
  bool share = false;
  // Schedule (docs/tuning.md, GemmS8Knobs): rows per block (1 or 2) and
  // full 16-byte chunks per pass of the depth loop after the first (1, 2 or
  // 4, the rest one at a time; or all of them, at most kMaxInLine: in line,
  // without a loop). ApplyGemmS8Schedule sets them.
  int block_rows = 2;
  int unroll = 1;
};

// The most full chunks after the first that an unroll factor puts in line.
inline constexpr int64_t kMaxInLine = 8;

// The most scratch a window's two rows (GemmS8::Window) may take.
inline constexpr int64_t kMaxWindowScratch = 4096;

// Whether `g` can take `window` (its rows, row_bytes and pitch set; `at`
// not needed): the depth in line in 2-row blocks that requantize in their
// assembly (TFLite's arithmetic, no row sums, units a multiple of 4, an
// even row count, no shared body, no staging), whole 16-byte chunks per
// kernel row, the two windows side by side within the pitch, and a pitch
// the assembly's ADD immediate holds.
bool GemmS8WindowFits(const GemmS8& g, const GemmS8::Window& window);

// The knobs of a product of `depth` (the rows knob named `rows_name`:
// "pixels" for conv2d, "rows" for fully_connected); unroll: the number of
// full chunks after the first when it is 2 to kMaxInLine (in line), and 2
// or 4 where they loop (at least as many chunks follow the first; twice as
// many when the in-line value is offered). The default point: 2 rows per
// block; unroll: every chunk after the first when 1 to kMaxInLine follow
// it, else 4 when at least 4 do, else 1.
std::vector<Knob> GemmS8Knobs(int64_t depth, const std::string& rows_name);
Schedule GemmS8Default(int64_t depth, const std::string& rows_name);
// The size point (ScheduleSpace::size_point): one row per block (half the
// scratch), the depth loop one chunk per pass.
Schedule GemmS8Size(const std::string& rows_name);
// The unroll factor that a schedule's value `u` gives for `depth`: 2, 4, or
// the number of full chunks after the first (2 to kMaxInLine); else 1.
int UnrollOf(int64_t depth, int64_t u);
// True when a product of `depth` with the unroll value `u` has no loop over
// its depth: at most one full chunk, or every full chunk after the first
// in line (UnrollOf).
bool DepthInLine(int64_t depth, int64_t u);
// Sets g's schedule fields from `s`: knobs `s` leaves out take the default
// (which depends on g->depth: set it first), a rows value other than 1 means
// 2, an unroll value goes through UnrollOf.
void ApplyGemmS8Schedule(const Schedule& s, const std::string& rows_name, GemmS8* g);

// `ctx` with its constants going to `pool`: Requant::Init on it computes the
// multipliers without adding the portable kernel's tables to the model.
inline KernelContext RequantContext(const KernelContext& ctx, ConstPool* pool) {
  return KernelContext{ctx.graph, ctx.node, ctx.node_index, ctx.fn_name, *pool, ctx.target, false, nullptr, ctx.share_groups};
}

// The kernel (function text, scratch size) of `g` for ctx.fn_name.
Expected<Kernel> EmitGemmS8(const KernelContext& ctx, const GemmS8& g);

}  // namespace ember::codegen::c::mve
