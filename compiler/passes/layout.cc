// layout: removes the transposes a layout change leaves in a graph.
//
// The ONNX frontend keeps ONNX's NCHW semantics with explicit transposes: every
// NHWC spatial operator sits between transpose(perm=[0,2,3,1]) and
// transpose(perm=[0,3,1,2]); elementwise operators, concatenation, reshape
// and reductions stay in NCHW with ONNX axes (docs/frontend-onnx.md). This
// pass rewrites until nothing applies, each rule on a transpose T: y = T(x):
//
//  1. identity: T with perm [0,1,..] is dropped.
//  2. compose: a transpose reading y reads x with the composed perm instead
//     (an inverse pair becomes an identity, then rule 1 drops it).
//  3. layout-neutral: when T moves only dimensions of size 1 (the bytes of x
//     and y are in the same order), reshapes reading y read x.
//  4. sink: when y has one reader C and C commutes with transposes, C reads x
//     and T moves after C: C(T(x)) = T'(C'(x)). C may be a unary elementwise
//     operator; a binary elementwise one whose other operand is a constant
//     (padded to rank and permuted) or T2(x2) with the same perm (C' reads
//     x2); concatenation (all operands so, axis permuted); mean,
//     reduce_max and reduce_min (axes permuted; without keep_dims T' gets the perm of the remaining axes,
//     dropped when it is the identity); pad (amounts permuted); softmax and log_softmax when
//     the last axis stays last.
//  5. graph inputs and outputs (unless PassOptions::keep_io_layout): a rank-4
//     graph input read only by transposes to NHWC (perm [0,2,3,1]) becomes an
//     NHWC input, and a graph output made by a transpose from NHWC
//     (perm [0,3,1,2]) becomes an NHWC output; Tensor::source_layout records
//     "NCHW" so that tools and the user know the source model's layout. A
//     transpose to NHWC after a chain of unary elementwise operators that
//     starts at a rank-4 graph input (quantize -> dequantize in QDQ models)
//     moves to that input too. Rank 3 likewise with perm [0,2,1] (1-D
//     signals [N,C,W] become [N,W,C], source_layout "NCW") where the
//     importer's 1-D pattern shows: the transposed input is read only by
//     reshapes to rank 4, the output comes from a reshape of a rank-4 one.
//
//  6. flatten into weights: NHWC -> NCHW transpose, reshape to [N, C*H*W],
//     fully_connected with constant weights: the reshape reads the NHWC
//     tensor and the weight columns are permuted to (h, w, c) order.
//
//  7. the reshapes around 1-D operators (the 2-D ones over H = 1 between
//     reshape [N,W,C] -> [N,1,W,C] and reshape [N,1,W,C] -> [N,W,C]): one
//     that drops H sinks below its one reader when that is a unary
//     elementwise operator, a binary one whose other operand is a
//     per-channel constant (every dimension 1 but the last), or mean /
//     reduce_max / reduce_min with keep_dims (axes moved past H); one that adds H moves
//     above the elementwise operator (as above) that makes its operand. A
//     reshape of a reshape reads the first one's input, and a reshape to
//     its input's shape is dropped. Two 1-D operators in a row thus meet
//     with no reshape between them, and fold-batchnorm, fuse-activation and
//     fold-qdq see the 2-D operators' inputs and outputs directly. Only
//     these two reshape forms move: a flatten stays where it is.
//
// Sinking moves transposes towards the outputs, where they meet the
// transposes into the next NHWC operator and cancel, or reach a graph output
// (rule 5). A transpose that reaches an operator of none of these kinds stays
// (e.g. a reshape that flattens an NCHW tensor with H, W > 1 for anything
// but a fully_connected). Graphs without
// transposes are untouched.
#include <algorithm>
#include <optional>
#include <set>

#include "passes/graph_util.h"
#include "passes/pass.h"

