// ONNX LSTM, GRU and RNN unrolled into their equations, one copy per time
// step, for what the IR's recurrent operators (TFLite's) do not take:
// initial states computed at run time (a streaming model that passes its
// state in and out), an LSTM's final cell state Y_c read, peepholes, clip,
// and the other activation functions ONNX names. The step's nodes are ONNX
// nodes converted like any other (MatMul of constant weights, Add, Mul,
// the activations, Split, Gather, Unsqueeze, Concat), in float32.
//
// Per direction, from h = initial_h (c = initial_c; zero when absent), for
// each step t (the last first in reverse):
//   LSTM (W, R, P in ONNX's gate order i, o, f, c):
//     g = x_t·W^T + h·R^T + (Wb + Rb), split into i, o, f, c~
//     i = f(clip(i + Pi·c)), f_t = f(clip(f + Pf·c)), c~ = g(clip(c~))
//     c = f_t·c + i·c~, o = f(clip(o + Po·c)), h = o·h(c)
//   GRU (z, r, h): xz, xr, xh = x_t·W^T + Wb; hz, hr, hh = h·R^T + Rb
//     z = f(clip(xz + hz)), r = f(clip(xr + hr))
//     h~ = g(clip(xh + r·hh))                    (linear_before_reset 1)
//     h~ = g(clip(xh + (r·h)·Rh^T + Rbh))        (linear_before_reset 0)
//     h = h~ + z·(h − h~)                        ((1 − z)·h~ + z·h)
//   RNN: h = f(clip(x_t·W^T + h·R^T + Wb + Rb))
// Y stacks every step's h in time order; Y_h and Y_c are the last step's
// (the first step's time index in reverse). Activation parameters
// (activation_alpha / activation_beta) are consumed in the order of the
// activations that take them, as ONNX Runtime reads them.
#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

class Unroller {
 public:
  Unroller(Context& ctx, const NodeRef& ref) : ctx_(ctx), ref_(ref) {}

