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
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from grader.checking import CheckFailure, show_call
from grader.course import Exercise
from grader.sandbox.host import CallOutcome, Child, Sandbox, SandboxFailure, SandboxTimeout, StudentError
from grader.submission import Source, Submission

RUN_KEY = pytest.StashKey["GradingRun"]()


@dataclass
class CheckResult:
    name: str
    exercise: str
    points: float
    hidden: bool
    passed: bool
    output: str = ""


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
    printed: str = ""
    _child: Child | None = None
    _loaded: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # filename -> (module, missing)
    _broken: dict[str, str] = field(default_factory=dict)               # exercise id -> reason

    # --------------------------------------------------------------- the student's side

    def exercise(self, exercise_id: str) -> Exercise:
        return next(e for e in self.exercises if e.id == exercise_id)

    def student(self, exercise: Exercise, public: bool) -> "StudentModule":
        if exercise.id in self._broken:
            raise CheckFailure(self._broken[exercise.id])
        if exercise.id in self.submission.problems:
            raise CheckFailure(self.submission.problems[exercise.id])
        source = self.submission.sources[exercise.id]
        child = self.child()
        module = self._load(child, source, exercise)
        if isinstance(module, CheckFailure) and child.dead and self.sandbox.warm():
            child, module = self.reloaded(exercise)  # library start-up at the top level: see StudentFunction.run
        if isinstance(module, CheckFailure):
            self._broken[exercise.id] = str(module)
            raise module
        return StudentModule(self, exercise, child, module, source, public)

    def child(self) -> Child:
        if self._child is None or self._child.dead:
            if self._child is not None:
                self.printed += self._child.printed
            self._child = self.sandbox.spawn()
            self._loaded = {}
        return self._child

    def _load(self, child: Child, source: Source, exercise: Exercise) -> str | CheckFailure:
        if source.filename not in self._loaded:
            module = f"submission_{len(self._loaded)}"
            functions = sorted({e.function for e in self.exercises
                                if self.submission.sources.get(e.id) == source})
            try:
                result = child.load(module, source.text, source.filename, functions)
            except SandboxFailure as exc:
                return CheckFailure(f"loading {source.filename} failed: {exc}")
            if not isinstance(result, list):
                return CheckFailure(f"loading {source.filename} raised {exception_text(result)}"
                                    f"{location(source, result.line, with_file=False)}")
            self._loaded[source.filename] = (module, result)
        module, missing = self._loaded[source.filename]
        if exercise.function in missing:
            return CheckFailure(f"{exercise.function} is not defined in {source.filename}")
        return module

    def reloaded(self, exercise: Exercise) -> tuple[Child, str]:
        """A fresh child with the submission's source loaded again, after its last child was stopped."""
        child = self.child()
        module = self._load(child, self.submission.sources[exercise.id], exercise)
        if isinstance(module, CheckFailure):
            self._broken[exercise.id] = str(module)
            raise module
        return child, module

    def broken(self, exercise: Exercise, reason: str) -> None:
        self._broken[exercise.id] = f"not run: an earlier check stopped the submission's process ({reason})"

    def close(self) -> None:
        if self._child is not None:
            self.printed += self._child.printed
            self._child.close()
            self._child = None

    # --------------------------------------------------------------- the trusted side

    def reference(self, exercise: Exercise) -> ModuleType:
        return self.references[exercise.id]


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

    def run(self, *args: Any, backward: bool = False, inputs: bool = False, **kwargs: Any) -> CallOutcome:
        """Call and return the whole outcome (an exception in the submission is data here)."""
        m = self._m

        def attempt() -> CallOutcome:
            return m._child.call(m._module, self.name, args, kwargs, timeout=m._run.timeout,
                                 filename=m._source.filename, backward=backward, inputs=inputs)

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
        outcome = self.run(*args, **kwargs)
        error, source = outcome.error, self._m._source
        if error is not None and error.type == "NotImplementedError":
            raise CheckFailure(f"{self.name} is not written yet: it raises NotImplementedError"
                               f"{location(source, error.line)}")
        if error is not None:
            # On hidden checks without the message, which the submission could fill with the input.
            raise CheckFailure(f"{self.call_text(args, kwargs)} raised "
                               f"{exception_text(error, self.public)}{location(source, error.line)}")
        return outcome.value

    def call_text(self, args: tuple, kwargs: dict) -> str:
        """How the call is shown: in full for public checks, never for hidden ones."""
        return show_call(self.name, args, kwargs) if self._m._public else f"{self.name} on a hidden input"

    @property
    def public(self) -> bool:
        return self._m._public


