// `ember run ARTIFACT --input FILE... --output FILE...` for a Model Library
// Format archive or folder compiled with --target host: builds the generated C
// with the system C compiler into a small runner (cached by content hash) and
// runs it on the inputs.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "ir/parser.h"
#include "package/mlf_reader.h"
#include "support/file.h"
#include "support/safe_fs.h"

namespace ember::cli {
namespace {

namespace fs = std::filesystem;

uint64_t Fnv1a(const std::string& s, uint64_t h = 1469598103934665603ull) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// The user's own cache folder, or "" when there is none: a cache in the
// shared temporary folder would let another user plant a runner there.
std::string CacheRoot() {
  if (const char* e = std::getenv("EMBER_CACHE_DIR"); e && *e) return e;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/ember";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/ember";
  return "";
}

// The runner: reads each input's raw bytes from a file, runs the model, writes each output.
std::string RunnerSource(const std::string& prefix, const std::string& header, const ir::Graph& g,
                         bool external_arena) {
  std::string s = "#define _POSIX_C_SOURCE 199309L\n#include <stdio.h>\n#include <stdint.h>\n#include <time.h>\n"
                  "#include \"" + header + "\"\n\n";
  s += "static int read_file(const char* p, void* buf, size_t n) {\n"
       "  FILE* f = fopen(p, \"rb\"); size_t got; if (!f) return 1;\n"
       "  got = fread(buf, 1, n, f); fclose(f); return got != n;\n}\n\n";
  for (size_t i = 0; i < g.inputs.size(); ++i)
    s += "static uint8_t in" + std::to_string(i) + "[" + std::to_string(g.tensor(g.inputs[i]).size_bytes() + 1) + "];\n";
  for (size_t i = 0; i < g.outputs.size(); ++i)
    s += "static uint8_t out" + std::to_string(i) + "[" + std::to_string(g.tensor(g.outputs[i]).size_bytes() + 1) + "];\n";
  if (external_arena) s += "static uint8_t pool[TVMGEN_WORKSPACE + 1] __attribute__((aligned(16)));\n";
  s += "\nint main(int argc, char** argv) {\n";
  s += "  struct " + prefix + "_inputs inputs = {";
  for (size_t i = 0; i < g.inputs.size(); ++i) s += (i ? ", " : "") + std::string("in") + std::to_string(i);
  s += "};\n  struct " + prefix + "_outputs outputs = {";
  for (size_t i = 0; i < g.outputs.size(); ++i) s += (i ? ", " : "") + std::string("out") + std::to_string(i);
  s += "};\n  int32_t rc;\n  struct timespec t0, t1;\n";
  s += "  if (argc != " + std::to_string(1 + g.inputs.size() + g.outputs.size()) + ") return 2;\n";
  for (size_t i = 0; i < g.inputs.size(); ++i)
    s += "  if (read_file(argv[" + std::to_string(1 + i) + "], in" + std::to_string(i) + ", " +
         std::to_string(g.tensor(g.inputs[i]).size_bytes()) + ")) return 3;\n";
  s += "  clock_gettime(CLOCK_MONOTONIC, &t0);\n";
  if (external_arena) {
    s += "  { struct " + prefix + "_workspace_pools pools = {pool};\n    rc = " + prefix +
         "_run(&inputs, &outputs, &pools); }\n";
  } else {
    s += "  rc = " + prefix + "_run(&inputs, &outputs);\n";
  }
  s += "  clock_gettime(CLOCK_MONOTONIC, &t1);\n";
  // The time of the call on standard output, for `ember run` to report.
  s += "  printf(\"%.0f\\n\", (double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec));\n";
  s += "  if (rc != 0) { fprintf(stderr, \"the model returned %d\\n\", (int)rc); return 4; }\n";
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const std::string n = std::to_string(g.tensor(g.outputs[i]).size_bytes());
    s += "  { FILE* f = fopen(argv[" + std::to_string(1 + g.inputs.size() + i) + "], \"wb\"); if (!f) return 5;\n"
         "    if (fwrite(out" + std::to_string(i) + ", 1, " + n + ", f) != " + n + "u) return 5; fclose(f); }\n";
  }
  return s + "  return 0;\n}\n";
}

Diagnostic RunError(const std::string& message, const std::string& hint) {
  return MakeDiag("E0801", ExitCode::kFailure, message, hint);
}

// Builds (or finds in the cache) the runner for `mlf`; returns its path.
// Without a cache folder it is built in `scratch` (the run's own folder).
Expected<std::string> BuildRunner(const package::MlfContents& mlf, const std::string& name,
                                  const ir::Graph& g, const fs::path& scratch) {
  const std::string prefix = "tvmgen_" + name;
  const std::string header = prefix + ".h";
  auto header_it = mlf.files.find("codegen/host/include/" + header);
  if (header_it == mlf.files.end())
    return RunError("the archive has no codegen/host/include/" + header, "re-create it with 'ember compile'");
  const bool external = header_it->second.find(prefix + "_workspace_pools {") != std::string::npos;
  std::string runner = RunnerSource(prefix, header, g, external);
  if (external) {
    std::string up = prefix;
    for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    runner = "#define TVMGEN_WORKSPACE " + up + "_WORKSPACE_SIZE\n" + runner;
  }
  uint64_t h = Fnv1a(runner);
  std::vector<std::string> sources;
  for (const auto& [path, content] : mlf.files) {
    const bool src = path.rfind("codegen/host/", 0) == 0 || path.rfind("runtime/", 0) == 0;
    if (!src) continue;
    h = Fnv1a(path + "\n" + content, h);
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  const std::string cache = CacheRoot();
  const fs::path dir = cache.empty() ? scratch / "runner-build" : fs::path(cache) / "run" / hex;
  const fs::path exe = dir / "runner";
  std::error_code ec;
  if (fs::exists(exe, ec)) return exe.string();
  fs::create_directories(dir.parent_path(), ec);
  // The first run of an archive compiles it (seconds): say so.
  std::fprintf(stderr, "ember: building the host runner of '%s' with cc (once per archive; cached in %s)\n",
               name.c_str(), cache.empty() ? "no folder: set EMBER_CACHE_DIR" : dir.parent_path().string().c_str());
  EMBER_ASSIGN_OR_RETURN(const fs::path tmp, MakeUniqueDir(dir.parent_path(), dir.filename().string() + ".tmp-", true));
  std::string cmd = "cc -std=c99 -O2 -w -I " + Quote((tmp / "codegen/host/include").string()) + " -I " +
                    Quote((tmp / "runtime/include").string());
  for (const auto& [path, content] : mlf.files) {
    const bool src = path.rfind("codegen/host/", 0) == 0 || path.rfind("runtime/", 0) == 0;
    if (!src) continue;
    const fs::path p = tmp / path;
    fs::create_directories(p.parent_path(), ec);
    EMBER_RETURN_IF_ERROR(WriteFileBytes(p.string(), content.data(), content.size()));
    const bool c_file = p.extension() == ".c" &&
                        (path.rfind("codegen/host/src/", 0) == 0 || path.rfind("runtime/src/", 0) == 0);
    if (c_file) cmd += " " + Quote(p.string());
  }
  EMBER_RETURN_IF_ERROR(WriteFileBytes((tmp / "runner.c").string(), runner.data(), runner.size()));
  cmd += " " + Quote((tmp / "runner.c").string()) + " -lm -o " + Quote((tmp / "runner").string()) + " 2> " +
         Quote((tmp / "cc.log").string());
  if (std::system(cmd.c_str()) != 0) {
    auto log = ReadFileText((tmp / "cc.log").string(), kMaxTextFileBytes, "a compiler log");
    const std::string text = log.ok() ? *log : "(the compiler's log cannot be read: " + log.diag().message + ")";
    return RunError("the generated C does not build with the system C compiler:\n" + text.substr(0, 4000),
                    "check that 'cc' works; the sources are in " + tmp.string());
  }
  fs::rename(tmp, dir, ec);
  if (ec && !fs::exists(exe)) return RunError("cannot populate the cache at " + dir.string(), "set EMBER_CACHE_DIR");
  fs::remove_all(tmp, ec);
  return exe.string();
}

int RunArtifact(const std::string& path, const std::vector<std::string>& inputs,
                const std::vector<std::string>& outputs) {
  // A private folder of this run (mkdtemp under $TMPDIR), removed at return.
  auto scratch = TempFolder::Create("ember-run-");
  if (!scratch.ok()) return Report(scratch.diag());
  HostRunner runner;
  if (Status st = runner.Open(path, scratch->path()); !st.ok()) return Report(st.diag());
  const ir::Graph& g = runner.graph();
  if (inputs.size() != g.inputs.size() || (!outputs.empty() && outputs.size() != g.outputs.size())) {
    return Report(MakeDiag("E0401", ExitCode::kUsage,
                           "the model has " + std::to_string(g.inputs.size()) + " inputs and " +
                               std::to_string(g.outputs.size()) + " outputs; " + std::to_string(inputs.size()) +
                               " --input and " + std::to_string(outputs.size()) + " --output files were given",
                           "pass one file per input and per output, in order"));
  }
  std::vector<std::vector<uint8_t>> in;  // the inputs are checked before the runner is built
  for (size_t i = 0; i < inputs.size(); ++i) {
    auto bytes = ReadTensorFile(inputs[i], g.tensor(g.inputs[i]), i);
    if (!bytes.ok()) return Report(bytes.diag());
    in.push_back(std::move(*bytes));
  }
  if (Status st = runner.Build(); !st.ok()) return Report(st.diag());
  double ns = -1;
  auto out = runner.Run(in, &ns);
  if (!out.ok()) return Report(out.diag());
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const ir::Tensor& t = g.tensor(g.outputs[i]);
    if (outputs.empty()) {
      std::printf("output %zu '%s' %s:\n", i, t.name.c_str(), DescribeTensor(t).c_str());
      PrintTensorValues(t, (*out)[i], 64);
    } else {
      Status st = WriteTensorFile(outputs[i], t, (*out)[i]);
      if (!st.ok()) return Report(st.diag());
    }
  }
  if (ns >= 0)
    std::printf("time: %.3f ms for one inference on the host (tvmgen_%s_run, built with cc -O2)\n", ns / 1e6,
                runner.name().c_str());
  return 0;
}

}  // namespace

