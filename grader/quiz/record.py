"""Recording scored answers files in the gradebook (``grader quiz score --gradebook``).

Who an answers file belongs to comes from what the instructor controls, never from the file's
contents: its file name (``alice.json`` is ``alice``) or, for a file named after the quiz (a student's
``.grader/answers/QUIZ.json`` collected as ``alice/.grader/answers/QUIZ.json`` or ``alice/QUIZ.json``),
its folder's name; matched to the roster as ``grader grade`` matches submissions. An answers file's
``"student"`` field is ignored.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from grader.bounds import QUIZ_NAME_CHARS, QUIZ_SHOWN_CHARS
from grader.gradebook import Gradebook, Roster
from grader.quiz.model import Quiz
from grader.quiz.scoring import AnswerError, QuizResult, load_answers, score_quiz
from grader.safetext import clean


def shown_path(path: Path | str) -> str:
    """A path as a terminal line may show it: capped, no control characters."""
    return clean(str(path), QUIZ_NAME_CHARS, lines=False)


def student_of(path: Path, quiz_id: str) -> str:
    """The name an answers file is filed under: its file name without ``.json`` (alice.json → alice),
    or, when the file is named after the quiz, its folder's (alice/QUIZ.json and
    alice/.grader/answers/QUIZ.json → alice). Raise AnswerError when that name cannot name a student
    (empty, too long, or with control characters)."""
    path = Path(path)
    name = path.stem
    if name == quiz_id:
        folder = path.absolute().parent
        if folder.name == "answers" and folder.parent.name == ".grader":
            folder = folder.parent.parent
        name = folder.name
    if not name.strip() or len(name) > QUIZ_NAME_CHARS or clean(name, QUIZ_NAME_CHARS, lines=False) != name:
        raise AnswerError(f"{shown_path(path)}: its name cannot name a student (empty, longer than "
                          f"{QUIZ_NAME_CHARS} characters, or with control characters); rename it after the student, "
                          "such as alice.json")
    return name


@dataclass
class AnswersPlan:
    """Who each answers file of a run belongs to, and the files refused before scoring."""

    owners: list[tuple[Path, str]] = field(default_factory=list)     # (file, student id), in the order given
    refused: list[tuple[list[Path], str]] = field(default_factory=list)  # (files, one line saying why)
    unmatched: list[str] = field(default_factory=list)               # names on no roster (with a roster)

    @property
    def refused_files(self) -> int:
        return sum(len(files) for files, _ in self.refused)


def plan_answers(quiz: Quiz, paths: list[Path], roster: Roster | None) -> AnswersPlan:
    """Name the student of each answers file (through ``roster`` when there is one). Two or more files of
    one student are all refused, with one line naming them; a file whose name cannot name a student is
    refused; every other file is planned."""
    plan = AnswersPlan()
    by_student: dict[str, list[Path]] = {}
    for path in paths:
        path = Path(path)
        try:
            name = student_of(path, quiz.id)
        except AnswerError as e:
            plan.refused.append(([path], str(e)))
            continue
        match = roster.match(name) if roster else None
        student = match.id if match else name
        if roster and match is None and name not in plan.unmatched:
            plan.unmatched.append(name)
        by_student.setdefault(student, []).append(path)
    for student, files in by_student.items():
        if len(files) == 1:
            plan.owners.append((files[0], student))
        else:
            listed = ", ".join(shown_path(f) for f in files[:-1]) + f" and {shown_path(files[-1])}"
            plan.refused.append((files, f"{listed} are {'both' if len(files) == 2 else 'all'} answers of "
                                        f"{clean(student, QUIZ_NAME_CHARS, lines=False)}: none of them is recorded; "
                                        "keep one and run this again for it"))
    order = {Path(p): i for i, p in enumerate(paths)}
    plan.owners.sort(key=lambda owner: order[owner[0]])
    return plan


def record_answers(book: Gradebook, quiz: Quiz, path: Path, assignment: str | None = None,
                   student: str | None = None) -> tuple[str, QuizResult]:
    """Score one answers file and record it (one transaction) under ``student``; without it, the
    student is named from the file's name (``student_of``) and matched to the gradebook's roster.
    Raises AnswerError for a file that cannot be scored."""
    answers = load_answers(path, quiz)
    result = score_quiz(quiz, answers)
    if student is None:
        name = student_of(path, quiz.id)
        roster = book.roster()
        match = Roster(tuple(roster)).match(name) if roster else None
        student = match.id if match else name
    book.record_quiz(student, quiz.id, answers,
                     [{"id": r.id, "score": r.score, "max_score": r.max_score, "status": r.status}
                      for r in result.questions], assignment)
    return student, result


@dataclass
class RecordOutcome:
    recorded: int = 0
    refused: int = 0           # answers files not recorded (each said why in one line)
    unmatched: list[str] = field(default_factory=list)


def record_batch(book: Gradebook, quiz: Quiz, paths: list[Path], assignment: str | None, roster: Roster | None,
                 say: Callable[[str], None], warn: Callable[[str], None]) -> RecordOutcome:
    """Score and record each answers file (one transaction each), under the student its name gives,
    matched through ``roster`` (else the gradebook's own roster, if it has one). One line per file on
    ``say`` ("alice: 30 / 37"); one line per refused file, or group of files, on ``warn``. A file that
    cannot be scored costs only itself. Every line is cleaned for the terminal."""
    if roster is None:
        stored = book.roster()
        roster = Roster(tuple(stored)) if stored else None
    plan = plan_answers(quiz, paths, roster)
    outcome = RecordOutcome(refused=plan.refused_files, unmatched=plan.unmatched)
    for _, reason in plan.refused:
        warn(f"error: {clean(reason, QUIZ_SHOWN_CHARS, lines=False)}")
    for path, student in plan.owners:
        try:
            student, result = record_answers(book, quiz, path, assignment, student)
        except AnswerError as e:
            reason = f"{e}. See the answers file format in quizzes/FORMAT.md."
            warn(f"error: {clean(reason, QUIZ_SHOWN_CHARS, lines=False)}")
            outcome.refused += 1
            continue
        outcome.recorded += 1
        review = sum(r.status == "needs review" for r in result.questions)
        say(f"{clean(student, QUIZ_NAME_CHARS, lines=False)}: {result.score:g} / {result.max_score:g}"
            + (f" ({review} answer{'s' if review != 1 else ''} need review: grader quiz review {quiz.id})"
               if review else ""))
    return outcome


__all__ = ["AnswerError", "AnswersPlan", "RecordOutcome", "plan_answers", "record_answers", "record_batch",
           "shown_path", "student_of"]
