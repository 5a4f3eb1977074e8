#!/usr/bin/env python3
"""A Project API server written with the Python standard library only.

Used by tests/unit/micro/launch_test.cc to prove that our C++ client launches
and talks to a `.py` server the way microTVM's client does. The transport is a
loopback buffer: bytes written are read back. Test hooks: build with option
"hang" sleeps for a minute; build with option "crash" exits the process
mid-call without replying.
"""
import argparse
import base64
import json
import os
import sys
import time

OPTIONS = [
    {"name": "hang", "choices": None, "default": False, "type": "bool",
     "required": None, "optional": ["build"], "help": "sleep instead of replying"},
    {"name": "crash", "choices": None, "default": False, "type": "bool",
     "required": None, "optional": ["build"], "help": "exit without replying"},
]


class Server:
    def __init__(self):
        self.buffer = b""
        self.open = False

    def server_info_query(self, tvm_version):
        name = "py-test-script" if os.environ.get("EMBER_TEST_VIA_SCRIPT") else "py-test"
        return {"platform_name": name, "is_template": True,
                "model_library_format_path": None, "project_options": OPTIONS,
                "protocol_version": 1}

    def build(self, options):
        if options.get("hang"):
            time.sleep(60)
        if options.get("crash"):
            os._exit(3)
        return None

    def flash(self, options):
        return None

    def open_transport(self, options):
        self.open = True
        return {"timeouts": {"session_start_retry_timeout_sec": 0.0,
                             "session_start_timeout_sec": 0.0,
                             "session_established_timeout_sec": 0.0}}

    def close_transport(self):
        self.open = False
        self.buffer = b""
        return None

    def read_transport(self, n, timeout_sec):
        if not self.buffer:
            raise ServerError("IoTimeoutError")
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        return {"data": base64.b85encode(data).decode("ascii")}

    def write_transport(self, data, timeout_sec):
        self.buffer += base64.b85decode(data.encode("ascii"))
        return None


class ServerError(Exception):
    pass


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--read-fd", type=int, required=True)
    parser.add_argument("--write-fd", type=int, required=True)
    parser.add_argument("--debug", action="store_true")
    args = parser.parse_args()
    print("py-test server: started", file=sys.stderr)
    server = Server()
    with os.fdopen(args.read_fd, "rb", buffering=0) as rd, os.fdopen(args.write_fd, "wb", buffering=0) as wr:
        while True:
            line = rd.readline()
            if not line:
                return
            request = json.loads(line)
            reply = {"jsonrpc": "2.0", "id": request["id"]}
            method = getattr(server, request["method"], None)
            if method is None:
                reply["error"] = {"code": -32601, "message": request["method"] + ": no such method", "data": None}
            else:
                try:
                    reply["result"] = method(**request["params"])
                except ServerError as err:
                    reply["error"] = {"code": -32000, "message": str(err), "data": None}
            wr.write((json.dumps(reply) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
