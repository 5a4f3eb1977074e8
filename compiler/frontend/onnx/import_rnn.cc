// ONNX LSTM as unidirectional_sequence_lstm (float32; forward, reverse and
// bidirectional; layout 0 and 1).
//
// Each direction is one IR LSTM over the sequence: time major for layout 0
// ([seq, batch, input]), batch major for layout 1 ([batch, seq, input]). A
// reverse direction reads the sequence through a gather that reverses the
// time axis, and its output goes back through the same gather. The gates:
// ONNX stacks W, R and the biases in the order input, output, forget, cell;
// the IR takes input, forget, cell, output, one [hidden, input] / [hidden,
// hidden] matrix each; the IR bias of a gate is float32(Wb + Rb).
//
// ONNX starts every run from initial_h / initial_c (zero when absent). The IR
// LSTM keeps its states in variables, which carry over between runs: they
// start as the initial values, and an assign_variable after the LSTM writes
// the initial values back, so that the next run starts from them again
// (reset_state restores them too).
//
// Outputs: Y ([seq, dirs, batch, hidden]; layout 1: [batch, seq, dirs,
// hidden]) and Y_h (the last step of each direction). Y_c, the final cell
// state, is refused when something reads it. Refused: activations other than
// Sigmoid, Tanh, Tanh; clip (ONNX clips the gates' inputs, not the cell);
// input_forget; nonzero peepholes; sequence_lens other than the full length;
// initial states computed at run time; non-float32 tensors.
#include <cmath>
#include <cstring>
#include <tuple>

#include "frontend/onnx/import_internal.h"

namespace ember::frontend::onnx::detail {
namespace {

// ONNX's gate (i, o, f, c) of each IR gate (input, forget, cell, output).
constexpr int64_t kOnnxGate[4] = {0, 2, 3, 1};

struct LstmDims {
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
                           "ember's LSTM takes constant weights and initial states; export them as initializers");
  }
  if (v.c->shape != want) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure,
                     what + " has shape " + ir::ShapeToString(v.c->shape) + ", not " + ir::ShapeToString(want));
  }
  return v.c;
}

Status CheckAttrs(Context& ctx, const NodeRef& ref, int64_t dirs) {
  if (const pb::AttributeProto* a = FindAttr(ref, "activations")) {
    static const char* kDefault[3] = {"Sigmoid", "Tanh", "Tanh"};
    bool same = a->strings_size() == 3 * dirs;
    for (int k = 0; same && k < a->strings_size(); ++k) same = a->strings(k) == kDefault[k % 3];
    if (!same) {
      std::string got;
      for (const auto& s : a->strings()) got += (got.empty() ? "" : ", ") + s;
      return UnsupportedAttr(ctx, ref, "activations [" + got + "]",
                             "ember's LSTM computes the default activations Sigmoid, Tanh, Tanh");
    }
  }
  if (FindAttr(ref, "clip")) {
    return UnsupportedAttr(ctx, ref, "clip",
                           "ONNX's clip bounds the gates' inputs, which ember's LSTM does not do; export without it");
  }
  if (AttrInt(ref, "input_forget", 0) != 0) return UnsupportedAttr(ctx, ref, "input_forget=1 (coupled gates)");
  return Status::Ok();
}

