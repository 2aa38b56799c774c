"""The pytest plugin that runs the course's checks against submissions, one after another.

Check modules (``grader/checks/check_<exercise>.py``) are ordinary pytest modules whose
check functions are named ``check_*`` and take these fixtures:

- ``student``: the submission's module, whose functions run in a sandboxed child;
  calling one returns plain data rebuilt in this process;
- ``reference``: the reference solution's module, run here, in the trusted process;
- ``rng``: a numpy Generator seeded from the run's seed and the check's name.

Markers: ``@pytest.mark.points(n)`` (default 1) and ``@pytest.mark.hidden`` (instructor
mode only; its failure messages never show the input).
"""

from __future__ import annotations

import importlib.util
import os
import re
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from grader.checking import CheckFailure, show, show_call
from grader.course import Exercise
from grader.sandbox.host import (CallOutcome, CellCode, Child, Handle, Loaded, Sandbox, SandboxFailure,
                                 SandboxTimeout, SkippedCell, StudentError, clean_text)
from grader.submission import Cell, Source, Submission, provided_names

RUN_KEY = pytest.StashKey["GradingRun"]()
CHECK_KEY = pytest.StashKey["Check"]()


@dataclass
class CheckResult:
    name: str
    exercise: str
    points: float
    hidden: bool
    passed: bool
    output: str = ""
    file: str | None = None     # where in the submission it failed, when known
    line: int | None = None


