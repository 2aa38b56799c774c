"""What check modules use, in one face: failing with a message, comparing a submission's output
with the reference's, and the usual checks built on them (grader/checks/README.md lists them).

How values are written and compared (``show``, ``brief``, ``describe``, ``show_call``,
``mismatch``, the models' text) lives in ``grader.grading.values`` and is imported from here.

The rule for check authors (see grader/checks/README.md): everything the sandbox hands
back was written by a process the submission controls. A check compares it with what the
trusted side expects, computed here from the reference, and fails anything missing, extra
or malformed; it never compares only what happens to be there. And a check awards only
what it names: a gradient check also needs the right value.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

import grader.grading.training as training
from grader.grading.values import (ATOL, RTOL, Code, brief, describe, layer_text, mismatch, model_mismatch,
                                   module_text, show, show_call)
from grader.safetext import clean

__all__ = ["ATOL", "RTOL", "HIDDEN_KINDS", "CheckFailure", "Code", "agrees", "also_works", "brief", "describe",
           "expect", "expect_grads", "expect_known_layers", "expect_same", "expect_unchanged", "expect_value_error",
           "frame_unchanged", "fresh", "gradients_agree", "layer_text", "mismatch", "model_mismatch", "module_text",
           "expect_trained_in_place", "expect_training", "notebook_passengers", "Partial", "raised_name", "training", "reference_grads", "same_kind", "seeded", "torch_seeded", "show", "show_call", "tensors_in",
           "titanic", "titanic_sample", "works_too"]


#: What a student is told of a failed hidden check: one of these, chosen on the trusted side
#: (grader/checks/README.md, "hidden means hidden"). "raised T" takes a built-in exception's name.
HIDDEN_KINDS = ("wrong value", "wrong shape or type", "raised", "ran too long", "crashed",
                "sent back something malformed", "not written yet")


class CheckFailure(AssertionError):
    """A check failed; the message is safe to show to the student.

    ``file`` and ``line`` say where in the submission the failure arose, when known (a line of a
    .py file; CI annotations point at it). ``kind`` is what a hidden check says of it (one of
    ``HIDDEN_KINDS``, "raised T" with a built-in T; "wrong value" when not given), or "before" for a
    failure settled before any hidden input reached the submission (its file did not load), whose
    message is shown as it is."""

    def __init__(self, message: str, *, file: str | None = None, line: int | None = None,
                 kind: str | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line
        self.kind = kind


class Partial(Exception):
    """A check's outcome worth ``fraction`` (0 to 1) of its points, raised by the check: ``message``
    says why (shown on public checks; a hidden check says only that it was scored), and
    ``leaderboard`` holds the figures the class leaderboard shows ({"Accuracy": 0.81}), computed
    on the trusted side. A fraction of 1 is a pass."""

    def __init__(self, fraction: float, message: str, *, leaderboard: dict[str, float] | None = None) -> None:
        super().__init__(message)
        self.fraction = float(min(max(fraction, 0.0), 1.0))
        self.leaderboard = dict(leaderboard or {})


def expect_training(outcome: Any, call: str | None, *judges: Any, losses: Any = None) -> None:
    """Fail with the first problem the ``judges`` (functions of ``grader.grading.training``) find in
    what the child observed of a call run with ``observe=True``; ``training.loss_decreases`` and
    ``training.overfits`` judge ``losses`` instead. ``call`` is shown on public checks only."""
    for judge in judges:
        problem = judge(list(losses) if losses is not None else []) if judge in (
            training.loss_decreases, training.overfits) else judge(outcome.observed or [])
        if problem:
            raise CheckFailure(f"{call}: {problem}" if call else f"on a hidden input: {problem}")


def expect_known_layers(outcome: Any, call: str | None) -> None:
    """Fail with a clear message when the child could not send its answer (a model, or an input
    model as the call left it) because a module is outside the vocabulary the grader rebuilds."""
    from grader.sandbox.wire import MODULES

    error = getattr(outcome, "error", None)
    if error is None or error.type != "NotPlainData" or "module" not in error.message:
        return
    layers = ", ".join(sorted(k for k in MODULES if k != "Sequential"))
    text = (f"the model cannot reach the grader: it must be an nn.Sequential (or a single layer) made of "
            f"torch.nn's {layers}, with no class of your own and no other kind of layer")
    # The child's words (which could carry a hidden input) only on a public call.
    raise CheckFailure(f"{call}: {text} ({clean(error.message, 200)})" if call else f"on a hidden input: {text}",
                       kind="wrong shape or type")


def expect_same(got: Any, want: Any, *, call: str | None, rtol: float = RTOL, atol: float = ATOL) -> None:
    """Fail unless ``got`` matches ``want``; ``call`` shows the input (None for hidden checks)."""
    problem = mismatch(got, want, public=call is not None, rtol=rtol, atol=atol)
    if problem:
        raise CheckFailure(f"{call}: {problem}" if call else f"on a hidden input: {problem}",
                           kind="wrong value" if same_kind(got, want) else "wrong shape or type")


def same_kind(got: Any, want: Any) -> bool:
    """Whether ``got`` has ``want``'s type and, for tensors, arrays and frames, its shape, dtype
    and columns: decided here, on the trusted side, for what a hidden check may say."""
    if type(got) is not type(want):
        return False
    if isinstance(want, (torch.Tensor, np.ndarray)):
        return tuple(got.shape) == tuple(want.shape) and got.dtype == want.dtype
    if isinstance(want, pd.DataFrame):
        return got.shape == want.shape and list(got.columns) == list(want.columns) and \
            got.dtypes.equals(want.dtypes)
    if isinstance(want, (list, tuple)):
        return len(got) == len(want) and all(same_kind(g, w) for g, w in zip(got, want))
    return True


def expect_unchanged(after: Any, before: Any, message: str) -> None:
    """Fail with ``message`` if an input (``after``: as the submission left it) was modified."""
    if mismatch(after, before, public=False) is not None:
        raise CheckFailure(message)


def expect_value_error(function: Any, *args: Any, why: str = "") -> Any:
    """Fail unless the submission's ``function(*args)`` raises ValueError; returns that error
    (its ``message``, say). ``why`` says why it should, before the expectation. Another exception
    fails as it would anywhere ("not written yet", or the exception with the call). A check that
    uses it also needs ``works_too`` (or ``also_works``): raising alone earns nothing."""
    outcome = function.run(*args)

    def call() -> str:  # written out only for a message
        return show_call(function.name, args) if function.public else "on a hidden input"

    why = f"{why}, so " if why else ""
    if outcome.error is None:
        returned = f"it returned {brief(outcome.value, 80)}" if function.public else "it returned a value"
        raise CheckFailure(f"{call()}: {why}expected ValueError, but {returned}")
    if not outcome.error.is_a("ValueError"):  # by the built-in hierarchy: a subclass is a ValueError
        function(*args)  # fails with the submission's exception, or says the stub is not written yet
        raise CheckFailure(f"{call()}: expected ValueError, got {raised_name(outcome.error, function.public)}")
    return outcome.error


def raised_name(error: Any, public: bool) -> str:
    """The exception's type as a check may name it: on a hidden check never the submission's own
    name (a class can be named after the hidden input), only a word of the trusted side's."""
    return error.type if public else "another exception"