  Status Run() {
    const std::string& op = ref_.node->op_type();
    gates_ = op == "LSTM" ? 4 : op == "GRU" ? 3 : 1;
    EMBER_ASSIGN_OR_RETURN(Value xv, Input(ctx_, ref_, 0));
    const ir::Shape xs = ShapeOf(ctx_, xv);
    layout_ = AttrInt(ref_, "layout", 0);
    if (xs.size() != 3 || (layout_ != 0 && layout_ != 1)) {
      return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure,
                       "has X of shape " + ir::ShapeToString(xs) + " and layout " + std::to_string(layout_));
    }
    steps_ = xs[layout_ == 0 ? 0 : 1];
    batch_ = xs[layout_ == 0 ? 1 : 0];
    input_ = xs[2];
    const std::string direction = AttrString(ref_, "direction", "forward");
    dirs_ = direction == "bidirectional" ? 2 : 1;
    EMBER_ASSIGN_OR_RETURN(auto w, ConstInput(ctx_, ref_, 1, "W"));
    EMBER_ASSIGN_OR_RETURN(auto r, ConstInput(ctx_, ref_, 2, "R"));
    hidden_ = AttrInt(ref_, "hidden_size", r->shape.size() == 3 ? r->shape[2] : 0);
    const int64_t H = hidden_, G = gates_;
    if (H <= 0 || w->shape != ir::Shape{dirs_, G * H, input_} || r->shape != ir::Shape{dirs_, G * H, H}) {
      return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure,
                       "has W of shape " + ir::ShapeToString(w->shape) + " and R of shape " +
                           ir::ShapeToString(r->shape) + " for " + std::to_string(dirs_) + " direction(s) of " +
                           std::to_string(H) + " hidden units");
    }
    if (steps_ * dirs_ * 24 > kMaxUnrolledNodes) {
      return UnsupportedAttr(ctx_, ref_, std::to_string(steps_) + " steps to unroll",
                             "ember unrolls at most " + std::to_string(kMaxUnrolledNodes / 24) + " steps");
    }
    std::shared_ptr<const ConstTensor> b, p;
    if (HasInput(ref_, 3)) {
      EMBER_ASSIGN_OR_RETURN(b, ConstInput(ctx_, ref_, 3, "B"));
      if (b->shape != ir::Shape{dirs_, 2 * G * H}) return Bad("B", b->shape);
    }
    if (gates_ == 4 && HasInput(ref_, 7)) {
      EMBER_ASSIGN_OR_RETURN(p, ConstInput(ctx_, ref_, 7, "P"));
      if (p->shape != ir::Shape{dirs_, 3 * H}) return Bad("P", p->shape);
    }
    if (gates_ == 4 && AttrInt(ref_, "input_forget", 0) != 0) {
      return UnsupportedAttr(ctx_, ref_, "input_forget=1 (coupled gates)");
    }
    if (HasInput(ref_, 4)) {
      EMBER_ASSIGN_OR_RETURN(auto lens, ConstInput(ctx_, ref_, 4, "sequence_lens"));
      for (int64_t k = 0; k < lens->size(); ++k) {
        if (lens->int_at(k) != steps_) {
          return UnsupportedAttr(ctx_, ref_,
                                 "sequence_lens " + std::to_string(lens->int_at(k)) + " for a sequence of " +
                                     std::to_string(steps_) + " steps",
                                 "ember runs every sequence of the batch to its full length");
        }
      }
    }
    EMBER_RETURN_IF_ERROR(ReadActivations());
    has_clip_ = FindAttr(ref_, "clip") != nullptr;
    clip_ = AttrFloat(ref_, "clip", 0.0f);
    if (has_clip_ && !(clip_ > 0.0f)) {
      return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure, "has clip " + std::to_string(clip_));
    }
    if (has_clip_) {
      clip_lo_ = Const("clip_low", {}, {-static_cast<double>(clip_)});
      clip_hi_ = Const("clip_high", {}, {static_cast<double>(clip_)});
    }
    std::vector<std::string> ys, hs, cs;
    for (int64_t dir = 0; dir < dirs_; ++dir) {
      const bool reverse = direction == "reverse" || dir == 1;
      EMBER_RETURN_IF_ERROR(Direction(dir, reverse, *w, *r, b.get(), p.get(), &ys, &hs, &cs));
    }
    // Y: [T, dirs, batch, H] (layout 1: [batch, T, dirs, H]); Y_h, Y_c: [dirs, batch, H] ([batch, dirs, H]).
    const auto output = [&](size_t k) {
      return static_cast<int>(k) < ref_.node->output_size() ? ref_.node->output(static_cast<int>(k)) : std::string();
    };
    if (!output(0).empty()) EMBER_RETURN_IF_ERROR(Join(ys, layout_ == 0 ? 1 : 2, output(0)));
    if (!output(1).empty()) EMBER_RETURN_IF_ERROR(Join(hs, layout_ == 0 ? 0 : 1, output(1)));
    if (!output(2).empty() && gates_ == 4) EMBER_RETURN_IF_ERROR(Join(cs, layout_ == 0 ? 0 : 1, output(2)));
    return Status::Ok();
  }

 private:
  static constexpr int64_t kMaxUnrolledNodes = int64_t{1} << 20;

  struct Activation {
    std::string name;  // lower case
    double alpha = 0.0, beta = 0.0;
  };

  Diagnostic Bad(const std::string& what, const ir::Shape& s) {
    return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure, what + " has shape " + ir::ShapeToString(s));
  }

  // The activations f, g, h (LSTM; GRU f, g; RNN f) of each direction, with
  // their parameters.
  Status ReadActivations() {
    const std::vector<std::string> defaults = gates_ == 4   ? std::vector<std::string>{"sigmoid", "tanh", "tanh"}
                                              : gates_ == 3 ? std::vector<std::string>{"sigmoid", "tanh"}
                                                            : std::vector<std::string>{"tanh"};
    const auto per_dir = static_cast<int64_t>(defaults.size());
    std::vector<std::string> names;
    if (const pb::AttributeProto* a = FindAttr(ref_, "activations")) {
      for (const auto& s : a->strings()) {
        std::string v = s;
        for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        names.push_back(v);
      }
      if (static_cast<int64_t>(names.size()) != per_dir * dirs_) {
        return NodeError(ctx_, ref_, kBadOperand, ExitCode::kFailure,
                         "has " + std::to_string(names.size()) + " activations for " + std::to_string(dirs_) +
                             " direction(s) of " + std::to_string(per_dir));
      }
    } else {
      for (int64_t d = 0; d < dirs_; ++d) names.insert(names.end(), defaults.begin(), defaults.end());
    }
    std::vector<float> alphas, betas;
    if (const pb::AttributeProto* a = FindAttr(ref_, "activation_alpha")) alphas.assign(a->floats().begin(), a->floats().end());
    if (const pb::AttributeProto* a = FindAttr(ref_, "activation_beta")) betas.assign(a->floats().begin(), a->floats().end());
    size_t ai = 0, bi = 0;
    for (const std::string& n : names) {
      Activation act;
      act.name = n;
      // (alpha default, beta default, takes alpha, takes beta)
      double da = 0.0, db = 0.0;
      bool ta = false, tb = false;
      if (n == "leakyrelu") da = 0.01, ta = true;
      else if (n == "thresholdedrelu" || n == "elu") da = 1.0, ta = true;
      else if (n == "hardsigmoid") da = 0.2, db = 0.5, ta = tb = true;
      else if (n == "affine" || n == "scaledtanh") da = 1.0, db = 0.0, ta = tb = true;
      else if (n != "sigmoid" && n != "tanh" && n != "relu" && n != "softsign" && n != "softplus") {
        return UnsupportedAttr(ctx_, ref_, "activation '" + n + "'",
                               "ember computes Sigmoid, Tanh, Relu, LeakyRelu, ThresholdedRelu, Elu, HardSigmoid, "
                               "Affine, ScaledTanh, Softsign and Softplus");
      }
      act.alpha = ta && ai < alphas.size() ? alphas[ai++] : da;
      act.beta = tb && bi < betas.size() ? betas[bi++] : db;
      acts_.push_back(act);
    }
    return Status::Ok();
  }

  std::string Name(const std::string& tag) { return FreshValueName(ctx_, ref_.name + "/" + tag); }

  std::string Const(const std::string& tag, const ir::Shape& shape, std::vector<double> values) {
    const std::string n = Name(tag);
    ctx_.values[n] = ConstValue(FloatConst(shape, std::move(values)));
    return n;
  }

  std::string IntConstant(const std::string& tag, const ir::Shape& shape, std::vector<int64_t> values) {
    const std::string n = Name(tag);
    ctx_.values[n] = ConstValue(IntConst(shape, std::move(values)));
    return n;
  }

  // Converts one ONNX node of the step; returns its outputs' names (given
  // ones, or fresh names tagged `tag`).
  Expected<std::vector<std::string>> Emit(const std::string& op, const std::vector<std::string>& inputs,
                                          const std::string& tag, size_t outputs = 1,
                                          const std::vector<pb::AttributeProto>& attrs = {},
                                          const std::string& out = "") {
    pb::NodeProto n;
    n.set_op_type(op);
    n.set_name(ref_.node->name());
    for (const auto& in : inputs) n.add_input(in);
    std::vector<std::string> names;
    for (size_t k = 0; k < outputs; ++k) {
      names.push_back(k == 0 && !out.empty() ? out : Name(tag + (outputs > 1 ? std::to_string(k) : "")));
      n.add_output(names.back());
    }
    for (const auto& a : attrs) *n.add_attribute() = a;
    NodeRef r = ref_;
    r.node = &n;
    r.shown_op = ref_.node->op_type();
    bool handled = false;
    EMBER_RETURN_IF_ERROR(ConvertNode(ctx_, r, &handled));
    if (!handled) {
      return UnsupportedAttr(ctx_, ref_, "an unrolled step's " + op, "ember lacks an IR operator the step needs");
    }
    return names;
  }

  Expected<std::string> Emit1(const std::string& op, const std::vector<std::string>& inputs, const std::string& tag,
                              const std::vector<pb::AttributeProto>& attrs = {}, const std::string& out = "") {
    EMBER_ASSIGN_OR_RETURN(auto v, Emit(op, inputs, tag, 1, attrs, out));
    return v[0];
  }

  static pb::AttributeProto IntAttr(const char* name, int64_t v) {
    pb::AttributeProto a;
    a.set_name(name);
    a.set_type(pb::AttributeProto::INT);
    a.set_i(v);
    return a;
  }
  static pb::AttributeProto FloatAttr(const char* name, double v) {
    pb::AttributeProto a;
    a.set_name(name);
    a.set_type(pb::AttributeProto::FLOAT);
    a.set_f(static_cast<float>(v));
    return a;
  }

  // `x` with a new axis `axis` of size 1.
  Expected<std::string> Unsqueeze(const std::string& x, int64_t axis, const std::string& tag) {
    if (ctx_.opset >= 13) return Emit1("Unsqueeze", {x, IntConstant(tag + "_axis", {1}, {axis})}, tag);
    pb::AttributeProto a;
    a.set_name("axes");
    a.set_type(pb::AttributeProto::INTS);
    a.add_ints(axis);
    return Emit1("Unsqueeze", {x}, tag, {a});
  }

  // f(clip(x)) for activation `act`.
  Expected<std::string> Activate(const std::string& x, const Activation& act, const std::string& tag) {
    std::string v = x;
    if (has_clip_) {
      EMBER_ASSIGN_OR_RETURN(v, Emit1("Clip", {v, clip_lo_, clip_hi_}, tag + "_clipped"));
    }
    const std::string& n = act.name;
    if (n == "sigmoid") return Emit1("Sigmoid", {v}, tag);
    if (n == "tanh") return Emit1("Tanh", {v}, tag);
    if (n == "relu") return Emit1("Relu", {v}, tag);
    if (n == "softsign") return Emit1("Softsign", {v}, tag);
    if (n == "softplus") return Emit1("Softplus", {v}, tag);
    if (n == "leakyrelu") return Emit1("LeakyRelu", {v}, tag, {FloatAttr("alpha", act.alpha)});
    if (n == "thresholdedrelu") return Emit1("ThresholdedRelu", {v}, tag, {FloatAttr("alpha", act.alpha)});
    if (n == "elu") return Emit1("Elu", {v}, tag, {FloatAttr("alpha", act.alpha)});
    if (n == "hardsigmoid") {
      return Emit1("HardSigmoid", {v}, tag, {FloatAttr("alpha", act.alpha), FloatAttr("beta", act.beta)});
    }
    if (n == "affine") {  // alpha·x + beta
      EMBER_ASSIGN_OR_RETURN(std::string s, Emit1("Mul", {v, Const(tag + "_alpha", {}, {act.alpha})}, tag + "_scaled"));
      return Emit1("Add", {s, Const(tag + "_beta", {}, {act.beta})}, tag);
    }
    // scaledtanh: alpha·tanh(beta·x)
    EMBER_ASSIGN_OR_RETURN(std::string s, Emit1("Mul", {v, Const(tag + "_beta", {}, {act.beta})}, tag + "_in"));
    EMBER_ASSIGN_OR_RETURN(s, Emit1("Tanh", {s}, tag + "_tanh"));
    return Emit1("Mul", {s, Const(tag + "_alpha", {}, {act.alpha})}, tag);
  }

  // Direction `dir`'s initial state (input `pos`: [dirs, batch, H], layout
  // 1 [batch, dirs, H]) as [batch, H]; zeros when absent.
  Expected<std::string> Initial(size_t pos, int64_t dir, const std::string& tag) {
    if (!HasInput(ref_, pos)) {
      return Const(tag, {batch_, hidden_}, std::vector<double>(static_cast<size_t>(batch_ * hidden_), 0.0));
    }
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx_, ref_, pos));
    const ir::Shape want = layout_ == 0 ? ir::Shape{dirs_, batch_, hidden_} : ir::Shape{batch_, dirs_, hidden_};
    if (ShapeOf(ctx_, v) != want) return Bad(pos == 5 ? "initial_h" : "initial_c", ShapeOf(ctx_, v));
    return Emit1("Gather", {ref_.node->input(static_cast<int>(pos)), IntConstant(tag + "_dir", {}, {dir})}, tag,
                 {IntAttr("axis", layout_ == 0 ? 0 : 1)});
  }

  // Rows [from, from + count) of gate block g of direction dir of a [dirs,
  // G·H, K] weight, transposed to [K, count].
  std::vector<double> Transposed(const ConstTensor& m, int64_t dir, int64_t from, int64_t count, int64_t k) const {
    std::vector<double> out(static_cast<size_t>(k * count));
    const int64_t base = dir * gates_ * hidden_ * k;
    for (int64_t row = 0; row < count; ++row)
      for (int64_t col = 0; col < k; ++col)
        out[static_cast<size_t>(col * count + row)] = m.f[static_cast<size_t>(base + (from + row) * k + col)];
    return out;
  }

  Status Direction(int64_t dir, bool reverse, const ConstTensor& w, const ConstTensor& r, const ConstTensor* b,
                   const ConstTensor* p, std::vector<std::string>* ys, std::vector<std::string>* hs,
                   std::vector<std::string>* cs) {
    const int64_t H = hidden_, G = gates_, I = input_;
    const std::string dn = dirs_ == 2 ? (dir == 0 ? "forward/" : "backward/") : "";
    const Activation* act = &acts_[static_cast<size_t>(dir * (G == 4 ? 3 : G == 3 ? 2 : 1))];
    const std::string wt = Const(dn + "W_t", {I, G * H}, Transposed(w, dir, 0, G * H, I));
    // Biases: Wb and Rb, or their sum where the equations only add them.
    std::vector<double> wb(static_cast<size_t>(G * H), 0.0), rb(static_cast<size_t>(G * H), 0.0);
    for (int64_t k = 0; b && k < G * H; ++k) {
      wb[static_cast<size_t>(k)] = b->f[static_cast<size_t>(dir * 2 * G * H + k)];
      rb[static_cast<size_t>(k)] = b->f[static_cast<size_t>(dir * 2 * G * H + G * H + k)];
    }
    const bool lbr = G == 3 && AttrInt(ref_, "linear_before_reset", 0) != 0;
    std::string rt, rt_zr, rt_h, bias, wbias, rbias, rb_h;
    if (G == 3 && !lbr) {  // R's h block multiplies r·h: kept apart
      rt_zr = Const(dn + "R_zr_t", {H, 2 * H}, Transposed(r, dir, 0, 2 * H, H));
      rt_h = Const(dn + "R_h_t", {H, H}, Transposed(r, dir, 2 * H, H, H));
      wbias = Const(dn + "Wb", {G * H}, wb);
      rbias = Const(dn + "Rb_zr", {2 * H}, std::vector<double>(rb.begin(), rb.begin() + 2 * H));
      rb_h = Const(dn + "Rb_h", {H}, std::vector<double>(rb.begin() + 2 * H, rb.end()));
    } else {
      rt = Const(dn + "R_t", {H, G * H}, Transposed(r, dir, 0, G * H, H));
      if (G == 3) {
        wbias = Const(dn + "Wb", {G * H}, wb);
        rbias = Const(dn + "Rb", {G * H}, rb);
      } else {
        std::vector<double> sum(wb.size());
        for (size_t k = 0; k < sum.size(); ++k) sum[k] = static_cast<float>(wb[k]) + static_cast<float>(rb[k]);
        bias = Const(dn + "bias", {G * H}, sum);
      }
    }
    std::string pi, po, pf;
    if (p) {
      const auto part = [&](int64_t k, const char* tag) {
        return Const(dn + tag, {H}, std::vector<double>(p->f.begin() + dir * 3 * H + k * H, p->f.begin() + dir * 3 * H + (k + 1) * H));
      };
      pi = part(0, "P_i");
      po = part(1, "P_o");
      pf = part(2, "P_f");
    }
    EMBER_ASSIGN_OR_RETURN(std::string h, Initial(5, dir, dn + "h0"));
    std::string c;
    if (G == 4) {
      EMBER_ASSIGN_OR_RETURN(c, Initial(6, dir, dn + "c0"));
    }
    std::vector<std::string> per_step(static_cast<size_t>(steps_));
    for (int64_t s = 0; s < steps_; ++s) {
      const int64_t t = reverse ? steps_ - 1 - s : s;
      const std::string tag = dn + "t" + std::to_string(t) + "/";
      EMBER_ASSIGN_OR_RETURN(std::string xt, Emit1("Gather", {ref_.node->input(0), IntConstant(tag + "step", {}, {t})},
                                                  tag + "x", {IntAttr("axis", layout_ == 0 ? 0 : 1)}));
      EMBER_ASSIGN_OR_RETURN(std::string xw, Emit1("MatMul", {xt, wt}, tag + "xw"));
      if (G == 4 || G == 1) {
        EMBER_ASSIGN_OR_RETURN(std::string hr, Emit1("MatMul", {h, rt}, tag + "hr"));
        EMBER_ASSIGN_OR_RETURN(std::string g, Emit1("Add", {xw, hr}, tag + "sum"));
        EMBER_ASSIGN_OR_RETURN(g, Emit1("Add", {g, bias}, tag + "gates"));
        if (G == 1) {
          EMBER_ASSIGN_OR_RETURN(h, Activate(g, act[0], tag + "h"));
        } else {
          EMBER_ASSIGN_OR_RETURN(auto parts, SplitGates(g, 4, tag + "gate"));
          std::string gi = parts[0], go = parts[1], gf = parts[2], gc = parts[3];
          if (p) {
            EMBER_ASSIGN_OR_RETURN(std::string q, Emit1("Mul", {c, pi}, tag + "peep_i"));
            EMBER_ASSIGN_OR_RETURN(gi, Emit1("Add", {gi, q}, tag + "i_in"));
            EMBER_ASSIGN_OR_RETURN(q, Emit1("Mul", {c, pf}, tag + "peep_f"));
            EMBER_ASSIGN_OR_RETURN(gf, Emit1("Add", {gf, q}, tag + "f_in"));
          }
          EMBER_ASSIGN_OR_RETURN(std::string i, Activate(gi, act[0], tag + "i"));
          EMBER_ASSIGN_OR_RETURN(std::string f, Activate(gf, act[0], tag + "f"));
          EMBER_ASSIGN_OR_RETURN(std::string cc, Activate(gc, act[1], tag + "c_candidate"));
          EMBER_ASSIGN_OR_RETURN(std::string kept, Emit1("Mul", {f, c}, tag + "c_kept"));
          EMBER_ASSIGN_OR_RETURN(std::string added, Emit1("Mul", {i, cc}, tag + "c_added"));
          EMBER_ASSIGN_OR_RETURN(c, Emit1("Add", {kept, added}, tag + "c"));
          if (p) {
            EMBER_ASSIGN_OR_RETURN(std::string q, Emit1("Mul", {c, po}, tag + "peep_o"));
            EMBER_ASSIGN_OR_RETURN(go, Emit1("Add", {go, q}, tag + "o_in"));
          }
          EMBER_ASSIGN_OR_RETURN(std::string o, Activate(go, act[0], tag + "o"));
          EMBER_ASSIGN_OR_RETURN(std::string hc, Activate(c, act[2], tag + "c_act"));
          EMBER_ASSIGN_OR_RETURN(h, Emit1("Mul", {o, hc}, tag + "h"));
        }
      } else {  // GRU
        EMBER_ASSIGN_OR_RETURN(xw, Emit1("Add", {xw, wbias}, tag + "xw_b"));
        EMBER_ASSIGN_OR_RETURN(auto xp, SplitGates(xw, 3, tag + "x_gate"));
        std::string hz, hr, hh;
        if (lbr) {
          EMBER_ASSIGN_OR_RETURN(std::string hw, Emit1("MatMul", {h, rt}, tag + "hr"));
          EMBER_ASSIGN_OR_RETURN(hw, Emit1("Add", {hw, rbias}, tag + "hr_b"));
          EMBER_ASSIGN_OR_RETURN(auto hp, SplitGates(hw, 3, tag + "h_gate"));
          hz = hp[0], hr = hp[1], hh = hp[2];
        } else {
          EMBER_ASSIGN_OR_RETURN(std::string hw, Emit1("MatMul", {h, rt_zr}, tag + "hr"));
          EMBER_ASSIGN_OR_RETURN(hw, Emit1("Add", {hw, rbias}, tag + "hr_b"));
          EMBER_ASSIGN_OR_RETURN(auto hp, SplitGates(hw, 2, tag + "h_gate"));
          hz = hp[0], hr = hp[1];
        }
        EMBER_ASSIGN_OR_RETURN(std::string z, Emit1("Add", {xp[0], hz}, tag + "z_in"));
        EMBER_ASSIGN_OR_RETURN(z, Activate(z, act[0], tag + "z"));
        EMBER_ASSIGN_OR_RETURN(std::string rg, Emit1("Add", {xp[1], hr}, tag + "r_in"));
        EMBER_ASSIGN_OR_RETURN(rg, Activate(rg, act[0], tag + "r"));
        std::string cand;
        if (lbr) {
          EMBER_ASSIGN_OR_RETURN(cand, Emit1("Mul", {rg, hh}, tag + "r_hh"));
        } else {
          EMBER_ASSIGN_OR_RETURN(std::string rh, Emit1("Mul", {rg, h}, tag + "r_h"));
          EMBER_ASSIGN_OR_RETURN(cand, Emit1("MatMul", {rh, rt_h}, tag + "r_h_r"));
          EMBER_ASSIGN_OR_RETURN(cand, Emit1("Add", {cand, rb_h}, tag + "r_h_rb"));
        }
        EMBER_ASSIGN_OR_RETURN(cand, Emit1("Add", {xp[2], cand}, tag + "h_in"));
        EMBER_ASSIGN_OR_RETURN(cand, Activate(cand, act[1], tag + "h_candidate"));
        EMBER_ASSIGN_OR_RETURN(std::string diff, Emit1("Sub", {h, cand}, tag + "h_diff"));
        EMBER_ASSIGN_OR_RETURN(diff, Emit1("Mul", {z, diff}, tag + "h_kept"));
        EMBER_ASSIGN_OR_RETURN(h, Emit1("Add", {cand, diff}, tag + "h"));
      }
      EMBER_ASSIGN_OR_RETURN(per_step[static_cast<size_t>(t)], Unsqueeze(h, layout_ == 0 ? 0 : 1, tag + "y"));
    }
    // Y of this direction: the steps in time order, with the direction axis.
    EMBER_ASSIGN_OR_RETURN(std::string y, Emit1("Concat", per_step, dn + "y", {IntAttr("axis", layout_ == 0 ? 0 : 1)}));
    EMBER_ASSIGN_OR_RETURN(y, Unsqueeze(y, layout_ == 0 ? 1 : 2, dn + "y_dir"));
    ys->push_back(y);
    EMBER_ASSIGN_OR_RETURN(std::string hl, Unsqueeze(h, layout_ == 0 ? 0 : 1, dn + "h_last"));
    hs->push_back(hl);
    if (G == 4) {
      EMBER_ASSIGN_OR_RETURN(std::string cl, Unsqueeze(c, layout_ == 0 ? 0 : 1, dn + "c_last"));
      cs->push_back(cl);
    }
    return Status::Ok();
  }

  // Output `out`: the directions' parts joined on `axis` (an Identity of the one part).
  Status Join(const std::vector<std::string>& parts, int64_t axis, const std::string& out) {
    if (parts.size() == 1) {
      EMBER_ASSIGN_OR_RETURN(std::string v, Emit1("Identity", parts, "out", {}, out));
      (void)v;
      return Status::Ok();
    }
    EMBER_ASSIGN_OR_RETURN(std::string v, Emit1("Concat", parts, "out", {IntAttr("axis", axis)}, out));
    (void)v;
    return Status::Ok();
  }

  // The gates g [batch, parts·H] split into `parts` [batch, H] pieces.
  Expected<std::vector<std::string>> SplitGates(const std::string& g, int64_t parts, const std::string& tag) {
    if (ctx_.opset >= 13) {
      return Emit("Split", {g, IntConstant(tag + "_sizes", {parts}, std::vector<int64_t>(static_cast<size_t>(parts), hidden_))},
                  tag, static_cast<size_t>(parts), {IntAttr("axis", 1)});
    }
    pb::AttributeProto sizes;
    sizes.set_name("split");
    sizes.set_type(pb::AttributeProto::INTS);
    for (int64_t k = 0; k < parts; ++k) sizes.add_ints(hidden_);
    return Emit("Split", {g}, tag, static_cast<size_t>(parts), {IntAttr("axis", 1), sizes});
  }

  Context& ctx_;
  const NodeRef& ref_;
  int64_t gates_ = 4, layout_ = 0, steps_ = 0, batch_ = 0, input_ = 0, hidden_ = 0, dirs_ = 1;
  std::vector<Activation> acts_;
  bool has_clip_ = false;
  float clip_ = 0.0f;
  std::string clip_lo_, clip_hi_;
};

}  // namespace

Status ConvertRecurrentUnrolled(Context& ctx, const NodeRef& ref) { return Unroller(ctx, ref).Run(); }

}  // namespace ember::frontend::onnx::detail
