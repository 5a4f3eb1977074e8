// Running a compiled model on a project's device: the model as the host
// knows it (from the project's MLF archive) and a whole-model run through
// the project's transport.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "micro/project/project.h"
#include "micro/session/rpc_client.h"
#include "micro/session/session.h"
#include "package/mlf_reader.h"

namespace ember::micro {

// The model a project was generated from.
struct ProjectModel {
  package::MlfContents mlf;
  ir::Graph graph;           // from src/<name>.relay
  std::string name;          // the module name
  std::string hash;          // ModelHash(mlf): what the firmware reports
  std::string project_type;  // from ember_project.json; "host_driven" if unknown

  // The graph JSON of a --executor graph build, or null.
  const std::string* graph_json() const { return mlf.Find("executor-config/graph/" + name + ".graph"); }
};

// Reads the project's model.tar (the path its server reports). Throws
// ProjectApiError naming what is missing.
ProjectModel LoadProjectModel(const GeneratedProject& project);

// Session options for talking to a project's device: handshake retried
// every 2 s for up to 10 s, every reply awaited up to `timeout_sec`.
SessionOptions DeviceSessionOptions(double timeout_sec);

// A host_driven device, connected (session open) and identified: its INFO
// names the model and hash of `model` (DeviceMismatchError otherwise).
struct DeviceConnection {
  explicit DeviceConnection(std::unique_ptr<Transport> transport, double timeout_sec)
      : session(std::move(transport), DeviceSessionOptions(timeout_sec)), rpc(session) {}
  Session session;
  RpcClient rpc;
  DeviceInfo info;
};

// Opens the project's transport and a session, and checks the device's
// identity. `timeout_sec` bounds every wait for a reply.
std::unique_ptr<DeviceConnection> ConnectDevice(const GeneratedProject& project, const ProjectModel& model,
                                                double timeout_sec);

// Runs the model once on the device with `inputs` (the bytes of every input,
// in order, sizes checked) and returns the bytes of every output. Uses the
// project's device protocol: aot_io (raw bytes) or host_driven (RPC: the
// device's identity is checked first). `timeout_sec` bounds every wait.
std::vector<std::string> RunModelOnDevice(const GeneratedProject& project, const ProjectModel& model,
                                          const std::vector<std::string>& inputs, double timeout_sec = 60);

}  // namespace ember::micro
