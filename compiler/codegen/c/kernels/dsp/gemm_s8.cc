// The SMLAD inner loop shared by the DSP conv2d and fully_connected emitters
// (contract in gemm_s8.h).
#include "codegen/c/kernels/dsp/gemm_s8.h"

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"

namespace ember::codegen::c::dsp {
namespace {

std::string Acc(int p, int u) { return "acc" + std::to_string(p) + std::to_string(u); }

std::string Ch(int u) { return u == 0 ? std::string("c") : "c + " + std::to_string(u); }

}  // namespace

std::string PartialWord(int64_t at, int64_t n) {
  std::string s;
  for (int64_t i = 0; i < n; ++i) {
    const std::string b = "(uint32_t)(uint8_t)xq[" + std::to_string(at + i) + "]";
    s += (i ? " | " : "") + (i ? "(" + b + " << " + std::to_string(8 * i) + ")" : b);
  }
  return "(int32_t)(" + s + ")";
}

namespace {

// One group of four depth values at the current pointers, which it
// advances: the row words, then per weight row its two halves and 2 * P
// SMLADs. Word pairs are loaded with ember_ld2 (LDRD with post-increment).
// `partial` > 0: the kInt8 row's last group has only that many values.
// kRing: `at` is the group's place in its pass (its words at xp[2 at]).
std::string Step(const SmladGemm& g, int64_t partial, int64_t at = 0) {
  std::string s = "{\n";
  for (int p = 0; p < g.rows; ++p) {
    const std::string l = "x" + std::to_string(p) + "l", h = "x" + std::to_string(p) + "h";
    if (g.source == RowSource::kRing) {
      s += "  int32_t " + l + ", " + h + ";\n  EMBER_LD2_AT(xp, " + std::to_string(p * g.row_words + 2 * at) + ", " + l +
           ", " + h + ");\n";
    } else if (g.source == RowSource::kColumns) {
      s += "  int32_t " + l + ", " + h + ";\n  ember_ld2(&xp, &" + l + ", &" + h + ");\n";
    } else {
      const std::string word = partial > 0 ? PartialWord(0, partial) : "ember_read_s8x4(xq)";
      s += "  const int32_t xw = " + word + ";\n";
      if (g.biased)
        s += "  const int32_t " + l + " = ember_bp_p(xw), " + h + " = ember_bp_r(xw);\n";
      else
        s += "  const int32_t " + l + " = ember_sxtb16(xw), " + h + " = ember_sxtb16_ror8(xw);\n";
      if (partial == 0) s += "  xq += 4;\n";
    }
  }
  for (int u = 0; u < g.block; u += 2) {
    const bool pair = u + 1 < g.block;
    const std::string w0 = "w" + std::to_string(u), w1 = "w" + std::to_string(u + 1);
    if (pair) s += "  int32_t " + w0 + ", " + w1 + ";\n  ember_ld2(&wp, &" + w0 + ", &" + w1 + ");\n";
    else s += "  const int32_t " + w0 + " = *wp++;\n";
    for (int v = u; v < (pair ? u + 2 : u + 1); ++v) {
      const std::string w = "w" + std::to_string(v);
      if (g.biased)
        s += "  {\n    const int32_t wl = " + w + ", wh = ember_bp_lo(" + w + ");\n";
      else
        s += "  {\n    const int32_t wl = ember_sxtb16(" + w + "), wh = ember_sxtb16_ror8(" + w + ");\n";
      for (int p = 0; p < g.rows; ++p) {
        const std::string a = Acc(p, v), x = "x" + std::to_string(p);
        s += "    " + a + " = ember_smlad(wl, " + x + "l, " + a + ");\n";
        s += "    " + a + " = ember_smlad(wh, " + x + "h, " + a + ");\n";
      }
      s += "  }\n";
    }
  }
  return s + "}\n";
}

}  // namespace

bool GetConvShape(const KernelContext& ctx, ConvShape* s) {
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  if (n.inputs.size() < 2 || n.outputs.empty() || n.inputs[0] == ir::kNoTensor ||
      n.inputs[1] == ir::kNoTensor)
    return false;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  if (in.shape.size() != 4 || f.shape.size() != 4 || out.shape.size() != 4) return false;
  *s = ConvShape{in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2],
                 out.shape[1], out.shape[2], f.shape[0], {}};
  return ops::ParseWindow(n, true, false, &s->w).ok();
}

