"""The course: its exercises (from ``grader/exercises.toml``) and where its folders are."""

from __future__ import annotations

import difflib
import math
import os
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
METADATA = PACKAGE_DIR / "exercises.toml"
CHECKS_DIR = PACKAGE_DIR / "checks"


class CourseError(Exception):
    """The course folder or its metadata is not usable; the message says what to do."""


@dataclass(frozen=True)
class Exercise:
    id: str
    path: str          # relative to exercises/ (and to solutions/)
    function: str
    points: float
    hint: str

    @property
    def module(self) -> str:
        """The module name a submission's file is loaded under."""
        return Path(self.path).stem

    @property
    def checks(self) -> Path:
        return CHECKS_DIR / f"check_{self.id}.py"


def load_exercises(path: Path = METADATA) -> list[Exercise]:
    """Read and validate the exercise metadata."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CourseError(f"{path}: cannot read the exercise metadata ({exc})") from None
    exercises, seen = [], set()
    for i, entry in enumerate(data.get("exercise", []), 1):
        missing = {"id", "path", "function", "points", "hint"} - set(entry)
        if missing:
            raise CourseError(f"{path}: exercise #{i} lacks {', '.join(sorted(missing))}")
        if entry["id"] in seen:
            raise CourseError(f"{path}: exercise id {entry['id']!r} appears twice")
        seen.add(entry["id"])
        exercises.append(Exercise(entry["id"], entry["path"], entry["function"], float(entry["points"]),
                                  entry["hint"]))
    return exercises


def find_root(start: Path | None = None) -> Path:
    """The course folder: ``$GRADER_COURSE``, else the nearest folder at or above ``start``
    (default: the current folder) that has the exercises' files under ``exercises/``. Never a
    folder the user did not point at: outside a course this is a ``CourseError`` saying what to do."""
    env = os.environ.get("GRADER_COURSE")
    if env:
        root = Path(env).resolve()
        if not (root / "exercises").is_dir():
            raise CourseError(f"GRADER_COURSE={env} has no exercises/ folder; point it at the course folder")
        return root
    here = (start or Path.cwd()).resolve()
    exercises = load_exercises()
    for folder in (here, *here.parents):
        if any((folder / "exercises" / e.path).is_file() for e in exercises):
            return folder
    raise CourseError(f"{here} is not inside a course: cd into the course folder (the one with exercises/) "
                      "or set GRADER_COURSE=/path/to/course")


def select(exercises: list[Exercise], ids: tuple[str, ...] | list[str]) -> list[Exercise]:
    """The exercises named by ``ids`` (all when empty); an unknown id is a ``CourseError``."""
    if not ids:
        return exercises
    known = {e.id: e for e in exercises}
    unknown = [i for i in ids if i not in known]
    if unknown:
        guesses = [g for i in unknown for g in difflib.get_close_matches(i, list(known), n=1, cutoff=0.6)]
        guess = f" (did you mean {' or '.join(dict.fromkeys(guesses))}?)" if guesses else ""
        raise CourseError(f"unknown exercise {', '.join(unknown)}{guess}; `grader list` shows the exercises")
    return [known[i] for i in ids]


#: The course's folders in the order the course meets them; exercises in other folders come after.
FOLDER_ORDER = ("week1", "week2", "week3", "lab3", "week5", "lab5")


def in_course_order(exercises: list[Exercise]) -> list[Exercise]:
    """``exercises`` in the order of the course: by folder (``FOLDER_ORDER``, then any other folder
    by name), and within a folder in the order given (grader/exercises.toml's). What students see
    (list, check, watch, status, hint, the student README) follows this order."""
    rank = {folder: i for i, folder in enumerate(FOLDER_ORDER)}

    def key(exercise: Exercise) -> tuple[int, str]:
        parts = Path(exercise.path).parts
        folder = parts[0] if len(parts) > 1 else ""
        return (rank.get(folder, len(rank)), "" if folder in rank else folder)

    return sorted(exercises, key=key)  # stable: a folder's exercises keep their order


# ------------------------------------------------------------------ assignments

#: The assignment id meaning the whole course (``--assignment``'s default): every exercise, no due date.
WHOLE_COURSE = "default"


@dataclass(frozen=True)
class Assignment:
    """An ``[[assignment]]`` of ``grader/exercises.toml``: some exercises, a due date and a late policy.

    Work submitted after ``due`` (or a student's extension) by more than ``grace_minutes`` is
    late by whole days, counted up (a minute past the grace is one day); each day costs
    ``late_penalty_per_day`` percent of the points, and beyond ``late_days_max`` days the work scores 0.
    """

    id: str
    title: str
    exercises: tuple[str, ...]
    due: datetime
    late_penalty_per_day: float     # percent of the points
    late_days_max: int              # late by more days than this: the work scores 0
    grace_minutes: float = 0.0

    def days_late(self, submitted: datetime, deadline: datetime | None = None) -> int:
        """Whole days ``submitted`` is past the deadline (``due`` unless another is given), 0 when on time."""
        minutes = (submitted - (deadline or self.due)).total_seconds() / 60
        return 0 if minutes <= self.grace_minutes else math.ceil(round(minutes, 6) / 1440)

    def penalty_percent(self, days_late: int) -> float:
        """The share of the points lost for being ``days_late`` days late, in percent."""
        if days_late <= 0:
            return 0.0
        if days_late > self.late_days_max:
            return 100.0
        return min(100.0, days_late * self.late_penalty_per_day)


def parse_time(text: str) -> datetime:
    """An ISO 8601 time with a UTC offset ("2026-10-20T23:59+02:00", or "Z"); ``ValueError`` otherwise."""
    value = datetime.fromisoformat(str(text).strip())
    if value.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (add one: +00:00, +02:00, Z)")
    return value


def assignment_problems(path: Path = METADATA, exercises: list[Exercise] | None = None) -> list[str]:
    """What is wrong with the ``[[assignment]]`` tables, one line each (empty: they are sound)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [f"{path}: cannot read the exercise metadata ({exc})"]
    known = {e.id for e in (exercises if exercises is not None else load_exercises(path))}
    problems, seen = [], set()
    for i, entry in enumerate(data.get("assignment", []), 1):
        name = f"assignment {entry.get('id', f'#{i}')!r}"
        missing = {"id", "title", "exercises", "due", "late_penalty_per_day", "late_days_max"} - set(entry)
        if missing:
            problems.append(f"{path.name}: {name} lacks {', '.join(sorted(missing))}")
            continue
        if entry["id"] == WHOLE_COURSE or entry["id"] in seen:
            problems.append(f"{path.name}: {name} is used twice (or is {WHOLE_COURSE!r}, the whole course); "
                            "rename it")
        seen.add(entry["id"])
        listed = entry["exercises"]
        if not isinstance(listed, list) or not listed:
            problems.append(f"{path.name}: {name} lists no exercises; give exercises = [\"id\", ...]")
        else:
            for exercise in listed:
                if exercise not in known:
                    problems.append(f"{path.name}: {name} lists the exercise {exercise!r}, which does not exist; "
                                    "use an [[exercise]] id")
        try:
            parse_time(entry["due"])
        except (ValueError, TypeError) as exc:
            problems.append(f"{path.name}: {name} has a due date that does not parse ({exc}); write it as "
                            "2026-10-20T23:59+02:00")
        for key in ("late_penalty_per_day", "late_days_max", "grace_minutes"):
            value = entry.get(key, 0)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                problems.append(f"{path.name}: {name} has {key} = {value!r}; give a number of 0 or more")
    return problems


def load_assignments(path: Path = METADATA) -> list[Assignment]:
    """The course's assignments, in the file's order; a problem is a ``CourseError`` (``grader validate``
    lists them all)."""
    problems = assignment_problems(path)
    if problems:
        raise CourseError(problems[0])
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [Assignment(e["id"], e["title"], tuple(e["exercises"]), parse_time(e["due"]),
                       float(e["late_penalty_per_day"]), int(e["late_days_max"]), float(e.get("grace_minutes", 0)))
            for e in data.get("assignment", [])]


def find_assignment(assignment_id: str, path: Path = METADATA) -> Assignment | None:
    """The assignment ``assignment_id`` (None for the whole course, ``WHOLE_COURSE``); an unknown id is a
    ``CourseError`` listing the known ones."""
    if assignment_id == WHOLE_COURSE:
        return None
    assignments = load_assignments(path)
    for assignment in assignments:
        if assignment.id == assignment_id:
            return assignment
    raise CourseError(f"unknown assignment {assignment_id!r}; the assignments are "
                      + ", ".join([WHOLE_COURSE + " (the whole course)", *(a.id for a in assignments)]))


def assignment_exercises(assignment_id: str, path: Path = METADATA) -> list[Exercise]:
    """The exercises of ``assignment_id`` in the course's order (every exercise for the whole course)."""
    exercises = load_exercises(path)
    assignment = find_assignment(assignment_id, path)
    return exercises if assignment is None else [e for e in exercises if e.id in assignment.exercises]
