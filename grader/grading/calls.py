"""The objects a check calls to reach the submission: ``student.f(...)`` and its kin.

``StudentModule`` is the ``student`` fixture: attribute access gives a ``StudentFunction``,
whose call runs the submission's function in the sandboxed child and returns plain data
rebuilt here. ``StudentObject`` is an object of the submission's that stays in the child
(a micrograd ``Value``), read and operated on through a handle. ``grader/checks/README.md``
documents them for check authors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grader.checking import CheckFailure, show, show_call
from grader.course import Exercise
from grader.sandbox.host import (CallOutcome, Child, Handle, SandboxCrash, SandboxFailure, SandboxTimeout,
                                 StudentError)
from grader.submission import Source

class StudentModule:
    """The submission's module as the checks see it: attribute access gives callable proxies."""

    def __init__(self, run: Any, exercise: Exercise, child: Child, module: str,  # a run.GradingRun (which imports this module)
                 source: Source, public: bool) -> None:
        self._run, self._exercise, self._child = run, exercise, child
        self._module, self._source, self._public = module, source, public

    def __getattr__(self, name: str) -> "StudentFunction":
        if name.startswith("_"):
            raise AttributeError(name)
        return StudentFunction(self, name)


class StudentFunction:
    """Calls one submission function in the sandbox."""

    def __init__(self, module: StudentModule, name: str) -> None:
        self._m = module
        self.name = name

    def run(self, *args: Any, backward: bool = False, inputs: bool = False, handles: bool = False,
            cpu_seconds: float | None = None, timeout: float | None = None, seed: int | None = None,
            call: str | None = None, observe: bool = False, **kwargs: Any) -> CallOutcome:
        """Call and return the whole outcome (an exception in the submission is data here).

        ``cpu_seconds`` and ``timeout``: this call's own budget (a model's training), instead of
        the ordinary calls' (capped in ``grader/bounds.py``; a call with its own budget is not run
        again after warming up: the budget leaves room for library start-up); ``seed``: the child
        seeds every generator with it and turns on torch's deterministic algorithms before the call;
        ``call``: how the call is written in messages (``"predict_survival(train, test)"``), instead
        of in full; ``observe``: the child watches the models passed in (``outcome.observed``, judged
        by ``grader.grading.training``)."""
        m = self._m

        def attempt() -> CallOutcome:
            return m._child.call(m._module, self.name, args, kwargs, timeout=timeout or m._run.timeout,
                                 filename=m._source.filename, backward=backward, inputs=inputs, handles=handles,
                                 cpu_seconds=cpu_seconds, seed=seed, observe=observe)

        try:
            try:
                return attempt()
            except SandboxTimeout:
                # Library start-up is not the submission's: torch's first optimizer imports
                # torch._dynamo (~1 s of CPU), which a fresh zygote has not done. Once per
                # sandbox, the zygote then warms up fully and the call runs again in a fresh
                # child; an endless loop runs out of time again and is stopped.
                if cpu_seconds is not None or not m._run.sandbox.warm():
                    raise
                m._child, m._module = m._run.reloaded(m._exercise)
                return attempt()
        except SandboxFailure as exc:
            raise failure(m, exc, call or self.call_text(args, kwargs)) from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call and return the value; an exception in the submission fails the check."""
        return self.value(self.run(*args, **kwargs), *args, **kwargs)

    def value(self, outcome: CallOutcome, *args: Any, call: str | None = None, **kwargs: Any) -> Any:
        """The value of ``outcome``, what ``run(*args, **kwargs)`` gave; an exception in the
        submission fails the check, as a call would (``call``: as in ``run``)."""
        # The call is written out only when a message needs it: a frame takes a millisecond.
        return settle(self._m, outcome, self.name, lambda: call or self.call_text(args, kwargs))

    def make(self, *args: Any, **kwargs: Any) -> "StudentObject":
        """Call a class (or a function returning an object of the submission's own) and keep the
        object in the child; the check gets a ``StudentObject`` to work with."""
        text = self.call_text(args, kwargs)
        value = settle(self._m, self.run(*args, handles=True, **kwargs), self.name, text)
        return StudentObject.wrap(self._m, value, text)

    def call_text(self, args: tuple, kwargs: dict) -> str:
        """How the call is shown: in full for public checks, never for hidden ones."""
        return show_call(self.name, args, kwargs) if self._m._public else f"{self.name} on a hidden input"

    @property
    def public(self) -> bool:
        return self._m._public


# Exception types a hidden check may name. Any other type name is the submission's choice
# (a class can be named after the hidden input), so hidden checks say "an exception".
BUILTIN_ERRORS = frozenset({
    "ArithmeticError", "AssertionError", "AttributeError", "EOFError", "Exception", "FileNotFoundError",
    "FloatingPointError", "ImportError", "IndexError", "KeyError", "KeyboardInterrupt", "LookupError",
    "MemoryError", "ModuleNotFoundError", "NameError", "NotImplementedError", "OSError", "OverflowError",
    "RecursionError", "RuntimeError", "StopIteration", "SystemExit", "TypeError", "UnboundLocalError",
    "ValueError", "ZeroDivisionError",
})


def settle(m: StudentModule, outcome: CallOutcome, name: str, text: str | Callable[[], str]) -> Any:
    """The value of an outcome, or the check fails with the submission's exception (``text``:
    the call as messages write it, or a function that writes it). On a hidden check neither the
    message nor the line is shown: the submission chose both, and could fill them with the input
    (a line number is about 20 bits)."""
    error, source = outcome.error, m._source
    if error is not None and callable(text):
        text = text()
    if error is not None and error.type == "NotImplementedError":
        if not m._public:
            raise CheckFailure(not_written(name, source, None), kind="not written yet")
        raise CheckFailure(not_written(name, source, error.line), **at(source, error.line))
    if error is not None:
        if not m._public:
            shown = exception_text(error, False)
            raise CheckFailure(f"{text} raised {shown}", kind=f"raised {shown}")
        raise CheckFailure(f"{text} raised {exception_text(error)}{location(source, error.line)}",
                           **at(source, error.line))
    return outcome.value


def failure(m: StudentModule, exc: SandboxFailure, text: str) -> CheckFailure:
    """The check's failure when the child gave no result; the exercise's later checks are not run.
    On a hidden check, only which of timeout, crash or malformed reply it was."""
    kind = ("ran too long" if isinstance(exc, SandboxTimeout) else "crashed" if isinstance(exc, SandboxCrash)
            else "sent back something malformed")
    m._run.broken(m._exercise, str(exc) if m._public else kind)
    return CheckFailure(f"{text}: {exc}" if m._public else f"{text}: {kind}", kind=kind)


_OPERATORS = ("add", "radd", "sub", "rsub", "mul", "rmul", "truediv", "rtruediv", "pow", "rpow")


class StudentObject:
    """An object of the submission's that lives in the sandbox, as a check sees it.

    ``obj.data`` reads an attribute (plain data, or another ``StudentObject``), ``obj.call(name,
    ...)`` calls a method, and operators (``a * b + 1``, ``-a``, ``a ** 2``) run in the child.
    ``text`` is the expression that built it, shown in public failure messages."""

    def __init__(self, m: StudentModule, handle: Handle, text: str) -> None:
        object.__setattr__(self, "_m", m)
        object.__setattr__(self, "_handle", handle)
        object.__setattr__(self, "text", text)

    @classmethod
    def wrap(cls, m: StudentModule, value: Any, text: str) -> Any:
        return cls(m, value, text) if type(value) is Handle else value

    def _ask(self, action: str, name: str, args: tuple, text: str) -> Any:
        m = self._m
        plain = tuple(a._handle if type(a) is StudentObject else a for a in args)
        try:
            outcome = m._child.on_handle(self._handle, action, name, plain, timeout=m._run.timeout,
                                         filename=m._source.filename)
        except SandboxFailure as exc:
            raise failure(m, exc, text) from None
        return StudentObject.wrap(m, settle(m, outcome, name, text), text)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._ask("get", name, (), f"{self.text}.{name}")

    @staticmethod
    def gather(objects: list["StudentObject"], name: str) -> list[Any]:
        """``obj.name`` for every one of ``objects`` (all of one child), in one round trip. The
        answer must be a list of exactly one value per object; when reading fails, the objects
        are read one by one, so the failure names the one it arose on."""
        first = objects[0]
        try:
            values = first._ask("gather", name, tuple(objects), f"{name} of {len(objects)} objects")
        except CheckFailure:
            values = None
        if type(values) is not list or len(values) != len(objects):
            return [getattr(each, name) for each in objects]
        return [StudentObject.wrap(first._m, value, f"{each.text}.{name}") for value, each in zip(values, objects)]

    def shown(self, value: Any) -> str:
        """How an operand is shown: never a value of a hidden check's."""
        if type(value) is StudentObject:
            return value.text
        return show(value, 80) if self._m._public else "a hidden value"

    def call(self, name: str, *args: Any) -> Any:
        return self._ask("method", name, args, f"{self.text}.{name}({', '.join(map(self.shown, args))})")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a check does not change the submission's objects")

    def __bool__(self) -> bool:
        raise TypeError("a StudentObject has no truth value here: read one of its attributes")

    def __neg__(self) -> Any:
        return self._ask("method", "__neg__", (), f"-{self.text}")