std::string Im2colFunction(const ConvShape& s, const std::string& name, int32_t zin) {
  const Axis ay = s.y(), ax = s.x();
  const std::string c = std::to_string(s.in_c), row = std::to_string(s.k_w * s.in_c);
  const std::string z = std::to_string(zin);
  std::string b = "/* im2col of output pixel (oy, ox) of image `in`: " + std::to_string(s.depth()) +
                  " int8 taps (ky, kx, ic), outside taps = z_in " + z + ", then " +
                  std::to_string(s.padded_depth() - s.depth()) + " zeros */\n";
  b += "static void " + name + "(const int8_t* in, int oy, int ox, int8_t* d) {\n";
  b += "  const int y0 = " + Affine("oy", s.w.stride_h, -s.w.pad_top) + ";\n";
  b += "  const int x0 = " + Affine("ox", s.w.stride_w, -s.w.pad_left) + ";\n";
  b += "  for (int ky = 0; ky < " + std::to_string(s.k_h) + "; ++ky, d += " + row + ") {\n";
  b += "    const int iy = y0 + " + (s.w.dilation_h == 1 ? std::string("ky") : "ky * " + std::to_string(s.w.dilation_h)) + ";\n";
  if (AxisHasBorder(ay)) {
    b += "    if (iy < 0 || iy >= " + std::to_string(s.in_h) + ") {\n      memset(d, " + z + ", " +
         row + ");\n      continue;\n    }\n";
  } else {
    b += "    (void)iy;\n";
  }
  b += "    {\n      const int8_t* r = in + iy * " + std::to_string(s.in_w * s.in_c) + ";\n";
  const std::string gather_taps =
      "for (int kx = 0; kx < " + std::to_string(s.k_w) + "; ++kx) {\n  const int ix = x0 + " +
      (s.w.dilation_w == 1 ? std::string("kx") : "kx * " + std::to_string(s.w.dilation_w)) +
      ";\n  if (ix < 0 || ix >= " + std::to_string(s.in_w) + ") memset(d + kx * " + c + ", " + z +
      ", " + c + ");\n  else memcpy(d + kx * " + c + ", r + ix * " + c + ", " + c + ");\n}\n";
  const std::string whole = "memcpy(d, r + x0 * " + c + ", " + row + ");\n";
  if (!AxisHasBorder(ax) && s.w.dilation_w == 1) {
    b += Reindent(whole, 6);
  } else if (!AxisHasBorder(ax)) {
    b += Reindent(gather_taps, 6);
  } else if (s.w.dilation_w == 1) {
    b += "      if (x0 >= 0 && x0 + " + std::to_string(s.k_w) + " <= " + std::to_string(s.in_w) +
         ") {\n" + Reindent(whole, 8) + "      } else {\n" + Reindent(gather_taps, 8) + "      }\n";
  } else {
    b += Reindent(gather_taps, 6);
  }
  b += "    }\n  }\n";
  if (s.padded_depth() > s.depth())
    b += "  memset(d, 0, " + std::to_string(s.padded_depth() - s.depth()) + ");\n";
  return b + "}\n";
}

