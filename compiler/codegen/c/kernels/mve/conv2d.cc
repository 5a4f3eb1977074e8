// conv2d, int8, Helium (cortex-m55): every output pixel's window is gathered
// into an im2col row in scratch (taps outside the image filled with the input
// zero point, so border pixels need no other path), then the rows go through
// the MVE matrix product of gemm_s8 (blocks of 2 pixels, 4 output channels
// per pass, VMLADAVA.S8, vector requantization). A 1x1, stride-1, unpadded conv reads
// its rows straight from the input. Where each kernel row is whole 16-byte
// chunks (kw * c a multiple of 16, dilation 1 along x) and the depth runs in
// line, a window inside the image is read where it lies, its rows one pitch
// apart (EMBER_MVE_DOT24Q_W), and only a window that crosses the border is
// gathered, at the same pitch (ic's 3x3 layers of 16 channels on
// cortex-m55, with the staging rows gone too: 384,718 -> 364,062
// instructions). init[c] = bias[c] - z_in * sum(w[c]) is
// computed at compile time (exact: int32 sums wrap), bit-exact with
// ops/conv2d.cc.
//
// Access order: output pixels in raster order (batch, oy, ox), in blocks of 2
// consecutive pixels (the last may be 1; schedule pixels=1: blocks of 1); a
// block's outputs are written only after all of the block's inputs were read
// (gathered or used).
//
// Schedule (Conv2DSpace, docs/tuning.md): pixels per block and chunks per pass
// of the depth loop (gemm_s8.h); the default point is the kernel above.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "codegen/c/kernels/conv_emit_util.h"
#include "codegen/c/kernels/mve/gemm_s8.h"
#include "codegen/c/kernels/mve/kernels.h"

