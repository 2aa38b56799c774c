"""Issue 15: points only for work done.

A check that expects an error (ValueError for bad input) also calls the function on a valid
input and needs the right answer: a function that only raises earns nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.course import load_exercises
from grader.grading import GradeOptions, Grader

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
BY_ID = {e.id: e for e in EXERCISES}
SOLUTIONS = {e.id: (COURSE / "solutions" / e.path).read_text() for e in EXERCISES}


@pytest.fixture(scope="module")
def grader():
    with Grader(COURSE, GradeOptions(hidden=True, seed=3, timeout=2.0)) as g:
        yield g


def batch(grader, tmp_path: Path, source: str, only: tuple[str, ...] = ()) -> tuple[dict, dict]:
    """Grade ``source`` and, in the same batch after it, an innocent neighbour (the references)."""
    path = tmp_path / "submission.py"
    path.write_text(source)
    results = []
    grader.grade_stream([path, COURSE / "solutions"], lambda _path, result: results.append(result), only)
    return results[0], results[1]


def only_raises() -> str:
    """A submission whose every function (and Value's every method) just raises ValueError."""
    parts = []
    for exercise in EXERCISES:
        if exercise.function == "Value":
            parts.append("class Value:\n    def __init__(self, *args, **kwargs):\n        raise ValueError('no')\n")
        else:
            parts.append(f"def {exercise.function}(*args, **kwargs):\n    raise ValueError('no')\n")
    return "\n\n".join(parts)


def test_functions_that_only_raise_value_error_score_zero_on_the_whole_course(grader, tmp_path):
    raising, neighbour = batch(grader, tmp_path, only_raises())
    assert {t["name"]: t["output"] for t in raising["tests"] if t["score"]} == {}
    assert raising["score"] == 0 and raising["max_score"] == sum(e.points for e in EXERCISES) == 260
    assert neighbour["score"] == neighbour["max_score"] == 260
    refusals = [t for t in raising["tests"] if "value error" in t["name"] or "bad size" in t["name"]]
    assert len(refusals) == 11
    for t in refusals:
        assert t["output"].endswith("it also has to work on valid input"), t
