"""The reference solutions as checks see them: trusted modules, remembered across submissions.

Every submission of a batch meets the same inputs (public checks use fixed ones, hidden
ones come from the batch's seed), so a reference computes the same answers again and
again; some are dear (pandas' ``mode`` costs milliseconds). ``RememberingReference`` wraps a
reference module: a call is keyed by its arguments in the wire's plain-data form, and
its answer is kept in that form and decoded afresh for every caller, so no caller can
spoil it for the next. A call is computed live, and never remembered, when an argument
takes part in autograd (its caller wants the graph or the gradients) or when the call
changed its arguments (its caller reads them afterwards). Nor is a function whose first
answer took less time to compute than a remembered answer takes to look up and rebuild (most
of the course's: a few tensor operations; ``worth_remembering``): it is computed live from then on.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from grader.course import Exercise
from grader.sandbox import wire

MEMORY_LIMIT = 256 * 1024 * 1024  # bytes of remembered answers, per reference module


def worth_remembering(compute_seconds: float, lookup_seconds: float) -> bool:
    """Whether an answer that took ``compute_seconds`` is worth remembering, when looking one up
    and rebuilding it takes ``lookup_seconds`` (both measured on the function's first call)."""
    return compute_seconds > lookup_seconds


class RememberingReference:
    """A reference module whose functions remember their answers (``worth``: whether a
    function's answers are, from the times of its first call; see ``worth_remembering``)."""

    def __init__(self, module: ModuleType,
                 worth: Callable[[float, float], bool] = worth_remembering) -> None:
        self._module = module
        self._answers: dict[tuple[str, str], tuple[Any, list[bytes]]] = {}
        self._live: set[str] = set()   # functions computed every time: see the module's docstring
        self._worth = worth
        self._size = 0

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._module, name)
        if not callable(value) or isinstance(value, type):
            return value
        return _Remembering(self, name, value)


class _Remembering:
    def __init__(self, owner: RememberingReference, name: str, function: Any) -> None:
        self._owner, self._name, self._function = owner, name, function
        self.__name__ = name
        self.__wrapped__ = function

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        owner = self._owner
        if self._name in owner._live or _takes_part_in_autograd(args, kwargs):
            return self._function(*args, **kwargs)
        started = time.perf_counter()
        try:
            key = (self._name, call_key("", self._name, "call", args, kwargs))
        except (wire.WireError, TypeError, ValueError, RecursionError):
            return self._function(*args, **kwargs)
        if key in owner._answers:
            tree, buffers = owner._answers[key]
            return wire.decode(tree, buffers)[0]
        keyed = time.perf_counter()
        result = self._function(*args, **kwargs)
        computed = time.perf_counter()
        try:
            if call_key("", self._name, "call", args, kwargs) != key[1]:  # it changed its arguments: keep it live from now on
                owner._live.add(self._name)
                return result
            trees, buffers = wire.encode(result)
        except (wire.WireError, TypeError, ValueError, RecursionError):
            return result
        rebuilding = time.perf_counter()
        answer = wire.decode(trees[0], buffers)[0]  # the same kind of value a remembered call gives
        if not owner._worth(computed - keyed, keyed - started + time.perf_counter() - rebuilding):
            owner._live.add(self._name)  # cheaper to compute than to look up: live from now on
            return answer
        size = sum(len(b) for b in buffers) + len(key[1])
        if owner._size + size <= MEMORY_LIMIT:
            owner._answers[key] = (trees[0], buffers)
            owner._size += size
        return answer


def canonical(tree: Any) -> bytes:
    return json.dumps(tree, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def call_key(exercise: str, function: str, kind: str, args: tuple, kwargs: dict) -> str:
    """SHA-256 of a call: the names, the canonical JSON of the encoded arguments, their buffers.
    (Also the key of a released course's recording: grader/grading/recording.py.)"""
    (tree,), buffers = wire.encode((tuple(args), dict(kwargs)))
    digest = hashlib.sha256(canonical([exercise, function, kind, tree]))
    for buffer in buffers:
        digest.update(len(buffer).to_bytes(8, "big"))
        digest.update(buffer)
    return digest.hexdigest()


def _takes_part_in_autograd(args: tuple, kwargs: dict) -> bool:
    import torch

    return any(isinstance(v, torch.Tensor) and (v.requires_grad or v.grad is not None)
               for v in wire.inputs_of(tuple(args), dict(kwargs)))


def load_reference(path: Path, exercise: Exercise) -> ModuleType:
    """Import a reference solution file under a private module name (trusted code)."""
    spec = importlib.util.spec_from_file_location(f"grader_reference_{exercise.id}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