namespace ember::codegen::c::mve {
namespace {

std::string S(int64_t v) { return std::to_string(v); }

struct Shape {
  int64_t batch, h, w, c, kh, kw, oc, oh, ow;
  ops::Window win;
};

// Windows of at most this many 16-byte chunks (kh rows of kw*c bytes, each
// rounded up) are copied with straight-line code when inside the image.
constexpr int64_t kStraightChunks = 48;

// The start of a function of pixel p: its batch's input `in`, the input
// coordinates of its window's first tap (y0, x0).
std::string PixelOrigin(const Shape& s) {
  const int64_t plane = s.oh * s.ow;
  std::string b;
  if (s.batch > 1) {
    b += "  const int8_t* in = in0 + (p / " + S(plane) + ") * " + S(s.h * s.w * s.c) + ";\n";
    b += "  const int q = p % " + S(plane) + ";\n";
  } else {
    b += "  const int8_t* in = in0;\n  const int q = p;\n";
  }
  b += "  const int oy = q / " + S(s.ow) + ", ox = q - oy * " + S(s.ow) + ";\n";
  b += "  const int y0 = " + Affine("oy", s.win.stride_h, -s.win.pad_top) +
       ", x0 = " + Affine("ox", s.win.stride_w, -s.win.pad_left) + ";\n";
  return b;
}

// The test that every tap of the window at (y0, x0) lies inside the image.
std::string InsideTest(const Shape& s) {
  const int64_t span_h = (s.kh - 1) * s.win.dilation_h + 1, span_w = (s.kw - 1) * s.win.dilation_w + 1;
  return "y0 >= 0 && y0 <= " + S(s.h - span_h) + " && x0 >= 0 && x0 <= " + S(s.w - span_w);
}

// The taps kx in [xb, xe) of the window at x0 that lie inside the image
// (dilation 1 along x).
std::string ColumnSpan(const Shape& s) {
  return "const int xb = x0 < 0 ? (-x0 < " + S(s.kw) + " ? -x0 : " + S(s.kw) + ") : 0;\n" + "int xe = " + S(s.w) +
         " - x0 < " + S(s.kw) + " ? " + S(s.w) + " - x0 : " + S(s.kw) + ";\nif (xe < xb) xe = xb;\n";
}

// The window of a layer read where it lies in the input (gemm_s8.h's
// GemmS8::Window; the caller checks GemmS8WindowFits), each kernel row read
// as `row_bytes` (kw * c rounded up to 16-byte chunks; the taps past kw * c,
// the next pixels' bytes, meet zero weights): the body of <fn>_at, and the
// im2col body for the other pixels, which writes each kernel row `pitch`
// bytes after the previous one (taps outside the image read as z_in). A
// window whose rounded-up last row would reach past the image is gathered.
GemmS8::Window WindowOf(const Shape& s, int32_t zin, int64_t row_bytes, std::string* im2col) {
  GemmS8::Window w;
  const Axis ay{s.h, s.kh, s.win.stride_h, s.win.dilation_h, s.win.pad_top, s.oh};
  const Axis ax{s.w, s.kw, s.win.stride_w, s.win.dilation_w, s.win.pad_left, s.ow};
  if (s.win.dilation_w != 1 || !(AxisHasBorder(ay) || AxisHasBorder(ax))) return w;  // no border: nothing to gather
  w.rows = s.kh;
  w.row_bytes = row_bytes;
  w.pitch = s.win.dilation_h * s.w * s.c;
  std::string inside = InsideTest(s);
  if (row_bytes > s.kw * s.c)
    inside += " && ((y0 + " + S((s.kh - 1) * s.win.dilation_h) + ") * " + S(s.w) + " + x0) * " + S(s.c) +
              " <= " + S(s.h * s.w * s.c - row_bytes);
  w.at = PixelOrigin(s) + "  if (" + inside + ") return in + (y0 * " + S(s.w) + " + x0) * " + S(s.c) +
         ";\n  return 0;  /* a tap outside the image: gathered */\n";
  std::string b = PixelOrigin(s) + "  const ember_v8 z = ember_mve_dup8(" + CInt(zin) + ");\n";
  b += Reindent(ColumnSpan(s), 2);
  b += "  for (int ky = 0; ky < " + S(s.kh) + "; ++ky) {\n";
  b += "    const int y = y0 + " + Affine("ky", s.win.dilation_h, 0) + ";\n";
  b += "    int8_t* t = d + ky * " + S(w.pitch) + ";\n";
  b += "    EMBER_MVE_FILL16(t, z, " + S(w.row_bytes / 16) + ");\n";
  b += "    if (y >= 0 && y < " + S(s.h) + ")\n";
  b += "      ember_mve_copy(d + ky * " + S(w.pitch) + " + xb * " + S(s.c) + ", in + (y * " + S(s.w) +
       " + x0 + xb) * " + S(s.c) + ", (xe - xb) * " + S(s.c) + ");\n";
  b += "  }\n";
  *im2col = b;
  return w;
}

// The body of the im2col function: window of pixel p to d[0 .. kh*kw*c).
std::string Im2col(const Shape& s, int32_t zin) {
  const Axis ay{s.h, s.kh, s.win.stride_h, s.win.dilation_h, s.win.pad_top, s.oh};
  const Axis ax{s.w, s.kw, s.win.stride_w, s.win.dilation_w, s.win.pad_left, s.ow};
  const bool border = AxisHasBorder(ay) || AxisHasBorder(ax);
  const int64_t row = s.kw * s.c;
  std::string b = PixelOrigin(s);
  std::string interior;
  const int64_t full = row / 16, rest = row % 16;
  if (s.win.dilation_w == 1 && s.kh * (full + (rest > 0)) <= kStraightChunks) {
    // Straight-line copies (EMBER_MVE_COPY16: 2 instructions per chunk where
    // ember_mve_copy's loop takes 4): the window's rows one after the other
    // into d, each from its own start; a row's last bytes (fewer than 16)
    // through scalar words when 4 or 8, else a predicated load and store.
    interior = "const int8_t* const s = in + (y0 * " + S(s.w) + " + x0) * " + S(s.c) + ";\n";
    interior += "int8_t* t = d;\nconst int8_t* r;\n";
    for (int64_t ky = 0; ky < s.kh; ++ky) {
      const int64_t src = ky * s.win.dilation_h * s.w * s.c;
      std::string line = "r = s" + (src ? " + " + S(src) : std::string()) + ";";
      if (full) line += " EMBER_MVE_COPY16(t, r, " + S(full) + ");";
      if (rest == 4 || rest == 8)
        line += " memcpy(t, r, " + S(rest) + ");";
      else if (rest)
        line += " ember_mve_st8_n(t, ember_mve_ld8_n(r, " + S(rest) + "), " + S(rest) + ");";
      if (rest && ky + 1 < s.kh) line += " t += " + S(rest) + ";";
      interior += line + "\n";
    }
  } else if (s.win.dilation_w == 1) {
    interior = "for (int ky = 0; ky < " + S(s.kh) + "; ++ky)\n  ember_mve_copy(d + ky * " + S(row) +
               ", in + ((y0 + " + Affine("ky", s.win.dilation_h, 0) + ") * " + S(s.w) + " + x0) * " +
               S(s.c) + ", " + S(row) + ");\n";
  } else {
    interior = "for (int ky = 0; ky < " + S(s.kh) + "; ++ky)\n  for (int kx = 0; kx < " + S(s.kw) +
               "; ++kx)\n    ember_mve_copy(d + ky * " + S(row) + " + kx * " + S(s.c) + ", in + ((y0 + " +
               Affine("ky", s.win.dilation_h, 0) + ") * " + S(s.w) + " + x0 + " +
               Affine("kx", s.win.dilation_w, 0) + ") * " + S(s.c) + ", " + S(s.c) + ");\n";
  }
  if (!border) return b + Reindent(interior, 2);
  b += "  if (" + InsideTest(s) + ") {  /* every tap inside the image */\n";
  b += Reindent(interior, 4);
  b += "  } else {  /* taps outside the image read as z_in */\n";
  std::string br = "const ember_v8 z = ember_mve_dup8(" + CInt(zin) + ");\n";
  if (s.win.dilation_w == 1) {
    // The whole window filled with z_in first (straight-line stores up to
    // kStraightChunks), then each row's span inside the image copied over it.
    const int64_t window = s.kh * row;
    br += ColumnSpan(s);
    if (window / 16 + (window % 16 > 0) <= kStraightChunks) {
      br += "int8_t* t = d;\n";
      if (window / 16) br += "EMBER_MVE_FILL16(t, z, " + S(window / 16) + ");\n";
      if (window % 16) br += "ember_mve_st8_n(t, z, " + S(window % 16) + ");\n";
    } else {
      br += "ember_mve_fill(d, z, " + S(window) + ");\n";
    }
    br += "for (int ky = 0; ky < " + S(s.kh) + "; ++ky) {\n";
    br += "  const int y = y0 + " + Affine("ky", s.win.dilation_h, 0) + ";\n";
    br += "  if (y >= 0 && y < " + S(s.h) + ")\n";
    br += "    ember_mve_copy(d + ky * " + S(row) + " + xb * " + S(s.c) + ", in + (y * " + S(s.w) + " + x0 + xb) * " +
          S(s.c) + ", (xe - xb) * " + S(s.c) + ");\n";
    br += "}\n";
    return b + Reindent(br, 4) + "  }\n";
  }
  // Dilated along x: tap by tap.
  br += "for (int ky = 0; ky < " + S(s.kh) + "; ++ky) {\n";
  br += "  const int y = y0 + " + Affine("ky", s.win.dilation_h, 0) + ";\n";
  br += "  int8_t* dr = d + ky * " + S(row) + ";\n";
  br += "  if (y < 0 || y >= " + S(s.h) + ") {\n    ember_mve_fill(dr, z, " + S(row) + ");\n    continue;\n  }\n";
  br += "  for (int kx = 0; kx < " + S(s.kw) + "; ++kx) {\n";
  br += "    const int x = x0 + " + Affine("kx", s.win.dilation_w, 0) + ";\n";
  br += "    if (x < 0 || x >= " + S(s.w) + ") ember_mve_fill(dr + kx * " + S(s.c) + ", z, " + S(s.c) + ");\n";
  br += "    else ember_mve_copy(dr + kx * " + S(s.c) + ", in + (y * " + S(s.w) + " + x) * " + S(s.c) +
        ", " + S(s.c) + ");\n  }\n";
  br += "}\n";
  return b + Reindent(br, 4) + "  }\n";
}

}  // namespace

bool Conv2DApplies(const KernelContext& ctx) {
  if (!CheckConstOperands(ctx).ok()) return false;
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  if (in.dtype != ir::DType::kInt8 || f.dtype != ir::DType::kInt8 || out.dtype != ir::DType::kInt8)
    return false;
  if (in.shape.size() != 4 || f.shape.size() != 4 || out.shape.size() != 4) return false;
  if (f.shape[3] != in.shape[3]) return false;  // grouped
  ops::Window w;
  if (!ops::ParseWindow(n, true, false, &w).ok()) return false;
  // Literals stay well inside int.
  return in.num_elements() < (int64_t{1} << 28) && f.num_elements() < (int64_t{1} << 24);
}

namespace {

// The matrix product of a conv2d node (Conv2DApplies).
Expected<GemmS8> PrepareGemm(const KernelContext& ctx, Shape* shape = nullptr) {
  const ir::Graph& g = ctx.graph;
  const ir::Node& n = ctx.node;
  const ir::Tensor& in = g.tensor(n.inputs[0]);
  const ir::Tensor& f = g.tensor(n.inputs[1]);
  const ir::Tensor& out = g.tensor(n.outputs[0]);
  Shape s{in.shape[0], in.shape[1], in.shape[2], in.shape[3], f.shape[1], f.shape[2],
          f.shape[0], out.shape[1], out.shape[2], {}};
  EMBER_RETURN_IF_ERROR(ops::ParseWindow(n, true, false, &s.win));
  Requant rq;
  ConstPool unused("unused");
  EMBER_RETURN_IF_ERROR(rq.Init(RequantContext(ctx, &unused), s.oc, ops::MultiplierFormula::kDouble));

  GemmS8 gm;
  gm.rows = s.batch * s.oh * s.ow;
  gm.depth = s.kh * s.kw * s.c;
  gm.units = s.oc;
  gm.weights = Int8Data(g, n.inputs[1]);
  gm.rq = rq.params();
  const int32_t zin = gm.rq.input_zp;
  const std::vector<int32_t> bias = BiasData(g, n, s.oc);
  gm.init = FoldZeroPoints(gm.weights, bias, s.oc, gm.depth, zin, 0);
  const bool pointwise = s.kh == 1 && s.kw == 1 && s.win.stride_h == 1 && s.win.stride_w == 1 &&
                         s.win.pad_top == 0 && s.win.pad_left == 0 && s.win.pad_bottom == 0 &&
                         s.win.pad_right == 0 && s.oh == s.h && s.ow == s.w;
  if (!pointwise) gm.im2col = Im2col(s, zin);
  ApplyGemmS8Schedule(ScheduleOf(ctx, ctx.node_index), "pixels", &gm);
  const std::string bp = S(gm.block_rows) + (gm.block_rows == 1 ? " pixel" : " pixels");

  const bool has_bias = n.inputs.size() > 2 && n.inputs[2] != ir::kNoTensor;
  std::string c = "/* conv2d '" + n.name + "': " + TypeString(g, n.inputs[0]) + " -> " +
                  TypeString(g, n.outputs[0]) + ", filter " + S(s.kh) + "x" + S(s.kw) + ", stride " +
                  S(s.win.stride_h) + "x" + S(s.win.stride_w);
  if (s.win.dilation_h > 1 || s.win.dilation_w > 1)
    c += ", dilation " + S(s.win.dilation_h) + "x" + S(s.win.dilation_w);
  c += ", pad " + PadString(s.win) + ", act " + ops::DescribeActivation(s.win.act) + (has_bias ? "" : ", no bias");
  c += "\n   " + rq.Describe() + "; init = bias - z_in * sum(w)\n";
  c += std::string("   Helium: ") + (pointwise ? "rows read from the input" : "im2col rows in scratch") +
       ", blocks of " + bp + ", 4 channels per pass (VMLADAVA.S8), vector requantization.\n"
       "   Access order: output pixels in raster order (batch, oy, ox) in blocks of " + S(gm.block_rows) + "; a block's\n"
       "   outputs are written only after all of its inputs were read. */\n";
  gm.comment = c;
  if (shape != nullptr) *shape = s;
  return gm;
}

// The name of the shared body node `index` of the graph would call, "" when
// the Helium conv2d does not apply to it.
std::string SharedBodyName(const ir::Graph& g, size_t index, const Target& target,
                           const std::map<size_t, Schedule>* schedules) {
  const ir::Node& n = g.nodes[index];
  if (n.op != ir::OpKind::kConv2D) return "";
  ConstPool unused("unused");
  const KernelContext ctx{g, n, index, "f", unused, target, false, schedules};
  if (!Conv2DApplies(ctx)) return "";
  Expected<GemmS8> gm = PrepareGemm(ctx);
  if (!gm.ok()) return "";
  gm->share = true;
  Expected<Kernel> k = EmitGemmS8(ctx, *gm);
  if (!k.ok()) return "";
  const size_t at = k->code.find("ember_mve_conv_");
  return at == std::string::npos ? "" : k->code.substr(at, 31);
}

}  // namespace

std::optional<ScheduleSpace> Conv2DSpace(const KernelContext& ctx) {
  const ir::Tensor& f = ctx.graph.tensor(ctx.node.inputs[1]);
  ScheduleSpace sp;
  sp.kernel = "mve.conv2d";
  const int64_t depth = f.shape[1] * f.shape[2] * f.shape[3];
  sp.knobs = GemmS8Knobs(depth, "pixels");
  sp.default_point = GemmS8Default(depth, "pixels");
  sp.size_point = GemmS8Size("pixels");
  return sp;
}

int Conv2DPixelBlock(const KernelContext& ctx) {
  GemmS8 g;
  ApplyGemmS8Schedule(ScheduleOf(ctx, ctx.node_index), "pixels", &g);
  return g.block_rows;
}

// Layers whose kernel text would be the same but for the sizes and tables
// share one body (shared_kernel.h; vww at the default schedules: two bodies
// for five of its fourteen layers, as the in-line depth loop puts the depth
// in the text; kws: one for its four 1x1 layers); a layer alone of its kind
// keeps literal bounds.
Expected<Kernel> EmitConv2D(const KernelContext& ctx) {
  Shape s{};
  Expected<GemmS8> gm = PrepareGemm(ctx, &s);
  if (!gm.ok()) return gm.status();
  const std::string mine = SharedBodyName(ctx.graph, ctx.node_index, ctx.target, ctx.schedules);
  if (AnotherLayerHasBody(ctx, mine, [&](size_t i) { return SharedBodyName(ctx.graph, i, ctx.target, ctx.schedules); }))
    gm->share = true;
  if (gm->share)
    gm->comment.insert(gm->comment.rfind("   Access order"), "   In a body shared by the layers with the same text.\n");
  // im2col has read a block's inputs into scratch before its first output
  // is written, so the outputs go straight to the output (no staging and
  // no copy); a shared body keeps its staging rows.
  if (!gm->im2col.empty() && !gm->share) gm->stage = false;
  // Kernel rows read as whole 16-byte chunks: a block's windows are read
  // where they lie in the input, only those that cross the border gathered.
  // A row of kw * c bytes not a multiple of 16 is read rounded up, its
  // weights padded with zeros, where the chunks that adds, times the blocks
  // of 4 units, stay within 2 (an added chunk costs 14 instructions per
  // block of units and pixel pair, the gathering it saves about 42: vww's
  // 3x3x3 first layer of 8 channels 295,531 -> 259,312 instructions on
  // cortex-m55, where ic's of 16 channels would take 10 % more).
  const int64_t row = s.kw * s.c, row16 = (row + 15) / 16 * 16;
  const int64_t added = s.kh * row16 / 16 - (s.kh * row + 15) / 16;
  if (!gm->im2col.empty() && added * ((gm->units + 3) / 4) <= 2 &&
      (added == 0 || DepthInLine(gm->depth, gm->unroll))) {  // padded: only where the schedule has no loop
    GemmS8 padded = *gm;
    if (row16 != row) {
      padded.depth = s.kh * row16;
      padded.weights.assign(static_cast<size_t>(gm->units * padded.depth), 0);
      for (int64_t u = 0; u < gm->units; ++u)
        for (int64_t k = 0; k < gm->depth; ++k)
          padded.weights[static_cast<size_t>(u * padded.depth + k / row * row16 + k % row)] =
              gm->weights[static_cast<size_t>(u * gm->depth + k)];
      padded.unroll = static_cast<int>(std::max<int64_t>(padded.depth / 16 - 1, 1));  // in line
    }
    std::string pitched;
    GemmS8::Window w = WindowOf(s, gm->rq.input_zp, row16, &pitched);
    if (!w.at.empty() && GemmS8WindowFits(padded, w)) {
      *gm = std::move(padded);
      gm->window = std::move(w);
      gm->im2col = std::move(pitched);
      const std::string rounded =
          row16 != row ? ", each read as " + S(row16) + " bytes (zero weights past " + S(row) + ")" : "";
      gm->comment.insert(gm->comment.rfind("   Access order"),
                         "   Windows inside the image read where they lie, the kernel's rows " +
                             S(gm->window.pitch) + " bytes apart" + rounded + ".\n");
    }
  }
  return EmitGemmS8(ctx, *gm);
}

}  // namespace ember::codegen::c::mve