Expected<LstmDims> Dims(Context& ctx, const NodeRef& ref, ir::TensorId x) {
  const ir::Tensor& t = ctx.graph.tensor(x);
  if (t.dtype != ir::DType::kFloat32) {
    return UnsupportedAttr(ctx, ref, std::string("an LSTM on ") + ir::DTypeName(t.dtype),
                           "ember imports float32 LSTMs (quantize the layers around it)");
  }
  if (t.shape.size() != 3) {
    return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "X has shape " + ir::ShapeToString(t.shape) + ", not rank 3");
  }
  LstmDims d;
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
std::vector<double> InitialState(const std::shared_ptr<const ConstTensor>& c, const LstmDims& d, int64_t dir) {
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
ir::TensorId StateVariable(Context& ctx, const std::string& name, const LstmDims& d, const std::vector<double>& values) {
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
Expected<ir::TensorId> ReverseTime(Context& ctx, const NodeRef& ref, ir::TensorId x, const LstmDims& d,
                                   const std::string& name) {
  ConstTensor idx;
  idx.elem_type = pb::TensorProto::INT32;
  idx.shape = {d.steps};
  for (int64_t t = d.steps - 1; t >= 0; --t) idx.i.push_back(t);
  EMBER_ASSIGN_OR_RETURN(ir::TensorId indices, AddConst(ctx, name + "_reversed_steps", idx));
  return AddNode(ctx, ref, ir::OpKind::kGather, {x, indices}, {{"axis", d.layout == 0 ? 0 : 1}}, name);
}

// The last step [1, batch, hidden] (layout 1: [batch, 1, hidden]) of an IR
// LSTM output.
Expected<ir::TensorId> LastStep(Context& ctx, const NodeRef& ref, ir::TensorId y, const LstmDims& d,
                                const std::string& name) {
  ConstTensor idx;
  idx.elem_type = pb::TensorProto::INT32;
  idx.shape = {1};
  idx.i = {d.steps - 1};
  EMBER_ASSIGN_OR_RETURN(ir::TensorId indices, AddConst(ctx, name + "_last_step", idx));
  return AddNode(ctx, ref, ir::OpKind::kGather, {y, indices}, {{"axis", d.layout == 0 ? 0 : 1}}, name);
}

Expected<ir::TensorId> JoinDirections(Context& ctx, const NodeRef& ref, const std::vector<ir::TensorId>& parts,
                                      int64_t axis, const std::string& name) {
  if (parts.size() == 1) return parts[0];
  return AddNode(ctx, ref, ir::OpKind::kConcatenation, parts, {{"axis", axis}}, name);
}

Status ConvertLstm(Context& ctx, const NodeRef& ref, ir::OpKind op) {
  EMBER_ASSIGN_OR_RETURN(ir::TensorId x, RuntimeInput(ctx, ref, 0));
  EMBER_ASSIGN_OR_RETURN(const LstmDims d, Dims(ctx, ref, x));
  EMBER_RETURN_IF_ERROR(CheckAttrs(ctx, ref, d.dirs));
  const int64_t H = d.hidden, I = d.input;
  EMBER_ASSIGN_OR_RETURN(auto w, OptionalConst(ctx, ref, 1, "W", {d.dirs, 4 * H, I}));
  EMBER_ASSIGN_OR_RETURN(auto r, OptionalConst(ctx, ref, 2, "R", {d.dirs, 4 * H, H}));
  if (!w || !r) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has no W or R");
  EMBER_ASSIGN_OR_RETURN(auto b, OptionalConst(ctx, ref, 3, "B", {d.dirs, 8 * H}));
  EMBER_ASSIGN_OR_RETURN(auto lens, OptionalConst(ctx, ref, 4, "sequence_lens", {d.batch}));
  for (int64_t k = 0; lens && k < lens->size(); ++k) {
    if (lens->int_at(k) != d.steps) {
      return UnsupportedAttr(ctx, ref, "sequence_lens " + std::to_string(lens->int_at(k)) + " for a sequence of " +
                                           std::to_string(d.steps) + " steps",
                             "ember's LSTM runs every sequence of the batch to its full length");
    }
  }
  const ir::Shape state_shape = d.layout == 0 ? ir::Shape{d.dirs, d.batch, H} : ir::Shape{d.batch, d.dirs, H};
  EMBER_ASSIGN_OR_RETURN(auto h0, OptionalConst(ctx, ref, 5, "initial_h", state_shape));
  EMBER_ASSIGN_OR_RETURN(auto c0, OptionalConst(ctx, ref, 6, "initial_c", state_shape));
  EMBER_ASSIGN_OR_RETURN(auto p, OptionalConst(ctx, ref, 7, "P", {d.dirs, 3 * H}));
  for (int64_t k = 0; p && k < p->size(); ++k) {
    if (p->at(k) != 0.0) {
      return UnsupportedAttr(ctx, ref, "peepholes (P)", "ember's LSTM (TFLite's, as TFLite Micro runs it) has none");
    }
  }
  for (const auto* c : {w.get(), r.get(), b.get(), h0.get(), c0.get()}) {
    if (c && !c->is_float()) return NodeError(ctx, ref, kBadOperand, ExitCode::kFailure, "has non-float weights or states");
  }

  const std::string name = ref.node->output_size() > 0 && !ref.node->output(0).empty() ? OutputName(ref, 0) : (ref.name.empty() ? std::string("lstm") : ref.name);
  std::vector<ir::TensorId> ys, last;
  for (int64_t dir = 0; dir < d.dirs; ++dir) {
    const bool reverse = AttrString(ref, "direction", "forward") == "reverse" || dir == 1;
    const std::string dn = name + (d.dirs == 2 ? (dir == 0 ? "_forward" : "_backward") : "");
    ir::TensorId in = x;
    if (reverse) {
      EMBER_ASSIGN_OR_RETURN(in, ReverseTime(ctx, ref, x, d, dn + "_x_reversed"));
    }
    std::vector<ir::TensorId> operands(15, ir::kNoTensor);
    operands[0] = in;
    for (int g = 0; g < 4; ++g) {
      const int64_t og = kOnnxGate[g];
      const auto gu = static_cast<size_t>(g);
      const std::string gate = std::to_string(g);
      EMBER_ASSIGN_OR_RETURN(operands[1 + gu], AddConst(ctx, dn + "_w" + gate,
                                                        FloatConst({H, I}, Slice(*w, (dir * 4 + og) * H * I, H * I))));
      EMBER_ASSIGN_OR_RETURN(operands[5 + gu], AddConst(ctx, dn + "_r" + gate,
                                                        FloatConst({H, H}, Slice(*r, (dir * 4 + og) * H * H, H * H))));
      std::vector<double> bias(static_cast<size_t>(H), 0.0);
      for (int64_t u = 0; b && u < H; ++u) {
        const auto wb = static_cast<float>(b->f[static_cast<size_t>(dir * 8 * H + og * H + u)]);
        const auto rb = static_cast<float>(b->f[static_cast<size_t>(dir * 8 * H + 4 * H + og * H + u)]);
        bias[static_cast<size_t>(u)] = static_cast<double>(wb + rb);
      }
      EMBER_ASSIGN_OR_RETURN(operands[9 + gu], AddConst(ctx, dn + "_b" + gate, FloatConst({H}, bias)));
    }
    const std::vector<double> hv = InitialState(h0, d, dir), cv = InitialState(c0, d, dir);
    operands[13] = StateVariable(ctx, dn + "_hidden_state", d, hv);
    operands[14] = StateVariable(ctx, dn + "_cell_state", d, cv);
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, AddNode(ctx, ref, op, operands, {{"time_major", d.layout == 0 ? 1 : 0}},
                                                   dn + "_steps"));
    // Each run starts from the initial states: write them back after it.
    for (const auto& [var, values, what] : {std::tuple{operands[13], hv, "_initial_h"}, std::tuple{operands[14], cv, "_initial_c"}}) {
      EMBER_ASSIGN_OR_RETURN(ir::TensorId init, AddConst(ctx, dn + what, FloatConst({d.batch, H}, values)));
      ir::Node reset;
      reset.op = ir::OpKind::kAssignVariable;
      reset.name = ref.name;
      reset.inputs = {var, init};
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
  if (!ref.node->output(0).empty()) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId y, JoinDirections(ctx, ref, ys, d.layout == 0 ? 1 : 2, name));
    BindOutput(ctx, ref, 0, Value{nullptr, y});
  }
  if (ref.node->output_size() > 1 && !ref.node->output(1).empty()) {
    EMBER_ASSIGN_OR_RETURN(ir::TensorId yh, JoinDirections(ctx, ref, last, d.layout == 0 ? 0 : 1, OutputName(ref, 1)));
    BindOutput(ctx, ref, 1, Value{nullptr, yh});
  }
  if (ref.node->output_size() > 2 && !ref.node->output(2).empty()) {
    ctx.unavailable[ref.node->output(2)] = {"the final cell state Y_c of LSTM '" + ref.name +
                                                "', which ember's LSTM keeps to itself",
                                            "use Y or Y_h (the final hidden state) instead"};
  }
  return Status::Ok();
}

}  // namespace

Status ConvertRnnNode(Context& ctx, const NodeRef& ref, bool* handled) {
  const auto op = IrOp("unidirectional_sequence_lstm");
  *handled = ref.node->op_type() == "LSTM" && op.has_value();
  if (!*handled) return Status::Ok();
  return ConvertLstm(ctx, ref, *op);
}

}  // namespace ember::frontend::onnx::detail
