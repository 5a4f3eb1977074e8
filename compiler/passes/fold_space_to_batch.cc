// fold-space-to-batch: the dilated convolution that older TensorFlow
// converters write as SPACE_TO_BATCH_ND, a stride-1 unpadded convolution and
// BATCH_TO_SPACE_ND, imported as data movement (docs/frontend-tflite.md),
// becomes one conv2d or depthwise_conv2d with a dilation:
//
//   %p = pad(%x) {pads=[0,0, pt,pb, pl,pr, 0,0]}        (absent: no padding)
//   %r = reshape(%p) : [N, Hp/bh, bh, Wp/bw, bw, C]
//   %t = transpose(%r) {perm=[2,4,0,1,3,5]}
//   %b = reshape(%t) : [bh·bw·N, Hp/bh, Wp/bw, C]
//   %c = conv2d(%b, %w, %bias) {pad=[0,0,0,0], stride=[1,1], dilation=[1,1]}
//   %r2 = reshape(%c) : [bh, bw, N, OH, OW, K]
//   %t2 = transpose(%r2) {perm=[2,3,0,4,1,5]}
//   %j = reshape(%t2) : [N, OH·bh, OW·bw, K]
//   %y = strided_slice(%j) {begin=[0,ct,cl,0], end=[N, OH·bh−cb, OW·bw−cr, K]}   (absent: no crops)
//   -> %y = conv2d(%x, %w, %bias) {dilation=[bh,bw], pad=[pt−ct, pl−cl, pb−cb, pr−cr]}
//
// Exactness: output row i of the folded form reads the padded rows
// i + ct + k·bh, that is the input rows i − (pt − ct) + k·bh, the taps of the
// dilated convolution with top padding pt − ct, in the same order; padding
// holds the zero point (float: 0), which adds nothing, as the dilated
// convolution's skipped taps. Both forms give the same bytes. The pass
// requires every padding of the result to be non-negative, each intermediate
// tensor to have one reader and no graph output among them, and the
// quantization of %x and %b, and of %c and %y, to be equal.
#include <algorithm>
#include <optional>

#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

struct Chain {
  std::vector<size_t> nodes;  // indices of the nodes the fold removes (the convolution kept)
  ir::TensorId x = ir::kNoTensor, y = ir::kNoTensor;
  int64_t bh = 0, bw = 0;
  std::vector<int64_t> pads = {0, 0, 0, 0};   // pt, pb, pl, pr of the pad
  std::vector<int64_t> crops = {0, 0, 0, 0};  // ct, cb, cl, cr of the slice
};

class Matcher {
 public:
  explicit Matcher(const ir::Graph& g) : g_(g), uses_(ComputeUses(g)), prod_(ComputeProducers(g)) {}

  // The node producing `t` if it is of kind `op` and `t` has exactly one
  // reader and is no graph output.
  const ir::Node* SoleProducer(ir::TensorId t, ir::OpKind op, size_t* index) const {
    if (t < 0 || prod_[static_cast<size_t>(t)] < 0) return nullptr;
    if (uses_[static_cast<size_t>(t)].size() != 1 || IsGraphOutput(g_, t)) return nullptr;
    const auto i = static_cast<size_t>(prod_[static_cast<size_t>(t)]);
    const ir::Node& n = g_.nodes[i];
    if (n.op != op || n.inputs.empty() || n.outputs.size() != 1) return nullptr;
    *index = i;
    return &n;
  }
  // The one node reading `t` if it is of kind `op` (`t` no graph output).
  const ir::Node* SoleReader(ir::TensorId t, ir::OpKind op, size_t* index) const {
    if (uses_[static_cast<size_t>(t)].size() != 1 || IsGraphOutput(g_, t)) return nullptr;
    const Use u = uses_[static_cast<size_t>(t)][0];
    const ir::Node& n = g_.nodes[u.node];
    if (n.op != op || u.operand != 0 || n.outputs.size() != 1) return nullptr;
    *index = u.node;
    return &n;
  }
  bool IsOutputOrRead(ir::TensorId t) const { return IsGraphOutput(g_, t) || !uses_[static_cast<size_t>(t)].empty(); }

  std::optional<Chain> Match(size_t conv_index) const;

 private:
  const ir::Graph& g_;
  std::vector<std::vector<Use>> uses_;
  std::vector<int> prod_;
};

bool SameType(const ir::Tensor& a, const ir::Tensor& b) { return a.dtype == b.dtype && a.quant == b.quant; }

