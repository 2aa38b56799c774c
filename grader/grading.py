"""Grading: run the checks against submissions and build Gradescope-style results.

``Grader`` grades submissions one after another in the current process: it loads the
reference solutions once and keeps one pre-warmed zygote. ``grade_many`` spreads
submissions over worker processes, each with its own ``Grader``.
"""

from __future__ import annotations

import contextlib
import gc
import io
import multiprocessing
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.course import CHECKS_DIR, Exercise, load_exercises, select
from grader.sandbox.host import Sandbox, SandboxConfig, grader_paths

PYTEST_ARGS = [
    "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:randomly",
    "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler",
    "-p", "no:legacypath", "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin",
    "-p", "no:logging", "-p", "no:warnings", "-p", "no:nose",
    "-s", "--import-mode=importlib", "-o", "python_files=check_*.py", "-o", "python_functions=check_*",
    "-o", "python_classes=", "-W", "ignore",
]


class GradingError(Exception):
    """Grading itself could not run (not a problem of a submission)."""


@dataclass(frozen=True)
class GradeOptions:
    hidden: bool = True                 # instructor mode: public and hidden checks
    timeout: float = 2.0                # seconds a single call may take
    seed: int | None = None             # for the hidden checks' inputs; random when None
    exercises: tuple[str, ...] = ()     # all when empty
    isolation: str = "auto"             # "auto", "full" or "weak"


class Grader:
    """Grades submissions in this process against the reference solutions in ``course/solutions``."""

    def __init__(self, course: Path, options: GradeOptions, slot: int = 0) -> None:
        self.course = Path(course)
        self.options = options
        self.seed = options.seed if options.seed is not None else secrets.randbits(32)
        self.exercises = select(load_exercises(), options.exercises)
        hidden = tuple(dict.fromkeys([*grader_paths(), str(self.course.resolve())]))
        self.sandbox = Sandbox(SandboxConfig(hidden=hidden, level=options.isolation), slot)
        try:
            self.references = self._load_references()
            import pytest  # noqa: F401 - imported once here, not per submission

            gc.freeze()  # the heavy modules' objects need no more garbage collection
            if self.sandbox.level == "full" or options.isolation == "weak":
                return
        except BaseException:
            self.sandbox.close()
            raise
        self.sandbox.close()
        raise GradingError("the sandbox cannot isolate submissions on this machine (Linux namespaces are "
                           "unavailable): run as root, enable unprivileged user namespaces, or pass "
                           "--isolation weak to accept weaker walls")

    def _load_references(self) -> dict[str, Any]:
        from grader.plugin import load_reference

        references = {}
        for exercise in self.exercises:
            path = self.course / "solutions" / exercise.path
            if not path.is_file():
                raise GradingError(f"the reference solution {path} is missing; the checks compare against it")
            try:
                references[exercise.id] = load_reference(path, exercise)
            except Exception as exc:  # noqa: BLE001 - any error in a reference is the course's problem
                raise GradingError(f"the reference solution {path} does not load: "
                                   f"{type(exc).__name__}: {exc}") from None
        return references

    def grade(self, path: Path) -> dict:
        """Grade one submission; returns its results in Gradescope's results.json form."""
        import pytest

        from grader import plugin
        from grader.plugin import GraderPlugin

        started = time.monotonic()
        run = self.new_run(path)
        files = [str(e.checks) for e in self.exercises]
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                code = pytest.main([*files, *PYTEST_ARGS, "--rootdir", str(CHECKS_DIR), "-c", str(CHECKS_DIR /
                                    "pytest.ini")], plugins=[GraderPlugin(run), plugin])
        finally:
            run.close()
        if code not in (0, 1):
            raise GradingError(f"the checks could not run (pytest exit code {int(code)}): "
                               f"{sink.getvalue().strip()[-500:]}")
        return build_results(run, time.monotonic() - started, self.sandbox.level)

    def new_run(self, path: Path) -> Any:
        """The state the pytest plugin needs to grade the submission at ``path``."""
        from grader.plugin import GradingRun
        from grader.submission import read_submission

        submission = read_submission(Path(path), self.exercises)
        return GradingRun(submission, self.exercises, self.sandbox, self.references,
                          hidden=self.options.hidden, seed=self.seed, timeout=self.options.timeout)

    def close(self) -> None:
        self.sandbox.close()

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_results(run: Any, seconds: float, isolation: str) -> dict:
    """Gradescope's results.json: score, max_score, execution_time and one entry per check."""
    tests = []
    for result in run.results:
        tests.append({
            "name": f"{result.exercise}: {result.name}",
            "score": result.points if result.passed else 0.0,
            "max_score": result.points,
            "status": "passed" if result.passed else "failed",
            "output": result.output,
            "visibility": "after_published" if result.hidden else "visible",
            "tags": [result.exercise, "hidden" if result.hidden else "public"],
        })
    return {
        "score": round(sum(t["score"] for t in tests), 4),
        "max_score": round(sum(t["max_score"] for t in tests), 4),
        "execution_time": round(seconds, 3),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "submission": run.submission.name,
            "seed": run.seed,
            "isolation": isolation,
            "printed": run.printed[:2000],
        },
    }


