"""ember.micro: the names of microTVM's `tvm.micro` API on ember's core.

    import ember
    import ember.micro as micro

    module = ember.compile(ember.load_model("kws.tflite"), target="cortex-m4", executor="graph")
    micro.export_model_library_format(module, "model.tar")
    template = micro.get_microtvm_template_projects("qemu")
    project = micro.generate_project(template, module, "proj",
                                     {"board": "mps2-an386", "project_type": "host_driven"})
    project.build()
    project.flash()
    with micro.Session(project.transport()) as session:
        graph_mod = micro.create_local_graph_executor(module.get_graph_json(), session.get_system_lib(),
                                                      session.device)
        graph_mod.set_input(0, sample)          # a numpy array of the input's shape and dtype
        graph_mod.run()
        print(graph_mod.get_output(0))          # a numpy array

Everything runs on ember's C++ core (the module _ember): the Project API
client and the templates' servers (docs/project-api.md), the framed session
and RPC to the device (docs/rpc.md) and the host-driven executors. Errors
are ember.EmberError with the diagnostic id of docs/errors.md in `.id`;
SessionTerminatedError, SessionTimeoutError and
UnsupportedInModelLibraryFormatError are its subclasses. docs/python.md
has the API, a migration table from tvm.micro and what differs.
"""

import collections as _collections
import contextlib as _contextlib
import json as _json
import logging as _logging
import os as _os
import shutil as _shutil
import tempfile as _tempfile
import time as _time

import numpy as _np

from . import _ember
from ._ember import SessionTerminatedError, SessionTimeoutError, UnsupportedInModelLibraryFormatError

__all__ = [
    "export_model_library_format",
    "get_standalone_crt_dir",
    "get_microtvm_template_projects",
    "generate_project",
    "generate_project_from_mlf",
    "TemplateProject",
    "GeneratedProject",
    "ProjectTransport",
    "TransportLogger",
    "Session",
    "Device",
    "SystemLib",
    "AotExecutor",
    "GraphExecutor",
    "DebugExecutor",
    "NodeTiming",
    "BenchmarkResult",
    "create_local_graph_executor",
    "create_local_debug_executor",
    "AutoTvmModuleLoader",
    "autotvm_build_func",
    "BuildResult",
    "MeasureInput",
    "SessionTerminatedError",
    "SessionTimeoutError",
    "UnsupportedInModelLibraryFormatError",
]

_LOG = _logging.getLogger(__name__)


def _error(err_id, exit_code, message, hint=""):
    """An ember.EmberError with ember's id, as the C++ core raises them."""
    return _ember._make_error(err_id, exit_code, message, hint)


def _options_json(options, what):
    if options is None:
        return "{}"
    if not isinstance(options, dict):
        raise TypeError("%s: options must be a dict of project options, got %s" % (what, type(options).__name__))
    return _json.dumps(options)


# ----------------------------------------------------------------- archives, folders

def export_model_library_format(mod, file_name):
    """Writes `mod` (from ember.compile) in Model Library Format to
    file_name (an uncompressed tar when it ends in .tar, else a folder) and
    returns file_name, as tvm.micro.export_model_library_format does.
    Raises UnsupportedInModelLibraryFormatError (with .id) on failure."""
    from . import CompiledModule
    if not isinstance(mod, CompiledModule):
        raise TypeError("export_model_library_format: expected a module from ember.compile, got %s"
                        % type(mod).__name__)
    return mod.export_library_format(file_name)


def get_standalone_crt_dir():
    """The folder of ember's C runtime sources (include/, src/, CMakeLists.txt):
    $EMBER_RUNTIME_DIR when set, else the installed runtime (cmake --install,
    pip install), else the runtime/ of the source tree."""
    return _ember.get_standalone_crt_dir()


def get_microtvm_template_projects(platform=None):
    """The folder of ember's project template `platform` ("host", "qemu",
    "standalone"), as tvm.micro.get_microtvm_template_projects(platform)
    gives microTVM's. Without `platform`, a dict {name: folder} of every
    template found. Raises ember.EmberError (E0904) for an unknown name."""
    if platform is None:
        return {name: _ember.get_template_project_dir(name) for name in _ember.list_template_projects()}
    return _ember.get_template_project_dir(_os.fspath(platform))


# ----------------------------------------------------------------- projects

