"""`cmake --install` puts the Python package, the runtime and the templates
in a prefix; the installed package finds the runtime and the templates there
(not in the build or source tree), also after the prefix has moved."""
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

from conftest import need_tools

PROBE = r"""
import ember, ember.micro as micro, json
print(json.dumps({"package": ember.__file__, "crt": micro.get_standalone_crt_dir(),
                  "templates": micro.get_microtvm_template_projects()}))
"""


def probe(prefix):
    site = prefix / "lib" / "python3" / "dist-packages"
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMBER_") and k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(site)
    r = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, cwd=str(prefix))
    assert r.returncode == 0, r.stderr
    import json
    return json.loads(r.stdout)


def test_installed_package_is_relocatable(tmp_path, ember_cli):
    need_tools("cmake")
    build = pathlib.Path(ember_cli).resolve().parent.parent
    if not (build / "CMakeCache.txt").is_file():
        pytest.skip("the ember CLI is not in a CMake build folder")
    prefix = tmp_path / "prefix"
    r = subprocess.run(["cmake", "--install", str(build), "--prefix", str(prefix)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    for where in (prefix, tmp_path / "moved"):
        if where != prefix:
            shutil.move(str(prefix), str(where))
        found = probe(where)
        assert found["package"].startswith(str(where))
        assert found["crt"] == str(where / "share" / "ember" / "runtime")
        assert os.path.isfile(os.path.join(found["crt"], "include", "ember", "runtime.h"))
        assert {"host", "qemu", "standalone"} <= set(found["templates"])
        for name, d in found["templates"].items():
            assert d == str(where / "share" / "ember" / "templates" / name)
            assert os.access(os.path.join(d, "microtvm_api_server"), os.X_OK)
        assert os.path.isdir(os.path.join(found["templates"]["qemu"], "platform"))
