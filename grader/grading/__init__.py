"""Grading: the checks run against submissions, in the sandbox, with results as data.

The face of the package; the modules, from the top down:

- ``runner``: ``Grader``, one process grading one submission after another;
- ``batch``: ``grade_many``, a class over worker processes (``worker``);
- ``plugin``: pytest's hooks and fixtures (hooks only; ``session`` runs the checks);
- ``session``: how collected checks run against each submission, and the fixtures' values;
- ``options``: ``GradeOptions`` and the sandbox's settings;
- ``run``: the state of one submission's grading (its child, loads, notes, printed output);
- ``calls``: what checks call to reach the submission (``StudentModule``, ``StudentFunction``,
  ``StudentObject``);
- ``results``: results.json and points per exercise;
- ``references`` and ``recording``: the reference solutions, live or as recorded for a release.
"""

from typing import Any

__all__ = ["GradeOptions", "Graded", "Grader", "GradingError", "build_results", "crashed_results",
           "exercise_scores", "grade_many", "sandbox_config"]


def __getattr__(name: str) -> Any:
    """The face's names, imported on first use: ``grader.grading.results`` alone stays light
    (no torch, no pytest) for the reports and the student's CI summary."""
    if name in ("Graded", "grade_many"):
        from grader.grading import batch as module
    elif name in ("build_results", "crashed_results", "exercise_scores"):
        from grader.grading import results as module
    elif name in ("GradeOptions", "GradingError", "sandbox_config"):
        from grader.grading import options as module
    elif name == "Grader":
        from grader.grading import runner as module
    else:
        raise AttributeError(f"module 'grader.grading' has no attribute {name!r}")
    return getattr(module, name)
