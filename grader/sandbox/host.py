"""The trusted side of the sandbox: start children, send them work, read back plain data.

    with Sandbox(SandboxConfig(hidden=[course_root])) as sandbox:
        child = sandbox.spawn()
        child.load("triple_relu", source, "week3/triple_relu.py", functions=["triple_relu"])
        outcome = child.call("triple_relu", "triple_relu", args=(...), timeout=2.0)

A child that runs past its time, dies, or sends anything but well-formed plain data
raises a ``SandboxFailure``; the child is then killed with everything it started.

The hidden-check rule
---------------------
On a hidden check, and anywhere after the first hidden input reached a child, no byte,
number or timing that the child chose reaches any output (terminal, results, gradebook,
exports, pages). What a student sees of a hidden check comes from a fixed vocabulary the
trusted side chose: an exception is named only by its nearest built-in class, as this side
derives it from the names the child reports (``builtin_ancestry``); a reply that is not what
this side expects is "sent back something malformed", at most with which expectation failed
in this side's words (``malformed``), never quoting the reply, nor a count or position the
child chose; and nothing survives from one child to the next, so a later child (the next
exercise's, the next student's) cannot carry out what an earlier one saw.

The walls
---------
With full isolation (Linux namespaces; see zygote.py, isolation.py, seccomp.py, cgroups.py),
each child has:

- a pid namespace of its own, of which it is process 1, with its own /proc: its pid, its
  threads' and helpers' pids and the namespace's pid counter are the same whatever earlier
  children did, and it sees no process but its own;
- a mount namespace of its own: a private read-only root holding only the system and Python
  folders (no course, solutions, checks or other submissions), and a fresh, size-limited
  /scratch (its working folder, HOME and TMPDIR) that ends with it;
- an IPC namespace of its own (System V and POSIX IPC objects end with it);
- no network (a network namespace with nothing in it), a UTS namespace, an empty environment,
  no inherited descriptors but its two sockets;
- an unprivileged user (as root) or no capabilities (in a user namespace), no new privileges;
- a seccomp filter (keyring, ptrace, mount, unshare/setns, bpf, perf, io_uring, ...);
- a memory, process and CPU budget for its whole process tree (a cgroup), per-process limits,
  and the nursery kills everything it started before the next child begins.

Under ``--isolation weak`` (no namespaces) these walls are missing: the pid namespace (the
pid counter is shared by every process of the machine, a channel between children), the
private root and /scratch (a child sees the whole file system and can write wherever the
grader's user can, e.g. /tmp, and what it writes there outlives it; only its own working
folder, HOME and TMPDIR are private, made by the zygote for it and removed after it), the
IPC, network and UTS namespaces, the separate user and, without a cgroup, the tree's memory
and process budgets (per-process limits only). The seccomp filter, the limits, the empty
environment and the killing of the child's process group remain.

Which walls a grading needs is its policy (``GradeOptions.isolation``, decided by the command
line): the instructor's commands need the namespaces and the seccomp filter or refuse; the
student's own commands take what the machine allows (``weak`` walls where namespaces are
denied, no filter where seccomp is) and say so in one line (``Sandbox.walls_note``). Without
Linux (macOS) a child is a forked process with rlimits, its pid told by the zygote, and no CPU
budget but the wall-clock timeout (no /proc to read the CPU time from).

Missing at every level: timing. The wall clock, the machine's load and the page cache are
shared, and how long a child takes is under its control. The results' ``execution_time``
counts reading the submission and the checks before the first hidden one
(grader/grading/session.py), so no timing of a hidden call reaches the results.
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
from dataclasses import asdict, dataclass
from pathlib import Path
from collections.abc import Callable
from typing import Any

# The caps on a reply (its size, its JSON's size, an exception's message and ancestry) are in bounds.py.
from grader.bounds import HEADER_LIMIT, MAX_CALL_CPU_SECONDS, MAX_CALL_TIMEOUT, MAX_OBSERVED_EVENTS, RESULT_LIMIT
from grader.sandbox import cgroups, wire
from grader.sandbox.isolation import Limits, remove_folder
from grader.sandbox.outcomes import (  # noqa: F401 - the outcomes are this module's face too
    CallOutcome, CellCode, Handle, Loaded, MALFORMED, SKIP_REASONS, SandboxCrash, SandboxFailure, SandboxTimeout, SandboxUnavailable, SkippedCell, StudentError, _cleaned, _student_error, builtin_ancestry, clean_text, incomplete_report, malformed)

TRANSFER_GRACE = 0.5  # seconds, after the call's timeout, for the reply's bytes to arrive
CPU_POLL = 0.05  # seconds between looks at a busy child's CPU time
UID_BASE = 30000


@dataclass(frozen=True)
class SandboxConfig:
    limits: Limits = Limits()
    hidden: tuple[str, ...] = ()
    level: str = "auto"            # "auto", "full" or "weak"


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

    def __init__(self, pid: int, sock: socket.socket, out: socket.socket, limits: Limits = Limits(),
                 on_close: Callable[[], None] | None = None,
                 tree: "cgroups.TreeBudget | cgroups.ProcessTree | None" = None) -> None:
        self.pid = pid
        self.limits = limits
        self.cpu_budget = limits.call_cpu_seconds
        # The budget of the child's whole process tree: its cgroup, or else its processes in /proc.
        self.tree = tree or cgroups.ProcessTree(pid)
        self._oom_kills = self.tree.oom_kills()
        self.on_close = on_close
        self.sock = sock
        self.out = out
        self.output = bytearray()
        self.output_limit = 64 * 1024
        self.out_closed = False
        self.dead = False
        try:
            self._pidfd: int | None = os.pidfd_open(pid)
        except (OSError, AttributeError):  # AttributeError: not Linux (macOS)
            self._pidfd = None

    # ------------------------------------------------------------------ requests

    def load(self, module: str, source: str, filename: str, functions: list[str]) -> list[str] | StudentError:
        """Run ``source`` as a module in the child; returns the functions missing from it, or the error."""
        loaded = self.load_cells(module, [CellCode(source)], filename, functions, stop_at_first=True)
        if loaded.skipped:
            return loaded.skipped[0].error or StudentError("Error", "the code did not run to its end")
        return loaded.missing

    def load_cells(self, module: str, cells: list[CellCode], filename: str, functions: list[str], *,
                   pins: dict[str, str] | None = None, stop_at_first: bool = False) -> Loaded:
        """Run ``cells`` one by one as a module in the child (see ``child._load``); returns what
        is missing and which cells did not run, checked against what was sent."""
        pins = dict(pins or {})
        limits = self.limits
        header = {"op": "load", "module": module, "filename": filename, "functions": functions,
                  "cells": [{"code": c.code, "line": c.line, "tags": list(c.tags), "run": c.run} for c in cells],
                  "pins": pins, "stop_at_first": stop_at_first, "cell_cpu": limits.cell_cpu_seconds,
                  "cell_seconds": limits.cell_seconds,
                  # The child stops starting cells a little before the host's hard deadline.
                  "seconds": max(limits.load_seconds - 2 * TRANSFER_GRACE, 0.1)}
        reply, _ = self._request(header, [], limits.load_seconds)
        if not reply.get("ok"):
            self.kill()
            raise malformed("no report of the load")
        missing, skipped, pinned = reply.get("missing"), reply.get("skipped"), reply.get("pinned")
        if (type(missing) is not list or not all(type(m) is str and m in functions for m in missing)
                or type(pinned) is not list or not all(type(p) is str and p in pins for p in pinned)
                or type(skipped) is not list or len(skipped) > len(cells)):
            self.kill()
            raise malformed("the load's report")
        reports: list[SkippedCell] = []
        reported: set[int] = set()   # a set, not a look through every earlier report: linear in the cells
        for entry in skipped:
            index = entry.get("cell") if type(entry) is dict else None
            reason = entry.get("reason") if type(entry) is dict else None
            if (type(index) is not int or not 0 <= index < len(cells) or reason not in SKIP_REASONS
                    or index in reported):
                self.kill()
                raise malformed("the load's report")
            reported.add(index)
            error = _cleaned(_student_error(entry)) if "error" in entry else None
            reports.append(SkippedCell(index, reason, error))
        printed = reply.get("printed", [])
        if (type(printed) is not list or len(printed) > len(cells)
                or not all(type(p) is list and len(p) == 2 and all(type(n) is int and n >= 0 for n in p)
                           and p[0] < len(cells) for p in printed)):
            self.kill()
            raise malformed("the load's report")
        return Loaded(missing, reports, pinned, [(p[0], p[1]) for p in printed])

    def call(self, module: str, function: str, args: tuple = (), kwargs: dict | None = None, *,
             timeout: float, filename: str = "", backward: bool = False, inputs: bool = False,
             handles: bool = False, cpu_seconds: float | None = None, seed: int | None = None,
             observe: bool = False) -> CallOutcome:
        """Call ``module.function(*args, **kwargs)`` in the child and decode what comes back.

        With ``handles``, a result that is not plain data stays in the child and comes back
        as a ``Handle``; handles may be passed as arguments. ``cpu_seconds``: this call's CPU
        budget instead of the child's (``Limits.call_cpu_seconds``), at most
        ``bounds.MAX_CALL_CPU_SECONDS``; ``timeout`` is capped by ``bounds.MAX_CALL_TIMEOUT``.
        ``seed``: the child seeds Python's, numpy's and torch's generators with it before the
        call, with torch's deterministic algorithms on and one thread (the same call, the same answer)."""
        header = {"op": "call", "module": module, "function": function}
        if cpu_seconds is not None:
            header["cpu_seconds"] = min(max(float(cpu_seconds), 0.0), MAX_CALL_CPU_SECONDS)
        if seed is not None:
            header["seed"] = int(seed) % (1 << 32)
        if observe:  # the child reports each forward pass's mode and each gradient's norm (child._Watch)
            header["observe"] = True
        return self._ask(header, args, kwargs, timeout=min(timeout, MAX_CALL_TIMEOUT), filename=filename,
                         backward=backward, inputs=inputs, handles=handles)

    def on_handle(self, handle: "Handle", action: str, name: str, args: tuple = (), kwargs: dict | None = None,
                  *, timeout: float, filename: str = "") -> CallOutcome:
        """Read attribute ``name`` of the child's object (``action="get"``), call its method
        (``action="method"``) or read ``name`` of every object in ``args`` (``action="gather"``,
        a list); the result is plain data or handles."""
        if handle.child is not self:
            raise SandboxCrash("a handle of another process")
        header = {"op": "handle", "id": handle.number, "action": action, "name": name}
        return self._ask(header, args, kwargs, timeout=timeout, filename=filename, handles=True)

    def _ask(self, header: dict, args: tuple, kwargs: dict | None, *, timeout: float, filename: str,
             backward: bool = False, inputs: bool = False, handles: bool = False) -> CallOutcome:
        refer = (lambda v: v.number if type(v) is Handle and v.child is self else None) if handles else None
        (args_tree, kwargs_tree), buffers = wire.encode(tuple(args), dict(kwargs or {}), refer=refer)
        header = dict(header, args=args_tree, kwargs=kwargs_tree, backward=backward, inputs=inputs,
                      filename=filename, handles=handles)
        reply, out = self._request(header, buffers, timeout)
        if not reply.get("ok"):
            return CallOutcome(error=_student_error(reply))
        make = (lambda number, kind: Handle(self, number, kind)) if handles else None
        try:
            value, _ = wire.decode(reply.get("result"), out, handle=make)
            _, reports = wire.decode(reply.get("inputs", []), out, handle=make)
        except wire.WireError as exc:  # its words are the wire's own, never the child's
            self.kill()
            raise malformed(str(exc)) from None
        except (ValueError, TypeError, OverflowError):  # a library's words may quote the child
            self.kill()
            raise malformed() from None
        backward_error = reply.get("backward_error")
        if backward_error is not None and type(backward_error) is not str:
            self.kill()
            raise malformed("the report of backward()")
        if inputs:
            problem = incomplete_report(reports, wire.inputs_of(tuple(args), dict(kwargs or {})))
            if problem:
                self.kill()
                raise malformed(f"an incomplete report: {problem}")
        elif reports:
            self.kill()
            raise malformed("inputs that were not asked for")
        observed = None
        if header.get("observe"):
            observed = _observed(reply.get("observed"))
            if observed is None:
                self.kill()
                raise malformed("the report of what the call did to the model")
        return CallOutcome(value=value, inputs=reports, backward_error=backward_error, observed=observed)

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
                own = f"; its budget: {header['cpu_seconds']:g} s of CPU time" if "cpu_seconds" in header else ""
                raise SandboxTimeout(f"no answer within {timeout:g} s (an endless loop, or too slow{own}?)")
            # Wake up now and then to look at the CPU time: a busy loop is stopped as soon as it
            # has burnt its CPU budget, without waiting for the wall-clock timeout.
            watched = [self.sock] if self.out_closed else [self.sock, self.out]
            ready, _, _ = select.select(watched, [], [], min(remaining, CPU_POLL))
            if self.out in ready:
                self._drain_output()
            if self.sock in ready:
                break
            self._check_memory()
            budget = (header.get("cpu_seconds", self.cpu_budget) if header.get("op") == "call"
                      else self.limits.load_seconds)
            if self._cpu_seconds() - cpu_start > budget:
                self.kill()
                raise SandboxTimeout(f"used more than {budget:g} s of CPU time without answering "
                                     "(an endless loop, or far too slow?)")
        try:
            # The whole reply must arrive by then, however slowly the child trickles it out.
            reply, out = wire.recv(self.sock, RESULT_LIMIT, header_limit=HEADER_LIMIT,
                                   deadline=max(deadline, time.monotonic()) + TRANSFER_GRACE)
        except socket.timeout:
            self.kill()
            raise SandboxTimeout(f"no answer within {timeout:g} s") from None
        except EOFError:
            self._check_memory()
            self.kill()
            raise SandboxCrash("the submission's process ended during the call "
                               "(did the code call os._exit(), or crash?)") from None
        except wire.WireError as exc:  # its words are the wire's own, never the child's
            self.kill()
            raise malformed(str(exc)) from None
        except (OSError, ValueError):
            self.kill()
            raise malformed() from None
        if type(reply) is not dict:
            self.kill()
            raise malformed("a reply that is not a dictionary")
        return reply, out

    def _cpu_seconds(self) -> float:
        """CPU time used so far by the child and every process it started (0 when it cannot be read)."""
        return self.tree.cpu_seconds()

    def _check_memory(self) -> None:
        """Stop the child when the kernel killed one of its processes for its tree's memory."""
        if self.tree.oom_kills() != self._oom_kills:
            self.kill()
            raise SandboxCrash(f"the submission's processes together used more than {self.tree.memory_mb} MB "
                               "of memory")

    def _drain_output(self) -> None:
        try:
            data = self.out.recv(65536, socket.MSG_DONTWAIT)
        except (BlockingIOError, OSError):
            return
        if not data:  # the child closed its stdout and stderr: nothing more will come
            self.out_closed = True
            return
        room = self.output_limit - len(self.output)
        if room > 0:
            self.output += data[:room]

    def drain(self) -> None:
        """Take in all the output that has already arrived (the child flushes before it replies)."""
        if self.out.fileno() < 0:
            return
        before = -1
        while before != len(self.output) and len(self.output) < self.output_limit:
            before = len(self.output)
            self._drain_output()

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


