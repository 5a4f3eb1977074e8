// The ONNX project's backend node tests (Debian's libonnx-testdata,
// data/node/<case>/model.onnx + test_data_set_0/{input,output}_*.pb) for
// every case whose operators the ONNX importer handles: import, evaluate with
// the reference evaluators, compare with the expected outputs with the
// tolerances of ONNX's backend test runner (float: |y - ref| <= 1e-7 +
// 1e-3 |ref|; integers exactly).
//
// Graph input 0 is fed at run time; the other inputs of a case are baked in
// as constants (initializers) from its test data, since ember compiles
// models whose parameters (weights, shapes, pads, axes, clip bounds, scales)
// are constant. A case whose import reports an unsupported operator,
// attribute or a parameter that is not constant (exit 3) is left out; the
// expected left-out cases and their reasons are in onnx_node_left_out.txt
// (docs/frontend-onnx.md explains them): a case left out that is not listed
// there fails, so does any listed case that now imports. A listed case whose
// reason begins "output differs by design:" imports, and its output differs
// from the case's where ember follows ONNX Runtime instead.
// Skipped when the package is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>
#include <set>
#include <sstream>

#include "frontend/onnx/import.h"
#include "onnx/onnx_pb.h"
#include "ops/evaluate.h"

namespace ember::test {
namespace {

namespace fs = std::filesystem;
namespace pb = ::onnx;

const char* kNodeDir = "/usr/share/libonnx-testdata/data/node";

// Operators the importer converts (docs/frontend-onnx.md); those that need
// IR operators ember may not have are added when it has them.
std::set<std::string> SupportedOps();
const std::set<std::string> kBaseOps = {
    "Conv", "MaxPool", "AveragePool", "GlobalAveragePool", "Gemm", "MatMul", "BatchNormalization", "Pad",
    "Identity", "Dropout", "Relu", "Sigmoid", "Tanh", "HardSwish", "Clip", "Add", "Mul", "Sub", "Div",
    "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Softmax", "ReduceMean", "Constant",
    "Shape", "Size", "Gather", "Cast", "ConstantOfShape", "Slice", "QuantizeLinear", "DequantizeLinear",
    "QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger", "DynamicQuantizeLinear",
    // Expanded by their ONNX function bodies (import_functions.cc), and EyeLike (folded).
    "CastLike", "MeanVarianceNormalization", "NegativeLogLikelihoodLoss", "SoftmaxCrossEntropyLoss",
    "BlackmanWindow", "HammingWindow", "HannWindow", "EyeLike",
    // The signal operators (import_signal.cc).
    "DFT", "STFT", "MelWeightMatrix",
    // Deprecated operators that ONNX's version converter rewrites (Upsample to Resize, Scatter to
    // ScatterElements) when it takes an old-opset model to opset 13.
    "Upsample", "Scatter",
    // Replaced by its branches, or unrolled, before import (import_control_flow.cc).
    "If", "Loop", "Scan",
    // On uint8 values widened to int32 (import_8bit_arith.cc).
    "BitShift",
    // Held at import as lists of tensors (import_control_flow.cc, LowerSequences).
    "SequenceEmpty", "SequenceConstruct", "SequenceInsert", "SequenceErase", "SequenceAt", "SequenceLength",
    "ConcatFromSequence", "SplitToSequence"};

std::set<std::string> SupportedOps() {
  std::set<std::string> ops = kBaseOps;
  const std::pair<const char*, const char*> ext[] = {
      {"LeakyRelu", "leaky_relu"}, {"PRelu", "prelu"}, {"HardSigmoid", "hard_sigmoid"},
      {"ConvTranspose", "transpose_conv"}, {"Resize", "resize_nearest_neighbor"},
      {"GlobalMaxPool", "reduce_max"}, {"ReduceMax", "reduce_max"}, {"Split", "split"},
      {"DepthToSpace", "depth_to_space"}, {"SpaceToDepth", "space_to_depth"},
      {"ArgMax", "arg_max"}, {"ArgMin", "arg_min"}, {"Equal", "equal"}, {"Less", "less"},
      {"LessOrEqual", "less_equal"}, {"Greater", "greater"}, {"GreaterOrEqual", "greater_equal"},
      {"Where", "select"}, {"Not", "logical_not"}, {"And", "logical_and"}, {"Or", "logical_or"},
      {"Xor", "not_equal"}, {"IsNaN", "not_equal"}, {"IsInf", "equal"}, {"LRN", "pow"},
      {"ReduceSum", "reduce_sum"}, {"ReduceSumSquare", "reduce_sum"}, {"ReduceL1", "abs"}, {"ReduceL2", "sqrt"},
      {"ReduceLogSum", "log"}, {"ReduceLogSumExp", "exp"}, {"ReduceMin", "reduce_min"}, {"ReduceProd", "reduce_prod"},
      {"Max", "maximum"},
      {"Min", "minimum"}, {"Sum", "add"}, {"Mean", "div"}, {"Abs", "abs"}, {"Neg", "neg"}, {"Sqrt", "sqrt"},
      {"Exp", "exp"}, {"Log", "log"}, {"Reciprocal", "div"}, {"Elu", "elu"}, {"Erf", "erf"}, {"Pow", "pow"},
      {"LogSoftmax", "reduce_max"}, {"Selu", "select"}, {"Celu", "minimum"}, {"ThresholdedRelu", "select"},
      {"Softplus", "log"}, {"Softsign", "abs"}, {"Floor", "floor"}, {"Ceil", "ceil"}, {"Round", "round"},
      {"Sin", "sin"}, {"Cos", "cos"}, {"Sign", "sign"}, {"Atan", "atan"}, {"Tan", "div"}, {"Sinh", "exp"},
      {"Cosh", "exp"}, {"Asinh", "sign"}, {"Acosh", "sqrt"}, {"Atanh", "log"}, {"Asin", "atan"}, {"Acos", "atan"},
      {"Expand", "broadcast_to"},
      {"LayerNormalization", "sqrt"}, {"InstanceNormalization", "sqrt"}, {"Trilu", "select"}, {"Mod", "mod"}, {"CumSum", "cumsum"}, {"GatherND", "gather_nd"}, {"GatherElements", "gather_elements"},
      {"Tile", "broadcast_to"}, {"Shrink", "select"}, {"Hardmax", "arg_max"}, {"OneHot", "select"}, {"Range", "reshape"}, {"ScatterND", "scatter_nd"},
      {"ScatterElements", "scatter_nd"}, {"Compress", "gather"}, {"ReverseSequence", "gather_elements"},
      {"TopK", "topk_v2"}, {"Einsum", "batch_matmul"},
      {"LSTM", "unidirectional_sequence_lstm"}, {"GRU", "gru"}, {"RNN", "rnn"}, {"GridSample", "gather"},
      {"MaxUnpool", "scatter_nd"}, {"RoiAlign", "gather"},
      {"Det", "reduce_prod"}};
  for (const auto& [onnx, ir_name] : ext) {
    if (ir::OpKindFromIrName(ir_name)) ops.insert(onnx);
  }
  return ops;
}

bool ReadProto(const fs::path& p, google::protobuf::MessageLite* m) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return m->ParseFromString(ss.str());
}

// Values of a TensorProto as doubles (float, int types), and its element size in ember.
// The value of a float16 or bfloat16 bit pattern.
double HalfValue(uint32_t bits, bool bfloat) {
  if (bfloat) {
    const uint32_t f32 = bits << 16;
    float f;
    std::memcpy(&f, &f32, 4);
    return f;
  }
  const uint32_t e = (bits >> 10) & 31, m = bits & 1023;
  const double v = e == 0 ? std::ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : std::ldexp(1024 + m, static_cast<int>(e) - 25);
  return bits & 0x8000 ? -v : v;
}

bool TensorValues(const pb::TensorProto& t, std::vector<double>* out) {
  int64_t n = 1;
  for (int64_t d : t.dims()) n *= d;
  out->clear();
  const std::string& raw = t.raw_data();
  auto get = [&](auto zero, int64_t k) {
    decltype(zero) v;
    std::memcpy(&v, raw.data() + k * static_cast<int64_t>(sizeof v), sizeof v);
    return static_cast<double>(v);
  };
  const bool r = t.has_raw_data();
  size_t es = 0, typed = 0;
  switch (t.data_type()) {
    case pb::TensorProto::FLOAT: es = 4; typed = static_cast<size_t>(t.float_data_size()); break;
    case pb::TensorProto::INT64: es = 8; typed = static_cast<size_t>(t.int64_data_size()); break;
    case pb::TensorProto::INT32: es = 4; typed = static_cast<size_t>(t.int32_data_size()); break;
    case pb::TensorProto::DOUBLE: es = 8; typed = static_cast<size_t>(t.double_data_size()); break;
    case pb::TensorProto::INT16: case pb::TensorProto::FLOAT16: case pb::TensorProto::BFLOAT16:
      es = 2; typed = static_cast<size_t>(t.int32_data_size()); break;
    case pb::TensorProto::INT8: case pb::TensorProto::UINT8: case pb::TensorProto::BOOL:
      es = 1; typed = static_cast<size_t>(t.int32_data_size()); break;
    default: return false;
  }
  if (n < 0 || (r ? raw.size() != static_cast<size_t>(n) * es : typed != static_cast<size_t>(n))) return false;
  for (int64_t k = 0; k < n; ++k) {
    switch (t.data_type()) {
      case pb::TensorProto::FLOAT: out->push_back(r ? get(float{}, k) : t.float_data(static_cast<int>(k))); break;
      case pb::TensorProto::INT64: out->push_back(r ? get(int64_t{}, k) : static_cast<double>(t.int64_data(static_cast<int>(k)))); break;
      case pb::TensorProto::INT32: out->push_back(r ? get(int32_t{}, k) : t.int32_data(static_cast<int>(k))); break;
      case pb::TensorProto::INT8: out->push_back(r ? get(int8_t{}, k) : t.int32_data(static_cast<int>(k))); break;
      case pb::TensorProto::DOUBLE: out->push_back(r ? get(double{}, k) : t.double_data(static_cast<int>(k))); break;
      case pb::TensorProto::INT16: out->push_back(r ? get(int16_t{}, k) : t.int32_data(static_cast<int>(k))); break;
      case pb::TensorProto::FLOAT16: case pb::TensorProto::BFLOAT16: {
        const uint32_t bits = r ? static_cast<uint32_t>(get(uint16_t{}, k)) : static_cast<uint32_t>(t.int32_data(static_cast<int>(k))) & 0xFFFF;
        out->push_back(HalfValue(bits, t.data_type() == pb::TensorProto::BFLOAT16));
        break;
      }
      case pb::TensorProto::UINT8: case pb::TensorProto::BOOL: out->push_back(r ? get(uint8_t{}, k) : t.int32_data(static_cast<int>(k))); break;
      default: return false;
    }
  }
  return true;
}

// Bytes of `v` as an ember tensor of `dtype`.
std::vector<uint8_t> ToBytes(const std::vector<double>& v, ir::DType dtype) {
  std::vector<uint8_t> b(v.size() * ir::DTypeSize(dtype));
  for (size_t k = 0; k < v.size(); ++k) {
    switch (dtype) {
      case ir::DType::kFloat32: { const float f = static_cast<float>(v[k]); std::memcpy(&b[k * 4], &f, 4); break; }
      case ir::DType::kInt32: { const int32_t i = static_cast<int32_t>(v[k]); std::memcpy(&b[k * 4], &i, 4); break; }
      case ir::DType::kInt64: { const int64_t i = static_cast<int64_t>(v[k]); std::memcpy(&b[k * 8], &i, 8); break; }
      case ir::DType::kInt16: { const int16_t i = static_cast<int16_t>(v[k]); std::memcpy(&b[k * 2], &i, 2); break; }
      default: b[k] = static_cast<uint8_t>(static_cast<int64_t>(v[k])); break;
    }
  }
  return b;
}

std::vector<double> FromBytes(const std::vector<uint8_t>& b, ir::DType dtype) {
  const size_t es = ir::DTypeSize(dtype), n = b.size() / es;
  std::vector<double> v(n);
  for (size_t k = 0; k < n; ++k) {
    switch (dtype) {
      case ir::DType::kFloat32: { float f; std::memcpy(&f, &b[k * 4], 4); v[k] = f; break; }
      case ir::DType::kInt32: { int32_t i; std::memcpy(&i, &b[k * 4], 4); v[k] = i; break; }
      case ir::DType::kInt64: { int64_t i; std::memcpy(&i, &b[k * 8], 8); v[k] = static_cast<double>(i); break; }
      case ir::DType::kInt16: { int16_t i; std::memcpy(&i, &b[k * 2], 2); v[k] = i; break; }
      case ir::DType::kInt8: v[k] = static_cast<int8_t>(b[k]); break;
      default: v[k] = b[k]; break;
    }
  }
  return v;
}

enum class Outcome { kPass, kLeftOut, kFail };

std::map<std::string, std::string> ExpectedLeftOut();
// Runs each case with its default-domain opset raised to 13 and expects its outcome.
void ExpectAtOpset13(const std::map<std::string, Outcome>& expected);

struct CaseResult {
  Outcome outcome = Outcome::kFail;
  std::string detail;
};

// The test data of the bfloat16 cases hold the bit patterns as uint16: read
// as bfloat16 where the model declares it.
void DeclaredBfloat16(const pb::ValueInfoProto& v, pb::TensorProto* t) {
  if (v.type().tensor_type().elem_type() == pb::TensorProto::BFLOAT16 && t->data_type() == pb::TensorProto::UINT16)
    t->set_data_type(pb::TensorProto::BFLOAT16);
}

// Runs one case folder; `opset` > 0 replaces the default-domain opset;
// `all_constant` bakes in input 0 as well (a case whose every input is a
// parameter). Double, float16 and bfloat16 values are float32 in ember's
// models (W1001): the test values are converted, and the outputs compared
// with float32's tolerance.
CaseResult RunCase(const fs::path& dir, int64_t opset = 0, bool all_constant = false) {
  pb::ModelProto m;
  if (!ReadProto(dir / "model.onnx", &m)) return {Outcome::kFail, "model.onnx does not parse"};
  for (auto& o : *m.mutable_opset_import()) {
    if (opset > 0 && (o.domain().empty() || o.domain() == "ai.onnx")) o.set_version(opset);
  }
  const fs::path data = dir / "test_data_set_0";
  auto* g = m.mutable_graph();
  std::set<std::string> inits;
  for (const auto& t : g->initializer()) inits.insert(t.name());
  // Inputs after the first become initializers with their test values.
  int fed = 0;
  std::vector<std::vector<double>> runtime_inputs;
  for (int k = 0; k < g->input_size(); ++k) {
    if (inits.count(g->input(k).name())) continue;
    pb::TensorProto t;
    if (!ReadProto(data / ("input_" + std::to_string(fed) + ".pb"), &t)) return {Outcome::kFail, "missing input data"};
    ++fed;
    if (runtime_inputs.empty() && !all_constant) {
      DeclaredBfloat16(g->input(k), &t);
      std::vector<double> v;
      if (!TensorValues(t, &v)) return {Outcome::kLeftOut, "input type " + std::to_string(t.data_type())};
      runtime_inputs.push_back(v);
      continue;
    }
    t.set_name(g->input(k).name());
    *g->add_initializer() = t;
  }
  std::string bytes;
  m.SerializeToString(&bytes);
  auto graph = frontend::onnx::ImportOnnx(std::vector<uint8_t>(bytes.begin(), bytes.end()), dir.filename().string());
  if (!graph.ok()) {
    const Diagnostic& d = graph.diag();
    return {d.exit == ExitCode::kUnsupported || ExpectedLeftOut().count(dir.filename().string()) ? Outcome::kLeftOut
                                                                                                : Outcome::kFail,
            d.id + " " + d.message};
  }
  std::vector<std::vector<uint8_t>> in;
  for (size_t k = 0; k < graph->inputs.size() && k < runtime_inputs.size(); ++k) {
    in.push_back(ToBytes(runtime_inputs[k], graph->tensor(graph->inputs[k]).dtype));
  }
  if (in.size() != graph->inputs.size()) return {Outcome::kFail, "input count differs"};
  auto r = ops::EvaluateGraph(*graph, in);
  if (!r.ok()) return {Outcome::kFail, "evaluation: " + r.diag().ToString()};
  for (size_t o = 0; o < graph->outputs.size(); ++o) {
    pb::TensorProto t;
    if (!ReadProto(data / ("output_" + std::to_string(o) + ".pb"), &t)) return {Outcome::kFail, "missing output data"};
    if (static_cast<int>(o) < g->output_size()) DeclaredBfloat16(g->output(static_cast<int>(o)), &t);
    std::vector<double> ref;
    if (!TensorValues(t, &ref)) return {Outcome::kFail, "output type " + std::to_string(t.data_type())};
    const ir::Tensor& ot = graph->tensor(graph->outputs[o]);
    const std::vector<double> y = FromBytes(r->outputs[o], ot.dtype);
    if (y.size() != ref.size()) return {Outcome::kFail, "output " + std::to_string(o) + " has " + std::to_string(y.size()) + " values, expected " + std::to_string(ref.size())};
    const bool is_float = ot.dtype == ir::DType::kFloat32;
    for (size_t k = 0; k < y.size(); ++k) {
      const bool ok = is_float ? y[k] == ref[k] || std::fabs(y[k] - ref[k]) <= 1e-7 + 1e-3 * std::fabs(ref[k]) ||
                                     (std::isnan(y[k]) && std::isnan(ref[k]))
                               : y[k] == ref[k];
      if (!ok) {
        return {Outcome::kFail, "output " + std::to_string(o) + " element " + std::to_string(k) + ": " +
                                    std::to_string(y[k]) + ", expected " + std::to_string(ref[k])};
      }
    }
  }
  return {Outcome::kPass, ""};
}

std::map<std::string, std::string> ExpectedLeftOut() {
  std::map<std::string, std::string> m;
  std::ifstream in(std::string(EMBER_SOURCE_DIR) + "/tests/conformance/onnx_node_left_out.txt");
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    const size_t sp = line.find(' ');
    m[line.substr(0, sp)] = sp == std::string::npos ? "" : line.substr(sp + 1);
  }
  return m;
}

