#include "micro/executor/device_model.h"

#include "ir/parser.h"
#include "micro/project/model_glue.h"
#include "micro/project/template_server.h"

namespace ember::micro {
namespace fs = std::filesystem;

ProjectModel LoadProjectModel(const GeneratedProject& project) {
  const auto& path = project.info().model_library_format_path;
  if (!path || path->empty())
    throw ProjectApiError(project.dir().string() + ": its server reports no model archive; is it a generated project?");
  auto mlf = package::ReadModelLibraryFormat(*path);
  if (!mlf.ok()) throw ProjectApiError(mlf.diag().message);
  ProjectModel m;
  m.mlf = std::move(*mlf);
  m.name = m.mlf.module_name;
  const std::string* ir_text = m.mlf.Find("src/" + m.name + ".relay");
  if (!ir_text) throw ProjectApiError(*path + " has no src/" + m.name + ".relay (the model's IR)");
  auto g = ir::Parse(*ir_text);
  if (!g.ok()) throw ProjectApiError(*path + ": " + g.diag().message);
  m.graph = std::move(*g);
  m.hash = ModelHash(m.mlf);
  const Json saved = SavedProjectOptions(project.dir());
  m.project_type = saved.contains("project_type") && saved["project_type"].is_string()
                       ? saved["project_type"].get<std::string>()
                       : "host_driven";
  return m;
}

namespace {

std::vector<std::string> RunAotIo(Transport& t, const ProjectModel& m, const std::vector<std::string>& inputs,
                                  double timeout_sec) {
  std::string all;
  for (const auto& in : inputs) all += in;
  t.Write(all, timeout_sec);
  std::vector<std::string> outs;
  for (ir::TensorId id : m.graph.outputs) {
    const size_t want = static_cast<size_t>(m.graph.tensor(id).size_bytes());
    std::string bytes;
    while (bytes.size() < want) bytes += t.Read(static_cast<int64_t>(want - bytes.size()), timeout_sec);
    outs.push_back(std::move(bytes));
  }
  return outs;
}

}  // namespace

SessionOptions DeviceSessionOptions(double timeout_sec) {
  SessionOptions o;
  // Resend StartSession every 2 s, give up after 10 s; then bound every
  // reply by timeout_sec (a run or a timing of a large model in an emulator
  // takes seconds).
  o.timeout_override = TransportTimeouts{2, 10, timeout_sec};
  return o;
}

std::unique_ptr<DeviceConnection> ConnectDevice(const GeneratedProject& project, const ProjectModel& model,
                                                double timeout_sec) {
  auto d = std::make_unique<DeviceConnection>(project.OpenTransport(), timeout_sec);
  d->session.Open();
  d->info = d->rpc.Info();
  CheckDeviceIdentity(d->info, model.name, model.hash);
  return d;
}

std::vector<std::string> RunModelOnDevice(const GeneratedProject& project, const ProjectModel& m,
                                          const std::vector<std::string>& inputs, double timeout_sec) {
  if (inputs.size() != m.graph.inputs.size())
    throw ProjectApiError("model '" + m.name + "' has " + std::to_string(m.graph.inputs.size()) + " inputs; " +
                          std::to_string(inputs.size()) + " given");
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto want = static_cast<size_t>(m.graph.tensor(m.graph.inputs[i]).size_bytes());
    if (inputs[i].size() != want)
      throw ProjectApiError("input " + std::to_string(i) + " has " + std::to_string(inputs[i].size()) +
                            " bytes; the model's takes " + std::to_string(want));
  }
  if (m.project_type == "aot_io") {
    auto transport = project.OpenTransport();
    transport->Open();
    auto outs = RunAotIo(*transport, m, inputs, timeout_sec);
    transport->Close();
    return outs;
  }
  // host_driven: the ember RPC (docs/rpc.md) over a session.
  const auto d = ConnectDevice(project, m, timeout_sec);
  RpcClient& rpc = d->rpc;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const auto* p = reinterpret_cast<const uint8_t*>(inputs[i].data());
    rpc.Write(MemorySpace::kInput, static_cast<uint32_t>(i), 0, std::span<const uint8_t>(p, inputs[i].size()));
  }
  rpc.Run();
  std::vector<std::string> outs;
  for (size_t i = 0; i < m.graph.outputs.size(); ++i) {
    const auto n = static_cast<uint32_t>(m.graph.tensor(m.graph.outputs[i]).size_bytes());
    const auto bytes = rpc.Read(MemorySpace::kOutput, static_cast<uint32_t>(i), 0, n);
    outs.emplace_back(bytes.begin(), bytes.end());
  }
  d->session.Close();
  return outs;
}

}  // namespace ember::micro
