// Hand-made GeneratedModel values and small helpers for the package/ tests
// (header-only: tests/unit is globbed for *_test.cc).
//
// The models are written by hand, not by GenerateAot, so that these tests
// depend only on the MLF writer; their C sources are real, tiny C99 that add
// a per-model constant to an int8 input.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <string>

#include "codegen/c/aot.h"
#include "util/test_util.h"

namespace ember::test {

inline std::string ReplaceAll(std::string s, const std::string& from, const std::string& to) {
  for (size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
  return s;
}

inline std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return s;
}

// A model named `name` with one int8 input "input_1" [1,4] and one int8
// output "Identity" [1,4]; tvmgen_<name>_run adds `add` to every element.
// Plan: arena 32 bytes (alignment 16) holding a 16-byte activation (tensor 1)
// and a 16-byte scratch of node 0; input (tensor 0) and output (tensor 2) in
// the caller's buffers unless `io_in_arena`. workspace 32, constants 12, io 8.
inline codegen::c::GeneratedModel MakeModel(const std::string& name = "default", int add = 1,
                                            bool io_in_arena = false) {
  codegen::c::GeneratedModel m;
  m.module_name = name;
  m.prefix = "tvmgen_" + name;
  m.header_name = "tvmgen_" + name + ".h";
  const std::string header =
      "#ifndef TVMGEN_@U@_H_\n#define TVMGEN_@U@_H_\n#include <stdint.h>\n"
      "#define TVMGEN_@U@_INPUT_1_SIZE 4\n#define TVMGEN_@U@_IDENTITY_SIZE 4\n"
      "#define TVMGEN_@U@_WORKSPACE_SIZE 32\n"
      "struct tvmgen_@N@_inputs { void* input_1; };\n"
      "struct tvmgen_@N@_outputs { void* Identity; };\n"
      "int32_t tvmgen_@N@_run(struct tvmgen_@N@_inputs* inputs, struct tvmgen_@N@_outputs* outputs);\n"
      "#endif\n";
  const std::string lib0 =
      "#include \"tvmgen_@N@.h\"\n#include \"ember/runtime.h\"\n"
      "void tvmgen_@N@_add(const int8_t* in0, int8_t* out0);\n"
      "int32_t tvmgen_@N@_run(struct tvmgen_@N@_inputs* inputs, struct tvmgen_@N@_outputs* outputs) {\n"
      "  if (inputs == NULL || outputs == NULL) return kEmberErrorExecutorNullArgument;\n"
      "  tvmgen_@N@_add((const int8_t*)inputs->input_1, (int8_t*)outputs->Identity);\n"
      "  return kEmberErrorNoError;\n}\n";
  const std::string lib1 =
      "#include <stdint.h>\n"
      "void tvmgen_@N@_add(const int8_t* in0, int8_t* out0);\n"
      "void tvmgen_@N@_add(const int8_t* in0, int8_t* out0) {\n"
      "  int i;\n  for (i = 0; i < 4; ++i) out0[i] = (int8_t)(in0[i] + @A@);\n}\n";
  auto fill = [&](const std::string& t) {
    return ReplaceAll(ReplaceAll(ReplaceAll(t, "@U@", Upper(name)), "@N@", name), "@A@", std::to_string(add));
  };
  m.header = fill(header);
  m.sources = {{name + "_lib0.c", fill(lib0)}, {name + "_lib1.c", fill(lib1)}};
  m.inputs = {{"input_1", "input_1", "TVMGEN_" + Upper(name) + "_INPUT_1_SIZE", ir::DType::kInt8, {1, 4}, 4}};
  m.outputs = {{"Identity", "Identity", "TVMGEN_" + Upper(name) + "_IDENTITY_SIZE", ir::DType::kInt8, {1, 4}, 4}};
  memory::Allocation in{0, -1, 0, 0, 4, 0, io_in_arena, false};
  memory::Allocation mid{1, -1, 0, 1, 16, 0, true, false};
  memory::Allocation out{2, -1, 1, 1, 4, 16, io_in_arena, false};
  memory::Allocation scratch{ir::kNoTensor, 0, 0, 0, 16, 16, true, false};
  if (io_in_arena) in.offset = 0;  // a toy: offsets are not checked by the writer
  m.plan.arena_bytes = 32;
  m.plan.alignment = 16;
  m.plan.algorithm = "greedy-by-size";
  m.plan.allocations = {in, mid, out, scratch};
  m.workspace_bytes = 32;
  m.constants_bytes = 12;
  m.io_bytes = 8;
  m.ir_text = "graph " + name + " {}\n";
  return m;
}

inline std::string ReadText(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

inline void WriteText(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

// A minimal runtime folder (CMakeLists.txt, include/ember/runtime.h and
// platform.h, src/platform_default.c) in a fresh temp dir.
inline std::string MakeFakeRuntimeDir() {
  const std::string dir = TempDir() + "/fake_runtime";
  WriteText(dir + "/CMakeLists.txt", "# fake\n");
  WriteText(dir + "/include/ember/runtime.h", "/* runtime */\n");
  WriteText(dir + "/include/ember/platform.h", "/* platform */\n");
  WriteText(dir + "/include/ember/notes.txt", "not copied\n");
  WriteText(dir + "/src/platform_default.c", "/* weak */\n");
  return dir;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `cmd` with /bin/sh, capturing stdout and stderr.
inline CommandResult RunCommand(const std::string& cmd) {
  CommandResult r;
  FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (p == nullptr) return r;
  char buf[4096];
  size_t n = 0;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  const int status = pclose(p);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

inline bool HaveProgram(const std::string& program) {
  return RunCommand("command -v " + program + " >/dev/null").exit_code == 0;
}

}  // namespace ember::test
