// _ember: the C++ core of the Python package `ember` (python/ember/). The
// pure-Python layer (ember/__init__.py, ember/micro.py) gives the public
// names; this module binds the libraries the CLI uses: the model import of
// `ember compile` (TFLite, ONNX, IR text), the pass pipeline, the C code
// generator and the Model Library Format export.
//
// Errors: a failing library call raises EmberError (or its subclass
// UnsupportedInModelLibraryFormatError for the MLF export) carrying the
// diagnostic's id, message, hint and exit code; nothing user-supplied
// reaches an abort.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <exception>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "codegen/c/aot.h"
#include "codegen/c/emitter.h"
#include "codegen/c/module_name.h"
#include "frontend/model_file.h"
#include "ir/dtype.h"
#include "ir/graph.h"
#include "ir/parser.h"
#include "ir/verifier.h"
#include "memory/planner.h"
#include "micro/project/project.h"
#include "micro/project_api/protocol.h"
#include "ops/evaluate.h"
#include "package/mlf.h"
#include "package/mlf_layout.h"  // MlfDTypeName: the dtype names of MLF metadata
#include "package/runtime_dir.h"
#include "passes/pipeline.h"
#include "support/file.h"
#include "support/status.h"
#include "bindings.h"

namespace ember::python {
namespace {

// The import of the CLI's LoadModel (frontend/model_file.h).
Expected<ir::Graph> Import(const std::string& path, const std::vector<std::string>& input_shapes) {
  return frontend::ImportModelFile(path, input_shapes, "input_shapes");
}

// A model as imported (before the pass pipeline, which compile runs with
// its options).
struct Model {
  std::string path;
  ir::Graph graph;
};

// A compiled model: the generated C, its plan, and what the MLF export needs.
struct CompiledModule {
  std::string model_path;
  std::string target;
  std::string executor;
  ir::Graph graph;  // after the passes: the graph the code was generated from
  codegen::c::GeneratedModel generated;

  package::MlfOptions MlfOpts() const {
    package::MlfOptions mo;
    mo.target = target;
    mo.graph = &graph;
    mo.inputs = {model_path};
    return mo;
  }
};

std::shared_ptr<Model> LoadModel(const std::string& path, const std::vector<std::string>& input_shapes) {
  auto m = std::make_shared<Model>();
  m->path = path;
  m->graph = ValueOrRaise(Import(path, input_shapes));
  return m;
}

std::shared_ptr<CompiledModule> Compile(const Model& model, const std::string& target, const std::string& executor,
                                        const std::string& module_name, bool io_in_arena, bool external_arena,
                                        bool profile, bool keep_io_layout, bool keep_constant_channels,
                                        bool optimize_size) {
  // `executor` is "aot" or "graph" (checked by ember.compile).
  const codegen::c::Target t = ValueOrRaise(codegen::c::ParseTarget(target));
  OkOrRaise(codegen::c::CheckModuleName(module_name));
  auto c = std::make_shared<CompiledModule>();
  c->model_path = model.path;
  c->target = target;
  c->executor = executor;
  c->graph = model.graph;
  passes::PipelineOptions po;
  po.pass.keep_io_layout = keep_io_layout;
  po.pass.drop_constant_channels = !keep_constant_channels;
  OkOrRaise(passes::RunPipeline(c->graph, po));
  codegen::c::AotOptions o;
  o.module_name = module_name;
  o.target = t;
  o.io_in_arena = io_in_arena;
  o.external_arena = external_arena;
  o.profile = profile;
  o.graph_executor = executor == "graph";
  o.optimize_size = optimize_size;
  c->generated = ValueOrRaise(codegen::c::GenerateAot(c->graph, o));
  return c;
}

py::list MemoryPlan(const CompiledModule& c) {
  py::list l;
  for (const memory::Allocation& a : c.generated.plan.allocations) {
    py::dict d;
    const bool scratch = a.tensor == ir::kNoTensor;
    d["kind"] = scratch ? "scratch" : "tensor";
    d["tensor"] = scratch ? py::object(py::none()) : py::object(py::str(c.graph.tensor(a.tensor).name));
    d["node"] = a.node;
    d["first"] = a.first;
    d["last"] = a.last;
    d["bytes"] = a.bytes;
    d["offset"] = a.in_arena ? py::object(py::int_(a.offset)) : py::object(py::none());
    d["in_arena"] = a.in_arena;
    d["aliased"] = a.aliased;
    l.append(d);
  }
  return l;
}

void Export(const CompiledModule& c, const std::string& path) {
  OkOrRaise(package::ExportModelLibraryFormat(c.generated, path, c.MlfOpts()), g_unsupported_mlf_error);
}

}  // namespace

py::dict TensorInfo(const ir::Tensor& t) {
  py::dict d;
  d["name"] = t.name;
  d["dtype"] = package::detail::MlfDTypeName(t.dtype);
  d["shape"] = py::tuple(py::cast(t.shape));
  if (t.quant && t.quant->scale.size() == 1 && t.quant->zero_point.size() == 1) {
    d["scale"] = t.quant->scale[0];
    d["zero_point"] = t.quant->zero_point[0];
  }
  return d;
}

py::list TensorInfos(const ir::Graph& g, const std::vector<ir::TensorId>& ids) {
  py::list l;
  for (ir::TensorId id : ids) l.append(TensorInfo(g.tensor(id)));
  return l;
}

}  // namespace ember::python