std::optional<Chain> Matcher::Match(size_t conv_index) const {
  const ir::Node& conv = g_.nodes[conv_index];
  if (conv.outputs.size() != 1 || conv.inputs.empty()) return std::nullopt;
  if (conv.GetInts("pad") != std::vector<int64_t>{0, 0, 0, 0} || conv.GetInts("stride") != std::vector<int64_t>{1, 1} ||
      (conv.HasAttr("dilation") && conv.GetInts("dilation") != std::vector<int64_t>{1, 1})) {
    return std::nullopt;
  }
  Chain c;
  size_t i = 0;
  // Before the convolution: reshape <- transpose <- reshape <- pad?
  const ir::Node* merge = SoleProducer(conv.inputs[0], ir::OpKind::kReshape, &i);
  if (!merge) return std::nullopt;
  c.nodes.push_back(i);
  const ir::Node* move = SoleProducer(merge->inputs[0], ir::OpKind::kTranspose, &i);
  if (!move || move->GetInts("perm") != std::vector<int64_t>{2, 4, 0, 1, 3, 5}) return std::nullopt;
  c.nodes.push_back(i);
  const ir::Node* split = SoleProducer(move->inputs[0], ir::OpKind::kReshape, &i);
  if (!split) return std::nullopt;
  c.nodes.push_back(i);
  c.x = split->inputs[0];
  if (const ir::Node* pad = SoleProducer(c.x, ir::OpKind::kPad, &i)) {
    const std::vector<int64_t> p = pad->GetInts("pads");
    if (pad->HasAttr("value") || pad->inputs.size() != 1 || p.size() != 8 || p[0] || p[1] || p[6] || p[7]) {
      return std::nullopt;
    }
    c.nodes.push_back(i);
    c.x = pad->inputs[0];
    c.pads = {p[2], p[3], p[4], p[5]};
  }
  const ir::Shape& in = g_.tensor(c.x).shape;
  const ir::Shape& s6 = g_.tensor(split->outputs[0]).shape;
  const ir::Shape& b4 = g_.tensor(conv.inputs[0]).shape;
  if (in.size() != 4 || s6.size() != 6 || b4.size() != 4) return std::nullopt;
  c.bh = s6[2];
  c.bw = s6[4];
  const int64_t n = in[0], hp = in[1] + c.pads[0] + c.pads[1], wp = in[2] + c.pads[2] + c.pads[3];
  if (s6 != ir::Shape{n, s6[1], c.bh, s6[3], c.bw, in[3]} || s6[1] * c.bh != hp || s6[3] * c.bw != wp ||
      b4 != ir::Shape{c.bh * c.bw * n, s6[1], s6[3], in[3]} || !SameType(g_.tensor(c.x), g_.tensor(conv.inputs[0]))) {
    return std::nullopt;
  }
  // After: reshape -> transpose -> reshape -> strided_slice?
  const ir::TensorId co = conv.outputs[0];
  const ir::Shape& o4 = g_.tensor(co).shape;
  if (o4.size() != 4 || o4[0] != c.bh * c.bw * n) return std::nullopt;
  const int64_t oh = o4[1], ow = o4[2], k = o4[3];
  const ir::Node* split2 = SoleReader(co, ir::OpKind::kReshape, &i);
  if (!split2 || g_.tensor(split2->outputs[0]).shape != ir::Shape{c.bh, c.bw, n, oh, ow, k}) return std::nullopt;
  c.nodes.push_back(i);
  const ir::Node* move2 = SoleReader(split2->outputs[0], ir::OpKind::kTranspose, &i);
  if (!move2 || move2->GetInts("perm") != std::vector<int64_t>{2, 3, 0, 4, 1, 5}) return std::nullopt;
  c.nodes.push_back(i);
  const ir::Node* join = SoleReader(move2->outputs[0], ir::OpKind::kReshape, &i);
  const ir::Shape joined = {n, oh * c.bh, ow * c.bw, k};
  if (!join || g_.tensor(join->outputs[0]).shape != joined) return std::nullopt;
  c.nodes.push_back(i);
  c.y = join->outputs[0];
  if (const ir::Node* crop = SoleReader(c.y, ir::OpKind::kStridedSlice, &i)) {
    const std::vector<int64_t> b = crop->GetInts("begin"), e = crop->GetInts("end"), s = crop->GetInts("strides");
    const bool masks = (crop->HasAttr("begin_mask") && crop->GetInt("begin_mask") != 0) ||
                       (crop->HasAttr("end_mask") && crop->GetInt("end_mask") != 0) ||
                       (crop->HasAttr("shrink_axis_mask") && crop->GetInt("shrink_axis_mask") != 0);
    if (!masks && crop->inputs.size() == 1 && b.size() == 4 && e.size() == 4 && s == std::vector<int64_t>{1, 1, 1, 1} &&
        b[0] == 0 && b[3] == 0 && e[0] == n && e[3] == k && b[1] >= 0 && b[2] >= 0 && e[1] <= joined[1] &&
        e[2] <= joined[2]) {
      c.nodes.push_back(i);
      c.y = crop->outputs[0];
      c.crops = {b[1], joined[1] - e[1], b[2], joined[2] - e[2]};
    }
  }
  if (!IsOutputOrRead(c.y) || !SameType(g_.tensor(co), g_.tensor(c.y))) return std::nullopt;
  for (size_t a = 0; a < 4; ++a)
    if (c.pads[a] < c.crops[a]) return std::nullopt;
  return c;
}

bool IsConvolution(ir::OpKind op) { return op == ir::OpKind::kConv2D || op == ir::OpKind::kDepthwiseConv2D; }

}  // namespace

Status FoldSpaceToBatch(ir::Graph& g, const PassOptions&) {
  for (bool changed = true; changed;) {
    changed = false;
    const Matcher m(g);
    for (size_t i = 0; i < g.nodes.size() && !changed; ++i) {
      if (!IsConvolution(g.nodes[i].op)) continue;
      const std::optional<Chain> c = m.Match(i);
      if (!c) continue;
      ir::Node& conv = g.nodes[i];
      conv.inputs[0] = c->x;
      conv.outputs[0] = c->y;
      conv.attrs["dilation"] = std::vector<int64_t>{c->bh, c->bw};
      // pad = [top, left, bottom, right]
      conv.attrs["pad"] = std::vector<int64_t>{c->pads[0] - c->crops[0], c->pads[2] - c->crops[2],
                                               c->pads[1] - c->crops[1], c->pads[3] - c->crops[3]};
      std::vector<size_t> gone = c->nodes;
      std::sort(gone.rbegin(), gone.rend());
      for (size_t k : gone) g.nodes.erase(g.nodes.begin() + static_cast<std::ptrdiff_t>(k));
      changed = true;
    }
  }
  return Status::Ok();
}

}  // namespace ember::passes
