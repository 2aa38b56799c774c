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

Missing at every level: timing. The wall clock, the machine's load and the page cache are
shared, and how long a child takes is under its control; the results' ``execution_time``
(grading.py's ``build_results``) is such a timing, and still reaches the results (a known gap,
outside the sandbox).
"""

from __future__ import annotations

import builtins
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
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from collections.abc import Callable
from typing import Any

# The caps on a reply (its size, its JSON's size, an exception's message and ancestry) are in bounds.py.
from grader.bounds import (EXCEPTION_ANCESTORS, HEADER_LIMIT, MAX_CALL_CPU_SECONDS, MAX_CALL_TIMEOUT, MAX_OBSERVED_EVENTS,
                           MESSAGE_LIMIT, RESULT_LIMIT)
from grader.safetext import clean, identifier
from grader.sandbox import cgroups, wire
from grader.sandbox.isolation import Limits, remove_folder

TRANSFER_GRACE = 0.5  # seconds, after the call's timeout, for the reply's bytes to arrive
CPU_POLL = 0.05  # seconds between looks at a busy child's CPU time
UID_BASE = 30000


class SandboxFailure(Exception):
    """The child did not answer with a result: timeout, crash or malformed data."""


class SandboxTimeout(SandboxFailure):
    pass


class SandboxCrash(SandboxFailure):
    pass


MALFORMED = "the submission's process sent back something malformed"


def malformed(expectation: str | None = None) -> SandboxCrash:
    """The one message for a reply that is not what the trusted side expects: fixed words, and
    at most which expectation failed, in the trusted side's words (never a byte of the reply)."""
    return SandboxCrash(MALFORMED + (f" ({expectation})" if expectation else ""))


class SandboxUnavailable(Exception):
    """The sandbox itself could not start (a problem of the machine, not of a submission)."""


@dataclass(frozen=True)
class StudentError:
    """An exception raised by submission code, as reported (untrusted) by the child.

    ``builtins`` are the built-in exception classes it is an instance of, by name, nearest
    first, as the trusted side derived them from the names the child reported (see
    ``builtin_ancestry``): a check that expects ValueError asks ``is_a("ValueError")``, so a
    subclass (graphlib's CycleError) passes, and a class merely named ValueError does not."""

    type: str
    message: str
    line: int | None = None
    builtins: tuple[str, ...] = ()

    def is_a(self, name: str) -> bool:
        """Whether the exception is an instance of the built-in exception class ``name``."""
        return name in self.builtins

    def builtin_in(self, vocabulary: "frozenset[str] | set[str]") -> str | None:
        """The nearest built-in class of the exception that ``vocabulary`` names (None if none)."""
        return next((name for name in self.builtins if name in vocabulary), None)


@dataclass(frozen=True)
class CellCode:
    """A piece of a submission to run on its own: a notebook cell, or a whole .py file."""

    code: str
    line: int = 1               # its first line, in the numbering of the submission's messages
    tags: tuple[str, ...] = ()
    run: bool = True            # False: never run (a cell magic)


SKIP_REASONS = ("raised", "syntax", "cpu", "time", "late")


@dataclass(frozen=True)
class SkippedCell:
    """A cell that did not run to its end: it failed to compile ("syntax"), raised, ran past its
    CPU or wall-clock budget ("cpu", "time"), or was not started before the load's deadline ("late")."""

    index: int                  # into the cells sent
    reason: str
    error: StudentError | None = None


@dataclass
class Loaded:
    missing: list[str]          # functions asked for and not defined
    skipped: list[SkippedCell]
    pinned: list[str]           # tags whose cell defined the function: module "MODULE:tag"


@dataclass
class CallOutcome:
    """What one call produced: a value or an error, and the inputs as they were afterwards."""

    value: Any = None
    error: StudentError | None = None
    inputs: list[Any] = field(default_factory=list)
    backward_error: str | None = None
    observed: list[tuple] | None = None   # with observe=True: what the call did to the models passed in


