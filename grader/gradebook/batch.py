"""Planning a batch against the gradebook: who each submission belongs to, and what is
already graded.

``plan_batch`` maps each submission to a student (through the roster when there is
one), hashes it, and splits the batch into what must be graded and what is up to date:
the student's current attempt has the same content hash, the same checks hash and the
same seed. Grading only ``to_grade`` and recording each result as it comes is what
makes a batch killed half-way resumable: run again, it grades only what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from grader import __version__
from grader.gradebook.hashing import content_hash
from grader.gradebook.roster import Roster
from grader.gradebook.store import Attempt, Gradebook, NewAttempt
from grader.gradebook.times import SubmittedAt, submission_time
from grader.submission import submission_name


class BatchError(Exception):
    """The batch cannot be planned as given; the message says what to change."""


@dataclass(frozen=True)
class Planned:
    path: Path
    name: str                      # the submission's name (file or folder name without extension)
    student: str
    content_hash: str
    current: Attempt | None        # the up-to-date attempt, when the submission is skipped
    submitted: SubmittedAt | None = None   # when it was handed in, and how that is known


@dataclass
class BatchPlan:
    assignment: str
    checks_hash: str
    seed: int
    to_grade: list[Planned] = field(default_factory=list)
    up_to_date: list[Planned] = field(default_factory=list)
    unmatched: list[Planned] = field(default_factory=list)   # submissions that match nobody on the roster

    def record(self, book: Gradebook, item: Planned, results: dict) -> int:
        """Store one graded submission of this batch (one transaction)."""
        submitted = item.submitted
        return book.record(NewAttempt(item.student, self.assignment, item.path.name, item.content_hash,
                                      self.checks_hash, results, __version__,
                                      submitted.time.isoformat() if submitted else None,
                                      submitted.source if submitted else None))


def _utc(time: datetime) -> str:
    from datetime import timezone

    return time.astimezone(timezone.utc).isoformat(timespec="seconds")


def choose_seed(book: Gradebook, assignment: str, seed: int | None) -> int:
    """The seed given, else the assignment's stored one (a batch run again meets the same hidden
    inputs), else a fresh random one; chosen and stored in one transaction, so batches started
    together on one assignment agree on it."""
    return book.seed_for(assignment, seed)


def plan_batch(book: Gradebook, paths: list[Path], *, assignment: str, checks_hash: str, seed: int,
               regrade: bool = False, roster: Roster | None = None, submitted_at: datetime | None = None,
               times: dict[str, datetime] | None = None) -> BatchPlan:
    """Split ``paths`` into what to grade and what is up to date in ``book``. Without ``roster``,
    the roster the gradebook was last given maps the submissions, if it has one. Each submission's time
    is ``submitted_at``, else its row in ``times`` (by submission name or student id), else its git
    commit's, else its files' (``times.submission_time``); a new time grades it again."""
    if roster is None:
        stored = book.roster()
        roster = Roster(tuple(stored)) if stored else None
    plan = BatchPlan(assignment, checks_hash, seed)
    owners: dict[str, Path] = {}
    for path in paths:
        path = Path(path)
        name = submission_name(path)
        student = roster.match(name) if roster else None
        student_id = student.id if student else name
        if student_id in owners:
            raise BatchError(f"{owners[student_id].name} and {path.name} are both submissions of {student_id}: "
                             "grade one of them")
        owners[student_id] = path
        digest = content_hash(path)
        latest = book.latest(student_id, assignment)
        submitted = submission_time(path, names=(name, student_id), given=submitted_at, times=times)
        fresh = (latest is not None and latest.content_hash == digest and latest.checks_hash == checks_hash
                 and latest.seed == seed and book.submitted_at(latest.id) == _utc(submitted.time))
        item = Planned(path, name, student_id, digest, latest if fresh and not regrade else None, submitted)
        (plan.up_to_date if item.current else plan.to_grade).append(item)
        if roster and student is None:
            plan.unmatched.append(item)
    return plan
