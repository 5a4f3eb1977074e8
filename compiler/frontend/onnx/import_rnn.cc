// ONNX LSTM as unidirectional_sequence_lstm, GRU as gru and RNN as rnn
// (float32; forward, reverse and bidirectional; layout 0 and 1).
//
// Each direction is one IR operator over the sequence: time major for layout
// 0 ([seq, batch, input]), batch major for layout 1 ([batch, seq, input]). A
// reverse direction reads the sequence through a gather that reverses the
// time axis, and its output goes back through the same gather. The gates:
// ONNX stacks an LSTM's W, R and biases in the order input, output, forget,
// cell; the IR takes input, forget, cell, output, one [hidden, input] /
// [hidden, hidden] matrix each, and one bias float32(Wb + Rb) per gate. A
// GRU's gates (update, reset, hidden) keep ONNX's order and their two biases
// (linear_before_reset passes on); so does an RNN's one gate (its
// activation, Tanh, Relu or Sigmoid, passes on per direction).
//
// ONNX starts every run from initial_h (and an LSTM's initial_c; zero when
// absent). The IR operators keep their states in variables, which carry over
// between runs: they start as the initial values, and an assign_variable
// after the operator writes the initial values back, so that the next run
// starts from them again (reset_state restores them too).
//
// Outputs: Y ([seq, dirs, batch, hidden]; layout 1: [batch, seq, dirs,
// hidden]) and Y_h (the last step of each direction). What these operators
// do not compute goes to the unrolled equations (import_rnn_unrolled.cc,
// NeedsUnrolling): an LSTM's Y_c read, activations other than the defaults
// (LSTM: Sigmoid, Tanh, Tanh; GRU: Sigmoid, Tanh; RNN: Tanh, Relu or
// Sigmoid), clip, nonzero peepholes and initial states computed at run
// time. Refused: LSTM input_forget; sequence_lens other than the full
// length; non-float32 tensors.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

// What differs between the recurrent operators.
struct Cell {
  const char* onnx;                 // "LSTM", also in messages
  const char* ir;                   // the IR operator
  int64_t gates;                    // 4 (LSTM), 3 (GRU), 1 (RNN)
  std::vector<int64_t> onnx_gate;   // ONNX's gate of each IR gate
  std::vector<std::string> activations;  // the defaults, per direction (RNN: one of them)
  bool cell_state;                  // LSTM: initial_c (input 6) and a second variable
};

// LSTM: ONNX's gates (i, o, f, c) for the IR's input, forget, cell, output.
const Cell kLstm{"LSTM", "unidirectional_sequence_lstm", 4, {0, 2, 3, 1}, {"Sigmoid", "Tanh", "Tanh"}, true};
const Cell kGru{"GRU", "gru", 3, {0, 1, 2}, {"Sigmoid", "Tanh"}, false};
const Cell kRnn{"RNN", "rnn", 1, {0}, {"Tanh", "Relu", "Sigmoid"}, false};

bool IsRnn(const Cell& cell) { return cell.gates == 1; }

// The IR activation of each direction of an RNN ("tanh" by default).
std::vector<std::string> RnnActivations(const NodeRef& ref, int64_t dirs) {
  std::vector<std::string> acts(static_cast<size_t>(dirs), "tanh");
  if (const pb::AttributeProto* a = FindAttr(ref, "activations")) {
    for (int64_t k = 0; k < dirs && k < a->strings_size(); ++k) {
      std::string v = a->strings(static_cast<int>(k));
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      acts[static_cast<size_t>(k)] = v;
    }
  }
  return acts;
}

struct RnnDims {
  int64_t layout = 0, steps = 0, batch = 0, input = 0, hidden = 0, dirs = 1;
};

// A constant input of the expected shape (`what` names it), or nullptr when
// the input is absent.
Expected<std::shared_ptr<const ConstTensor>> OptionalConst(Context& ctx, const NodeRef& ref, size_t pos,
                                                           const std::string& what, const ir::Shape& want) {
  if (!HasInput(ref, pos)) return std::shared_ptr<const ConstTensor>();
  EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
  if (!v.c) {
    return UnsupportedAttr(ctx, ref, what + " computed at run time",
                           "ember's LSTM, GRU and RNN take constant weights (W, R, B, P); export them as "
                           "initializers");
  }
  if (v.c->shape != want) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     what + " has shape " + ir::ShapeToString(v.c->shape) + ", not " + ir::ShapeToString(want));
  }
  return v.c;
}

