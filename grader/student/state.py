"""The student's own state in ``COURSE/.grader/``: plain JSON files, written atomically.

- ``checks.json``: each exercise's last result from ``grader check`` or ``grader watch``;
- ``quizzes.json``: each quiz's best score from ``grader quiz take``.

A file is written whole to a temporary file in the same folder, flushed to disk, then renamed
over the old one (``os.replace`` is atomic), so a crash leaves the old file or the new one, never
half of either. A file that cannot be read or is not what this module writes is reported in one
line (in ``State.problems``) and treated as absent; the next write replaces it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from grader.course import Exercise

FOLDER = ".grader"
CHECKS = "checks.json"
QUIZZES = "quizzes.json"
VERSION = 1
EXERCISES = "exercises"         # the source of a result of exercises/


def own_source(source: str) -> bool:
    """exercises/ or a notebook in the course's notebooks/ folder."""
    parts = Path(source).parts
    return source == EXERCISES or (len(parts) == 2 and parts[0] == "notebooks" and source.endswith(".ipynb"))


def source_of(course: Path, target: Path) -> str:
    """What a check of ``target`` is recorded as: "exercises", "notebooks/week5.ipynb" (relative to
    the course when inside it), else the file's absolute path."""
    course, target = Path(course).resolve(), Path(target).resolve()
    if target == course / EXERCISES:
        return EXERCISES
    try:
        return target.relative_to(course).as_posix()
    except ValueError:
        return str(target)


def write_json(path: Path, data: Any) -> None:
    """Write ``data`` as JSON to ``path`` atomically: temp file in the same folder, fsync, rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(json.dumps(data, indent=2, sort_keys=True) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def read_json(path: Path) -> tuple[Any, str | None]:
    """(data, None), (None, None) when the file does not exist, or (None, one-line reason)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot read it ({exc.strerror or exc})"
    except UnicodeDecodeError:
        return None, "it is not UTF-8 text"
    try:
        return json.loads(text), None
    except ValueError as exc:
        return None, f"it is not valid JSON ({str(exc).splitlines()[0][:120]})"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def file_digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class ExerciseRecord:
    """An exercise's last public-check result."""

    score: float
    max_score: float
    failed: tuple[str, ...]     # names of the checks that failed
    checked: str                # when (ISO 8601, UTC)
    digest: str | None          # sha256 of the checked file (``source``'s) when it was checked
    source: str = EXERCISES     # what was checked, relative to the course: "exercises", a notebook, a file

    @property
    def own(self) -> bool:
        """A result of the student's own work: exercises/ or one of the course's notebooks/, not a
        file checked by name (`grader check ../alice.py`)."""
        return own_source(self.source)

    @property
    def passed(self) -> bool:
        return self.max_score > 0 and self.score == self.max_score and not self.failed

    def to_json(self) -> dict[str, Any]:
        return {"score": self.score, "max_score": self.max_score, "failed": list(self.failed),
                "checked": self.checked, "digest": self.digest, "source": self.source}

    @classmethod
    def from_json(cls, data: Any) -> "ExerciseRecord | None":
        if not isinstance(data, dict):
            return None
        score, most, failed, checked = (data.get(k) for k in ("score", "max_score", "failed", "checked"))
        digest = data.get("digest")
        source = data.get("source", EXERCISES)  # files written before sources were recorded: exercises/
        if not (_number(score) and _number(most) and isinstance(checked, str)
                and isinstance(failed, list) and all(isinstance(f, str) for f in failed)
                and (digest is None or isinstance(digest, str)) and isinstance(source, str)):
            return None
        return cls(float(score), float(most), tuple(failed), checked, digest, source)


@dataclass(frozen=True)
class QuizRecord:
    """A quiz's best score so far."""

    best: float
    max_score: float
    when: str                   # when the best was scored (ISO 8601, UTC)
    attempts: int

    def to_json(self) -> dict[str, Any]:
        return {"best": self.best, "max_score": self.max_score, "when": self.when, "attempts": self.attempts}

    @classmethod
    def from_json(cls, data: Any) -> "QuizRecord | None":
        if not isinstance(data, dict):
            return None
        best, most, when, attempts = (data.get(k) for k in ("best", "max_score", "when", "attempts"))
        if not (_number(best) and _number(most) and isinstance(when, str)
                and isinstance(attempts, int) and not isinstance(attempts, bool)):
            return None
        return cls(float(best), float(most), when, attempts)


