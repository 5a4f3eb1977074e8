"""ember.micro: the names of microTVM's `tvm.micro` API on ember's core.

    import ember.micro as micro
    micro.export_model_library_format(mod, "model.tar")
    micro.get_standalone_crt_dir()            # ember's C runtime sources
    micro.get_microtvm_template_projects("qemu")

Errors carry ember's diagnostic id (`.id`), as ember.EmberError does.
"""

import os as _os

from . import _ember
from ._ember import UnsupportedInModelLibraryFormatError

__all__ = [
    "export_model_library_format",
    "get_standalone_crt_dir",
    "get_microtvm_template_projects",
    "UnsupportedInModelLibraryFormatError",
]


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
    $EMBER_RUNTIME_DIR when set, else the runtime/ of the source tree."""
    return _ember.get_standalone_crt_dir()


def get_microtvm_template_projects(platform=None):
    """The folder of ember's project template `platform` ("host", "qemu",
    "standalone"), as tvm.micro.get_microtvm_template_projects(platform)
    gives microTVM's. Without `platform`, a dict {name: folder} of every
    template found. Raises ember.EmberError (E0904) for an unknown name."""
    if platform is None:
        return {name: _ember.get_template_project_dir(name) for name in _ember.list_template_projects()}
    return _ember.get_template_project_dir(_os.fspath(platform))
