"""The references' answers to the public checks, recorded at release time and played back.

A student's copy of the course has no ``solutions/``. ``grader release`` runs the public
checks (fixed inputs) against the references with a ``RecordingModule`` in place of each
reference module; every call a check makes is written down: its arguments, its return value
(or the exception it raised), its arguments as the call left them (in-place effects) and, for
``checking.reference_grads``, the gradients. In the student's copy the ``reference`` fixture
gives a ``RecordedModule`` instead, which answers the same calls from the recording.

Entries are keyed by the call: the exercise, the function, and the arguments encoded with the
sandbox's wire format (canonical JSON plus the raw buffer bytes), hashed with SHA-256. The file
(``grader/checks/recorded.wire``) is one wire frame: ``!II`` lengths, a JSON header and the raw
array buffers; it is decoded with ``wire.decode``, strictly, and nothing is ever unpickled.
"""

from __future__ import annotations

import builtins
import functools
import json
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.checking import CheckFailure, reference_grads, show_call, tensors_in
from grader.course import CHECKS_DIR, Exercise
from grader.grading.references import call_key, canonical
from grader.sandbox import wire

RECORDING = CHECKS_DIR / "recorded.wire"
FORMAT = "dl-grader recording 1"
_HEAD = struct.Struct("!II")
MAX_BYTES = 256 * 1024 * 1024


class RecordingError(Exception):
    """A call that cannot be recorded (the message names the check), or an unusable recording."""


# ----------------------------------------------------------------------------- keys


def _snapshot(value: Any) -> tuple[Any, list[bytes]]:
    """``value`` encoded now (later changes to it do not matter)."""
    (tree,), buffers = wire.encode(value)
    return tree, buffers


def _current_check() -> str:
    """The check running now, as pytest names it ('check_calc_preds.py::check_coeffs_of_shape_k')."""
    current = os.environ.get("PYTEST_CURRENT_TEST", "?")
    return current.rsplit(" ", 1)[0].rsplit("/", 1)[-1]


# ----------------------------------------------------------------------------- recording


@dataclass
class Entry:
    exercise: str
    function: str
    kind: str                              # "call" or "grads"
    value: tuple[Any, list[bytes]]         # {"result"/"raised"/"grads", "after": {position: value}}


@dataclass
class Recorder:
    """What the public checks asked of the references, entry by call key."""

    entries: dict[str, Entry] = field(default_factory=dict)
    calls: dict[str, set[str]] = field(default_factory=dict)   # check -> keys of its calls

    def add(self, key: str, entry: Entry) -> None:
        check = _current_check()
        self.calls.setdefault(check, set()).add(key)
        known = self.entries.get(key)
        if known is None:
            self.entries[key] = entry
        elif canonical(known.value[0]) != canonical(entry.value[0]) or known.value[1] != entry.value[1]:
            raise RecordingError(f"{check}: the reference {entry.function} gave different answers to the "
                                 "same call; a recorded reference must be deterministic")

    def to_bytes(self) -> bytes:
        """The recording file: one wire frame, entries sorted by key (the same bytes every time)."""
        entries, buffers = [], []
        for key in sorted(self.entries):
            entry = self.entries[key]
            tree, own = entry.value
            entries.append([key, entry.exercise, entry.function, entry.kind, _shift(tree, len(buffers))])
            buffers.extend(own)
        head = canonical({"format": FORMAT, "entries": entries, "buffers": [len(b) for b in buffers]})
        return _HEAD.pack(len(head), sum(len(b) for b in buffers)) + head + b"".join(buffers)


def _shift(tree: Any, offset: int) -> Any:
    """A wire tree whose buffer numbers are moved by ``offset`` (to share one buffer list)."""
    if isinstance(tree, list):
        return [_shift(v, offset) for v in tree]
    if isinstance(tree, dict):
        return {k: (v + offset if k == "buf" and type(v) is int else _shift(v, offset)) for k, v in tree.items()}
    return tree


class RecordingModule:
    """A live reference module that writes down every call made to its functions."""

    def __init__(self, module: Any, exercise: Exercise, recorder: Recorder) -> None:
        self._module, self._exercise, self._recorder = module, exercise, recorder

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        live = getattr(self._module, name)
        return RecordingFunction(live, name, self._exercise, self._recorder) if callable(live) else live


