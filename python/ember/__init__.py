"""ember: an ML compiler for microcontrollers, from Python.

    import ember
    model = ember.load_model("kws.tflite")
    mod = ember.compile(model, target="cortex-m4", executor="aot", module_name="kws")
    mod.metadata          # the MLF metadata.json as a dict
    mod.memory            # the static memory plan, one dict per buffer
    mod.export_library_format("kws.tar")

`ember.micro` holds the names of microTVM's `tvm.micro` API. Every failure
of ember's libraries raises `EmberError`, whose `.id` is the stable
diagnostic id of docs/errors.md and `.message`/`.hint` its text.
"""

import json as _json
import os as _os
import tarfile as _tarfile
import tempfile as _tempfile



def _use_installed_data():
    """An installed package finds ember's C runtime and project templates
    next to it, wherever it was installed (relocatable): `cmake --install`
    writes _install_paths.py with the path from this folder to
    <prefix>/share/ember; `pip install` copies them into data/. Like the
    installed CLI, it tells the C++ core through EMBER_RUNTIME_DIR and
    EMBER_TEMPLATES_DIR, unless these are set already."""
    here = _os.path.dirname(_os.path.abspath(__file__))
    roots = [_os.path.join(here, "data")]
    try:
        from ._install_paths import SHARE_DIR
        roots.insert(0, _os.path.normpath(_os.path.join(here, SHARE_DIR)))
    except ImportError:
        pass
    for root in roots:
        runtime = _os.path.join(root, "runtime")
        templates = _os.path.join(root, "templates")
        if not _os.environ.get("EMBER_RUNTIME_DIR") and _os.path.isfile(
                _os.path.join(runtime, "include", "ember", "runtime.h")):
            _os.environ["EMBER_RUNTIME_DIR"] = runtime
        if not _os.environ.get("EMBER_TEMPLATES_DIR") and _os.path.isdir(templates):
            _os.environ["EMBER_TEMPLATES_DIR"] = templates


_use_installed_data()

from . import _ember  # noqa: E402
from ._ember import EmberError, Model  # noqa: E402

__version__ = _ember.__version__

__all__ = ["EmberError", "Model", "CompiledModule", "load_model", "compile", "TARGETS", "EXECUTORS"]

# The targets and executors of `ember compile --target/--executor`.
TARGETS = ("host", "cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55")
EXECUTORS = ("aot", "graph")

# compile()'s options beyond target, executor and module_name: the flags of
# `ember compile` with '-' written '_'.
_COMPILE_OPTIONS = {
    "io_in_arena": False,     # --io-in-arena
    "external_arena": False,  # --external-arena
    "profile": False,         # --profile
    "keep_io_layout": False,  # --keep-io-layout
    "keep_constant_channels": False,  # --keep-constant-channels
    "optimize_size": False,   # --optimize size
}


def load_model(path, input_shapes=None):
    """Reads a model as `ember compile` does: .tflite, .onnx or ember IR text (.ir).

    input_shapes: ONNX models only, a dict {input name: shape} (or a list of
    "NAME=1x3x96x96" strings, as --input-shape takes) fixing symbolic dimensions.
    Raises EmberError (e.g. id "E0001" for a file that cannot be read).
    """
    path = _os.fspath(path)
    if input_shapes is None:
        flags = []
    elif isinstance(input_shapes, dict):
        flags = ["%s=%s" % (name, "x".join(str(int(d)) for d in shape)) for name, shape in input_shapes.items()]
    else:
        flags = [str(s) for s in input_shapes]
    return _ember.load_model(path, flags)


