// `ember quantize MODEL.onnx|MODEL.tflite --calibration DATA [--method minmax|percentile|entropy]
//  [--per-channel] [--input-shape NAME=DIMS] -o OUT.onnx`, and the quantize
// step of `ember compile --quantize int8` (docs/quantize.md).
#include <cstdio>
#include <filesystem>
#include <string>
#include <unistd.h>

#include "cli.h"
#include "frontend/onnx/import.h"
#include "quantize/quantize.h"

namespace ember::cli {

namespace {

Expected<quantize::QuantizeOptions> OptionsFrom(const QuantizeArgs& a, const std::vector<std::string>& input_shapes) {
  quantize::QuantizeOptions o;
  if (!quantize::ParseMethod(a.method, &o.method)) {
    return MakeDiag(quantize::kUsage, ExitCode::kUsage, "--method '" + a.method + "' is not a calibration method",
                    "use minmax, percentile or entropy");
  }
  o.per_channel = a.per_channel;
  o.max_samples = a.max_samples;
  for (const std::string& s : input_shapes) {
    EMBER_RETURN_IF_ERROR(frontend::onnx::ParseInputShapeFlag(s, &o.input_shapes));
  }
  return o;
}

Status CheckModel(const std::string& model) {
  if (!model.ends_with(".onnx") && !model.ends_with(".tflite")) {
    return MakeDiag(quantize::kUsage, ExitCode::kUsage,
                    "ember quantizes float ONNX and TFLite models; '" + model + "' is neither an .onnx nor a .tflite file",
                    "export the model to ONNX (torch.onnx.export) or TFLite and quantize that");
  }
  return Status::Ok();
}

Status CheckOutput(const std::string& out) {
  if (!out.ends_with(".onnx")) {
    return MakeDiag(quantize::kUsage, ExitCode::kUsage,
                    "ember quantize writes a QDQ ONNX model; '" + out + "' is not an .onnx file",
                    "name the output MODEL_int8.onnx");
  }
  return Status::Ok();
}

void PrintReport(const quantize::QuantizeReport& r, const QuantizeArgs& a, FILE* out) {
  const std::string of = r.samples_available > r.samples ? " of " + std::to_string(r.samples_available) : "";
  std::fprintf(out, "calibrated on %zu%s samples (%s%s); %d BatchNormalization folded, %d activations fused; "
               "ember runs %d operators in int8, %d in float\n",
               r.samples, of.c_str(), a.method.c_str(), a.per_channel ? ", per-channel weights" : "", r.batchnorm_folded,
               r.activations_removed, r.int8_nodes, r.float_nodes);
  std::fprintf(out, "float vs ember int8 on the calibration set, per quantized tensor:\n%s",
               quantize::FormatErrorTable(r).c_str());
}

}  // namespace

void AddQuantizeOptions(CLI::App* cmd, QuantizeArgs* a) {
  cmd->add_option("--calibration", a->calibration,
                  "calibration samples: a .npz (one array per input, or arrays of one input), a .npy or a folder "
                  "of .npy files; each array one sample of the input's shape or N stacked samples");
  cmd->add_option("--method", a->method, "calibration method: minmax, percentile (99.99) or entropy (KL divergence)")
      ->check(CLI::IsMember({"minmax", "percentile", "entropy"}))
      ->capture_default_str();
  cmd->add_flag("--per-channel", a->per_channel, "Conv weights per output channel (default: per tensor)");
  cmd->add_option("--max-samples", a->max_samples,
                  "calibrate on at most N samples (the first N in file name order; a folder is read only that far)")
      ->check(CLI::PositiveNumber);
}

Expected<quantize::QuantizeReport> RunQuantize(const std::string& model, const QuantizeArgs& a,
                                               const std::vector<std::string>& input_shapes) {
  EMBER_RETURN_IF_ERROR(CheckModel(model));
  if (a.calibration.empty()) {
    return MakeDiag(quantize::kUsage, ExitCode::kUsage, "quantizing needs calibration samples",
                    "pass --calibration DATA.npz (or a folder of .npy files) with inputs like the ones the model "
                    "will see");
  }
  EMBER_ASSIGN_OR_RETURN(quantize::QuantizeOptions o, OptionsFrom(a, input_shapes));
  auto r = quantize::QuantizeModel(model, a.calibration, o);
  if (r.ok()) {
    for (const auto& w : r->warnings) std::fprintf(stderr, "%s\n", w.ToString().c_str());
  }
  return r;
}

Expected<std::string> QuantizeToTemp(const std::string& model, const QuantizeArgs& a,
                                     const std::vector<std::string>& input_shapes, std::string* temp_dir) {
  EMBER_ASSIGN_OR_RETURN(quantize::QuantizeReport r, RunQuantize(model, a, input_shapes));
  PrintReport(r, a, stderr);
  std::string tmpl = (std::filesystem::temp_directory_path() / "ember-quantize-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    return MakeDiag(quantize::kOutputPath, ExitCode::kFailure, "cannot create a temporary folder for the quantized model");
  }
  *temp_dir = tmpl;
  const std::string out = tmpl + "/" + std::filesystem::path(model).stem().string() + "_int8.onnx";
  EMBER_RETURN_IF_ERROR(quantize::WriteFileAtomically(out, r.model, model));
  return out;
}

void RegisterQuantize(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand("quantize",
                                 "Quantize a float ONNX or TFLite model to int8 (QDQ ONNX) from calibration samples and print "
                                 "the per-layer float-vs-int8 error");
  struct Args {
    std::string model, out;
    QuantizeArgs q;
    std::vector<std::string> input_shapes;
  };
  auto a = std::make_shared<Args>();
  cmd->add_option("MODEL", a->model, "float model (.onnx or .tflite)")->required();
  AddQuantizeOptions(cmd, &a->q);
  AddInputShapeOption(cmd, &a->input_shapes);
  cmd->add_option("-o,--output", a->out, "the quantized model (.onnx, QDQ format; never the input file)")->required();
  cmd->footer("Examples:\n  ember quantize kws.onnx --calibration calib.npz -o kws_int8.onnx\n"
              "  ember quantize vww.onnx --calibration samples/ --method entropy --per-channel -o vww_int8.onnx\n"
              "  ember quantize kws_float.tflite --calibration calib_nhwc.npz -o kws_int8.onnx\n"
              "  ember compile kws.onnx --quantize int8 --calibration calib.npz --target cortex-m4 -o kws.tar");
  cmd->callback([=] {
    *run = [=]() -> int {
      if (Status st = CheckOutput(a->out); !st.ok()) return Report(st.diag());
      std::error_code ec;
      if (std::filesystem::exists(a->out, ec) && std::filesystem::equivalent(a->out, a->model, ec)) {
        return Report(MakeDiag(quantize::kOutputPath, ExitCode::kUsage,
                               "-o " + a->out + " is the input model; ember never overwrites it",
                               "write the quantized model to another file, e.g. model_int8.onnx"));
      }
      auto r = RunQuantize(a->model, a->q, a->input_shapes);
      if (!r.ok()) return Report(r.diag());
      if (Status st = quantize::WriteFileAtomically(a->out, r->model, a->model); !st.ok()) return Report(st.diag());
      PrintReport(*r, a->q, stdout);
      std::printf("wrote %s (%zu bytes)\n", a->out.c_str(), r->model.size());
      return 0;
    };
  });
}

}  // namespace ember::cli
