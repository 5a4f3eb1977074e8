"""autotvm_build_func and AutoTvmModuleLoader: whole-model candidates built,
then measured on a host_driven project of the host template."""
import ember
import ember.micro as micro
from conftest import need_tools


def test_build_func_and_module_loader(tmp_path, lines_model):
    need_tools("cmake", "cc")
    result = micro.autotvm_build_func(micro.MeasureInput("host", str(lines_model), {"executor": "graph"}), tmp_path)
    assert isinstance(result, micro.BuildResult)
    assert result.error is None, result.error
    assert result.filename == str(tmp_path / "model.tar") and result.time_cost >= 0
    inputs, outputs = result.arg_info
    assert inputs[0]["dtype"] == "int8" and outputs
    loader = micro.AutoTvmModuleLoader(micro.get_microtvm_template_projects("host"))
    with loader(None, result) as (session, system_lib):
        assert isinstance(session, micro.Session) and session.is_open
        assert system_lib.operators()
        bench = session.create_aot_executor().benchmark(number=1, repeat=2)
        assert len(bench.results) == 2
    assert not session.is_open


def test_build_func_returns_errors(tmp_path, lines_model):
    result = micro.autotvm_build_func(micro.MeasureInput("cortex-z9", str(lines_model), {}), tmp_path)
    assert result.filename is None
    assert isinstance(result.error, ember.EmberError) and result.error.id.startswith("E05")
    loader = micro.AutoTvmModuleLoader(micro.get_microtvm_template_projects("host"))
    try:
        with loader(None, result):
            raise AssertionError("a failed build is not measured")
    except ember.EmberError as e:
        assert e is result.error
