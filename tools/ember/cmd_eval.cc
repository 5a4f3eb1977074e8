// `ember eval MODEL --input FILE... [--output FILE...]`
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cli.h"
#include "ops/evaluate.h"

namespace ember::cli {
namespace {

// Prints up to `limit` values of an output tensor, dequantized when quantized.
void PrintValues(const ir::Tensor& t, const std::vector<uint8_t>& bytes, size_t limit) {
  const int64_t n = t.num_elements();
  const bool quant = t.quant && !t.quant->per_axis() && !t.quant->scale.empty();
  for (int64_t i = 0; i < n && static_cast<size_t>(i) < limit; ++i) {
    double v = 0;
    switch (t.dtype) {
      case ir::DType::kInt8: v = static_cast<int8_t>(bytes[static_cast<size_t>(i)]); break;
      case ir::DType::kUInt8: case ir::DType::kBool: v = bytes[static_cast<size_t>(i)]; break;
      case ir::DType::kInt16: { int16_t x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 2], 2); v = x; break; }
      case ir::DType::kInt32: { int32_t x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 4], 4); v = x; break; }
      case ir::DType::kInt64: { int64_t x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 8], 8); v = static_cast<double>(x); break; }
      case ir::DType::kFloat32: { float x; std::memcpy(&x, &bytes[static_cast<size_t>(i) * 4], 4); v = x; break; }
    }
    if (quant) {
      const double real = t.quant->scale[0] * (v - static_cast<double>(t.quant->zero_point[0]));
      std::printf("  [%lld] %g  (real %.6g)\n", static_cast<long long>(i), v, real);
    } else {
      std::printf("  [%lld] %.9g\n", static_cast<long long>(i), v);
    }
  }
  if (static_cast<size_t>(n) > limit) std::printf("  ... (%lld values in all)\n", static_cast<long long>(n));
}

}  // namespace

void RegisterEval(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand(
      "eval", "Run a model on the host with the reference evaluators (the numerical oracle)");
  auto path = std::make_shared<std::string>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto outputs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("MODEL", *path, "model file (.tflite, or ember IR text .ir)")->required();
  cmd->add_option("--input,-i", *inputs,
                  "one file per model input, in order: .npy, or .bin (raw tensor bytes)")
      ->required();
  cmd->add_option("--output,-o", *outputs,
                  "one file per model output, in order: .npy or .bin; omit to print the values");
  cmd->footer("Example:\n  ember eval kws.tflite --input features.bin --output scores.npy");
  cmd->callback([=] {
    *run = [=]() -> int {
      auto g = LoadModel(*path);
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
          PrintValues(t, result->outputs[i], 64);
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
