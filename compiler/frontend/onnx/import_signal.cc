// ONNX's signal operators (opset 17): DFT and STFT as a fully_connected
// product with a constant matrix of the transform, and MelWeightMatrix
// folded to its constant.
//
// DFT over `axis` of [..., N, ..., C] (C = 1 real, 2 complex): the axis and
// the complex pair are moved last ([P, N·C] after a transpose and a reshape),
// one fully_connected by the [bins·2, N·C] matrix of cos and sin gives [P,
// bins·2], and a reshape and a transpose put the bins back on `axis`. The
// matrix is computed in double and rounded once: entry (j, k) is exp(∓2πi ·
// (j·k mod L) / L), exact at the quarter turns (0, ±1), so that a bin whose
// true value is 0 (the imaginary part of bin 0 and of bin L/2 of a real
// signal) comes out exactly 0. dft_length L (constant) zero-pads or cuts
// the signal; onesided keeps bins 0..L/2; inverse takes exp(+2πi ...) / L.
// The product sums in float32 in signal order (O(L²) operations, which is
// what small transforms on a microcontroller afford; a dft_length above 4096
// or a matrix above 2^24 entries is refused).
//
// STFT of signal [B, S, C]: the frames (start f·frame_step, frame_length
// samples each) are gathered ([B·F, frame_length·C]), and one fully_connected
// by the DFT matrix with the window folded into its columns gives [B, F,
// bins, 2] (onesided by default).
//
// MelWeightMatrix (all inputs constant): ONNX's reference computation, the
// mel edges in float32 as ONNX's numpy reference computes them from float32
// inputs, the bin positions in double, floored to integers; the triangles
// rise from 0 at the left bin to 1 at the center and fall to 0 at the right.
#include <cmath>
#include <map>
#include <cstring>
#include <numbers>
#include <string>
#include <utility>
#include <vector>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

constexpr int64_t kMaxDftLength = 4096;

// (cos, sin) of 2π·m/l, exact at multiples of a quarter turn.
std::pair<double, double> Turn(int64_t m, int64_t l) {
  if (m == 0) return {1.0, 0.0};
  if (2 * m == l) return {-1.0, 0.0};
  if (4 * m == l) return {0.0, 1.0};
  if (4 * m == 3 * l) return {0.0, -1.0};
  const double a = 2.0 * std::numbers::pi * static_cast<double>(m) / static_cast<double>(l);
  return {std::cos(a), std::sin(a)};
}

// The fully_connected weights [bins·2, n·c] of a DFT of length l over n
// input samples of c (1 or 2) parts, each input sample k scaled by
// window[k] (empty: 1).
ConstTensor DftMatrix(int64_t n, int64_t c, int64_t l, int64_t bins, bool inverse, const std::vector<double>& window) {
  std::vector<double> w(static_cast<size_t>(bins * 2 * n * c), 0.0);
  const double sign = inverse ? 1.0 : -1.0;
  const double scale = inverse ? 1.0 / static_cast<double>(l) : 1.0;
  for (int64_t j = 0; j < bins; ++j)
    for (int64_t k = 0; k < std::min(n, l); ++k) {
      const auto [cs, sn] = Turn((j * k) % l, l);
      const double g = scale * (window.empty() ? 1.0 : window[static_cast<size_t>(k)]);
      // (xr + i·xi)(cos + i·sign·sin)
      const size_t re = static_cast<size_t>((2 * j) * n * c + k * c), im = static_cast<size_t>((2 * j + 1) * n * c + k * c);
      w[re] = g * cs;
      w[im] = g * sign * sn;
      if (c == 2) {
        w[re + 1] = -g * sign * sn;
        w[im + 1] = g * cs;
      }
    }
  return FloatConst({bins * 2, n * c}, std::move(w));
}

Expected<int64_t> ScalarInput(Context& ctx, const NodeRef& ref, size_t pos, const char* what) {
  EMBER_ASSIGN_OR_RETURN(auto c, ConstInput(ctx, ref, pos, what));
  if (c->size() != 1) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, std::string(what) + " is not a scalar");
  return c->int_at(0);
}

Expected<ir::TensorId> FloatRuntimeInput(Context& ctx, const NodeRef& ref, size_t pos) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, pos));
  if (ctx.graph.tensor(x).dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("a ") + ir::DTypeName(ctx.graph.tensor(x).dtype) + " signal",
                           "ember computes DFT and STFT on float32 signals");
  }
  return x;
}

