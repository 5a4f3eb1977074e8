"""examples/python/micro_tutorial.py on the emulated Cortex-M4 (the qemu
template, host_driven): its output bytes are those of `ember run` on the same
project and input; a device reset there is SessionTerminatedError."""
import pathlib
import re
import subprocess
import sys

import pytest

import ember
import ember.micro as micro
from conftest import ROOT, need_tools


@pytest.fixture(scope="module")
def tutorial(tmp_path_factory, lines_model):
    need_tools("cmake", "arm-none-eabi-gcc", "qemu-system-arm")
    work = tmp_path_factory.mktemp("tutorial")
    x = lines_model.with_name("diagonal.bin")
    r = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "micro_tutorial.py"),
                        "--model", str(lines_model), "--input", str(x), "--workdir", str(work)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    return work, x, r.stdout


def test_tutorial_prints_ember_runs_bytes(tutorial, ember_cli):
    work, x, stdout = tutorial
    assert "graph executor result: " in stdout and "aot executor result: " in stdout
    printed = bytes.fromhex(re.search(r"^output bytes: ([0-9a-f]+)$", stdout, re.M).group(1))
    out = work / "cli.bin"
    subprocess.run([ember_cli, "run", str(work / "project"), "--input", str(x), "--output", str(out)],
                   check=True, capture_output=True, timeout=120)
    assert out.read_bytes() == printed
    assert max(range(len(printed)), key=lambda i: (printed[i] ^ 0x80)) == 2  # int8: the diagonal class


def test_qemu_reset_is_session_terminated(tutorial):
    work, _, _ = tutorial
    project = micro.GeneratedProject.from_directory(work / "project")
    assert project.info()["platform_name"] == "qemu"
    with micro.Session(project.transport(), timeout_sec=10) as session:
        assert session.device_info["platform"] == "mps2-an386"
        aot = session.create_aot_executor()
        aot.run()
        session.reset_device()
        with pytest.raises(micro.SessionTerminatedError) as e:
            aot.run()
        assert isinstance(e.value, ember.EmberError) and e.value.id == "E0804"