@dataclass
class GradingRun:
    """Everything one submission's grading needs, and what it found."""

    submission: Submission
    exercises: list[Exercise]
    sandbox: Sandbox
    references: dict[str, ModuleType]
    hidden: bool
    seed: int
    timeout: float
    results: list[CheckResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)    # about the whole submission: cells that did not run
    # What the submission printed, per exercise, while public checks ran. Once a hidden
    # input has reached the submission, nothing it prints is kept: it could print the input
    # (then, or later from a saved copy). The plugin runs every public check first.
    printed_by: dict[str, str] = field(default_factory=dict)
    _printing: str | None = None        # the exercise whose check runs now
    _sealed: bool = False               # a hidden check has begun
    _taken: int = 0                     # bytes of the current child's output already filed
    _child: Child | None = None
    _loaded: dict[str, tuple[str, Loaded]] = field(default_factory=dict)  # filename -> (module, what loaded)
    _failed: dict[str, CheckFailure] = field(default_factory=dict)   # filename -> why it did not load
    _overran: set[str] = field(default_factory=set)                  # files whose loading ran out of time
    _skipped: dict[tuple[str, int], tuple[Cell, str]] = field(default_factory=dict)  # -> (cell, why)
    _broken: dict[str, CheckFailure] = field(default_factory=dict)      # exercise id -> reason
    _undefined: dict[str, str] = field(default_factory=dict)  # exercise id -> its function is not in its file

    # --------------------------------------------------------------- the student's side

    def exercise(self, exercise_id: str) -> Exercise:
        return next(e for e in self.exercises if e.id == exercise_id)

    def student(self, exercise: Exercise, public: bool) -> "StudentModule":
        if exercise.id in self._broken:
            broken = self._broken[exercise.id]
            raise CheckFailure(str(broken), file=broken.file, line=broken.line)
        if exercise.id in self.submission.problems:
            raise CheckFailure(self.submission.problems[exercise.id])
        source = self.submission.sources[exercise.id]
        if "optim" in source.text and self.sandbox.warm() and self._child is not None:
            self._child.kill()  # forked before the warm-up: the next child has torch's optimizers ready
        child = self.child()
        module = self._load(child, source, exercise)
        # Library start-up at the top level (see StudentFunction.run): a load that ran out of time
        # in a zygote that has not warmed up fully runs once more after it has.
        overran = child.dead or source.filename in self._overran
        if overran and (isinstance(module, CheckFailure) or source.notebook) and self.sandbox.warm():
            self._overran.discard(source.filename)
            child.kill()
            child, module = self.reloaded(exercise)
        if isinstance(module, CheckFailure):
            self._broken[exercise.id] = module
            raise module
        return StudentModule(self, exercise, child, module, source, public)

    def child(self) -> Child:
        if self._child is None or self._child.dead:
            self.collect_output()
            self._child = self.sandbox.spawn()
            self._taken = 0
            self._loaded = {}
        return self._child

    def begin_check(self, exercise_id: str, hidden: bool) -> None:
        """A check starts: what is printed from now on is filed under ``exercise_id``."""
        self.collect_output()
        self._printing = exercise_id
        self._sealed = self._sealed or hidden

    def collect_output(self) -> None:
        """File what the child printed since the last look (dropped once hidden checks began)."""
        child = self._child
        if child is None:
            return
        child.drain()
        new = bytes(child.output[self._taken:])
        self._taken += len(new)
        if new and not self._sealed and self._printing is not None:
            text = self.printed_by.get(self._printing, "") + new.decode("utf-8", "replace")
            self.printed_by[self._printing] = text

    @property
    def printed(self) -> str:
        """Everything kept of what the submission printed, in the order the exercises ran."""
        return "".join(self.printed_by.values())

    def _load(self, child: Child, source: Source, exercise: Exercise) -> str | CheckFailure:
        """The child's module that holds ``exercise``'s function, loading ``source`` first if needed."""
        if source.filename in self._failed:  # kept across children: one failed load is enough
            return self._failed[source.filename]
        if source.filename not in self._loaded:
            module = f"submission_{len(self._loaded)}"
            loaded = self._load_file(child, source, module)
            if isinstance(loaded, CheckFailure):
                self._failed[source.filename] = loaded
                return loaded
            self._loaded[source.filename] = (module, loaded)
        module, loaded = self._loaded[source.filename]
        if exercise.id in loaded.pinned:
            return f"{module}:{exercise.id}"
        if exercise.function in loaded.missing:
            cells = sorted({c.number for (name, _), (c, _) in self._skipped.items() if name == source.filename})
            skipped = f"; cells {', '.join(map(str, cells))} did not run (see the notes)" if cells else ""
            self._undefined[exercise.id] = reason = f"{exercise.function} is not defined in {source.filename}"
            return CheckFailure(reason + skipped)
        return module

    def _load_file(self, child: Child, source: Source, module: str) -> Loaded | CheckFailure:
        """Run a file in the child as ``module``: a .py file as Python imports it, a notebook cell by
        cell (cells that did not run become notes); what failed to load fails its exercises."""
        exercises = [e for e in self.exercises if self.submission.sources.get(e.id) == source]
        functions = sorted({e.function for e in exercises})
        if source.notebook:
            cells = [CellCode(c.code, c.first_line, c.tags, run=not c.magic) for c in source.cells]
            pins = {e.id: e.function for e in exercises if any(e.id in c.tags for c in source.cells)}
        else:
            cells, pins = [CellCode(source.text)], {}
        try:
            loaded = child.load_cells(module, cells, source.filename, functions, pins=pins,
                                      stop_at_first=not source.notebook)
        except SandboxFailure as exc:
            return CheckFailure(f"loading {source.filename} failed: {exc}{'' if source.notebook else MAIN_HINT}")
        if not source.notebook:
            if not loaded.skipped:
                return loaded
            first = loaded.skipped[0]
            if first.reason in ("cpu", "time"):
                self._overran.add(source.filename)
            return CheckFailure(self._module_failure(source, first), **at(source, first.error.line if first.error else None))
        limits = self.sandbox.config.limits
        if any(r.reason in ("cpu", "time") for r in loaded.skipped):
            self._overran.add(source.filename)
        late = [source.cells[r.index].number for r in loaded.skipped if r.reason == "late"]
        for report in loaded.skipped:
            cell = source.cells[report.index]
            self._skipped[(source.filename, cell.number)] = (cell, _why(report))
            if report.reason != "late":
                self._note(_cell_note(source, cell, report, limits.cell_cpu_seconds, limits.cell_seconds))
        for cell in source.cells:
            if cell.magic:
                self._skipped[(source.filename, cell.number)] = (cell, f"because it is a {cell.magic} cell magic")
                self._note(f"{source.filename}: cell {cell.number} is a {clean_text(cell.magic, 20)} cell magic; not run")
        if late:
            self._note(f"{source.filename}: cells {', '.join(map(str, late[:20]))}{'...' if len(late) > 20 else ''} "
                       f"were not run: loading the notebook took more than {limits.load_seconds:g} s")
        return loaded

    def _module_failure(self, source: Source, report: SkippedCell) -> str:
        error = report.error or StudentError("Error", "")
        where = location(source, error.line, with_file=False)
        if report.reason == "syntax" and error.type != "SyntaxError":
            return f"{source.filename} cannot be compiled: {exception_text(error)}"
        if report.reason == "syntax":
            return f"SyntaxError in {source.filename}{', ' + source.where(error.line) if error.line else ''}: " \
                   f"{error.message}"
        if report.reason == "cpu":
            spent = f"used more than {self.sandbox.config.limits.cell_cpu_seconds:g} s of CPU time"
        elif report.reason == "time":
            spent = f"ran for more than {self.sandbox.config.limits.cell_seconds:g} s"
        else:
            return f"loading {source.filename} raised {exception_text(error)}{where}{MAIN_HINT}"
        return f"loading {source.filename} {spent} at its top level{where}{MAIN_HINT}"

    def _note(self, text: str) -> None:
        """A note about the submission, once however often its files are loaded."""
        text = clean_text(text, NOTE_LIMIT)   # file names and cell lines are the submission's text too
        if text not in self.notes:
            self.notes.append(text)

    def explain(self, output: str) -> str:
        """A failure on a name that a skipped cell would have defined says which cell, and what to write."""
        match = NAME_ERROR.search(output)
        if match is None:
            return output
        name = match.group(1)
        for cell, why in self._skipped.values():
            provided = cell.provided.get(name)
            if provided is not None:
                line, instead = provided
                fix = f"{instead} in your own cell" if instead else f"define {name} in a cell that runs"
                return (f"{output}; name '{name}' is not defined: cell {cell.number} (`{clean_text(line, 60)}`) "
                        f"was skipped {why}; {fix}")
        return output

    def reloaded(self, exercise: Exercise) -> tuple[Child, str]:
        """A fresh child with the submission's source loaded again, after its last child was stopped."""
        source = self.submission.sources[exercise.id]
        self._failed.pop(source.filename, None)  # it failed for want of the warm-up: load it again
        child = self.child()
        module = self._load(child, source, exercise)
        if isinstance(module, CheckFailure):
            self._broken[exercise.id] = module
            raise module
        return child, module

    def broken(self, exercise: Exercise, reason: str) -> None:
        self._broken[exercise.id] = CheckFailure(
            f"not run: an earlier check stopped the submission's process ({reason})")

    @property
    def undefined(self) -> dict[str, str]:
        """Exercises whose file loaded without their function, by exercise id, with the reason."""
        return self._undefined

    @property
    def failed_loads(self) -> dict[str, CheckFailure]:
        """Files that did not load, by file name, with the reason."""
        return self._failed

    def close(self) -> None:
        if self._child is not None:
            self.collect_output()
            self._child.close()
            self._child = None

    # --------------------------------------------------------------- the trusted side

    def reference(self, exercise: Exercise) -> ModuleType:
        return self.references[exercise.id]


