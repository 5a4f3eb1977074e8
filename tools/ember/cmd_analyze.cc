// `ember analyze MODEL [--format text|json] [--target CORE...]`
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>

#include "cli.h"
#include "codegen/c/aot.h"
#include "codegen/c/emitter.h"
#include "memory/analysis.h"
#include "package/mlf.h"
#include "support/file.h"
#include "support/json_text.h"
#include "support/safe_fs.h"

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

// What the model costs on one target: the memory plan ember generates for
// it, and (Cortex-M cores, with arm-none-eabi-gcc installed) the sections of
// the generated code compiled as the project templates and bench compile it.
struct TargetFigures {
  std::string target;
  int64_t arena = 0, io = 0, weights = 0;
  bool measured = false;
  std::string compiler;  // the compile command's flags, or why nothing was measured
  int64_t text = 0, data = 0, bss = 0;
  int64_t rom() const { return text + data; }
  int64_t ram() const { return data + bss + io; }  // bss holds the static arena
};

// gcc flags of a core (runtime/platform/cortex-m/build.sh), or "" for host.
std::string CoreFlags(const std::string& core) {
  if (core == "cortex-m0plus") return "-mcpu=cortex-m0plus -mfloat-abi=soft";
  if (core == "cortex-m3") return "-mcpu=cortex-m3 -mfloat-abi=soft";
  if (core == "cortex-m4") return "-mcpu=cortex-m4 -mfloat-abi=hard -mfpu=fpv4-sp-d16";
  if (core == "cortex-m7") return "-mcpu=cortex-m7 -mfloat-abi=hard -mfpu=fpv5-d16";
  if (core == "cortex-m33") return "-mcpu=cortex-m33 -mfloat-abi=hard -mfpu=fpv5-sp-d16";
  if (core == "cortex-m55") return "-mcpu=cortex-m55 -mfloat-abi=hard";
  return "";
}

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// Compiles the model's generated C for the core and sums its sections.
void MeasureCode(const codegen::c::GeneratedModel& m, const ir::Graph& g, TargetFigures* f) {
  const std::string flags = CoreFlags(f->target);
  if (flags.empty()) {
    f->compiler = "code size is measured for Cortex-M cores";
    return;
  }
  if (std::system("command -v arm-none-eabi-gcc >/dev/null 2>&1 && command -v arm-none-eabi-size >/dev/null 2>&1") != 0) {
    f->compiler = "not measured: arm-none-eabi-gcc is not installed (Debian: gcc-arm-none-eabi libnewlib-arm-none-eabi)";
    return;
  }
  auto tmp = TempFolder::Create("ember-analyze-");
  if (!tmp.ok()) {
    f->compiler = "not measured: " + tmp.diag().message;
    return;
  }
  const std::filesystem::path mlf = tmp->path() / "mlf";
  package::MlfOptions mo;
  mo.target = f->target;
  mo.graph = &g;
  if (Status st = package::ExportModelLibraryFormat(m, mlf.string(), mo); !st.ok()) {
    f->compiler = "not measured: " + st.diag().message;
    return;
  }
  const std::string cflags = "-std=c99 -O2 -mthumb " + flags + " -ffunction-sections -fdata-sections";
  std::string objects;
  int k = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(mlf / "codegen/host/src", ec)) {
    if (e.path().extension() != ".c") continue;
    const std::string obj = (tmp->path() / ("m" + std::to_string(k++) + ".o")).string();
    const std::string cmd = "arm-none-eabi-gcc " + cflags + " -I " + ShellQuote((mlf / "codegen/host/include").string()) +
                            " -I " + ShellQuote((mlf / "runtime/include").string()) + " -c " +
                            ShellQuote(e.path().string()) + " -o " + ShellQuote(obj) + " 2>/dev/null";
    if (std::system(cmd.c_str()) != 0) {
      f->compiler = "not measured: arm-none-eabi-gcc failed on " + e.path().filename().string();
      return;
    }
    objects += " " + ShellQuote(obj);
  }
  const std::string sizes = (tmp->path() / "size.txt").string();
  if (objects.empty() || std::system(("arm-none-eabi-size -B -t" + objects + " > " + ShellQuote(sizes)).c_str()) != 0) {
    f->compiler = "not measured: arm-none-eabi-size failed";
    return;
  }
  auto text = ReadFileText(sizes, 1 << 20, "arm-none-eabi-size's output");
  std::istringstream in(text.ok() ? *text : "");
  for (std::string line; std::getline(in, line);) {
    if (line.find("(TOTALS)") == std::string::npos) continue;
    std::istringstream row(line);
    long long t = 0, d = 0, b = 0;
    if (row >> t >> d >> b) {
      f->text = t;
      f->data = d;
      f->bss = b;
      f->measured = true;
    }
  }
  f->compiler = f->measured ? "arm-none-eabi-gcc " + cflags : "not measured: arm-none-eabi-size printed no totals";
}

