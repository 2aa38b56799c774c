"""``grader validate``: the course checks itself.

Every exercise has a stub with a TODO that raises NotImplementedError, a reference
solution at the same path, a hint, points, and checks whose points add up to the
exercise's; exercises/ and solutions/ mirror each other; every solution scores full
marks on all checks (public and hidden) and every stub scores zero; every assignment lists
exercises that exist and has a due date that parses.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from grader.course import Exercise, assignment_problems, load_exercises
from grader.grading import GradeOptions, Grader, exercise_scores


def check_points(exercise: Exercise) -> float:
    """The points of an exercise's checks, read from their ``points`` markers."""
    spec = importlib.util.spec_from_file_location(f"grader_validate_{exercise.id}", exercise.checks)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    total = 0.0
    for name, function in vars(module).items():
        if name.startswith("check_") and callable(function):
            marks = [m for m in getattr(function, "pytestmark", []) if m.name == "points"]
            total += float(marks[0].args[0]) if marks else 1.0
    return total


def static_problems(course: Path, exercises: list[Exercise]) -> list[str]:
    """What is wrong with the course's files, without running anything."""
    problems = []
    for e in exercises:
        stub, solution = course / "exercises" / e.path, course / "solutions" / e.path
        if not stub.is_file():
            problems.append(f"{e.id}: the stub exercises/{e.path} is missing")
        else:
            text = stub.read_text(encoding="utf-8")
            if "TODO" not in text:
                problems.append(f"{e.id}: exercises/{e.path} has no TODO marking where to write")
            if "NotImplementedError" not in text:
                problems.append(f"{e.id}: exercises/{e.path} does not raise NotImplementedError")
        if not solution.is_file():
            problems.append(f"{e.id}: the reference solutions/{e.path} is missing")
        if not e.hint.strip():
            problems.append(f"{e.id}: no hint in grader/exercises.toml")
        if e.points <= 0:
            problems.append(f"{e.id}: points must be positive")
        if not e.checks.is_file():
            problems.append(f"{e.id}: no checks module {e.checks.name}")
        elif (total := check_points(e)) != e.points:
            problems.append(f"{e.id}: its checks are worth {total:g} points but the exercise {e.points:g}")
    stubs = {p.relative_to(course / "exercises") for p in (course / "exercises").rglob("*.py")}
    refs = {p.relative_to(course / "solutions") for p in (course / "solutions").rglob("*.py")}
    for path in sorted(stubs - refs):
        problems.append(f"exercises/{path} has no counterpart in solutions/")
    for path in sorted(refs - stubs):
        problems.append(f"solutions/{path} has no counterpart in exercises/")
    problems += assignment_problems(exercises=exercises)  # every listed exercise exists, every date parses
    return problems


def validate_course(course: Path, isolation: str = "full") -> list[str]:
    """Every problem found; an empty list means the course is sound."""
    exercises = load_exercises()
    problems = static_problems(course, exercises)
    if problems:
        return problems
    with Grader(course, GradeOptions(hidden=True, isolation=isolation)) as grader:
        solved = exercise_scores(grader.grade(course / "solutions"), exercises)
        stubbed = exercise_scores(grader.grade(course / "exercises"), exercises)
    for e in exercises:
        got, most = solved[e.id]
        if got != most or most != e.points:
            problems.append(f"{e.id}: the reference solution scores {got:g}/{most:g}, not full marks")
        if stubbed[e.id][0] != 0:
            problems.append(f"{e.id}: the stub scores {stubbed[e.id][0]:g} points instead of zero")
    return problems