class CompiledModule:
    """A compiled model: what `ember compile` writes, held in memory.

    .metadata   the Model Library Format metadata (metadata.json) as a dict
    .memory     the static memory plan: a list of dicts, one per buffer
                (kind "tensor" or "scratch", tensor name, node, first/last
                step, bytes, offset in the arena or None, in_arena, aliased)
    .export_library_format(path)  writes the MLF (.tar, else a folder)
    """

    def __init__(self, impl):
        self._impl = impl
        self._metadata = None

    module_name = property(lambda self: self._impl.module_name)
    target = property(lambda self: self._impl.target)
    executor = property(lambda self: self._impl.executor)
    model_path = property(lambda self: self._impl.model_path, doc="the model file it was compiled from")
    inputs = property(lambda self: self._impl.inputs, doc="[{name, dtype, shape[, scale, zero_point]}]")
    outputs = property(lambda self: self._impl.outputs, doc="[{name, dtype, shape[, scale, zero_point]}]")
    arena_bytes = property(lambda self: self._impl.arena_bytes)
    weights_bytes = property(lambda self: self._impl.weights_bytes)
    io_bytes = property(lambda self: self._impl.io_bytes)
    sources = property(lambda self: dict(self._impl.sources), doc="{file name: generated C}")
    header = property(lambda self: self._impl.header, doc="(file name, contents) of tvmgen_<name>.h")
    graph_json = property(lambda self: self._impl.graph_json or None, doc="graph executor builds: the graph JSON")

    def get_graph_json(self):
        """The graph JSON of an executor="graph" build (relay's
        get_graph_json(), for micro.create_local_graph_executor)."""
        if not self._impl.graph_json:
            raise _ember._make_error("E0807", 2, "module '%s' was compiled with executor=\"%s\": it has no graph JSON"
                                     % (self.module_name, self.executor), "compile it with executor=\"graph\"")
        return self._impl.graph_json
    ir_text = property(lambda self: self._impl.ir_text, doc="the final IR, as src/<name>.relay holds it")

    @property
    def metadata(self):
        # Exactly the metadata.json the export writes (graph builds add their
        # "sids"): the module is exported to a temporary tar and read back.
        if self._metadata is None:
            with _tempfile.TemporaryDirectory(prefix="ember-mlf-") as tmp:
                path = _os.path.join(tmp, "module.tar")
                self._impl.export_library_format(path)
                with _tarfile.open(path) as t:
                    self._metadata = _json.load(t.extractfile("./metadata.json"))
        return _json.loads(_json.dumps(self._metadata))  # a copy the caller may change

    @property
    def memory(self):
        return self._impl.memory_plan()

    def memory_summary(self):
        """The plan as `ember compile -v` prints it."""
        return self._impl.memory_summary()

    def export_library_format(self, file_name):
        """Writes the Model Library Format: an uncompressed tar when file_name
        ends in .tar, else a folder. Returns file_name. Raises
        ember.micro.UnsupportedInModelLibraryFormatError on failure."""
        file_name = _os.fspath(file_name)
        self._impl.export_library_format(file_name)
        return file_name

    def __repr__(self):
        return "<ember.CompiledModule '%s' target=%s executor=%s>" % (self.module_name, self.target, self.executor)


def compile(model, target="host", executor="aot", module_name="default", **options):  # noqa: A001
    """Compiles a model (an ember.Model, or a path to load) as `ember compile` does.

    target: one of TARGETS; executor: "aot" or "graph"; module_name: the
    <name> of tvmgen_<name>_run. options: io_in_arena, external_arena,
    profile, keep_io_layout, keep_constant_channels, optimize_size (the CLI's
    flags; optimize_size is --optimize size).
    Returns a CompiledModule.
    """
    if not isinstance(model, Model):
        model = load_model(model)
    if executor not in EXECUTORS:
        raise ValueError("executor %r is not one of %s" % (executor, ", ".join(EXECUTORS)))
    unknown = sorted(set(options) - set(_COMPILE_OPTIONS))
    if unknown:
        raise TypeError("compile() got unknown options %s; the options are %s"
                        % (", ".join(unknown), ", ".join(sorted(_COMPILE_OPTIONS))))
    flags = dict(_COMPILE_OPTIONS)
    flags.update({k: bool(v) for k, v in options.items()})
    impl = _ember.compile(model, str(target), executor, str(module_name), **flags)
    return CompiledModule(impl)


from . import micro  # noqa: E402  (ember.micro uses the names above)