MAIN_HINT = ("; the grader imports your file, so put work that is not a definition (reading data, training, "
             "demos) under `if __name__ == \"__main__\":`")
NOTE_LIMIT = 300
NAME_ERROR = re.compile(r"NameError: name '([A-Za-z_][A-Za-z0-9_]{0,80})' is not defined")
MISSING_MODULE = re.compile(r"No module named '([A-Za-z_][\w.]{0,80})'")


def _why(report: SkippedCell) -> str:
    """Why a cell did not run, as the end of "cell 1 was skipped ..."."""
    error = report.error
    if report.reason == "raised" and error is not None:
        missing = MISSING_MODULE.search(error.message) if error.type in ("ModuleNotFoundError", "ImportError") else None
        if missing:
            return f"because {missing.group(1).split('.')[0]} is not installed in the grader"
        return f"because it raised {error.type}"
    return {"syntax": "because of a SyntaxError", "cpu": "because it ran past its CPU time",
            "time": "because it ran past its time", "late": "because loading ran out of time"}.get(
        report.reason, "")


def _cell_note(source: Source, cell: Cell, report: SkippedCell, cpu: float, seconds: float) -> str:
    """ "hw.ipynb: cell 3 raised FileNotFoundError: ...; skipped" and the like."""
    error = report.error or StudentError("Error", "")
    where = ""
    if error.line is not None and source.cell_at(error.line) is not None:
        inside = source.cell_at(error.line) is cell
        where = f" (line {error.line - cell.first_line + 1})" if inside else f" ({source.where(error.line)})"
    start = f"{source.filename}: cell {cell.number}"
    if report.reason == "syntax" and error.type != "SyntaxError":
        return f"{start} cannot be compiled ({exception_text(error)}); skipped"
    if report.reason == "syntax":
        return f"{start} has a SyntaxError{where}: {error.message}; skipped"
    if report.reason == "cpu":
        return f"{start} used more than {cpu:g} s of CPU time{where}; interrupted and skipped"
    if report.reason == "time":
        return f"{start} ran for more than {seconds:g} s{where}; interrupted and skipped"
    return f"{start} raised {exception_text(error)}{where}; skipped"