Status ConvertDft(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, FloatRuntimeInput(ctx, ref, 0));
  const ir::Shape s = ctx.graph.tensor(x).shape;
  const size_t r = s.size();
  if (r < 2 || (s.back() != 1 && s.back() != 2)) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "input shape " + ir::ShapeToString(s) + " does not end in 1 (real) or 2 (complex)");
  }
  int64_t axis = AttrInt(ref, "axis", 1);
  if (HasInput(ref, 2)) {  // opset 20: the axis is an input
    EMBER_ASSIGN_OR_RETURN(axis, ScalarInput(ctx, ref, 2, "axis"));
  }
  if (axis < 0) axis += static_cast<int64_t>(r);
  if (axis < 0 || axis > static_cast<int64_t>(r) - 2) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "axis is not a signal axis of " + ir::ShapeToString(s));
  }
  const int64_t n = s[static_cast<size_t>(axis)], c = s.back();
  int64_t l = n;
  if (HasInput(ref, 1)) {
    EMBER_ASSIGN_OR_RETURN(l, ScalarInput(ctx, ref, 1, "dft_length"));
  }
  if (l <= 0 || l > kMaxDftLength) {
    return UnsupportedAttr(ctx, ref, "a dft_length of " + std::to_string(l) + " (ember takes 1 to 4096)");
  }
  const bool inverse = AttrInt(ref, "inverse", 0) != 0;
  const int64_t bins = AttrInt(ref, "onesided", 0) != 0 ? l / 2 + 1 : l;
  if (bins * 2 * n * c > kMaxFoldedElements) {
    return UnsupportedAttr(ctx, ref, "a transform matrix of " + std::to_string(bins * 2) + " x " +
                                         std::to_string(n * c) + " (more than 2^24 entries)",
                           "use a shorter dft_length or signal");
  }
  const std::string out = OutputName(ref, 0);
  // [..., N, ..., C] -> [outer..., N, C]: the signal axis next to the last.
  std::vector<int64_t> perm;
  for (size_t a = 0; a + 1 < r; ++a)
    if (static_cast<int64_t>(a) != axis) perm.push_back(static_cast<int64_t>(a));
  perm.push_back(axis);
  perm.push_back(static_cast<int64_t>(r) - 1);
  bool moved = false;
  for (size_t a = 0; a < r; ++a) moved = moved || perm[a] != static_cast<int64_t>(a);
  ir::TensorId t = x;
  if (moved) {
    EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, ir::OpKind::kTranspose, {x}, {{"perm", perm}}, out + "_signal_last"));
  }
  const ir::Shape ts = ctx.graph.tensor(t).shape;
  const int64_t rows = ir::NumElements(ts) / (n * c);
  EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, ir::OpKind::kReshape, {t}, {{"shape", std::vector<int64_t>{rows, n * c}}},
                                    out + "_rows"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId w, AddConst(ctx, out + "_dft_matrix", DftMatrix(n, c, l, bins, inverse, {})));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kFullyConnected, {t, w, ir::kNoTensor},
                                                 {{"keep_num_dims", int64_t{0}}}, out + "_bins"));
  ir::Shape ys(ts.begin(), ts.end() - 2);
  ys.push_back(bins);
  ys.push_back(2);
  EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kReshape, {y}, {{"shape", std::vector<int64_t>(ys)}},
                                    moved ? out + "_signal_last_bins" : out));
  if (moved) {
    std::vector<int64_t> inv(r);
    for (size_t a = 0; a < r; ++a) inv[static_cast<size_t>(perm[a])] = static_cast<int64_t>(a);
    EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kTranspose, {y}, {{"perm", inv}}, out));
  }
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertStft(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, FloatRuntimeInput(ctx, ref, 0));
  ir::Shape s = ctx.graph.tensor(x).shape;
  if (s.size() != 3 || (s[2] != 1 && s[2] != 2)) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "signal shape " + ir::ShapeToString(s) + " is not [batch, length, 1 or 2]");
  }
  EMBER_ASSIGN_OR_RETURN(const int64_t step, ScalarInput(ctx, ref, 1, "frame_step"));
  std::vector<double> window;
  if (HasInput(ref, 2)) {
    EMBER_ASSIGN_OR_RETURN(auto wc, ConstInput(ctx, ref, 2, "window"));
    for (int64_t k = 0; k < wc->size(); ++k) window.push_back(wc->at(k));
  }
  int64_t fl = static_cast<int64_t>(window.size());
  if (HasInput(ref, 3)) {
    EMBER_ASSIGN_OR_RETURN(const int64_t len, ScalarInput(ctx, ref, 3, "frame_length"));
    if (!window.empty() && len != fl) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "frame_length " + std::to_string(len) + " differs from the window's " + std::to_string(fl));
    }
    fl = len;
  }
  if (fl <= 0 || fl > s[1] || fl > kMaxDftLength || step <= 0) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has frame length " + std::to_string(fl) + " and step " + std::to_string(step) + " for " +
                         std::to_string(s[1]) + " samples (or no window or frame_length)");
  }
  const int64_t b = s[0], c = s[2], frames = (s[1] - fl) / step + 1;
  const int64_t bins = AttrInt(ref, "onesided", 1) != 0 ? fl / 2 + 1 : fl;
  if (bins * 2 * fl * c > kMaxFoldedElements || frames * fl > kMaxFoldedElements) {
    return UnsupportedAttr(ctx, ref, "frames of " + std::to_string(fl) + " samples every " + std::to_string(step) +
                                         " (more than 2^24 transform entries or gathered samples)",
                           "use shorter frames or a longer step");
  }
  const std::string out = OutputName(ref, 0);
  std::vector<int64_t> idx;
  for (int64_t f = 0; f < frames; ++f)
    for (int64_t k = 0; k < fl; ++k) idx.push_back(f * step + k);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId t, GatherConstIndices(ctx, ref, x, 1, idx, out + "_frames"));
  EMBER_ASSIGN_OR_RETURN(t, AddNode(ctx, ref, ir::OpKind::kReshape, {t},
                                    {{"shape", std::vector<int64_t>{b * frames, fl * c}}}, out + "_rows"));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId w, AddConst(ctx, out + "_dft_matrix", DftMatrix(fl, c, fl, bins, false, window)));
  EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, ir::OpKind::kFullyConnected, {t, w, ir::kNoTensor},
                                                 {{"keep_num_dims", int64_t{0}}}, out + "_bins"));
  EMBER_ASSIGN_OR_RETURN(y, AddNode(ctx, ref, ir::OpKind::kReshape, {y},
                                    {{"shape", std::vector<int64_t>{b, frames, bins, 2}}}, out));
  BindOutput(ctx, ref, 0, Value{nullptr, y});
  return Status::Ok();
}