def exception_text(error: StudentError, with_message: bool = True) -> str:
    """'ValueError: lengths differ', or just 'ValueError'."""
    return f"{error.type}: {error.message}" if error.message and with_message else error.type


def location(source: Source, line: int | None, *, with_file: bool = True) -> str:
    """' (week5/calc_preds.py, line 3)', ' (line 3)', or '' when the line is unknown."""
    where = source.where(line)
    if not where:
        return ""
    return f" ({source.filename}, {where})" if with_file else f" ({where})"


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
                 *, hidden: bool = True) -> None:
        self.runs = runs
        self.on_done = on_done
        self.hidden = hidden

    def pytest_configure(self, config: pytest.Config) -> None:
        config.addinivalue_line("markers", "points(n): what the check is worth (default 1)")
        config.addinivalue_line("markers", "hidden: an instructor-only check on generated inputs")

    def pytest_collection_modifyitems(self, config: pytest.Config, items: list[pytest.Item]) -> None:
        if not self.hidden:
            kept = [i for i in items if i.get_closest_marker("hidden") is None]
            if len(kept) != len(items):
                config.hook.pytest_deselected(items=[i for i in items if i not in kept])
                items[:] = kept

    def pytest_runtestloop(self, session: pytest.Session) -> bool:
        if session.testsfailed and not session.config.option.continue_on_collection_errors:
            raise session.Interrupted(f"{session.testsfailed} errors during collection")
        for run in self.runs:
            started = time.monotonic()
            session.config.stash[RUN_KEY] = run
            try:
                for i, item in enumerate(session.items):
                    following = session.items[i + 1] if i + 1 < len(session.items) else None
                    item.config.hook.pytest_runtest_protocol(item=item, nextitem=following)
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
            run.results.append(self._result(item, call, passed))
        longrepr = None if passed else f"{call.excinfo.typename}: {call.excinfo.value}"[:300]
        return pytest.TestReport(item.nodeid, item.location, {}, "passed" if passed else "failed", longrepr,
                                 call.when, [], call.duration, call.start, call.stop)

    def _result(self, item: pytest.Item, call: pytest.CallInfo, passed: bool) -> CheckResult:
        marker = item.get_closest_marker("points")
        points = float(marker.args[0]) if marker else 1.0
        hidden = item.get_closest_marker("hidden") is not None
        exercise = Path(str(item.path)).stem.removeprefix("check_")
        output = ""
        if not passed and call.excinfo is not None:
            exc = call.excinfo.value
            if isinstance(exc, CheckFailure):
                output = str(exc)
            elif hidden:
                output = f"failed on a hidden input ({type(exc).__name__})"
            else:
                output = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        name = item.name.removeprefix("check_").replace("_", " ")
        return CheckResult(name, exercise, points, hidden, passed, output)


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
    from grader.course import find_root
    from grader.grading import GradeOptions, Grader

    timeout = config.getoption("grader_timeout") or float(config.getini("grader_timeout"))
    grader = Grader(find_root(), GradeOptions(hidden=config.getoption("hidden_checks"),
                                              seed=config.getoption("grader_seed"), timeout=timeout))
    run = grader.new_run(Path(path))
    config.add_cleanup(grader.close)
    config.stash[RUN_KEY] = run
    config.pluginmanager.register(GraderPlugin([run], hidden=run.hidden), "grader-run")


# ------------------------------------------------------------------- fixtures


@pytest.fixture
def student(request: pytest.FixtureRequest) -> StudentModule:
    run = request.config.stash[RUN_KEY]
    exercise = run.exercise(Path(str(request.path)).stem.removeprefix("check_"))
    public = request.node.get_closest_marker("hidden") is None
    return run.student(exercise, public)


@pytest.fixture
def reference(request: pytest.FixtureRequest) -> ModuleType:
    run = request.config.stash[RUN_KEY]
    return run.reference(run.exercise(Path(str(request.path)).stem.removeprefix("check_")))


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> Any:
    import numpy as np

    run = request.config.stash[RUN_KEY]
    return np.random.default_rng([run.seed, zlib.crc32(request.node.nodeid.encode())])