namespace ember::passes {
namespace {

const std::vector<int64_t> kToNhwc = {0, 2, 3, 1};
const std::vector<int64_t> kToNchw = {0, 3, 1, 2};
const std::vector<int64_t> kSwapLast2 = {0, 2, 1};  // [N,C,W] <-> [N,W,C]

// The perm that moves channels last for a graph input/output of this rank
// (to: the input side; from: the output side), empty when none, and the
// source layout it records.
std::vector<int64_t> ChannelsLast(size_t rank, bool to) {
  if (rank == 4) return to ? kToNhwc : kToNchw;
  if (rank == 3) return kSwapLast2;
  return {};
}
const char* SourceLayoutName(size_t rank) { return rank == 3 ? "NCW" : "NCHW"; }

bool IsOneOf(ir::OpKind op, std::initializer_list<const char*> names) {
  for (const char* name : names) {
    const std::optional<ir::OpKind> k = ir::OpKindFromIrName(name);
    if (k && *k == op) return true;
  }
  return false;
}

// Operators with one operand that work on each element on its own. The names
// that are not in ops.def yet are skipped.
bool IsUnaryElementwise(const ir::Node& n) {
  return n.inputs.size() == 1 &&
         IsOneOf(n.op, {"relu", "relu6", "logistic", "tanh", "hard_swish", "quantize", "dequantize", "clip",
                        "leaky_relu", "hard_sigmoid", "abs", "neg", "exp", "sqrt", "rsqrt", "elu", "cast", "erf",
                        "floor", "ceil", "round", "sin", "cos", "atan", "sign", "square", "log", "logical_not"});
}

// Elementwise with numpy broadcasting of every operand: select's three
// (condition, x, y) too.
bool IsBinaryElementwise(const ir::Node& n) {
  if (n.op == ir::OpKind::kSelect) return n.inputs.size() == 3;
  return n.inputs.size() == 2 &&
         IsOneOf(n.op, {"add", "mul", "sub", "div", "prelu", "maximum", "minimum", "squared_difference", "pow",
                        "mod", "equal", "not_equal", "less", "less_equal", "greater", "greater_equal", "logical_and",
                        "logical_or"});
}

class LayoutRewriter {
 public:
  LayoutRewriter(ir::Graph& g, const PassOptions& o) : g_(g), o_(o) {}

  // One rewrite anywhere in the graph; false when none applies.
  bool Step() {
    uses_ = ComputeUses(g_);
    prod_ = ComputeProducers(g_);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (g_.nodes[i].op != ir::OpKind::kTranspose) continue;
      if (DropDead(i) || DropIdentity(i) || GraphInput(i) || HoistToInput(i) || GraphOutput(i) || Compose(i) ||
          Neutral(i) || FlattenIntoWeights(i) || Sink(i))
        return true;
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (g_.nodes[i].op != ir::OpKind::kReshape || g_.nodes[i].inputs.size() != 1 ||
          g_.nodes[i].outputs.size() != 1 || g_.nodes[i].inputs[0] < 0)
        continue;
      if (DropDead(i) || ReshapeOfReshape(i) || DropIdentityReshape(i) || SinkUnitReshape(i) || HoistUnitReshape(i))
        return true;
    }
    // A dequantized constant left unread when its reader moved (Sink).
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (g_.nodes[i].op == ir::OpKind::kDequantize && g_.nodes[i].outputs.size() == 1 && DequantizesConst(i) &&
          DropDead(i))
        return true;
    }
    return false;
  }

  // Node i dequantizes a constant (a QDQ model's quantized operand).
  bool DequantizesConst(size_t i) const {
    const ir::Node& d = g_.nodes[i];
    return d.op == ir::OpKind::kDequantize && d.inputs.size() == 1 && d.outputs.size() == 1 && d.inputs[0] >= 0 &&
           g_.tensor(d.inputs[0]).is_const();
  }

 private:
  std::vector<int64_t> Perm(size_t i) const { return g_.nodes[i].GetInts("perm"); }
  ir::TensorId In(size_t i) const { return g_.nodes[i].inputs[0]; }
  ir::TensorId Out(size_t i) const { return g_.nodes[i].outputs[0]; }
  const std::vector<Use>& UsesOf(ir::TensorId t) const { return uses_[static_cast<size_t>(t)]; }
  void Erase(size_t i) { g_.nodes.erase(g_.nodes.begin() + static_cast<std::ptrdiff_t>(i)); }

  bool DropDead(size_t i) {
    if (!UsesOf(Out(i)).empty() || IsGraphOutput(g_, Out(i))) return false;
    Erase(i);
    return true;
  }

