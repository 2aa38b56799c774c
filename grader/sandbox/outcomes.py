"""What a sandboxed child sends back, as the trusted side holds it: outcomes of calls and loads,
the submission's exceptions (with their built-in ancestry, derived here), handles to objects that
stay in the child, and the failures (timeout, crash, malformed reply). Plain data only.
"""

from __future__ import annotations

import builtins
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from grader.bounds import EXCEPTION_ANCESTORS, MESSAGE_LIMIT
from grader.safetext import clean, identifier
from grader.sandbox import wire

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
    # (cell index, bytes) for each cell that printed, in the order they ran, as the child counted
    # them (only to file the child's own output with an exercise; never trusted beyond its shape).
    printed: list[tuple[int, int]] = field(default_factory=list)


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

    def __init__(self, child: Any, number: int, kind: str) -> None:  # child: a host.Child
        self.child, self.number, self.kind = child, number, kind

    def __repr__(self) -> str:
        return f"<handle {self.number} to a {self.kind} in the sandbox>"


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