class ProjectTransport:
    """The transport of a generated project, through its API server (what
    GeneratedProject.transport() returns). A context manager: `with` opens
    it and closes it (which also stops the project's server and device).
    Session(transport) opens and closes it itself."""

    def __init__(self, impl):
        self._impl = impl

    def open(self):
        self._impl.open()
        return self

    def close(self):
        self._impl.close()

    def timeouts(self):
        """{session_start_retry_timeout_sec, session_start_timeout_sec,
        session_established_timeout_sec} (after open)."""
        return self._impl.timeouts()

    def read(self, n, timeout_sec):
        """1..n bytes; SessionTimeoutError when nothing came in time,
        SessionTerminatedError when the device is gone."""
        return self._impl.read(int(n), timeout_sec)

    def write(self, data, timeout_sec):
        self._impl.write(bytes(data), timeout_sec)

    @property
    def project_dir(self):
        return self._impl.project_dir

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<ember.micro.ProjectTransport %s>" % self._impl.describe()


class TransportLogger(ProjectTransport):
    """Wraps a transport and logs every call in microTVM's TransportLogger
    format (`name: read { 5.00s}   16 B -> [ 16 B]: ...`) to `logger`
    (default: this module's logger) at `level`."""

    def __init__(self, name, child, logger=None, level=_logging.INFO):
        if not isinstance(child, ProjectTransport):
            raise TypeError("TransportLogger: child must be a transport (project.transport()), got %s"
                            % type(child).__name__)
        self.name = name
        self.child = child
        self.logger = logger if logger is not None else _LOG
        self.level = level
        super().__init__(_ember.transport_logger(str(name), child._impl, self._log))

    def _log(self, message):
        self.logger.log(self.level, "%s", message)


class GeneratedProject:
    """A project generated from a template (tvm.micro.GeneratedProject):
    build(), flash(), transport(). Holds the project's API server while it
    lives."""

    def __init__(self, impl):
        self._impl = impl

    @classmethod
    def from_directory(cls, project_dir, options=None):
        """Binds an existing project folder; `options` override those the
        project was generated with. Raises EmberError E0904 for a folder
        that is not a generated project."""
        return cls(_ember.GeneratedProject.from_directory(
            _os.fspath(project_dir), _options_json(options, "GeneratedProject.from_directory")))

    @property
    def project_dir(self):
        return self._impl.dir

    @property
    def options(self):
        return _json.loads(self._impl.options_json)

    @options.setter
    def options(self, options):
        self._impl.set_options_json(_options_json(options, "GeneratedProject.options"))

    def info(self):
        """server_info_query's reply: platform_name, is_template,
        model_library_format_path, project_options, protocol_version."""
        return _json.loads(self._impl.info_json)

    def build(self):
        self._impl.build()

    def flash(self):
        self._impl.flash()

    def transport(self):
        """A new ProjectTransport (its own server), for Session()."""
        return ProjectTransport(self._impl.transport())

    def __repr__(self):
        return "<ember.micro.GeneratedProject %s>" % self.project_dir


class TemplateProject:
    """A project template (tvm.micro.TemplateProject): its API server
    answers info() and generates projects."""

    def __init__(self, impl):
        self._impl = impl

    @classmethod
    def from_directory(cls, template_project_dir):
        """Raises EmberError E0904 for a folder without an API server or one
        holding a generated project."""
        return cls(_ember.TemplateProject.from_directory(_os.fspath(template_project_dir)))

    @property
    def template_project_dir(self):
        return self._impl.dir

    def info(self):
        """server_info_query's reply, with the template's project_options."""
        return _json.loads(self._impl.info_json)

    def generate_project_from_mlf(self, model_library_format_path, project_dir, options=None):
        """Generates `project_dir` (which must not exist) from an MLF
        archive; options are checked against the template's declaration
        (EmberError E0903 names the bad one)."""
        if _os.path.lexists(_os.fspath(project_dir)):
            raise _error("E0903", 2, "the project folder '%s' exists" % _os.fspath(project_dir),
                         "pass a folder that does not exist yet (ember never overwrites one from Python)")
        return GeneratedProject(self._impl.generate_project_from_mlf(
            _os.fspath(model_library_format_path), _os.fspath(project_dir),
            _options_json(options, "generate_project_from_mlf"), False))

    def generate_project(self, graph_executor_factory, project_dir, options=None):
        """Exports the module (from ember.compile) to a temporary MLF archive
        and generates the project from it."""
        with _tempfile.TemporaryDirectory(prefix="ember-mlf-") as tmp:
            mlf = _os.path.join(tmp, "model.tar")
            export_model_library_format(graph_executor_factory, mlf)
            return self.generate_project_from_mlf(mlf, project_dir, options)


