"""ember.load_model, ember.compile and the MLF export, against the CLI."""
import json
import subprocess
import tarfile

import pytest

import ember
import ember.micro as micro


def tar_members(path):
    with tarfile.open(path) as t:
        return sorted(m.name for m in t.getmembers())


def test_load_model_reports_io(digits_onnx):
    model = ember.load_model(digits_onnx)
    assert isinstance(model, ember.Model)
    assert model.num_nodes > 0
    assert len(model.inputs) == 1 and len(model.outputs) == 1
    inp = model.inputs[0]
    assert inp["dtype"] == "float32"
    assert len(inp["shape"]) == 4


def test_compile_metadata_and_memory(digits_onnx):
    mod = ember.compile(ember.load_model(digits_onnx), target="cortex-m4", executor="aot", module_name="digits")
    assert mod.module_name == "digits" and mod.target == "cortex-m4" and mod.executor == "aot"
    md = mod.metadata
    assert md["version"] == 7
    assert "digits" in md["modules"]
    assert md["modules"]["digits"]["executors"] == ["aot"]
    plan = mod.memory
    assert plan, "the plan lists the buffers"
    for b in plan:
        assert set(b) >= {"kind", "tensor", "node", "first", "last", "bytes", "offset", "in_arena", "aliased"}
        assert b["bytes"] >= 0 and b["first"] <= b["last"]
        if b["in_arena"]:
            assert 0 <= b["offset"] and b["offset"] + b["bytes"] <= mod.arena_bytes
        else:
            assert b["offset"] is None
    assert any(b["kind"] == "tensor" and b["in_arena"] for b in plan)
    assert "tvmgen_digits_run" in mod.header[1]
    assert mod.graph_json is None


def test_compile_takes_a_path_and_options(digits_onnx):
    mod = ember.compile(str(digits_onnx), target="host", executor="graph", module_name="g", io_in_arena=True)
    assert mod.graph_json and json.loads(mod.graph_json)["nodes"]
    assert mod.metadata["modules"]["g"]["executors"] == ["graph"]
    assert all(b["in_arena"] for b in mod.memory if b["kind"] == "tensor")
    with pytest.raises(TypeError, match="unknown options"):
        ember.compile(str(digits_onnx), no_such_option=True)
    with pytest.raises(ValueError, match="executor"):
        ember.compile(str(digits_onnx), executor="vm")


@pytest.mark.parametrize("target,executor,module_name", [
    ("host", "aot", "default"),
    ("cortex-m4", "graph", "digits"),
])
def test_mlf_matches_cli(tmp_path, digits_onnx, ember_cli, target, executor, module_name):
    mod = ember.compile(ember.load_model(digits_onnx), target=target, executor=executor, module_name=module_name)
    ours = tmp_path / "py.tar"
    assert micro.export_model_library_format(mod, str(ours)) == str(ours)
    assert tarfile.is_tarfile(ours)
    cli = tmp_path / "cli.tar"
    subprocess.run([ember_cli, "compile", str(digits_onnx), "--target", target, "--executor", executor,
                    "--module-name", module_name, "-o", str(cli)], check=True, capture_output=True)
    assert tar_members(ours) == tar_members(cli)
    # Same model and options: the same bytes (a fixed time stamp, deterministic code).
    assert ours.read_bytes() == cli.read_bytes()
    with tarfile.open(ours) as t:
        md = json.load(t.extractfile("./metadata.json"))
    assert md == mod.metadata


def test_optimize_size_matches_cli(tmp_path, ember_cli):
    path = tmp_path / "dead.ir"
    path.write_text(dead_channel_model())
    mod = ember.compile(str(path), target="cortex-m4", module_name="d", optimize_size=True)
    ours = tmp_path / "py.tar"
    micro.export_model_library_format(mod, str(ours))
    cli = tmp_path / "cli.tar"
    subprocess.run([ember_cli, "compile", str(path), "--target", "cortex-m4", "--module-name", "d",
                    "--optimize", "size", "-o", str(cli)], check=True, capture_output=True)
    assert ours.read_bytes() == cli.read_bytes()


def test_export_folder_via_method(tmp_path, digits_onnx):
    mod = ember.compile(digits_onnx, module_name="mymodel")
    out = tmp_path / "mlf"
    mod.export_library_format(out)
    assert (out / "metadata.json").is_file()
    assert (out / "codegen" / "host" / "include" / "tvmgen_mymodel.h").is_file()


def dead_channel_model():
    """A 1x1 convolution whose channel 2 of 4 has zero weights, then another."""
    conv = ('conv2d(%{x}, %{w}, %{b}) {{act="relu", dilation=[1,1], pad=[0,0,0,0], stride=[1,1]}}'
            ' : i8[1,1,3,{c}] quant({s}, -128)')
    return "\n".join([
        'graph "dead" {',
        '  input %x : i8[1,1,3,2] quant(0.1, 3)',
        '  const %w1 : i8[4,1,1,2] quant(0.02, 0) = hex"0509fa0b0000f707"',
        '  const %b1 : i32[4] = hex"64000000d00700001e000000f6ffffff"',
        '  %a = ' + conv.format(x="x", w="w1", b="b1", c=4, s=0.03),
        '  const %w2 : i8[3,1,1,4] quant(0.01, 0) = hex"0102030405060708090a0b0c"',
        '  const %b2 : i32[3] = hex"000000000000000000000000"',
        '  %y = ' + conv.format(x="a", w="w2", b="b2", c=3, s=0.05),
        '  output %y',
        '}',
        ''])


def test_keep_constant_channels_keeps_the_models_shapes(tmp_path):
    # Channel 2 of %a has zero weights: it leaves the graph unless kept.
    path = tmp_path / "dead.ir"
    path.write_text(dead_channel_model())
    dropped = ember.compile(str(path), target="host", module_name="d")
    kept = ember.compile(str(path), target="host", module_name="d", keep_constant_channels=True)
    assert ": i8[1,1,3,3] quant(0.03, -128)" in dropped.ir_text
    assert ": i8[1,1,3,4] quant(0.03, -128)" in kept.ir_text
    assert ": i8[1,1,3,4]" not in dropped.ir_text
