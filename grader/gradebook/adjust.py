"""The instructor's decisions after grading: extensions, point adjustments and dropped checks.

Plain functions over a ``Gradebook`` that the commands ``grader extend``, ``grader adjust`` and
``grader drop-check`` call; each checks its input and raises ``AdjustError`` with one line saying
what is wrong and what to do. Nothing here runs a submission: the gradebook's views recompute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from grader.course import WHOLE_COURSE, CourseError, find_assignment, parse_time
from grader.gradebook.store import Gradebook, GradebookError, Standing


class AdjustError(Exception):
    """The decision cannot be recorded as given; the message says what to change."""


def _assignment_due(assignment: str) -> datetime:
    try:
        found = find_assignment(assignment)
    except CourseError as exc:
        raise AdjustError(str(exc)) from None
    if found is None:
        raise AdjustError("the whole course (default) has no due date: give --assignment ID")
    return found.due


def _known(book: Gradebook, student: str) -> None:
    if book.student(student) is None:
        roster = ", ".join(s.id for s in book.roster()[:10])
        raise AdjustError(f"no student {student!r} in the gradebook {book.path}; "
                          + (f"the roster has {roster}{', …' if len(book.roster()) > 10 else ''}" if roster else
                             "grade their submission or give a --roster first"))


def extend_deadline(book: Gradebook, student: str, assignment: str, *, until: str | None = None,
                    days: float | None = None) -> str:
    """Give ``student`` a later deadline for ``assignment``: ``until`` (ISO 8601 with an offset) or ``days``
    after the due date. Returns the new deadline (ISO 8601, UTC)."""
    if (until is None) == (days is None):
        raise AdjustError("give either --until 2026-10-20T23:59+02:00 or --days N")
    due = _assignment_due(assignment)
    _known(book, student)
    if until is not None:
        try:
            deadline = parse_time(until)
        except ValueError as exc:
            raise AdjustError(f"--until {until!r} is not an ISO 8601 time with a UTC offset ({exc}); "
                              "write it as 2026-10-20T23:59+02:00") from None
    else:
        deadline = due + timedelta(days=days)
    return book.extend(student, assignment, deadline)


def adjust_points(book: Gradebook, student: str, assignment: str, points: float, reason: str) -> Standing | None:
    """Add ``points`` (negative to take away) to ``student``'s ``assignment``, with the reason; returns the
    student's standing after it (None when not graded yet)."""
    if assignment != WHOLE_COURSE:
        _assignment_due(assignment)  # an unknown assignment is one line listing the known ones
    _known(book, student)
    if not reason.strip():
        raise AdjustError('give the reason (--reason "..."): the student sees it in the feedback')
    book.adjust(student, assignment, points, reason.strip())
    return book.standing(student, assignment)


@dataclass(frozen=True)
class DropOutcome:
    exercise: str
    name: str
    before: dict[str, float]      # student -> final points before
    after: dict[str, float]       # student -> final points after


def drop_check(book: Gradebook, assignment: str, check: str, *, remove: bool = False,
               undo: bool = False) -> DropOutcome:
    """Drop (or with ``undo``, restore) the check named ``check`` ("exercise: name", or a name that only one
    exercise has) of ``assignment``, recomputed from the stored results."""
    known = book.check_names(assignment)
    if not known:
        raise AdjustError(f"the gradebook {book.path} has no results for {assignment!r}; grade it first")
    exercise, _, name = check.partition(": ") if ": " in check else ("", "", check)
    matches = [(e, n) for e, n in known if n == name.strip() and (not exercise or e == exercise.strip())]
    if len(matches) != 1:
        near = [f"{e}: {n}" for e, n in known if name.strip().casefold() in n.casefold()][:5]
        what = "matches several checks" if matches else "is not a check of this assignment"
        raise AdjustError(f"{check!r} {what}; name it as 'exercise: check'"
                          + (f", e.g. {near[0]!r}" if near else " (grader export --format gradescope lists them)"))
    exercise, name = matches[0]
    before = {k[0]: s.final_score for k, s in book.standings(assignment).items()}
    if undo:
        if not book.undo_drop(assignment, exercise, name):
            raise AdjustError(f"the check {exercise}: {name} of {assignment} is not dropped; nothing to undo")
    else:
        try:
            book.drop_check(assignment, exercise, name, remove=remove)
        except GradebookError as exc:  # already dropped
            raise AdjustError(str(exc)) from None
    after = {k[0]: s.final_score for k, s in book.standings(assignment).items()}
    return DropOutcome(exercise, name, before, after)
