#include "micro/project/model_glue.h"

#include <cctype>
#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "ir/parser.h"

namespace ember::micro {
namespace {

Diagnostic GlueError(const std::string& message) {
  return MakeDiag("E0901", ExitCode::kFailure, message,
                  "create the archive with 'ember compile' (one model per archive)");
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A C string literal for `s` (names come from the model file).
std::string CString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

struct Io {
  std::string name;    // the tensor's name in the model
  std::string member;  // its member in struct tvmgen_<name>_inputs/_outputs
  int64_t size;
};

// The tensor table and the buffers a model without I/O in its arena needs.
std::string Tables(const std::vector<Io>& ins, const std::vector<Io>& outs, bool io_in_arena) {
  std::string s;
  auto table = [&](const char* kind, const std::vector<Io>& v) {
    if (!io_in_arena) {
      for (size_t i = 0; i < v.size(); ++i)
        s += "static uint8_t " + std::string(kind) + std::to_string(i) + "[" + std::to_string(v[i].size) +
             "] __attribute__((aligned(16)));\n";
    }
    s += "static struct ember_io_tensor " + std::string(kind) + "puts[" + std::to_string(v.size()) + "] = {\n";
    for (const Io& t : v) s += "  {" + CString(t.name) + ", 0, " + std::to_string(t.size) + "},\n";
    s += "};\n";
  };
  table("in", ins);
  table("out", outs);
  return s;
}

}  // namespace

std::vector<std::string> HeaderStructMembers(const std::string& header, const std::string& tag) {
  std::vector<std::string> members;
  size_t pos = header.find("struct " + tag + " {\n");
  if (pos == std::string::npos) return members;
  std::istringstream lines(header.substr(header.find('\n', pos) + 1));
  std::string line;
  while (std::getline(lines, line) && line.rfind("};", 0) != 0) {
    const size_t star = line.find("void* ");
    const size_t semi = line.find(';');
    if (star == std::string::npos || semi == std::string::npos) continue;
    members.push_back(line.substr(star + 6, semi - star - 6));
  }
  return members;
}

std::string ModelHash(const package::MlfContents& mlf) {
  uint64_t h = 1469598103934665603ull;
  auto mix = [&h](const std::string& bytes) {
    for (unsigned char c : bytes) {
      h ^= c;
      h *= 1099511628211ull;
    }
  };
  const std::string header = "codegen/host/include/tvmgen_" + mlf.module_name + ".h";
  if (const std::string* text = mlf.Find(header)) mix(header + "\n" + *text);
  for (const auto& [path, content] : mlf.files)  // std::map: path order
    if (path.rfind("codegen/host/src/", 0) == 0) mix(path + "\n" + content);
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  return hex;
}

Expected<std::string> GenerateModelGlue(const package::MlfContents& mlf) {
  const auto& modules = mlf.metadata["modules"];
  if (!modules.is_object() || modules.size() != 1) return GlueError("the archive must hold exactly one model");
  const std::string name = mlf.module_name;
  const std::string prefix = "tvmgen_" + name;
  const std::string* header = mlf.Find("codegen/host/include/" + prefix + ".h");
  if (!header) return GlueError("the archive has no codegen/host/include/" + prefix + ".h");
  const std::string* ir_text = mlf.Find("src/" + name + ".relay");
  if (!ir_text) return GlueError("the archive has no src/" + name + ".relay (the model's IR)");
  EMBER_ASSIGN_OR_RETURN(ir::Graph g, ir::Parse(*ir_text));
  if (g.inputs.empty()) return GlueError("model '" + name + "' has no inputs");

  const bool external = header->find("struct " + prefix + "_workspace_pools {") != std::string::npos;
  const bool io_in_arena = header->find(prefix + "_map_inputs(") != std::string::npos;
  const auto in_members = HeaderStructMembers(*header, prefix + "_inputs");
  const auto out_members = HeaderStructMembers(*header, prefix + "_outputs");
  if (in_members.size() != g.inputs.size() || out_members.size() != g.outputs.size())
    return GlueError("the inputs and outputs in " + prefix + ".h do not match the model's IR");
  std::vector<Io> ins, outs;
  for (size_t i = 0; i < g.inputs.size(); ++i)
    ins.push_back({g.tensor(g.inputs[i]).name, in_members[i], g.tensor(g.inputs[i]).size_bytes()});
  for (size_t i = 0; i < g.outputs.size(); ++i)
    outs.push_back({g.tensor(g.outputs[i]).name, out_members[i], g.tensor(g.outputs[i]).size_bytes()});

  std::string s = "/* The model table of this project: model '" + name +
                  "' as ember/model_io.h describes it.\n * Generated by ember micro create-project from the model's"
                  " archive; do not edit. */\n#include <stdint.h>\n\n#include \"ember/model_io.h\"\n#include \"" +
                  prefix + ".h\"\n\n";
  if (external) {
    s += "static uint8_t arena[" + Upper(prefix) + "_WORKSPACE_SIZE] __attribute__((aligned(16)));\n";
    s += "static struct " + prefix + "_workspace_pools pools = {arena};\n";
  }
  s += Tables(ins, outs, io_in_arena);
  s += "static struct " + prefix + "_inputs in;\nstatic struct " + prefix + "_outputs out;\n\n";
  const std::string pools_arg = external ? "&pools" : "";
  s += "static void prepare(void) {\n";
  if (io_in_arena) {
    s += "  in = " + prefix + "_map_inputs(" + pools_arg + ");\n";
    s += "  out = " + prefix + "_map_outputs(" + pools_arg + ");\n";
  }
  for (size_t i = 0; i < ins.size(); ++i) {
    const std::string slot = "in." + ins[i].member;
    if (!io_in_arena) s += "  " + slot + " = in" + std::to_string(i) + ";\n";
    s += "  inputs[" + std::to_string(i) + "].data = (uint8_t*)" + slot + ";\n";
  }
  for (size_t i = 0; i < outs.size(); ++i) {
    const std::string slot = "out." + outs[i].member;
    if (!io_in_arena) s += "  " + slot + " = out" + std::to_string(i) + ";\n";
    s += "  outputs[" + std::to_string(i) + "].data = (uint8_t*)" + slot + ";\n";
  }
  s += "}\n\n";
  s += "static int32_t run(void) { return " + prefix + "_run(&in, &out" + (external ? ", &pools" : "") + "); }\n\n";
  const bool profile = header->find(prefix + "_profile_ticks[") != std::string::npos;
  const bool operators = header->find(prefix + "_operators[") != std::string::npos;
  const std::string up = Upper(prefix);
  s += "const struct ember_model_io ember_model = {\n  " + CString(name) + ",\n  \"" + ModelHash(mlf) +
       "\",\n  inputs, " + std::to_string(ins.size()) + ", outputs, " + std::to_string(outs.size()) +
       ", prepare, run,\n";
  s += profile ? "  " + prefix + "_profile_ticks, " + prefix + "_profile_names, " + up + "_PROFILE_NODES,\n"
               : "  0, 0, 0,\n";
  s += operators ? "  " + prefix + "_operators, " + up + "_NUM_OPERATORS,\n" : "  0, 0,\n";
  s += "};\n";
  return s;
}

}  // namespace ember::micro