TEST(OnnxNodeTests, EveryCaseOfTheSupportedOpsPasses) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  const auto expected_left_out = ExpectedLeftOut();
  const std::set<std::string> supported_ops = SupportedOps();
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(kNodeDir)) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  int run = 0, passed = 0, left_out = 0, other_ops = 0;
  std::string report;
  for (const fs::path& dir : cases) {
    pb::ModelProto m;
    if (!ReadProto(dir / "model.onnx", &m)) continue;
    bool supported = m.graph().node_size() > 0;
    for (const auto& n : m.graph().node()) supported = supported && supported_ops.count(n.op_type());
    if (!supported) {
      ++other_ops;
      continue;
    }
    const std::string name = dir.filename().string();
    ++run;
    const CaseResult r = RunCase(dir);
    const bool listed = expected_left_out.count(name) != 0;
    if (r.outcome == Outcome::kPass) {
      ++passed;
      EXPECT_FALSE(listed) << name << " passes now: remove it from onnx_node_left_out.txt";
    } else if (r.outcome == Outcome::kLeftOut) {
      ++left_out;
      report += name + " " + r.detail + "\n";
      EXPECT_TRUE(listed) << name << " is left out but not listed in onnx_node_left_out.txt: " << r.detail;
    } else if (listed && expected_left_out.at(name).rfind("output differs by design:", 0) == 0) {
      // ember follows ONNX Runtime where the case's expected output does not (the reason says how).
      ++left_out;
      report += name + " output differs by design: " + r.detail + "\n";
    } else {
      ADD_FAILURE() << name << ": " << r.detail;
    }
  }
  std::printf("ONNX node tests: %d cases of supported ops, %d pass, %d left out; %d cases use other ops\n", run,
              passed, left_out, other_ops);
  if (const char* dump = std::getenv("EMBER_ONNX_NODE_REPORT")) std::ofstream(dump) << report;
  EXPECT_GT(passed, 0);
}

