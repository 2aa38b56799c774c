"""The untrusted side: what runs in a sandboxed child, forked from the zygote.

The child loads submission source into fresh modules and calls functions on request.
Everything it sends back is plain data (see ``wire``); the host trusts none of it
beyond its shape, so nothing here needs to be tamper-proof: a submission that
rewrites this module can only send data, and the data is checked in the host.
"""

from __future__ import annotations

import ast
import builtins
import os
import signal
import socket
import sys
import time
import traceback
import types
from typing import Any

from grader.bounds import EXCEPTION_ANCESTORS, MAX_OBSERVED_EVENTS, REQUEST_LIMIT
from grader.sandbox import wire



def serve(sock: socket.socket) -> None:
    """Answer requests until the host closes the connection; never returns."""
    modules: dict[str, types.ModuleType] = {}
    objects = Objects()
    while True:
        try:
            header, buffers = wire.recv(sock, REQUEST_LIMIT)
        except (EOFError, OSError, wire.WireError):
            os._exit(0)
        try:
            if header.get("op") == "load":
                reply, out = _load(header, modules), []
            elif header.get("op") == "call":
                reply, out = _call(header, buffers, modules, objects)
            elif header.get("op") == "handle":
                reply, out = _on_handle(header, buffers, objects)
            else:
                reply, out = {"ok": False, "error": {"type": "ProtocolError", "message": "unknown op"}}, []
        except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are results too
            reply, out = {"ok": False, "error": describe(exc, header.get("filename"))}, []
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        try:
            wire.send(sock, reply, out)
        except (OSError, ValueError, TypeError) as exc:
            wire.send(sock, {"ok": False, "error": {"type": "WireError", "message": str(exc)[:300]}})


class OverBudget(BaseException):
    """Raised in the submission's code by a timer when a cell runs past its budget.

    A BaseException, so that ``except Exception`` in the submission does not swallow it; the
    timer fires again every ``REPEAT`` seconds until the cell gives up. Code that swallows it
    forever, or resets the timer, is killed by the host at the load's hard deadline."""


REPEAT = 0.05
_budget = {"armed": False}


def _over_budget(signum: int, frame: Any) -> None:
    if _budget["armed"]:
        raise OverBudget("cpu" if signum == signal.SIGPROF else "time")


def _run(code: Any, namespace: dict, cpu: float, wall: float) -> BaseException | None:
    """Run one compiled cell under a CPU and a wall-clock timer; returns what it raised."""
    _budget["armed"] = True
    signal.setitimer(signal.ITIMER_PROF, max(cpu, 0.001), REPEAT)
    signal.setitimer(signal.ITIMER_REAL, max(wall, 0.001), REPEAT)
    raised = None
    try:
        exec(code, namespace)
    except BaseException as exc:  # noqa: BLE001 - SystemExit and friends are results too
        raised = exc
    finally:
        _budget["armed"] = False
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
    torch = sys.modules.get("torch")
    if isinstance(raised, OverBudget) and torch is not None and not torch.is_grad_enabled():
        # Our interruption can land inside `with torch.no_grad():`'s own exit (the timer fires
        # again and again) and leave gradients off for every later call: undo what we broke.
        torch.set_grad_enabled(True)
    return raised


