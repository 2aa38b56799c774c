"""A class of any size for the report's tests, made without grading: results dicts in the form
`grader grade` writes, recorded straight into a gradebook with a roster (names and sections).

Each student attempts a random part of the course's exercises; an attempted exercise is graded
(each check passes or fails with a message of the grader's kinds) or, now and then, not gradable
(a SyntaxError); the rest say "not written yet" or "no file for this exercise"."""

from __future__ import annotations

import random
from pathlib import Path

from grader.course import load_exercises
from grader.gradebook import Gradebook, NewAttempt, Student

FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Emeka", "Fatima", "Gustav", "Hana", "Ingrid", "Jamal", "Keiko", "Luis"]
LAST = ["Okafor", "Lindqvist", "Nakamura", "Fernández-García", "Ivanova", "Mbeki", "O'Connor", "Schwarzenegger"]


def checks_of(exercise) -> list[tuple[str, float, bool]]:
    """Four public and two hidden checks, their points adding up to the exercise's."""
    points = exercise.points
    return ([(f"public check {i}", points * 0.15, False) for i in range(4)]
            + [(f"hidden check {i}", points * 0.2, True) for i in range(2)])


def results_for(rng: random.Random, exercises, attempt: float) -> dict:
    tests, problems = [], {}
    skill = rng.betavariate(3, 1.5)
    for exercise in exercises:
        roll = rng.random()
        state = "graded" if roll < attempt else ("not gradable" if roll < attempt + 0.03 else
                                                  rng.choice(["not written", "no file"]))
        right = rng.random() < skill   # the exercise solved; else a few of its checks fail
        for name, points, hidden in checks_of(exercise):
            passed = state == "graded" and (right or rng.random() < 0.5)
            if passed:
                output = ""
            elif state == "not written":
                output = (f"not written yet: {exercise.function} raises NotImplementedError "
                          f"({exercise.path}, line 12) — replace the TODO")
            elif state == "no file":
                output = f"no file for this exercise: expected {exercise.path} (or a notebook defining {exercise.function})"
            elif state == "not gradable":
                output = f"SyntaxError in {exercise.path}, line 7: invalid syntax"
            elif hidden:
                output = rng.choice(["failed on a hidden input: wrong value", "failed on a hidden input: wrong shape or type"])
            else:
                value = rng.choice([0.5, 1.0, 2.0])
                output = (f"{exercise.function}(torch.tensor([[0.3], [-0.8], [0.5]]), "
                          f"{'torch.ones(4, 3), ' * rng.randint(1, 12)}): expected {value}, got {value * 2}")
            tests.append({"name": f"{exercise.id}: {name}", "score": points if passed else 0.0, "max_score": points,
                          "status": "passed" if passed else "failed", "output": output,
                          "visibility": "after_published" if hidden else "visible",
                          "tags": [exercise.id, "hidden" if hidden else "public"]})
        if state == "no file":
            problems[exercise.id] = f"no file for this exercise: expected {exercise.path}"
        elif state == "not gradable":
            problems[exercise.id] = f"SyntaxError in {exercise.path}, line 7: invalid syntax"
    return {"score": round(sum(t["score"] for t in tests), 4), "max_score": round(sum(t["max_score"] for t in tests), 4),
            "execution_time": round(rng.uniform(0.1, 3.0), 3), "visibility": "visible", "stdout_visibility": "hidden",
            "tests": tests, "extra_data": {"submission": "x", "seed": 1, "problems": problems, "notes": []}}


def make_class(path: Path, students: int, seed: int = 0, sections: int = 3) -> list[Student]:
    """A gradebook at ``path`` holding ``students`` students (roster: name, section) each with one attempt."""
    rng = random.Random(seed)
    exercises = load_exercises()
    roster = [Student(f"s{i:04d}", f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}",
                      f"s{i:04d}@example.edu", f"section {i % sections + 1}", True) for i in range(students)]
    with Gradebook(path) as book:
        book.set_roster(roster)
        for student in roster:
            results = results_for(rng, exercises, rng.uniform(0.3, 0.95))
            book.record(NewAttempt(student.id, "default", f"{student.id}.py", "h", "c", results, "test"))
    return roster