def also_works(name: str, call: str | Callable[[], str | None] | None, check: Any) -> None:
    """Points for refusing bad input only for a function that works: ``check()`` (a check on a
    valid input) must pass, else this fails with a fixed message (naming the valid call when
    ``call``, a public one, is given, or a function that writes it). Use it in every check that
    expects an error."""
    try:
        check()
    except CheckFailure:
        where = (call() if callable(call) else call) or "on a hidden input"
        raise CheckFailure(f"{where}: {name} refuses bad input, but it also has to work on valid input") from None


def works_too(student: Any, reference: Any, name: str, *args: Any, **kwargs: Any) -> None:
    """``also_works`` for a function compared with the reference: ``name(*args, **kwargs)``, a
    valid input, must give the reference's answer."""
    also_works(name, lambda: show_call(name, args, kwargs) if getattr(student, name).public else None,
               lambda: agrees(student, reference, name, *args, **kwargs))


def expect(condition: bool, message: str) -> None:
    """Fail with ``message`` unless ``condition`` holds."""
    if not condition:
        raise CheckFailure(message)


def fresh(value: Any) -> Any:
    """A deep copy of an argument: tensors keep requires_grad, .grad and Parameter-ness."""
    if isinstance(value, torch.Tensor):
        copy = value.detach().clone()
        if isinstance(value, torch.nn.Parameter):
            copy = torch.nn.Parameter(copy, requires_grad=value.requires_grad)
        elif value.requires_grad:
            copy.requires_grad_(True)
        if value.grad is not None:
            copy.grad = value.grad.detach().clone()
        return copy
    if isinstance(value, pd.DataFrame):
        return value.copy(deep=True)
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, list):
        return [fresh(v) for v in value]
    if isinstance(value, tuple):
        return tuple(fresh(v) for v in value)
    return value


