"""How the collected checks run: one ``Check`` per pytest item, fed one ``GradingRun`` after another.

``Feed`` is what ``Grader.grade_stream`` hands to pytest beside the plugin module
(``grader.grading.plugin``): the runs to grade and what to do with each when done. The
plugin's hooks find it among pytest's plugins and call ``run_session``. ``provide`` makes
the values of the checks' fixtures.
"""

from __future__ import annotations

import os
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from grader.checking import HIDDEN_KINDS, CheckFailure, Partial
from grader.grading.calls import BUILTIN_ERRORS
from grader.grading.run import CheckResult, GradingRun

RUN_KEY = pytest.StashKey[GradingRun]()
CHECK_KEY = pytest.StashKey["Check"]()


class Feed:
    """The runs one pytest session grades, and ``on_done(run, seconds)`` after each.

    ``hidden``: whether hidden checks run. ``lean``: most checks are called directly (see
    ``Check``); False runs every check through pytest's protocol, so pytest reports each one."""

    def __init__(self, runs: Iterable[GradingRun], on_done: Callable[[GradingRun, float], None] | None = None,
                 *, hidden: bool = True, lean: bool = True) -> None:
        self.runs = runs
        self.on_done = on_done
        self.hidden = hidden
        self.lean = lean
        self.interrupted = False


def order_items(feed: Feed, config: pytest.Config, items: list[pytest.Item]) -> None:
    """Drop hidden checks unless the feed wants them; every public check before any hidden one:
    what the submission prints is kept until the first hidden input reaches it
    (``GradingRun.collect_output``), so all public output is."""
    if not feed.hidden:
        kept = [i for i in items if i.get_closest_marker("hidden") is None]
        if len(kept) != len(items):
            config.hook.pytest_deselected(items=[i for i in items if i not in kept])
            items[:] = kept
    items.sort(key=lambda i: i.get_closest_marker("hidden") is not None)


def run_session(feed: Feed, session: pytest.Session) -> None:
    """Every collected check against every run the feed yields."""
    checks = [Check.of(item) for item in session.items]
    for run in feed.runs:
        started = time.monotonic()
        session.config.stash[RUN_KEY] = run
        try:
            # Public checks before hidden ones; a student repository's exercises that two places
            # hold are graded in each (``run.variants``), then ``run.choose`` keeps the better.
            for hidden in (False, True):
                for variant in run.variants:
                    run.variant = variant
                    for i, check in enumerate(checks):
                        if check.hidden != hidden or not run.graded_in(variant, check.exercise):
                            continue
                        run.begin_check(check.exercise, check.hidden)
                        if check.lean and feed.lean:
                            run.results.append(check.result(run, check.run(run)))
                        else:
                            following = session.items[i + 1] if i + 1 < len(session.items) else None
                            check.item.config.hook.pytest_runtest_protocol(item=check.item, nextitem=following)
            run.variant = 0
        finally:
            run.close()
        run.choose()
        if feed.on_done:
            # Up to the first hidden check: how long hidden calls take is the submission's to choose.
            feed.on_done(run, run.read_seconds + (run.sealed_at or time.monotonic()) - started)


def report(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    """The check's result filed in its run, and a cheap report for pytest: pytest's own would
    format a full traceback for every failure, which nobody reads here and which costs more
    than the check itself."""
    passed = call.excinfo is None
    run = item.config.stash[RUN_KEY]
    if call.when == "call" or (call.when == "setup" and not passed):
        run.results.append(Check.of(item).result(run, None if passed else call.excinfo.value))
        passed = run.results[-1].passed
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
        if isinstance(exc, Partial):  # part of the points: a fraction of 1 is a pass
            output = "scored on a hidden input" if self.hidden else run.explain(str(exc))
            return CheckResult(self.name, self.exercise, self.points, self.hidden, exc.fraction >= 1, output,
                               variant=run.variant, fraction=exc.fraction, leaderboard=exc.leaderboard or None)
        if exc is not None and self.hidden:
            output = hidden_output(exc)
            if isinstance(exc, CheckFailure) and exc.kind == "before":
                file, line = exc.file, exc.line
        elif exc is not None:
            if isinstance(exc, CheckFailure):
                output, file, line = run.explain(str(exc)), exc.file, exc.line
            else:
                output = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}".rstrip(": ")
        return CheckResult(self.name, self.exercise, self.points, self.hidden, exc is None, output, file, line,
                           run.variant)


def hidden_output(exc: BaseException) -> str:
    """What a failed hidden check says: a failure settled before any hidden input reached the
    submission as it is (its file did not load); else one phrase of the fixed vocabulary
    (``checking.HIDDEN_KINDS``), never a byte, number or line that the submission chose."""
    if not isinstance(exc, CheckFailure):  # the check itself stumbled on what came back
        return "failed on a hidden input: wrong shape or type"
    if exc.kind == "before":
        return str(exc)
    kind = exc.kind or "wrong value"
    if kind == "not written yet":
        return str(exc)
    raised = kind.removeprefix("raised ").removeprefix("a built-in exception of type ")
    if kind not in HIDDEN_KINDS and not (kind.startswith("raised ") and raised in (*BUILTIN_ERRORS, "an exception")):
        kind = "wrong value"
    return f"failed on a hidden input: {kind}"


def _exercise_of(item: pytest.Item) -> str:
    return Path(str(item.path)).stem.removeprefix("check_")


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
        from grader.grading.recording import RecordedModule, RecordingError, load_recording

        try:
            return RecordedModule(exercise, load_recording())
        except RecordingError as exc:
            raise CheckFailure(str(exc)) from None
    if name == "rng":
        import numpy as np

        # Per student: the batch's seed, the student's name (from the file or folder name, which
        # the instructor controls) and the check's id below its folder (so standalone pytest,
        # whose root may be another folder, draws what `grader grade` draws for the same seed).
        # Whatever might still leak of one student's hidden inputs says nothing of another's.
        return np.random.default_rng([run.seed, zlib.crc32(run.submission.name.encode()),
                                      zlib.crc32(check.item.nodeid.rsplit("/", 1)[-1].encode())])
    raise LookupError(f"no fixture {name!r}")