// The node tests of the QOperator operators are opset 10, below the opsets
// ember imports (left out above). QLinearConv, QLinearMatMul, ConvInteger and
// MatMulInteger are unchanged from opset 10 to 13, so the cases also run with
// the opset raised to 13 (QLinearMatMul of 3-D operands as batch_matmul).
// The ConvInteger/MatMulInteger cases have int32 graph outputs, whose
// partial sums stay far below 2^24 (exact in float32).
TEST(OnnxNodeTests, QOperatorCasesAtOpset13) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  const std::map<std::string, Outcome> expected = {
      {"test_qlinearconv", Outcome::kPass},          {"test_qlinearmatmul_2D", Outcome::kPass},
      {"test_qlinearmatmul_3D", Outcome::kPass},  {"test_basic_convinteger", Outcome::kPass},
      {"test_convinteger_with_padding", Outcome::kPass}, {"test_convinteger_without_padding", Outcome::kPass},
      {"test_matmulinteger", Outcome::kPass}};
  ExpectAtOpset13(expected);
}

// The node tests of And, Or, Xor (opset 7), Not (opset 1), IsNaN (opset 9)
// and IsInf (opset 10) are below the opsets ember imports; the operators are
// unchanged up to opset 18 but for new element types, so the cases run with
// the opset raised to 13.
TEST(OnnxNodeTests, LogicalCasesAtOpset13) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  std::map<std::string, Outcome> expected;
  for (const auto& e : fs::directory_iterator(kNodeDir)) {
    const std::string name = e.path().filename().string();
    for (const char* prefix : {"test_and", "test_or", "test_not_", "test_xor", "test_isnan", "test_isinf"}) {
      if (name.rfind(prefix, 0) == 0) expected[name] = Outcome::kPass;
    }
  }
  EXPECT_EQ(expected.size(), 31u);
  ExpectAtOpset13(expected);
}

