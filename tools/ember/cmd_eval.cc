// `ember eval MODEL --input FILE... [--output FILE...]`
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "ops/evaluate.h"

namespace ember::cli {
void RegisterEval(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand(
      "eval", "Run a model on the host with the reference evaluators (the numerical oracle)");
  auto path = std::make_shared<std::string>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto outputs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("MODEL", *path, "model file (.tflite, .onnx, or ember IR text .ir)")->required();
  auto input_shapes = std::make_shared<std::vector<std::string>>();
  AddInputShapeOption(cmd, input_shapes.get());
  auto int8_semantics = std::make_shared<std::string>();
  AddInt8SemanticsOption(cmd, int8_semantics.get());
  cmd->add_option("--input,-i", *inputs,
                  "one file per model input, in order: .npy, or .bin (raw tensor bytes); or zeros, random, random:SEED")
      ->required();
  cmd->add_option("--output,-o", *outputs,
                  "one file per model output, in order: .npy or .bin; omit to print the values");
  cmd->footer("Example:\n  ember eval kws.tflite --input features.bin --output scores.npy");
  cmd->callback([=] {
    *run = [=]() -> int {
      auto g = LoadModel(*path, Int8SemanticsPipeline(*int8_semantics), *input_shapes);
      if (!g.ok()) return Report(g.diag());
      if (inputs->size() != g->inputs.size()) {
        return Report(MakeDiag("E0401", ExitCode::kUsage,
                               "'" + *path + "' has " + std::to_string(g->inputs.size()) +
                                   " inputs but " + std::to_string(inputs->size()) + " --input files were given",
                               "pass one --input per model input, in order ('ember analyze' lists them)"));
      }
      if (!outputs->empty() && outputs->size() != g->outputs.size()) {
        return Report(MakeDiag("E0408", ExitCode::kUsage,
                               "'" + *path + "' has " + std::to_string(g->outputs.size()) +
                                   " outputs but " + std::to_string(outputs->size()) + " --output files were given",
                               "pass one --output per model output, or none to print them"));
      }
      std::vector<std::vector<uint8_t>> in;
      for (size_t i = 0; i < inputs->size(); ++i) {
        auto bytes = ReadTensorFile((*inputs)[i], g->tensor(g->inputs[i]), i);
        if (!bytes.ok()) return Report(bytes.diag());
        in.push_back(std::move(*bytes));
      }
      auto result = ops::EvaluateGraph(*g, in);
      if (!result.ok()) return Report(result.diag());
      for (size_t i = 0; i < g->outputs.size(); ++i) {
        const ir::Tensor& t = g->tensor(g->outputs[i]);
        if (outputs->empty()) {
          std::printf("output %zu '%s' %s:\n", i, t.name.c_str(), DescribeTensor(t).c_str());
          PrintTensorValues(t, result->outputs[i], 64);
        } else {
          Status st = WriteTensorFile((*outputs)[i], t, result->outputs[i]);
          if (!st.ok()) return Report(st.diag());
        }
      }
      return 0;
    };
  });
}

}  // namespace ember::cli