def _observed(events: Any) -> list[tuple] | None:
    """The child's events of a watched call, checked strictly (None: malformed)."""
    if type(events) is not list or len(events) > MAX_OBSERVED_EVENTS:
        return None
    out: list[tuple] = []
    for event in events:
        if type(event) is not list or not event:
            return None
        if event[0] == "forward" and len(event) == 2 and type(event[1]) is bool:
            out.append(("forward", event[1]))
        elif (event[0] in ("grad", "sum") and len(event) == 3 and type(event[1]) is int and 0 <= event[1] < 1 << 20
              and (type(event[2]) in (int, float) or event[2] in ("nan", "inf"))):
            out.append((event[0], event[1], float(event[2])))
        else:
            return None
    return out


def _first_word(sock: socket.socket, told: Any = None) -> int | None:
    """The child's first message: its pid, in credentials the kernel checked and translated.
    Where there are no such credentials (macOS), the pid the zygote ``told`` (it forked the
    child, runs no submission code, and there are no namespaces there)."""
    sock.settimeout(30)
    if not hasattr(socket, "SCM_CREDENTIALS"):
        try:
            word = sock.recv(1)
        except OSError:
            return None
        return told if word == b"P" and type(told) is int and told > 0 else None
    try:
        data, ancillary, _, _ = sock.recvmsg(1, socket.CMSG_SPACE(struct.calcsize("3i")))
    except OSError:
        return None
    for level, kind, payload in ancillary:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and data == b"P":
            return struct.unpack("3i", payload[: struct.calcsize("3i")])[0]
    return None


