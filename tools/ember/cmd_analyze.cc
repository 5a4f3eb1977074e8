// `ember analyze MODEL [--format text|json] [--target CORE...] [--ram SIZE] [--flash SIZE]`
#include <unistd.h>

#include <cctype>
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
#include "package/stack_usage.h"
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

std::string ShellQuote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
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
  // The deepest stack of tvmgen_<name>_run (package/stack_usage.h); when
  // the code was measured but the stack could not be, stack.why_not says why.
  package::StackBound stack;
  // The --ram/--flash check, when asked for (and the code was measured).
  struct Fit {
    std::optional<int64_t> ram_limit, flash_limit;
    int64_t ram_needed = 0, flash_needed = 0;
    bool ram_ok() const { return !ram_limit || ram_needed <= *ram_limit; }
    bool flash_ok() const { return !flash_limit || flash_needed <= *flash_limit; }
    bool fits() const { return ram_ok() && flash_ok(); }
  };
  std::optional<Fit> fit;
};

// Runs `command` with its standard output into `file`, then reads it.
Expected<std::string> OutputOf(const std::string& command, const std::string& file, uint64_t max_bytes) {
  if (std::system((command + " > " + ShellQuote(file) + " 2>/dev/null").c_str()) != 0)
    return MakeDiag("E0001", ExitCode::kFailure, command.substr(0, command.find(' ')) + " failed");
  return ReadFileText(file, max_bytes, command.substr(0, command.find(' ')) + "'s output");
}

// The stack bound of the code compiled into `objects` (package/stack_usage.h):
// gcc's -fcallgraph-info=su files `ci` (one per object), and the program the
// objects make, linked as the project templates link them (newlib-nano,
// --gc-sections) from `root`, disassembled.
package::StackBound MeasureStack(const std::vector<std::string>& ci, const std::string& objects,
                                 const std::string& cpu_flags, const std::string& root, const std::string& dir) {
  package::StackGraph graph;
  package::StackBound failed;
  for (const std::string& file : ci) {
    auto text = ReadFileText(file, 64 << 20, "gcc's call graph");
    Status st = text.ok() ? graph.AddCallGraphInfo(*text, file) : Status(text.diag());
    if (!st.ok()) {
      failed.why_not = st.diag().message;
      return failed;
    }
  }
  const std::string elf = dir + "/stack.elf";
  const std::string link = "arm-none-eabi-gcc -mthumb " + cpu_flags +
                           " -nostartfiles --specs=nano.specs -Wl,--gc-sections -Wl,-e," + root + objects +
                           " -lc -lm -lgcc -o " + ShellQuote(elf) + " >/dev/null 2>&1";
  if (std::system(link.c_str()) != 0) {
    failed.why_not = "the generated code does not link with newlib (arm-none-eabi-gcc " + cpu_flags + ")";
    return failed;
  }
  auto text = OutputOf("arm-none-eabi-objdump -d --no-show-raw-insn " + ShellQuote(elf), dir + "/stack.dis", 256 << 20);
  auto names = OutputOf("arm-none-eabi-nm " + ShellQuote(elf), dir + "/stack.nm", 64 << 20);
  if (!text.ok() || !names.ok()) {
    failed.why_not = !text.ok() ? text.diag().message : names.diag().message;
    return failed;
  }
  graph.AddDisassembly(*text, *names);
  return graph.WorstCase(root);
}

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
  std::vector<std::string> call_graphs;
  int k = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(mlf / "codegen/host/src", ec)) {
    if (e.path().extension() != ".c") continue;
    const std::string base = (tmp->path() / ("m" + std::to_string(k++))).string();
    const std::string obj = base + ".o";
    call_graphs.push_back(base + ".ci");
    // -fstack-usage and -fcallgraph-info only write the frame figures and
    // the calls next to the object; the code is the same.
    const std::string cmd = "arm-none-eabi-gcc " + cflags + " -fstack-usage -fcallgraph-info=su -I " +
                            ShellQuote((mlf / "codegen/host/include").string()) + " -I " +
                            ShellQuote((mlf / "runtime/include").string()) + " -c " + ShellQuote(e.path().string()) +
                            " -o " + ShellQuote(obj) + " 2>/dev/null";
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
  if (f->measured) f->stack = MeasureStack(call_graphs, objects, flags, m.prefix + "_run", tmp->path().string());
}

