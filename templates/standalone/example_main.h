// The example program of the standalone template, src/main.c, written for
// one model: it calls tvmgen_<name>_run with the model's own structs, sized
// by the TVMGEN_<NAME>_<TENSOR>_SIZE macros of the generated header, in the
// form the model was compiled in (--io-in-arena: tvmgen_<name>_map_inputs;
// --external-arena: struct tvmgen_<name>_workspace_pools). The helpers it
// calls (example_io.h) are the same for every model and are copied as is.
// Included by server.cc only (the template's server is one program).
#pragma once

#include <cctype>
#include <cstdio>
#include <string>
#include <vector>

#include "ir/parser.h"
#include "micro/project/model_glue.h"
#include "micro/project_api/protocol.h"
#include "package/mlf_reader.h"

namespace ember::micro::standalone {

// One input or output: its member in struct tvmgen_<name>_inputs/_outputs,
// the C expression of its size, and what it is (for a comment).
struct ExampleTensor {
  std::string member;
  std::string size;
  std::string about;
};

// What src/main.c needs to know about the model.
struct ExampleModel {
  std::string name;    // <name>
  std::string prefix;  // tvmgen_<name>
  bool io_in_arena = false;
  std::vector<ExampleTensor> pools;  // members of ..._workspace_pools (external arena only)
  std::vector<ExampleTensor> inputs, outputs;
};

inline std::string UpperCase(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// `macro` when the header defines it, else the number (with a comment).
inline std::string SizeExpression(const std::string& header, const std::string& macro, int64_t bytes) {
  if (header.find("#define " + macro + " ") != std::string::npos) return macro;
  return std::to_string(bytes) + " /* bytes */";
}

// "model tensor 'input_1': int8 [1,49,10,1], scale 0.5847, zero point 83".
inline std::string DescribeTensor(const ir::Tensor& t) {
  std::string s = "model tensor '" + t.name + "': " + ir::DTypeName(t.dtype) + " " + ir::ShapeToString(t.shape);
  if (t.quant && t.quant->scale.size() == 1 && t.quant->zero_point.size() == 1) {
    char buf[64];
    std::snprintf(buf, sizeof buf, ", scale %g, zero point %lld", static_cast<double>(t.quant->scale[0]),
                  static_cast<long long>(t.quant->zero_point[0]));
    s += buf;
  }
  // The text goes into a C comment: keep it from ending the comment.
  for (size_t pos; (pos = s.find("*/")) != std::string::npos;) s.replace(pos, 2, "* /");
  return s;
}

// Reads the model's interface from its archive (header + IR). Throws
// ServerError when the archive lacks them or they disagree.
inline ExampleModel DescribeExampleModel(const package::MlfContents& mlf) {
  ExampleModel m;
  m.name = mlf.module_name;
  m.prefix = "tvmgen_" + m.name;
  const std::string up = UpperCase(m.prefix);
  const std::string* header = mlf.Find("codegen/host/include/" + m.prefix + ".h");
  const std::string* ir_text = mlf.Find("src/" + m.name + ".relay");
  if (!header || !ir_text)
    throw ServerError("the archive lacks codegen/host/include/" + m.prefix + ".h or src/" + m.name +
                      ".relay; create it with 'ember compile'");
  auto graph = ir::Parse(*ir_text);
  if (!graph.ok()) throw ServerError("cannot read the model's IR in the archive: " + graph.diag().message);
  m.io_in_arena = header->find(m.prefix + "_map_inputs(") != std::string::npos;
  for (const auto& pool : HeaderStructMembers(*header, m.prefix + "_workspace_pools")) {
    const std::string macro = up + "_" + UpperCase(pool) + "_WORKSPACE_POOL_SIZE";
    const bool defined = header->find("#define " + macro + " ") != std::string::npos;
    m.pools.push_back({pool, defined ? macro : up + "_WORKSPACE_SIZE", ""});
  }
  auto tensors = [&](const char* kind, const std::vector<ir::TensorId>& ids, std::vector<ExampleTensor>& out) {
    const auto members = HeaderStructMembers(*header, m.prefix + "_" + kind);
    if (members.size() != ids.size())
      throw ServerError("the " + std::string(kind) + " in " + m.prefix + ".h do not match the model's IR");
    for (size_t i = 0; i < ids.size(); ++i) {
      const ir::Tensor& t = graph->tensor(ids[i]);
      out.push_back({members[i], SizeExpression(*header, up + "_" + UpperCase(members[i]) + "_SIZE", t.size_bytes()),
                     DescribeTensor(t)});
    }
  };
  tensors("inputs", graph->inputs, m.inputs);
  tensors("outputs", graph->outputs, m.outputs);
  return m;
}

// The header comment of main.c: what the program does and how it is used.
inline std::string ExampleIntro(const ExampleModel& m) {
  std::string s = "/* Runs model '" + m.name + "' once through its C interface (" + m.prefix +
                  ".h): fills the\n * inputs, calls " + m.prefix +
                  "_run, prints the outputs and the time.\n * Generated for this model by `ember micro "
                  "create-project --template standalone`;\n * edit it freely.\n *\n";
  s += m.io_in_arena ? " * The model was compiled with --io-in-arena: its inputs and outputs live\n"
                       " * inside its arena, and " + m.prefix + "_map_inputs/_map_outputs say where.\n"
                     : " * Its inputs and outputs are buffers of the application (below).\n";
  s += m.pools.empty() ? " * Its arena (working memory) is a static array inside the model library.\n"
                       : " * It was compiled with --external-arena: the application owns the arena\n"
                         " * and passes it to every call (struct " + m.prefix + "_workspace_pools).\n";
  s += " *\n * On a host (EMBER_EXAMPLE_FILE_IO=1): main [INPUT.bin [OUTPUT.bin]]\n"
       " *   INPUT.bin   the bytes of every input, in order; zeros without it\n"
       " *   OUTPUT.bin  receives the bytes of every output, in order\n"
       " * Elsewhere the inputs are zeros and the outputs are only printed, through\n"
       " * the platform's log hook (ember_platform_log).\n"
       " * Exit status: 0 ok, 1 a bad input or output file, 2 the model failed. */\n";
  return s;
}

// Fills an example_tensor table `table` from the struct `var`.
inline std::string TensorTable(const std::string& table, const std::string& var, const std::vector<ExampleTensor>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string at = "  " + table + "[" + std::to_string(i) + "].";
    s += at + "name = \"" + v[i].member + "\";\n";
    s += at + "data = (uint8_t*)" + var + "." + v[i].member + ";\n";
    s += at + "size = " + v[i].size + ";\n";
  }
  return s;
}

// The body of run_example(): the four steps around tvmgen_<name>_run.
inline std::string ExampleRun(const ExampleModel& m) {
  const bool external = !m.pools.empty();
  const std::string n_in = std::to_string(m.inputs.size()), n_out = std::to_string(m.outputs.size());
  std::string s = "  struct " + m.prefix + "_inputs inputs;\n  struct " + m.prefix + "_outputs outputs;\n";
  if (external) s += "  struct " + m.prefix + "_workspace_pools pools;\n";
  s += "  struct example_tensor in[" + n_in + "], out[" + n_out + "];\n  uint32_t start, ticks;\n  int32_t status;\n\n";
  if (external) {
    s += "  /* The arena the model works in, owned by the application. */\n";
    for (const auto& p : m.pools) s += "  pools." + p.member + " = " + p.member + "_arena;\n";
  }
  if (m.io_in_arena) {
    const std::string arg = external ? "&pools" : "";
    s += "  /* 1. The inputs and outputs live inside the arena: ask the model where. */\n";
    s += "  inputs = " + m.prefix + "_map_inputs(" + arg + ");\n";
    s += "  outputs = " + m.prefix + "_map_outputs(" + arg + ");\n";
  } else {
    s += "  /* 1. Tell the model where its inputs and outputs are. */\n";
    for (const auto& t : m.inputs) s += "  inputs." + t.member + " = in_" + t.member + ";\n";
    for (const auto& t : m.outputs) s += "  outputs." + t.member + " = out_" + t.member + ";\n";
  }
  s += "\n  /* 2. Fill the inputs";
  s += m.io_in_arena ? " (before every run: a run overwrites the arena). */\n" : ". */\n";
  s += TensorTable("in", "inputs", m.inputs);
  s += "  if (example_load_inputs(in, " + n_in + ", input_path) != 0) return 1;\n\n";
  s += "  /* 3. Run the model once, timed with the platform's timer. */\n";
  s += "  start = ember_platform_ticks();\n";
  s += "  status = " + m.prefix + "_run(&inputs, &outputs" + (external ? ", &pools" : "") + ");\n";
  s += "  ticks = ember_platform_ticks() - start;\n";
  s += "  if (status != 0) {\n    example_print_int(\"" + m.prefix +
       "_run failed with error\", status);\n    return 2;\n  }\n\n";
  s += "  /* 4. Print the outputs and the time, and save the outputs. */\n";
  s += TensorTable("out", "outputs", m.outputs);
  s += "  example_print(\"model " + m.name + ": " + m.prefix + "_run returned 0\\n\");\n";
  s += "  example_print_outputs(out, " + n_out + ");\n  example_print_time(ticks);\n";
  s += "  return example_save_outputs(out, " + n_out + ", output_path);\n";
  return s;
}

// The whole of src/main.c.
inline std::string ExampleMain(const ExampleModel& m) {
  std::string s = ExampleIntro(m);
  s += "#include <stddef.h>\n#include <stdint.h>\n\n#include \"ember/platform.h\"\n#include \"example_io.h\"\n#include \"" +
       m.prefix + ".h\"\n\n";
  s += "#ifndef EMBER_EXAMPLE_FILE_IO\n#define EMBER_EXAMPLE_FILE_IO 0\n#endif\n\n";
  s += "/* Tensor buffers need their element type's alignment; 16 bytes suits all. */\n"
       "#if defined(__GNUC__) || defined(__clang__)\n#define EXAMPLE_ALIGNED __attribute__((aligned(16)))\n#else\n"
       "#define EXAMPLE_ALIGNED\n#endif\n\n";
  if (!m.io_in_arena) {
    s += "/* One buffer per input and output, sized by the header's macros. */\n";
    for (const auto& t : m.inputs)
      s += "/* " + t.about + " */\nstatic uint8_t in_" + t.member + "[" + t.size + "] EXAMPLE_ALIGNED;\n";
    for (const auto& t : m.outputs)
      s += "/* " + t.about + " */\nstatic uint8_t out_" + t.member + "[" + t.size + "] EXAMPLE_ALIGNED;\n";
  } else {
    s += "/* The inputs and outputs:\n";
    for (const auto& t : m.inputs) s += " *   inputs." + t.member + ": " + t.about + "\n";
    for (const auto& t : m.outputs) s += " *   outputs." + t.member + ": " + t.about + "\n";
    s += " */\n";
  }
  for (const auto& p : m.pools)
    s += "/* The model's working memory (the arena). */\nstatic uint8_t " + p.member + "_arena[" + p.size +
         "] EXAMPLE_ALIGNED;\n";
  s += "\n/* Runs the model once on the inputs in the file `input_path` (NULL: zeros),\n"
       " * prints the outputs and the time, and writes the outputs to the file\n"
       " * `output_path` (NULL: not written). Returns the exit status. */\n";
  s += "static int run_example(const char* input_path, const char* output_path) {\n" + ExampleRun(m) + "}\n\n";
  s += "#if EMBER_EXAMPLE_FILE_IO\nint main(int argc, char** argv) {\n"
       "  return run_example(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);\n}\n"
       "#else\nint main(void) { return run_example(NULL, NULL); }\n#endif\n";
  return s;
}

}  // namespace ember::micro::standalone