  bool DropIdentity(size_t i) {
    if (!IsIdentityPerm(Perm(i))) return false;
    const ir::TensorId x = In(i), y = Out(i);
    if (g_.tensor(x).quant != g_.tensor(y).quant) return false;
    if (!IsGraphOutput(g_, y)) {
      ReplaceUses(g_, y, x);
    } else {
      // y must stay (it is the graph's output name): x's producer makes it.
      const int p = prod_[static_cast<size_t>(x)];
      if (p < 0 || IsGraphOutput(g_, x)) return false;
      for (ir::TensorId& t : g_.nodes[static_cast<size_t>(p)].outputs)
        if (t == x) t = y;
      ReplaceUses(g_, x, y);
    }
    Erase(i);
    return true;
  }

  bool GraphInput(size_t i) {
    const ir::TensorId x = In(i);
    const std::vector<int64_t> to = ChannelsLast(g_.tensor(x).shape.size(), true);
    if (o_.keep_io_layout || !IsGraphInput(g_, x) || IsGraphOutput(g_, x) || to.empty() || Perm(i) != to) return false;
    ir::Tensor& tx = g_.tensor(x);
    if (!tx.source_layout.empty() || (tx.quant && tx.quant->per_axis())) return false;
    for (const Use& u : UsesOf(x)) {
      const ir::Node& n = g_.nodes[u.node];
      if (n.op != ir::OpKind::kTranspose || n.GetInts("perm") != to) return false;
      if (to.size() == 3 && !OnlyReshapedToRank4(n.outputs[0])) return false;
    }
    tx.shape = PermuteShape(tx.shape, to);
    tx.source_layout = SourceLayoutName(tx.shape.size());
    std::vector<size_t> readers;
    for (const Use& u : UsesOf(x)) readers.push_back(u.node);
    std::sort(readers.rbegin(), readers.rend());
    for (size_t r : readers) {
      ReplaceUses(g_, Out(r), x);
      Erase(r);
    }
    return true;
  }

  // x0 (graph input) -> U1 -> x1 -> ... -> Uk -> xk -> T, every Ui unary
  // elementwise and the only reader of its operand: the graph input and
  // x1..xk take T's layout and T goes (e.g. quantize -> dequantize before
  // the first convolution of a QDQ model). Done in one step so that sinking
  // cannot move T back down.
  bool HoistToInput(size_t i) {
    const std::vector<int64_t> to = Perm(i);
    if (o_.keep_io_layout || to.empty() || to != ChannelsLast(to.size(), true)) return false;
    std::vector<ir::TensorId> chain = {In(i)};  // xk, ..., x1
    for (;;) {
      const ir::TensorId t = chain.back();
      if (UsesOf(t).size() != 1 || IsGraphOutput(g_, t)) return false;
      const int p = prod_[static_cast<size_t>(t)];
      if (p < 0) break;
      const ir::Node& u = g_.nodes[static_cast<size_t>(p)];
      if (!IsUnaryElementwise(u) || u.outputs.size() != 1 || u.inputs[0] < 0) return false;
      chain.push_back(u.inputs[0]);
    }
    const ir::TensorId x0 = chain.back();
    if (to.size() == 3 && !OnlyReshapedToRank4(Out(i))) return false;
    if (chain.size() < 2 || !IsGraphInput(g_, x0) || g_.tensor(x0).shape.size() != to.size() ||
        !g_.tensor(x0).source_layout.empty())
      return false;
    for (ir::TensorId t : chain) {
      ir::Tensor& x = g_.tensor(t);
      if (x.quant && x.quant->per_axis())
        x.quant->axis = static_cast<int32_t>(InversePerm(to)[static_cast<size_t>(x.quant->axis)]);
      x.shape = PermuteShape(x.shape, to);
    }
    g_.tensor(x0).source_layout = SourceLayoutName(to.size());
    ReplaceUses(g_, Out(i), In(i));
    Erase(i);
    return true;
  }