def generate_project(template_project_dir, module, generated_project_dir, options=None):
    """tvm.micro.generate_project: a project for `module` (from
    ember.compile) from the template in template_project_dir."""
    return TemplateProject.from_directory(template_project_dir).generate_project(
        module, generated_project_dir, options)


def generate_project_from_mlf(template_project_dir, project_dir, mlf_path, options=None):
    """tvm.micro.generate_project_from_mlf (its argument order): a project
    from a Model Library Format archive."""
    return TemplateProject.from_directory(template_project_dir).generate_project_from_mlf(
        mlf_path, project_dir, options)


# ----------------------------------------------------------------- session

class Device:
    """The device of a session (tvm.micro's session.device): what its INFO
    reply says (platform, model_name, ticks_per_second, ...)."""

    def __init__(self, session):
        self._session = session

    @property
    def info(self):
        return self._session._open_impl().device_info

    def __repr__(self):
        return "<ember.micro.Device %s>" % self.info.get("platform", "?")


class SystemLib:
    """The device's operators (tvm.micro's session.get_system_lib()): what
    the graph executor calls by name. operators() lists them as
    (name, num_inputs, num_outputs); empty unless the model was compiled
    with executor="graph"."""

    def __init__(self, session):
        self._session = session

    def operators(self):
        return self._session._open_impl().operators()

    def __repr__(self):
        return "<ember.micro.SystemLib of %r>" % self._session


class Session:
    """A session with a host-driven device (tvm.micro.Session): the framed
    session and ember's RPC over the transport of a project generated with
    project_type "host_driven" (docs/rpc.md). A context manager:

        with micro.Session(project.transport()) as session:
            aot = session.create_aot_executor()

    Opening checks that the device runs the project's model (EmberError
    E0806 otherwise). timeout_sec bounds every wait for a reply;
    timeout_override is (retry, start, established) seconds instead of the
    defaults (2, 10, timeout_sec)."""

    def __init__(self, transport_context_manager=None, session_name="micro-rpc", timeout_override=None,
                 timeout_sec=60.0):
        if transport_context_manager is None:
            raise TypeError("Session: pass the transport of a generated project (project.transport())")
        if not isinstance(transport_context_manager, ProjectTransport):
            raise TypeError("Session: transport_context_manager must come from GeneratedProject.transport() "
                            "(or be a TransportLogger around one), got %s"
                            % type(transport_context_manager).__name__)
        self.transport = transport_context_manager
        self.session_name = session_name
        self._timeout_override = None if timeout_override is None else [float(t) for t in timeout_override]
        self._timeout_sec = float(timeout_sec)
        self._impl = _ember.Session(transport_context_manager._impl)

    def open(self):
        self._impl.open(self.session_name, self._timeout_sec, self._timeout_override)
        return self

    def close(self):
        self._impl.close()

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()

    def _open_impl(self):
        if not self._impl.is_open:
            raise _error("E0814", 2, "the session is closed",
                         "use it inside its `with micro.Session(...)` block, or open it again")
        return self._impl

    @property
    def is_open(self):
        return self._impl.is_open

    @property
    def device(self):
        return Device(self)

    @property
    def device_info(self):
        return self._open_impl().device_info

    @property
    def inputs(self):
        """The model's inputs: [{name, dtype, shape[, scale, zero_point]}]."""
        return self._open_impl().inputs

    @property
    def outputs(self):
        return self._open_impl().outputs

    def get_system_lib(self):
        self._open_impl()
        return SystemLib(self)

    def create_aot_executor(self):
        """The model's AOT executor on the device (its run())."""
        return AotExecutor(self)

    def reset_device(self):
        """Asks the device to reset (RPC RESET). The session then ends:
        the next call raises SessionTerminatedError until reconnect()."""
        self._open_impl().reset_device()

    def reconnect(self):
        """A new session on the open transport, after SessionTerminatedError."""
        self._open_impl().reconnect()

    def __repr__(self):
        state = "open" if self.is_open else "closed"
        return "<ember.micro.Session '%s' %s>" % (self.session_name, state)