class RecordingFunction:
    def __init__(self, live: Any, name: str, exercise: Exercise, recorder: Recorder) -> None:
        self.live, self.name, self.exercise, self.recorder = live, name, exercise, recorder

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        try:
            key = call_key(self.exercise.id, self.name, "call", args, kwargs)
            before = [_snapshot(a) for a in args]
        except wire.WireError as exc:
            raise RecordingError(f"{_current_check()}: the arguments of {self.name} cannot be recorded "
                                 f"({exc})") from None
        try:
            result = self.live(*args, **kwargs)
        except Exception as exc:
            self._add(key, {"raised": [type(exc).__name__, str(exc)], "after": self._after(args, before)})
            raise
        try:
            self._add(key, {"result": result, "after": self._after(args, before)})
        except wire.WireError as exc:
            raise RecordingError(f"{_current_check()}: what {self.name} returned cannot be recorded "
                                 f"({exc})") from None
        return result

    def recorded_grads(self, args: tuple) -> list[Any]:
        """``checking.reference_grads`` with the live function, written down."""
        key = call_key(self.exercise.id, self.name, "grads", args, {})
        grads = reference_grads(self.live, args)
        self._add(key, {"grads": list(grads)}, kind="grads")
        return grads

    def _after(self, args: tuple, before: list) -> dict:
        """The arguments the call changed in place, as it left them (by position)."""
        after = {}
        for i, (arg, was) in enumerate(zip(args, before)):
            now = _snapshot(arg)
            if canonical(now[0]) != canonical(was[0]) or now[1] != was[1]:
                if not _restorable(arg):
                    raise RecordingError(f"{_current_check()}: the reference {self.name} changes its argument "
                                         f"#{i + 1} ({type(arg).__name__}) in place; only tensors, arrays, "
                                         "models of the wire's layers and lists, tuples and dicts of them can be "
                                         "recorded")
                after[i] = arg
        return after

    def _add(self, key: str, value: dict, kind: str = "call") -> None:
        self.recorder.add(key, Entry(self.exercise.id, self.name, kind, _snapshot(value)))


def _restorable(value: Any) -> bool:
    import numpy as np
    import torch

    if isinstance(value, (torch.Tensor, np.ndarray)):
        return True
    if isinstance(value, torch.nn.Module):  # a model trained in place: its parameters are restored
        return type(value).__name__ in wire.MODULES
    if isinstance(value, (list, tuple)):
        return all(_restorable(v) for v in value)
    if isinstance(value, dict):
        return all(_restorable(v) for v in value.values())
    return value is None or type(value) in (bool, int, float, str)


# ----------------------------------------------------------------------------- playing back


@dataclass(frozen=True)
class Recording:
    entries: dict[str, tuple[str, str, str, Any]]   # key -> (exercise, function, kind, tree)
    buffers: list[bytes]

    def answer(self, key: str) -> Any | None:
        """The decoded entry (fresh objects every time), or None when the call was not recorded."""
        entry = self.entries.get(key)
        if entry is None:
            return None
        value, _ = wire.decode(entry[3], self.buffers, live=True)
        return value

    def functions(self, exercise: str) -> set[str]:
        return {e[1] for e in self.entries.values() if e[0] == exercise}


def parse_recording(data: bytes) -> Recording:
    """Read a recording file's bytes, strictly; ``RecordingError`` if they are malformed."""
    try:
        head_len, total = _HEAD.unpack(data[:_HEAD.size])
        if _HEAD.size + head_len + total != len(data):
            raise ValueError("its lengths do not add up")
        header = json.loads(data[_HEAD.size:_HEAD.size + head_len])
        if type(header) is not dict or header.get("format") != FORMAT:
            raise ValueError("it is not a dl-grader recording")
        sizes = header["buffers"]
        if type(sizes) is not list or not all(type(n) is int and n >= 0 for n in sizes) or sum(sizes) != total:
            raise ValueError("its buffer lengths are malformed")
        buffers, start = [], _HEAD.size + head_len
        for n in sizes:
            buffers.append(data[start:start + n])
            start += n
        entries = {}
        for item in header["entries"]:
            key, exercise, function, kind, tree = item
            if not all(type(v) is str for v in (key, exercise, function, kind)):
                raise ValueError("an entry is malformed")
            entries[key] = (exercise, function, kind, tree)
    except (ValueError, KeyError, TypeError, struct.error, UnicodeDecodeError, RecursionError) as exc:
        raise RecordingError(f"the recorded expected results are unreadable ({exc}); "
                             "reinstall the course from its release") from None
    return Recording(entries, buffers)


@functools.lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> Recording:
    data = Path(path).read_bytes()
    if len(data) > MAX_BYTES:
        raise RecordingError(f"{path} is larger than {MAX_BYTES // 1_000_000} MB")
    return parse_recording(data)