  bool GraphOutput(size_t i) {
    const ir::TensorId x = In(i), y = Out(i);
    const std::vector<int64_t> from = ChannelsLast(g_.tensor(x).shape.size(), false);
    if (o_.keep_io_layout || !IsGraphOutput(g_, y) || !UsesOf(y).empty() || from.empty() || Perm(i) != from)
      return false;
    const int p = prod_[static_cast<size_t>(x)];
    if (p < 0 || IsGraphOutput(g_, x) || !g_.tensor(y).source_layout.empty()) return false;
    if (from.size() == 3) {  // only after a 1-D operator: reshape from [N,1,W,C]
      const ir::Node& r = g_.nodes[static_cast<size_t>(p)];
      if (r.op != ir::OpKind::kReshape || r.inputs.empty() || r.inputs[0] < 0 ||
          g_.tensor(r.inputs[0]).shape.size() != 4)
        return false;
    }
    if (g_.tensor(x).quant && g_.tensor(x).quant->per_axis()) return false;
    for (ir::TensorId& t : g_.nodes[static_cast<size_t>(p)].outputs)
      if (t == x) t = y;
    ReplaceUses(g_, x, y);
    ir::Tensor& ty = g_.tensor(y);
    ty.shape = g_.tensor(x).shape;
    ty.quant = g_.tensor(x).quant;
    ty.source_layout = SourceLayoutName(ty.shape.size());
    Erase(i);
    return true;
  }

  bool Compose(size_t i) {
    bool changed = false;
    for (const Use& u : UsesOf(Out(i))) {
      ir::Node& n = g_.nodes[u.node];
      if (n.op != ir::OpKind::kTranspose) continue;
      n.attrs["perm"] = ComposePerms(Perm(i), n.GetInts("perm"));
      n.inputs[0] = In(i);
      changed = true;
    }
    return changed;
  }

  // True when the transpose keeps the order of the dimensions larger than 1.
  bool IsNeutral(size_t i) const {
    const ir::Shape& s = g_.tensor(In(i)).shape;
    int64_t last = -1;
    for (int64_t d : Perm(i)) {
      if (s[static_cast<size_t>(d)] == 1) continue;
      if (d < last) return false;
      last = d;
    }
    return true;
  }

  bool Neutral(size_t i) {
    if (!IsNeutral(i)) return false;
    bool changed = false;
    for (const Use& u : UsesOf(Out(i))) {
      ir::Node& n = g_.nodes[u.node];
      if (n.op != ir::OpKind::kReshape) continue;
      n.inputs[0] = In(i);
      changed = true;
    }
    return changed;
  }

  // T (NHWC -> NCHW) -> reshape to [N, C*H*W] -> fully_connected with
  // constant weights: the reshape reads x and the weights' columns take the
  // (h, w, c) order instead of (c, h, w) (ONNX Flatten before Gemm when H or
  // W is larger than 1).
  bool FlattenIntoWeights(size_t i) {
    const ir::TensorId x = In(i), y = Out(i);
    const ir::Shape& xs = g_.tensor(x).shape;
    if (Perm(i) != kToNchw || UsesOf(y).size() != 1 || IsGraphOutput(g_, y)) return false;
    const size_t ri = UsesOf(y)[0].node;
    const ir::Node& r = g_.nodes[ri];
    if (r.op != ir::OpKind::kReshape || r.outputs.size() != 1) return false;
    const ir::TensorId f = r.outputs[0];
    const ir::Shape& fs = g_.tensor(f).shape;
    if (fs.size() != 2 || fs[0] != xs[0] || fs[1] != xs[1] * xs[2] * xs[3]) return false;
    if (UsesOf(f).size() != 1 || IsGraphOutput(g_, f)) return false;
    ir::Node& fc = g_.nodes[UsesOf(f)[0].node];
    if (fc.op != ir::OpKind::kFullyConnected || UsesOf(f)[0].operand != 0 || fc.inputs.size() < 2) return false;
    const ir::Tensor& w = g_.tensor(fc.inputs[1]);
    if (!w.is_const() || w.shape.size() != 2 || w.shape[1] != fs[1]) return false;
    // W[u, (c, h, w)] viewed as [U, C, H, W], transposed to [U, H, W, C].
    ir::Tensor view = w;
    view.shape = {w.shape[0], xs[3], xs[1], xs[2]};
    ir::Tensor moved = TransposeConstant(view, {0, 2, 3, 1});
    moved.shape = w.shape;
    moved.name = UniqueName(g_, w.name + "/nhwc");
    fc.inputs[1] = g_.AddTensor(std::move(moved));
    g_.nodes[ri].inputs[0] = x;
    Erase(i);
    return true;
  }