Status DspRequant::Init(const KernelContext& ctx, int64_t channels, ops::MultiplierFormula formula, bool doubled) {
  EMBER_RETURN_IF_ERROR(ops::PrepareConvRequant(ctx.graph, ctx.node, channels, formula, &r_));
  const auto& r = r_;
  fast_ = r.semantics == ops::Int8Semantics::kTflite;  // onnxruntime: float scales, no multipliers
  bool fold = true;  // the output zero point rides in the rounding term (|z << s| <= 2^29)
  for (const auto& q : r.mult) {
    if (q.multiplier != r.mult[0].multiplier || q.shift != r.mult[0].shift) shared_ = false;
    if (q.multiplier == 0 && fast_) continue;  // z_out for every sum and shift: FastShift
    if (q.multiplier < 0 || q.shift > -2 || q.shift < -31) fast_ = false;
    if (-q.shift - 1 > 22) fold = false;
  }
  if (!fast_) return portable_.Init(ctx, channels, formula);
  zp_folded_ = fold;
  // Every multiplier is normalized (QuantizeMultiplier: [2^30, 2^31), or 0)
  // and every shift s >= 1 here, so a negative acc gives a result <= 0 with
  // either rounding of ember_requant_rs_clamped.
  clamped_ = ops::ClampHidesNegativeRounding(r.range.min, r.output_zp);
  for (const auto& q : r.mult)
    if (q.multiplier != 0 && q.multiplier < (int32_t{1} << 30)) clamped_ = false;
  doubled_ = doubled;
  std::vector<int32_t> table;  // per channel: multiplier, rounding term, shift (doubled: multiplier, 2^(32 - e))
  for (const auto& q : r.mult) {
    const int shift = FastShift(q);
    if (doubled_) {
      table.insert(table.end(), {q.multiplier, int32_t{1} << (32 + shift)});
      continue;
    }
    const int s = -shift - 1;
    int32_t rnd = int32_t{1} << (s - 1);
    if (fold) rnd += r.output_zp * (int32_t{1} << s);
    table.insert(table.end(), {q.multiplier, rnd, s});
  }
  if (shared_) {
    mult_ = CInt(table[0]);
    rnd_ = CInt(table[1]);
    if (!doubled_) shift_ = std::to_string(table[2]);
  } else {
    table_ = ctx.consts.AddInt32(ctx.node.name + "_requant", table);
  }
  return Status::Ok();
}

std::vector<SharedParam> DspRequant::ShareTables() {
  if (!fast_) {
    const std::vector<std::string> t = portable_.Tables();
    if (t.empty()) return {};
    portable_.RenameTables("rqm", "rqs");
    if (t.size() == 1) return {{"const float* rqm", t[0]}};  // onnxruntime: float scales
    return {{"const int32_t* rqm", t[0]}, {"const int32_t* rqs", t[1]}};
  }
  if (table_.empty()) return {};
  table_ref_ = "rqt";
  return {{"const int32_t* rqt", table_}};
}

std::string DspRequant::BlockSetup(const std::string& c) const {
  if (!fast_ || shared_) return "";
  return "const int32_t* const rq = " + (table_ref_.empty() ? table_ : table_ref_) + " + " + std::to_string(Stride()) +
         " * " + c + (doubled_ ? ";  /* multiplier, 2^(32 - e) for the right shift e */\n" : ";  /* multiplier, rounding, shift */\n");
}

std::string DspRequant::LoadChannel(int u) const {
  if (!fast_ || shared_) return "";
  const int k = Stride();
  if (doubled_)
    return "const int32_t rqm = rq[" + std::to_string(k * u) + "], rqr = rq[" + std::to_string(k * u + 1) + "];\n";
  return "const int32_t rqm = rq[" + std::to_string(k * u) + "], rqr = rq[" + std::to_string(k * u + 1) + "], rqs = rq[" +
         std::to_string(k * u + 2) + "];\n";
}

std::string DspRequant::StoreLoaded(const std::string& dst, const std::string& acc, const std::string& ch) const {
  return Store(dst, acc, ch, kLoaded);
}

std::string DspRequant::Store(const std::string& dst, const std::string& acc, const std::string& ch,
                              int u) const {
  if (!fast_) return portable_.Store(dst, acc, ch);
  const auto& r = r_;
  static const char* const kLocal[] = {"rqm", "rqr", "rqs"};
  const int n = Stride();
  auto at = [&](const std::string& lit, int k) {
    if (shared_) return lit;
    if (u == kLoaded) return std::string(kLocal[k]);
    return u < 0 ? "rq[" + std::to_string(n) + " * u + " + std::to_string(k) + "]" : "rq[" + std::to_string(n * u + k) + "]";
  };
  std::string v;
  if (doubled_) {
    v = std::string(clamped_ ? "ember_requant_mm_clamped(" : "ember_requant_mm(") + acc + ", " + at(mult_, 0) + ", " +
        at(rnd_, 1) + ", " + CInt(r.output_zp) + ")";
  } else {
    v = std::string(clamped_ ? "ember_requant_rs_clamped(" : "ember_requant_rs(") + acc + ", " + at(mult_, 0) + ", " +
        at(rnd_, 1) + ", " + at(shift_, 2) + ")";
    if (r.output_zp != 0 && !zp_folded_)
      v += (r.output_zp > 0 ? " + " : " - ") + std::to_string(std::abs(r.output_zp));
  }
  const std::string lo = CInt(r.range.min), hi = CInt(r.range.max);
  std::string st = "{\n  int32_t v = " + v + ";\n";
  if (r.range.min > -128) st += "  v = v < " + lo + " ? " + lo + " : v;\n";
  if (r.range.max < 127) st += "  v = v > " + hi + " ? " + hi + " : v;\n";
  return st + "  " + dst + " = (int8_t)ember_ssat8(v);\n}\n";
}

