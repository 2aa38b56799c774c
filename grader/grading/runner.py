"""The runner: ``Grader`` grades submissions one after another in the current process.

It loads the reference solutions once, keeps one pre-warmed zygote, and runs the checks in
one pytest session with the plugin ``grader.grading.plugin`` (``grade_stream``). Batches over
several processes are ``grader.grading.batch``; results.json is built by ``grader.grading.results``.
"""

from __future__ import annotations

import contextlib
import gc
import io
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from grader.course import CHECKS_DIR, Exercise, load_exercises
from grader.course import select as choose_exercises
from grader.grading.options import GradeOptions, GradingError, sandbox_config
from grader.grading.recording import RECORDING
from grader.grading.references import RememberingReference, load_reference
from grader.grading.results import build_results, unreadable
from grader.grading.run import GradingRun
from grader.grading.session import Feed
from grader.sandbox.host import Sandbox
from grader.submission import read_submission

# Only the plugin grading needs: plugins installed beside pytest (found through entry points) are
# neither loaded (a quarter of a second of `grader check`'s start in a full environment) nor
# allowed to change how checks run.
PYTEST_ARGS = [
    "--disable-plugin-autoload", "-p", "no:cacheprovider", "-p", "no:terminal", "-p", "no:stepwise", "-p", "no:randomly",
    "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:faulthandler",
    "-p", "no:legacypath", "-p", "no:doctest", "-p", "no:junitxml", "-p", "no:pastebin",
    "-p", "no:logging", "-p", "no:warnings", "-p", "no:nose", "-p", "no:debugging", "-p", "no:setuponly",
    "-p", "no:setupplan", "-p", "no:recwarn", "-p", "no:monkeypatch", "-p", "no:tmpdir",
    "-s", "--import-mode=importlib", "-o", "python_files=check_*.py", "-o", "python_functions=check_*",
    "-o", "python_classes=", "-W", "ignore",
]


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
            refusal = self._refusal()
            if refusal is None:
                return
        except BaseException:
            self.sandbox.close()
            raise
        self.sandbox.close()
        raise GradingError(refusal)

    def _refusal(self) -> str | None:
        """Why the walls the sandbox could put up are not enough for this grading (None when they are):
        policy "full" needs the namespaces and the seccomp filter; "best" and "weak" take what there is."""
        if self.options.isolation != "full":
            return None
        if self.sandbox.level != "full":
            return ("the sandbox cannot isolate submissions on this machine (Linux namespaces are "
                    "unavailable): run as root, enable unprivileged user namespaces, or pass "
                    "--isolation weak to accept weaker walls")
        if not self.sandbox.filtered:
            why = {"absent": "libseccomp is not installed", "unsupported": "seccomp is Linux's"}.get(
                self.sandbox.seccomp_state, "seccomp is denied")
            return (f"the sandbox cannot filter submissions' system calls on this machine ({why}): install "
                    "libseccomp2 and allow seccomp, or pass --isolation weak to accept weaker walls")
        return None

    @property
    def walls_note(self) -> str | None:
        """One line naming the walls this machine does not allow, for the student's commands
        (None when every wall is up, or when the policy left no choice: "full" refuses instead)."""
        if self.options.isolation == "full":
            return None
        return self.sandbox.walls_note()

    def _load_references(self) -> dict[str, Any]:
        references: dict[str, Any] = {}
        if not (self.course / "solutions").is_dir():
            # A student's copy (`grader release`): the public checks' expected results were
            # recorded; the `reference` fixture plays them back.
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

        exercises = choose_exercises(self.exercises, only)

        def runs() -> Iterator[Any]:
            for path in paths:
                yield self.new_run(path, exercises)

        def done(run: Any, seconds: float) -> None:
            on_result(run.submission.path, build_results(run, seconds, self.sandbox.level))

        sink = io.StringIO()
        files = [str(e.checks) for e in exercises]
        feed = Feed(runs(), done, hidden=self.options.hidden)
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            code = pytest.main([*files, *PYTEST_ARGS, "-p", "grader.grading.plugin", "--rootdir", str(CHECKS_DIR),
                                "-c", str(CHECKS_DIR / "pytest.ini")], plugins=[feed])
        if feed.interrupted:  # pytest turns Ctrl-C into an exit code; make it Ctrl-C again
            raise KeyboardInterrupt
        if code not in (0, 1):
            raise GradingError(f"the checks could not run (pytest exit code {int(code)}): "
                               f"{sink.getvalue().strip()[-500:]}")

    def new_run(self, path: Path, exercises: list[Exercise] | None = None) -> GradingRun:
        """The state the pytest plugin needs to grade the submission at ``path``."""
        exercises = self.exercises if exercises is None else exercises
        started = time.monotonic()
        try:
            submission = read_submission(Path(path), exercises)
        except (Exception, RecursionError, MemoryError) as exc:  # noqa: BLE001 - that submission's result
            submission = unreadable(Path(path), exercises, exc)
        return GradingRun(submission, exercises, self.sandbox, self.references, hidden=self.options.hidden,
                          seed=self.seed, timeout=self.options.timeout, read_seconds=time.monotonic() - started)

    def close(self) -> None:
        self.sandbox.close()

    def __enter__(self) -> "Grader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
