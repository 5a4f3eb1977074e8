// Post-training quantization (contract and steps in quantize.h).
#include "quantize/quantize.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <set>

#include "frontend/onnx/import.h"
#include "onnx/onnx_pb.h"
#include "ops/evaluate.h"
#include "passes/pipeline.h"
#include "frontend/tflite/import.h"
#include "quantize/calibration_data.h"
#include "quantize/onnx_export.h"
#include "quantize/onnx_rewrite.h"
#include "quantize/qdq_writer.h"
#include "support/file.h"

namespace ember::quantize {

namespace fs = std::filesystem;
namespace pb = ::onnx;

namespace {

Diagnostic NotQuantizable(const std::string& path, const std::string& why, const std::string& hint) {
  return MakeDiag(kNotQuantizable, ExitCode::kUnsupported, path + ": " + why, hint);
}

Status CheckFloatModel(const std::string& path, const pb::ModelProto& m) {
  for (const auto& n : m.graph().node()) {
    const std::string& op = n.op_type();
    if (op == "QuantizeLinear" || op == "DequantizeLinear" || op.starts_with("QLinear") || op.ends_with("Integer")) {
      return NotQuantizable(path, "is already quantized (node '" + n.name() + "' is " + op + ")",
                            "compile it as it is: ember compile " + path);
    }
  }
  for (const auto& t : m.graph().initializer()) {
    if (t.data_location() == pb::TensorProto::EXTERNAL) {
      return NotQuantizable(path, "keeps initializer '" + t.name() + "' in an external data file",
                            "save the model with its weights inside (onnx.save(model, f, save_as_external_data=False))");
    }
  }
  return Status::Ok();
}

Expected<ir::Graph> Import(const std::vector<uint8_t>& bytes, const std::string& source, const QuantizeOptions& o) {
  frontend::onnx::ImportOptions io;
  io.input_shapes = o.input_shapes;
  return frontend::onnx::ImportOnnx(bytes, source, io);
}

std::vector<uint8_t> Serialize(const pb::ModelProto& m) {
  std::string s;
  m.SerializeToString(&s);
  return std::vector<uint8_t>(s.begin(), s.end());
}

const float* AsFloats(const std::vector<uint8_t>& b) { return reinterpret_cast<const float*>(b.data()); }

// NCHW float values as NHWC.
std::vector<float> ToNhwc(const ir::Shape& s, const float* f) {
  const int64_t N = s[0], C = s[1], H = s[2], W = s[3];
  std::vector<float> out(static_cast<size_t>(N * C * H * W));
  for (int64_t a = 0; a < N; ++a)
    for (int64_t c = 0; c < C; ++c)
      for (int64_t h = 0; h < H; ++h)
        for (int64_t w = 0; w < W; ++w)
          out[static_cast<size_t>(((a * H + h) * W + w) * C + c)] = f[((a * C + c) * H + h) * W + w];
  return out;
}

double Noise(const std::vector<float>& f, const std::vector<float>& q) {
  double n = 0.0;
  for (size_t i = 0; i < f.size(); ++i) n += (static_cast<double>(f[i]) - q[i]) * (static_cast<double>(f[i]) - q[i]);
  return n;
}

// Float values of `f` (float graph, ONNX layout, shape fs_) in the layout of
// the int8 graph's tensor (shape qs, values q): as is, or NCHW -> NHWC when
// the layout pass made it NHWC. When both layouts have the same shape
// (C == H == W) the one closer to q is taken once (*layout: -1 undecided,
// 0 as is, 1 NHWC) and kept. False when the shapes do not correspond.
bool AlignToShape(const ir::Shape& fs_, const ir::Shape& qs, const float* f, const std::vector<float>& q,
                  int* layout, std::vector<float>* out) {
  const int64_t n = ir::NumElements(fs_);
  const bool nhwc_fits = fs_.size() == 4 && qs == ir::Shape{fs_[0], fs_[2], fs_[3], fs_[1]};
  if (fs_ == qs && nhwc_fits && *layout < 0) {
    std::vector<float> a(f, f + n), b = ToNhwc(fs_, f);
    *layout = Noise(b, q) < Noise(a, q) ? 1 : 0;
  }
  if (fs_ == qs && *layout != 1) {
    out->assign(f, f + n);
    return true;
  }
  if (!nhwc_fits) return false;
  *out = ToNhwc(fs_, f);
  return true;
}

struct ErrorAcc {
  double signal = 0.0, noise = 0.0, max_abs = 0.0;
};

}  // namespace

std::vector<float> DequantizedValues(const ir::Tensor& t, const std::vector<uint8_t>& bytes) {
  const size_t n = static_cast<size_t>(t.num_elements());
  std::vector<float> v(n, 0.0f);
  const float s = t.quant && !t.quant->scale.empty() ? t.quant->scale[0] : 1.0f;
  const int64_t zp = t.quant && !t.quant->zero_point.empty() ? t.quant->zero_point[0] : 0;
  for (size_t k = 0; k < n; ++k) {
    switch (t.dtype) {
      case ir::DType::kFloat32: std::memcpy(&v[k], bytes.data() + 4 * k, 4); break;
      case ir::DType::kInt8: v[k] = s * static_cast<float>(static_cast<int8_t>(bytes[k]) - zp); break;
      case ir::DType::kUInt8: v[k] = s * static_cast<float>(static_cast<int64_t>(bytes[k]) - zp); break;
      case ir::DType::kInt32: {
        int32_t x;
        std::memcpy(&x, bytes.data() + 4 * k, 4);
        v[k] = s * static_cast<float>(x - zp);
        break;
      }
      default: break;
    }
  }
  return v;
}

namespace {

// Step 3: the range of every float tensor of `gf` named like a tensor of `m`.
// The IR tensor of ONNX value `name` in `gf` (imported from `m`): by name,
// else, for a graph output whose tensor the importer named after the value
// an Identity passed on (a Loop's or an If's result), by its position.
ir::TensorId FindValue(const ir::Graph& gf, const pb::ModelProto& m, const std::string& name) {
  if (const ir::TensorId id = gf.FindTensor(name); id != ir::kNoTensor) return id;
  const auto& outs = m.graph().output();
  for (int k = 0; k < outs.size() && static_cast<size_t>(k) < gf.outputs.size(); ++k) {
    if (outs[k].name() == name) return gf.outputs[static_cast<size_t>(k)];
  }
  return ir::kNoTensor;
}

Expected<std::map<std::string, Range>> Calibrate(const ir::Graph& gf, const pb::ModelProto& m,
                                                 const CalibrationSet& calib, const QuantizeOptions& options) {
  std::map<std::string, ir::TensorId> observed;
  for (const std::string& name : CandidateTensors(m)) {
    const ir::TensorId id = FindValue(gf, m, name);
    if (id == ir::kNoTensor) continue;
    const ir::Tensor& t = gf.tensor(id);
    if (t.dtype == ir::DType::kFloat32 && !t.is_const()) observed[name] = id;
  }
  std::map<std::string, TensorStats> stats;
  const int rounds = options.method == Method::kMinMax ? 1 : 2;
  for (int round = 0; round < rounds; ++round) {
    for (const auto& sample : calib.samples) {
      EMBER_ASSIGN_OR_RETURN(ops::EvalResult r, ops::EvaluateGraph(gf, sample, {.keep_intermediates = true}));
      for (const auto& [name, id] : observed) {
        const auto& b = r.all[static_cast<size_t>(id)];
        if (round == 0) stats[name].ObserveRange(AsFloats(b), b.size() / 4);
        else stats[name].ObserveHistogram(AsFloats(b), b.size() / 4);
      }
    }
  }
  std::map<std::string, Range> ranges;
  for (const auto& [name, st] : stats) {
    if (st.seen()) ranges[name] = st.ChooseRange(options.method, options.percentile);
  }
  return ranges;
}

// The tensor of the int8 graph that holds quantized tensor `t`, or kNoTensor.
ir::TensorId Int8Tensor(const ir::Graph& gq, const std::string& t) {
  for (const std::string& cand : {t + "_QuantizeLinear_Output", t}) {
    const ir::TensorId id = gq.FindTensor(cand);
    if (id != ir::kNoTensor && !gq.tensor(id).is_const()) return id;
  }
  return ir::kNoTensor;
}

// Step 5: fills the error columns of report->layers (float graph `gf`
// against the written model run through the pass pipeline).
Status MeasureErrors(const ir::Graph& gf, const pb::ModelProto& m, const CalibrationSet& calib,
                     const std::string& source, const QuantizeOptions& options, QuantizeReport* report) {
  // The operator counts are those of the graph `ember compile` makes; the
  // comparison keeps the ONNX layout on the inputs (NCHW samples as they are).
  EMBER_ASSIGN_OR_RETURN(ir::Graph compiled, Import(report->model, source + " (quantized)", options));
  EMBER_RETURN_IF_ERROR(passes::RunPipeline(compiled));
  for (const auto& n : compiled.nodes) {
    if (n.op == ir::OpKind::kQuantize || n.op == ir::OpKind::kDequantize || n.outputs.empty()) continue;
    (compiled.tensor(n.outputs[0]).dtype == ir::DType::kFloat32 ? report->float_nodes : report->int8_nodes) += 1;
  }
  EMBER_ASSIGN_OR_RETURN(ir::Graph gq, Import(report->model, source + " (quantized)", options));
  passes::PipelineOptions po;
  po.pass.keep_io_layout = true;
  po.pass.drop_constant_channels = false;  // every layer's tensor keeps the float model's shape
  EMBER_RETURN_IF_ERROR(passes::RunPipeline(gq, po));
  const size_t count = report->layers.size();
  std::vector<ir::TensorId> qid(count), fid(count);
  for (size_t k = 0; k < count; ++k) {
    fid[k] = FindValue(gf, m, report->layers[k].tensor);
    qid[k] = Int8Tensor(gq, report->layers[k].tensor);
  }
  std::vector<ErrorAcc> acc(count);
  std::vector<char> aligned(count, 1);
  std::vector<int> layout(count, -1);
  for (const auto& sample : calib.samples) {
    EMBER_ASSIGN_OR_RETURN(ops::EvalResult rf, ops::EvaluateGraph(gf, sample, {.keep_intermediates = true}));
    EMBER_ASSIGN_OR_RETURN(ops::EvalResult rq, ops::EvaluateGraph(gq, sample, {.keep_intermediates = true}));
    for (size_t k = 0; k < count; ++k) {
      if (qid[k] == ir::kNoTensor || fid[k] == ir::kNoTensor || !aligned[k]) continue;
      const ir::Tensor& tq = gq.tensor(qid[k]);
      const std::vector<float> q = DequantizedValues(tq, rq.all[static_cast<size_t>(qid[k])]);
      std::vector<float> f;
      aligned[k] = AlignToShape(gf.tensor(fid[k]).shape, tq.shape, AsFloats(rf.all[static_cast<size_t>(fid[k])]), q,
                                &layout[k], &f);
      for (size_t i = 0; aligned[k] && i < f.size(); ++i) {
        const double d = static_cast<double>(f[i]) - q[i];
        acc[k].signal += static_cast<double>(f[i]) * f[i];
        acc[k].noise += d * d;
        acc[k].max_abs = std::max(acc[k].max_abs, std::fabs(d));
      }
    }
  }
  for (size_t k = 0; k < count; ++k) {
    LayerError& e = report->layers[k];
    e.matched = qid[k] != ir::kNoTensor && fid[k] != ir::kNoTensor && aligned[k];
    if (!e.matched) continue;
    e.max_abs = acc[k].max_abs;
    e.sqnr_db = acc[k].noise > 0.0 ? 10.0 * std::log10(acc[k].signal / acc[k].noise)
                                   : std::numeric_limits<double>::infinity();
  }
  return Status::Ok();
}

}  // namespace

Expected<std::vector<uint8_t>> TfliteAsFloatOnnx(const std::string& path) {
  EMBER_ASSIGN_OR_RETURN(ir::Graph g, frontend::tflite::ImportTfliteFile(path));
  // Constant subgraphs folded first: the DEQUANTIZE of float16 weights is a
  // copy of their float32 values until then.
  EMBER_RETURN_IF_ERROR(passes::RunPass(*passes::FindPass("fold-constants"), g, {}));
  EMBER_ASSIGN_OR_RETURN(pb::ModelProto m, ExportFloatOnnx(g, path));
  return Serialize(m);
}

Expected<QuantizeReport> QuantizeModel(const std::string& model_path, const std::string& calibration_path,
                                       const QuantizeOptions& options) {
  if (!model_path.ends_with(".tflite")) return QuantizeOnnxModel(model_path, calibration_path, options);
  EMBER_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes, TfliteAsFloatOnnx(model_path));
  return QuantizeOnnxBytes(bytes, model_path, calibration_path, options);
}

