"""Grading: run the checks against submissions and build Gradescope-style results.

``Grader`` grades submissions one after another in the current process: it loads the
reference solutions once and keeps one pre-warmed zygote. ``grade_many`` spreads
submissions over worker processes, each with its own ``Grader``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import io
import json
import secrets
import select
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.course import CHECKS_DIR, Exercise, load_exercises
from grader.references import RememberingReference
from grader.safetext import clean
from grader.course import select as choose_exercises
from grader.sandbox.host import Sandbox, SandboxConfig, grader_paths
from grader.sandbox.isolation import Limits

PYTEST_ARGS = [
    "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:randomly",
    "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler",
    "-p", "no:legacypath", "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin",
    "-p", "no:logging", "-p", "no:warnings", "-p", "no:nose", "-p", "no:debugging", "-p", "no:setuponly",
    "-p", "no:setupplan", "-p", "no:recwarn", "-p", "no:monkeypatch", "-p", "no:tmpdir",
    "-s", "--import-mode=importlib", "-o", "python_files=check_*.py", "-o", "python_functions=check_*",
    "-o", "python_classes=", "-W", "ignore",
]


OUTPUT_LIMIT = 2000      # characters of one check's message in the results
PRINTED_LIMIT = 1950     # characters of all the submission printed, kept in the results (with the cut's note)
EXERCISE_PRINTED_LIMIT = 4096  # and of what it printed per exercise (what `grader check` shows at most)


class GradingError(Exception):
    """Grading itself could not run (not a problem of a submission)."""


@dataclass(frozen=True)
class GradeOptions:
    hidden: bool = True                 # instructor mode: public and hidden checks
    timeout: float = 2.0                # wall-clock seconds a single call may take
    cpu_time: float = 0.5               # CPU seconds a single call may use
    cell_cpu_time: float = 1.0          # CPU seconds a notebook cell (or a .py file's top level) may use
    load_time: float = 10.0             # wall-clock seconds loading one file may take, all its cells
    seed: int | None = None             # for the hidden checks' inputs; random when None
    exercises: tuple[str, ...] = ()     # all when empty
    isolation: str = "auto"             # "auto", "full" or "weak"


def sandbox_config(course: Path, options: GradeOptions) -> SandboxConfig:
    """The sandbox's settings for grading ``course`` with ``options`` (the seed plays no part)."""
    hidden = tuple(dict.fromkeys([*grader_paths(), str(Path(course).resolve())]))
    limits = Limits(call_cpu_seconds=options.cpu_time, cell_cpu_seconds=options.cell_cpu_time,
                    cell_seconds=max(options.timeout, options.cell_cpu_time), load_seconds=options.load_time)
    return SandboxConfig(limits=limits, hidden=hidden, level=options.isolation)


