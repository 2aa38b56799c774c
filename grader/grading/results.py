"""A graded submission's results, in Gradescope's results.json form, and points per exercise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.course import Exercise
from grader.safetext import clean
from grader.submission import Submission, submission_name

OUTPUT_LIMIT = 2000      # characters of one check's message in the results
PRINTED_LIMIT = 1950     # characters of all the submission printed, kept in the results (with the cut's note)
EXERCISE_PRINTED_LIMIT = 4096  # and of what it printed per exercise (what `grader check` shows at most)


def unreadable(path: Path, exercises: list[Exercise], exc: BaseException) -> Any:
    """A submission that reading itself failed on: every exercise has that problem."""
    problem = f"the submission could not be read ({type(exc).__name__})"
    return Submission(submission_name(path), path, problems={e.id: problem for e in exercises})


def build_results(run: Any, seconds: float, isolation: str) -> dict:
    """Gradescope's results.json: score, max_score, execution_time and one entry per check."""
    tests = []
    printed = run.printed
    for result in run.results:
        test = {
            "name": f"{result.exercise}: {result.name}",
            "score": round(result.score, 4),
            "max_score": result.points,
            "status": "passed" if result.passed else "failed",  # a part of the points: "failed", score > 0
            "output": clean(result.output, OUTPUT_LIMIT),
            "visibility": "after_published" if result.hidden else "visible",
            "tags": [result.exercise, "hidden" if result.hidden else "public"],
        }
        if result.line is not None:  # where a failure arose in the submission's file
            test["extra_data"] = {"file": result.file, "line": result.line}
        tests.append(test)
    results = {
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
            # A student repository: the file each exercise was graded from (exercises/ or notebooks/).
            **({"sources": {e: clean(f, 200, lines=False) for e, f in used.items()}} if (used := getattr(run, "used", {})) else {}),
        },
    }
    board = leaderboard(run.results)
    if board:
        results["leaderboard"] = board
    return results


def leaderboard(results: list[Any]) -> list[dict]:
    """Gradescope's ``leaderboard``: the figures model exercises' checks computed on the trusted side,
    one entry per figure (the first check that gives it), higher is better unless it is a loss."""
    entries: dict[str, dict] = {}
    for result in results:
        for name, value in (result.leaderboard or {}).items():
            entries.setdefault(str(name), {"name": str(name), "value": round(float(value), 4),
                                           "order": "asc" if "loss" in str(name).lower() else "desc"})
    return list(entries.values())


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


def crashed_results(path: Path, exercises: list[Exercise], reason: str) -> dict:
    """Results for a submission whose grading stopped its worker: zero, with the reason, per exercise."""
    tests = [{"name": f"{e.id}: could not be graded", "score": 0.0, "max_score": e.points, "status": "failed",
              "output": f"grading this submission stopped the grading process ({reason})",
              "visibility": "visible", "tags": [e.id, "public"]} for e in exercises]
    return {"score": 0.0, "max_score": round(sum(e.points for e in exercises), 4), "execution_time": 0.0,
            "visibility": "visible", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"submission": submission_name(path), "crashed": True}}