// The Elu node tests are opset 6; Elu is unchanged up to opset 18, so they
// run with the opset raised to 13: test_elu_default (alpha 1, the IR's elu)
// and test_elu, test_elu_example (alpha 2, composed of less, elu, mul and
// select).
TEST(OnnxNodeTests, EluCasesAtOpset13) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  ExpectAtOpset13({{"test_elu", Outcome::kPass}, {"test_elu_default", Outcome::kPass},
                   {"test_elu_example", Outcome::kPass}});
}

// Selu and InstanceNormalization (opset 6), Softplus and Softsign (opset 1),
// ThresholdedRelu (opset 10), Sin and Cos (opset 7), Shrink (opset 9), LRN (opset 1), EyeLike (opset 9)
// and ReverseSequence (opset 10) are unchanged up to
// opset 21 (opset 22 adds bfloat16 only), so their cases run with the opset
// raised to 13; each is one IR operator or composed of them (import_math.cc).
TEST(OnnxNodeTests, ComposedOperatorCasesAtOpset13) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  std::map<std::string, Outcome> expected;
  for (const char* name : {"test_selu", "test_selu_default", "test_selu_example", "test_softplus",
                           "test_softplus_example", "test_softsign", "test_softsign_example", "test_thresholdedrelu",
                           "test_thresholdedrelu_default", "test_thresholdedrelu_example", "test_instancenorm_epsilon",
                           "test_instancenorm_example", "test_sin", "test_sin_example", "test_cos",
                           "test_cos_example", "test_shrink_hard", "test_shrink_soft", "test_lrn", "test_lrn_default",
                           "test_eyelike_populate_off_main_diagonal", "test_eyelike_without_dtype", "test_reversesequence_batch", "test_reversesequence_time",
                           "test_acos", "test_acos_example", "test_acosh", "test_acosh_example", "test_asin",
                           "test_asin_example", "test_asinh", "test_asinh_example", "test_atan", "test_atan_example",
                           "test_atanh", "test_atanh_example", "test_cosh", "test_cosh_example", "test_sinh",
                           "test_sinh_example", "test_tan", "test_tan_example"}) {
    expected[name] = Outcome::kPass;
  }
  ExpectAtOpset13(expected);
}