class State:
    """The state files of one course folder. Reading never raises: problems land in ``problems``."""

    def __init__(self, course: Path) -> None:
        self.course = Path(course)
        self.folder = self.course / FOLDER
        self.problems: list[str] = []

    # ------------------------------------------------------------------ exercises

    def exercises(self) -> dict[str, ExerciseRecord]:
        """Each exercise's last recorded result."""
        return self._entries(CHECKS, "exercises", ExerciseRecord.from_json)

    def record_results(self, results: dict, exercises: list[Exercise], source: str = EXERCISES) -> None:
        """Record the result of every exercise that ``results`` (a grading's results dict) covers,
        and where it came from (``source``: see ``source_of``). A result of a file checked by name
        never replaces one of the student's own work (exercises/, notebooks/)."""
        graded: dict[str, list[dict]] = {}
        for test in results.get("tests", []):
            graded.setdefault(test["tags"][0], []).append(test)
        by_id = {e.id: e for e in exercises}
        when = now()
        records = {}
        for exercise_id, tests in graded.items():
            exercise = by_id.get(exercise_id)
            digest = file_digest(self.checked_file(exercise, source)) if exercise else None
            records[exercise_id] = ExerciseRecord(
                round(sum(t["score"] for t in tests), 4), round(sum(t["max_score"] for t in tests), 4),
                tuple(t["name"].split(": ", 1)[-1] for t in tests if t["status"] != "passed"), when, digest,
                source)

        def update(old: dict[str, ExerciseRecord]) -> dict[str, ExerciseRecord]:
            return {**old, **{k: r for k, r in records.items() if r.own or k not in old or not old[k].own}}

        self._update(CHECKS, "exercises", ExerciseRecord.from_json, update)

    def checked_file(self, exercise: Exercise, source: str) -> Path:
        """The file a result of ``exercise`` from ``source`` was checked in."""
        return self.course / EXERCISES / exercise.path if source == EXERCISES else self.course / source

    # ------------------------------------------------------------------ quizzes

    def quizzes(self) -> dict[str, QuizRecord]:
        """Each quiz's best score so far."""
        return self._entries(QUIZZES, "quizzes", QuizRecord.from_json)

    def record_quiz(self, quiz_id: str, score: float, max_score: float) -> bool:
        """Count an attempt at a quiz; True when ``score`` is a new best."""
        improved = False

        def update(old: dict[str, QuizRecord]) -> dict[str, QuizRecord]:
            nonlocal improved
            previous = old.get(quiz_id)
            attempts = (previous.attempts if previous else 0) + 1
            improved = previous is None or previous.max_score != max_score or score > previous.best
            if improved:
                record = QuizRecord(score, max_score, now(), attempts)
            else:
                record = QuizRecord(previous.best, previous.max_score, previous.when, attempts)
            return {**old, quiz_id: record}

        self._update(QUIZZES, "quizzes", QuizRecord.from_json, update)
        return improved

    # ------------------------------------------------------------------ files

    def _entries(self, name: str, key: str, parse: Any) -> dict[str, Any]:
        path = self.folder / name
        data, problem = read_json(path)
        if problem is None and data is not None and not (isinstance(data, dict) and isinstance(data.get(key), dict)):
            problem = "it is not a grader state file"
        if problem:
            self._problem(name, problem)
            return {}
        entries, bad = {}, 0
        for entry_id, value in (data or {}).get(key, {}).items():
            record = parse(value)
            if record is None:
                bad += 1
            else:
                entries[entry_id] = record
        if bad:
            self._problem(name, f"{bad} of its entries are malformed")
        return entries

    def _problem(self, name: str, reason: str) -> None:
        message = f"{FOLDER}/{name}: {reason}; ignoring it (the next save replaces it)"
        if message not in self.problems:
            self.problems.append(message)

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer at a time (``grader watch`` and ``grader check`` may run together)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with open(self.folder / ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _update(self, name: str, key: str, parse: Any, change: Any) -> None:
        try:
            with self._lock():
                entries = change(self._entries(name, key, parse))
                write_json(self.folder / name, {"version": VERSION,
                                                key: {k: v.to_json() for k, v in sorted(entries.items())}})
        except OSError as exc:
            where = exc.filename or self.folder
            self.problems.append(f"cannot save the grader's state in {where} ({exc.strerror or exc}); "
                                 "results are shown but not remembered")