// What neither the IR operators nor the unrolled equations compute (other
// activations and clip went to the unrolled equations, NeedsUnrolling).
Status CheckAttrs(Context& ctx, const NodeRef& ref, const Cell& cell) {
  if (cell.cell_state && AttrInt(ref, "input_forget", 0) != 0) {
    return UnsupportedAttr(ctx, ref, "input_forget=1 (coupled gates)");
  }
  const int64_t lbr = AttrInt(ref, "linear_before_reset", 0);
  if (cell.gates == 3 && lbr != 0 && lbr != 1) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has linear_before_reset " + std::to_string(lbr));
  }
  return Status::Ok();
}

Expected<RnnDims> Dims(Context& ctx, const NodeRef& ref, const Cell& cell, ir::TensorId x) {
  const ir::Tensor& t = ctx.graph.tensor(x);
  if (t.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("a ") + cell.onnx + " on " + ir::DTypeName(t.dtype),
                           std::string("ember imports float32 ") + cell.onnx + "s (quantize the layers around it)");
  }
  if (t.shape.size() != 3) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "X has shape " + ir::ShapeToString(t.shape) + ", not rank 3");
  }
  RnnDims d;
  d.layout = AttrInt(ref, "layout", 0);
  if (d.layout != 0 && d.layout != 1) return UnsupportedAttr(ctx, ref, "layout " + std::to_string(d.layout));
  d.steps = t.shape[d.layout == 0 ? 0 : 1];
  d.batch = t.shape[d.layout == 0 ? 1 : 0];
  d.input = t.shape[2];
  const std::string direction = AttrString(ref, "direction", "forward");
  if (direction == "bidirectional") {
    d.dirs = 2;
  } else if (direction != "forward" && direction != "reverse") {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has direction '" + direction + "'");
  }
  EMBER_ASSIGN_OR_RETURN(Value r, Input(ctx, ref, 2));
  const ir::Shape rs = ShapeOf(ctx, r);
  d.hidden = AttrInt(ref, "hidden_size", rs.size() == 3 ? rs[2] : 0);
  if (d.hidden <= 0 || d.steps <= 0 || d.batch <= 0) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has no hidden units, steps or batch");
  }
  return d;
}

// The floats of constant `c` from `at`, `count` of them.
std::vector<double> Slice(const ConstTensor& c, int64_t at, int64_t count) {
  return std::vector<double>(c.f.begin() + at, c.f.begin() + at + count);
}

// One direction's initial state [batch, hidden] of `c` ([dirs, batch,
// hidden]; layout 1: [batch, dirs, hidden]), zero when absent.
std::vector<double> InitialState(const std::shared_ptr<const ConstTensor>& c, const RnnDims& d, int64_t dir) {
  std::vector<double> v(static_cast<size_t>(d.batch * d.hidden), 0.0);
  if (!c) return v;
  for (int64_t b = 0; b < d.batch; ++b)
    for (int64_t u = 0; u < d.hidden; ++u) {
      const int64_t at = d.layout == 0 ? (dir * d.batch + b) * d.hidden + u : (b * d.dirs + dir) * d.hidden + u;
      v[static_cast<size_t>(b * d.hidden + u)] = c->f[static_cast<size_t>(at)];
    }
  return v;
}

// A float32 variable [batch, hidden] starting as (and reset to) `values`.
ir::TensorId StateVariable(Context& ctx, const std::string& name, const RnnDims& d, const std::vector<double>& values) {
  ir::Tensor t;
  t.name = UniqueName(ctx, name);
  t.dtype = ir::DType::kFloat32;
  t.shape = {d.batch, d.hidden};
  t.is_variable = true;
  bool zero = true;
  std::vector<uint8_t> bytes(values.size() * 4);
  for (size_t i = 0; i < values.size(); ++i) {
    const auto f = static_cast<float>(values[i]);
    std::memcpy(bytes.data() + 4 * i, &f, 4);
    zero = zero && f == 0.0f && !std::signbit(f);
  }
  if (!zero) t.init = std::move(bytes);
  return ctx.graph.AddTensor(std::move(t));
}