Expected<TargetFigures> FiguresFor(const ir::Graph& g, const std::string& name) {
  EMBER_ASSIGN_OR_RETURN(const codegen::c::Target target, codegen::c::ParseTarget(name));
  codegen::c::AotOptions o;
  o.target = target;
  EMBER_ASSIGN_OR_RETURN(const codegen::c::GeneratedModel m, codegen::c::GenerateAot(g, o));
  TargetFigures f;
  f.target = name;
  f.arena = m.workspace_bytes;
  f.io = m.io_bytes;
  f.weights = m.constants_bytes;
  MeasureCode(m, g, &f);
  return f;
}

nlohmann::json TargetsJson(const std::vector<TargetFigures>& targets) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& t : targets) {
    nlohmann::json r = {{"target", t.target}, {"arena_bytes", t.arena}, {"io_bytes", t.io},
                        {"weights_bytes", t.weights}, {"compiler", t.compiler}};
    r["rom_bytes"] = t.measured ? nlohmann::json(t.rom()) : nlohmann::json(nullptr);
    r["ram_bytes"] = t.measured ? nlohmann::json(t.ram()) : nlohmann::json(nullptr);
    if (t.measured) r["sections"] = {{"text", t.text}, {"data", t.data}, {"bss", t.bss}};
    j.push_back(r);
  }
  return j;
}

void PrintTargets(const std::vector<TargetFigures>& targets) {
  for (const auto& t : targets) {
    std::printf("\ntarget %s (the memory plan ember generates for it):\n", t.target.c_str());
    std::printf("  arena:                     %s bytes\n", Grouped(t.arena).c_str());
    std::printf("  inputs + outputs:          %s bytes\n", Grouped(t.io).c_str());
    std::printf("  weights and constants:     %s bytes\n", Grouped(t.weights).c_str());
    if (!t.measured) {
      std::printf("  ROM / RAM of the code:     %s\n", t.compiler.c_str());
      continue;
    }
    std::printf("  ROM (flash):               %s bytes (.text %s incl. weights, .data %s)\n", Grouped(t.rom()).c_str(),
                Grouped(t.text).c_str(), Grouped(t.data).c_str());
    std::printf("  RAM:                       %s bytes (.bss %s incl. the arena, .data %s, inputs + outputs %s)\n",
                Grouped(t.ram()).c_str(), Grouped(t.bss).c_str(), Grouped(t.data).c_str(), Grouped(t.io).c_str());
    std::printf("  (the model's generated code alone, no runtime or application: %s)\n", t.compiler.c_str());
  }
}

// The model's MACs as written, when drop-constant-channels removed some
// (docs/passes.md), else nothing.
std::optional<int64_t> MacsAsWritten(const std::string& path, const std::vector<std::string>& input_shapes,
                                     const memory::GraphFigures& f) {
  passes::PipelineOptions o;
  o.pass.drop_constant_channels = false;
  auto g = LoadModel(path, o, input_shapes);
  if (!g.ok()) return std::nullopt;
  const int64_t macs = memory::Analyze(*g, nullptr).macs;
  if (macs == f.macs) return std::nullopt;
  return macs;
}