Expected<QuantizeReport> QuantizeOnnxModel(const std::string& model_path, const std::string& calibration_path,
                                           const QuantizeOptions& options) {
  EMBER_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                         ReadFileBytes(model_path, frontend::onnx::kMaxOnnxFileBytes, "an ONNX model"));
  return QuantizeOnnxBytes(bytes, model_path, calibration_path, options);
}

Expected<QuantizeReport> QuantizeOnnxBytes(const std::vector<uint8_t>& bytes, const std::string& model_path,
                                           const std::string& calibration_path, const QuantizeOptions& options) {
  QuantizeReport report;
  // Step 1.
  pb::ModelProto m;
  if (bytes.empty() || !m.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    // The importer gives the precise diagnostic.
    auto g = Import(bytes, model_path, options);
    if (!g.ok()) return g.diag();
    return NotQuantizable(model_path, "cannot be parsed as an ONNX model", "pass a float .onnx model");
  }
  EMBER_RETURN_IF_ERROR(CheckFloatModel(model_path, m));
  // The importer checks the model (checker, shape inference, supported
  // operators) before anything edits it.
  if (auto checked = Import(bytes, model_path, options); !checked.ok()) return checked.diag();
  // double, float16 and bfloat16 values become float32: QuantizeLinear
  // takes none of them in the opsets ember writes.
  std::string first_widened;
  EMBER_ASSIGN_OR_RETURN(const int widened, WidenToFloat32(m, model_path, &first_widened));
  if (widened > 0) {
    report.warnings.push_back(MakeDiag(
        frontend::onnx::kFloatWidened, ExitCode::kOk,
        model_path + ": " + first_widened +
            (widened > 1 ? " and " + std::to_string(widened - 1) + " more double, float16 or bfloat16 values are"
                         : " is") +
            " read as float32",
        "the quantized model takes and gives float32 where this model has double, float16 or bfloat16 "
        "(docs/quantize.md)"));
  }
  EMBER_ASSIGN_OR_RETURN(report.batchnorm_folded, FoldBatchNormOnnx(m));
  // Step 2.
  EMBER_ASSIGN_OR_RETURN(ir::Graph gf, Import(Serialize(m), model_path, options));
  std::vector<ModelInput> inputs;
  for (ir::TensorId id : gf.inputs) inputs.push_back({gf.tensor(id).name, gf.tensor(id).shape, gf.tensor(id).dtype});
  // Step 3.
  EMBER_ASSIGN_OR_RETURN(CalibrationSet calib, LoadCalibration(calibration_path, inputs, options.max_samples));
  report.samples = calib.samples.size();
  report.samples_available = calib.available;
  EMBER_ASSIGN_OR_RETURN(auto ranges, Calibrate(gf, m, calib, options));
  // Step 4.
  report.activations_removed = RemoveFusableActivations(m);
  EMBER_ASSIGN_OR_RETURN(std::vector<QuantizedTensor> quantized,
                         WriteQdq(m, ranges, {.per_channel = options.per_channel}));
  report.model = Serialize(m);
  std::set<std::string> outputs;
  for (const auto& o : m.graph().output()) outputs.insert(o.name());
  for (const auto& q : quantized) {
    LayerError e;
    e.tensor = q.name;
    e.producer = q.producer;
    e.scale = q.scale;
    e.zero_point = q.zero_point;
    e.is_output = outputs.count(q.name) != 0;
    report.layers.push_back(e);
  }
  // Step 5.
  if (options.error_table) EMBER_RETURN_IF_ERROR(MeasureErrors(gf, m, calib, model_path, options, &report));
  return report;
}

