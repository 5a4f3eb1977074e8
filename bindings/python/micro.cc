// ember.micro's machinery in _ember: the Project API (TemplateProject,
// GeneratedProject, their transports), the host end of the device session
// (framing, session and RPC: micro/session/) and the host-driven executors
// (micro/executor/), bound as they are; the pure-Python layer
// (python/ember/micro.py) gives them tvm.micro's names and numpy arrays.
//
// Errors: every C++ exception of these libraries becomes a Python exception
// carrying an ember diagnostic id (Guard below): EmberError, or its
// subclasses SessionTerminatedError (the device reset, died or closed its
// link) and SessionTimeoutError (it did not answer in time).
#include <pybind11/functional.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "bindings.h"
#include "micro/executor/debug_executor.h"
#include "micro/executor/device_model.h"
#include "micro/executor/graph_executor.h"
#include "micro/project/options.h"
#include "micro/project/project.h"
#include "micro/project_api/protocol.h"
#include "micro/session/rpc_client.h"
#include "micro/session/session.h"
#include "micro/transport/transport.h"
#include "micro/transport/transport_logger.h"

namespace ember::python {
namespace {

namespace fs = std::filesystem;

// ---------------------------------------------------------------- errors

constexpr const char* kFlashHint = "build and flash the project again (project.build(), project.flash())";

[[noreturn]] void RaiseDevice(const std::string& message, PyObject* cls) {
  Raise(MakeDiag("E0804", ExitCode::kDevice, message, kFlashHint), cls);
}

// Runs `f`, turning the libraries' exceptions into Python exceptions with
// ember's ids. `project_id` is the id of a ProjectApiError (a folder that is
// not a usable template or project, E0904, or a failed project step, E0902).
template <typename F>
auto Guard(const char* project_id, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const py::error_already_set&) {
    throw;
  } catch (const micro::UnsafeProjectDirError& e) {
    Raise(e.diag());
  } catch (const micro::ProjectOptionError& e) {
    Raise(MakeDiag("E0903", ExitCode::kUsage, e.what(),
                   "ember.micro.TemplateProject(dir).info() lists the template's options"));
  } catch (const micro::ProjectApiServerNotFoundError& e) {
    Raise(MakeDiag("E0904", ExitCode::kUsage, e.what(),
                   "pass a template folder (get_microtvm_template_projects()) or a generated project's folder"));
  } catch (const micro::ConnectionShutdownError& e) {
    RaiseDevice(std::string("the project's server or device link went away: ") + e.what(),
                g_session_terminated_error);
  } catch (const micro::SessionTerminatedError& e) {
    RaiseDevice(e.what(), g_session_terminated_error);
  } catch (const micro::SessionTimeoutError& e) {
    RaiseDevice(e.what(), g_session_timeout_error);
  } catch (const micro::IoTimeoutError& e) {
    RaiseDevice("the device did not answer in time: " + micro::ServerErrorText(e), g_session_timeout_error);
  } catch (const micro::TransportClosedError& e) {
    RaiseDevice("the device closed its link (it stopped or crashed): " + micro::ServerErrorText(e),
                g_session_terminated_error);
  } catch (const micro::JsonRpcError& e) {
    const std::string text = micro::ServerErrorText(e);
    if (text.find("run build first") != std::string::npos)
      Raise(MakeDiag("E0803", ExitCode::kUsage, "the project is not built: " + text, "call project.build() first"));
    Raise(MakeDiag("E0902", ExitCode::kFailure, "the project's server reported: " + text,
                   "see the server's log on stderr"));
  } catch (const micro::ProjectApiError& e) {
    Raise(MakeDiag(project_id, ExitCode::kUsage, e.what(), "check the folder; 'ember micro info DIR' shows it"));
  } catch (const micro::DeviceMismatchError& e) {
    Raise(MakeDiag("E0806", ExitCode::kDevice, e.what(), kFlashHint));
  } catch (const micro::MalformedGraphError& e) {
    Raise(MakeDiag("E0810", ExitCode::kFailure, std::string("malformed graph JSON: ") + e.what(),
                   "pass the module's own graph JSON (module.get_graph_json())"));
  } catch (const micro::GraphError& e) {
    Raise(MakeDiag("E0807", ExitCode::kUsage, e.what(),
                   "compile the model with executor=\"graph\", generate the project with project_type "
                   "host_driven, build and flash it"));
  } catch (const micro::RpcError& e) {
    RaiseDevice(std::string("the device reported an error: ") + e.what(), g_ember_error);
  } catch (const micro::RpcProtocolError& e) {
    RaiseDevice(std::string("the device broke the RPC protocol: ") + e.what(), g_ember_error);
  } catch (const micro::TransportError& e) {
    RaiseDevice(std::string("the transport failed: ") + e.what(), g_session_terminated_error);
  } catch (const micro::SessionError& e) {
    RaiseDevice(e.what(), g_ember_error);
  } catch (const fs::filesystem_error& e) {
    Raise(MakeDiag("E0902", ExitCode::kFailure, e.what()));
  }
}

micro::Json ParseOptions(const std::string& json_text) {
  micro::Json j = micro::Json::parse(json_text);
  if (!j.is_object()) j = micro::Json::object();
  return j;
}

// ---------------------------------------------------------------- projects

struct PyGeneratedProject {
  std::unique_ptr<micro::GeneratedProject> p;
};

struct PyTemplateProject {
  std::unique_ptr<micro::TemplateProject> p;
};

// A transport Python holds: a project's (ProjectTransport) or a logger
// around another PyTransport (kept alive by `child`).
struct PyTransport {
  std::unique_ptr<micro::Transport> t;
  std::shared_ptr<PyGeneratedProject> project;  // the project it reaches, if any
  std::shared_ptr<PyTransport> child;
  bool is_open = false;
};

py::dict TimeoutsDict(const micro::TransportTimeouts& t) {
  py::dict d;
  d["session_start_retry_timeout_sec"] = t.session_start_retry_timeout_sec;
  d["session_start_timeout_sec"] = t.session_start_timeout_sec;
  d["session_established_timeout_sec"] = t.session_established_timeout_sec;
  return d;
}

// ---------------------------------------------------------------- session

// A host-driven device: the session over a project's transport, its RPC
// client and the model it runs (from the project's archive, checked against
// the device's INFO).
struct PySession {
  std::shared_ptr<PyTransport> transport;
  std::unique_ptr<micro::ProjectModel> model;
  std::unique_ptr<micro::Session> session;
  std::unique_ptr<micro::RpcClient> rpc;
  micro::DeviceInfo info;
  bool open = false;