# ----------------------------------------------------------------- executors

BenchmarkResult = _collections.namedtuple("BenchmarkResult", ["results", "mean", "median", "min", "max", "std"])
BenchmarkResult.__doc__ = "Times of whole runs on the device, in seconds (from its timer)."

NodeTiming = _collections.namedtuple(
    "NodeTiming", ["node", "name", "func_name", "shape", "dtype", "time_us", "ticks", "output_file"])
NodeTiming.__doc__ = ("One operator of a debug run: graph node index, node and function name, output shape and "
                      "dtype, mean time of one call in microseconds (device timer), the raw tick measurements, "
                      "and the .npy of its output relative to the dump folder.")


def _describe(info):
    return "shape %s and dtype %s" % (tuple(info["shape"]), info["dtype"])


class _Executor:
    """set_input / run / get_output with numpy arrays, over the bound
    executor `_impl` whose input and output descriptions are `_inputs` and
    `_outputs` (dicts with name, dtype, shape)."""

    def _input_index(self, key):
        inputs = self._inputs
        if isinstance(key, str):
            for i, info in enumerate(inputs):
                if info["name"] == key:
                    return i
            raise _error("E0401", 2, "the model has no input named '%s'; its inputs: %s"
                         % (key, ", ".join("'%s'" % i["name"] for i in inputs)),
                         "pass an input's name or index")
        if isinstance(key, bool) or not isinstance(key, (int, _np.integer)):
            raise TypeError("set_input: the input is named by its index or name, not %s" % type(key).__name__)
        if not 0 <= int(key) < len(inputs):
            raise _error("E0401", 2, "the model has %d input(s); there is no input %d" % (len(inputs), int(key)),
                         "pass an index below %d" % len(inputs))
        return int(key)

    def get_num_inputs(self):
        return len(self._inputs)

    def get_num_outputs(self):
        return len(self._outputs)

    def get_input_index(self, name):
        return self._input_index(str(name))

    @property
    def input_info(self):
        """[{name, dtype, shape}] of the inputs, in order."""
        return [dict(i) for i in self._inputs]

    @property
    def output_info(self):
        return [dict(o) for o in self._outputs]

    def set_input(self, key=None, value=None, **params):
        """Sets an input from a numpy array of exactly the input's shape and
        dtype (named by index or name); keyword arguments set inputs by name.
        Anything else is refused (EmberError E0405 for the dtype, E0406 for
        the shape; the message gives the expected shape and dtype)."""
        if key is not None:
            self._set_one(key, value)
        for name, v in params.items():
            self._set_one(name, v)

    def _set_one(self, key, value):
        i = self._input_index(key)
        info = self._inputs[i]
        what = "input %d '%s' takes an array of %s" % (i, info["name"], _describe(info))
        if not isinstance(value, _np.ndarray):
            raise TypeError("%s; got %s (pass a numpy array)" % (what, type(value).__name__))
        want_dtype = _np.dtype(info["dtype"])
        if value.dtype != want_dtype:
            raise _error("E0405", 2, "%s; got dtype %s" % (what, value.dtype),
                         "convert it: value.astype(numpy.%s)" % want_dtype.name)
        if tuple(value.shape) != tuple(info["shape"]):
            raise _error("E0406", 2, "%s; got shape %s" % (what, tuple(value.shape)),
                         "reshape it to %s" % (tuple(info["shape"]),))
        self._impl.set_input(i, _np.ascontiguousarray(value).tobytes())

    def get_output(self, index):
        """Output `index` as a new numpy array (read from the device)."""
        outputs = self._outputs
        if isinstance(index, bool) or not isinstance(index, (int, _np.integer)) or not 0 <= int(index) < len(outputs):
            raise IndexError("get_output: the model has %d output(s); no output %r" % (len(outputs), index))
        info = outputs[int(index)]
        data = self._impl.get_output(int(index))
        return _np.frombuffer(data, dtype=_np.dtype(info["dtype"])).reshape(tuple(info["shape"])).copy()


