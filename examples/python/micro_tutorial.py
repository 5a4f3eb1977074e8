#!/usr/bin/env python3
"""microTVM's tutorial ("microTVM with TFLite models", then its AOT part),
line by line with ember: load a TFLite model, build it for a board, export
the Model Library Format, generate a qemu project, build and flash it, open
a session, run the graph executor and the AOT executor, print the result.

    make python
    python3 examples/python/micro_tutorial.py              # the example model, emulated Cortex-M4
    python3 examples/python/micro_tutorial.py --model kws.tflite --input in.npy

Needs the qemu template's tools (arm-none-eabi-gcc, qemu-system-arm;
scripts/setup.sh installs them). Without --input the model's input is a
sample picture of the example model, or zeros. The output bytes printed are
those `ember run PROJECT_DIR --input FILE` gives for the same input
(--workdir keeps the project to check).
"""
import argparse
import os
import pathlib
import shutil
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEBIAN_PYTHON = "/usr/bin/python3"


def use_debian_python(error):
    """`make python` builds the module for Debian's python3 (with python3-numpy);
    another python3 first on PATH (pyenv, a venv) may lack numpy or the module."""
    if os.path.exists(DEBIAN_PYTHON) and os.path.realpath(sys.executable) != os.path.realpath(DEBIAN_PYTHON):
        os.execv(DEBIAN_PYTHON, [DEBIAN_PYTHON] + sys.argv)
    sys.exit("micro_tutorial: %s; run `make python` (python3-dev, pybind11-dev, python3-numpy)" % error)


try:
    import numpy as np
    try:
        import ember
    except ImportError:  # `make python` puts the package in the source tree's python/
        sys.path.insert(0, str(ROOT / "python"))
        import ember
    import ember.micro as micro
except ImportError as e:
    use_debian_python(e)


def example_model():
    """The tiny int8 CNN the build makes for the Python package (examples/lines/)."""
    for build in ("build", "build-python"):
        p = ROOT / build / "python" / "models" / "lines.tflite"
        if p.is_file():
            return p
    sys.exit("micro_tutorial: no model: run `make python` (it builds build/python/models/lines.tflite) "
             "or pass --model FILE.tflite")


def read_input(path, info):
    """An input as numpy: a .npy file, or the raw bytes of a .bin file."""
    dtype, shape = np.dtype(info["dtype"]), tuple(info["shape"])
    if path is None:
        sample = pathlib.Path(args.model).with_name("vertical.bin")
        if sample.is_file() and sample.stat().st_size == np.prod(shape) * dtype.itemsize:
            path = sample
        else:
            return np.zeros(shape, dtype)
    path = pathlib.Path(path)
    if path.suffix == ".npy":
        return np.load(path)
    return np.fromfile(path, dtype=dtype).reshape(shape)


parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("--model", help="a .tflite model (default: the example model of `make python`)")
parser.add_argument("--input", help="the input: .npy or raw .bin (default: a sample, or zeros)")
parser.add_argument("--board", default="mps2-an386", help="the qemu board (default: mps2-an386, a Cortex-M4F)")
parser.add_argument("--target", default="cortex-m4", help="ember's target for the board's core")
parser.add_argument("--workdir", help="keep model.tar and project/ in this folder (default: a temporary one)")
args = parser.parse_args()
args.model = args.model or str(example_model())

######################################################################
# Load and prepare the pre-trained model
# --------------------------------------
# microTVM: tflite.Model.GetRootAsModel + relay.frontend.from_tflite.
model = ember.load_model(args.model)
input_info = model.inputs[0]
input_tensor = input_info["name"]
print("model %s: input '%s' %s %s" % (args.model, input_tensor, input_info["dtype"], input_info["shape"]))

######################################################################
# Defining the target and compiling the model
# -------------------------------------------
# microTVM: relay.build(mod, target, runtime=Runtime("crt"), executor=Executor("graph")).
# executor="graph" adds the operator table the graph executor calls; the
# same firmware runs the AOT executor too.
TARGET = args.target
module = ember.compile(model, target=TARGET, executor="graph", module_name="default")

######################################################################
# Export the Model Library Format
# -------------------------------
temp_dir = pathlib.Path(args.workdir) if args.workdir else pathlib.Path(tempfile.mkdtemp(prefix="ember-tutorial-"))
temp_dir.mkdir(parents=True, exist_ok=True)
model_tar_path = temp_dir / "model.tar"
micro.export_model_library_format(module, model_tar_path)
print("exported %s" % model_tar_path)

######################################################################
# Generate, build and flash the project
# -------------------------------------
# ember's qemu template plays the part of microTVM's crt/zephyr templates:
# an emulated Cortex-M board. project_type host_driven is the firmware that
# serves the session (microTVM's host-driven project type).
template_project_path = pathlib.Path(micro.get_microtvm_template_projects("qemu"))
project_options = {"board": args.board, "project_type": "host_driven"}
generated_project_dir = temp_dir / "project"
project = micro.generate_project(template_project_path, module, generated_project_dir, project_options)
project.build()
project.flash()
print("built and flashed %s" % generated_project_dir)

sample = read_input(args.input, input_info)

######################################################################
# Run the model on the device: the graph executor
# -----------------------------------------------
with micro.Session(transport_context_manager=project.transport()) as session:
    graph_mod = micro.create_local_graph_executor(
        module.get_graph_json(), session.get_system_lib(), session.device
    )
    graph_mod.set_input(input_tensor, sample)
    graph_mod.run()
    graph_output = graph_mod.get_output(0)  # a numpy array
    print("graph executor result: " + str(graph_output.flatten().tolist()))

######################################################################
# Run the model on the device: the AOT executor
# ---------------------------------------------
with micro.Session(project.transport()) as session:
    aot_executor = session.create_aot_executor()
    aot_executor.set_input(0, sample)
    aot_executor.run()
    aot_output = aot_executor.get_output(0)
    print("aot executor result: " + str(aot_output.flatten().tolist()))

if graph_output.tobytes() != aot_output.tobytes():
    sys.exit("micro_tutorial: the graph and AOT executors disagree")
print("output bytes: " + aot_output.tobytes().hex())
if not args.workdir:
    shutil.rmtree(temp_dir)