Status HostRunner::Open(const std::string& path, const std::filesystem::path& scratch) {
  scratch_ = scratch;
  auto mlf = package::ReadModelLibraryFormat(path);
  if (!mlf.ok()) return mlf.diag();
  mlf_ = std::make_shared<package::MlfContents>(std::move(*mlf));
  if (mlf_->metadata["modules"].size() != 1)
    return RunError("'" + path + "' must hold exactly one model", "compile one model per archive");
  name_ = mlf_->module_name;  // a usable C name: checked by the reader (E0506)
  const std::string target = mlf_->target.empty() ? "" : mlf_->target[0];  // type-checked by the reader
  if (target.find("host") == std::string::npos) {
    return MakeDiag("E0802", ExitCode::kUsage, "'" + path + "' was compiled for '" + target + "', not for the host",
                    "compile with --target host to run on this machine, or use a device project");
  }
  auto ir_it = mlf_->files.find("src/" + name_ + ".relay");
  if (ir_it == mlf_->files.end())
    return RunError("'" + path + "' has no src/" + name_ + ".relay", "re-create it with 'ember compile'");
  auto g = ir::Parse(ir_it->second);
  if (!g.ok()) return g.diag();
  graph_ = std::move(*g);
  return Status::Ok();
}

Status HostRunner::Build() {
  auto exe = BuildRunner(*mlf_, name_, graph_, scratch_);
  if (!exe.ok()) return exe.diag();
  exe_ = *exe;
  return Status::Ok();
}