class AotExecutor(_Executor):
    """The model's AOT executor on the device (Session.create_aot_executor()):
    set_input writes an input into the model's own buffer, run() calls the
    model's run() once, get_output reads an output back."""

    def __init__(self, session):
        if not isinstance(session, Session):
            raise TypeError("AotExecutor: expected a micro.Session, got %s" % type(session).__name__)
        self._session = session
        impl = session._open_impl()
        self._inputs = impl.inputs
        self._outputs = impl.outputs
        self._impl = _ember.AotExecutor(impl)
        self.last_run_ticks = None

    def run(self, **inputs):
        """Runs the model once (after setting any inputs given by name)."""
        if inputs:
            self.set_input(**inputs)
        self.last_run_ticks = self._impl.run()

    def benchmark(self, number=1, repeat=3):
        """`repeat` measurements of `number` runs each, timed on the device;
        a BenchmarkResult in seconds per run."""
        if number < 1 or repeat < 1:
            raise ValueError("benchmark: number and repeat must be at least 1")
        tps = self._session.device_info["ticks_per_second"]
        if not tps:
            raise _error("E0807", 2, "the device has no timer (ticks_per_second is 0)")
        ticks = self._impl.time_run(int(number), int(repeat))
        results = [t / tps / number for t in ticks]
        arr = _np.array(results)
        return BenchmarkResult(results, float(arr.mean()), float(_np.median(arr)), float(arr.min()),
                               float(arr.max()), float(arr.std()))


def _check_lib_device(mod, device, what):
    if not isinstance(mod, SystemLib):
        raise TypeError("%s: mod must be session.get_system_lib(), got %s" % (what, type(mod).__name__))
    if device is not None and not isinstance(device, Device):
        raise TypeError("%s: device must be session.device, got %s" % (what, type(device).__name__))
    if device is not None and device._session is not mod._session:
        raise _error("E0814", 2, "%s: mod and device belong to different sessions" % what,
                     "pass session.get_system_lib() and session.device of one session")
    return mod._session


class GraphExecutor(_Executor):
    """tvm.micro's local graph executor: the graph JSON is interpreted on the
    host and every operator is called on the device, tensors in its memory
    (micro/executor/graph_executor.h). Needs a model compiled with
    executor="graph"."""

    def __init__(self, graph_json_str, session, debug=False, dump_root=""):
        if not isinstance(graph_json_str, str):
            raise TypeError("the graph JSON is a str (module.get_graph_json()), got %s"
                            % type(graph_json_str).__name__)
        self._session = session
        self._impl = _ember.GraphExecutor(session._open_impl(), graph_json_str, debug, dump_root)
        self._inputs = self._impl.inputs
        self._outputs = self._impl.outputs

    def run(self, **inputs):
        """Runs every node once, in order."""
        if inputs:
            self.set_input(**inputs)
        self._impl.run()


class DebugExecutor(GraphExecutor):
    """tvm.micro's local debug executor: run() runs the graph once (warm-up),
    times every operator on the device, runs it node by node and writes
    every node's output to dump_dir (.npy, with microTVM's graph dump and a
    Chrome trace). node_timings is the result: one NodeTiming per operator,
    in graph order; table() is microTVM's per-node table."""

    def __init__(self, graph_json_str, session, dump_root=None):
        if dump_root is None:
            self._tmp = _tempfile.TemporaryDirectory(prefix="ember-debug-")
            dump_root = self._tmp.name
        super().__init__(graph_json_str, session, debug=True, dump_root=_os.fspath(dump_root))
        self.node_timings = []

    @property
    def dump_dir(self):
        return self._impl.dump_dir

    def run(self, number=1, repeat=1, **inputs):
        """Runs and times every node (`repeat` measurements of `number`
        calls each); returns node_timings."""
        if inputs:
            self.set_input(**inputs)
        if number < 1 or repeat < 1:
            raise ValueError("run: number and repeat must be at least 1")
        records = self._impl.run_debug(int(number), int(repeat))
        self.node_timings = [NodeTiming(r["node"], r["name"], r["func_name"], r["shape"], r["dtype"], r["time_us"],
                                        list(r["ticks"]), r["output_file"]) for r in records]
        return self.node_timings

    def table(self, sort_by_time=True):
        """microTVM's table of the last run: Node Name, Ops, Time(us),
        Time(%), Shape, ... and a Total_time row."""
        return self._impl.table(sort_by_time)