// The time axis reversed (gather along it with indices steps-1 .. 0).
Expected<ir::TensorId> ReverseTime(Context& ctx, const NodeRef& ref, ir::TensorId x, const RnnDims& d,
                                   const std::string& name) {
  std::vector<int64_t> idx;
  for (int64_t t = d.steps - 1; t >= 0; --t) idx.push_back(t);
  return GatherConstIndices(ctx, ref, x, d.layout == 0 ? 0 : 1, idx, name);
}

// The last step [1, batch, hidden] (layout 1: [batch, 1, hidden]) of an IR
// LSTM, GRU or RNN output.
Expected<ir::TensorId> LastStep(Context& ctx, const NodeRef& ref, ir::TensorId y, const RnnDims& d,
                                const std::string& name) {
  return GatherConstIndices(ctx, ref, y, d.layout == 0 ? 0 : 1, {d.steps - 1}, name);
}

Expected<ir::TensorId> JoinDirections(Context& ctx, const NodeRef& ref, const std::vector<ir::TensorId>& parts,
                                      int64_t axis, const std::string& name) {
  if (parts.size() == 1) return parts[0];
  return AddNode(ctx, ref, ir::OpKind::kConcatenation, parts, {{"axis", axis}}, name);
}

// The IR operator's weight and bias operands of one direction, in its
// operand order after x: LSTM W_g ×4, R_g ×4, float32(Wb_g + Rb_g) ×4; GRU
// W_g ×3, R_g ×3, Wb_g ×3, Rb_g ×3; RNN W, R, Wb, Rb.
Expected<std::vector<ir::TensorId>> GateOperands(Context& ctx, const Cell& cell, const RnnDims& d, int64_t dir,
                                                 const ConstTensor& w, const ConstTensor& r, const ConstTensor* b,
                                                 const std::string& dn) {
  const int64_t H = d.hidden, I = d.input, G = cell.gates;
  std::vector<ir::TensorId> ws, rs, wbs, rbs;
  for (int64_t g = 0; g < G; ++g) {
    const int64_t og = cell.onnx_gate[static_cast<size_t>(g)];
    const std::string gate = std::to_string(g);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId wt, AddConst(ctx, dn + "_w" + gate, FloatConst({H, I}, Slice(w, (dir * G + og) * H * I, H * I))));
    EMBER_ASSIGN_OR_RETURN(ir::TensorId rt, AddConst(ctx, dn + "_r" + gate, FloatConst({H, H}, Slice(r, (dir * G + og) * H * H, H * H))));
    ws.push_back(wt);
    rs.push_back(rt);
    std::vector<double> wb(static_cast<size_t>(H), 0.0), rb(static_cast<size_t>(H), 0.0);
    for (int64_t u = 0; b && u < H; ++u) {
      wb[static_cast<size_t>(u)] = b->f[static_cast<size_t>(dir * 2 * G * H + og * H + u)];
      rb[static_cast<size_t>(u)] = b->f[static_cast<size_t>(dir * 2 * G * H + G * H + og * H + u)];
    }
    if (cell.cell_state) {  // one bias per gate
      for (size_t u = 0; u < wb.size(); ++u) wb[u] = static_cast<double>(static_cast<float>(wb[u]) + static_cast<float>(rb[u]));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId bt, AddConst(ctx, dn + "_b" + gate, FloatConst({H}, wb)));
      wbs.push_back(bt);
    } else {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId wbt, AddConst(ctx, dn + "_wb" + gate, FloatConst({H}, wb)));
      EMBER_ASSIGN_OR_RETURN(ir::TensorId rbt, AddConst(ctx, dn + "_rb" + gate, FloatConst({H}, rb)));
      wbs.push_back(wbt);
      rbs.push_back(rbt);
    }
  }
  std::vector<ir::TensorId> all = ws;
  for (const auto* v : {&rs, &wbs, &rbs}) all.insert(all.end(), v->begin(), v->end());
  return all;
}

