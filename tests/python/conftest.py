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