class Handle:
    """The trusted side's name for an object that lives in the child: its id and the name of
    its type as the child said it (untrusted). Nothing of the object itself is here; using it
    means asking the child (``Child.on_handle``) for plain data."""

    __slots__ = ("child", "number", "kind")

    def __init__(self, child: "Child", number: int, kind: str) -> None:
        self.child, self.number, self.kind = child, number, kind

    def __repr__(self) -> str:
        return f"<handle {self.number} to a {self.kind} in the sandbox>"


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
        except OSError:
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
        return Loaded(missing, reports, pinned)

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

    # Only words of the trusted side's: no count or position the child chose.
    if len(reports) != len(sent):
        return "another number of inputs than were sent"
    for report, original in zip(reports, sent):
        if isinstance(original, torch.Tensor):
            if type(report) is not wire.TensorReport:
                return "a tensor came back as something else"
            if report.tensor.dtype != original.dtype or report.tensor.dim() != original.dim():
                return "a tensor came back with another dtype or number of dimensions"
        elif type(report) is not type(original) or not isinstance(original, (pd.DataFrame, pd.Series,
                                                                              torch.nn.Module)):
            return f"a {type(original).__name__} came back as something else"
    return None


# The built-in exception classes of this (the trusted) interpreter, by name: the fixed
# vocabulary of names the trusted side accepts for an exception's ancestors.
BUILTIN_EXCEPTIONS: dict[str, type] = {
    name: value for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException) and value.__name__ == name
}


def builtin_ancestry(reported: Any) -> tuple[str, ...]:
    """The built-in exception classes an exception is an instance of, nearest first, from the
    names of the built-in classes in its MRO as the child reported them (forgeable, but forging
    ValueError costs as much as raising it). Only names of real built-in classes count, at most
    ``EXCEPTION_ANCESTORS`` of them; the nearest are those with no reported subclass (two with
    multiple inheritance), and each brings its ancestors from this interpreter's own hierarchy."""
    if type(reported) is not list:
        return ()
    known: list[type] = []
    for name in reported[:EXCEPTION_ANCESTORS]:
        kind = BUILTIN_EXCEPTIONS.get(name) if type(name) is str else None
        if kind is not None and kind not in known:
            known.append(kind)
    nearest = [k for k in known if not any(o is not k and issubclass(o, k) for o in known)]
    out: list[str] = []
    for kind in nearest:
        for ancestor in kind.__mro__:
            if ancestor.__name__ in BUILTIN_EXCEPTIONS and ancestor.__name__ not in out:
                out.append(ancestor.__name__)
    return tuple(out)


def _student_error(reply: dict) -> StudentError:
    error = reply.get("error")
    if type(error) is not dict:
        return StudentError("Error", "the submission's process sent a malformed error")
    # Everything here was written by the submission: a type name must be a short identifier,
    # a message is capped and cleaned, a line number is a plausible int, the built-in classes
    # are names of this interpreter's.
    kind, message, line = error.get("type"), error.get("message"), error.get("line")
    return StudentError(
        identifier(kind, fallback="Error"),
        clean(message if type(message) is str else "", MESSAGE_LIMIT),
        line if type(line) is int and 0 < line < 10_000_000 else None,
        builtin_ancestry(error.get("builtins")),
    )


def clean_text(text: str, limit: int) -> str:
    """Untrusted text made safe to show: control and format characters (escapes, bidi
    overrides) become spaces, and it is cut to ``limit`` characters."""
    text = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf") else ch for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _cleaned(error: StudentError) -> StudentError:
    kind = clean_text(error.type, 80).replace(" ", "") or "Error"
    return StudentError(kind, clean_text(error.message, 200), error.line, error.builtins)


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
            self.tree_budget = self.budget if hello.get("cgroup") else None
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


def grader_paths() -> list[str]:
    """Folders a child must never see: the grader package (its checks) and, for a source
    checkout, the course folder around it."""
    package = Path(__file__).resolve().parents[1]
    around = package.parent
    return [str(package)] + ([str(around)] if (around / "exercises").is_dir() else [])