class Grader:
    """Grades submissions in this process against the reference solutions in ``course/solutions``.

    It starts its own sandbox unless given one; a batch worker starts the sandbox first,
    forked from itself before it knows the seed, so that no child can find the seed in the
    memory it inherits."""

    def __init__(self, course: Path, options: GradeOptions, *, sandbox: Sandbox | None = None) -> None:
        self.course = Path(course)
        self.options = options
        self.seed = options.seed if options.seed is not None else secrets.randbits(32)
        self.exercises = choose_exercises(load_exercises(), options.exercises)
        self.sandbox = sandbox or Sandbox(sandbox_config(self.course, options))
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

        references: dict[str, Any] = {}
        if not (self.course / "solutions").is_dir():
            # A student's copy (`grader release`): the public checks' expected results were
            # recorded; the `reference` fixture plays them back.
            from grader.release.recording import RECORDING

            if not self.options.hidden and RECORDING.is_file():
                return references
            theirs = self.course / RECORDING.relative_to(RECORDING.parents[2])
            if not self.options.hidden and theirs.is_file():  # a released copy, checked by another grader
                raise GradingError(f"{self.course} is a copy made by `grader release`, but the grader running "
                                   f"is not its own (it is installed from {RECORDING.parents[2]}): set up the "
                                   f"copy's with `pip install -e .` in {self.course} and use that grader")
            raise GradingError(f"{self.course} has no solutions/ folder" + (
                ": grading with the hidden checks needs the reference solutions" if RECORDING.is_file() else
                " and no recorded expected results: run this in the course, or in a copy made by `grader release`"))
        for exercise in self.exercises:
            path = self.course / "solutions" / exercise.path
            if not path.is_file():
                raise GradingError(f"the reference solution {path} is missing; the checks compare against it")
            try:
                references[exercise.id] = RememberingReference(load_reference(path, exercise))
            except Exception as exc:  # noqa: BLE001 - any error in a reference is the course's problem
                raise GradingError(f"the reference solution {path} does not load: "
                                   f"{type(exc).__name__}: {exc}") from None
        return references

    def grade(self, path: Path, only: tuple[str, ...] = ()) -> dict:
        """Grade one submission; returns its results in Gradescope's results.json form.
        ``only`` narrows the grading to some of this grader's exercises (all when empty)."""
        results: list[dict] = []
        self.grade_stream([Path(path)], lambda _path, result: results.append(result), only)
        return results[0]

    def grade_stream(self, paths: Iterable[Path], on_result: Callable[[Path, dict], None],
                     only: tuple[str, ...] = ()) -> None:
        """Grade submissions as ``paths`` yields them, in one pytest session; ``on_result(path, results)``
        after each. ``paths`` may be an endless stream (a batch worker reads it from a pipe)."""
        import pytest

        from grader import plugin

        exercises = choose_exercises(self.exercises, only)

        def runs() -> Iterator[Any]:
            for path in paths:
                yield self.new_run(path, exercises)

        def done(run: Any, seconds: float) -> None:
            on_result(run.submission.path, build_results(run, seconds, self.sandbox.level))

        sink = io.StringIO()
        files = [str(e.checks) for e in exercises]
        grader_plugin = plugin.GraderPlugin(runs(), done, hidden=self.options.hidden)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = pytest.main([*files, *PYTEST_ARGS, "--rootdir", str(CHECKS_DIR),
                                "-c", str(CHECKS_DIR / "pytest.ini")], plugins=[grader_plugin, plugin])
        if grader_plugin.interrupted:  # pytest turns Ctrl-C into an exit code; make it Ctrl-C again
            raise KeyboardInterrupt
        if code not in (0, 1):
            raise GradingError(f"the checks could not run (pytest exit code {int(code)}): "
                               f"{sink.getvalue().strip()[-500:]}")

    def new_run(self, path: Path, exercises: list[Exercise] | None = None) -> Any:
        """The state the pytest plugin needs to grade the submission at ``path``."""
        from grader.plugin import GradingRun
        from grader.submission import read_submission

        exercises = self.exercises if exercises is None else exercises
        try:
            submission = read_submission(Path(path), exercises)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - that submission's result
            submission = unreadable(Path(path), exercises, exc)
        return GradingRun(submission, exercises, self.sandbox, self.references,
                          hidden=self.options.hidden, seed=self.seed, timeout=self.options.timeout)

    def close(self) -> None:
        self.sandbox.close()

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def unreadable(path: Path, exercises: list[Exercise], exc: BaseException) -> Any:
    """A submission that reading itself failed on: every exercise has that problem."""
    from grader.submission import Submission, submission_name

    problem = f"the submission could not be read ({type(exc).__name__})"
    return Submission(submission_name(path), path, problems={e.id: problem for e in exercises})


def build_results(run: Any, seconds: float, isolation: str) -> dict:
    """Gradescope's results.json: score, max_score, execution_time and one entry per check."""
    tests = []
    printed = run.printed
    for result in run.results:
        test = {
            "name": f"{result.exercise}: {result.name}",
            "score": result.points if result.passed else 0.0,
            "max_score": result.points,
            "status": "passed" if result.passed else "failed",
            "output": clean(result.output, OUTPUT_LIMIT),
            "visibility": "after_published" if result.hidden else "visible",
            "tags": [result.exercise, "hidden" if result.hidden else "public"],
        }
        if result.line is not None:  # where a failure arose in the submission's file
            test["extra_data"] = {"file": result.file, "line": result.line}
        tests.append(test)
    return {
        "score": round(sum(t["score"] for t in tests), 4),
        "max_score": round(sum(t["max_score"] for t in tests), 4),
        "execution_time": round(seconds, 3),
        "visibility": "visible",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {
            "submission": clean(run.submission.name, 200, lines=False),
            "seed": run.seed,
            "isolation": isolation,
            "printed": clean(printed, PRINTED_LIMIT),
            "printed_by_exercise": {e: clean(text, EXERCISE_PRINTED_LIMIT) for e, text in run.printed_by.items()},
            "printed_chars": len(printed),
            # Why an exercise had nothing to grade, or its file did not load (the class table's note).
            "problems": {e: clean(reason, 300) for e, reason in _problems(run).items()},
            "notes": [clean(note, 300) for note in run.notes[:100]],
        },
    }


def _problems(run: Any) -> dict[str, str]:
    problems = dict(run.submission.problems)
    for exercise, source in run.submission.sources.items():  # its file did not load (a syntax error, say)
        if exercise not in problems and source.filename in run.failed_loads:
            problems[exercise] = str(run.failed_loads[source.filename])
    for exercise, reason in run.undefined.items():  # the file loaded, without this exercise's function
        problems.setdefault(exercise, reason)
    for result in run.results:
        if not result.passed and result.output.startswith("loading ") and result.exercise not in problems:
            problems[result.exercise] = result.output
    return problems


