"""ember.micro's Project API names: TemplateProject, GeneratedProject,
generate_project, generate_project_from_mlf, transports and their errors
(the host template: its device is a process, its build the system cc)."""
import json
import os

import pytest

import ember
import ember.micro as micro
from conftest import need_tools


def test_template_project_info():
    t = micro.TemplateProject.from_directory(micro.get_microtvm_template_projects("host"))
    info = t.info()
    assert info["is_template"] is True and info["platform_name"] == "host"
    names = {o["name"] for o in info["project_options"]}
    assert {"project_type", "verbose"} <= names
    assert t.template_project_dir == micro.get_microtvm_template_projects("host")


def test_qemu_template_declares_boards():
    info = micro.TemplateProject.from_directory(micro.get_microtvm_template_projects("qemu")).info()
    board = [o for o in info["project_options"] if o["name"] == "board"][0]
    assert "mps2-an386" in board["choices"]


def test_template_dir_without_server(tmp_path):
    with pytest.raises(ember.EmberError) as e:
        micro.TemplateProject.from_directory(tmp_path)
    assert e.value.id == "E0904"
    assert str(tmp_path) in e.value.message


def test_generate_project_checks_options(tmp_path, lines_model):
    module = ember.compile(lines_model, target="host", executor="aot", module_name="lines")
    host = micro.get_microtvm_template_projects("host")
    with pytest.raises(ember.EmberError) as e:
        micro.generate_project(host, module, tmp_path / "p", {"project_type": "no-such-type"})
    assert e.value.id == "E0903" and "host_driven" in e.value.message
    with pytest.raises(ember.EmberError) as e:
        micro.generate_project(host, module, tmp_path / "p", {"no_such_option": 1})
    assert e.value.id == "E0903" and "no_such_option" in e.value.message
    assert not (tmp_path / "p").exists()
    with pytest.raises(TypeError):
        micro.generate_project(host, module, tmp_path / "p", options=["project_type"])
    with pytest.raises(TypeError):
        micro.generate_project(host, "not a module", tmp_path / "p")


def test_generate_project_from_mlf_and_from_directory(tmp_path, lines_model):
    module = ember.compile(lines_model, target="host", module_name="lines")
    mlf = micro.export_model_library_format(module, str(tmp_path / "model.tar"))
    host = micro.get_microtvm_template_projects("host")
    project = micro.generate_project_from_mlf(host, tmp_path / "p", mlf, {"project_type": "aot_io"})
    assert isinstance(project, micro.GeneratedProject)
    assert project.project_dir == str(tmp_path / "p")
    assert project.info()["is_template"] is False
    assert os.path.isfile(project.info()["model_library_format_path"])
    assert json.loads((tmp_path / "p" / "ember_project.json").read_text())["options"]["project_type"] == "aot_io"
    # The folder exists now: never overwritten.
    with pytest.raises(ember.EmberError) as e:
        micro.generate_project_from_mlf(host, tmp_path / "p", mlf)
    assert e.value.id == "E0903" and "exists" in e.value.message
    again = micro.GeneratedProject.from_directory(tmp_path / "p", {"verbose": True})
    assert again.options["verbose"] is True
    # A template is not a generated project, and the reverse.
    with pytest.raises(ember.EmberError) as e:
        micro.GeneratedProject.from_directory(host)
    assert e.value.id == "E0904"
    with pytest.raises(ember.EmberError) as e:
        micro.TemplateProject.from_directory(tmp_path / "p")
    assert e.value.id == "E0904"


def test_flash_before_build_is_an_error(tmp_path, lines_model):
    need_tools("cmake", "cc")
    module = ember.compile(lines_model, target="host", module_name="lines")
    project = micro.generate_project(micro.get_microtvm_template_projects("host"), module, tmp_path / "p")
    with pytest.raises(ember.EmberError) as e:
        project.flash()
    assert e.value.id in ("E0803", "E0902")
    assert "build" in e.value.message


def test_aot_io_transport_round_trip(tmp_path, lines_model):
    """A project's transport used directly (project_type aot_io: input bytes
    in, output bytes out), as a context manager and through TransportLogger."""
    need_tools("cmake", "cc")
    module = ember.compile(lines_model, target="host", module_name="lines")
    project = micro.generate_project(micro.get_microtvm_template_projects("host"), module, tmp_path / "p")
    project.build()
    project.flash()
    n_in = 1
    for d in module.inputs[0]["shape"]:
        n_in *= d
    n_out = 1
    for d in module.outputs[0]["shape"]:
        n_out *= d
    messages = []

    class Sink:
        def log(self, level, fmt, *args):
            messages.append(fmt % args)

    with micro.TransportLogger("ember-test", project.transport(), logger=Sink()) as t:
        assert set(t.timeouts()) == {"session_start_retry_timeout_sec", "session_start_timeout_sec",
                                     "session_established_timeout_sec"}
        t.write(bytes(n_in), 10.0)
        out = b""
        while len(out) < n_out:
            out += t.read(n_out - len(out), 10.0)
    assert len(out) == n_out
    assert messages[0] == "ember-test: opening transport"
    assert any(m.startswith("ember-test: write {10.00s}") for m in messages)
    assert any(m.startswith("ember-test: read {10.00s}") for m in messages)
    assert messages[-1] == "ember-test: closing transport"
    with pytest.raises(TypeError):
        micro.TransportLogger("x", "not a transport")