def expect_trained_in_place(outcome: Any, want_model: Any, call: str | None, **tol: float) -> None:
    """The model a training call was given (``run(..., inputs=True)``: ``outcome.inputs[0]``, the
    model as the call left it) equals ``want_model``, the reference's trained copy."""
    problem = model_mismatch(outcome.inputs[0], want_model, public=call is not None, **tol)
    if problem:
        where = call or "on a hidden input"
        raise CheckFailure(f"{where}: afterwards, the model passed in is not the trained one ({problem}); "
                           "train the model you were given, in place")


@contextlib.contextmanager
def torch_seeded(seed: int) -> Iterator[None]:
    """torch's generator seeded with ``seed`` inside, and as it was after: what the child does
    before a call with ``run(..., seed=seed)``, so a reference that draws random numbers (dropout)
    draws the same ones. The CPU generator only: ``torch.manual_seed`` also queues a seeding of
    every lazily started device, with a formatted copy of the stack each time (about 1 ms inside
    pytest, where the stack is deep)."""
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(seed)
        yield


def seeded(seed: int, build: Callable[[], Any]) -> Any:
    """``build()`` under ``torch_seeded(seed)``: a model with the same start weights every time."""
    with torch_seeded(seed):
        return build()


def tensors_in(value: Any) -> list[Any]:
    """Tensors and frames in ``value``, in the order the sandbox reports them."""
    if isinstance(value, (torch.Tensor, pd.DataFrame, pd.Series)):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in tensors_in(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in tensors_in(v)]
    return []


def reference_grads(function: Any, args: tuple) -> list[Any]:
    """Run the reference on copies of ``args``, back-propagate ``result.sum()``, return each
    input tensor's gradient (None where it has none).

    A reference function that has ``recorded_grads`` (a released course's recorded reference,
    or the recorder writing it: grader/grading/recording.py) supplies the gradients itself."""
    recorded = getattr(function, "recorded_grads", None)
    if recorded is not None:
        return recorded(args)
    copies = fresh(args)
    function(*copies).sum().backward()
    return [t.grad for t in tensors_in(copies)]


def expect_grads(outcome: Any, want: list[Any], *, call: str | None, names: list[str] | None = None) -> None:
    """Fail unless the gradients the submission's inputs received match ``want``; ``names``
    names the tensor inputs in order (else they are numbered)."""
    where = call or "on a hidden input"
    if outcome.backward_error:
        # The child's words: shown (cleaned, capped) on a public call only; on a hidden one
        # they could carry the input.
        if call is None:
            raise CheckFailure(f"{where}: backward() through the result failed")
        raise CheckFailure(f"{where}: {clean(outcome.backward_error, 300)}")
    got = [r.grad for r in outcome.inputs]
    if len(got) != len(want):  # the sandbox refuses such reports; never compare a part of them
        raise CheckFailure(f"{where}: the gradients of {len(want)} inputs were expected, {len(got)} came back" if call
                           else f"{where}: not the expected number of gradients came back")
    for i, (g, w) in enumerate(zip(got, want)):
        name = names[i] if names and i < len(names) else f"input #{i + 1}"
        if w is None:
            continue
        if g is None:
            raise CheckFailure(f"{where}: no gradient reached {name} "
                               "(is the result computed with torch operations from it?)")
        problem = mismatch(g, w, public=call is not None)
        if problem:
            raise CheckFailure(f"{where}: the gradient of {name} is wrong: {problem}")