Expected<TargetFigures> FiguresFor(const ir::Graph& g, const std::string& name, bool optimize_size) {
  EMBER_ASSIGN_OR_RETURN(const codegen::c::Target target, codegen::c::ParseTarget(name));
  codegen::c::AotOptions o;
  o.target = target;
  o.optimize_size = optimize_size;
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
    r["stack_bytes"] = t.measured && t.stack.bounded ? nlohmann::json(t.stack.bytes) : nlohmann::json(nullptr);
    if (t.measured) {
      nlohmann::json st = {{"bounded", t.stack.bounded}};
      if (t.stack.bounded) {
        st["path"] = nlohmann::json::array();
        for (const auto& fr : t.stack.path)
          st["path"].push_back({{"function", fr.function}, {"bytes", fr.bytes}, {"from_disassembly", fr.from_disassembly}});
        st["from_disassembly"] = t.stack.from_disassembly;
      } else {
        st["why_not"] = t.stack.why_not;
      }
      r["stack"] = st;
    }
    if (t.fit) {
      r["fit"] = {{"fits", t.fit->fits()},
                  {"ram_needed_bytes", t.fit->ram_needed},
                  {"flash_needed_bytes", t.fit->flash_needed}};
      r["fit"]["ram_limit_bytes"] = t.fit->ram_limit ? nlohmann::json(*t.fit->ram_limit) : nlohmann::json(nullptr);
      r["fit"]["flash_limit_bytes"] =
          t.fit->flash_limit ? nlohmann::json(*t.fit->flash_limit) : nlohmann::json(nullptr);
    }
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
    if (t.stack.bounded) {
      std::printf("  stack:                     %s bytes at most (%s and every function it calls)\n",
                  Grouped(t.stack.bytes).c_str(), t.stack.path.empty() ? "" : t.stack.path[0].function.c_str());
      std::string path;
      for (size_t i = 1; i < t.stack.path.size(); ++i)
        path += (i > 1 ? " > " : "") + t.stack.path[i].function + " " + std::to_string(t.stack.path[i].bytes);
      if (!path.empty()) std::printf("    deepest: %s\n", path.c_str());
      if (!t.stack.from_disassembly.empty()) {
        // Functions the compiler has no figure for (the C library's) or a
        // smaller one (inline assembly that pushes registers).
        std::string list;
        const size_t shown = std::min<size_t>(t.stack.from_disassembly.size(), 4);
        for (size_t i = 0; i < shown; ++i) list += (i ? ", " : "") + t.stack.from_disassembly[i];
        if (shown < t.stack.from_disassembly.size())
          list += " and " + std::to_string(t.stack.from_disassembly.size() - shown) + " more";
        std::printf("    (gcc -fstack-usage frames; from the linked instructions, deeper or absent there: %s)\n",
                    list.c_str());
      }
    } else {
      std::printf("  stack:                     not bounded: %s\n", t.stack.why_not.c_str());
    }
    if (t.fit) {
      const auto& fit = *t.fit;
      std::string limits;
      if (fit.ram_limit) limits += " --ram " + Grouped(*fit.ram_limit);
      if (fit.flash_limit) limits += " --flash " + Grouped(*fit.flash_limit);
      std::printf("  %s%s:\n", fit.fits() ? "fits" : "DOES NOT FIT", limits.c_str());
      if (fit.ram_limit)
        std::printf("    RAM   %s of %s bytes (the RAM above and the stack)%s\n", Grouped(fit.ram_needed).c_str(),
                    Grouped(*fit.ram_limit).c_str(), fit.ram_ok() ? "" : "  <- over");
      if (fit.flash_limit)
        std::printf("    flash %s of %s bytes%s\n", Grouped(fit.flash_needed).c_str(), Grouped(*fit.flash_limit).c_str(),
                    fit.flash_ok() ? "" : "  <- over");
    }
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

// "256K", "1M", "0x8000", "65536" -> bytes; K and M are 1024 and 1024 * 1024
// (KB, KiB, MB, MiB alike, as microcontroller datasheets count). Decimal,
// or hexadecimal after 0x.
std::optional<int64_t> ParseByteSize(const std::string& text) {
  const bool hex = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
  if (text.empty() || !std::isxdigit(static_cast<unsigned char>(text[hex ? 2 : 0]))) return std::nullopt;
  size_t end = 0;
  long long v = 0;
  try {
    v = std::stoll(text, &end, hex ? 16 : 10);
  } catch (...) {
    return std::nullopt;
  }
  if (v < 0) return std::nullopt;
  std::string unit;
  for (size_t i = end; i < text.size(); ++i) unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
  int64_t scale = 1;
  if (unit == "k" || unit == "kb" || unit == "kib") {
    scale = 1024;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    scale = 1024 * 1024;
  } else if (!unit.empty() && unit != "b") {
    return std::nullopt;
  }
  if (v > (int64_t{1} << 40) / scale) return std::nullopt;  // more than 1 TiB: a typo
  return v * scale;
}

// Checks the targets' figures against --ram/--flash. Returns the diagnostic
// that ends the command (E0610 does not fit, E0612 cannot be checked), or
// nothing when every target fits.
std::optional<Diagnostic> CheckFit(const std::string& model, std::optional<int64_t> ram, std::optional<int64_t> flash,
                                   bool optimize_size, std::vector<TargetFigures>* targets) {
  if (!ram && !flash) return std::nullopt;
  std::optional<Diagnostic> worst;
  for (TargetFigures& t : *targets) {
    if (!t.measured) {
      return MakeDiag("E0612", CoreFlags(t.target).empty() ? ExitCode::kUsage : ExitCode::kFailure,
                      "cannot check whether " + model + " fits --target " + t.target + ": " + t.compiler,
                      CoreFlags(t.target).empty() ? "--ram and --flash check a Cortex-M target (cortex-m4, ...)"
                                                  : "install arm-none-eabi-gcc: the check compiles the generated code");
    }
    if (ram && !t.stack.bounded) {
      return MakeDiag("E0612", ExitCode::kFailure,
                      "cannot check whether " + model + " fits --target " + t.target +
                          ": its stack is not bounded (" + t.stack.why_not + ")",
                      "check --flash alone, or measure the stack on the board");
    }
    TargetFigures::Fit fit;
    fit.ram_limit = ram;
    fit.flash_limit = flash;
    fit.ram_needed = t.ram() + (t.stack.bounded ? t.stack.bytes : 0);
    fit.flash_needed = t.rom();
    t.fit = fit;
    if (fit.fits() || worst) continue;
    std::string what;
    if (!fit.ram_ok())
      what = Grouped(fit.ram_needed) + " bytes of RAM (arena and data " + Grouped(t.ram() - t.io) +
             ", inputs + outputs " + Grouped(t.io) + ", stack " + Grouped(t.stack.bytes) + ") where --ram gives " +
             Grouped(*ram);
    if (!fit.flash_ok())
      what += (what.empty() ? "" : ", and ") + Grouped(fit.flash_needed) + " bytes of flash where --flash gives " +
              Grouped(*flash);
    worst = MakeDiag("E0610", ExitCode::kDoesNotFit, model + " does not fit --target " + t.target + ": it needs " + what,
                     std::string(optimize_size ? "" : "try --optimize size (less RAM and flash, at some speed); ") +
                         "docs/memory.md says what takes RAM and flash; the application's own code, data and "
                         "stack come on top of these figures");
  }
  return worst;
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
  auto optimize = std::make_shared<std::string>("speed");
  AddOptimizeOption(cmd, optimize.get());
  auto ram = std::make_shared<std::string>();
  auto flash = std::make_shared<std::string>();
  const auto size_check = CLI::Validator(
      [](std::string& v) { return ParseByteSize(v) ? std::string() : "not a size in bytes (65536, 64K, 1M): " + v; },
      "SIZE");
  cmd->add_option("--ram", *ram,
                  "check that the model's RAM (arena, inputs and outputs, data, and the deepest stack of its code) "
                  "fits this size on every --target, e.g. 64K; exit 4 when it does not")
      ->check(size_check)
      ->needs("--target");
  cmd->add_option("--flash", *flash, "check that the model's code and weights fit this size on every --target, e.g. 1M")
      ->check(size_check)
      ->needs("--target");
  cmd->footer("Examples:\n  ember analyze kws.tflite --format json | jq .macs\n"
              "  ember analyze kws.tflite --target cortex-m4 --target cortex-m0plus   ROM/RAM per core\n"
              "  ember analyze kws.tflite --target cortex-m4 --ram 64K --flash 256K   will it fit? (exit 4 if not)");
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
        auto figures = FiguresFor(*g, t, *optimize == "size");
        if (!figures.ok()) return Report(figures.diag());
        per_target.push_back(std::move(*figures));
      }
      const std::optional<Diagnostic> fit =
          CheckFit(*path, ram->empty() ? std::nullopt : ParseByteSize(*ram),
                   flash->empty() ? std::nullopt : ParseByteSize(*flash), *optimize == "size", &per_target);
      const std::optional<int64_t> as_written = MacsAsWritten(*path, *input_shapes, f);
      if (*format == "json") {
        PrintJson(*path, *g, f, as_written, per_target);
      } else {
        PrintText(*path, *g, f, as_written);
        PrintTargets(per_target);
      }
      if (fit) {
        std::fflush(stdout);
        return Report(*fit);
      }
      return 0;
    };
  });
}

}  // namespace ember::cli