  micro::RpcClient& Rpc() {
    if (!open || !rpc)
      Raise(MakeDiag("E0814", ExitCode::kUsage, "the session is closed",
                     "use the executor inside its `with micro.Session(...)` block, or open a new session"));
    return *rpc;
  }
};

void OpenSession(PySession& s, const std::string& name, double timeout_sec,
                 std::optional<std::vector<double>> timeout_override) {
  if (s.open) return;
  if (!s.transport->project)
    Raise(MakeDiag("E0805", ExitCode::kUsage,
                   "a Session needs the transport of a generated project (project.transport(), or a "
                   "TransportLogger around one): the project's archive says which model the device runs",
                   "open it as micro.Session(project.transport())"));
  Guard("E0805", [&] {
    const micro::GeneratedProject& project = *s.transport->project->p;
    if (project.info().platform_name == "standalone")
      throw micro::ProjectApiError("'" + project.dir().string() +
                                   "' is a standalone project: it has no link to the host; generate the project "
                                   "from the host or qemu template with project_type host_driven");
    auto model = std::make_unique<micro::ProjectModel>(micro::LoadProjectModel(project));
    if (model->project_type != "host_driven")
      throw micro::ProjectApiError("'" + project.dir().string() + "' was generated with project_type " +
                                   model->project_type +
                                   "; a Session needs project_type host_driven (generate_project(..., "
                                   "options={'project_type': 'host_driven', ...}))");
    micro::SessionOptions o = micro::DeviceSessionOptions(timeout_sec);
    o.name = name;
    if (timeout_override) {
      const auto& v = *timeout_override;
      if (v.size() != 3) throw micro::ProjectApiError("timeout_override takes 3 values (retry, start, established)");
      o.timeout_override = micro::TransportTimeouts{v[0], v[1], v[2]};
    }
    auto session = std::make_unique<micro::Session>(*s.transport->t, o);
    session->Open();
    auto rpc = std::make_unique<micro::RpcClient>(*session);
    s.info = rpc->Info();
    micro::CheckDeviceIdentity(s.info, model->name, model->hash);
    s.model = std::move(model);
    s.session = std::move(session);
    s.rpc = std::move(rpc);
    s.open = true;
    s.transport->is_open = true;
  });
}

void CloseSession(PySession& s) {
  if (!s.session) return;
  s.open = false;
  s.transport->is_open = false;
  // The executors keep a reference to the RPC client: the session object
  // stays (closed) until the last of them is gone.
  Guard("E0902", [&] { s.session->Close(); });
}

py::dict DeviceInfoDict(const micro::DeviceInfo& i) {
  py::dict d;
  d["abi_version"] = i.abi_version;
  d["max_request"] = i.max_request;
  d["max_reply"] = i.max_reply;
  d["pool_bytes"] = i.pool_bytes;
  d["ticks_per_second"] = i.ticks_per_second;
  d["num_inputs"] = i.num_inputs;
  d["num_outputs"] = i.num_outputs;
  d["num_operators"] = i.num_operators;
  d["num_profile"] = i.num_profile;
  d["ember_version"] = i.ember_version;
  d["model_name"] = i.model_name;
  d["model_hash"] = i.model_hash;
  d["platform"] = i.platform;
  return d;
}

py::bytes ToBytes(const std::vector<uint8_t>& v) {
  return py::bytes(reinterpret_cast<const char*>(v.data()), v.size());
}

std::span<const uint8_t> Span(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// ---------------------------------------------------------------- executors

// The AOT executor: the model's own run() on the device (RPC WRITE of the
// inputs, RUN, READ of the outputs).
struct PyAotExecutor {
  std::shared_ptr<PySession> s;
};

// The graph executor (and the debug executor, when `debug` is set): the
// graph JSON interpreted on the host, every operator called on the device.
struct PyGraphExecutor {
  std::shared_ptr<PySession> s;
  std::unique_ptr<micro::GraphExecutor> graph;  // plain graph executor
  std::unique_ptr<micro::DebugExecutor> debug;  // or the debug executor (owns its graph)
  std::vector<micro::NodeReport> reports;

  micro::GraphExecutor& G() {
    (void)s->Rpc();  // the session is open
    return debug ? debug->graph() : *graph;
  }
};

py::dict EntryInfo(const micro::GraphExecutor& g, uint32_t entry, const std::string& name) {
  const micro::GraphEntry& e = g.entries()[entry];
  py::dict d;
  d["name"] = name;
  d["dtype"] = e.dtype;
  d["shape"] = py::tuple(py::cast(e.shape));
  d["bytes"] = e.bytes;
  return d;
}

py::list GraphInputs(const micro::GraphExecutor& g) {
  py::list l;
  for (uint32_t node : g.input_nodes()) l.append(EntryInfo(g, g.nodes()[node].first_entry, g.nodes()[node].name));
  return l;
}

py::list GraphOutputs(const micro::GraphExecutor& g) {
  py::list l;
  size_t i = 0;
  for (uint32_t entry : g.output_entries()) l.append(EntryInfo(g, entry, "output" + std::to_string(i++)));
  return l;
}

py::list ReportsList(const std::vector<micro::NodeReport>& reports) {
  py::list l;
  for (const micro::NodeReport& r : reports) {
    py::dict d;
    d["node"] = r.node;
    d["name"] = r.name;
    d["func_name"] = r.func_name;
    d["shape"] = r.shape;
    d["dtype"] = r.dtype;
    d["ticks"] = r.ticks;
    d["time_us"] = r.time_us;
    d["output_file"] = r.output_file;
    l.append(d);
  }
  return l;
}

}  // namespace

void BindMicro(py::module_& m) {
  m.def("_make_error", [](const std::string& id, int exit_code, const std::string& message, const std::string& hint) {
    return MakeError(MakeDiag(id, static_cast<ExitCode>(exit_code), message, hint));
  }, py::arg("id"), py::arg("exit_code"), py::arg("message"), py::arg("hint") = "");

  py::class_<PyGeneratedProject, std::shared_ptr<PyGeneratedProject>>(m, "GeneratedProject")
      .def_static("from_directory", [](const std::string& dir, const std::string& options_json) {
        return Guard("E0904", [&] {
          py::gil_scoped_release release;
          auto p = std::make_shared<PyGeneratedProject>();
          p->p = std::make_unique<micro::GeneratedProject>(
              micro::GeneratedProject::FromDirectory(dir, ParseOptions(options_json)));
          return p;
        });
      }, py::arg("dir"), py::arg("options_json") = "{}")
      .def_property_readonly("dir", [](const PyGeneratedProject& p) { return p.p->dir().string(); })
      .def_property_readonly("info_json", [](const PyGeneratedProject& p) { return p.p->info().ToJson().dump(); })
      .def_property_readonly("options_json", [](const PyGeneratedProject& p) { return p.p->options().dump(); })
      .def("set_options_json", [](PyGeneratedProject& p, const std::string& j) { p.p->set_options(ParseOptions(j)); })
      .def("build", [](PyGeneratedProject& p) {
        Guard("E0902", [&] {
          py::gil_scoped_release release;
          p.p->Build();
        });
      })
      .def("flash", [](PyGeneratedProject& p) {
        Guard("E0902", [&] {
          py::gil_scoped_release release;
          p.p->Flash();
        });
      })
      .def("transport", [](const std::shared_ptr<PyGeneratedProject>& p) {
        return Guard("E0902", [&] {
          auto t = std::make_shared<PyTransport>();
          t->t = p->p->OpenTransport();
          t->project = p;
          return t;
        });
      });

  py::class_<PyTemplateProject, std::shared_ptr<PyTemplateProject>>(m, "TemplateProject")
      .def_static("from_directory", [](const std::string& dir) {
        return Guard("E0904", [&] {
          py::gil_scoped_release release;
          auto p = std::make_shared<PyTemplateProject>();
          p->p = std::make_unique<micro::TemplateProject>(micro::TemplateProject::FromDirectory(dir));
          return p;
        });
      }, py::arg("dir"))
      .def_property_readonly("dir", [](const PyTemplateProject& p) { return p.p->dir().string(); })
      .def_property_readonly("info_json", [](const PyTemplateProject& p) { return p.p->info().ToJson().dump(); })
      .def("generate_project_from_mlf", [](PyTemplateProject& p, const std::string& mlf, const std::string& dir,
                                           const std::string& options_json, bool replace) {
        return Guard("E0902", [&] {
          py::gil_scoped_release release;
          auto g = std::make_shared<PyGeneratedProject>();
          g->p = std::make_unique<micro::GeneratedProject>(
              p.p->GenerateProjectFromMlf(mlf, dir, ParseOptions(options_json), replace));
          return g;
        });
      }, py::arg("mlf"), py::arg("project_dir"), py::arg("options_json") = "{}", py::arg("replace") = false);

  py::class_<PyTransport, std::shared_ptr<PyTransport>>(m, "Transport")
      .def("open", [](PyTransport& t) {
        Guard("E0902", [&] { t.t->Open(); });
        t.is_open = true;
      })
      .def("close", [](PyTransport& t) {
        t.is_open = false;
        Guard("E0902", [&] { t.t->Close(); });
      })
      .def("timeouts", [](const PyTransport& t) { return Guard("E0902", [&] { return TimeoutsDict(t.t->timeouts()); }); })
      .def("read", [](PyTransport& t, int64_t n, std::optional<double> timeout_sec) {
        if (n < 1) throw py::value_error("read: n must be at least 1");
        return Guard("E0902", [&] { return py::bytes(t.t->Read(n, timeout_sec)); });
      }, py::arg("n"), py::arg("timeout_sec"))
      .def("write", [](PyTransport& t, const py::bytes& data, std::optional<double> timeout_sec) {
        const std::string bytes = data;
        Guard("E0902", [&] { t.t->Write(bytes, timeout_sec); });
      }, py::arg("data"), py::arg("timeout_sec"))
      .def("describe", [](const PyTransport& t) { return t.t->Describe(); })
      .def_property_readonly("is_open", [](const PyTransport& t) { return t.is_open; })
      .def_property_readonly("project_dir", [](const PyTransport& t) {
        return t.project ? py::object(py::str(t.project->p->dir().string())) : py::object(py::none());
      });

  // TransportLogger(name, child, sink): `sink` is called with every log
  // message (microTVM's formats, micro/transport/transport_logger.h).
  m.def("transport_logger", [](const std::string& name, const std::shared_ptr<PyTransport>& child,
                               const std::function<void(const std::string&)>& sink) {
    auto t = std::make_shared<PyTransport>();
    micro::LogSink log = [sink](const std::string& message) {
      py::gil_scoped_acquire gil;
      try {
        sink(message);
      } catch (const py::error_already_set& e) {
        // A failing log handler must not break the device link.
        PyErr_WriteUnraisable(e.value().ptr());
      }
    };
    t->t = std::make_unique<micro::TransportLogger>(name, *child->t, std::move(log));
    t->project = child->project;
    t->child = child;
    return t;
  }, py::arg("name"), py::arg("child"), py::arg("sink"));

  py::class_<PySession, std::shared_ptr<PySession>>(m, "Session")
      .def(py::init([](const std::shared_ptr<PyTransport>& t) {
        auto s = std::make_shared<PySession>();
        s->transport = t;
        return s;
      }), py::arg("transport"))
      .def("open", &OpenSession, py::arg("name"), py::arg("timeout_sec"), py::arg("timeout_override") = py::none())
      .def("close", &CloseSession)
      .def_property_readonly("is_open", [](const PySession& s) { return s.open; })
      .def_property_readonly("device_info", [](PySession& s) {
        (void)s.Rpc();
        return DeviceInfoDict(s.info);
      })
      .def_property_readonly("inputs", [](PySession& s) {
        (void)s.Rpc();
        return TensorInfos(s.model->graph, s.model->graph.inputs);
      })
      .def_property_readonly("outputs", [](PySession& s) {
        (void)s.Rpc();
        return TensorInfos(s.model->graph, s.model->graph.outputs);
      })
      .def_property_readonly("graph_json", [](PySession& s) {
        (void)s.Rpc();
        const std::string* g = s.model->graph_json();
        return g ? py::object(py::str(*g)) : py::object(py::none());
      })
      .def("operators", [](PySession& s) {
        micro::RpcClient& rpc = s.Rpc();
        return Guard("E0902", [&] {
          py::list l;
          for (const micro::OperatorInfo& op : rpc.Operators())
            l.append(py::make_tuple(op.name, op.num_inputs, op.num_outputs));
          return l;
        });
      })
      .def("reset_device", [](PySession& s) {
        micro::RpcClient& rpc = s.Rpc();
        Guard("E0902", [&] { rpc.Reset(); });
      })
      .def("reconnect", [](PySession& s) {
        (void)s.Rpc();
        Guard("E0902", [&] {
          s.session->Reconnect();
          s.info = s.rpc->Info();
          micro::CheckDeviceIdentity(s.info, s.model->name, s.model->hash);
        });
      });

  py::class_<PyAotExecutor, std::shared_ptr<PyAotExecutor>>(m, "AotExecutor")
      .def(py::init([](const std::shared_ptr<PySession>& s) {
        (void)s->Rpc();
        return std::make_shared<PyAotExecutor>(PyAotExecutor{s});
      }), py::arg("session"))
      .def("set_input", [](PyAotExecutor& e, uint32_t index, const py::bytes& data) {
        const std::string bytes = data;
        micro::RpcClient& rpc = e.s->Rpc();
        Guard("E0902", [&] { rpc.Write(micro::MemorySpace::kInput, index, 0, Span(bytes)); });
      }, py::arg("index"), py::arg("data"))
      .def("run", [](PyAotExecutor& e) {
        micro::RpcClient& rpc = e.s->Rpc();
        return Guard("E0902", [&] { return rpc.Run(); });
      })
      .def("get_output", [](PyAotExecutor& e, uint32_t index) {
        micro::RpcClient& rpc = e.s->Rpc();
        const ir::Graph& g = e.s->model->graph;
        if (index >= g.outputs.size()) throw py::index_error("no output " + std::to_string(index));
        const auto n = static_cast<uint32_t>(g.tensor(g.outputs[index]).size_bytes());
        return Guard("E0902", [&] { return ToBytes(rpc.Read(micro::MemorySpace::kOutput, index, 0, n)); });
      }, py::arg("index"))
      .def("time_run", [](PyAotExecutor& e, uint32_t number, uint32_t repeat) {
        micro::RpcClient& rpc = e.s->Rpc();
        return Guard("E0902", [&] { return rpc.TimeRun(number, repeat); });
      }, py::arg("number"), py::arg("repeat"));

  py::class_<PyGraphExecutor, std::shared_ptr<PyGraphExecutor>>(m, "GraphExecutor")
      .def(py::init([](const std::shared_ptr<PySession>& s, const std::string& graph_json, bool debug,
                       const std::string& dump_root) {
        micro::RpcClient& rpc = s->Rpc();
        auto e = std::make_shared<PyGraphExecutor>();
        e->s = s;
        Guard("E0902", [&] {
          if (debug)
            e->debug = std::make_unique<micro::DebugExecutor>(graph_json, rpc, s->info.ticks_per_second, dump_root);
          else
            e->graph = std::make_unique<micro::GraphExecutor>(graph_json, rpc);
        });
        return e;
      }), py::arg("session"), py::arg("graph_json"), py::arg("debug") = false, py::arg("dump_root") = "")
      .def_property_readonly("inputs", [](PyGraphExecutor& e) { return GraphInputs(e.G()); })
      .def_property_readonly("outputs", [](PyGraphExecutor& e) { return GraphOutputs(e.G()); })
      .def("set_input", [](PyGraphExecutor& e, size_t index, const py::bytes& data) {
        const std::string bytes = data;
        micro::GraphExecutor& g = e.G();
        Guard("E0902", [&] { g.SetInput(index, Span(bytes)); });
      }, py::arg("index"), py::arg("data"))
      .def("run", [](PyGraphExecutor& e) {
        micro::GraphExecutor& g = e.G();
        Guard("E0902", [&] { g.Run(); });
      })
      .def("run_debug", [](PyGraphExecutor& e, uint32_t number, uint32_t repeat) {
        (void)e.G();
        if (!e.debug) throw py::type_error("run_debug: not a debug executor");
        return Guard("E0902", [&] {
          e.reports = e.debug->Run(number, repeat);
          return ReportsList(e.reports);
        });
      }, py::arg("number"), py::arg("repeat"))
      .def("table", [](PyGraphExecutor& e, bool sort_by_time) {
        if (!e.debug) throw py::type_error("table: not a debug executor");
        return e.debug->Table(e.reports, sort_by_time);
      }, py::arg("sort_by_time") = true)
      .def_property_readonly("dump_dir", [](const PyGraphExecutor& e) {
        return e.debug ? py::object(py::str(e.debug->dump_dir().string())) : py::object(py::none());
      })
      .def("get_output", [](PyGraphExecutor& e, size_t index) {
        micro::GraphExecutor& g = e.G();
        return Guard("E0902", [&] { return ToBytes(g.GetOutput(index)); });
      }, py::arg("index"));
}

}  // namespace ember::python
