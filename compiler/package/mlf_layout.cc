#include "package/mlf_layout.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <map>
#include <set>

#include <nlohmann/json.hpp>

#include "package/runtime_dir.h"
#include "support/file.h"
#include "support/json_text.h"

#ifndef EMBER_VERSION
#error "EMBER_VERSION must be defined by the build (compiler/CMakeLists.txt)"
#endif

namespace ember::package::detail {
namespace {

namespace fs = std::filesystem;
using codegen::c::GeneratedModel;
using codegen::c::IoTensor;
using nlohmann::json;

std::vector<std::string> SplitPath(const std::string& p) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    const size_t slash = p.find('/', start);
    parts.push_back(p.substr(start, slash == std::string::npos ? std::string::npos : slash - start));
    if (slash == std::string::npos) return parts;
    start = slash + 1;
  }
}

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool IsCIdentifier(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  return std::all_of(s.begin(), s.end(), IsIdentChar);
}

// A plain file name: no folder part, not "." or "..", printable ASCII.
bool IsPlainFileName(const std::string& s) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c > ' ' && c < 127 && c != '/' && c != '\\'; });
}

// Graph inputs and outputs live in the arena when the plan has tensor
// allocations and none of them is outside it (the plan keeps I/O in the
// caller's buffers by marking them in_arena = false).
bool IoInArena(const memory::MemoryPlan& plan) {
  bool any_tensor = false;
  for (const memory::Allocation& a : plan.allocations) {
    if (a.tensor == ir::kNoTensor || a.in_state) continue;
    any_tensor = true;
    if (!a.in_arena) return false;
  }
  return any_tensor;
}

json IoJson(const std::vector<IoTensor>& tensors) {
  json o = json::object();
  for (const IoTensor& t : tensors) o[t.name] = {{"size", t.bytes}, {"dtype", MlfDTypeName(t.dtype)}};
  return o;
}

json IoListJson(const std::vector<IoTensor>& tensors) {
  json a = json::array();
  for (const IoTensor& t : tensors) {
    a.push_back({{"name", t.name}, {"c_name", t.c_name}, {"size_macro", t.macro},
                 {"dtype", MlfDTypeName(t.dtype)}, {"shape", t.shape}, {"bytes", t.bytes}});
  }
  return a;
}

std::string TensorName(const MlfOptions& opts, ir::TensorId id) {
  if (opts.graph != nullptr && id >= 0 && static_cast<size_t>(id) < opts.graph->tensors.size()) {
    return opts.graph->tensors[static_cast<size_t>(id)].name;
  }
  return "t" + std::to_string(id);
}

Status ValidateModel(const GeneratedModel& m) {
  if (m.module_name.empty() || !std::all_of(m.module_name.begin(), m.module_name.end(), IsIdentChar)) {
    return MakeDiag("E0701", ExitCode::kUsage,
                    "module name '" + m.module_name +
                        "' cannot be used in model library format: it must be a non-empty C identifier fragment",
                    "use only letters, digits and '_' in --module-name (e.g. 'kws')");
  }
  std::set<std::string> c_names, names;
  for (const auto* list : {&m.inputs, &m.outputs}) {
    for (const IoTensor& t : *list) {
      if (!IsCIdentifier(t.c_name) || !c_names.insert(t.c_name).second || !names.insert(t.name).second) {
        return MakeDiag("E0702", ExitCode::kUnsupported,
                        "model input/output '" + t.name + "' has the c name '" + t.c_name +
                            "', which is not a valid c identifier or is used by another input/output",
                        "rename the model's input and output tensors so that they differ in letters or digits");
      }
    }
  }
  std::set<std::string> files;
  for (const auto& [file, text] : m.sources) {
    if (!IsPlainFileName(file) || !files.insert(file).second) {
      return InternalError("generated source file name '" + file + "' is empty, has a folder part or is duplicated");
    }
  }
  if (!IsPlainFileName(m.header_name)) {
    return InternalError("generated header name '" + m.header_name + "' is not a plain file name");
  }
  return Status::Ok();
}

