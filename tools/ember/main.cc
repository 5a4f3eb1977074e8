// ember: compile neural networks to C for microcontrollers.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <system_error>

#include "cli.h"

namespace {

// An installed ember (`cmake --install`, docs/cmake.md) carries its C runtime
// in <prefix>/share/ember/runtime: unless EMBER_RUNTIME_DIR says otherwise,
// that copy is the one packed into archives, not the source tree the build
// was configured from (which may be gone).
void UseInstalledRuntime() {
  const char* env = std::getenv("EMBER_RUNTIME_DIR");
  if (env != nullptr && env[0] != '\0') return;
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return;
  const std::filesystem::path rt = exe.parent_path().parent_path() / "share" / "ember" / "runtime";
  if (std::filesystem::is_regular_file(rt / "include" / "ember" / "runtime.h", ec)) {
    setenv("EMBER_RUNTIME_DIR", rt.string().c_str(), 1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  UseInstalledRuntime();
  CLI::App app{"ember: compiles trained neural networks (TFLite and ONNX; int8, int16 and float32) into plain "
               "C99 for microcontrollers, and analyses and evaluates them on the host."};
  app.name("ember");
  app.set_version_flag("--version", std::string("ember ") + EMBER_VERSION);
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  ember analyze kws.tflite                  per-layer MACs, parameters, activation memory\n"
      "  ember analyze kws.tflite --format json    the same as JSON\n"
      "  ember inspect kws.tflite                  print the model as ember IR\n"
      "  ember inspect kws.tflite --format dot | dot -Tsvg > kws.svg\n"
      "  ember ops                                 supported operators and data types\n"
      "  ember eval kws.tflite --input in.npy --output out.npy\n"
      "  ember compile kws.tflite --target cortex-m4 -o kws.tar   C99 + memory plan, Model Library Format\n"
      "  ember quantize kws.onnx --calibration calib.npz -o kws_int8.onnx   post-training int8 quantization\n"
      "  ember compile kws.tflite -o kws.tar && ember run kws.tar --input in.npy --output out.npy\n"
      "  ember micro create-project kws-proj kws.tar --template qemu   firmware project (also host, standalone)\n"
      "  ember tune kws.tflite --target cortex-m4 --template qemu --project-option board=mps2-an386 --log kws.jsonl\n"
      "  ember report kws.tflite --board nucleo-f446re -o kws.html   one HTML page: graph, layers, memory plan\n"
      "\n"
      "Exit codes: 0 ok, 1 failure, 2 usage, 3 unsupported model or operator, 4 does not fit,\n"
      "5 device or transport, 6 validation mismatch, 70 internal error.\n"
      "Run 'ember COMMAND --help' for the options of a command.");

  ember::cli::Action run;
  ember::cli::RegisterInspect(app, &run);
  ember::cli::RegisterAnalyze(app, &run);
  ember::cli::RegisterOps(app, &run);
  ember::cli::RegisterEval(app, &run);
  ember::cli::RegisterCompile(app, &run);
  ember::cli::RegisterRun(app, &run);
  ember::cli::RegisterMicro(app, &run);
  ember::cli::RegisterDevice(app, &run);
  ember::cli::RegisterQuantize(app, &run);
  ember::cli::RegisterReport(app, &run);
  ember::cli::RegisterTune(app, &run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  try {
    return run ? run() : 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error[E9000]: internal error: %s\n  hint: this is a bug in ember; "
                         "please report it with the command and model\n", e.what());
    return 70;
  }
}
