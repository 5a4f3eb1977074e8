// `ember ops [--format text|json]`: every operator of ops.def with the TFLite
// builtin (the name TFLite Micro registers it under) and the ONNX operator it
// is imported from, its IR name and its data types; then the TFLite builtins
// resolved at import (VAR_HANDLE, CALL_ONCE: IR name "-", empty in JSON).
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli.h"
#include "ops/op.h"
#include "support/json_text.h"

namespace ember::cli {
namespace {

// TFLite builtins that the importer resolves itself and that become no IR
// operator (docs/frontend-tflite.md, "Resource variables").
struct ImportTimeOp {
  const char* tflite;
  const char* what;
};
constexpr ImportTimeOp kImportTimeOps[] = {
    {"VAR_HANDLE", "resource (becomes a variable; any dtype)"},
    {"CALL_ONCE", "none (init subgraph evaluated at import: the variables' initial values)"},
};

}  // namespace

void RegisterOps(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand("ops", "List the supported operators, their TFLite and ONNX names and data types");
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("--format", *format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->footer("Examples:\n  ember ops\n  ember ops --format json | jq -r '.[].ir'\n"
              "The data types are those of the reference evaluator and the C kernels (docs/operators.md).");
  cmd->callback([=] {
    *run = [=]() -> int {
      if (*format == "json") {
        nlohmann::json j = nlohmann::json::array();
        for (size_t i = 0; i < ir::kNumOpKinds; ++i) {
          const auto k = static_cast<ir::OpKind>(i);
          j.push_back({{"tflite", ir::OpTfliteName(k)},
                       {"tflite_aliases", ir::OpTfliteAliases(k)},
                       {"onnx", ir::OpOnnxName(k)},
                       {"ir", ir::OpIrName(k)},
                       {"dtypes", ops::GetOpDef(k).dtypes}});
        }
        for (const ImportTimeOp& op : kImportTimeOps)
          j.push_back({{"tflite", op.tflite}, {"tflite_aliases", nlohmann::json::array()}, {"onnx", ""},
                       {"ir", ""}, {"dtypes", op.what}});
        std::printf("%s\n", DumpJson(j, 2).c_str());
        return 0;
      }
      // Columns as wide as their longest entry ("-": no such operator there).
      std::vector<std::vector<std::string>> rows{{"TFLite", "ONNX", "IR", "data types"}};
      for (size_t i = 0; i < ir::kNumOpKinds; ++i) {
        const auto k = static_cast<ir::OpKind>(i);
        const auto or_dash = [](const char* s) { return std::string(*s ? s : "-"); };
        std::string tflite = or_dash(ir::OpTfliteName(k));
        for (const char* alias : ir::OpTfliteAliases(k)) tflite += std::string(", ") + alias;
        rows.push_back({tflite, or_dash(ir::OpOnnxName(k)), ir::OpIrName(k),
                        ops::GetOpDef(k).dtypes});
      }
      for (const ImportTimeOp& op : kImportTimeOps) rows.push_back({op.tflite, "-", "-", op.what});
      size_t w[3] = {0, 0, 0};
      for (const auto& r : rows)
        for (size_t c = 0; c < 3; ++c) w[c] = std::max(w[c], r[c].size());
      for (const auto& r : rows) {
        std::printf("%-*s  %-*s  %-*s  %s\n", static_cast<int>(w[0]), r[0].c_str(), static_cast<int>(w[1]),
                    r[1].c_str(), static_cast<int>(w[2]), r[2].c_str(), r[3].c_str());
      }
      return 0;
    };
  });
}

}  // namespace ember::cli