// Whether the node needs what only the unrolled equations compute
// (import_rnn_unrolled.cc): other activations, clip, nonzero peepholes,
// initial states computed at run time, or an LSTM's final cell state read.
Expected<bool> NeedsUnrolling(Context& ctx, const NodeRef& ref, const Cell& cell) {
  if (FindAttr(ref, "clip")) return true;
  if (const pb::AttributeProto* a = FindAttr(ref, "activations")) {
    for (int k = 0; k < a->strings_size(); ++k) {
      const std::string& s = a->strings(k);
      const bool known = IsRnn(cell) ? std::find(cell.activations.begin(), cell.activations.end(), s) != cell.activations.end()
                                     : s == cell.activations[static_cast<size_t>(k) % cell.activations.size()];
      if (!known) return true;
    }
  }
  for (size_t pos : {size_t{5}, size_t{6}}) {
    if (pos == 6 && !cell.cell_state) continue;
    if (!HasInput(ref, pos)) continue;
    EMBER_ASSIGN_OR_RETURN(Value v, Input(ctx, ref, pos));
    if (!v.c) return true;
  }
  if (cell.cell_state && HasInput(ref, 7)) {
    EMBER_ASSIGN_OR_RETURN(Value p, Input(ctx, ref, 7));
    for (int64_t k = 0; p.c && k < p.c->size(); ++k) {
      if (p.c->at(k) != 0.0) return true;
    }
  }
  if (cell.cell_state && ref.node->output_size() > 2) {
    const std::string& yc = ref.node->output(2);
    if (!yc.empty() && (ctx.graph_outputs.count(yc) || ctx.read_values.count(yc))) return true;
  }
  return false;
}