class _Forked:
    """The little of ``subprocess.Popen`` that ``Sandbox`` uses, for a forked zygote."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    @classmethod
    def zygote(cls, control: socket.socket) -> "_Forked":
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

                zygote.main(keep)
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
        limits = config.limits
        # One memory, CPU and process budget for each child's whole tree, where the machine allows it.
        self.budget = cgroups.TreeBudget.create(limits.memory_mb, limits.processes, limits.cpu_cores)
        self.tree_budget: cgroups.TreeBudget | None = None  # in force: once the nursery is in it
        self.filtered = False  # children run under the seccomp filter
        self.seccomp_state = "absent"  # "on", "absent" (no libseccomp), "denied" (by the machine), "unsupported"
        # Weak isolation: the children's folder lives in here (the zygote empties and removes it
        # around each child); the whole of it is removed when the sandbox closes.
        self.scratch = tempfile.mkdtemp(prefix="grader-sandbox-")
        parent, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        env.pop("PYTHONSTARTUP", None)
        settings = {
            "level": config.level,
            "limits": asdict(config.limits),
            "hidden": [*config.hidden, "/sys/fs/cgroup"],  # no way into, or out of, the tree's cgroup
            "cgroup": self.budget.procs_files if self.budget else [],
            "read_only": [*SYSTEM_DIRS, *_site_dirs()],
            "uid": self.uid,
            "scratch": self.scratch,
        }
        try:
            if fork:
                self.process: subprocess.Popen | _Forked = _Forked.zygote(theirs)
            else:
                self.process = subprocess.Popen(
                    [sys.executable, "-m", "grader.sandbox.zygote", str(theirs.fileno())],
                    pass_fds=[theirs.fileno()], stdin=subprocess.DEVNULL, env=env,
                    cwd=tempfile.gettempdir(), start_new_session=True,
                )
        except BaseException:
            if self.budget is not None:
                self.budget.remove()
            remove_folder(self.scratch)
            raise
        finally:
            theirs.close()
        # The settings go over the control socket, not in a command line that children could read.
        parent.sendall(json.dumps(settings).encode() + b"\n")
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
            self.filtered = bool(hello.get("seccomp"))
            state = hello.get("seccomp_state")
            self.seccomp_state = state if state in ("on", "absent", "denied", "unsupported") else "absent"
            self.tree_budget = self.budget if hello.get("cgroup") else None
        return self._level

    def missing_walls(self) -> tuple[str, ...]:
        """The walls of full isolation this sandbox's children lack: "namespaces", "seccomp"
        (a cgroup is not among them: without one the fallback is documented in cgroups.py)."""
        level = self.level
        return (*(("namespaces",) if level != "full" else ()), *(() if self.filtered else ("seccomp",)))

    def walls_note(self) -> str | None:
        """One line saying which walls are missing and which remain (None when none is missing):
        for the student's own commands, which run the student's own code."""
        missing = self.missing_walls()
        if not missing:
            return None
        lacking = []
        if "namespaces" in missing:
            lacking.append("no Linux namespaces" + (" (--isolation weak)" if self.config.level == "weak" else ""))
        if "seccomp" in missing:
            lacking.append("no seccomp filter" + (" (libseccomp is not installed)"
                                                  if self.seccomp_state == "absent" else ""))
        kept = [*(["Linux namespaces"] if "namespaces" not in missing else []), "rlimits",
                *(["a cgroup"] if self.tree_budget else []), *(["seccomp"] if self.filtered else [])]
        kept_text = kept[0] if len(kept) == 1 else ", ".join(kept[:-1]) + " and " + kept[-1]
        return (f"note: this machine allows {' and '.join(lacking)}; your code runs in a process of its own "
                f"with {kept_text} only (fine for checking your own work)")

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
        if hasattr(socket, "SO_PASSCRED"):  # Linux: the kernel vouches for the child's pid
            mine.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        try:
            reply = self._ask({"op": "spawn"}, [theirs.fileno(), out_theirs.fileno()])
        finally:
            theirs.close()
            out_theirs.close()
        pid = _first_word(mine, reply.get("pid")) if reply.get("ok") else None
        if pid is None:
            mine.close()
            out_mine.close()
            raise SandboxUnavailable(f"could not start a sandboxed process: {reply.get('error', 'no reason given')}")
        return Child(pid, mine, out_mine, self.config.limits, on_close=self.reap,
                     tree=self.tree_budget or cgroups.ProcessTree(self.process.pid))

    def warm(self) -> bool:
        """Have the zygote run its expensive warm-up stage (torch's optimizers, ~1 s of CPU)
        before it forks the next child. True when it ran just now; False when it had already
        run (in this zygote, or in the worker it was forked from), so a call that ran out of
        time was not paying for it."""
        if self._warm:
            return False
        _ = self.level  # waits for the zygote's first word
        self._warm = True  # asked once: a warm-up that failed is not tried again
        reply = self._ask({"op": "warm"})
        # A zygote that could not warm up keeps serving as it was: the call is then judged as
        # it runs (and the reason is in the zygote's reply, for a debugger).
        return reply.get("ok") is True and reply.get("warmed") is True

    def reap(self) -> None:
        """Have the zygote kill whatever the last child left behind."""
        if self.process.poll() is None and self._level is not None:
            self._ask({"op": "reap"})
            if self._level == "weak" and self.tree_budget:  # children that left their session too
                self.tree_budget.kill_all()

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
            if self.budget is not None:
                self.budget.remove()
            remove_folder(self.scratch)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def asks_for_optimizers(code: str) -> bool:
    """Whether ``code`` (a submission's source, or an exercise's stub) may build one of torch's
    optimizers, whose first use costs about 1 s of CPU (torch._dynamo): the cue for the full
    warm-up, before a child is forked (``Sandbox.warm``) or before a batch worker forks its zygote."""
    return "optim" in code


def grader_paths() -> list[str]:
    """Folders a child must never see: the grader package (its checks) and, for a source
    checkout, the course folder around it."""
    package = Path(__file__).resolve().parents[1]
    around = package.parent
    return [str(package)] + ([str(around)] if (around / "exercises").is_dir() else [])
