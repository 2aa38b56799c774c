"""The trusted side of the sandbox: start children, send them work, read back plain data.

    with Sandbox(SandboxConfig(hidden=[course_root])) as sandbox:
        child = sandbox.spawn()
        child.load("triple_relu", source, "week3/triple_relu.py", functions=["triple_relu"])
        outcome = child.call("triple_relu", "triple_relu", args=(...), timeout=2.0)

A child that runs past its time, dies, or sends anything but well-formed plain data
raises a ``SandboxFailure``; the child is then killed with everything it started.
"""

from __future__ import annotations

import functools
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

from grader.sandbox import wire
from grader.sandbox.isolation import Limits

RESULT_LIMIT = 64 * 1024 * 1024
# A reply's JSON structure (its numbers travel as raw buffers): a few MB at most, since a
# few bytes of JSON like "[]," can become ~20 times as much memory in this process.
HEADER_LIMIT = 4 * 1024 * 1024
TRANSFER_GRACE = 0.5  # seconds, after the call's timeout, for the reply's bytes to arrive
CPU_POLL = 0.05  # seconds between looks at a busy child's CPU time
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
UID_BASE = 30000


class SandboxFailure(Exception):
    """The child did not answer with a result: timeout, crash or malformed data."""


class SandboxTimeout(SandboxFailure):
    pass


class SandboxCrash(SandboxFailure):
    pass


class SandboxUnavailable(Exception):
    """The sandbox itself could not start (a problem of the machine, not of a submission)."""


@dataclass(frozen=True)
class StudentError:
    """An exception raised by submission code, as reported (untrusted) by the child."""

    type: str
    message: str
    line: int | None = None


@dataclass
class CallOutcome:
    """What one call produced: a value or an error, and the inputs as they were afterwards."""

    value: Any = None
    error: StudentError | None = None
    inputs: list[Any] = field(default_factory=list)
    backward_error: str | None = None


@dataclass(frozen=True)
class SandboxConfig:
    limits: Limits = Limits()
    hidden: tuple[str, ...] = ()
    level: str = "auto"            # "auto", "full" or "weak"
    load_timeout: float = 5.0


@functools.cache
def _site_dirs() -> list[str]:
    """The interpreter's own folders: enough to import the standard library and installed packages."""
    import sysconfig

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        paths.add(sysconfig.get_paths()[key])
    paths.update(p for p in sys.path if p.endswith(("site-packages", "dist-packages")))
    out = set()
    for p in paths:
        if p and os.path.isdir(p):
            out.add(os.path.abspath(p))
            out.add(os.path.realpath(p))
    return sorted(out)


SYSTEM_DIRS = ("/usr", "/lib", "/lib64", "/lib32", "/bin", "/sbin", "/etc", "/sys")