std::vector<int32_t> PackWeights(const std::vector<int8_t>& w, int64_t rows, int64_t depth,
                                 int64_t block) {
  const int64_t groups = (depth + 3) / 4, blocks = (rows + block - 1) / block;
  std::vector<int32_t> out;
  out.reserve(static_cast<size_t>(blocks * block * groups));
  for (int64_t b = 0; b < blocks; ++b) {
    for (int64_t gi = 0; gi < groups; ++gi) {
      for (int64_t u = 0; u < block; ++u) {
        const int64_t r = b * block + u;
        uint32_t word = 0;
        for (int64_t i = 0; i < 4; ++i) {
          const int64_t d = gi * 4 + i;
          const int8_t v = r < rows && d < depth ? w[static_cast<size_t>(r * depth + d)] : 0;
          word |= static_cast<uint32_t>(static_cast<uint8_t>(v)) << (8 * i);
        }
        out.push_back(static_cast<int32_t>(word));
      }
    }
  }
  return out;
}

namespace {

// Row r's sum of |w|, its sum of the weights at odd depth positions (S),
// and the largest and smallest dot products with int8 inputs.
struct RowSums {
  int64_t abs = 0, odd = 0, most = 0, least = 0;
};
RowSums SumsOfRow(const std::vector<int8_t>& w, int64_t r, int64_t depth) {
  RowSums s;
  for (int64_t d = 0; d < depth; ++d) {
    const int64_t v = w[static_cast<size_t>(r * depth + d)];
    s.abs += v < 0 ? -v : v;
    if (d % 2 == 1) s.odd += v;
    s.most += v < 0 ? -128 * v : 127 * v;   // x = -128 or 127
    s.least += v < 0 ? 127 * v : -128 * v;  // x = 127 or -128
  }
  return s;
}

// The biased form's weight term T = 127 (S + 128 n) of a row (dsp.h; n: the
// low-byte lanes of its padded depth), >= 0.
int64_t WeightTerm(const RowSums& s, int64_t depth) { return 127 * (s.odd + 128 * ((depth + 3) / 4 * 2)); }

}  // namespace

bool BiasedFormFits(const std::vector<int8_t>& w, int64_t rows, int64_t depth, const ops::ConvRequant* rq) {
  constexpr int64_t kLimit = int64_t{1} << 31;
  for (int64_t r = 0; r < rows; ++r) {
    if (!LiveChannel(rq, r)) continue;
    const RowSums s = SumsOfRow(w, r, depth);
    const int64_t t = WeightTerm(s, depth);
    if (256 * s.most + t >= kLimit || 256 * s.least + t < -kLimit) return false;
  }
  return true;
}

int64_t LiveBound(const std::vector<int8_t>& w, const std::vector<int32_t>& init, int64_t rows, int64_t depth,
                  const ops::ConvRequant& rq) {
  int64_t b = 0;
  for (int64_t r = 0; r < rows; ++r) {
    if (!LiveChannel(&rq, r)) continue;
    b = std::max(b, std::abs(int64_t{init[static_cast<size_t>(r)]}) + 128 * SumsOfRow(w, r, depth).abs);
  }
  return b;
}

