"""ember.micro's directory helpers."""
import os

import pytest

import ember
import ember.micro as micro


def test_standalone_crt_dir():
    d = micro.get_standalone_crt_dir()
    assert os.path.isdir(d)
    assert os.path.isfile(os.path.join(d, "CMakeLists.txt"))
    assert os.path.isdir(os.path.join(d, "include"))


def test_template_projects():
    all_templates = micro.get_microtvm_template_projects()
    assert {"host", "qemu", "standalone"} <= set(all_templates)
    host = micro.get_microtvm_template_projects("host")
    assert os.path.isdir(host) and host == all_templates["host"]
    with pytest.raises(ember.EmberError) as e:
        micro.get_microtvm_template_projects("no-such-board")
    assert e.value.id == "E0904" and "no-such-board" in e.value.message


def test_public_names():
    """Every name of ember.micro's __all__ exists; the exceptions carry ids."""
    for name in micro.__all__:
        assert hasattr(micro, name), name
    for exc in (micro.SessionTerminatedError, micro.SessionTimeoutError, micro.UnsupportedInModelLibraryFormatError):
        assert issubclass(exc, ember.EmberError) and exc.__module__ == "ember.micro"
    assert micro.BuildResult._fields == ("filename", "arg_info", "error", "time_cost")
