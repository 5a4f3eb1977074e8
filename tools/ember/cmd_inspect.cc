// `ember inspect MODEL [--format text|json|dot] [--full] [--after PASS|import|all] [--keep-io-layout]`
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli.h"
#include "ir/dot.h"
#include "ir/printer.h"
#include "support/json_text.h"

namespace ember::cli {
namespace {

nlohmann::json AttrJson(const ir::AttrValue& v) {
  return std::visit([](const auto& x) { return nlohmann::json(x); }, v);
}

void PrintJson(const ir::Graph& g) {
  nlohmann::json j;
  j["name"] = g.name;
  j["tensors"] = nlohmann::json::array();
  for (const ir::Tensor& t : g.tensors) {
    nlohmann::json jt = {{"name", t.name},
                         {"dtype", ir::DTypeName(t.dtype)},
                         {"shape", t.shape},
                         {"const", t.is_const()}};
    if (t.quant) {
      jt["quantization"] = {{"scale", t.quant->scale}, {"zero_point", t.quant->zero_point}};
      if (t.quant->per_axis()) jt["quantization"]["axis"] = t.quant->axis;
    }
    j["tensors"].push_back(jt);
  }
  j["nodes"] = nlohmann::json::array();
  for (const ir::Node& n : g.nodes) {
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& [k, v] : n.attrs) attrs[k] = AttrJson(v);
    j["nodes"].push_back({{"op", ir::OpIrName(n.op)},
                          {"name", n.name},
                          {"inputs", n.inputs},
                          {"outputs", n.outputs},
                          {"attrs", attrs}});
  }
  j["inputs"] = g.inputs;
  j["outputs"] = g.outputs;
  std::printf("%s\n", DumpJson(j, 2).c_str());
}

}  // namespace

void RegisterInspect(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand("inspect", "Print a model as ember IR (text, JSON or Graphviz dot)");
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  auto full = std::make_shared<bool>(false);
  auto pass_args = std::make_shared<PassArgs>();
  cmd->add_option("MODEL", *path, "model file (.tflite, .onnx, or ember IR text .ir)")->required();
  AddInputShapeOption(cmd, &pass_args->input_shapes);
  cmd->add_option("--format", *format, "output format")
      ->check(CLI::IsMember({"text", "json", "dot"}))
      ->capture_default_str();
  cmd->add_flag("--full", *full,
                "print constant data and per-channel scales in full (the text then parses back: save it as .ir); "
                "without it constants show as <N bytes> and more than 3 scales as their count, first ones and range");
  cmd->add_option("--after", pass_args->after,
                  "print the IR after this pass instead of after the whole pipeline: " + passes::PassNames() +
                      "; 'import' prints it as imported, 'all' after every step (text only, each after a "
                      "'// after PASS' line)");
  AddKeepIoLayoutFlag(cmd, pass_args.get());
  AddKeepConstantChannelsFlag(cmd, pass_args.get());
  AddInt8SemanticsOption(cmd, &pass_args->int8_semantics);
  cmd->footer("Examples:\n  ember inspect kws.tflite\n  ember inspect kws.tflite --full > kws.ir\n"
              "  ember inspect kws.tflite --format dot | dot -Tsvg > kws.svg\n"
              "  ember inspect model.onnx --after layout\n  ember inspect model.onnx --after all");
  cmd->callback([=] {
    *run = [=]() -> int {
      if (pass_args->after == "all" && *format != "text") {
        return Report(MakeDiag("E1201", ExitCode::kUsage, "--after all prints text only",
                               "drop --format, or name one pass"));
      }
      auto show = [format, full](const ir::Graph& g) {
        if (*format == "json") {
          PrintJson(g);
        } else if (*format == "dot") {
          std::fputs(ir::ToDot(g).c_str(), stdout);
        } else {
          ir::PrintOptions opts;
          opts.full_constants = *full;
          std::fputs(ir::Print(g, opts).c_str(), stdout);
        }
      };
      if (pass_args->after.empty()) {
        passes::PipelineOptions o;
        o.pass.keep_io_layout = pass_args->keep_io_layout;
        o.pass.drop_constant_channels = !pass_args->keep_constant_channels;
        o.pass.int8_semantics = pass_args->int8_semantics;
        auto g = LoadModel(*path, o, pass_args->input_shapes);
        if (!g.ok()) return Report(g.diag());
        show(*g);
        return 0;
      }
      const bool all = pass_args->after == "all";
      auto g = LoadModelShowing(*path, *pass_args, [&](std::string_view pass, const ir::Graph& step) {
        if (all) std::printf("// after %.*s\n", static_cast<int>(pass.size()), pass.data());
        show(step);
      });
      if (!g.ok()) return Report(g.diag());
      return 0;
    };
  });
}

}  // namespace ember::cli