Status ConvertMelWeightMatrix(Context& ctx, const NodeRef& ref) {
  EMBER_ASSIGN_OR_RETURN(const int64_t mels, ScalarInput(ctx, ref, 0, "num_mel_bins"));
  EMBER_ASSIGN_OR_RETURN(const int64_t dft_length, ScalarInput(ctx, ref, 1, "dft_length"));
  EMBER_ASSIGN_OR_RETURN(const int64_t rate, ScalarInput(ctx, ref, 2, "sample_rate"));
  EMBER_ASSIGN_OR_RETURN(auto lo_c, ConstInput(ctx, ref, 3, "lower_edge_hertz"));
  EMBER_ASSIGN_OR_RETURN(auto hi_c, ConstInput(ctx, ref, 4, "upper_edge_hertz"));
  if (lo_c->size() != 1 || hi_c->size() != 1) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "lower_edge_hertz and upper_edge_hertz are not scalars");
  }
  if (AttrInt(ref, "output_datatype", pb::TensorProto::FLOAT) != pb::TensorProto::FLOAT) {
    return UnsupportedAttr(ctx, ref, "an output_datatype other than FLOAT");
  }
  const int64_t spectrum = dft_length / 2 + 1;
  if (mels <= 0 || dft_length <= 0 || rate <= 0 || mels > kMaxDftLength || dft_length > kMaxFoldedElements ||
      spectrum * mels > kMaxFoldedElements) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     "has num_mel_bins " + std::to_string(mels) + ", dft_length " + std::to_string(dft_length) +
                         " and sample_rate " + std::to_string(rate));
  }
  // The mel edges in float32, as ONNX's reference computes them from float32 inputs.
  const auto mel = [](double hz) {
    return 2595.0f * std::log10(1.0f + static_cast<float>(hz) / 700.0f);
  };
  const float lo = mel(lo_c->at(0)), hi = mel(hi_c->at(0));
  const float step = (hi - lo) / static_cast<float>(mels + 2);
  std::vector<int64_t> edge;
  for (int64_t i = 0; i < mels + 2; ++i) {
    double f = static_cast<double>(i) * static_cast<double>(step) + static_cast<double>(lo);
    f = 700.0 * (std::pow(10.0, f / 2595.0) - 1.0);
    const double pos = std::floor(static_cast<double>(dft_length + 1) * f / static_cast<double>(rate));
    if (!(pos >= 0.0 && pos < static_cast<double>(spectrum))) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       "puts a mel band edge outside the " + std::to_string(spectrum) +
                           " spectrum bins (check the edges against the sample rate)");
    }
    edge.push_back(static_cast<int64_t>(pos));
  }
  std::vector<double> m(static_cast<size_t>(spectrum * mels), 0.0);
  auto at = [&](int64_t j, int64_t i) -> double& { return m[static_cast<size_t>(j * mels + i)]; };
  for (int64_t i = 0; i < mels; ++i) {
    const int64_t left = edge[static_cast<size_t>(i)], center = edge[static_cast<size_t>(i) + 1],
                  right = edge[static_cast<size_t>(i) + 2];
    if (center == left) {
      at(center, i) = 1.0;
    } else {
      for (int64_t j = left; j <= center; ++j)
        at(j, i) = static_cast<double>(j - left) / static_cast<double>(center - left);
    }
    for (int64_t j = center; j < right; ++j)
      at(j, i) = static_cast<double>(right - j) / static_cast<double>(right - center);
  }
  BindOutput(ctx, ref, 0, ConstValue(FloatConst({spectrum, mels}, std::move(m))));
  return Status::Ok();
}

}  // namespace