def create_local_graph_executor(graph_json_str, mod, device):
    """tvm.micro.create_local_graph_executor: mod is session.get_system_lib(),
    device is session.device."""
    return GraphExecutor(graph_json_str, _check_lib_device(mod, device, "create_local_graph_executor"))


def create_local_debug_executor(graph_json_str, mod, device, dump_root=None):
    """tvm.micro.create_local_debug_executor: as create_local_graph_executor,
    plus per-node timings (DebugExecutor.run() returns them) and every
    node's output in dump_root (a temporary folder when None)."""
    return DebugExecutor(graph_json_str, _check_lib_device(mod, device, "create_local_debug_executor"), dump_root)


# ----------------------------------------------------------------- AutoTVM-style measuring

MeasureInput = _collections.namedtuple("MeasureInput", ["target", "model", "config"])
MeasureInput.__doc__ = ("One candidate build: target (e.g. 'cortex-m4'), model (a path or ember.Model) and config, "
                        "a dict of ember.compile's options (executor, module_name, io_in_arena, ...).")

BuildResult = _collections.namedtuple("BuildResult", ["filename", "arg_info", "error", "time_cost"])
BuildResult.__doc__ = ("AutoTVM's BuildResult: the MLF archive built, (inputs, outputs) descriptions, the "
                       "exception if the build failed (else None), and the build time in seconds.")


def autotvm_build_func(measure_input, tmp_dir, **kwargs):
    """Builds one candidate (a MeasureInput, or any object with target,
    model and config) into `tmp_dir`/model.tar, as AutoTVM's build_func
    does; kwargs are more ember.compile options. Failures are returned in
    BuildResult.error, not raised, so a tuner records them and goes on.

    Scope: ember's candidates are whole-model builds with different compile
    options; per-kernel schedules are tuned by `ember tune`."""
    from . import compile as _compile
    start = _time.monotonic()
    try:
        options = dict(getattr(measure_input, "config", None) or {})
        options.update(kwargs)
        module = _compile(measure_input.model, target=measure_input.target, **options)
        filename = _os.path.join(_os.fspath(tmp_dir), "model.tar")
        export_model_library_format(module, filename)
        return BuildResult(filename, (module.inputs, module.outputs), None, _time.monotonic() - start)
    except Exception as e:  # noqa: BLE001  (AutoTVM's contract: the error is part of the result)
        return BuildResult(None, None, e, _time.monotonic() - start)


class AutoTvmModuleLoader:
    """AutoTVM's module loader: called with (remote_kw, build_result), a
    context manager that generates a project from build_result.filename
    with the template, builds and flashes it, opens a Session and yields
    (session, system_lib). The project lives in a temporary folder (or in
    project_dir, which must not exist) removed afterwards. remote_kw is
    accepted for microTVM's signature and ignored: the device is reached
    through the project, not an RPC tracker.

        loader = micro.AutoTvmModuleLoader(micro.get_microtvm_template_projects("qemu"),
                                           {"board": "mps2-an386", "project_type": "host_driven"})
        result = micro.autotvm_build_func(micro.MeasureInput("cortex-m4", "kws.tflite", {}), tmp)
        with loader(None, result) as (session, system_lib):
            print(session.create_aot_executor().benchmark(repeat=3).median)
    """

    def __init__(self, template_project_dir, project_options=None, project_dir=None):
        self.template_project_dir = _os.fspath(template_project_dir)
        self.project_options = dict(project_options or {})
        self.project_options.setdefault("project_type", "host_driven")
        self.project_dir = None if project_dir is None else _os.fspath(project_dir)

    @_contextlib.contextmanager
    def __call__(self, remote_kw, build_result):
        if build_result.error is not None:
            raise build_result.error
        tmp = None
        project_dir = self.project_dir
        if project_dir is None:
            tmp = _tempfile.mkdtemp(prefix="ember-autotvm-")
            project_dir = _os.path.join(tmp, "project")
        try:
            project = generate_project_from_mlf(self.template_project_dir, project_dir, build_result.filename,
                                                self.project_options)
            project.build()
            project.flash()
            with Session(project.transport()) as session:
                yield session, session.get_system_lib()
        finally:
            if tmp is not None:
                _shutil.rmtree(tmp, ignore_errors=True)