// MelWeightMatrix's inputs are all parameters (the case feeds num_mel_bins
// as its graph input, left out above): with every input constant, the matrix
// folds to a constant at import and equals ONNX's.
TEST(OnnxNodeTests, MelWeightMatrixWithConstantInputs) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  const CaseResult r = RunCase(fs::path(kNodeDir) / "test_melweightmatrix", 0, true);
  EXPECT_EQ(r.outcome, Outcome::kPass) << r.detail;
}

// test_loop11 takes its trip count as graph input 0, so it runs at run time
// above (left out: ember unrolls constant trip counts only); with every
// input constant the Loop is unrolled and the case passes.
TEST(OnnxNodeTests, LoopWithConstantTripCount) {
  if (!fs::is_directory(kNodeDir)) GTEST_SKIP() << kNodeDir << " is absent (apt-get install libonnx-testdata); skipped";
  const CaseResult r = RunCase(fs::path(kNodeDir) / "test_loop11", 0, true);
  EXPECT_EQ(r.outcome, Outcome::kPass) << r.detail;
}

// Runs every case of the folders `dirs` (in name order): each must pass
// unless tests/conformance/`list` names it (with the reason), and then it
// must not. Returns {passed, left out}.
std::pair<int, int> RunListedCases(const std::vector<fs::path>& dirs, const std::string& list) {
  std::set<std::string> listed;
  std::ifstream in(std::string(EMBER_SOURCE_DIR) + "/tests/conformance/" + list);
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line[0] != '#') listed.insert(line.substr(0, line.find(' ')));
  int passed = 0, left_out = 0;
  for (const fs::path& dir : dirs) {
    std::vector<fs::path> cases;
    for (const auto& e : fs::directory_iterator(dir)) cases.push_back(e.path());
    std::sort(cases.begin(), cases.end());
    for (const fs::path& c : cases) {
      const std::string name = c.filename().string();
      const CaseResult r = RunCase(c);
      if (listed.count(name)) {
        ++left_out;
        if (std::getenv("EMBER_ONNX_NODE_REPORT")) std::printf("left out: %s: %s\n", name.c_str(), r.detail.c_str());
        EXPECT_NE(static_cast<int>(r.outcome), static_cast<int>(Outcome::kPass))
            << name << " passes now: remove it from " << list;
      } else {
        passed += r.outcome == Outcome::kPass;
        EXPECT_EQ(static_cast<int>(r.outcome), static_cast<int>(Outcome::kPass)) << name << ": " << r.detail;
      }
    }
  }
  return {passed, left_out};
}