  // Rank-3 graph inputs take the NWC layout only in front of 1-D operators:
  // t is read only by reshapes to rank 4 (the importer's [N,W,C] -> [N,1,W,C]).
  bool OnlyReshapedToRank4(ir::TensorId t) const {
    if (UsesOf(t).empty() || IsGraphOutput(g_, t)) return false;
    for (const Use& u : UsesOf(t)) {
      const ir::Node& n = g_.nodes[u.node];
      if (n.op != ir::OpKind::kReshape || n.outputs.size() != 1 || g_.tensor(n.outputs[0]).shape.size() != 4)
        return false;
    }
    return true;
  }

  // Rule 7.
  bool SameQuant(ir::TensorId a, ir::TensorId b) const {
    const ir::Tensor& ta = g_.tensor(a);
    const ir::Tensor& tb = g_.tensor(b);
    return ta.dtype == tb.dtype && ta.quant == tb.quant && !(ta.quant && ta.quant->per_axis());
  }

  bool ReshapeOfReshape(size_t i) {
    const int p = prod_[static_cast<size_t>(In(i))];
    if (p < 0) return false;
    const ir::Node& first = g_.nodes[static_cast<size_t>(p)];
    if (first.op != ir::OpKind::kReshape || first.inputs.size() != 1 || first.inputs[0] < 0) return false;
    if (!SameQuant(first.inputs[0], In(i)) || !SameQuant(In(i), Out(i))) return false;
    g_.nodes[i].inputs[0] = first.inputs[0];
    return true;
  }

  bool DropIdentityReshape(size_t i) {
    const ir::TensorId x = In(i), y = Out(i);
    if (g_.tensor(x).shape != g_.tensor(y).shape || !SameQuant(x, y) || IsGraphOutput(g_, y)) return false;
    ReplaceUses(g_, y, x);
    Erase(i);
    return true;
  }

  // [N,1,W,C] -> [N,W,C] (drop) or [N,W,C] -> [N,1,W,C] (add): the reshapes
  // the importer puts around a 1-D operator.
  static bool DropsH(const ir::Shape& from, const ir::Shape& to) {
    return from.size() == 4 && from[1] == 1 && to == ir::Shape{from[0], from[2], from[3]};
  }

  // A constant operand of an elementwise operator that broadcasts the same
  // against [N,W,C] and [N,1,W,C]: every dimension 1 but the last (C or 1).
  bool PerChannelConst(ir::TensorId t, int64_t channels) const {
    if (t < 0 || !g_.tensor(t).is_const()) return false;
    const ir::Tensor& k = g_.tensor(t);
    if (k.shape.size() > 3 || (k.quant && k.quant->per_axis())) return false;
    for (size_t d = 0; d + 1 < k.shape.size(); ++d)
      if (k.shape[d] != 1) return false;
    return k.shape.empty() || k.shape.back() == 1 || k.shape.back() == channels;
  }

  // Elementwise node n whose operands other than `t` are per-channel
  // constants (unary ones have none).
  bool ElementwiseOn(const ir::Node& n, ir::TensorId t, int64_t channels) const {
    if (n.outputs.size() != 1 || !(IsUnaryElementwise(n) || IsBinaryElementwise(n))) return false;
    for (ir::TensorId u : n.inputs)
      if (u != t && !PerChannelConst(u, channels)) return false;
    return true;
  }