# ------------------------------------------------------------------ the usual checks


def agrees(student: Any, reference: Any, name: str, *args: Any, inputs: bool = False, rtol: float = RTOL,
           atol: float = ATOL, **kwargs: Any) -> Any:
    """The submission's ``name(*args, **kwargs)`` equals the reference's, which is given copies;
    a public check's failure shows the call. Returns the submission's outcome: with ``inputs``,
    it holds the arguments as the call left them (``outcome.inputs``)."""
    function = getattr(student, name)
    outcome = function.run(*args, inputs=inputs, **kwargs)
    got = function.value(outcome, *args, **kwargs)
    want = getattr(reference, name)(*fresh(args), **kwargs)
    # The call is written out only for a message (a frame takes a millisecond): the arguments
    # are as they were, since the child got them over the wire and the reference fresh copies.
    if mismatch(got, want, public=function.public, rtol=rtol, atol=atol) is not None:
        expect_same(got, want, call=show_call(name, args, kwargs) if function.public else None, rtol=rtol, atol=atol)
    return outcome


def gradients_agree(student: Any, reference: Any, name: str, *args: Any, names: list[str],
                    backward: str = ".backward()") -> None:
    """With ``args[0]`` requiring gradients, the submission's ``name(*args)`` equals the
    reference's, and then so does the gradient every input gets from ``backward``: a gradient is
    worth its points only on the right value. ``names`` names the inputs in messages."""
    graded = (args[0].clone().requires_grad_(True), *args[1:])
    function = getattr(student, name)
    outcome = function.run(*graded, backward=True, inputs=True)
    if outcome.error:
        agrees(student, reference, name, *args)  # fails with the exception and the call
    call = show_call(name, graded) if function.public else None
    expect_same(outcome.value, getattr(reference, name)(*args), call=call)
    expect_grads(outcome, reference_grads(getattr(reference, name), graded),
                 call=call + backward if call else None, names=names)


# ------------------------------------------------------------------ frames in, frames out

TITANIC = Path(__file__).resolve().parent / "checks" / "data" / "titanic.csv"


@cache
def titanic() -> pd.DataFrame:
    """The Titanic training set (grader/checks/data, with its SOURCE note); callers copy what they use."""
    return pd.read_csv(TITANIC)


def notebook_passengers() -> pd.DataFrame:
    """Six of the lab 5 notebook's passengers: text columns, a fare of 0, missing values (a public
    input; a check changes what it needs to test, on its own copy)."""
    return pd.DataFrame({
        "Name": ["Braund", "Cumings", "Heikkinen", "Futrelle", "Leonard", "Moran"],
        "Sex": ["male", "female", "female", "female", "male", "male"],
        "Age": [22.0, 38.0, 26.0, 35.0, 36.0, None],
        "Pclass": [3, 1, 3, 1, 3, 3],
        "Fare": [7.25, 71.2833, 7.925, 53.1, 0.0, 8.4583],
        "Embarked": ["S", "C", "S", None, "S", "Q"],
    })


def titanic_sample(rng: np.random.Generator) -> pd.DataFrame:
    """40 to 200 rows of the Titanic training set drawn with ``rng``, in their order (a hidden input)."""
    rows = np.sort(rng.choice(len(titanic()), size=int(rng.integers(40, 200)), replace=False))
    return titanic().iloc[rows].copy()


def frame_unchanged(student: Any, reference: Any, name: str, frame: pd.DataFrame, *args: Any) -> None:
    """As ``agrees``, and the frame passed in is as it was after the call."""
    outcome = agrees(student, reference, name, frame, *args, inputs=True)
    where = "the DataFrame passed in" if getattr(student, name).public else "on a hidden input, the DataFrame"
    expect_unchanged(outcome.inputs[0], frame, f"{where} was modified: return a new DataFrame and leave the input alone")