namespace {

// `name` in at most `width` characters: the head and the tail, "..." between.
std::string Shorten(const std::string& name, size_t width) {
  if (name.size() <= width) return name;
  const size_t tail = (width - 3) * 2 / 3, head = width - 3 - tail;
  return name.substr(0, head) + "..." + name.substr(name.size() - tail);
}

}  // namespace

std::string FormatErrorTable(const QuantizeReport& r) {
  constexpr size_t kMaxName = 56;
  size_t width = 6;
  for (const auto& e : r.layers) width = std::max(width, std::min(kMaxName, e.tensor.size() + (e.is_output ? 9 : 0)));
  const int w = static_cast<int>(width);
  std::string out;
  char line[512];
  std::snprintf(line, sizeof line, "%4s %-*s %-18s %10s %5s %8s %12s %7s\n", "#", w, "tensor", "producer", "scale", "zp",
                "SQNR dB", "max abs err", "steps");
  out += line;
  for (size_t k = 0; k < r.layers.size(); ++k) {
    const LayerError& e = r.layers[k];
    const std::string name = Shorten(e.tensor + (e.is_output ? " (output)" : ""), width);
    if (!e.matched) {
      std::snprintf(line, sizeof line, "%4zu %-*s %-18s %10.6g %5d %8s %12s %7s\n", k + 1, w, name.c_str(),
                    e.producer.c_str(), e.scale, e.zero_point, "-", "-", "-");
    } else {
      std::snprintf(line, sizeof line, "%4zu %-*s %-18s %10.6g %5d %8.1f %12.6g %7.2f\n", k + 1, w, name.c_str(),
                    e.producer.c_str(), e.scale, e.zero_point, e.sqnr_db, e.max_abs, e.max_abs / e.scale);
    }
    out += line;
  }
  // A long table (deep models) ends with where to look first.
  std::vector<size_t> rows;
  for (size_t k = 0; k < r.layers.size(); ++k) {
    if (r.layers[k].matched) rows.push_back(k);
  }
  constexpr size_t kLong = 20, kTop = 5;
  if (rows.size() <= kLong) return out;
  auto list = [&](const char* title, auto better, auto value, const char* unit) {
    std::vector<size_t> v = rows;
    std::stable_sort(v.begin(), v.end(), better);
    out += title;
    for (size_t k = 0; k < kTop && k < v.size(); ++k) {
      std::snprintf(line, sizeof line, "%s#%zu %.1f%s", k ? ", " : " ", v[k] + 1, value(r.layers[v[k]]), unit);
      out += line;
    }
    out += "\n";
  };
  const auto sqnr = [](const LayerError& e) { return e.sqnr_db; };
  const auto steps = [](const LayerError& e) { return e.max_abs / e.scale; };
  list("lowest SQNR:", [&](size_t a, size_t b) { return sqnr(r.layers[a]) < sqnr(r.layers[b]); }, sqnr, " dB");
  list("largest errors:", [&](size_t a, size_t b) { return steps(r.layers[a]) > steps(r.layers[b]); }, steps, " steps");
  return out;
}

