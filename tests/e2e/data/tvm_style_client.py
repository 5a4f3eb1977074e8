"""A Project API client that behaves as microTVM's Python client does
(project_api/client.py and micro/project.py), written with the standard
library only. It drives one of ember's templates through the whole flow and
proves that a Python client of that protocol works with ember's servers:

  tvm_style_client.py TEMPLATE_DIR MLF_TAR PROJECT_DIR INPUT.bin OUTPUT.bin

launches the template's server as microTVM does (launch script with the .py
path as first argument, --read-fd/--write-fd pipes, cwd = the folder),
generates a project, launches the project's server, builds, flashes, opens
the transport, writes the input bytes, reads len(OUTPUT.bin) bytes and
compares them. Prints "ok" and exits 0 on success.
"""
import base64
import json
import os
import pathlib
import subprocess
import sys

SERVER_PY = "microtvm_api_server.py"
LAUNCH_SH = "launch_microtvm_api_server.sh"


class ServerErrorReply(Exception):
    pass


class Client:
    def __init__(self, project_dir):
        project_dir = pathlib.Path(project_dir)
        python_script = project_dir / SERVER_PY
        args = None
        if python_script.is_file():
            args = [sys.executable, str(python_script)]
        launch_script = project_dir / LAUNCH_SH
        if launch_script.is_file():
            args = [str(launch_script), str(python_script)]
        if args is None:
            raise RuntimeError("no Project API server in %s" % project_dir)
        server_read, client_write = os.pipe()
        client_read, server_write = os.pipe()
        args += ["--read-fd", str(server_read), "--write-fd", str(server_write)]
        self.proc = subprocess.Popen(args, bufsize=0, pass_fds=(server_read, server_write), cwd=project_dir)
        os.close(server_read)
        os.close(server_write)
        self.read_file = os.fdopen(client_read, "rb", buffering=0)
        self.write_file = os.fdopen(client_write, "wb", buffering=0)
        self.next_id = 1

    def call(self, method, params):
        request = {"jsonrpc": "2.0", "method": method, "params": params, "id": self.next_id}
        self.next_id += 1
        self.write_file.write(json.dumps(request).encode("utf-8") + b"\n")
        line = b""
        while not line.endswith(b"\n"):
            chunk = self.read_file.read(1)
            if not chunk:
                raise RuntimeError("server closed the connection during %s" % method)
            line += chunk
        reply = json.loads(line)
        assert reply.get("jsonrpc") == "2.0", reply
        assert reply.get("id") == request["id"], reply
        if "error" in reply:
            raise ServerErrorReply("%s: %s" % (method, reply["error"]))
        assert "result" in reply, reply
        return reply["result"]

    def server_info_query(self):
        reply = self.call("server_info_query", {"tvm_version": "0.15.0"})
        if reply["protocol_version"] != 1:
            raise RuntimeError("microTVM API Server supports protocol version %d; want 1" % reply["protocol_version"])
        return reply

    def shutdown(self):
        self.read_file.close()
        self.write_file.close()
        return self.proc.wait(timeout=10)


def add_unspecified_options(options, server_options):
    """As micro/project.py: every advertised option not given gets its default."""
    options = dict(options)
    for option in server_options:
        options.setdefault(option["name"], option.get("default"))
    return options


def main():
    template_dir, mlf, project_dir, input_path, output_path = sys.argv[1:6]
    template = Client(template_dir)
    info = template.server_info_query()
    assert info["is_template"] is True, info
    for option in info["project_options"]:
        assert list(option) == ["name", "choices", "default", "type", "required", "optional", "help"], option
    options = add_unspecified_options({}, info["project_options"])
    template.call("generate_project", {
        "model_library_format_path": mlf,
        "standalone_crt_dir": os.environ.get("EMBER_RUNTIME_DIR", ""),
        "project_dir": project_dir,
        "options": options,
    })
    assert template.shutdown() == 0

    project = Client(project_dir)
    info = project.server_info_query()
    assert info["is_template"] is False, info
    assert info["model_library_format_path"].endswith("model.tar"), info
    project.call("build", {"options": options})
    project.call("flash", {"options": options})
    timeouts = project.call("open_transport", {"options": options})["timeouts"]
    assert set(timeouts) == {"session_start_retry_timeout_sec", "session_start_timeout_sec",
                             "session_established_timeout_sec"}, timeouts
    data = open(input_path, "rb").read()
    want = open(output_path, "rb").read()
    project.call("write_transport", {"data": base64.b85encode(data).decode("ascii"), "timeout_sec": 30.0})
    got = b""
    while len(got) < len(want):
        reply = project.call("read_transport", {"n": len(want) - len(got), "timeout_sec": 30.0})
        got += base64.b85decode(reply["data"])
    assert got == want, (got.hex(), want.hex())
    # A read with nothing to read times out as IoTimeoutError.
    try:
        project.call("read_transport", {"n": 1, "timeout_sec": 0.2})
        raise AssertionError("read_transport returned data nobody sent")
    except ServerErrorReply as e:
        assert "IoTimeoutError" in str(e), e
    project.call("close_transport", {})
    assert project.shutdown() == 0
    print("ok")


if __name__ == "__main__":
    main()
