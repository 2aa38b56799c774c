"""What the instructor's command modules share: opening the gradebook, an assignment's exercises,
the grading's refusal as a one-line error, and the times of collected submissions."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import click

from grader.course import CourseError, assignment_exercises, load_exercises


@contextlib.contextmanager
def refusal_as_error() -> Iterator[None]:
    """The grading's refusal (the machine's walls are not enough) as the command's one-line error."""
    from grader.grading import GradingError

    try:
        yield
    except GradingError as exc:
        raise click.ClickException(str(exc)) from None


def collected_times_of(submissions: tuple[Path, ...]) -> dict:
    """Submission name (case-folded) -> the time of the commit `grader collect` took, for the
    submissions in folders it made (its collected.json); empty otherwise."""
    from grader.gradebook.collect import CollectError, collected_times

    found = {}
    try:
        for parent in sorted({Path(p).resolve().parent for p in submissions}):
            found.update({name.casefold(): when for name, (when, _) in collected_times(parent).items()})
    except CollectError as exc:
        raise click.ClickException(str(exc)) from None
    return found


def exercises_of(assignment: str) -> list:
    """The assignment's exercises; every exercise for a label the course does not define (an older gradebook's)."""
    try:
        return assignment_exercises(assignment)
    except CourseError:
        return load_exercises()


def open_gradebook(course: Path, path: Path | None, *, create: bool):
    """Open the gradebook (``GradebookError`` if it cannot be); without ``create`` it must exist."""
    from grader.gradebook import DEFAULT_PATH, Gradebook, GradebookError

    path = path or course / DEFAULT_PATH
    if not create and not path.is_file():
        raise GradebookError(f"there is no gradebook at {path}: grade first (grader grade SUBMISSIONS...), "
                             "or pass --gradebook PATH")
    return Gradebook(path)
