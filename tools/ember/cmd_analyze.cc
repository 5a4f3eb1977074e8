// `ember analyze MODEL [--format text|json]`
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli.h"
#include "codegen/c/aot.h"
#include "memory/analysis.h"
#include "support/json_text.h"

namespace ember::cli {
namespace {

// 2656768 -> "2,656,768"
std::string Grouped(int64_t v) {
  std::string digits = std::to_string(v < 0 ? -v : v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return v < 0 ? "-" + out : out;
}

nlohmann::json TensorJson(const ir::Tensor& t) {
  nlohmann::json j;
  j["name"] = t.name;
  j["dtype"] = ir::DTypeName(t.dtype);
  j["shape"] = t.shape;
  j["bytes"] = t.size_bytes();
  if (t.quant) {
    j["quantization"] = {{"scale", t.quant->scale}, {"zero_point", t.quant->zero_point}};
    if (t.quant->per_axis()) j["quantization"]["axis"] = t.quant->axis;
  } else {
    j["quantization"] = nullptr;
  }
  return j;
}

void PrintJson(const std::string& path, const ir::Graph& g, const memory::GraphFigures& f) {
  nlohmann::json j;
  j["model"] = path;
  j["inputs"] = nlohmann::json::array();
  for (ir::TensorId id : g.inputs) j["inputs"].push_back(TensorJson(g.tensor(id)));
  j["outputs"] = nlohmann::json::array();
  for (ir::TensorId id : g.outputs) j["outputs"].push_back(TensorJson(g.tensor(id)));
  j["nodes"] = nlohmann::json::array();
  for (const auto& n : f.nodes) {
    j["nodes"].push_back({{"index", n.index},
                          {"op", ir::OpIrName(n.op)},
                          {"tflite_op", ir::OpTfliteName(n.op)},
                          {"name", n.name},
                          {"output_shape", n.output_shape},
                          {"macs", n.macs},
                          {"param_bytes", n.param_bytes}});
  }
  j["macs"] = f.macs;
  j["param_bytes"] = f.param_bytes;
  j["input_bytes"] = f.input_bytes;
  j["output_bytes"] = f.output_bytes;
  j["activation_lower_bound_bytes"] = f.activation_lower_bound;
  j["inplace_lower_bound_bytes"] = f.inplace_lower_bound;
  std::printf("%s\n", DumpJson(j, 2).c_str());
}

void PrintText(const std::string& path, const ir::Graph& g, const memory::GraphFigures& f) {
  std::printf("model: %s (%zu nodes)\n\ninputs:\n", path.c_str(), g.nodes.size());
  for (ir::TensorId id : g.inputs)
    std::printf("  %-24s %s\n", g.tensor(id).name.c_str(), DescribeTensor(g.tensor(id)).c_str());
  std::printf("outputs:\n");
  for (ir::TensorId id : g.outputs)
    std::printf("  %-24s %s\n", g.tensor(id).name.c_str(), DescribeTensor(g.tensor(id)).c_str());
  size_t name_w = 4;
  for (const auto& n : f.nodes) name_w = std::max(name_w, std::min<size_t>(n.name.size(), 48));
  std::printf("\n%4s  %-18s %-*s %-16s %12s %12s\n", "#", "op", static_cast<int>(name_w), "name",
              "output", "MACs", "params (B)");
  for (const auto& n : f.nodes) {
    std::string name = n.name.size() > 48 ? "..." + n.name.substr(n.name.size() - 45) : n.name;
    std::printf("%4zu  %-18s %-*s %-16s %12s %12s\n", n.index, ir::OpIrName(n.op),
                static_cast<int>(name_w), name.c_str(), ir::ShapeToString(n.output_shape).c_str(),
                Grouped(n.macs).c_str(), Grouped(n.param_bytes).c_str());
  }
  std::printf("\ntotal MACs:                  %s\n", Grouped(f.macs).c_str());
  std::printf("parameter bytes:             %s\n", Grouped(f.param_bytes).c_str());
  std::printf("input / output bytes:        %s / %s\n", Grouped(f.input_bytes).c_str(),
              Grouped(f.output_bytes).c_str());
  std::printf("activation lower bound:      %s bytes\n", Grouped(f.activation_lower_bound).c_str());
  std::printf("  (the largest sum of live activation bytes at any step, inputs and outputs\n"
              "   included, without in-place reuse)\n");
  std::printf("in-place lower bound:        %s bytes\n", Grouped(f.inplace_lower_bound).c_str());
  std::printf("  (the same, where the portable kernels let an output overlap an input that\n"
              "   dies at its node, or alias it; docs/memory.md)\n");
}

}  // namespace

void RegisterAnalyze(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand("analyze", "Per-layer MACs and parameter bytes, and the activation "
                                            "memory lower bounds (naive and in-place) of a model");
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("MODEL", *path, "model file (.tflite, .onnx, or ember IR text .ir)")->required();
  auto input_shapes = std::make_shared<std::vector<std::string>>();
  AddInputShapeOption(cmd, input_shapes.get());
  cmd->add_option("--format", *format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->footer("Example:\n  ember analyze kws.tflite --format json | jq .macs");
  cmd->callback([=] {
    *run = [=]() -> int {
      auto g = LoadModel(*path, {}, *input_shapes);
      if (!g.ok()) return Report(g.diag());
      // The kernels' overlap and alias hints (portable kernels); a model some
      // kernel cannot be generated for gets the naive bound for both.
      auto hints = codegen::c::KernelHints(*g, codegen::c::Target{});
      const memory::GraphFigures f = memory::Analyze(*g, hints.ok() ? &*hints : nullptr);
      if (*format == "json") PrintJson(*path, *g, f);
      else PrintText(*path, *g, f);
      return 0;
    };
  });
}

}  // namespace ember::cli
