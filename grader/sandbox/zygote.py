"""The zygote: a clean, pre-warmed process that forks sandboxed children on request.

It imports torch, numpy and pandas once and never loads solutions or checks, so a
child forked from it starts in milliseconds and finds nothing of the grader's in
memory. The host talks to it over a Unix socket: each request carries a JSON
configuration and two file descriptors (the child's request socket and its output
socket); the reply is the child's pid, or the reason it could not start.

Run as ``python -m grader.sandbox.zygote FD``.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sys
import tempfile

# Modules a submission may reasonably import; loaded here because the child may not
# be able to read the standard library's files once its walls are up.
PRELOAD = (
    "math", "cmath", "random", "statistics", "itertools", "functools", "collections",
    "collections.abc", "operator", "copy", "dataclasses", "typing", "re", "json", "numbers",
    "fractions", "decimal", "heapq", "bisect", "string", "textwrap", "enum", "warnings",
    "contextlib", "abc", "time", "datetime",
    "numpy", "pandas", "torch", "torch.nn", "torch.nn.functional",
)


CHILD_ENVIRONMENT = {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": "/tmp", "TMPDIR": "/tmp",
                     "LANG": "C.UTF-8", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _start_child(config: dict, call_fd: int, out_fd: int) -> dict:
    from grader.sandbox import child, isolation

    level = config["level"]
    as_root = os.geteuid() == 0
    limits = isolation.Limits(**config["limits"])
    walls = isolation.Walls(hidden=tuple(config["hidden"]), uid=config["uid"],
                            read_only=tuple(config["read_only"]))
    baseline = config["baseline"]
    report_r, report_w = os.pipe()
    first = os.fork()
    if first == 0:  # the first child: enter namespaces, fork process 1, report its pid
        try:
            os.close(report_r)
            if level == "full":
                isolation.enter_namespaces(as_root)
            second = os.fork()
            if second == 0:
                os.close(report_w)
                try:
                    if level == "full":
                        isolation.build_root(walls, scratch_mb=limits.file_size_mb * 2)
                    else:
                        os.setsid()
                        os.chdir(tempfile.mkdtemp(prefix="grader-child-"))
                    # Nothing of the grader's environment (tokens, paths) reaches submission code.
                    os.environ.clear()
                    os.environ.update(CHILD_ENVIRONMENT)
                    os.dup2(out_fd, 1)
                    os.dup2(out_fd, 2)
                    os.closerange(3, call_fd)
                    os.closerange(call_fd + 1, 1 << 16)
                    sys.stdin = open(os.devnull)  # noqa: SIM115
                    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
                    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                    isolation.apply_limits(limits, baseline)
                    if level == "full":
                        isolation.drop_privileges(walls.uid, as_root)
                    sock = socket.socket(fileno=call_fd)
                except BaseException as exc:  # noqa: BLE001
                    os.write(2, f"sandbox setup failed: {exc}\n".encode())
                    os._exit(70)
                child.serve(sock)
                os._exit(0)
            os.write(report_w, json.dumps({"pid": second}).encode())
        except BaseException as exc:  # noqa: BLE001
            os.write(report_w, json.dumps({"error": f"{type(exc).__name__}: {exc}"}).encode())
        os._exit(0)
    os.close(report_w)
    data = b""
    while chunk := os.read(report_r, 4096):
        data += chunk
    os.close(report_r)
    try:
        os.waitpid(first, 0)
    except ChildProcessError:
        pass
    try:
        return json.loads(data)
    except ValueError:
        return {"error": "the sandbox's first process ended without a word"}


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def main(fd: int) -> None:
    control = socket.socket(fileno=fd)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The zygote starts in a neutral folder; nothing relative to it belongs on the path.
    sys.path[:] = [p for p in sys.path if p not in ("", os.getcwd())]
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    import torch

    from grader.sandbox import child, isolation, wire  # noqa: F401 - preloaded for children

    torch.set_num_threads(1)
    import gc

    gc.freeze()  # children then leave the preloaded objects' pages shared
    baseline = isolation.address_space_bytes()
    control.sendall(json.dumps({"ready": True, "baseline": baseline, "uid": os.geteuid()}).encode() + b"\n")
    # Children outlive the first process that forked them; as a subreaper the zygote
    # inherits and reaps them, so finished sandboxes never linger as zombies.
    isolation.become_subreaper()
    while True:
        _reap()
        try:
            message, fds, _, _ = socket.recv_fds(control, 1 << 20, 2)
        except OSError:
            break
        if not message:
            break
        config = json.loads(message)
        config["baseline"] = baseline
        if len(fds) != 2:
            reply = {"error": "a request must carry two file descriptors"}
        else:
            reply = _start_child(config, fds[0], fds[1])
        for f in fds:
            os.close(f)
        control.sendall(json.dumps(reply).encode() + b"\n")
    os._exit(0)


if __name__ == "__main__":
    main(int(sys.argv[1]))