class _Counted:
    """A stream that counts the bytes written through it (UTF-8), so that a load can say how much
    each cell printed; what a cell writes to the file descriptors directly is not counted (the
    host files it with the exercise being loaded)."""

    def __init__(self, stream: Any, counter: list[int]) -> None:
        self._stream, self._counter = stream, counter

    def write(self, text: Any) -> Any:
        written = self._stream.write(text)
        try:
            self._counter[0] += len(str(text).encode("utf-8", "replace"))
        except BaseException:  # noqa: BLE001 - a str subclass that will not encode: not counted
            pass
        return written

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def _compile(code: str, filename: str, first_line: int) -> types.CodeType:
    """A cell's code, its line numbers counted from ``first_line`` (as in the host's messages)."""
    try:
        tree = compile(code, filename, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:
        if type(exc.lineno) is int:
            exc.lineno += first_line - 1
        raise
    ast.increment_lineno(tree, first_line - 1)
    return compile(tree, filename, "exec", dont_inherit=True)


def _load(header: dict, modules: dict[str, types.ModuleType]) -> dict:
    """Run a file's code in a fresh module: each cell on its own, under a budget.

    A notebook's cells run one after another in one namespace, as Jupyter runs them; a cell
    that fails to compile, raises or runs past its budget is reported and the next one runs.
    A .py file is a single cell (``stop_at_first``: Python's import semantics). Cells tagged
    with an exercise id pin the function they define (``pins``: tag -> function name): that
    exercise is then graded on it, in a module of its own named ``module:tag``.
    """
    name, filename = header["module"], header["filename"]
    module = types.ModuleType(name)
    module.__file__ = filename
    sys.modules[name] = module
    modules[name] = module
    namespace = module.__dict__
    pins = header.get("pins", {})
    deadline = time.monotonic() + header["seconds"]
    signal.signal(signal.SIGPROF, _over_budget)
    signal.signal(signal.SIGALRM, _over_budget)
    counter, printed = [0], []   # bytes printed so far; [cell, bytes] for each cell that printed
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _Counted(streams[0], counter), _Counted(streams[1], counter)
    try:
        skipped, pinned = _run_cells(header, namespace, pins, deadline, counter, printed)
    finally:
        sys.stdout, sys.stderr = streams
    for tag, function in pinned.items():
        view = types.ModuleType(f"{name}:{tag}")
        view.__dict__[pins[tag]] = function
        view.__dict__["__getattr__"] = lambda attribute: getattr(module, attribute)
        modules[f"{name}:{tag}"] = view
    missing = [f for f in header.get("functions", []) if not callable(namespace.get(f))]
    return {"ok": True, "missing": missing, "skipped": skipped, "pinned": sorted(pinned), "printed": printed}


def _run_cells(header: dict, namespace: dict, pins: dict, deadline: float, counter: list[int],
               printed: list[list[int]]) -> tuple[list[dict], dict]:
    """``_load``'s cells, one after another; what did not run to its end, and the pinned functions."""
    filename = header["filename"]
    skipped: list[dict] = []
    pinned: dict = {}
    for index, cell in enumerate(header["cells"]):
        if not cell.get("run", True):
            continue
        remaining = deadline - time.monotonic()
        if remaining < REPEAT:
            skipped.append({"cell": index, "reason": "late"})
            continue
        try:
            code = _compile(cell["code"], filename, cell["line"])
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:  # too deep or too big: no Python
            kind = "SyntaxError" if isinstance(exc, (SyntaxError, ValueError)) else type(exc).__name__
            line = getattr(exc, "lineno", None)
            skipped.append({"cell": index, "reason": "syntax", "error": {
                "type": kind, "message": str(getattr(exc, "msg", exc))[:500],
                "line": line if type(line) is int else None}})
            if header.get("stop_at_first"):
                break
            continue
        before = {tag: namespace.get(pins[tag]) for tag in cell.get("tags", []) if tag in pins}
        counted = counter[0]
        try:
            raised = _run(code, namespace, header["cell_cpu"], min(header["cell_seconds"], remaining))
        except OverBudget as exc:  # fired just as the cell ended
            raised = exc
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:  # noqa: BLE001
                pass
        if counter[0] > counted:
            printed.append([index, counter[0] - counted])
        for tag, old in before.items():
            new = namespace.get(pins[tag])
            if callable(new) and new is not old:
                pinned[tag] = new
        if raised is not None:
            if isinstance(raised, OverBudget):
                skipped.append({"cell": index, "reason": str(raised), "error": describe(raised, filename)})
            else:
                skipped.append({"cell": index, "reason": "raised", "error": describe(raised, filename)})
            if header.get("stop_at_first"):
                break
    return skipped, pinned


class Objects:
    """Objects of the submission's that the host holds handles to (``Value``s, say): they
    never leave the child; the host names them by id and asks for plain data about them."""

    def __init__(self) -> None:
        self.table: dict[int, Any] = {}

    def keep(self, value: Any) -> int:
        self.table[len(self.table) + 1] = value
        return len(self.table)

    def get(self, number: int, _kind: str = "") -> Any:
        if number not in self.table:
            raise wire.WireError(f"no object with handle {number}")
        return self.table[number]


def _call(header: dict, buffers: list[bytes], modules: dict[str, types.ModuleType],
          objects: Objects) -> tuple[dict, list[bytes]]:
    module = modules.get(header["module"])
    function = getattr(module, header["function"], None)
    if not callable(function):
        return {"ok": False, "error": {"type": "NameError",
                                       "message": f"{header['function']} is not defined"}}, []
    if type(header.get("seed")) is int:
        _seed(header["seed"])
    return _answer(header, buffers, objects, lambda args, kwargs: function(*args, **kwargs))


def _seed(seed: int) -> None:
    """The same call gives the same answer: every generator seeded, deterministic algorithms, one thread."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.default_generator.manual_seed(seed)  # torch.manual_seed's CPU part, without its devices' lazy queue
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)


def _on_handle(header: dict, buffers: list[bytes], objects: Objects) -> tuple[dict, list[bytes]]:
    """Read an attribute of a kept object (``"name"``) or call one of its methods (``"method"``)."""
    target = objects.get(header.get("id"))
    name = header.get("name")
    if type(name) is not str or (name.startswith("_") and not (name.startswith("__") and name.endswith("__"))):
        return {"ok": False, "error": {"type": "ProtocolError", "message": "malformed handle request"}}, []
    if header.get("action") == "method":
        return _answer(header, buffers, objects, lambda args, kwargs: getattr(target, name)(*args, **kwargs))
    if header.get("action") == "gather":  # the attribute of each object passed, in one round trip
        return _answer(header, buffers, objects, lambda args, kwargs: [getattr(each, name) for each in args])
    return _answer(header, buffers, objects, lambda args, kwargs: getattr(target, name))


def _answer(header: dict, buffers: list[bytes], objects: Objects, action: Any) -> tuple[dict, list[bytes]]:
    handles = bool(header.get("handles"))
    lookup = objects.get if handles else None
    args, inputs = wire.decode(header["args"], buffers, live=True, handle=lookup)
    kwargs, more = wire.decode(header["kwargs"], buffers, live=True, handle=lookup)
    inputs += more
    watch = _Watch(args) if header.get("observe") else None
    try:
        result = action(args, kwargs)
    except BaseException as exc:  # noqa: BLE001
        return {"ok": False, "error": describe(exc, header.get("filename"))}, []
    finally:
        if watch is not None:
            watch.stop()
    backward_error = None
    if header.get("backward"):
        backward_error = _backward(result)
    try:
        trees, out = wire.encode(result, inputs if header.get("inputs") else [],
                                 keep=objects.keep if handles else None)
    except wire.WireError as exc:
        return {"ok": False, "error": {"type": "NotPlainData", "message": str(exc)}}, []
    except RecursionError:
        return {"ok": False, "error": {"type": "NotPlainData", "message": "value is nested too deeply"}}, []
    reply = {"ok": True, "result": trees[0], "inputs": trees[1], "backward_error": backward_error}
    if watch is not None:
        reply["observed"] = watch.events
    return reply, out


def _norm(tensor: Any) -> float | str:
    """A tensor's norm as plain data: a float, or "nan" or "inf" (JSON has no such numbers)."""
    value = float(tensor.detach().double().norm())
    return value if value == value and abs(value) != float("inf") else ("nan" if value != value else "inf")


class _Watch:
    """What a training call does to the models passed in, as plain events (the host judges them):
    ["forward", training] before each forward pass of a model; ["grad", parameter, norm] for each
    gradient backward() computes for a parameter, and ["sum", parameter, norm] for its .grad once
    that gradient was added in (both norms are equal unless earlier gradients piled up)."""

    def __init__(self, args: Any) -> None:
        import torch

        self.events: list[list] = []
        self.handles: list[Any] = []
        models = [a for a in args if isinstance(a, torch.nn.Module)]
        for model in models:
            self.handles.append(model.register_forward_pre_hook(self._forward))
            for index, parameter in enumerate(model.parameters()):
                self.handles.append(parameter.register_hook(self._grad(index)))
                self.handles.append(parameter.register_post_accumulate_grad_hook(self._sum(index)))

    def _add(self, event: list) -> None:
        if len(self.events) < MAX_OBSERVED_EVENTS:
            self.events.append(event)

    def _forward(self, module: Any, _inputs: Any) -> None:
        self._add(["forward", bool(module.training)])

    def _grad(self, index: int) -> Any:
        def hook(grad: Any) -> None:
            self._add(["grad", index, _norm(grad)])
        return hook

    def _sum(self, index: int) -> Any:
        def hook(parameter: Any) -> None:
            self._add(["sum", index, _norm(parameter.grad)])
        return hook

    def stop(self) -> None:
        for handle in self.handles:
            handle.remove()


def _backward(result: Any) -> str | None:
    import torch

    if type(result) is not torch.Tensor:
        return f"the result is a {type(result).__name__}, not a tensor"
    if not result.requires_grad:
        return "the result is not connected to the autograd graph (requires_grad is False)"
    try:
        result.sum().backward()
    except Exception as exc:  # noqa: BLE001
        return f"backward() failed: {type(exc).__name__}: {str(exc)[:200]}"
    return None


def describe(exc: BaseException, filename: str | None) -> dict:
    """An exception as plain data: its type name, message and the line of the submission it came from."""
    try:
        message = str(exc)[:500]
    except BaseException:  # noqa: BLE001
        message = "(the exception's message could not be read)"
    line = None
    if isinstance(exc, SyntaxError):
        line = exc.lineno
    else:
        for frame in traceback.extract_tb(exc.__traceback__):
            if filename and frame.filename == filename:
                line = frame.lineno
    # The built-in classes it derives from, by name (the host keeps only real built-in ones).
    ancestry = [kind.__name__ for kind in type(exc).__mro__
                if getattr(builtins, kind.__name__, None) is kind and issubclass(kind, BaseException)]
    return {"type": type(exc).__name__, "message": message, "line": line,
            "builtins": ancestry[:EXCEPTION_ANCESTORS]}
