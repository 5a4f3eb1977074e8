// The pass pipeline in the CLI: every command loads its model through
// LoadModel, so `inspect`, `analyze`, `eval`, `compile` and `validate` see the
// same graph; `inspect --after` and `compile --dump-ir-after` show the IR
// between the passes (docs/passes.md).
#include <string>

#include "cli.h"

namespace ember::cli {

Expected<ir::Graph> LoadModel(const std::string& path, const passes::PipelineOptions& options,
                              const std::vector<std::string>& input_shapes) {
  EMBER_ASSIGN_OR_RETURN(ir::Graph g, ImportModel(path, input_shapes));
  EMBER_RETURN_IF_ERROR(passes::RunPipeline(g, options));
  return g;
}

void AddKeepIoLayoutFlag(CLI::App* cmd, PassArgs* args) {
  cmd->add_flag("--keep-io-layout", args->keep_io_layout,
                "keep the source model's layout on graph inputs and outputs (an ONNX model's NCHW "
                "input then stays NCHW, at the cost of a transpose); by default they become NHWC");
}

void AddKeepConstantChannelsFlag(CLI::App* cmd, PassArgs* args) {
  cmd->add_flag("--keep-constant-channels", args->keep_constant_channels,
                "keep the output channels whose weights are all zero (constant), which are otherwise removed "
                "and folded into the next layers' biases (the same outputs, fewer MACs): every tensor then "
                "keeps the model's shape, for comparing intermediate values with the source model's");
}

void AddInt8SemanticsOption(CLI::App* cmd, std::string* value) {
  cmd->add_option("--int8-semantics", *value,
                  "int8 arithmetic of a QDQ model's operators: onnxruntime (float requantization as ONNX "
                  "Runtime's fused kernels; the default for ONNX models) or tflite (fixed point; the default "
                  "for models written by ember quantize)")
      ->check(CLI::IsMember({"onnxruntime", "tflite"}));
}

void AddOptimizeOption(CLI::App* cmd, std::string* value) {
  cmd->add_option("--optimize", *value,
                  "speed: the fastest kernels; size: the least RAM and flash (no ring of input rows, no add "
                  "tables, no unrolled passes; docs/memory.md)")
      ->check(CLI::IsMember({"speed", "size"}))
      ->capture_default_str();
}

passes::PipelineOptions Int8SemanticsPipeline(const std::string& int8_semantics) {
  passes::PipelineOptions o;
  o.pass.int8_semantics = int8_semantics;
  return o;
}

Status CheckAfterPass(const PassArgs& args) {
  if (args.after.empty() || args.after == "all" || args.after == "import" || passes::FindPass(args.after))
    return Status::Ok();
  return MakeDiag("E1201", ExitCode::kUsage, "there is no pass named '" + args.after + "'",
                  "the passes are " + passes::PassNames() + "; 'import' is the graph before them, 'all' every step");
}

namespace {

// Pipeline options whose callback hands `print` the graph after the pass
// args.after (after every pass for "all").
passes::PipelineOptions PipelineOptionsFor(const PassArgs& args,
                                           std::function<void(std::string_view, const ir::Graph&)> print) {
  passes::PipelineOptions o;
  o.pass.keep_io_layout = args.keep_io_layout;
  o.pass.drop_constant_channels = !args.keep_constant_channels;
  o.pass.int8_semantics = args.int8_semantics;
  if (args.after.empty() || args.after == "import") return o;
  const std::string after = args.after;
  o.after_pass = [after, print](std::string_view pass, const ir::Graph& g) {
    if (after == "all" || after == pass) print(pass, g);
  };
  return o;
}

}  // namespace

Expected<ir::Graph> LoadModelShowing(const std::string& path, const PassArgs& args,
                                     std::function<void(std::string_view, const ir::Graph&)> print) {
  EMBER_RETURN_IF_ERROR(CheckAfterPass(args));
  EMBER_ASSIGN_OR_RETURN(ir::Graph g, ImportModel(path, args.input_shapes));
  if (args.after == "import" || args.after == "all") print("import", g);
  EMBER_RETURN_IF_ERROR(passes::RunPipeline(g, PipelineOptionsFor(args, print)));
  return g;
}

}  // namespace ember::cli