// Copies include/ember/*.h, src/*.c, CMakeLists.txt and README.md of the runtime.
Status AddRuntime(const std::string& dir, std::map<std::string, std::string>& files) {
  std::error_code ec;
  if (!fs::is_regular_file(fs::path(dir) / "include/ember/runtime.h", ec) ||
      !fs::is_regular_file(fs::path(dir) / "CMakeLists.txt", ec)) {
    return MakeDiag("E0704", ExitCode::kFailure,
                    "the ember c runtime sources are missing in '" + dir + "' (no include/ember/runtime.h or CMakeLists.txt)",
                    "set EMBER_RUNTIME_DIR to the runtime/ folder of the ember source tree");
  }
  std::vector<std::string> rel = {"CMakeLists.txt", "README.md"};
  for (const auto& [sub, ext] : {std::pair<std::string, std::string>{"include/ember", ".h"}, {"src", ".c"}}) {
    for (const fs::directory_entry& e : fs::directory_iterator(fs::path(dir) / sub, ec)) {
      if (e.is_regular_file() && e.path().extension() == ext) rel.push_back(sub + "/" + e.path().filename().string());
    }
    if (ec) {
      return MakeDiag("E0704", ExitCode::kFailure, "cannot list '" + dir + "/" + sub + "': " + ec.message(),
                      "check that the runtime folder is readable");
    }
  }
  for (const std::string& r : rel) {
    const fs::path p = fs::path(dir) / r;
    if (r == "README.md" && !fs::exists(p, ec)) continue;
    auto text = ReadFileText(p.string(), kMaxTextFileBytes, "a runtime source");
    if (!text.ok()) {
      return MakeDiag("E0704", ExitCode::kFailure, "cannot read the runtime source '" + p.string() + "'",
                      text.diag().message);
    }
    files["runtime/" + r] = std::move(*text);
  }
  return Status::Ok();
}

}  // namespace

bool ArchiveOrderLess(const std::string& a, const std::string& b) {
  return SplitPath(a) < SplitPath(b);
}

const char* MlfDTypeName(ir::DType t) {
  switch (t) {
    case ir::DType::kInt8: return "int8";
    case ir::DType::kUInt8: return "uint8";
    case ir::DType::kInt16: return "int16";
    case ir::DType::kInt32: return "int32";
    case ir::DType::kInt64: return "int64";
    case ir::DType::kFloat32: return "float32";
    case ir::DType::kBool: return "bool";
  }
  return "unknown";
}

std::string TargetString(const std::string& target) {
  if (target == "host") return "c -keys=cpu -model=host";
  return "c -keys=arm_cpu,cpu -mcpu=" + target + " -model=" + target;
}

std::string FormatExportTime(int64_t epoch) {
  const std::time_t t = static_cast<std::time_t>(epoch);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  const size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%SZ", &tm);
  return std::string(buf, n);
}

std::string MetadataJson(const GeneratedModel& m, const MlfOptions& opts, int64_t epoch) {
  const int64_t arena = m.plan.arena_bytes;
  json main_entry = {{"device", 1},
                     {"workspace_size_bytes", m.workspace_bytes},
                     {"constants_size_bytes", m.constants_bytes},
                     {"io_size_bytes", m.io_bytes},
                     {"inputs", IoJson(m.inputs)},
                     {"outputs", IoJson(m.outputs)}};
  json module = {
      {"model_name", m.module_name},
      {"export_datetime", FormatExportTime(epoch)},
      {"memory", {{"functions", {{"main", json::array({main_entry})}, {"operator_functions", json::array()}}}}},
      {"target", json::array({TargetString(opts.target)})},
      {"executors", json::array({"aot"})},
      {"style", "full-model"},
      {"external_dependencies", json::array({{{"short_name", "tvm_standalone_crt"},
                                              {"url", "./runtime"},
                                              {"url_type", "mlf_path"},
                                              {"version_spec", EMBER_VERSION}}})},
      // ember's figures: the whole RAM of the model, the arena, the weights.
      {"ram_bytes", IoInArena(m.plan) ? arena : arena + m.io_bytes},
      {"arena_bytes", arena},
      {"weights_bytes", m.constants_bytes},
  };
  json root = {{"version", 7}, {"modules", {{m.module_name, module}}}};
  return DumpJson(root, 2);
}