std::vector<int32_t> PackBiasedWeights(const std::vector<int8_t>& w, int64_t rows, int64_t depth,
                                       int64_t block) {
  std::vector<int32_t> out = PackWeights(w, rows, depth, block);
  for (int32_t& word : out) {
    const uint32_t u = static_cast<uint32_t>(word);
    const uint32_t swapped = ((u & 0x00ff00ffu) << 8) | ((u >> 8) & 0x00ff00ffu);
    word = static_cast<int32_t>(swapped ^ 0x00800080u);
  }
  return out;
}

void BiasInit(const std::vector<int8_t>& w, int64_t rows, int64_t depth, std::vector<int32_t>* init, bool doubled) {
  for (int64_t r = 0; r < rows; ++r) {
    const int64_t t = WeightTerm(SumsOfRow(w, r, depth), depth);  // >= 0
    int32_t& v = (*init)[static_cast<size_t>(r)];
    const uint32_t u = static_cast<uint32_t>(v);
    v = doubled ? static_cast<int32_t>(2 * u - static_cast<uint32_t>(t / 128))
                : static_cast<int32_t>(u - static_cast<uint32_t>(t / 256));
  }
}

Status PrepareGemmLayer(const KernelContext& ctx, int64_t rows, int64_t depth, ops::MultiplierFormula formula,
                        bool filter_zp, DspRequant* rq, GemmLayer* layer) {
  GemmLayer& l = *layer;
  EMBER_RETURN_IF_ERROR(ops::PrepareConvRequant(ctx.graph, ctx.node, rows, formula, &l.pre));
  l.zw = filter_zp && formula != ops::MultiplierFormula::kDouble ? l.pre.filter_zp : 0;
  l.w = Int8Data(ctx.graph, ctx.node.inputs[1]);
  l.init = FoldZeroPoints(l.w, BiasData(ctx.graph, ctx.node, rows), rows, depth, l.pre.input_zp, l.zw);
  l.biased = BiasedFormFits(l.w, rows, depth, &l.pre);
  const bool doubled = l.biased && DoubledSumFits(l.zw, LiveBound(l.w, l.init, rows, depth, l.pre));
  EMBER_RETURN_IF_ERROR(rq->Init(ctx, rows, formula, doubled));
  if (l.biased) BiasInit(l.w, rows, depth, &l.init, rq->doubled());
  return Status::Ok();
}

bool UsesDot8(const SmladGemm& g) {
  return g.biased && g.source == RowSource::kInt8 && g.rows == 1 && g.block == 8 && g.depth % 4 == 0 &&
         g.depth > 0 && g.passes_expr.empty() && g.unroll == 1;
}

namespace {

// A block's sums through one call of ember_bp_dot8 (UsesDot8), as the
// accumulators' constant names.
std::string Dot8Sums(const SmladGemm& g) {
  const int64_t groups = g.depth / 4;
  std::string b = "int32_t sums[8];\nsums[0] = " + g.start.at(0) + ";\nember_bp_dot8(" + g.row + ", wp, " +
                  std::to_string(groups) + ", sums);\nwp += " + std::to_string(8 * groups) + ";\n";
  for (int u = 0; u < g.block; ++u)
    b += std::string(u ? ", " : "const int32_t ") + Acc(0, u) + " = sums[" + std::to_string(u) + "]";
  return b + ";\n" + g.block_setup;
}

// kRing: the depth in `segments` passes of `unroll` groups, each pass from
// its own first word (segment_start).
std::string RingPasses(const SmladGemm& g) {
  std::string pass;
  for (int64_t o = 0; o < g.unroll; ++o) pass += Step(g, 0, o);
  return "for (int sg = 0; sg < " + std::to_string(g.segments) + "; ++sg) {\n  const int32_t* xp = " +
         g.segment_start + ";\n" + Reindent(pass, 2) + "}\n";
}

// A block's accumulators, then the SMLAD loop over its groups (Step).
std::string LoopSums(const SmladGemm& g) {
  const int64_t full = g.depth / 4, partial = g.depth % 4;
  const int64_t iters = full / g.unroll, rest = full % g.unroll;
  std::string b;
  for (int u = 0; u < g.block; ++u) {
    if (g.biased) {
      b += "int32_t " + Acc(0, u) + " = " + g.start.at(0);
      for (int p = 1; p < g.rows; ++p) b += ", " + Acc(p, u) + " = " + g.start.at(static_cast<size_t>(p));
    } else {
      b += "int32_t " + Acc(0, u) + " = " + g.init + "[" + Ch(u) + "]";
      for (int p = 1; p < g.rows; ++p) b += ", " + Acc(p, u) + " = " + Acc(0, u);
    }
    b += ";\n";
  }
  b += g.block_setup;
  if (g.source == RowSource::kRing) return b + RingPasses(g);
  if (g.source == RowSource::kColumns) b += "const int32_t* xp = " + g.columns + ";\n";
  else b += "const int8_t* xq = " + g.row + ";\n";
  std::string unrolled;
  for (int64_t o = 0; o < g.unroll; ++o) unrolled += Step(g, 0);
  const std::string per_pass =
      (g.unroll == 1 ? std::string("one group") : std::to_string(g.unroll) + " groups") + " of 4 per pass */\n";
  if (!g.passes_expr.empty()) {
    b += "for (int i = " + g.passes_expr + "; i != 0; --i) {  /* " + per_pass + Reindent(unrolled, 2) + "}\n";
    return b;
  }
  if (iters > 1)
    b += "for (int i = 0; i < " + std::to_string(iters) + "; ++i) {  /* " + per_pass + Reindent(unrolled, 2) + "}\n";
  else if (iters == 1)
    b += unrolled;
  for (int64_t o = 0; o < rest; ++o) b += Step(g, 0);
  if (partial > 0) b += Step(g, partial);
  return b;
}

}  // namespace

