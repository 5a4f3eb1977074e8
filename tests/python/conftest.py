import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def digits_onnx():
    """A small float CNN kept in the repository (examples/digits)."""
    p = ROOT / "examples" / "digits" / "digits.onnx"
    if not p.is_file():
        pytest.skip("examples/digits/digits.onnx is missing")
    return p


@pytest.fixture(scope="session")
def ember_cli():
    """The `ember` CLI of the same build (EMBER_CLI, set by ctest), else one on PATH."""
    cli = os.environ.get("EMBER_CLI") or shutil.which("ember")
    if not cli or not os.access(cli, os.X_OK):
        pytest.skip("the ember CLI is not available (set EMBER_CLI)")
    return cli


def _package_build_dir():
    """<build>/python of the package under test (ember/ is in it), if any."""
    import ember
    return pathlib.Path(ember.__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def lines_model():
    """The example model of the Python package (examples/lines/, built into
    <build>/python/models/ by the target ember_python) and its sample inputs."""
    for d in (_package_build_dir() / "models", ROOT / "build" / "python" / "models"):
        if (d / "lines.tflite").is_file():
            return d / "lines.tflite"
    pytest.skip("the example model lines.tflite is missing (build the target ember_python)")


def need_tools(*tools):
    missing = [t for t in tools if shutil.which(t) is None]
    if missing:
        pytest.skip("needs %s (scripts/setup.sh installs them)" % ", ".join(missing))


@pytest.fixture(scope="session")
def host_project(tmp_path_factory, lines_model):
    """The lines model (executor graph, target host) as a built and flashed
    host_driven project of the host template: (project, module)."""
    need_tools("cmake", "cc")
    import ember
    import ember.micro as micro
    module = ember.compile(ember.load_model(lines_model), target="host", executor="graph", module_name="lines")
    d = tmp_path_factory.mktemp("host") / "project"
    project = micro.generate_project(micro.get_microtvm_template_projects("host"), module, d,
                                     {"project_type": "host_driven"})
    project.build()
    project.flash()
    return project, module
