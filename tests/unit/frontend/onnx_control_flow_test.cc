// ONNX If and Loop, replaced by their branches or unrolled before import
// (import_control_flow.cc): a constant
// condition takes one branch (the other, which ember could not import, is
// dropped); a run-time condition computes both and selects, against the
// definition for either value; a condition that folds at import selects at
// import; nested Ifs whose branches reuse value names and read the
// enclosing graph's values; and the refusals: branches of different shapes
// under a run-time condition, an operator ember lacks inside a branch
// (named with its branch), another operator with a subgraph. A Loop of a
// constant trip count unrolls (carried values, the iteration number, a scan
// output, a value of the enclosing graph) against the definition; a run-time
// trip count or a condition the body computes is refused. A Scan unrolls
// against the definition (scan axes and directions, a scanned value whose
// shape is carried through a Relu or stated by the model, opset 8's batched
// form); a scanned value of a shape not known before import is refused.
// Sequences built inside the graph (also in an unrolled Loop) are held at
// import as lists of tensors, against the definition; a run-time position,
// a position beyond the sequence and another operator reading a sequence
// are refused.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "frontend/onnx/import.h"
#include "unit/frontend/onnx_test_util.h"
#include "util/onnx_builder.h"

namespace ember::frontend::onnx {
namespace {

using test::OnnxBuilder;
namespace pb = ::onnx;

// A branch computing `out` = x op k (k a constant of the branch, x from the
// enclosing graph), through an intermediate named "t" in every branch.
pb::GraphProto Branch(const std::string& op, float k, const std::string& out, const std::vector<int64_t>& shape) {
  OnnxBuilder b;
  b.Init("k", {}, {k});
  b.Node(op, {"x", "k"}, {"t"});
  b.Node("Identity", {"t"}, {out});
  b.OutputWithShape(out, shape);
  return b.model().graph();
}

// y = If(cond) then x·2 else x − 3, cond = ReduceSum(x) > 0 (or a constant `fixed`).
std::vector<uint8_t> Model(int fixed = -1, const pb::GraphProto* other_else = nullptr) {
  OnnxBuilder b;
  b.Input("x", {2, 3});
  if (fixed >= 0) {
    b.InitInt("cond", pb::TensorProto::BOOL, {}, {fixed});
  } else {
    b.Init("zero", {}, {0.0f});
    b.Node("ReduceSum", {"x"}, {"sum"}).Int("keepdims", 0);
    b.Node("Greater", {"sum", "zero"}, {"cond"});
  }
  b.Node("If", {"cond"}, {"y"}, "choose")
      .Graph("then_branch", Branch("Mul", 2.0f, "then_y", {2, 3}))
      .Graph("else_branch", other_else ? *other_else : Branch("Sub", 3.0f, "else_y", {2, 3}));
  b.OutputWithShape("y", {2, 3});
  return b.Bytes();
}

std::vector<float> Expected(const std::vector<float>& x, bool then) {
  std::vector<float> y;
  for (float v : x) y.push_back(then ? v * 2.0f : v - 3.0f);
  return y;
}

size_t Count(const ir::Graph& g, ir::OpKind op) {
  size_t n = 0;
  for (const ir::Node& node : g.nodes) n += node.op == op;
  return n;
}

TEST(OnnxIf, RunTimeConditionSelectsEitherBranch) {
  const ir::Graph g = MustImport(Model());
  EXPECT_EQ(Count(g, ir::OpKind::kSelect), 1u);
  const std::vector<float> pos = {1, 2, 3, -1, 0.5f, 4}, neg = {-1, -2, 3, -1, 0.5f, -4};
  EXPECT_EQ(Eval(g, pos), Expected(pos, true));
  EXPECT_EQ(Eval(g, neg), Expected(neg, false));
}

TEST(OnnxIf, ConstantConditionTakesOneBranchAndDropsTheOther) {
  // The else branch holds an operator ember does not import: never read.
  OnnxBuilder bad;
  bad.Node("Bernoulli", {"x"}, {"else_y"});
  bad.OutputWithShape("else_y", {2, 3});
  const ir::Graph g = MustImport(Model(1, &bad.model().graph()));
  EXPECT_EQ(Count(g, ir::OpKind::kSelect), 0u);
  const std::vector<float> x = {1, -2, 3, -1, 0.5f, 4};
  EXPECT_EQ(Eval(g, x), Expected(x, true));
  const ir::Graph ge = MustImport(Model(0));
  EXPECT_EQ(Eval(ge, x), Expected(x, false));
}

// cond = Shape(v)[0] == 2, as TorchScript writes a size check, of the input
// (known before import) or of an intermediate value x + x (known at import).
std::vector<uint8_t> SizeCheckModel(bool of_input, const pb::GraphProto& else_branch) {
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.InitInt64("two", {}, {2});
  b.InitInt64("first", {}, {0});
  b.Node("Add", {"x", "x"}, {"r"});
  b.Node("Shape", {of_input ? "x" : "r"}, {"shape"});
  b.Node("Gather", {"shape", "first"}, {"rows"});
  b.Node("Equal", {"rows", "two"}, {"cond"});
  b.Node("If", {"cond"}, {"y"}, "choose")
      .Graph("then_branch", Branch("Mul", 2.0f, "then_y", {2, 3}))
      .Graph("else_branch", else_branch);
  b.OutputWithShape("y", {2, 3});
  return b.Bytes();
}

TEST(OnnxIf, ConditionFromTheInputShapeTakesOneBranch) {
  // Known before import: the else branch (an operator ember lacks) is dropped unread.
  OnnxBuilder bad;
  bad.Node("Bernoulli", {"x"}, {"else_y"});
  bad.OutputWithShape("else_y", {2, 3});
  const ir::Graph g = MustImport(SizeCheckModel(true, bad.model().graph()));
  EXPECT_EQ(Count(g, ir::OpKind::kSelect), 0u);
  const std::vector<float> x = {1, -2, 3, -1, 0.5f, 4};
  EXPECT_EQ(Eval(g, x), Expected(x, true));
}

TEST(OnnxIf, ShapesCarriedThroughReshapesAreKnownBeforeImport) {
  // x [2,3] -> Reshape [3,-1] -> Transpose -> Unsqueeze 0 -> Squeeze 0 ->
  // Relu -> Flatten 0: [1,6]; cond = its dimension 1 == 6. The else branch
  // (an operator ember lacks) is dropped unread.
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.InitInt64("to", {2}, {3, -1});
  b.InitInt64("lead", {1}, {0});
  b.InitInt64("six", {}, {6});
  b.InitInt64("second", {}, {1});
  b.Node("Reshape", {"x", "to"}, {"a"});
  b.Node("Transpose", {"a"}, {"t"}).Ints("perm", {1, 0});
  b.Node("Unsqueeze", {"t", "lead"}, {"u"});
  b.Node("Squeeze", {"u", "lead"}, {"s"});
  b.Node("Relu", {"s"}, {"r"});
  b.Node("Flatten", {"r"}, {"f"}).Int("axis", 0);
  b.Node("Shape", {"f"}, {"shape"});
  b.Node("Gather", {"shape", "second"}, {"width"});
  b.Node("Equal", {"width", "six"}, {"cond"});
  OnnxBuilder bad;
  bad.Node("Bernoulli", {"x"}, {"else_y"});
  bad.OutputWithShape("else_y", {2, 3});
  b.Node("If", {"cond"}, {"y"}, "choose")
      .Graph("then_branch", Branch("Mul", 2.0f, "then_y", {2, 3}))
      .Graph("else_branch", bad.model().graph());
  b.OutputWithShape("y", {2, 3});
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x = {1, -2, 3, -1, 0.5f, 4};
  EXPECT_EQ(Eval(g, x), Expected(x, true));
}

TEST(OnnxIf, ConditionFoldedAtImportSelectsThere) {
  // Known at import only: both branches are imported, the Where passes the
  // then value on and the else branch is pruned.
  const ir::Graph g = MustImport(SizeCheckModel(false, Branch("Sub", 3.0f, "else_y", {2, 3})));
  EXPECT_EQ(Count(g, ir::OpKind::kSelect), 0u);
  EXPECT_EQ(Count(g, ir::OpKind::kSub), 0u);
  const std::vector<float> x = {1, -2, 3, -1, 0.5f, 4};
  EXPECT_EQ(Eval(g, x), Expected(x, true));
}

TEST(OnnxIf, NestedIfsReuseNamesAndReadEnclosingValues) {
  // then: If(inner) then x·2 else x − 3, with inner = outer's cond; both levels name "t".
  OnnxBuilder inner_then;
  inner_then.Node("If", {"cond"}, {"then_y"}, "inner")
      .Graph("then_branch", Branch("Mul", 2.0f, "a", {2, 3}))
      .Graph("else_branch", Branch("Sub", 3.0f, "b", {2, 3}));
  inner_then.Init("k", {}, {10.0f});
  inner_then.Node("Add", {"then_y", "k"}, {"t"});
  inner_then.Node("Identity", {"t"}, {"then_out"});
  inner_then.OutputWithShape("then_out", {2, 3});
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.Init("zero", {}, {0.0f});
  b.Node("ReduceSum", {"x"}, {"sum"}).Int("keepdims", 0);
  b.Node("Greater", {"sum", "zero"}, {"cond"});
  b.Node("If", {"cond"}, {"y"}, "outer")
      .Graph("then_branch", inner_then.model().graph())
      .Graph("else_branch", Branch("Sub", 3.0f, "else_y", {2, 3}));
  b.OutputWithShape("y", {2, 3});
  const ir::Graph gn = MustImport(b.Bytes());
  const std::vector<float> pos = {1, 2, 3, -1, 0.5f, 4}, neg = {-1, -2, 3, -1, 0.5f, -4};
  std::vector<float> want = Expected(pos, true);
  for (float& v : want) v += 10.0f;
  EXPECT_EQ(Eval(gn, pos), want);
  EXPECT_EQ(Eval(gn, neg), Expected(neg, false));
}

// Loop body: iteration i, condition c, carried v -> c, v·2 + i (a constant
// of the body and the enclosing graph's `bias` too), and the scan value v·2.
pb::GraphProto LoopBody(bool computed_condition) {
  OnnxBuilder b;
  b.Input("i", {}, pb::TensorProto::INT64);
  b.Input("c_in", {}, pb::TensorProto::BOOL);
  b.Input("v", {2, 3});
  b.Init("two", {}, {2.0f});
  b.Node("Cast", {"i"}, {"i_f"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Mul", {"v", "two"}, {"doubled"});
  b.Node("Add", {"doubled", "i_f"}, {"t"});
  b.Node("Add", {"t", "bias"}, {"v_out"});
  if (computed_condition) {
    b.Init("limit", {}, {100.0f});
    b.Node("ReduceMax", {"v_out"}, {"peak"}).Int("keepdims", 0);
    b.Node("Less", {"peak", "limit"}, {"c_out"});
  } else {
    b.Node("Identity", {"c_in"}, {"c_out"});
  }
  b.OutputWithShape("c_out", {}, pb::TensorProto::BOOL);
  b.OutputWithShape("v_out", {2, 3});
  b.OutputWithShape("doubled", {2, 3});
  return b.model().graph();
}

enum class Trips { kConstant, kFromShape, kRunTime };

std::vector<uint8_t> LoopModel(Trips trips, bool computed_condition) {
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.Init("bias", {}, {0.5f});
  if (trips == Trips::kConstant) {
    b.InitInt64("trips", {}, {3});
  } else if (trips == Trips::kFromShape) {  // x.size(1), as TorchScript writes it
    b.Node("Shape", {"x"}, {"shape"});
    b.InitInt64("second", {}, {1});
    b.Node("Gather", {"shape", "second"}, {"trips"});
  } else {  // from the data
    b.Node("ReduceMax", {"x"}, {"peak"}).Int("keepdims", 0);
    b.Node("Cast", {"peak"}, {"trips"}).Int("to", pb::TensorProto::INT64);
  }
  b.Node("Loop", {"trips", "", "x"}, {"y", "steps"}, "repeat").Graph("body", LoopBody(computed_condition));
  b.OutputWithShape("y", {2, 3});
  b.OutputWithShape("steps", {3, 2, 3});
  return b.Bytes();
}

TEST(OnnxLoop, ConstantTripCountUnrollsAsDefined) {
  // A constant 3, and x.size(1) = 3 read from the input's static shape.
  for (const Trips trips : {Trips::kConstant, Trips::kFromShape}) {
    const ir::Graph g = MustImport(LoopModel(trips, false));
    const std::vector<float> x = {1, -2, 3, -1, 0.5f, 4};
    std::vector<float> v = x, steps;
    for (int i = 0; i < 3; ++i) {
      for (float& e : v) {
        steps.push_back(e * 2.0f);
        e = e * 2.0f + static_cast<float>(i) + 0.5f;
      }
    }
    EXPECT_EQ(Eval(g, x, 0), v);
    EXPECT_EQ(Eval(g, x, 1), steps);
  }
}

TEST(OnnxLoop, RunTimeTripCountOrConditionIsRefused) {
  for (const bool run_time_trips : {true, false}) {
    const Diagnostic d = MustFail(LoopModel(run_time_trips ? Trips::kRunTime : Trips::kConstant, !run_time_trips));
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find(run_time_trips ? "a trip count that is not a constant" : "a condition the body computes"),
              std::string::npos)
        << d.message;
    EXPECT_NE(d.message.find("Loop node 'repeat'"), std::string::npos) << d.message;
  }
}

TEST(OnnxIf, Refusals) {
  {
    OnnxBuilder narrow;
    narrow.Node("ReduceMax", {"x"}, {"else_y"}).Int("keepdims", 1);
    narrow.OutputWithShape("else_y", {2, 1});
    const Diagnostic d = MustFail(Model(-1, &narrow.model().graph()));
    EXPECT_EQ(d.id, "E1007") << d.ToString();
    EXPECT_NE(d.message.find("different shapes ([2,3] and [1,1])"), std::string::npos) << d.message;
  }
  {
    OnnxBuilder bad;
    bad.Node("Bernoulli", {"x"}, {"else_y"});
    bad.OutputWithShape("else_y", {2, 3});
    const Diagnostic d = MustFail(Model(-1, &bad.model().graph()));
    EXPECT_EQ(d.id, "E1006") << d.ToString();
    EXPECT_NE(d.message.find("in the else branch of If node 'choose'"), std::string::npos) << d.message;
  }
  {  // Any other operator with a subgraph is refused before libonnx's inference walks it.
    OnnxBuilder b;
    b.Input("x", {2, 3});
    b.Node("SequenceMap", {"x"}, {"y"}, "map").Graph("body", Branch("Mul", 2.0f, "out", {3}));
    b.OutputWithShape("y", {2, 3});
    std::string bytes;
    b.model().SerializeToString(&bytes);
    const Diagnostic d = MustFail(std::vector<uint8_t>(bytes.begin(), bytes.end()));
    EXPECT_EQ(d.id, "E1006") << d.ToString();
    EXPECT_NE(d.message.find("operator SequenceMap (control flow over a subgraph)"), std::string::npos) << d.message;
  }
}

// Scan body: state s, slices xt and rt -> s + xt·rt, and the scan values
// s + xt·rt and xt·rt.
pb::GraphProto ScanBody() {
  OnnxBuilder b;
  b.Input("s", {2});
  b.Input("xt", {2});
  b.Input("rt", {2});
  b.Node("Mul", {"xt", "rt"}, {"p"});
  b.Node("Add", {"s", "p"}, {"s_out"});
  b.Node("Identity", {"s_out"}, {"sum"});
  b.OutputWithShape("s_out", {2});
  b.OutputWithShape("sum", {2});
  b.OutputWithShape("p", {2});
  return b.model().graph();
}

// Scan over x [2,4] along axis 1 (forward) and the constant r [4,2] along
// axis 0 (in reverse); the sums stacked on axis 0, the products on axis 1
// in reverse. Or Relu(x) scanned instead (its shape carried through the
// Relu), or x + x, of a shape the model states (value_info) or not.
enum class ScanInput { kGraphInput, kThroughRelu, kStatedShape, kUnknownShape };

std::vector<uint8_t> ScanModel(ScanInput in) {
  OnnxBuilder b;
  b.Input("x", {2, 4});
  b.Init("s0", {2}, {0.5f, -1.0f});
  b.Init("r", {4, 2}, {1, 2, 3, 4, 5, 6, 7, 8});
  std::string scanned = "x";
  if (in == ScanInput::kThroughRelu) {
    b.Node("Relu", {"x"}, {"xr"});
    scanned = "xr";
  } else if (in != ScanInput::kGraphInput) {
    b.Node("Add", {"x", "x"}, {"xr"});
    scanned = "xr";
  }
  b.Node("Scan", {"s0", scanned, "r"}, {"total", "sums", "products"}, "accumulate")
      .Graph("body", ScanBody())
      .Int("num_scan_inputs", 2)
      .Ints("scan_input_axes", {1, 0})
      .Ints("scan_input_directions", {0, 1})
      .Ints("scan_output_axes", {0, -1})
      .Ints("scan_output_directions", {0, 1});
  b.OutputWithShape("total", {2});
  b.OutputWithShape("sums", {4, 2});
  b.OutputWithShape("products", {2, 4});
  pb::ModelProto m = b.model();
  if (in == ScanInput::kStatedShape) {
    auto* v = m.mutable_graph()->add_value_info();
    v->set_name("xr");
    v->mutable_type()->mutable_tensor_type()->set_elem_type(pb::TensorProto::FLOAT);
    for (int64_t d : {2, 4}) v->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(d);
  }
  std::string bytes;
  m.SerializeToString(&bytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

TEST(OnnxScan, UnrollsAsDefined) {
  const std::vector<float> x = {1, -2, 3, 0.5f, -1, 4, 2, -3};
  const std::vector<float> r = {1, 2, 3, 4, 5, 6, 7, 8};
  for (const ScanInput in : {ScanInput::kGraphInput, ScanInput::kThroughRelu, ScanInput::kStatedShape}) {
    const ir::Graph g = MustImport(ScanModel(in));
    std::vector<float> s = {0.5f, -1.0f}, sums, products(8);
    for (int t = 0; t < 4; ++t) {
      for (int i = 0; i < 2; ++i) {
        float xt = x[static_cast<size_t>(i * 4 + t)];
        if (in == ScanInput::kThroughRelu) xt = std::max(xt, 0.0f);
        if (in == ScanInput::kStatedShape) xt = xt + xt;
        const float p = xt * r[static_cast<size_t>((3 - t) * 2 + i)];
        s[static_cast<size_t>(i)] += p;
        products[static_cast<size_t>(i * 4 + (3 - t))] = p;
      }
      sums.insert(sums.end(), s.begin(), s.end());
    }
    EXPECT_EQ(Eval(g, x, 0), s);
    EXPECT_EQ(Eval(g, x, 1), sums);
    EXPECT_EQ(Eval(g, x, 2), products);
  }
}

TEST(OnnxScan, Opset8BatchedFormUnrollsPerBatchElement) {
  // Opset 8: no sequence lengths, a batch axis on the state [2,2] and the scan input [2,3,2].
  OnnxBuilder body;
  body.Input("s", {2});
  body.Input("xt", {2});
  body.Node("Add", {"s", "xt"}, {"s_out"});
  body.Node("Identity", {"s_out"}, {"seen"});
  body.OutputWithShape("s_out", {2});
  body.OutputWithShape("seen", {2});
  OnnxBuilder b(8);
  b.Input("x", {2, 3, 2});
  b.Init("s0", {2, 2}, {1, 2, 3, 4});
  b.Node("Scan", {"", "s0", "x"}, {"y", "z"}, "running").Graph("body", body.model().graph()).Int("num_scan_inputs", 1);
  b.OutputWithShape("y", {2, 2});
  b.OutputWithShape("z", {2, 3, 2});
  const ir::Graph g = MustImport(b.Bytes());
  const std::vector<float> x = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
  std::vector<float> y = {1, 2, 3, 4}, z;
  for (int batch = 0; batch < 2; ++batch) {
    for (int t = 0; t < 3; ++t) {
      for (int i = 0; i < 2; ++i) {
        y[static_cast<size_t>(batch * 2 + i)] += x[static_cast<size_t>(batch * 6 + t * 2 + i)];
        z.push_back(y[static_cast<size_t>(batch * 2 + i)]);
      }
    }
  }
  EXPECT_EQ(Eval(g, x, 0), y);
  EXPECT_EQ(Eval(g, x, 1), z);
}

TEST(OnnxScan, ScanInputOfUnknownShapeIsRefused) {
  const Diagnostic d = MustFail(ScanModel(ScanInput::kUnknownShape));
  EXPECT_EQ(d.id, "E1007") << d.ToString();
  EXPECT_NE(d.message.find("Scan node 'accumulate': scan input 'xr' of a shape not known before import"),
            std::string::npos)
      << d.message;
  EXPECT_NE(d.hint.find("--input-shape"), std::string::npos) << d.hint;
}

// x [2,3] split into its 3 columns (keepdims 0: [2] each), the last erased,
// Relu of column 0 inserted first, the sequence's element -2 (column 0),
// its length times that element, and the sequence stacked on a new axis 1.
std::vector<uint8_t> SequenceModel() {
  OnnxBuilder b;
  b.Input("x", {2, 3});
  b.InitInt64("last", {}, {-1});
  b.InitInt64("front", {}, {0});
  b.InitInt64("second_last", {}, {-2});
  b.Node("SplitToSequence", {"x"}, {"columns"}).Int("axis", 1).Int("keepdims", 0);
  b.Node("SequenceErase", {"columns", "last"}, {"two"});
  b.Node("SequenceAt", {"two", "front"}, {"c0"});
  b.Node("Relu", {"c0"}, {"r0"});
  b.Node("SequenceInsert", {"two", "r0", "front"}, {"three"});
  b.Node("SequenceAt", {"three", "second_last"}, {"picked"});
  b.Node("SequenceLength", {"three"}, {"len"});
  b.Node("Cast", {"len"}, {"len_f"}).Int("to", pb::TensorProto::FLOAT);
  b.Node("Mul", {"picked", "len_f"}, {"scaled"});
  b.Node("ConcatFromSequence", {"three"}, {"stacked"}).Int("axis", 1).Int("new_axis", 1);
  b.OutputWithShape("scaled", {2});
  b.OutputWithShape("stacked", {2, 3});
  return b.Bytes();
}

TEST(OnnxSequences, HeldAtImportAsDefined) {
  const ir::Graph g = MustImport(SequenceModel());
  const std::vector<float> x = {1, -2, 3, -4, 5, -6};
  // Columns: c0 = {1, -4}, c1 = {-2, 5}; the sequence [relu(c0), c0, c1].
  EXPECT_EQ(Eval(g, x, 0), (std::vector<float>{3, -12}));  // element -2 is c0, times the length 3
  EXPECT_EQ(Eval(g, x, 1), (std::vector<float>{1, 1, -2, 0, -4, 5}));
}

TEST(OnnxSequences, ListBuiltInAnUnrolledLoopIsStacked) {
  // TorchScript's `ys = []; for i in range(3): ys.append(x * i); torch.stack(ys)`.
  OnnxBuilder body;
  body.Input("i", {}, pb::TensorProto::INT64);
  body.Input("c_in", {}, pb::TensorProto::BOOL);
  body.Input("ys", {});
  body.Node("Cast", {"i"}, {"i_f"}).Int("to", pb::TensorProto::FLOAT);
  body.Node("Mul", {"x", "i_f"}, {"xi"});
  body.Node("SequenceInsert", {"ys", "xi"}, {"ys_out"});
  body.Node("Identity", {"c_in"}, {"c_out"});
  body.OutputWithShape("c_out", {}, pb::TensorProto::BOOL);
  body.Output("ys_out");
  pb::GraphProto bg = body.model().graph();
  for (auto* v : {bg.mutable_input(2), bg.mutable_output(1)}) {
    v->mutable_type()->clear_tensor_type();
    v->mutable_type()->mutable_sequence_type()->mutable_elem_type()->mutable_tensor_type()->set_elem_type(
        pb::TensorProto::FLOAT);
  }
  OnnxBuilder b;
  b.Input("x", {2});
  b.InitInt64("trips", {}, {3});
  b.Node("SequenceEmpty", {}, {"empty"}).Int("dtype", pb::TensorProto::FLOAT);
  b.Node("Loop", {"trips", "", "empty"}, {"ys"}).Graph("body", bg);
  b.Node("ConcatFromSequence", {"ys"}, {"y"}).Int("axis", 0).Int("new_axis", 1);
  b.OutputWithShape("y", {3, 2});
  const ir::Graph g = MustImport(b.Bytes());
  EXPECT_EQ(Eval(g, {1.5f, -2}), (std::vector<float>{0, 0, 1.5f, -2, 3, -4}));
}

TEST(OnnxSequences, Refusals) {
  {  // A position computed at run time.
    OnnxBuilder b;
    b.Input("x", {2});
    b.Node("SequenceConstruct", {"x", "x"}, {"s"});
    b.Node("ArgMax", {"x"}, {"where"}).Int("keepdims", 0);
    b.Node("SequenceAt", {"s", "where"}, {"y"}, "pick");
    b.OutputWithShape("y", {2});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1013") << d.ToString();
    EXPECT_NE(d.message.find("SequenceAt node 'pick': position 'where' is computed at run time"), std::string::npos)
        << d.message;
  }
  {  // A position beyond the sequence.
    OnnxBuilder b;
    b.Input("x", {2});
    b.InitInt64("far", {}, {2});
    b.Node("SequenceConstruct", {"x", "x"}, {"s"});
    b.Node("SequenceAt", {"s", "far"}, {"y"}, "pick");
    b.OutputWithShape("y", {2});
    const Diagnostic d = MustFail(b.Bytes());
    EXPECT_EQ(d.id, "E1015") << d.ToString();
    EXPECT_NE(d.message.find("has position 2 in a sequence of 2 tensors"), std::string::npos) << d.message;
  }
  {  // Another operator reading a sequence.
    OnnxBuilder b;
    b.Input("x", {2});
    b.Node("SequenceConstruct", {"x"}, {"s"});
    b.Node("Relu", {"s"}, {"y"}, "act");
    b.OutputWithShape("y", {2});
    std::string bytes;
    b.model().SerializeToString(&bytes);
    const Diagnostic d = MustFail(std::vector<uint8_t>(bytes.begin(), bytes.end()));
    EXPECT_EQ(d.id, "E1006") << d.ToString();
    EXPECT_NE(d.message.find("Relu node 'act' reads sequence 's'"), std::string::npos) << d.message;
  }
}

}  // namespace
}  // namespace ember::frontend::onnx
