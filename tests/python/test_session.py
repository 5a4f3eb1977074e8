"""ember.micro's Session, executors and their errors, on a host_driven
project of the host template (the device is a local process: fast)."""
import os
import signal
import subprocess
import time

import numpy as np
import pytest

import ember
import ember.micro as micro
from conftest import need_tools


def sample(lines_model, info, name="vertical"):
    return np.fromfile(lines_model.with_name(name + ".bin"), dtype=info["dtype"]).reshape(info["shape"])


def test_aot_and_graph_executors_match_ember_run(tmp_path, host_project, lines_model, ember_cli):
    project, module = host_project
    info = module.inputs[0]
    x = sample(lines_model, info)
    with micro.Session(project.transport()) as session:
        assert session.device_info["model_name"] == "lines"
        assert session.inputs[0]["name"] == info["name"]
        aot = session.create_aot_executor()
        assert isinstance(aot, micro.AotExecutor)
        assert aot.get_num_inputs() == 1 and aot.get_num_outputs() == 1
        assert aot.get_input_index(info["name"]) == 0 and aot.input_info[0]["shape"] == info["shape"]
        aot.set_input(0, x)
        aot.run()
        aot_out = aot.get_output(0)
        graph = micro.create_local_graph_executor(module.get_graph_json(), session.get_system_lib(), session.device)
        assert isinstance(graph, micro.GraphExecutor) and not isinstance(graph, micro.DebugExecutor)
        assert graph.output_info[0]["shape"] == module.outputs[0]["shape"]
        graph.set_input(info["name"], x)
        graph.run()
        graph_out = graph.get_output(0)
    assert isinstance(aot_out, np.ndarray) and aot_out.dtype == np.dtype(module.outputs[0]["dtype"])
    assert aot_out.shape == tuple(module.outputs[0]["shape"])
    assert aot_out.tobytes() == graph_out.tobytes()
    # `ember run` on the same project and input: the same bytes.
    out = tmp_path / "out.bin"
    subprocess.run([ember_cli, "run", project.project_dir, "--input", str(lines_model.with_name("vertical.bin")),
                    "--output", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == aot_out.tobytes()
    # The vertical sample is classified as vertical (class 1).
    assert int(np.argmax(aot_out)) == 1


def test_set_input_refuses_wrong_arrays(host_project, lines_model):
    project, module = host_project
    info = module.inputs[0]
    shape = tuple(info["shape"])
    with micro.Session(project.transport()) as session:
        for ex in (session.create_aot_executor(),
                   micro.create_local_graph_executor(module.get_graph_json(), session.get_system_lib(),
                                                     session.device)):
            with pytest.raises(ember.EmberError) as e:
                ex.set_input(0, np.zeros((8, 8), np.int8))
            assert e.value.id == "E0406"
            assert str(shape) in e.value.message and "(8, 8)" in e.value.message
            with pytest.raises(ember.EmberError) as e:
                ex.set_input(0, np.zeros(shape, np.float32))
            assert e.value.id == "E0405"
            assert str(shape) in e.value.message and "float32" in e.value.message
            with pytest.raises(TypeError, match=r"numpy array"):
                ex.set_input(0, [0] * 64)
            with pytest.raises(ember.EmberError) as e:
                ex.set_input("no_such_input", np.zeros(shape, np.int8))
            assert e.value.id == "E0401" and info["name"] in e.value.message
            with pytest.raises(ember.EmberError) as e:
                ex.set_input(3, np.zeros(shape, np.int8))
            assert e.value.id == "E0401"
            with pytest.raises(IndexError):
                ex.get_output(5)
            ex.set_input(**{info["name"]: np.zeros(shape, np.int8)})  # by keyword
            ex.run()
            assert ex.get_output(0).shape == tuple(module.outputs[0]["shape"])


def test_debug_executor_node_timings(tmp_path, host_project, lines_model):
    project, module = host_project
    x = sample(lines_model, module.inputs[0], "horizontal")
    with micro.Session(project.transport()) as session:
        lib = session.get_system_lib()
        ops = lib.operators()
        assert ops and all(len(op) == 3 for op in ops)
        dbg = micro.create_local_debug_executor(module.get_graph_json(), lib, session.device, dump_root=tmp_path)
        assert isinstance(dbg, micro.DebugExecutor)
        dbg.set_input(0, x)
        timings = dbg.run()
        out = dbg.get_output(0)
    assert timings == dbg.node_timings
    # One record per tvm_op node: every device operator, and the graph's
    # copies (__nop, a reshape here), which run nothing.
    assert {op[0] for op in ops} == {t.func_name for t in timings} - {"__nop"}
    assert [t.node for t in timings] == sorted(t.node for t in timings)
    for t in timings:
        assert isinstance(t, micro.NodeTiming)
        assert t.time_us >= 0 and len(t.ticks) == 1
        assert (tmp_path / "_tvmdbg_device_micro_0" / t.output_file).is_file()
    assert "Total_time" in dbg.table()
    assert dbg.dump_dir == str(tmp_path / "_tvmdbg_device_micro_0")
    assert int(np.argmax(out)) == 0  # horizontal


def test_benchmark_and_closed_session(host_project):
    project, _ = host_project
    with micro.Session(project.transport()) as session:
        aot = session.create_aot_executor()
        r = aot.benchmark(number=2, repeat=3)
        assert len(r.results) == 3 and r.min <= r.median <= r.max
        lib = session.get_system_lib()
    assert not session.is_open
    with pytest.raises(ember.EmberError) as e:
        aot.run()
    assert e.value.id == "E0814"
    with pytest.raises(ember.EmberError) as e:
        lib.operators()
    assert e.value.id == "E0814"


def test_executor_argument_errors(host_project):
    project, module = host_project
    aot_module = ember.compile(module.model_path, target="host", executor="aot", module_name="lines")
    with pytest.raises(ember.EmberError) as e:
        aot_module.get_graph_json()
    assert e.value.id == "E0807"
    with micro.Session(project.transport()) as a, micro.Session(project.transport()) as b:
        with pytest.raises(ember.EmberError) as e:
            micro.create_local_graph_executor(module.get_graph_json(), a.get_system_lib(), b.device)
        assert e.value.id == "E0814"
        with pytest.raises(TypeError):
            micro.create_local_graph_executor(module.get_graph_json(), "lib", a.device)
        with pytest.raises(ember.EmberError) as e:
            micro.create_local_graph_executor('{"nodes": 1}', a.get_system_lib(), a.device)
        assert e.value.id == "E0810"
    with pytest.raises(TypeError):
        micro.Session("not a transport")
    with pytest.raises(TypeError):
        micro.Session()


def test_session_needs_host_driven_project(tmp_path, lines_model):
    module = ember.compile(lines_model, target="host", module_name="lines")
    project = micro.generate_project(micro.get_microtvm_template_projects("host"), module, tmp_path / "p",
                                     {"project_type": "aot_io"})
    with pytest.raises(ember.EmberError) as e:
        with micro.Session(project.transport()):
            pass
    assert e.value.id == "E0805" and "host_driven" in e.value.message


def device_pids(project_dir):
    """The host template's device processes of this project (build/main)."""
    exe = os.path.realpath(os.path.join(project_dir, "build", "main"))
    pids = []
    for p in os.listdir("/proc"):
        if p.isdigit():
            try:
                if os.readlink("/proc/%s/exe" % p) == exe:
                    pids.append(int(p))
            except OSError:
                pass
    return pids


def test_dead_device_is_session_terminated(host_project):
    project, module = host_project
    with micro.Session(project.transport(), timeout_sec=5) as session:
        aot = session.create_aot_executor()
        aot.run()
        pids = device_pids(project.project_dir)
        assert pids, "the device process of the session"
        for pid in pids:
            os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
        with pytest.raises(micro.SessionTerminatedError) as e:
            aot.run()
            aot.get_output(0)
    assert isinstance(e.value, ember.EmberError)
    assert e.value.id == "E0804"


def test_device_reset_is_session_terminated(host_project):
    project, _ = host_project
    with micro.Session(project.transport(), timeout_sec=5) as session:
        aot = session.create_aot_executor()
        session.reset_device()
        with pytest.raises(micro.SessionTerminatedError) as e:
            aot.run()
        assert e.value.id == "E0804" and "terminated" in e.value.message
        session.reconnect()
        aot.run()  # a new session with the rebooted device


def test_silent_device_is_session_timeout(host_project):
    project, _ = host_project
    transport = project.transport()
    assert transport.project_dir == project.project_dir
    with micro.Session(transport, timeout_sec=1) as session:
        assert isinstance(session.device, micro.Device)
        assert session.device.info["platform"] == "host"
        assert "host" in repr(session.device)
        aot = session.create_aot_executor()
        pids = device_pids(project.project_dir)
        assert pids
        for pid in pids:
            os.kill(pid, signal.SIGSTOP)  # alive, but silent
        try:
            start = time.monotonic()
            with pytest.raises(micro.SessionTimeoutError) as e:
                aot.run()
            assert time.monotonic() - start < 10
            assert isinstance(e.value, ember.EmberError) and e.value.id == "E0804"
        finally:
            for pid in pids:
                os.kill(pid, signal.SIGCONT)