std::string MemoryReportJson(const GeneratedModel& m, const MlfOptions& opts) {
  json buffers = json::array();
  for (const memory::Allocation& a : m.plan.allocations) {
    json b = {{"bytes", a.bytes}, {"first", a.first}, {"last", a.last},
              {"in_arena", a.in_arena}, {"aliased", a.aliased}};
    if (a.tensor == ir::kNoTensor) {
      b["kind"] = "scratch";
      b["node"] = a.node;
    } else if (a.in_state) {
      b["kind"] = "state";
      b["tensor"] = TensorName(opts, a.tensor);
      b["tensor_id"] = a.tensor;
      b["state_offset"] = a.offset;
    } else {
      b["kind"] = "tensor";
      b["tensor"] = TensorName(opts, a.tensor);
      b["tensor_id"] = a.tensor;
    }
    if (a.in_arena) b["offset"] = a.offset;
    buffers.push_back(std::move(b));
  }
  json report = {{"module_name", m.module_name},
                 {"arena_bytes", m.plan.arena_bytes},
                 {"state_bytes", m.plan.state_bytes},
                 {"alignment", m.plan.alignment},
                 {"algorithm", m.plan.algorithm},
                 {"io_in_arena", IoInArena(m.plan)},
                 {"inputs", IoListJson(m.inputs)},
                 {"outputs", IoListJson(m.outputs)},
                 {"buffers", std::move(buffers)}};
  return DumpJson(report, 2) + "\n";
}

std::string EmptyParamsFile() {
  // §1.9: u64 list magic, u64 reserved, u64 name count (0), u64 array count (0).
  const uint64_t words[4] = {0xF7E58D4F05049CB7ull, 0, 0, 0};
  std::string out;
  for (uint64_t w : words) {
    for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((w >> (8 * i)) & 0xFF));
  }
  return out;
}

std::string ModelCMakeLists(const GeneratedModel& m, const MlfOptions& opts) {
  const std::string& n = m.module_name;
  std::string s;
  s += "# Model '" + n + "' compiled by ember " EMBER_VERSION " for target " + opts.target + ".\n";
  s += "# add_subdirectory(<this folder>) defines the static library target `" + n + "`:\n";
  s += "# link it and #include \"" + m.header_name + "\". C99 only; several models can be\n";
  s += "# added side by side (the runtime library `ember_runtime` is defined once).\n";
  s += "cmake_minimum_required(VERSION 3.13)\n";
  s += "project(ember_model_" + n + " C)\n\n";
  s += "if(NOT TARGET ember_runtime)\n";
  s += "  add_subdirectory(${CMAKE_CURRENT_LIST_DIR}/runtime ${CMAKE_CURRENT_BINARY_DIR}/ember_runtime)\n";
  s += "endif()\n\n";
  s += "add_library(" + n + " STATIC\n";
  for (const auto& src : m.sources) s += "  ${CMAKE_CURRENT_LIST_DIR}/codegen/host/src/" + src.first + "\n";
  s += ")\n";
  s += "target_include_directories(" + n + " PUBLIC\n";
  s += "  ${CMAKE_CURRENT_LIST_DIR}/codegen/host/include\n";
  s += "  ${CMAKE_CURRENT_LIST_DIR}/runtime/include)\n";
  s += "target_link_libraries(" + n + " PUBLIC ember_runtime)\n";
  s += "if(UNIX)\n  target_link_libraries(" + n + " PUBLIC m)\nendif()\n";
  s += "set_target_properties(" + n + " PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON C_EXTENSIONS OFF)\n";
  return s;
}

Expected<std::vector<MlfEntry>> BuildMlfEntries(const GeneratedModel& m, const MlfOptions& opts, int64_t epoch) {
  EMBER_RETURN_IF_ERROR(ValidateModel(m));
  std::map<std::string, std::string> files;
  files["metadata.json"] = MetadataJson(m, opts, epoch);
  for (const auto& [file, text] : m.sources) files["codegen/host/src/" + file] = text;
  files["codegen/host/include/" + m.header_name] = m.header;
  files["parameters/" + m.module_name + ".params"] = EmptyParamsFile();
  files["src/" + m.module_name + ".relay"] = m.ir_text;
  files["reports/memory.json"] = MemoryReportJson(m, opts);
  files["CMakeLists.txt"] = ModelCMakeLists(m, opts);
  EMBER_RETURN_IF_ERROR(AddRuntime(opts.runtime_dir.empty() ? GetStandaloneCrtDir() : opts.runtime_dir, files));

  std::set<std::string> dirs;
  for (const auto& f : files) {
    for (size_t slash = f.first.find('/'); slash != std::string::npos; slash = f.first.find('/', slash + 1)) {
      dirs.insert(f.first.substr(0, slash));
    }
  }
  std::vector<MlfEntry> entries;
  for (const std::string& d : dirs) entries.push_back({d, true, ""});
  for (auto& [path, data] : files) entries.push_back({path, false, std::move(data)});
  std::sort(entries.begin(), entries.end(),
            [](const MlfEntry& a, const MlfEntry& b) { return ArchiveOrderLess(a.path, b.path); });
  return entries;
}

}  // namespace ember::package::detail