class StudentModule:
    """The submission's module as the checks see it: attribute access gives callable proxies."""

    def __init__(self, run: GradingRun, exercise: Exercise, child: Child, module: str,
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
            **kwargs: Any) -> CallOutcome:
        """Call and return the whole outcome (an exception in the submission is data here)."""
        m = self._m

        def attempt() -> CallOutcome:
            return m._child.call(m._module, self.name, args, kwargs, timeout=m._run.timeout,
                                 filename=m._source.filename, backward=backward, inputs=inputs, handles=handles)

        try:
            try:
                return attempt()
            except SandboxTimeout:
                # Library start-up is not the submission's: torch's first optimizer imports
                # torch._dynamo (~1 s of CPU), which a fresh zygote has not done. Once per
                # sandbox, the zygote then warms up fully and the call runs again in a fresh
                # child; an endless loop runs out of time again and is stopped.
                if not m._run.sandbox.warm():
                    raise
                m._child, m._module = m._run.reloaded(m._exercise)
                return attempt()
        except SandboxFailure as exc:
            m._run.broken(m._exercise, str(exc))
            raise CheckFailure(f"{self.call_text(args, kwargs)}: {exc}") from None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Call and return the value; an exception in the submission fails the check."""
        return self.value(self.run(*args, **kwargs), *args, **kwargs)

    def value(self, outcome: CallOutcome, *args: Any, **kwargs: Any) -> Any:
        """The value of ``outcome``, what ``run(*args, **kwargs)`` gave; an exception in the
        submission fails the check, as a call would."""
        return settle(self._m, outcome, self.name, self.call_text(args, kwargs))

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


def settle(m: StudentModule, outcome: CallOutcome, name: str, text: str) -> Any:
    """The value of an outcome, or the check fails with the submission's exception."""
    error, source = outcome.error, m._source
    if error is not None and error.type == "NotImplementedError":
        raise CheckFailure(not_written(name, source, error.line), **at(source, error.line))
    if error is not None:
        # On hidden checks without the message, which the submission could fill with the input.
        raise CheckFailure(f"{text} raised {exception_text(error, m._public)}{location(source, error.line)}",
                           **at(source, error.line))
    return outcome.value


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
            m._run.broken(m._exercise, str(exc))
            raise CheckFailure(f"{text}: {exc}") from None
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
    a type name that is not a built-in exception's is not shown either: 'an exception'."""
    if not with_message:
        return error.type if error.type in BUILTIN_ERRORS else "an exception"
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