void PrintJson(const std::string& path, const ir::Graph& g, const memory::GraphFigures& f,
               std::optional<int64_t> as_written, const std::vector<TargetFigures>& targets) {
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
  if (as_written) j["macs_as_written"] = *as_written;
  j["param_bytes"] = f.param_bytes;
  j["input_bytes"] = f.input_bytes;
  j["output_bytes"] = f.output_bytes;
  j["activation_lower_bound_bytes"] = f.activation_lower_bound;
  j["inplace_lower_bound_bytes"] = f.inplace_lower_bound;
  if (!targets.empty()) j["targets"] = TargetsJson(targets);
  j["state_bytes"] = f.state_bytes;
  j["variables"] = f.variables;
  std::printf("%s\n", DumpJson(j, 2).c_str());
}

void PrintText(const std::string& path, const ir::Graph& g, const memory::GraphFigures& f,
               std::optional<int64_t> as_written) {
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
  if (as_written) {
    std::printf("  (%s as written; output channels whose weights are all zero hold a constant\n"
                "   and left the graph: docs/passes.md, drop-constant-channels)\n",
                Grouped(*as_written).c_str());
  }
  std::printf("parameter bytes:             %s\n", Grouped(f.param_bytes).c_str());
  std::printf("input / output bytes:        %s / %s\n", Grouped(f.input_bytes).c_str(),
              Grouped(f.output_bytes).c_str());
  std::printf("activation lower bound:      %s bytes\n", Grouped(f.activation_lower_bound).c_str());
  std::printf("  (the largest sum of live activation bytes at any step, inputs and outputs\n"
              "   included, without in-place reuse)\n");
  std::printf("in-place lower bound:        %s bytes\n", Grouped(f.inplace_lower_bound).c_str());
  std::printf("  (the same, where the portable kernels let an output overlap an input that\n"
              "   dies at its node, or alias it; docs/memory.md)\n");
  if (f.variables > 0) {
    std::printf("state:                       %s bytes in %lld variable%s\n", Grouped(f.state_bytes).c_str(),
                static_cast<long long>(f.variables), f.variables == 1 ? "" : "s");
    std::printf("  (kept from one inference to the next in a region of its own, never reused;\n"
                "   not part of the bounds above; docs/memory.md)\n");
  }
}

}  // namespace

void RegisterAnalyze(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand("analyze", "Per-layer MACs and parameter bytes, and the activation "
                                            "memory lower bounds (naive and in-place) of a model");
  auto path = std::make_shared<std::string>();
  auto format = std::make_shared<std::string>("text");
  auto targets = std::make_shared<std::vector<std::string>>();
  cmd->add_option("MODEL", *path, "model file (.tflite, .onnx, or ember IR text .ir)")->required();
  auto input_shapes = std::make_shared<std::vector<std::string>>();
  AddInputShapeOption(cmd, input_shapes.get());
  cmd->add_option("--format", *format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->add_option("--target", *targets,
                  "also the figures on a target (repeat for several): its arena, weights and, for Cortex-M cores "
                  "with arm-none-eabi-gcc installed, the ROM and RAM of the generated code");
  cmd->footer("Examples:\n  ember analyze kws.tflite --format json | jq .macs\n"
              "  ember analyze kws.tflite --target cortex-m4 --target cortex-m0plus   ROM/RAM per core");
  cmd->callback([=] {
    *run = [=]() -> int {
      auto g = LoadModel(*path, {}, *input_shapes);
      if (!g.ok()) return Report(g.diag());
      // The kernels' overlap and alias hints (portable kernels); a model some
      // kernel cannot be generated for gets the naive bound for both.
      auto hints = codegen::c::KernelHints(*g, codegen::c::Target{});
      const memory::GraphFigures f = memory::Analyze(*g, hints.ok() ? &*hints : nullptr);
      std::vector<TargetFigures> per_target;
      for (const std::string& t : *targets) {
        auto figures = FiguresFor(*g, t);
        if (!figures.ok()) return Report(figures.diag());
        per_target.push_back(std::move(*figures));
      }
      const std::optional<int64_t> as_written = MacsAsWritten(*path, *input_shapes, f);
      if (*format == "json") {
        PrintJson(*path, *g, f, as_written, per_target);
      } else {
        PrintText(*path, *g, f, as_written);
        PrintTargets(per_target);
      }
      return 0;
    };
  });
}

}  // namespace ember::cli