  // y = reshape(x) drops H; its one reader c is elementwise (as above) or a
  // mean/reduce_max/reduce_min with keep_dims: c reads x (axes moved past H) and the
  // reshape follows c.
  bool SinkUnitReshape(size_t i) {
    const ir::TensorId x = In(i), y = Out(i);
    const ir::Shape xs = g_.tensor(x).shape;
    if (!DropsH(xs, g_.tensor(y).shape) || !SameQuant(x, y) || UsesOf(y).size() != 1 || IsGraphOutput(g_, y))
      return false;
    const size_t c = UsesOf(y)[0].node;
    const ir::Node& reader = g_.nodes[c];
    if (reader.outputs.size() != 1 || IsGraphOutput(g_, reader.outputs[0])) return false;
    const ir::TensorId z = reader.outputs[0];
    const ir::Tensor& tz = g_.tensor(z);
    if (tz.shape.size() != 3 || (tz.quant && tz.quant->per_axis())) return false;
    ir::Node moved = reader;
    if (IsOneOf(reader.op, {"mean", "reduce_max", "reduce_min"})) {
      if (reader.GetInt("keep_dims") != 1) return false;
      std::vector<int64_t> axes;
      for (int64_t a : reader.GetInts("axes")) {
        if (a < 0 || a > 2) return false;
        axes.push_back(a == 0 ? 0 : a + 1);
      }
      moved.attrs["axes"] = axes;
    } else if (!ElementwiseOn(reader, y, xs[3]) || tz.shape != g_.tensor(y).shape) {
      return false;
    }
    // reader(x) -> z2 : [N,1,W',C'], then the reshape to z.
    ir::Tensor t2 = tz;
    t2.shape = {tz.shape[0], 1, tz.shape[1], tz.shape[2]};
    t2.source_layout.clear();
    g_.tensor(z).name = UniqueName(g_, t2.name + "/reshaped");
    const ir::TensorId z2 = g_.AddTensor(std::move(t2));
    Reorder(i, z2, z, c, std::move(moved), y, x, z2);
    return true;
  }

  // y = reshape(x) adds H and x is made by elementwise node p from u (x's
  // only reader is the reshape): the reshape moves before p, p makes y.
  bool HoistUnitReshape(size_t i) {
    const ir::TensorId x = In(i), y = Out(i);
    if (!DropsH(g_.tensor(y).shape, g_.tensor(x).shape) || !SameQuant(x, y) || UsesOf(x).size() != 1 ||
        IsGraphOutput(g_, x))
      return false;
    const int pi = prod_[static_cast<size_t>(x)];
    if (pi < 0) return false;
    const ir::Node& p = g_.nodes[static_cast<size_t>(pi)];
    ir::TensorId u = -1;
    for (ir::TensorId t : p.inputs)
      if (t >= 0 && !g_.tensor(t).is_const()) {
        if (u >= 0 && t != u) return false;  // one operand computed at run time
        u = t;
      }
    if (u < 0 || g_.tensor(u).shape != g_.tensor(x).shape || !ElementwiseOn(p, u, g_.tensor(x).shape[2])) return false;
    if (g_.tensor(u).quant && g_.tensor(u).quant->per_axis()) return false;
    ir::Tensor t2 = g_.tensor(u);
    t2.shape = g_.tensor(y).shape;
    t2.source_layout.clear();
    t2.name = UniqueName(g_, t2.name + "/h");
    const ir::TensorId u2 = g_.AddTensor(std::move(t2));
    Reorder(i, u, u2, static_cast<size_t>(pi), p, u, u2, y);
    return true;
  }

  // Reshape i and node p trade places: the reshape now reads r_in and makes
  // r_out; p (`moved`, reading `to` instead of `from`) makes p_out.
  void Reorder(size_t i, ir::TensorId r_in, ir::TensorId r_out, size_t p, ir::Node moved, ir::TensorId from,
               ir::TensorId to, ir::TensorId p_out) {
    for (ir::TensorId& t : moved.inputs)
      if (t == from) t = to;
    moved.outputs[0] = p_out;
    ir::Node r = g_.nodes[i];
    r.inputs = {r_in};
    r.outputs = {r_out};
    r.attrs["shape"] = g_.tensor(r_out).shape;
    g_.nodes[p] = std::move(moved);
    g_.nodes[i] = std::move(r);
  }

  bool Sink(size_t i);
  std::optional<ir::TensorId> OperandInX(ir::TensorId t, const std::vector<int64_t>& p, size_t rank);
  void Emit(size_t c, ir::Node moved, const std::vector<int64_t>& q);

  ir::Graph& g_;
  const PassOptions& o_;
  std::vector<std::vector<Use>> uses_;
  std::vector<int> prod_;
};