PYBIND11_MODULE(_ember, m) {
  using namespace ember::python;
  namespace codegen = ember::codegen;
  m.doc() = "ember's C++ core; use the package `ember` (ember.load_model, ember.compile, ember.micro)";
  m.attr("__version__") = EMBER_VERSION;

  g_ember_error = PyErr_NewExceptionWithDoc(
      "ember.EmberError", "An ember diagnostic: .id (e.g. 'E0001'), .message, .hint, .exit_code (the CLI's).",
      PyExc_RuntimeError, nullptr);
  g_unsupported_mlf_error = PyErr_NewExceptionWithDoc(
      "ember.micro.UnsupportedInModelLibraryFormatError",
      "The Model Library Format export failed (microTVM's name); .id is ember's diagnostic id (E07xx, E000x).",
      g_ember_error, nullptr);
  g_session_terminated_error = PyErr_NewExceptionWithDoc(
      "ember.micro.SessionTerminatedError",
      "The device ended the session: it reset, stopped or crashed, or closed its link (microTVM's name); "
      ".id is ember's diagnostic id (E0804).",
      g_ember_error, nullptr);
  g_session_timeout_error = PyErr_NewExceptionWithDoc(
      "ember.micro.SessionTimeoutError",
      "The device did not answer in time (microTVM's MicroSessionTimeoutError); .id is E0804.", g_ember_error,
      nullptr);
  m.attr("EmberError") = py::handle(g_ember_error);
  m.attr("UnsupportedInModelLibraryFormatError") = py::handle(g_unsupported_mlf_error);
  m.attr("SessionTerminatedError") = py::handle(g_session_terminated_error);
  m.attr("SessionTimeoutError") = py::handle(g_session_timeout_error);
  BindMicro(m);

  py::class_<Model, std::shared_ptr<Model>>(m, "Model", "A model as imported (TFLite, ONNX or ember IR text)")
      .def_property_readonly("path", [](const Model& x) { return x.path; })
      .def_property_readonly("inputs", [](const Model& x) { return TensorInfos(x.graph, x.graph.inputs); })
      .def_property_readonly("outputs", [](const Model& x) { return TensorInfos(x.graph, x.graph.outputs); })
      .def_property_readonly("num_nodes", [](const Model& x) { return x.graph.nodes.size(); })
      .def("__repr__", [](const Model& x) {
        return "<ember.Model '" + x.path + "': " + std::to_string(x.graph.nodes.size()) + " nodes>";
      });

  py::class_<CompiledModule, std::shared_ptr<CompiledModule>>(m, "CompiledModule")
      .def_property_readonly("module_name", [](const CompiledModule& c) { return c.generated.module_name; })
      .def_property_readonly("target", [](const CompiledModule& c) { return c.target; })
      .def_property_readonly("executor", [](const CompiledModule& c) { return c.executor; })
      .def_property_readonly("model_path", [](const CompiledModule& c) { return c.model_path; })
      .def_property_readonly("inputs", [](const CompiledModule& c) { return TensorInfos(c.graph, c.graph.inputs); })
      .def_property_readonly("outputs", [](const CompiledModule& c) { return TensorInfos(c.graph, c.graph.outputs); })
      .def_property_readonly("arena_bytes", [](const CompiledModule& c) { return c.generated.workspace_bytes; })
      .def_property_readonly("weights_bytes", [](const CompiledModule& c) { return c.generated.constants_bytes; })
      .def_property_readonly("io_bytes", [](const CompiledModule& c) { return c.generated.io_bytes; })
      .def_property_readonly("plan_algorithm", [](const CompiledModule& c) { return c.generated.plan.algorithm; })
      .def_property_readonly("sources", [](const CompiledModule& c) { return c.generated.sources; })
      .def_property_readonly("header", [](const CompiledModule& c) {
        return std::make_pair(c.generated.header_name, c.generated.header);
      })
      .def_property_readonly("graph_json", [](const CompiledModule& c) { return c.generated.graph_json; })
      .def_property_readonly("ir_text", [](const CompiledModule& c) { return c.generated.ir_text; })
      .def("memory_plan", &MemoryPlan)
      .def("memory_summary", [](const CompiledModule& c) { return ember::memory::PlanSummary(c.graph, c.generated.plan); })
      .def("export_library_format", &Export, py::arg("path"));

  m.def("load_model", &LoadModel, py::arg("path"), py::arg("input_shapes") = std::vector<std::string>{});
  m.def("compile", &Compile, py::arg("model"), py::arg("target"), py::arg("executor"), py::arg("module_name"),
        py::arg("io_in_arena"), py::arg("external_arena"), py::arg("profile"), py::arg("keep_io_layout"),
        py::arg("keep_constant_channels"), py::arg("optimize_size"));
  m.def("get_standalone_crt_dir", [] { return ember::package::GetStandaloneCrtDir(); });
  m.def("list_template_projects", [] { return ember::micro::ListTemplateProjects(); });
  m.def("get_template_project_dir", [](const std::string& name) {
    try {
      return ember::micro::GetTemplateProjectDir(name).string();
    } catch (const ember::micro::ProjectApiError& e) {
      Raise(ember::MakeDiag("E0904", ember::ExitCode::kUsage, e.what(),
                            "pass a template name, a template folder or a project folder"));
    }
  }, py::arg("name"));
}
