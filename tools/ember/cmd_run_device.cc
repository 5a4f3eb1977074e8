// `ember run PROJECT_DIR --input FILE... [--output FILE...]`: runs the model
// of a generated, flashed project on its device through the project's
// transport (host and qemu templates).
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "micro/executor/device_model.h"
#include "micro/session/rpc_client.h"

namespace ember::cli {

bool IsProjectDir(const std::string& path) {
  std::error_code ec;
  const std::filesystem::path p(path);
  return std::filesystem::is_directory(p, ec) &&
         (std::filesystem::exists(p / "launch_microtvm_api_server.sh", ec) ||
          std::filesystem::exists(p / "microtvm_api_server.py", ec));
}

int RunProject(const std::string& dir, const std::vector<std::string>& inputs, const std::vector<std::string>& outputs) {
  try {
    auto project = micro::GeneratedProject::FromDirectory(dir);
    const micro::ProjectModel model = micro::LoadProjectModel(project);
    const ir::Graph& g = model.graph;
    if (inputs.size() != g.inputs.size() || (!outputs.empty() && outputs.size() != g.outputs.size())) {
      return Report(MakeDiag("E0401", ExitCode::kUsage,
                             "the model has " + std::to_string(g.inputs.size()) + " inputs and " +
                                 std::to_string(g.outputs.size()) + " outputs; " + std::to_string(inputs.size()) +
                                 " --input and " + std::to_string(outputs.size()) + " --output files were given",
                             "pass one file per input and per output, in order"));
    }
    std::vector<std::string> in_bytes;
    for (size_t i = 0; i < inputs.size(); ++i) {
      auto bytes = ReadTensorFile(inputs[i], g.tensor(g.inputs[i]), i);
      if (!bytes.ok()) return Report(bytes.diag());
      in_bytes.emplace_back(bytes->begin(), bytes->end());
    }
    const auto outs = micro::RunModelOnDevice(project, model, in_bytes);
    for (size_t i = 0; i < outs.size(); ++i) {
      const ir::Tensor& t = g.tensor(g.outputs[i]);
      const std::vector<uint8_t> bytes(outs[i].begin(), outs[i].end());
      if (outputs.empty()) {
        std::printf("output %zu '%s' %s:\n", i, t.name.c_str(), DescribeTensor(t).c_str());
        PrintTensorValues(t, bytes, 64);
      } else {
        Status st = WriteTensorFile(outputs[i], t, bytes);
        if (!st.ok()) return Report(st.diag());
      }
    }
    return 0;
  } catch (const micro::ProjectApiError& e) {
    return Report(MakeDiag("E0803", ExitCode::kUsage, e.what(), "check the project folder; 'ember micro info DIR'"));
  } catch (const micro::DeviceMismatchError& e) {
    return Report(MakeDiag("E0806", ExitCode::kDevice, e.what(), "run 'ember micro build DIR && ember micro flash DIR'"));
  } catch (const std::runtime_error& e) {
    return Report(MakeDiag("E0804", ExitCode::kDevice, std::string("running on the device failed: ") + e.what(),
                           "flash the project again ('ember micro flash DIR'); the server's log is above"));
  }
}

}  // namespace ember::cli
