// Coverage of TensorFlow Lite Micro's own models: every .tflite of a TFLM
// tree (tflm_util.h: EMBER_TFLM_DIR, EMBER_TFLM_GIT_DIR or the default bare
// copy; skipped when there is none) goes through
//   imports   `ember inspect`
//   compiles  `ember compile --target host`
//   runs      `ember run` on seeded inputs, compared with `ember eval`
//   cortex-m4 (with EMBER_TFLM_COVERAGE_M4=1, as `make tflm-coverage` sets)
//             `ember compile --target cortex-m4`, the firmware run on QEMU's
//             mps2-an386, its outputs compared with `ember eval`
// and the first failing step is reported with its diagnostic id. The
// operators each model uses that ember lacks are listed too (all of them,
// not only the first the importer stops at); custom operators by their
// custom_code. The table is printed, and written as Markdown to
// $EMBER_TFLM_COVERAGE_OUT when set (`make tflm-coverage` writes
// build/tflm-coverage.md).
//
// What the test asserts: no step crashes (every failure is a diagnostic with
// an id), a model that imports has only operators ember knows, a custom
// operator is refused as one, and every model that runs gives the reference
// evaluator's bytes (f32: within 1e-4 relative).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "e2e/qemu_util.h"
#include "e2e/tflm_util.h"
#include "frontend/tflite/schema_generated.h"
#include "ir/op_kind.h"
#include "util/test_util.h"