std::string EmitSmladGemm(const SmladGemm& g,
                          const std::function<std::string(const std::string&, int, const std::string&, int)>& store,
                          const std::function<std::string(int)>& row_guard) {
  const int64_t padded = (g.channels + g.block - 1) / g.block * g.block;
  const std::string nch = g.channels_expr.empty() ? std::to_string(g.channels) : g.channels_expr;
  std::string s = "const int32_t* wp = " + g.weights + ";\n";
  s += "for (int c = 0; c < " + (g.channels_expr.empty() ? std::to_string(padded) : g.channels_expr) +
       "; c += " + std::to_string(g.block) + ") {\n";
  std::string body = UsesDot8(g) ? Dot8Sums(g) : LoopSums(g);
  if (g.store_loop && g.rows == 1) {
    // One store statement in a loop over the block (less code, a few more instructions).
    std::string list;
    for (int u = 0; u < g.block; ++u) list += (u ? ", " : "") + Acc(0, u);
    const std::string result = g.doubled ? "ember_bp_result2(" : "ember_bp_result(";
    std::string st = store(g.biased ? result + "accs[u], " + g.init + "[c + u])" : "accs[u]", 0, "c + u", -1);
    if (g.channels % g.block != 0) st = "if (c + u < " + nch + ") " + st;
    body += "{\n  const int32_t accs[" + std::to_string(g.block) + "] = {" + list + "};\n  int u;\n  for (u = 0; u < " +
            std::to_string(g.block) + "; ++u) " + Reindent(st, 2).substr(2) + "}\n";
    s += Reindent(body, 2);
    return s + "}\n";
  }
  // Channel by channel: its parameters (channel_load) once, then every row.
  for (int u = 0; u < g.block; ++u) {
    const std::string load = g.channel_load ? g.channel_load(u) : "";
    std::string st = load;
    for (int p = 0; p < g.rows; ++p) {
      const std::string acc = g.biased ? std::string(g.doubled ? "ember_bp_result2(" : "ember_bp_result(") + Acc(p, u) +
                                             ", " + g.init + "[" + Ch(u) + "])"
                                       : Acc(p, u);
      const std::string one = store(acc, p, Ch(u), u), rg = p > 0 ? row_guard(p) : "";
      st += rg.empty() ? one : "if (" + rg + ") " + one;
    }
    const bool guard = u >= g.channels % g.block && g.channels % g.block != 0;
    if (!load.empty() || (guard && g.rows > 1)) st = "{\n" + Reindent(st, 2) + "}\n";
    body += guard ? "if (" + Ch(u) + " < " + nch + ") " + st : st;
  }
  s += Reindent(body, 2);
  return s + "}\n";
}

}  // namespace ember::codegen::c::dsp