def _operator(name: str) -> Any:
    symbol = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "pow": "**"}[name.removeprefix("r")]

    def apply(self: StudentObject, other: Any) -> Any:
        shown = self.shown(other)
        text = f"({shown} {symbol} {self.text})" if name.startswith("r") else f"({self.text} {symbol} {shown})"
        return self._ask("method", f"__{name}__", (other,), text)

    return apply


for _name in _OPERATORS:
    setattr(StudentObject, f"__{_name}__", _operator(_name))


def exception_text(error: StudentError, with_message: bool = True) -> str:
    """'ValueError: lengths differ', or just 'ValueError'. Without the message (hidden checks),
    a type name that is not a built-in exception's is not shown either: the nearest built-in class,
    as the host derived it ('a built-in exception of type ValueError'), or 'an exception'."""
    if not with_message:
        nearest = error.builtin_in(BUILTIN_ERRORS)
        if nearest == error.type:
            return nearest
        return "an exception" if nearest in (None, "Exception") else f"a built-in exception of type {nearest}"
    return f"{error.type}: {error.message}" if error.message else error.type


def not_written(function: str, source: Source, line: int | None) -> str:
    """The one message for a stub: said once per exercise by the feedback."""
    return f"not written yet: {function} raises NotImplementedError{location(source, line)} — replace the TODO"


def location(source: Source, line: int | None, *, with_file: bool = True) -> str:
    """' (week5/calc_preds.py, line 3)', ' (line 3)', or '' when the line is unknown."""
    where = source.where(line)
    if not where:
        return ""
    return f" ({source.filename}, {where})" if with_file else f" ({where})"


def at(source: Source, line: int | None) -> dict[str, Any]:
    """``file`` and ``line`` for a ``CheckFailure`` at ``line`` of a .py source (notebooks: none)."""
    return {"file": source.filename, "line": line} if line is not None and not source.cells else {}