Status WriteFileAtomically(const std::string& path, const std::vector<uint8_t>& bytes, const std::string& input_path) {
  std::error_code ec;
  if (!input_path.empty() && fs::exists(path, ec) && fs::equivalent(path, input_path, ec)) {
    return MakeDiag(kOutputPath, ExitCode::kUsage, "-o " + path + " is the input model; ember never overwrites it",
                    "write the quantized model to another file, e.g. model_int8.onnx");
  }
  const fs::path dir = fs::path(path).parent_path();
  std::string tmpl = (dir.empty() ? fs::path(".") : dir).string() + "/." + fs::path(path).filename().string() + ".XXXXXX";
  std::vector<char> buf(tmpl.begin(), tmpl.end());
  buf.push_back('\0');
  const int fd = mkstemp(buf.data());
  const auto fail = [&](const std::string& why) {
    return MakeDiag(kOutputPath, ExitCode::kFailure, "cannot write " + path + ": " + why,
                    "check that the folder exists and is writable");
  };
  if (fd < 0) return fail(std::strerror(errno));
  const std::string tmp(buf.data());
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      close(fd);
      unlink(tmp.c_str());
      return fail(why);
    }
    done += static_cast<size_t>(n);
  }
  fchmod(fd, 0644);
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return fail(std::strerror(errno));
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    unlink(tmp.c_str());
    return fail(why);
  }
  return Status::Ok();
}

}  // namespace ember::quantize