namespace ember::test {
namespace {

struct Row {
  std::string path;
  std::vector<std::string> missing;  // operators ember lacks (builtin names, CUSTOM 'x')
  bool imports = false, compiles = false, runs = false;
  bool m4 = false;      // compiled for cortex-m4 and ran on QEMU equal to ember eval
  std::string failure;  // "E0110: ..." of the first failing step
  std::string note;     // how the run compared
  std::string m4_failure;  // why the cortex-m4 step failed (when it ran)
};

// The cortex-m4 step runs when EMBER_TFLM_COVERAGE_M4 is 1 and QEMU and
// arm-none-eabi-gcc are present (it takes minutes: `make tflm-coverage`).
bool M4Enabled() {
  return tflm::Env("EMBER_TFLM_COVERAGE_M4") == "1" && qemu::MissingTools().empty();
}

// Builtin and custom operators of every subgraph that ember has no IR for.
std::vector<std::string> MissingOps(const std::vector<uint8_t>& bytes) {
  std::set<std::string> out;
  flatbuffers::Verifier v(bytes.data(), bytes.size());
  if (!::tflite::VerifyModelBuffer(v)) return {"(not a valid flatbuffer)"};
  const ::tflite::Model* m = ::tflite::GetModel(bytes.data());
  if (!m->operator_codes()) return {};
  for (const auto* code : *m->operator_codes()) {
    const int32_t value = std::max<int32_t>(code->deprecated_builtin_code(), static_cast<int32_t>(code->builtin_code()));
    if (value == static_cast<int32_t>(::tflite::BuiltinOperator::CUSTOM)) {
      out.insert("CUSTOM '" + (code->custom_code() ? code->custom_code()->str() : std::string()) + "'");
      continue;
    }
    const char* name = ::tflite::EnumNameBuiltinOperator(static_cast<::tflite::BuiltinOperator>(value));
    const std::string n = name && *name ? name : "code " + std::to_string(value);
    // VAR_HANDLE and CALL_ONCE are resolved at import (resource variables).
    if (!ir::OpKindFromTfliteName(n) && n != "VAR_HANDLE" && n != "CALL_ONCE") out.insert(n);
  }
  return {out.begin(), out.end()};
}

// "E0110: <first line of the message>" from a CLI's stderr, without the
// temporary file's name.
std::string FirstError(const CliResult& r, const std::string& file) {
  static const std::regex kError(R"(error\[([EW][0-9]{4})\]: ([^\n]*))");
  std::smatch m;
  if (std::regex_search(r.err, m, kError)) {
    std::string msg = m[2].str();
    if (msg.rfind(file + ": ", 0) == 0) msg = msg.substr(file.size() + 2);
    return m[1].str() + ": " + msg;
  }
  return "no diagnostic (exit " + std::to_string(r.exit_code) + "): " + r.err.substr(0, 200);
}

// Seeded input bytes for one model input: f32 in [-1, 1), integers and
// bools small, int8/uint8 over their whole range.
std::vector<uint8_t> MakeInput(const nlohmann::json& in, uint32_t seed) {
  const auto bytes = in.at("bytes").get<size_t>();
  const std::string dtype = in.at("dtype").get<std::string>();
  std::vector<uint8_t> out(bytes);
  uint32_t x = seed * 2654435761u + 1;
  auto next = [&] { x ^= x << 13; x ^= x >> 17; x ^= x << 5; return x; };
  if (dtype == "f32") {
    for (size_t i = 0; i + 4 <= bytes; i += 4) {
      const float f = static_cast<float>(next() % 20000) / 10000.0f - 1.0f;
      std::memcpy(&out[i], &f, 4);
    }
  } else if (dtype == "i8" || dtype == "u8") {
    for (auto& b : out) b = static_cast<uint8_t>(next());
  } else if (dtype == "bool") {
    for (auto& b : out) b = static_cast<uint8_t>(next() & 1);
  } else {  // i16, i32, i64: small non-negative values (indices, lengths)
    const size_t w = dtype == "i16" ? 2 : dtype == "i32" ? 4 : 8;
    for (size_t i = 0; i + w <= bytes; i += w) out[i] = static_cast<uint8_t>(next() % 4);
  }
  return out;
}

// Compares the outputs of the compiled C with the evaluator's.
bool SameOutputs(const nlohmann::json& outs, const std::vector<std::vector<uint8_t>>& got,
                 const std::vector<std::vector<uint8_t>>& want, std::string* note) {
  double worst = 0;
  for (size_t k = 0; k < want.size(); ++k) {
    if (got[k].size() != want[k].size()) {
      *note = "output " + std::to_string(k) + ": " + std::to_string(got[k].size()) + " bytes, expected " +
              std::to_string(want[k].size());
      return false;
    }
    if (got[k] == want[k]) continue;
    if (outs[k].at("dtype") != "f32") {
      *note = "output " + std::to_string(k) + " differs from ember eval";
      return false;
    }
    for (size_t i = 0; i + 4 <= want[k].size(); i += 4) {
      float a = 0, b = 0;
      std::memcpy(&a, &got[k][i], 4);
      std::memcpy(&b, &want[k][i], 4);
      const double rel = std::fabs(static_cast<double>(a) - b) / std::max(1.0, std::fabs(static_cast<double>(b)));
      if (!(rel <= 1e-4)) {
        *note = "output " + std::to_string(k) + " element " + std::to_string(i / 4) + ": " + std::to_string(a) +
                " vs " + std::to_string(b);
        return false;
      }
      worst = std::max(worst, rel);
    }
  }
  char buf[96];
  std::snprintf(buf, sizeof buf, worst == 0 ? "= ember eval, bit for bit" : "= ember eval within %.1e (f32)", worst);
  *note = buf;
  return true;
}

Row Cover(const tflm::Source& src, const std::string& path, const std::string& dir) {
  Row row;
  row.path = path;
  const std::string model = dir + "/model.tflite";
  if (!tflm::Extract(src, path, model)) {
    row.failure = "absent from the copy (large file)";
    return row;
  }
  row.missing = MissingOps(ReadFile(model));
  const CliResult inspect = RunCli({"inspect", model});
  if (inspect.exit_code != 0) {
    row.failure = FirstError(inspect, model);
    return row;
  }
  row.imports = true;
  const CliResult compile = RunCli({"compile", model, "--target", "host", "-o", dir + "/host.tar"});
  if (compile.exit_code != 0) {
    row.failure = FirstError(compile, model);
    return row;
  }
  row.compiles = true;
  const CliResult a = RunCli({"analyze", model, "--format", "json"});
  if (a.exit_code != 0) {
    row.failure = FirstError(a, model);
    return row;
  }
  const auto j = nlohmann::json::parse(a.out);
  std::vector<std::string> eval{"eval", model}, run{"run", dir + "/host.tar"};
  for (size_t k = 0; k < j.at("inputs").size(); ++k) {
    const std::string f = dir + "/in" + std::to_string(k) + ".bin";
    WriteFile(f, MakeInput(j["inputs"][k], static_cast<uint32_t>(k + 1)));
    for (auto* v : {&eval, &run}) v->insert(v->end(), {"--input", f});
  }
  for (size_t k = 0; k < j.at("outputs").size(); ++k) {
    eval.insert(eval.end(), {"--output", dir + "/want" + std::to_string(k) + ".bin"});
    run.insert(run.end(), {"--output", dir + "/got" + std::to_string(k) + ".bin"});
  }
  const CliResult e = RunCli(eval);
  if (e.exit_code != 0) {
    row.failure = "ember eval: " + FirstError(e, model);
    return row;
  }
  const CliResult r = RunCli(run);
  if (r.exit_code != 0) {
    row.failure = "ember run: " + FirstError(r, dir + "/host.tar");
    return row;
  }
  std::vector<std::vector<uint8_t>> got, want;
  for (size_t k = 0; k < j.at("outputs").size(); ++k) {
    got.push_back(ReadFile(dir + "/got" + std::to_string(k) + ".bin"));
    want.push_back(ReadFile(dir + "/want" + std::to_string(k) + ".bin"));
  }
  row.runs = SameOutputs(j["outputs"], got, want, &row.note);
  if (!row.runs) row.failure = "runs, but " + row.note;
  if (row.runs && M4Enabled()) {
    std::vector<uint8_t> all;
    for (size_t k = 0; k < j.at("inputs").size(); ++k) {
      const std::vector<uint8_t> b = ReadFile(dir + "/in" + std::to_string(k) + ".bin");
      all.insert(all.end(), b.begin(), b.end());
    }
    WriteFile(dir + "/all.bin", all);
    const CliResult m4 = RunCli({"compile", model, "--target", "cortex-m4", "--module-name", "cov", "-o", dir + "/mlf"});
    qemu::HarnessResult h;
    std::string note;
    if (m4.exit_code != 0) {
      row.m4_failure = "compile: " + FirstError(m4, model);
    } else if (const std::string failed =
                   qemu::BuildAndEmulate(dir + "/mlf", dir + "/all.bin", dir + "/m4.elf", "mps2-an386", 300, &h);
               !failed.empty()) {
      row.m4_failure = failed.substr(0, failed.find('\n'));
    } else if (h.outputs.size() != want.size()) {
      row.m4_failure = std::to_string(h.outputs.size()) + " outputs, expected " + std::to_string(want.size());
    } else if (!SameOutputs(j["outputs"], h.outputs, want, &note)) {
      row.m4_failure = "cortex-m4: " + note;
    } else {
      row.m4 = true;
    }
  }
  return row;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

// Why a model does not run, in a few words: the operators ember lacks,
// 16-bit activations, or the first diagnostic's id.
std::string Cause(const Row& r) {
  if (r.runs) return "";
  std::vector<std::string> custom, builtin;
  for (const auto& op : r.missing) (op.rfind("CUSTOM", 0) == 0 ? custom : builtin).push_back(op);
  if (!custom.empty()) return "custom operators";
  if (!builtin.empty()) return "missing operators: " + Join(builtin, ", ");
  if (r.failure.find("i16") != std::string::npos) return "int16 activations (16x8 quantization)";
  return r.failure.substr(0, r.failure.find(':'));
}

std::string Markdown(const tflm::Source& src, const std::vector<Row>& rows) {
  size_t imports = 0, compiles = 0, runs = 0, m4 = 0;
  const bool m4_enabled = M4Enabled();
  std::map<std::string, std::vector<std::string>> blocked;  // missing operator -> models
  for (const Row& r : rows) {
    imports += r.imports;
    compiles += r.compiles;
    runs += r.runs;
    m4 += r.m4;
    for (const auto& op : r.missing) blocked[op].push_back(r.path.substr(r.path.rfind('/') + 1));
  }
  std::string s = "# TensorFlow Lite Micro models in ember\n\n";
  s += "Tree: " + src.Describe() + ". Written by tests/e2e/tflm_coverage_test.cc (`make tflm-coverage`).\n";
  s += "Steps: imports (`ember inspect`), compiles (`ember compile --target host`), runs (`ember run` on seeded\n";
  s += "inputs, compared with `ember eval`), cortex-m4 (`ember compile --target cortex-m4`, run on QEMU's\n";
  s += "mps2-an386, compared with `ember eval`; only with EMBER_TFLM_COVERAGE_M4=1). A failure names the first\n";
  s += "failing step's diagnostic.\n\n";
  s += "| models | imports | compiles (host) | runs (= ember eval) | cortex-m4 (= ember eval) |\n|---|---|---|---|---|\n";
  s += "| " + std::to_string(rows.size()) + " | " + std::to_string(imports) + " | " + std::to_string(compiles) +
       " | " + std::to_string(runs) + " | " +
       (m4_enabled ? std::to_string(m4) : std::string("not run (EMBER_TFLM_COVERAGE_M4=1)")) + " |\n\n";
  std::map<std::string, std::vector<std::string>> causes;
  for (const Row& r : rows)
    if (!r.runs) causes[Cause(r)].push_back(r.path.substr(r.path.rfind('/') + 1));
  s += "## Why the others do not run\n\n| cause | models |\n|---|---|\n";
  for (const auto& [cause, models] : causes) {
    std::vector<std::string> shown(models.begin(), models.begin() + static_cast<long>(std::min<size_t>(models.size(), 8)));
    s += "| " + cause + " | " + std::to_string(models.size()) + ": " + Join(shown, ", ") +
         (models.size() > shown.size() ? ", ..." : "") + " |\n";
  }
  s += "\n## Missing operators\n\n| operator | models that need it |\n|---|---|\n";
  std::vector<std::pair<std::string, std::vector<std::string>>> by_count(blocked.begin(), blocked.end());
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  for (const auto& [op, models] : by_count) {
    std::vector<std::string> shown(models.begin(), models.begin() + static_cast<long>(std::min<size_t>(models.size(), 6)));
    s += "| " + op + " | " + std::to_string(models.size()) + ": " + Join(shown, ", ") +
         (models.size() > shown.size() ? ", ..." : "") + " |\n";
  }
  s += "\n## Per model\n\n| model | imports | compiles | runs | cortex-m4 | missing operators | result |\n"
       "|---|---|---|---|---|---|---|\n";
  const auto yes = [](bool b) { return b ? "yes" : "no"; };
  for (const Row& r : rows) {
    std::string result = r.runs ? r.note : r.failure;
    if (!r.m4_failure.empty()) result += "; cortex-m4: " + r.m4_failure;
    std::replace(result.begin(), result.end(), '|', '/');
    s += "| " + r.path + " | " + yes(r.imports) + " | " + yes(r.compiles) + " | " + yes(r.runs) + " | " +
         (m4_enabled ? yes(r.m4) : "-") + " | " + Join(r.missing, ", ") + " | " + result + " |\n";
  }
  return s;
}

TEST(TflmCoverage, EveryModelImportsCompilesRunsOrSaysWhy) {
  EMBER_REQUIRE_TFLM(src);
  const std::vector<std::string> files = tflm::ListFiles(src, ".tflite");
  ASSERT_FALSE(files.empty()) << "no .tflite in " << src.Describe();
  std::vector<Row> rows;
  for (const std::string& f : files) {
    const std::string dir = TempDir() + "/" + std::to_string(rows.size());
    std::filesystem::create_directories(dir);
    rows.push_back(Cover(src, f, dir));
    const Row& r = rows.back();
    SCOPED_TRACE(f);
    // Every failure is a diagnostic with an id (or a large file the copy lacks).
    if (!r.runs) {
      EXPECT_TRUE(std::regex_search(r.failure, std::regex("^(ember (eval|run): )?E[0-9]{4}: |^absent|^runs, but")))
          << r.failure;
    }
    EXPECT_FALSE(r.failure.rfind("runs, but", 0) == 0) << "compiled C differs from ember eval: " << r.failure;
    if (r.runs && M4Enabled()) {
      EXPECT_TRUE(r.m4) << "cortex-m4: " << r.m4_failure;
    }
    if (r.imports) {
      EXPECT_TRUE(r.missing.empty()) << Join(r.missing, ", ");
    }
    // A custom operator is refused by its name.
    for (const std::string& op : r.missing) {
      if (op.rfind("CUSTOM", 0) == 0 && !r.imports && r.failure.find("CUSTOM '") != std::string::npos) {
        EXPECT_NE(r.failure.find("is a custom operator"), std::string::npos) << r.failure;
      }
    }
  }
  const std::string md = Markdown(src, rows);
  std::printf("%s", md.c_str());
  if (const std::string out = tflm::Env("EMBER_TFLM_COVERAGE_OUT"); !out.empty()) {
    std::ofstream(out) << md;
    std::printf("\nwritten to %s\n", out.c_str());
  }
}

}  // namespace
}  // namespace ember::test