// The backend test cases of models PyTorch converted at opsets 6 to 9
// (Conv1d/2d/3d, pooling, BatchNorm, padding, activations, Linear, LSTM-free
// operators, ...): each goes through ONNX's version converter to opset 13
// and must pass, except the cases tests/conformance/onnx_pytorch_left_out.txt
// lists with the reason.
TEST(OnnxNodeTests, PyTorchConvertedCases) {
  const fs::path root = fs::path(kNodeDir).parent_path();
  if (!fs::is_directory(root / "pytorch-converted")) GTEST_SKIP() << root << " is absent (apt-get install libonnx-testdata); skipped";
  const auto [passed, left_out] =
      RunListedCases({root / "pytorch-converted", root / "pytorch-operator"}, "onnx_pytorch_left_out.txt");
  std::printf("PyTorch-converted cases: %d pass, %d left out\n", passed, left_out);
  EXPECT_EQ(passed, 110);
}

// The backend test's "simple" models (small graphs of a few nodes: sequence
// operators inside a graph, Expand, Sign, Shrink, ...): each must pass
// except the cases tests/conformance/onnx_simple_left_out.txt lists with
// the reason.
TEST(OnnxNodeTests, SimpleModelCases) {
  const fs::path root = fs::path(kNodeDir).parent_path() / "simple";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " is absent (apt-get install libonnx-testdata); skipped";
  const auto [passed, left_out] = RunListedCases({root}, "onnx_simple_left_out.txt");
  std::printf("simple model cases: %d pass, %d left out\n", passed, left_out);
  EXPECT_EQ(passed, 14);  // Expand (4), Shrink, Sign, a single Relu, seven sequence models (one of double values)
}

void ExpectAtOpset13(const std::map<std::string, Outcome>& expected) {
  for (const auto& [name, want] : expected) {
    const fs::path dir = fs::path(kNodeDir) / name;
    if (!fs::is_directory(dir)) continue;
    const CaseResult r = RunCase(dir, 13);
    std::printf("%s at opset 13: %s %s\n", name.c_str(),
                r.outcome == Outcome::kPass ? "pass" : r.outcome == Outcome::kLeftOut ? "left out" : "FAIL",
                r.detail.c_str());
    EXPECT_EQ(static_cast<int>(r.outcome), static_cast<int>(want)) << name << ": " << r.detail;
  }
}

}  // namespace
}  // namespace ember::test