namespace {

// A constant scalar integer whose value is stored (one element of int32 or
// int64 data).
bool StoredScalar(const pb::TensorProto& t, int64_t* v) {
  if (t.dims_size() != 0 && !(t.dims_size() == 1 && t.dims(0) == 1)) return false;
  if (t.data_type() == pb::TensorProto::INT64) {
    if (t.int64_data_size() == 1) return *v = t.int64_data(0), true;
    if (t.raw_data().size() == 8) return std::memcpy(v, t.raw_data().data(), 8), true;
  } else if (t.data_type() == pb::TensorProto::INT32) {
    int32_t x = 0;
    if (t.int32_data_size() == 1) x = t.int32_data(0);
    else if (t.raw_data().size() == 4) std::memcpy(&x, t.raw_data().data(), 4);
    else return false;
    return *v = x, true;
  }
  return false;
}

}  // namespace

Status PrecheckSignalNodes(Context& ctx, const pb::ModelProto& m) {
  const pb::GraphProto& g = m.graph();
  bool any = false;
  for (const auto& n : g.node()) any = any || n.op_type() == "STFT" || n.op_type() == "DFT";
  if (!any) return Status::Ok();
  const std::map<std::string, const pb::TensorProto*> consts = ConstantTensors(g);
  // The ranks of the values, from libonnx's lenient inference on a copy
  // without the signal operators (whose inference functions read the
  // signal's dims without checking its rank).
  pb::ModelProto copy = m;
  auto* nodes = copy.mutable_graph()->mutable_node();
  for (int i = nodes->size() - 1; i >= 0; --i)
    if (nodes->Get(i).op_type() == "STFT" || nodes->Get(i).op_type() == "DFT") nodes->DeleteSubrange(i, 1);
  const std::map<std::string, int> ranks = ValueRanks(copy);
  for (int i = 0; i < g.node_size(); ++i) {
    const pb::NodeProto& n = g.node(i);
    if (n.op_type() != "STFT" && n.op_type() != "DFT") continue;
    const NodeRef ref = RefOf(g, i);
    const bool stft = n.op_type() == "STFT";
    const auto rank = n.input_size() > 0 ? ranks.find(n.input(0)) : ranks.end();
    if (rank == ranks.end() || (stft ? rank->second != 3 : rank->second < 2)) {
      return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                       std::string("has a signal of ") +
                           (rank == ranks.end() ? "unknown rank" : "rank " + std::to_string(rank->second)) +
                           (stft ? "; STFT takes [batch, length, 1 or 2]" : "; DFT takes [batch, ..., 1 or 2]"));
    }
    // The scalar inputs libonnx's inference reads: constants that hold their value.
    for (const int pos : stft ? std::vector<int>{1, 3} : std::vector<int>{1}) {
      if (pos >= n.input_size() || n.input(pos).empty()) continue;
      const auto c = consts.find(n.input(pos));
      int64_t v = 0;
      if (c == consts.end() || !StoredScalar(*c->second, &v) || v <= 0) {
        return NodeError(ctx, ref, kNotConstant, ExitCode::kUnsupported,
                         "input " + std::to_string(pos) + " ('" + n.input(pos) +
                             "') is not a constant positive integer scalar",
                         "export the model with constant frame_step, frame_length and dft_length");
      }
    }
  }
  return Status::Ok();
}