def load_recording(path: Path = RECORDING) -> Recording:
    """The recording at ``path``, read once per process (again when the file changes)."""
    try:
        stat = path.stat()
    except OSError:
        raise RecordingError(f"this course has neither solutions/ nor the recorded expected results "
                             f"({path}); it was not made by `grader release`") from None
    return _load(str(path), stat.st_mtime_ns, stat.st_size)


class RecordedModule:
    """The reference as the checks see it in a student's copy: answers come from the recording."""

    def __init__(self, exercise: Exercise, recording: Recording) -> None:
        self._exercise, self._recording = exercise, recording

    def __getattr__(self, name: str) -> "RecordedFunction":
        if name.startswith("_") or name not in self._recording.functions(self._exercise.id):
            raise AttributeError(f"the recorded reference of {self._exercise.id} has no function {name}")
        return RecordedFunction(self._exercise, name, self._recording)


class RecordedFunction:
    def __init__(self, exercise: Exercise, name: str, recording: Recording) -> None:
        self.exercise, self.name, self.recording = exercise, name, recording

    def _answer(self, kind: str, args: tuple, kwargs: dict) -> dict:
        try:
            key = call_key(self.exercise.id, self.name, kind, args, kwargs)
        except wire.WireError:
            key = None
        answer = self.recording.answer(key) if key else None
        if type(answer) is not dict:
            what = show_call(self.name, args, kwargs) + (".sum().backward()" if kind == "grads" else "")
            raise CheckFailure(f"the expected result of {what} was not recorded when this course was released, "
                               "so this check cannot run here; ask your instructor for an up-to-date release")
        return answer

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        answer = self._answer("call", args, kwargs)
        for position, value in answer.get("after", {}).items():
            if type(position) is int and 0 <= position < len(args):
                restore(args[position], value)
        if "raised" in answer:
            kind, message = answer["raised"]
            error = getattr(builtins, kind, None)
            raise (error if isinstance(error, type) and issubclass(error, Exception) else RuntimeError)(message)
        return answer.get("result")

    def recorded_grads(self, args: tuple) -> list[Any]:
        """What ``checking.reference_grads`` gave at release time for these arguments."""
        grads = self._answer("grads", args, {}).get("grads")
        if type(grads) is not list or len(grads) != len(tensors_in(args)):
            raise CheckFailure(f"the recorded gradients of {self.name} do not fit the call; "
                               "ask your instructor for an up-to-date release")
        return grads


def restore(target: Any, value: Any) -> None:
    """Make ``target`` (an argument) what the reference's call left it: ``value``, in place."""
    import numpy as np
    import torch

    if isinstance(target, torch.Tensor) and isinstance(value, torch.Tensor):
        with torch.no_grad():
            target.copy_(value)
        if target.is_leaf:
            target.grad = None if value.grad is None else value.grad.detach().clone()
            if target.requires_grad != value.requires_grad:
                target.requires_grad_(value.requires_grad)
    elif isinstance(target, np.ndarray) and isinstance(value, np.ndarray):
        target[...] = value
    elif isinstance(target, torch.nn.Module) and isinstance(value, torch.nn.Module):
        _restore_module(target, value)
    elif isinstance(target, list) and isinstance(value, list):
        if len(target) == len(value):
            for i, (t, v) in enumerate(zip(target, value)):
                if _mutable(t):
                    restore(t, v)
                else:
                    target[i] = v
        else:
            target[:] = value
    elif isinstance(target, tuple) and isinstance(value, tuple) and len(target) == len(value):
        for t, v in zip(target, value):
            restore(t, v)
    elif isinstance(target, dict) and isinstance(value, dict):
        target.clear()
        target.update(value)


def _restore_module(target: Any, value: Any) -> None:
    """A model as the reference's call left it: the same parameters, in place, with their gradients
    and whether they require them, and the same training mode (the layers are the check's own)."""
    import torch

    mine, theirs = dict(target.named_parameters()), dict(value.named_parameters())
    if set(mine) != set(theirs) or any(mine[n].shape != theirs[n].shape for n in mine):
        raise CheckFailure("the recorded model does not fit the call; ask your instructor for an up-to-date release")
    with torch.no_grad():
        for name, parameter in mine.items():
            parameter.copy_(theirs[name])
    for name, parameter in mine.items():
        parameter.requires_grad_(theirs[name].requires_grad)
        parameter.grad = None if theirs[name].grad is None else theirs[name].grad.detach().clone()
    target.train(value.training)


def _mutable(value: Any) -> bool:
    import numpy as np
    import torch

    return isinstance(value, (torch.Tensor, np.ndarray, torch.nn.Module, list, tuple, dict))