def exercise_scores(results: dict, exercises: list[Exercise]) -> dict[str, tuple[float, float]]:
    """Points and maximum per exercise, from a results dict."""
    scores = {e.id: [0.0, 0.0] for e in exercises}
    for test in results["tests"]:
        entry = scores.setdefault(test["tags"][0], [0.0, 0.0])
        entry[0] += test["score"]
        entry[1] += test["max_score"]
    return {k: (v[0], v[1]) for k, v in scores.items()}


# ----------------------------------------------------------------------- batches

_WORKER: Grader | None = None
_WORKER_ERROR = "the worker did not start"


def _start_worker(course: str, options: GradeOptions, counter: Any) -> None:
    global _WORKER, _WORKER_ERROR
    with counter.get_lock():
        counter.value += 1
        slot = counter.value
    try:
        _WORKER = Grader(Path(course), options, slot)
    except Exception as exc:  # noqa: BLE001 - reported with every submission this worker is given
        _WORKER_ERROR = str(exc)


def _grade_in_worker(path: str) -> dict:
    if _WORKER is None:
        raise GradingError(_WORKER_ERROR)
    return _WORKER.grade(Path(path))


@dataclass
class Graded:
    path: Path
    results: dict | None
    error: str | None = None


def grade_many(course: Path, paths: Iterable[Path], options: GradeOptions, jobs: int,
               on_start: Callable[[], None] | None = None) -> Iterator[Graded]:
    """Grade ``paths`` on ``jobs`` worker processes; yields each submission as it finishes.

    At most ``2 * jobs`` submissions are in flight, so memory does not grow with their number.
    All workers share one seed, so every submission meets the same hidden inputs.
    """
    paths = list(paths)
    options = options if options.seed is not None else GradeOptions(
        options.hidden, options.timeout, secrets.randbits(32), options.exercises, options.isolation)
    context = multiprocessing.get_context("spawn")
    counter = context.Value("i", 0)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker,
                             initargs=(str(course), options, counter)) as pool:
        pending: dict[Future, Path] = {}
        queue = iter(paths)
        if on_start:
            on_start()
        while True:
            while len(pending) < 2 * jobs:
                path = next(queue, None)
                if path is None:
                    break
                pending[pool.submit(_grade_in_worker, str(path))] = path
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                path = pending.pop(future)
                try:
                    yield Graded(path, future.result())
                except GradingError as exc:
                    yield Graded(path, None, str(exc))
                except Exception as exc:  # noqa: BLE001 - reported per submission, grading goes on
                    yield Graded(path, None, f"{type(exc).__name__}: {exc}")
