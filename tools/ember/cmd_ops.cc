// `ember ops [--format text|json]`
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli.h"
#include "ops/op.h"
#include "support/json_text.h"

namespace ember::cli {

void RegisterOps(CLI::App& app, Action* run) {
  auto* cmd = app.add_subcommand("ops", "List the supported operators and their data types");
  auto format = std::make_shared<std::string>("text");
  cmd->add_option("--format", *format, "output format")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  cmd->footer("Examples:\n  ember ops\n  ember ops --format json | jq -r '.[].ir'\n"
              "The data types are those of the reference evaluator and the C kernels (docs/operators.md).");
  cmd->callback([=] {
    *run = [=]() -> int {
      nlohmann::json j = nlohmann::json::array();
      if (*format == "text")
        std::printf("%-20s %-20s %s\n", "TFLite", "IR", "data types");
      for (size_t i = 0; i < ir::kNumOpKinds; ++i) {
        const auto k = static_cast<ir::OpKind>(i);
        const ops::OpDef& d = ops::GetOpDef(k);
        if (*format == "text") {
          std::printf("%-20s %-20s %s\n", ir::OpTfliteName(k), ir::OpIrName(k), d.dtypes);
        } else {
          j.push_back({{"tflite", ir::OpTfliteName(k)},
                       {"ir", ir::OpIrName(k)},
                       {"dtypes", d.dtypes}});
        }
      }
      if (*format == "json") std::printf("%s\n", DumpJson(j, 2).c_str());
      return 0;
    };
  });
}

}  // namespace ember::cli
