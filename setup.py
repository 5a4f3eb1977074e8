"""`pip install .`: the Python package `ember` (python/ember/) with its
extension module built by the project's CMake (bindings/python/).

Works offline with Debian's setuptools, wheel and pip (no pyproject.toml, so
pip builds with the installed setuptools rather than downloading one). The
CMake build goes into build-python/ (EMBER_PYTHON_BUILD_DIR overrides), for
the interpreter running pip. Needs the packages of scripts/setup.sh.

The package carries ember's C runtime and the project templates (their
compiled API servers included) in ember/data/, where ember.micro finds them
(get_standalone_crt_dir, get_microtvm_template_projects; docs/python.md).
"""
import os
import pathlib
import re
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent
# setuptools' own build and egg-info folders, out of the project's build/ and python/.
SETUPTOOLS_DIR = ROOT / "build-python" / "setuptools"
SETUPTOOLS_DIR.mkdir(parents=True, exist_ok=True)


def project_version():
    text = (ROOT / "CMakeLists.txt").read_text()
    return re.search(r"project\(ember VERSION ([0-9.]+)", text).group(1)


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build = pathlib.Path(os.environ.get("EMBER_PYTHON_BUILD_DIR", ROOT / "build-python"))
        configure = ["cmake", "-S", str(ROOT), "-B", str(build), "-DPython_EXECUTABLE=" + sys.executable,
                     "-DEMBER_BUILD_TESTS=OFF"]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        if shutil.which("ccache"):
            configure += ["-DCMAKE_C_COMPILER_LAUNCHER=ccache", "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"]
        subprocess.check_call(configure)
        jobs = os.environ.get("EMBER_PYTHON_JOBS", str(os.cpu_count() or 1))
        subprocess.check_call(["cmake", "--build", str(build), "--target", "_ember", "-j", jobs])
        built = sorted((build / "python" / "ember").glob("_ember*.so"))
        if not built:
            raise RuntimeError("the CMake build made no _ember module: are python3-dev and pybind11-dev installed?")
        dest = pathlib.Path(self.get_ext_fullpath(ext.name))
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(built[0], dest)
        # The runtime and the templates (built with the module) in ember/data/.
        data = dest.parent / "data"
        shutil.rmtree(data, ignore_errors=True)
        runtime = data / "runtime"
        runtime.mkdir(parents=True)
        for name in ("CMakeLists.txt", "README.md"):
            shutil.copy2(ROOT / "runtime" / name, runtime / name)
        for name in ("include", "src", "platform"):
            shutil.copytree(ROOT / "runtime" / name, runtime / name)
        for template in sorted((build / "templates").iterdir()):
            if (template / "launch_microtvm_api_server.sh").is_file():
                shutil.copytree(template, data / "templates" / template.name)


setup(
    name="ember",
    version=project_version(),
    description="ember: an ML compiler for microcontrollers (the tvm.micro-style Python API)",
    package_dir={"": "python"},
    packages=["ember"],
    ext_modules=[CMakeExtension("ember._ember")],
    cmdclass={"build_ext": CMakeBuild},
    python_requires=">=3.8",
    zip_safe=False,
    options={"build": {"build_base": str(SETUPTOOLS_DIR)}, "egg_info": {"egg_base": str(SETUPTOOLS_DIR)}},
)
