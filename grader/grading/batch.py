"""Batches: ``grade_many`` spreads submissions over worker processes (``grader.grading.worker``),
each with its own ``Grader`` and one pytest session for all its submissions."""

from __future__ import annotations

import dataclasses
import json
import secrets
import select
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.course import Exercise, load_exercises
from grader.course import select as choose_exercises
from grader.grading.options import GradeOptions, GradingError
from grader.grading.results import crashed_results
from grader.sandbox.host import asks_for_optimizers
from grader.submission import read_submission


@dataclass
class Graded:
    path: Path
    results: dict | None
    error: str | None = None


class _Worker:
    """A ``python -m grader.grading.worker`` process and the submissions it has been given."""

    def __init__(self, course: Path, options: GradeOptions, warm_up: bool) -> None:
        # Settings travel on stdin, never in the command line (which any process can read):
        # first the sandbox's, without the seed, and whether to warm up for torch's optimizers;
        # the worker forks its zygote before it reads the second line, the grading options
        # with the seed.
        self.process = subprocess.Popen(
            [sys.executable, "-m", "grader.grading.worker", str(course)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.pending: list[Path] = []
        self.ready = False
        first = dict(dataclasses.asdict(dataclasses.replace(options, seed=None)), warm_up=warm_up)
        for settings in (first, dataclasses.asdict(options)):
            self.process.stdin.write(json.dumps(settings) + "\n")
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


def trains_with_optimizers(course: Path, exercises: list[Exercise], paths: Iterable[Path]) -> bool:
    """Whether a batch's workers should warm up for torch's optimizers before they fork their
    zygotes: some graded exercise's stub (``exercises/``) asks for one, and so does some
    submission's source for such an exercise (``asks_for_optimizers``, which ``GradingRun.student``
    applies to each submission). Submissions are read, within their size limits, until one does."""
    def stub_asks(exercise: Exercise) -> bool:
        try:
            return asks_for_optimizers((course / "exercises" / exercise.path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            return False

    training = [e for e in exercises if stub_asks(e)]
    return bool(training) and any(
        any(asks_for_optimizers(source.text) for source in read_submission(path, training).sources.values())
        for path in paths)


def grade_many(course: Path, paths: Iterable[Path], options: GradeOptions, jobs: int,
               on_start: Callable[[], None] | None = None) -> Iterator[Graded]:
    """Grade ``paths`` on ``jobs`` worker processes; yields each submission as it finishes.

    Each worker keeps one pytest session and one zygote for all its submissions and has at
    most two in hand, so memory does not grow with their number. All workers share one seed,
    so every submission meets the same hidden inputs. A worker that dies while grading takes
    down only the submission it was grading, which scores zero with the reason; the others it
    held go back in the queue and a fresh worker takes its place. A worker that cannot start
    at all is a problem of the machine: then what is left gets that error. A worker whose
    Grader refuses (``GradingError``: the walls this machine allows are not enough for
    ``options.isolation``) raises that error here, before any submission is graded.
    """
    queue = [Path(p) for p in paths]
    queue.reverse()
    if options.seed is None:
        options = dataclasses.replace(options, seed=secrets.randbits(32))
    exercises = choose_exercises(load_exercises(), options.exercises)
    wanted = max(1, min(jobs, len(queue)))
    warm_up = trains_with_optimizers(course, exercises, reversed(queue))
    workers = [_Worker(course, options, warm_up) for _ in range(wanted)]
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
                elif message.get("refused") is True and not worker.ready:
                    # The Grader refused this machine's walls (or the course): every worker would.
                    raise GradingError(str(message.get("fatal"))[:500])
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
                        workers.append(_Worker(course, options, warm_up))
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