def load_reference(path: Path, exercise: Exercise) -> ModuleType:
    """Import a reference solution file under a private module name (trusted code)."""
    spec = importlib.util.spec_from_file_location(f"grader_reference_{exercise.id}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class GraderPlugin:
    """Runs the collected checks once per grading run.

    ``pytest.main([...], plugins=[GraderPlugin(runs, on_done), grader.plugin])`` collects the
    check modules once, then, for each ``GradingRun`` that ``runs`` yields, runs every check
    against that run's submission and calls ``on_done(run, seconds)``. A batch worker feeds it
    an endless stream of submissions, so pytest's start-up and collection are paid once.
    """

    def __init__(self, runs: Iterable[GradingRun], on_done: Callable[[GradingRun, float], None] | None = None,
                 *, hidden: bool = True, lean: bool = True) -> None:
        self.runs = runs
        self.on_done = on_done
        self.hidden = hidden
        self.lean = lean  # False: every check through pytest's protocol, so pytest reports each one
        self.interrupted = False

    def pytest_keyboard_interrupt(self, excinfo: pytest.ExceptionInfo) -> None:
        self.interrupted = True

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): what the check is worth (default 1)")
        config.addinivalue_line("markers", "hidden: an instructor-only check on generated inputs")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.hidden:
            kept = [i for i in items if i.get_closest_marker("hidden") is None]
            if len(kept) != len(items):
                config.hook.pytest_deselected(items=[i for i in items if i not in kept])
                items[:] = kept
        # Every public check before any hidden one: what the submission prints is kept until
        # the first hidden input reaches it (GradingRun.collect_output), so all public output is.
        items.sort(key=lambda i: i.get_closest_marker("hidden") is not None)

    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted(f"{session.testsfailed} errors during collection")
        checks = [Check.of(item) for item in session.items]
        for run in self.runs:
            started = time.monotonic()
            session.config.stash[RUN_KEY] = run
            try:
                for i, check in enumerate(checks):
                    run.begin_check(check.exercise, check.hidden)
                    if check.lean and self.lean:
                        run.results.append(check.result(run, check.run(run)))
                    else:
                        following = session.items[i + 1] if i + 1 < len(session.items) else None
                        check.item.config.hook.pytest_runtest_protocol(item=check.item, nextitem=following)
            finally:
                run.close()
            if self.on_done:
                self.on_done(run, time.monotonic() - started)
        return True

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
        # Our own report: pytest's would format a full traceback for every failure, which
        # nobody reads here and which costs more than the check itself.
        passed = call.excinfo is None
        run = item.config.stash[RUN_KEY]
        if call.when == "call" or (call.when == "setup" and not passed):
            run.results.append(Check.of(item).result(run, None if passed else call.excinfo.value))
        longrepr = None if passed else f"{call.excinfo.typename}: {call.excinfo.value}"[:300]
        return pytest.TestReport(item.nodeid, item.location, {}, "passed" if passed else "failed", longrepr,
                                 call.when, [], call.duration, call.start, call.stop)


#: The fixtures a check may take (see the module's docstring).
FIXTURES = ("student", "reference", "rng")


@dataclass(frozen=True)
class Check:
    """A collected check, with what grading it needs worked out once per session.

    Most checks take only this plugin's fixtures and carry only its markers; those run
    ``lean``: their fixtures are made and the function called here, without pytest's
    per-test protocol (setup, teardown, reports and their hooks), which costs more than
    a typical check (measured: about a fifth of the grading process's time on a complete
    submission). Any other check, say one with another fixture or a ``skip`` marker, runs
    through pytest's whole protocol, as before."""

    item: pytest.Item
    exercise: str
    name: str
    points: float
    hidden: bool
    lean: bool

    @classmethod
    def of(cls, item: pytest.Item) -> "Check":
        """The check of ``item``, worked out on first use and kept in the item's stash."""
        check = item.stash.get(CHECK_KEY, None)
        if check is None:
            check = item.stash[CHECK_KEY] = cls._work_out(item)
        return check

    @classmethod
    def _work_out(cls, item: pytest.Item) -> "Check":
        marker = item.get_closest_marker("points")
        names = {m.name for m in item.iter_markers()}
        arguments = getattr(item, "_fixtureinfo", None)
        lean = (type(item) is pytest.Function and not hasattr(item, "callspec") and names <= {"points", "hidden"}
                and arguments is not None and set(arguments.names_closure) <= {*FIXTURES, "request"})
        return cls(item, _exercise_of(item), item.name.removeprefix("check_").replace("_", " "),
                   float(marker.args[0]) if marker else 1.0, "hidden" in names, lean)

    def run(self, run: "GradingRun") -> BaseException | None:
        """Call the check with its fixtures; what it raised (None when it passed)."""
        # As pytest's protocol does: code that asks which check runs (the release's recording) reads it here.
        os.environ["PYTEST_CURRENT_TEST"] = f"{self.item.nodeid} (call)"
        try:
            kwargs = {name: provide(name, run, self) for name in self.item._fixtureinfo.argnames}
            self.item.obj(**kwargs)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 - a failed check, whatever it raised
            return exc
        finally:
            os.environ.pop("PYTEST_CURRENT_TEST", None)
        return None

    def result(self, run: "GradingRun", exc: BaseException | None) -> CheckResult:
        output, file, line = "", None, None
        if exc is not None:
            if isinstance(exc, CheckFailure):
                output, file, line = run.explain(str(exc)), exc.file, exc.line
            elif self.hidden:
                output = f"failed on a hidden input ({type(exc).__name__})"
            else:
                output = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        return CheckResult(self.name, self.exercise, self.points, self.hidden, exc is None, output, file, line)