Expected<std::vector<std::vector<uint8_t>>> HostRunner::Run(const std::vector<std::vector<uint8_t>>& inputs,
                                                            double* ns) {
  std::string cmd = Quote(exe_);
  for (size_t i = 0; i < inputs.size(); ++i) {
    const std::string p = (scratch_ / ("in" + std::to_string(i))).string();
    EMBER_RETURN_IF_ERROR(WriteFileBytes(p, inputs[i].data(), inputs[i].size()));
    cmd += " " + Quote(p);
  }
  for (size_t i = 0; i < graph_.outputs.size(); ++i) cmd += " " + Quote((scratch_ / ("out" + std::to_string(i))).string());
  // The runner prints the nanoseconds of the model call on its stdout.
  FILE* pipe = popen(cmd.c_str(), "r");
  if (!pipe) return RunError("cannot start the model runner", "check that /bin/sh works");
  char line[64] = {0};
  const bool timed = std::fgets(line, sizeof line, pipe) != nullptr;
  const int rc = pclose(pipe);
  if (rc != 0) return RunError("the model runner failed (status " + std::to_string(rc) + ")", "run 'ember eval' to compare");
  if (ns) *ns = timed ? std::strtod(line, nullptr) : -1;
  std::vector<std::vector<uint8_t>> out;
  for (size_t i = 0; i < graph_.outputs.size(); ++i) {
    const ir::Tensor& t = graph_.tensor(graph_.outputs[i]);
    EMBER_ASSIGN_OR_RETURN(std::vector<uint8_t> bytes,
                           ReadFileBytes((scratch_ / ("out" + std::to_string(i))).string(),
                                         static_cast<uint64_t>(t.size_bytes()), "a model output"));
    if (static_cast<int64_t>(bytes.size()) != t.size_bytes())
      return RunError("the model runner wrote " + std::to_string(bytes.size()) + " bytes for output " +
                          std::to_string(i) + "; the model's output has " + std::to_string(t.size_bytes()),
                      "run 'ember eval' to compare");
    out.push_back(std::move(bytes));
  }
  return out;
}

void RegisterRun(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand(
      "run", "Run a model: an MLF archive compiled with --target host, or a flashed project on its device");
  auto path = std::make_shared<std::string>();
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto outputs = std::make_shared<std::vector<std::string>>();
  cmd->add_option("ARTIFACT", *path,
                  "the .tar or folder written by 'ember compile --target host', or a project folder "
                  "('ember micro create-project')")
      ->required();
  cmd->add_option("--input,-i", *inputs, "one file per model input, in order: .npy or .bin; or zeros, random, random:SEED")->required();
  cmd->add_option("--output,-o", *outputs, "one file per model output, in order: .npy or .bin");
  cmd->footer("Example:\n  ember compile kws.tflite -o kws.tar && ember run kws.tar --input x.bin --output y.bin\n"
              "The runner is built once with the system C compiler and cached in $EMBER_CACHE_DIR\n"
              "(default ~/.cache/ember).\n"
              "With a project folder the model runs on the project's device through its transport:\n"
              "  ember micro create-project p kws.tar --template qemu --project-option board=mps2-an386\n"
              "  ember micro build p && ember micro flash p && ember run p --input x.npy --output y.npy");
  cmd->callback([=] {
    *run = [=] {
      return IsProjectDir(*path) ? RunProject(*path, *inputs, *outputs) : RunArtifact(*path, *inputs, *outputs);
    };
  });
}

}  // namespace ember::cli
