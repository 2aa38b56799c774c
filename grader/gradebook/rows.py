"""The gradebook's rows as plain data: students, attempts, checks, standings, quiz attempts and
the instructor's adjustments. ``Gradebook`` (``store.py``) reads and writes them."""

from __future__ import annotations

from dataclasses import dataclass

QUIZ_STATUSES = ("scored", "needs review", "reviewed", "complete")


@dataclass(frozen=True)
class QuizAttempt:
    """One scored answers file: every question's answer and result (id, score, max_score, status)."""

    id: int
    student: str
    quiz: str
    assignment: str          # what the result is filed under (--assignment; the quiz id by default)
    answers: dict
    questions: list
    score: float
    max_score: float
    status: str
    scored_at: str


class GradebookError(Exception):
    """The gradebook cannot be opened or used; the message says what to do."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    on_roster: bool = False
    # Identities in the LMS the roster came from, as (key, value) pairs: ("lms", "canvas"|"moodle"),
    # ("canvas_id", …), ("sis_user_id", …), ("sis_login_id", …), ("username", …), ("idnumber", …).
    identities: tuple[tuple[str, str], ...] = ()

    def identity(self, key: str) -> str:
        """The roster's value of ``key`` (see ``identities``), or ""."""
        return dict(self.identities).get(key, "")


@dataclass(frozen=True)
class Attempt:
    """One graded submission of one student for one assignment."""

    id: int
    student: str
    assignment: str
    submission: str          # the file or folder name that was graded
    content_hash: str
    checks_hash: str
    score: float
    max_score: float
    seed: int | None
    grader_version: str
    graded_at: str           # ISO 8601, UTC
    execution_time: float | None


@dataclass(frozen=True)
class CheckRow:
    name: str
    exercise: str
    score: float
    max_score: float
    status: str              # "passed" or "failed"
    output: str
    hidden: bool


@dataclass(frozen=True)
class Standing:
    """A student's current result for an assignment, as the view ``current_results`` computes it: the
    checks' points with dropped checks applied (raw), the late penalty, the adjustments and the final points."""

    student: str
    assignment: str
    attempt: int
    submission: str
    submitted_at: str | None
    submitted_source: str | None
    deadline: str | None       # the assignment's due date, or the student's extension
    days_late: int
    penalty_percent: float
    raw_score: float
    penalty: float             # points
    adjustments: float         # points, summed
    final_score: float
    max_score: float
    graded_at: str

    def as_dict(self) -> dict:
        return dict(vars(self))


@dataclass(frozen=True)
class Adjustment:
    id: int
    student: str
    assignment: str
    points: float
    reason: str
    made_at: str


@dataclass(frozen=True)
class DroppedCheck:
    id: int
    assignment: str
    exercise: str
    name: str
    mode: str                  # "give": everyone gets its points; "remove": it leaves the total
    dropped_at: str
    undone_at: str | None


EXERCISE_STATUSES = ("passed", "failed", "not attempted", "not graded")


@dataclass(frozen=True)
class NewAttempt:
    """What ``Gradebook.record`` stores: who, what was graded, and its results.json."""

    student: str
    assignment: str
    submission: str
    content_hash: str
    checks_hash: str
    results: dict
    grader_version: str
    submitted_at: str | None = None       # when it was handed in (ISO 8601 with an offset), if known
    submitted_source: str | None = None   # how that is known: "given", "times file", "git commit", "file time"