def _exercise_of(item: pytest.Item) -> str:
    return Path(str(item.path)).stem.removeprefix("check_")


# ------------------------------------------------------------------- standalone use
#
#     python -m pytest -p grader.plugin grader/checks --submission alice.py [--hidden-checks]
#
# runs the same checks as `grader grade`, in a plain pytest session (this is also the
# benchmark's naive baseline: one fresh process per submission).


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "course exercise grading")
    group.addoption("--submission", default=None, help="grade this submission (folder, .py or .ipynb)")
    group.addoption("--hidden-checks", action="store_true", help="also run the hidden checks")
    group.addoption("--grader-seed", type=int, default=None, help="seed for the hidden checks' inputs")
    group.addoption("--grader-timeout", type=float, default=None, help="seconds one call may take")
    parser.addini("grader_timeout", "seconds one call of a submission's function may take", default="2.0")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("submission", None)
    if path is None or RUN_KEY in config.stash:
        return
    from grader.course import CourseError, find_root
    from grader.grading import GradeOptions, Grader

    # The checks' own names, whichever configuration file pytest found: `--submission PATH`
    # can make pytest take PATH's folder, not grader/checks/, for the root.
    config.addinivalue_line("python_files", "check_*.py")
    config.addinivalue_line("python_functions", "check_*")
    timeout = config.getoption("grader_timeout") or float(config.getini("grader_timeout"))
    if not Path(path).exists():
        raise pytest.UsageError(f"--submission {path}: no such file or folder")
    try:
        root = find_root()
    except CourseError as exc:
        raise pytest.UsageError(str(exc)) from None
    grader = Grader(root, GradeOptions(hidden=config.getoption("hidden_checks"),
                                       seed=config.getoption("grader_seed"), timeout=timeout))
    run = grader.new_run(Path(path))
    config.add_cleanup(grader.close)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(GraderPlugin([run], hidden=run.hidden, lean=False), "grader-run")


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    run = config.stash.get(RUN_KEY, None)
    if run is None or not run.results:
        return
    got = sum(r.points for r in run.results if r.passed)
    terminalreporter.write_line(f"Points: {got:g}/{sum(r.points for r in run.results):g}")


# ------------------------------------------------------------------- fixtures


def provide(name: str, run: "GradingRun", check: Check) -> Any:
    """The value of fixture ``name`` for ``check`` in ``run``."""
    if name == "student":
        return run.student(run.exercise(check.exercise), not check.hidden)
    if name == "reference":
        exercise = run.exercise(check.exercise)
        if exercise.id in run.references:
            return run.reference(exercise)
        # A student's copy made by `grader release`: the recording of the reference's answers
        # to the public checks.
        from grader.release.recording import RecordedModule, RecordingError, load_recording

        try:
            return RecordedModule(exercise, load_recording())
        except RecordingError as exc:
            raise CheckFailure(str(exc)) from None
    if name == "rng":
        import numpy as np

        # The check's id below its folder, so standalone pytest (whose root may be another
        # folder) draws the same inputs as `grader grade` for the same seed.
        return np.random.default_rng([run.seed, zlib.crc32(check.item.nodeid.rsplit("/", 1)[-1].encode())])
    raise LookupError(f"no fixture {name!r}")


@pytest.fixture
def student(request: pytest.FixtureRequest) -> StudentModule:
    """The submission's module, whose functions run in a sandboxed child."""
    return provide("student", request.config.stash[RUN_KEY], Check.of(request.node))


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> Any:
    """The reference solution: the live module when the course has solutions/, else (a student's
    copy made by `grader release`) the recording of its answers to the public checks."""
    return provide("reference", request.config.stash[RUN_KEY], Check.of(request.node))


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> Any:
    """A numpy Generator seeded from the run's seed and the check's name."""
    return provide("rng", request.config.stash[RUN_KEY], Check.of(request.node))