def exercise_scores(results: dict, exercises: list[Exercise]) -> dict[str, tuple[float, float]]:
    """Points and maximum per exercise, from a results dict."""
    scores = {e.id: [0.0, 0.0] for e in exercises}
    for test in results["tests"]:
        entry = scores.setdefault(test["tags"][0], [0.0, 0.0])
        entry[0] += test["score"]
        entry[1] += test["max_score"]
    return {k: (v[0], v[1]) for k, v in scores.items()}


# ----------------------------------------------------------------------- batches


@dataclass
class Graded:
    path: Path
    results: dict | None
    error: str | None = None


class _Worker:
    """A ``python -m grader.worker`` process and the submissions it has been given."""

    def __init__(self, course: Path, options: GradeOptions) -> None:
        # Settings travel on stdin, never in the command line (which any process can read):
        # first the sandbox's, without the seed; the worker forks its zygote before it reads
        # the second line, the grading options with the seed.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.worker", str(course)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.pending: list[Path] = []
        self.ready = False
        for settings in (dataclasses.replace(options, seed=None), options):
            self.process.stdin.write(json.dumps(dataclasses.asdict(settings)) + "\n")
        self.process.stdin.flush()

    def give(self, path: Path) -> None:
        self.pending.append(path)
        self.process.stdin.write(json.dumps({"path": str(path)}) + "\n")
        self.process.stdin.flush()

    def stop(self) -> None:
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def grade_many(course: Path, paths: Iterable[Path], options: GradeOptions, jobs: int,
               on_start: Callable[[], None] | None = None) -> Iterator[Graded]:
    """Grade ``paths`` on ``jobs`` worker processes; yields each submission as it finishes.

    Each worker keeps one pytest session and one zygote for all its submissions and has at
    most two in hand, so memory does not grow with their number. All workers share one seed,
    so every submission meets the same hidden inputs. A worker that dies while grading takes
    down only the submission it was grading, which scores zero with the reason; the others it
    held go back in the queue and a fresh worker takes its place. A worker that cannot start
    at all is a problem of the machine: then what is left gets that error.
    """
    queue = [Path(p) for p in paths]
    queue.reverse()
    if options.seed is None:
        options = dataclasses.replace(options, seed=secrets.randbits(32))
    exercises = choose_exercises(load_exercises(), options.exercises)
    wanted = max(1, min(jobs, len(queue)))
    workers = [_Worker(course, options) for _ in range(wanted)]
    started = False
    completed = False  # else grading ended early (Ctrl-C, or the consumer stopped reading)
    try:
        while workers:
            for worker in workers:
                while worker.ready and queue and len(worker.pending) < 2:
                    worker.give(queue.pop())
            if not queue and not any(w.pending for w in workers) and all(w.ready for w in workers):
                completed = True
                return
            readable, _, _ = select.select([w.process.stdout for w in workers], [], [])
            for worker in [w for w in workers if w.process.stdout in readable]:
                line = worker.process.stdout.readline()
                try:
                    message = json.loads(line) if line.strip() else None
                except json.JSONDecodeError:
                    message = None
                if type(message) is not dict:
                    message = {"fatal": "the grading worker stopped unexpectedly"}
                if message.get("ready"):
                    worker.ready = True
                    if not started and on_start:
                        on_start()
                    started = True
                elif "fatal" in message:
                    workers.remove(worker)
                    worker.stop()
                    reason = str(message["fatal"])[:300]
                    if not worker.ready:  # it never started: the machine's problem, not a submission's
                        lost = worker.pending + ([] if workers else list(reversed(queue)))
                        if not workers:
                            queue.clear()
                        for path in lost:
                            yield Graded(path, None, reason)
                        continue
                    if worker.pending:
                        culprit = worker.pending.pop(0)
                        yield Graded(culprit, crashed_results(culprit, exercises, reason))
                    queue.extend(reversed(worker.pending))
                    if queue or any(w.pending for w in workers):
                        workers.append(_Worker(course, options))
                else:
                    path = worker.pending.pop(0)
                    yield Graded(path, message["results"])
    finally:
        for worker in workers:
            if completed:
                worker.stop()
            else:  # nobody waits for its results: end it now (its zygote ends with it)
                worker.process.kill()
                worker.process.wait()


def crashed_results(path: Path, exercises: list[Exercise], reason: str) -> dict:
    """Results for a submission whose grading stopped its worker: zero, with the reason, per exercise."""
    from grader.submission import submission_name

    tests = [{"name": f"{e.id}: could not be graded", "score": 0.0, "max_score": e.points, "status": "failed",
              "output": f"grading this submission stopped the grading process ({reason})",
              "visibility": "visible", "tags": [e.id, "public"]} for e in exercises]
    return {"score": 0.0, "max_score": round(sum(e.points for e in exercises), 4), "execution_time": 0.0,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"submission": submission_name(path), "crashed": True}}