// Operand `t` of the reader, expressed in x's layout: the input of a transpose
// with perm p, or a constant of rank <= `rank` padded with leading 1s and
// permuted. nullopt otherwise.
std::optional<ir::TensorId> LayoutRewriter::OperandInX(ir::TensorId t, const std::vector<int64_t>& p, size_t rank) {
  const int pi = prod_[static_cast<size_t>(t)];
  if (pi >= 0) {
    const ir::Node& n = g_.nodes[static_cast<size_t>(pi)];
    if (n.op == ir::OpKind::kTranspose && n.GetInts("perm") == p) return n.inputs[0];
    return std::nullopt;
  }
  const ir::Tensor& c = g_.tensor(t);
  if (!c.is_const() || c.shape.size() > rank) return std::nullopt;
  ir::Tensor padded = c;
  padded.shape.insert(padded.shape.begin(), rank - c.shape.size(), 1);
  if (padded.quant && padded.quant->per_axis()) padded.quant->axis += static_cast<int32_t>(rank - c.shape.size());
  ir::Tensor moved = TransposeConstant(padded, InversePerm(p));
  moved.name = UniqueName(g_, c.name + "/perm");
  return g_.AddTensor(std::move(moved));
}

// Replaces reader c by `moved` (operands and attributes in x's layout) followed
// by a transpose with perm q to c's output; no transpose when q is the identity.
void LayoutRewriter::Emit(size_t c, ir::Node moved, const std::vector<int64_t>& q) {
  const ir::TensorId z = g_.nodes[c].outputs[0];
  if (!IsIdentityPerm(q)) {
    ir::Tensor t = g_.tensor(z);
    t.shape = PermuteShape(t.shape, InversePerm(q));
    if (t.quant && t.quant->per_axis()) t.quant->axis = static_cast<int32_t>(q[static_cast<size_t>(t.quant->axis)]);
    t.source_layout.clear();
    // The result in x's layout takes the name (the transpose after it
    // usually cancels later); the transposed one keeps it on graph outputs.
    const std::string suffix = q == kToNchw ? "/nchw" : "/perm";
    if (IsGraphOutput(g_, z)) {
      t.name = UniqueName(g_, t.name + (q == kToNchw ? "/nhwc" : "/perm"));
    } else {
      g_.tensor(z).name = UniqueName(g_, t.name + suffix);
    }
    const ir::TensorId z2 = g_.AddTensor(std::move(t));
    moved.outputs[0] = z2;
    ir::Node tr;
    tr.op = ir::OpKind::kTranspose;
    tr.inputs = {z2};
    tr.outputs = {z};
    tr.attrs["perm"] = q;
    g_.nodes.push_back(std::move(tr));
  }
  g_.nodes[c] = std::move(moved);
}

// A reduction (axes, keep_dims) after transpose p, moved before it: its axes
// in x's layout, and in *q the perm of the transpose after it (p with
// keep_dims; without, the order of the remaining axes).
bool ReduceThrough(const ir::Node& reader, const std::vector<int64_t>& p, ir::Node* moved,
                   std::vector<int64_t>* q) {
  const size_t rank = p.size();
  std::vector<bool> reduced(rank, false);
  for (int64_t a : reader.GetInts("axes")) {
    if (a < 0 || a >= static_cast<int64_t>(rank)) return false;
    reduced[static_cast<size_t>(a)] = true;
  }
  std::vector<int64_t> new_axes, kept;
  for (size_t a = 0; a < rank; ++a) (reduced[a] ? new_axes : kept).push_back(p[a]);
  std::sort(new_axes.begin(), new_axes.end());
  moved->attrs["axes"] = new_axes;
  if (reader.GetInt("keep_dims") == 0) {
    std::vector<int64_t> sorted = kept;
    std::sort(sorted.begin(), sorted.end());
    q->clear();
    for (int64_t d : kept) q->push_back(std::find(sorted.begin(), sorted.end(), d) - sorted.begin());
  }
  return true;
}

