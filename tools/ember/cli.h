// Shared pieces of the `ember` command-line tool. The CLI is a thin layer over
// the libraries: it parses arguments, calls one library entry point per
// command, and maps diagnostics to exit codes (DESIGN.md, "Errors").
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "micro/project/project.h"
#include "micro/project_api/protocol.h"
#include "package/mlf_reader.h"
#include "passes/pipeline.h"
#include "support/status.h"

namespace ember::cli {

// Each command registers itself and sets `*run` to its action; the action
// returns the process exit code.
using Action = std::function<int()>;
void RegisterInspect(CLI::App& app, Action* run);
void RegisterAnalyze(CLI::App& app, Action* run);
void RegisterOps(CLI::App& app, Action* run);
void RegisterEval(CLI::App& app, Action* run);
void RegisterCompile(CLI::App& app, Action* run);
void RegisterRun(CLI::App& app, Action* run);
void RegisterMicro(CLI::App& app, Action* run);
void RegisterDevice(CLI::App& app, Action* run);
void RegisterQuantize(CLI::App& app, Action* run);
void RegisterReport(CLI::App& app, Action* run);
void RegisterTune(CLI::App& app, Action* run);

// The calibration options of `quantize` and `compile --quantize int8` (cmd_quantize.cc).
struct QuantizeArgs {
  std::string calibration;
  std::string method = "minmax";
  bool per_channel = false;
  size_t max_samples = 0;
};
void AddQuantizeOptions(CLI::App* cmd, QuantizeArgs* args);
// Quantizes `model` into a fresh temporary folder (*temp_dir, which the
// caller removes) and returns the path of the QDQ model; prints the error
// table to stderr.
Expected<std::string> QuantizeToTemp(const std::string& model, const QuantizeArgs& args,
                                     const std::vector<std::string>& input_shapes, std::string* temp_dir);

// A Model Library Format archive compiled for the host, run by a small
// program built from its C with the system compiler (cmd_run.cc).
class HostRunner {
 public:
  // Reads the archive (one model, --target host) and its graph; `scratch`
  // is a private folder for the inputs and outputs of every run.
  Status Open(const std::string& path, const std::filesystem::path& scratch);
  // Builds the runner, or finds it in the cache ($EMBER_CACHE_DIR).
  Status Build();
  // Runs the model once: every output's bytes; *ns the nanoseconds of the
  // model call (-1 if unknown).
  Expected<std::vector<std::vector<uint8_t>>> Run(const std::vector<std::vector<uint8_t>>& inputs, double* ns);
  const ir::Graph& graph() const { return graph_; }
  const std::string& name() const { return name_; }

 private:
  std::shared_ptr<package::MlfContents> mlf_;
  ir::Graph graph_;
  std::string name_, exe_;
  std::filesystem::path scratch_;
};

// --project-option KEY=VALUE items as an options object (cmd_micro.cc; E0903).
Expected<micro::Json> ParseProjectOptions(const std::vector<std::string>& items);

// `ember run` on a project folder (cmd_run_device.cc).
bool IsProjectDir(const std::string& path);
int RunProject(const std::string& dir, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs);
// What a project's server reported (micro::ServerErrorText) as a
// diagnostic: E0804 "<device_what>: ..." (exit 5) for
// a timeout or a closed transport, `usage_id` (exit 2) for a project that is
// not built, else E0902.
int ReportServerError(const micro::JsonRpcError& e, const std::string& dir, const char* usage_id,
                      const std::string& device_what);
// Throws micro::ProjectApiError for a project without a transport (standalone).
void CheckHasTransport(const micro::GeneratedProject& project, const std::string& dir);

// Reads a model as its frontend imports it: .tflite through the TFLite
// frontend, .onnx through the ONNX frontend, .ir (ember IR text) through the
// parser; then verifies it. `input_shapes` holds `--input-shape
// NAME=1x3x96x96` values (ONNX models only).
Expected<ir::Graph> ImportModel(const std::string& path, const std::vector<std::string>& input_shapes = {});
// ImportModel, then the pass pipeline (passes/pipeline.h): the graph every
// command works on (cli_passes.cc).
Expected<ir::Graph> LoadModel(const std::string& path, const passes::PipelineOptions& options = {},
                              const std::vector<std::string>& input_shapes = {});

// Adds `--input-shape NAME=DIMS` (repeatable) to a command that loads a model.
void AddInputShapeOption(CLI::App* cmd, std::vector<std::string>* values);

// Adds `--int8-semantics onnxruntime|tflite`: the int8 arithmetic of the
// operators folded from a QDQ model (PassOptions::int8_semantics); empty
// (the default) follows the model (ONNX: onnxruntime unless written by
// ember quantize).
void AddInt8SemanticsOption(CLI::App* cmd, std::string* value);
// --optimize speed|size (codegen::c::AotOptions::optimize_size), for
// compile and analyze.
void AddOptimizeOption(CLI::App* cmd, std::string* value);
// PipelineOptions with only int8_semantics set.
passes::PipelineOptions Int8SemanticsPipeline(const std::string& int8_semantics);

// The pass options of `inspect` and `compile` (cli_passes.cc):
// --keep-io-layout, --keep-constant-channels, and the pass whose IR to show (--after / --dump-ir-after);
// with the import's --input-shape values.
struct PassArgs {
  bool keep_io_layout = false;
  bool keep_constant_channels = false;  // --keep-constant-channels
  std::string int8_semantics;  // --int8-semantics
  std::string after;  // a pass name, "import", "all", or empty
  std::vector<std::string> input_shapes;
};
void AddKeepIoLayoutFlag(CLI::App* cmd, PassArgs* args);
// --keep-constant-channels: drop-constant-channels off (docs/passes.md).
void AddKeepConstantChannelsFlag(CLI::App* cmd, PassArgs* args);
// Checks args.after (E1201 for an unknown pass name).
Status CheckAfterPass(const PassArgs& args);
// LoadModel that also hands `print` the graph as imported (args.after is
// "import" or "all") and after the passes args.after names.
Expected<ir::Graph> LoadModelShowing(const std::string& path, const PassArgs& args,
                                     std::function<void(std::string_view, const ir::Graph&)> print);

// Prints a diagnostic to stderr and returns its exit code.
int Report(const Diagnostic& d);

// Reads one input tensor file (.npy or raw .bin) for tensor `t`, checking
// dtype and size. `index` is the input position, for messages.
Expected<std::vector<uint8_t>> ReadTensorFile(const std::string& path, const ir::Tensor& t,
                                              size_t index);
// Reads a data set for validation: a .npz with one array per model input
// (named after it; a one-input model takes the first array that fits) or a
// .npy, each holding N samples stacked on a first axis (or one sample);
// float32 samples of an int8 input are quantized with its scale (E0414).
// Returns samples[k][i], the bytes of input i in sample k.
Expected<std::vector<std::vector<std::vector<uint8_t>>>> ReadDataSet(const std::string& path, const ir::Graph& g);

// Writes tensor bytes as .npy (with dtype and shape) or raw .bin.
Status WriteTensorFile(const std::string& path, const ir::Tensor& t,
                       const std::vector<uint8_t>& bytes);

// Prints up to `limit` values of a tensor (dequantized too when quantized).
void PrintTensorValues(const ir::Tensor& t, const std::vector<uint8_t>& bytes, size_t limit);

// "i8[1,49,10,1] scale=0.5847 zp=83" style one-line description.
std::string DescribeTensor(const ir::Tensor& t);

}  // namespace ember::cli
