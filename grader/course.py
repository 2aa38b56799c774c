"""The course: its exercises (from ``grader/exercises.toml``) and where its folders are."""

from __future__ import annotations

import difflib
import os
import tomllib
from dataclasses import dataclass
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