bool LayoutRewriter::Sink(size_t i) {
  const ir::TensorId y = Out(i);
  if (UsesOf(y).empty() || IsGraphOutput(g_, y)) return false;
  const size_t c = UsesOf(y)[0].node;
  for (const Use& u : UsesOf(y))
    if (u.node != c) return false;  // one reader (which may read y twice)
  const ir::Node& reader = g_.nodes[c];
  if (reader.outputs.size() != 1) return false;
  const std::vector<int64_t> p = Perm(i);
  const size_t rank = p.size();
  ir::Node moved = reader;
  std::vector<int64_t> q = p;
  if (IsUnaryElementwise(reader)) {
    moved.inputs[0] = In(i);
  } else if (IsBinaryElementwise(reader) || reader.op == ir::OpKind::kConcatenation) {
    if (g_.tensor(reader.outputs[0]).shape.size() != rank) return false;
    // Check every operand first: OperandInX adds constants. A dequantized
    // constant moves as a constant does, with a dequantize of its own.
    auto dequantized_const = [&](int pi) {
      return pi >= 0 && DequantizesConst(static_cast<size_t>(pi)) &&
             g_.tensor(g_.nodes[static_cast<size_t>(pi)].inputs[0]).shape.size() <= rank;
    };
    for (ir::TensorId t : reader.inputs) {
      if (t == y) continue;
      if (t < 0) return false;
      const int pi = prod_[static_cast<size_t>(t)];
      const bool ok = pi >= 0 ? (g_.nodes[static_cast<size_t>(pi)].op == ir::OpKind::kTranspose &&
                                 g_.nodes[static_cast<size_t>(pi)].GetInts("perm") == p) ||
                                    dequantized_const(pi)
                              : g_.tensor(t).is_const() && g_.tensor(t).shape.size() <= rank;
      if (!ok) return false;
    }
    if (reader.op == ir::OpKind::kConcatenation) {
      const int64_t axis = reader.GetInt("axis");
      if (axis < 0 || axis >= static_cast<int64_t>(rank)) return false;
      moved.attrs["axis"] = p[static_cast<size_t>(axis)];
    }
    std::vector<ir::Node> dequantizes;
    for (ir::TensorId& t : moved.inputs) {
      if (t == y) {
        t = In(i);
        continue;
      }
      const int pi = prod_[static_cast<size_t>(t)];
      if (!dequantized_const(pi)) {
        t = *OperandInX(t, p, rank);
        continue;
      }
      ir::Node d = g_.nodes[static_cast<size_t>(pi)];
      d.inputs[0] = *OperandInX(d.inputs[0], p, rank);
      ir::Tensor f = g_.tensor(t);
      f.shape = g_.tensor(d.inputs[0]).shape;
      f.name = UniqueName(g_, f.name + "/perm");
      f.source_layout.clear();
      d.outputs[0] = t = g_.AddTensor(std::move(f));
      dequantizes.push_back(std::move(d));
    }
    for (ir::Node& d : dequantizes) g_.nodes.push_back(std::move(d));
  } else if (IsOneOf(reader.op, {"mean", "reduce_max", "reduce_min"})) {
    if (!ReduceThrough(reader, p, &moved, &q)) return false;
    moved.inputs[0] = In(i);
  } else if (reader.op == ir::OpKind::kPad) {
    const std::vector<int64_t> pads = reader.GetInts("pads");
    if (pads.size() != 2 * rank) return false;
    std::vector<int64_t> moved_pads(pads.size());
    for (size_t a = 0; a < rank; ++a) {
      moved_pads[2 * static_cast<size_t>(p[a])] = pads[2 * a];
      moved_pads[2 * static_cast<size_t>(p[a]) + 1] = pads[2 * a + 1];
    }
    moved.attrs["pads"] = moved_pads;
    moved.inputs[0] = In(i);
  } else if (reader.op == ir::OpKind::kSoftmax || reader.op == ir::OpKind::kLogSoftmax) {
    if (rank == 0 || p[rank - 1] != static_cast<int64_t>(rank - 1)) return false;
    moved.inputs[0] = In(i);
  } else {
    return false;
  }
  Emit(c, std::move(moved), q);
  Erase(i);
  return true;
}

}  // namespace

Status Layout(ir::Graph& g, const PassOptions& options) {
  for (const ir::Node& n : g.nodes) {
    if (n.op != ir::OpKind::kTranspose) continue;
    // The rules read the perm as given; a malformed one is left alone.
    if (n.inputs.size() != 1 || n.outputs.size() != 1 ||
        !IsPermutation(n.GetInts("perm"), g.tensor(n.inputs[0]).shape.size()))
      return Status::Ok();
  }
  LayoutRewriter rw(g, options);
  while (rw.Step()) {
  }
  return Status::Ok();
}

}  // namespace ember::passes