Status ConvertRecurrent(Context& ctx, const NodeRef& ref, const Cell& cell, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(const bool unroll, NeedsUnrolling(ctx, ref, cell));
  if (unroll) return ConvertRecurrentUnrolled(ctx, ref);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(const RnnDims d, Dims(ctx, ref, cell, x));
  EMBER_RETURN_IF_ERROR(CheckAttrs(ctx, ref, cell));
  const int64_t H = d.hidden, I = d.input, G = cell.gates;
  EMBER_ASSIGN_OR_RETURN(auto w, OptionalConst(ctx, ref, 1, "W", {d.dirs, G * H, I}));
  EMBER_ASSIGN_OR_RETURN(auto r, OptionalConst(ctx, ref, 2, "R", {d.dirs, G * H, H}));
  if (!w || !r) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has no W or R");
  EMBER_ASSIGN_OR_RETURN(auto b, OptionalConst(ctx, ref, 3, "B", {d.dirs, 2 * G * H}));
  EMBER_ASSIGN_OR_RETURN(auto lens, OptionalConst(ctx, ref, 4, "sequence_lens", {d.batch}));
  for (int64_t k = 0; lens && k < lens->size(); ++k) {
    if (lens->int_at(k) != d.steps) {
      return UnsupportedAttr(ctx, ref, "sequence_lens " + std::to_string(lens->int_at(k)) + " for a sequence of " +
                                           std::to_string(d.steps) + " steps",
                             std::string("ember's ") + cell.onnx + " runs every sequence of the batch to its full length");
    }
  }
  const ir::Shape state_shape = d.layout == 0 ? ir::Shape{d.dirs, d.batch, H} : ir::Shape{d.batch, d.dirs, H};
  EMBER_ASSIGN_OR_RETURN(auto h0, OptionalConst(ctx, ref, 5, "initial_h", state_shape));
  std::shared_ptr<const ConstTensor> c0;
  if (cell.cell_state) {
    EMBER_ASSIGN_OR_RETURN(c0, OptionalConst(ctx, ref, 6, "initial_c", state_shape));
    EMBER_ASSIGN_OR_RETURN(auto p, OptionalConst(ctx, ref, 7, "P", {d.dirs, 3 * H}));
    for (int64_t k = 0; p && k < p->size(); ++k) {
      if (p->at(k) != 0.0) {
        return UnsupportedAttr(ctx, ref, "peepholes (P)", "ember's LSTM (TFLite's, as TFLite Micro runs it) has none");
      }
    }
  }
  for (const auto* c : {w.get(), r.get(), b.get(), h0.get(), c0.get()}) {
    if (c && !c->is_float()) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has non-float weights or states");
  }

  std::string name = ref.node->output_size() > 0 && !ref.node->output(0).empty() ? OutputName(ref, 0) : ref.name;
  if (name.empty()) name = cell.ir;
  ir::Attrs attrs{{"time_major", int64_t{d.layout == 0 ? 1 : 0}}};
  if (cell.gates == 3) attrs["linear_before_reset"] = AttrInt(ref, "linear_before_reset", 0);
  const std::vector<std::string> rnn_acts = RnnActivations(ref, d.dirs);
  std::vector<ir::TensorId> ys, last;
  for (int64_t dir = 0; dir < d.dirs; ++dir) {
    if (IsRnn(cell)) attrs["activation"] = rnn_acts[static_cast<size_t>(dir)];
    const bool reverse = AttrString(ref, "direction", "forward") == "reverse" || dir == 1;
    const std::string dn = name + (d.dirs == 2 ? (dir == 0 ? "_forward" : "_backward") : "");
    ir::TensorId in = x;
    if (reverse) {
      EMBER_ASSIGN_OR_RETURN(in, ReverseTime(ctx, ref, x, d, dn + "_x_reversed"));
    }
    EMBER_ASSIGN_OR_RETURN(std::vector<ir::TensorId> gates, GateOperands(ctx, cell, d, dir, *w, *r, b.get(), dn));
    std::vector<ir::TensorId> operands = {in};
    operands.insert(operands.end(), gates.begin(), gates.end());
    // The states and their initial values; each run starts from them: an
    // assign_variable after the operator writes them back.
    std::vector<std::pair<ir::TensorId, std::vector<double>>> states;
    states.emplace_back(ir::kNoTensor, InitialState(h0, d, dir));
    states.back().first = StateVariable(ctx, dn + "_hidden_state", d, states.back().second);
    if (cell.cell_state) {
      states.emplace_back(ir::kNoTensor, InitialState(c0, d, dir));
      states.back().first = StateVariable(ctx, dn + "_cell_state", d, states.back().second);
    }
    for (const auto& st : states) operands.push_back(st.first);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, operands, attrs, dn + "_steps"));
    for (size_t k = 0; k < states.size(); ++k) {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId init, AddConst(ctx, dn + (k == 0 ? "_initial_h" : "_initial_c"),
                                                         FloatConst({d.batch, H}, states[k].second)));
      ir::Node reset;
      reset.op = ir::OpKind::kAssignVariable;
      reset.name = ref.name;
      reset.inputs = {states[k].first, init};
      ctx.graph.nodes.push_back(std::move(reset));
    }
    EMBER_ASSIGN_OR_RETURN(ir::TensorId h_last, LastStep(ctx, ref, y, d, dn + "_last"));
    last.push_back(h_last);
    if (reverse) {
      EMBER_ASSIGN_OR_RETURN(y, ReverseTime(ctx, ref, y, d, dn + "_in_order"));
    }
    // [seq, batch, H] -> [seq, 1, batch, H]; layout 1: [batch, seq, H] -> [batch, seq, 1, H].
    const std::vector<int64_t> shape = d.layout == 0 ? std::vector<int64_t>{d.steps, 1, d.batch, H}
                                                     : std::vector<int64_t>{d.batch, d.steps, 1, H};
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y4, AddNode(ctx, ref, ir::OpKind::kReshape, {y}, {{"shape", shape}}, dn + "_y"));
    ys.push_back(y4);
  }
  if (ref.node->output_size() > 0 && !ref.node->output(0).empty()) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, JoinDirections(ctx, ref, ys, d.layout == 0 ? 1 : 2, name));
    BindOutput(ctx, ref, 0, Value{nullptr, y});
  }
  if (ref.node->output_size() > 1 && !ref.node->output(1).empty()) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId yh, JoinDirections(ctx, ref, last, d.layout == 0 ? 0 : 1, OutputName(ref, 1)));
    BindOutput(ctx, ref, 1, Value{nullptr, yh});
  }
  if (cell.cell_state && ref.node->output_size() > 2 && !ref.node->output(2).empty()) {
    ctx.unavailable[ref.node->output(2)] = {"the final cell state Y_c of LSTM '" + ref.name +
                                                "', which ember's LSTM keeps to itself",
                                            "use Y or Y_h (the final hidden state) instead"};
  }
  return Status::Ok();
}

}  // namespace

Status ConvertRnnNode(Context& ctx, const NodeRef& ref, bool* handled) {
  for (const Cell* cell : {&kLstm, &kGru, &kRnn}) {
    if (ref.node->op_type() != cell->onnx) continue;
    // Every output is optional: a node without any computes nothing read.
    if (std::all_of(ref.node->output().begin(), ref.node->output().end(), [](const std::string& o) { return o.empty(); })) {
      *handled = true;
      return Status::Ok();
    }
    const auto op = IrOp(cell->ir);
    *handled = op.has_value();
    return op ? ConvertRecurrent(ctx, ref, *cell, *op) : Status::Ok();
  }
  *handled = false;
  return Status::Ok();
}

}  // namespace ember::frontend::onnx::detail