class Child:
    """One sandboxed process, serving loads and calls until it is closed or killed."""

    def __init__(self, pid: int, sock: socket.socket, out: socket.socket, load_timeout: float,
                 cpu_budget: float = 0.5, on_close: Callable[[], None] | None = None) -> None:
        self.pid = pid
        self.cpu_budget = cpu_budget
        self.on_close = on_close
        self.sock = sock
        self.out = out
        self.load_timeout = load_timeout
        self.output = bytearray()
        self.output_limit = 64 * 1024
        self.dead = False
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except OSError:
            self._pidfd = None

    # ------------------------------------------------------------------ requests

    def load(self, module: str, source: str, filename: str, functions: list[str]) -> list[str] | StudentError:
        """Run ``source`` as a module in the child; returns the functions missing from it, or the error."""
        reply, _ = self._request({"op": "load", "module": module, "source": source,
                                  "filename": filename, "functions": functions}, [], self.load_timeout)
        if not reply.get("ok"):
            return _student_error(reply)
        missing = reply.get("missing")
        if type(missing) is not list or not all(type(m) is str for m in missing):
            raise SandboxCrash("the submission's process sent a malformed reply")
        return missing

    def call(self, module: str, function: str, args: tuple = (), kwargs: dict | None = None, *,
             timeout: float, filename: str = "", backward: bool = False, inputs: bool = False) -> CallOutcome:
        """Call ``module.function(*args, **kwargs)`` in the child and decode what comes back."""
        (args_tree, kwargs_tree), buffers = wire.encode(tuple(args), dict(kwargs or {}))
        header = {"op": "call", "module": module, "function": function, "args": args_tree,
                  "kwargs": kwargs_tree, "backward": backward, "inputs": inputs, "filename": filename}
        reply, out = self._request(header, buffers, timeout)
        if not reply.get("ok"):
            return CallOutcome(error=_student_error(reply))
        try:
            value, _ = wire.decode(reply.get("result"), out)
            _, reports = wire.decode(reply.get("inputs", []), out)
        except (wire.WireError, ValueError, TypeError, OverflowError) as exc:
            self.kill()
            raise SandboxCrash(f"the submission sent back malformed data ({exc})") from None
        backward_error = reply.get("backward_error")
        if backward_error is not None and type(backward_error) is not str:
            self.kill()
            raise SandboxCrash("the submission's process sent a malformed reply")
        if inputs:
            problem = incomplete_report(reports, wire.inputs_of(tuple(args), dict(kwargs or {})))
            if problem:
                self.kill()
                raise SandboxCrash(f"the submission's process sent an incomplete report ({problem})")
        elif reports:
            self.kill()
            raise SandboxCrash("the submission's process reported inputs that were not asked for")
        return CallOutcome(value=value, inputs=reports, backward_error=backward_error)

    def _request(self, header: dict, buffers: list[bytes], timeout: float) -> tuple[dict, list[bytes]]:
        if self.dead:
            raise SandboxCrash("the submission's process had already ended")
        deadline = time.monotonic() + timeout
        try:
            wire.send(self.sock, header, buffers, deadline=deadline)
        except TimeoutError:  # the child stopped reading its requests
            self.kill()
            raise SandboxTimeout(f"no answer within {timeout:g} s") from None
        except OSError:
            self.kill()
            raise SandboxCrash("the submission's process ended unexpectedly") from None
        cpu_start = self._cpu_seconds()
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.kill()
                raise SandboxTimeout(f"no answer within {timeout:g} s (an endless loop, or too slow?)")
            # Wake up now and then to look at the CPU time: a busy loop is stopped as soon as it
            # has burnt its CPU budget, without waiting for the wall-clock timeout.
            ready, _, _ = select.select([self.sock, self.out], [], [], min(remaining, CPU_POLL))
            if self.out in ready:
                self._drain_output()
            if self.sock in ready:
                break
            if self._cpu_seconds() - cpu_start > self.cpu_budget * (1 if header.get("op") == "call" else 2):
                self.kill()
                raise SandboxTimeout(f"used more than {self.cpu_budget:g} s of CPU time without answering "
                                     "(an endless loop, or far too slow?)")
        try:
            # The whole reply must arrive by then, however slowly the child trickles it out.
            reply, out = wire.recv(self.sock, RESULT_LIMIT, header_limit=HEADER_LIMIT,
                                   deadline=max(deadline, time.monotonic()) + TRANSFER_GRACE)
        except socket.timeout:
            self.kill()
            raise SandboxTimeout(f"no answer within {timeout:g} s") from None
        except EOFError:
            self.kill()
            raise SandboxCrash("the submission's process ended during the call "
                               "(did the code call os._exit(), or crash?)") from None
        except (wire.WireError, OSError, ValueError) as exc:
            self.kill()
            raise SandboxCrash(f"the submission sent back malformed data ({exc})") from None
        if type(reply) is not dict:
            self.kill()
            raise SandboxCrash("the submission's process sent a malformed reply")
        return reply, out

    def _cpu_seconds(self) -> float:
        """CPU time the child has used so far (0 when it cannot be read)."""
        try:
            with open(f"/proc/{self.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return 0.0
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    def _drain_output(self) -> None:
        try:
            data = self.out.recv(65536, socket.MSG_DONTWAIT)
        except (BlockingIOError, OSError):
            return
        room = self.output_limit - len(self.output)
        if room > 0:
            self.output += data[:room]

    @property
    def printed(self) -> str:
        """What the submission printed so far (the first 64 KB)."""
        return self.output.decode("utf-8", "replace")

    # ------------------------------------------------------------------ ending

    def kill(self) -> None:
        """Kill the child; then the zygote kills every process it started (``on_close``)."""
        if self.dead:
            return
        self.dead = True
        try:
            if self._pidfd is not None:
                signal.pidfd_send_signal(self._pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError, OSError):
            pass
        for s in (self.sock, self.out):
            s.close()
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        if self.on_close is not None:
            try:
                self.on_close()  # the zygote kills whatever the child started
            except SandboxUnavailable:
                pass

    close = kill


def _first_word(sock: socket.socket) -> int | None:
    """The child's first message: its pid, in credentials the kernel checked and translated."""
    sock.settimeout(30)
    try:
        data, ancillary, _, _ = sock.recvmsg(1, socket.CMSG_SPACE(struct.calcsize("3i")))
    except OSError:
        return None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and data == b"P":
            return struct.unpack("3i", payload[: struct.calcsize("3i")])[0]
    return None


def incomplete_report(reports: list[Any], sent: list[Any]) -> str | None:
    """Why the inputs the child reported are not exactly those it was sent (None when they are).

    The child is controlled by the submission, which can empty, shorten or reorder the list it
    reports (its caller's frame is within reach). The trusted side knows what it sent: one
    report per tensor or frame, in order, of the same kind and, for tensors, the same dtype."""
    import pandas as pd
    import torch

    if len(reports) != len(sent):
        return f"{len(reports)} inputs reported, {len(sent)} sent"
    for i, (report, original) in enumerate(zip(reports, sent), 1):
        if isinstance(original, torch.Tensor):
            if type(report) is not wire.TensorReport:
                return f"input #{i} should be a tensor"
            if report.tensor.dtype != original.dtype or report.tensor.dim() != original.dim():
                return f"input #{i} came back with another dtype or number of dimensions"
        elif type(report) is not type(original) or not isinstance(original, (pd.DataFrame, pd.Series)):
            return f"input #{i} should be a {type(original).__name__}"
    return None


def _student_error(reply: dict) -> StudentError:
    error = reply.get("error")
    if type(error) is not dict:
        return StudentError("Error", "the submission's process sent a malformed error")
    kind, message, line = error.get("type"), error.get("message"), error.get("line")
    return StudentError(
        kind if type(kind) is str else "Error",
        (message if type(message) is str else "")[:500],
        line if type(line) is int else None,
    )


class _Forked:
    """The little of ``subprocess.Popen`` that ``Sandbox`` uses, for a forked zygote."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def zygote(cls, control: socket.socket, settings: dict) -> "_Forked":
        pid = os.fork()
        if pid == 0:
            try:
                os.setsid()
                os.chdir(tempfile.gettempdir())
                null = os.open(os.devnull, os.O_RDWR)
                os.dup2(null, 0)
                os.dup2(null, 1)  # the worker's stdin and stdout are its pipes to the dispatcher
                keep = control.fileno()
                os.closerange(3, keep)
                os.closerange(keep + 1, 1 << 16)
                os.environ.update(OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
                from grader.sandbox import zygote

                zygote.main(keep, json.dumps(settings))
            finally:
                os._exit(1)
        return cls(pid)

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired("zygote", timeout)
            time.sleep(0.01)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            os.kill(self.pid, signal.SIGKILL)


class Sandbox:
    """A zygote process and the children it forks."""

    def __init__(self, config: SandboxConfig = SandboxConfig(), slot: int = 0, *, fork: bool = False) -> None:
        """Start the zygote: a fresh interpreter, or with ``fork`` a fork of this process, which
        must then hold nothing a submission may see (a batch worker forks it before it loads
        any solution or check, right after importing torch, numpy and pandas, which it shares)."""
        self.config = config
        self.uid = UID_BASE + (os.getpid() + slot) % 30000
        parent, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        env.pop("PYTHONSTARTUP", None)
        settings = {
            "level": config.level,
            "limits": asdict(config.limits),
            "hidden": list(config.hidden),
            "read_only": [*SYSTEM_DIRS, *_site_dirs()],
            "uid": self.uid,
        }
        if fork:
            self.process: subprocess.Popen | _Forked = _Forked.zygote(theirs, settings)
        else:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "grader.sandbox.zygote", str(theirs.fileno()), json.dumps(settings)],
                pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env,
                cwd=tempfile.gettempdir(), start_new_session=True,
            )
        theirs.close()
        self.control = parent
        self.reader = parent.makefile("rb")
        self._level: str | None = None
        self._warm = False  # whether the zygote ran its expensive warm-up stage on request

    @property
    def level(self) -> str:
        """The isolation in force, "full" or "weak"; waits for the zygote on first use."""
        if self._level is None:
            hello = self._read_line(timeout=120)
            if not hello.get("ready"):
                raise SandboxUnavailable(f"the sandbox could not start: {hello.get('error', 'no reason given')}")
            self._level = hello["level"]
        return self._level

    def _read_line(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.control], [], [], timeout)
        line = self.reader.readline() if ready else b""
        if not line:
            raise SandboxUnavailable("the sandbox's zygote stopped answering")
        return json.loads(line)

    def _ask(self, request: dict, fds: list[int] = ()) -> dict:
        try:
            socket.send_fds(self.control, [json.dumps(request).encode()], list(fds))
            return self._read_line(timeout=30)
        except OSError as exc:
            raise SandboxUnavailable(f"the sandbox's zygote is gone ({exc})") from None

    def spawn(self) -> Child:
        """Fork a new sandboxed child from the zygote."""
        _ = self.level  # waits for the zygote's first word
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        out_mine, out_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        mine.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        try:
            reply = self._ask({"op": "spawn"}, [theirs.fileno(), out_theirs.fileno()])
        finally:
            theirs.close()
            out_theirs.close()
        pid = _first_word(mine) if reply.get("ok") else None
        if pid is None:
            mine.close()
            out_mine.close()
            raise SandboxUnavailable(f"could not start a sandboxed process: {reply.get('error', 'no reason given')}")
        return Child(pid, mine, out_mine, self.config.load_timeout, self.config.limits.call_cpu_seconds,
                     on_close=self.reap)

    def warm(self) -> bool:
        """Have the zygote run its expensive warm-up stage (torch's optimizers, ~1 s of CPU)
        before it forks the next child. True when it ran just now; False when it had already
        run (in this zygote, or in the worker it was forked from), so a call that ran out of
        time was not paying for it."""
        if self._warm:
            return False
        _ = self.level  # waits for the zygote's first word
        reply = self._ask({"op": "warm"})
        if not reply.get("ok"):
            raise SandboxUnavailable(f"the sandbox's zygote could not warm up: {reply.get('error', 'no reason given')}")
        self._warm = True
        return reply.get("warmed") is True

    def reap(self) -> None:
        """Have the zygote kill whatever the last child left behind."""
        if self.process.poll() is None and self._level is not None:
            self._ask({"op": "reap"})

    def close(self) -> None:
        try:
            self.control.close()
            self.reader.close()
        finally:
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def grader_paths() -> list[str]:
    """Folders a child must never see: the grader package (its checks) and, for a source
    checkout, the course folder around it."""
    package = Path(__file__).resolve().parents[1]
    around = package.parent
    return [str(package)] + ([str(around)] if (around / "exercises").is_dir() else [])