// libonnx 1.12's shape inference gives a onesided STFT (the default)
// frame_length bins instead of frame_length / 2 + 1, so strict inference
// refuses a model that declares the right shape. For the checker and
// inference each onesided STFT becomes a two-sided one whose result a Slice
// cuts to the onesided bins (which libonnx infers right);
// RestoreOnesidedStft undoes that before the nodes are converted.
std::vector<HiddenStft> HideOnesidedStft(pb::GraphProto* g) {
  std::vector<HiddenStft> hidden;
  const std::map<std::string, const pb::TensorProto*> consts = ConstantTensors(*g);
  for (int i = 0; i < g->node_size(); ++i) {
    pb::NodeProto* n = g->mutable_node(i);
    if (n->op_type() != "STFT" || !(n->domain().empty() || n->domain() == "ai.onnx") || n->output_size() != 1) continue;
    pb::AttributeProto* onesided = nullptr;
    for (auto& a : *n->mutable_attribute())
      if (a.name() == "onesided") onesided = &a;
    if (onesided && onesided->i() == 0) continue;
    // The frame length: the constant window's size, or the frame_length
    // constant. Without one the node stays as it is (the import refuses it).
    int64_t fl = -1;
    auto input = [&](int pos) {
      return pos < n->input_size() && !n->input(pos).empty() ? consts.find(n->input(pos)) : consts.end();
    };
    if (const auto w = input(2); w != consts.end() && w->second->dims_size() == 1) fl = w->second->dims(0);
    if (const auto l = input(3); l != consts.end() && !StoredScalar(*l->second, &fl)) fl = -1;
    if (fl <= 0) continue;
    HiddenStft h;
    h.output = n->output(0);
    h.had_attr = onesided != nullptr;
    const std::string full = h.output + "/two_sided_for_inference";
    if (!onesided) {
      onesided = n->add_attribute();
      onesided->set_name("onesided");
      onesided->set_type(pb::AttributeProto::INT);
    }
    onesided->set_i(0);
    n->set_output(0, full);
    // Slice(full, starts=[0], ends=[frame_length / 2 + 1], axes=[2]).
    const std::string base = h.output + "/onesided_for_inference";
    for (const auto& [suffix, value] : std::vector<std::pair<std::string, int64_t>>{
             {"_starts", 0}, {"_ends", fl / 2 + 1}, {"_axes", 2}}) {
      pb::TensorProto* t = g->add_initializer();
      t->set_name(base + suffix);
      t->set_data_type(pb::TensorProto::INT64);
      t->add_dims(1);
      t->add_int64_data(value);
      h.initializers.push_back(t->name());
    }
    pb::NodeProto slice;
    slice.set_op_type("Slice");
    slice.set_name(base);
    slice.add_input(full);
    for (const std::string& t : h.initializers) slice.add_input(t);
    slice.add_output(h.output);
    g->mutable_node()->Add(std::move(slice));
    for (int k = g->node_size() - 1; k > i + 1; --k) g->mutable_node()->SwapElements(k, k - 1);
    h.intermediate = full;
    hidden.push_back(std::move(h));
    ++i;  // past the Slice
  }
  return hidden;
}

void RestoreOnesidedStft(pb::GraphProto* g, const std::vector<HiddenStft>& hidden) {
  for (const HiddenStft& h : hidden) {
    for (int i = 0; i < g->node_size(); ++i) {
      pb::NodeProto* n = g->mutable_node(i);
      if (n->output_size() != 1 || n->output(0) != h.intermediate) continue;
      n->set_output(0, h.output);
      for (int a = 0; a < n->attribute_size(); ++a) {
        if (n->attribute(a).name() != "onesided") continue;
        if (h.had_attr) {
          n->mutable_attribute(a)->set_i(1);
        } else {
          n->mutable_attribute()->DeleteSubrange(a, 1);
        }
        break;
      }
      g->mutable_node()->DeleteSubrange(i + 1, 1);  // the Slice
      break;
    }
    for (int k = g->initializer_size() - 1; k >= 0; --k) {
      for (const std::string& t : h.initializers)
        if (g->initializer(k).name() == t) {
          g->mutable_initializer()->DeleteSubrange(k, 1);
          break;
        }
    }
    for (int k = g->value_info_size() - 1; k >= 0; --k)
      if (g->value_info(k).name() == h.intermediate) g->mutable_value_info()->DeleteSubrange(k, 1);
  }
}

bool IsSignalOp(const std::string& op) { return op == "DFT" || op == "STFT" || op == "MelWeightMatrix"; }

Status ConvertSignalNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const std::string& op = ref.node->op_type();
  *handled = true;
  if (op == "DFT") return ConvertDft(ctx, ref);
  if (op == "STFT") return ConvertStft(ctx, ref);
  if (op == "MelWeightMatrix") return ConvertMelWeightMatrix(ctx, ref);
  *handled = false;
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
