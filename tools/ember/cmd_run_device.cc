// `ember run PROJECT_DIR --input FILE... [--output FILE...]`: runs the model
// of a generated, flashed project on its device through the project's
// transport (host and qemu templates).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "cli.h"
#include "micro/executor/device_model.h"
#include "micro/session/rpc_client.h"

namespace ember::cli {

int ReportServerError(const micro::JsonRpcError& e, const std::string& dir, const char* usage_id,
                      const std::string& device_what) {
  const std::string text = micro::ServerErrorText(e);
  if (dynamic_cast<const micro::IoTimeoutError*>(&e) || dynamic_cast<const micro::TransportClosedError*>(&e))
    return Report(MakeDiag("E0804", ExitCode::kDevice, device_what + ": " + text,
                           "flash the project again ('ember micro flash DIR'); the server's log is above"));
  if (text.find("run build first") != std::string::npos)
    return Report(MakeDiag(usage_id, ExitCode::kUsage, "'" + dir + "' is not built: " + text,
                           "build it first: 'ember micro build " + dir + "'"));
  return Report(MakeDiag("E0902", ExitCode::kFailure, "the project's server reported: " + text,
                         "see the server's log above; 'ember micro info " + dir + "' shows its options"));
}

void CheckHasTransport(const micro::GeneratedProject& project, const std::string& dir) {
  if (project.info().platform_name == "standalone")
    throw micro::ProjectApiError(
        "'" + dir + "' is a standalone project: its program runs the model on its own and has no link to the "
        "host ('ember micro flash " + dir + "' runs it once); to run the model from the host, create the project "
        "with --template host or --template qemu, or compile the model with --target host and 'ember run' the "
        "archive");
}

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
    CheckHasTransport(project, dir);
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
    const auto start = std::chrono::steady_clock::now();
    const auto outs = micro::RunModelOnDevice(project, model, in_bytes);
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
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
    std::printf("time: %.1f ms on the device, wall clock with its start and the transfers ('ember profile' "
                "times the model alone)\n", ms);
    return 0;
  } catch (const micro::ProjectApiError& e) {
    return Report(MakeDiag("E0803", ExitCode::kUsage, e.what(), "check the project folder; 'ember micro info DIR'"));
  } catch (const micro::DeviceMismatchError& e) {
    return Report(MakeDiag("E0806", ExitCode::kDevice, e.what(), "run 'ember micro build DIR && ember micro flash DIR'"));
  } catch (const micro::JsonRpcError& e) {
    return ReportServerError(e, dir, "E0803", "running on the device failed");
  } catch (const std::runtime_error& e) {
    return Report(MakeDiag("E0804", ExitCode::kDevice, std::string("running on the device failed: ") + e.what(),
                           "flash the project again ('ember micro flash DIR'); the server's log is above"));
  }
}

}  // namespace ember::cli
