"""Recording scored answers files in the gradebook (``grader quiz score --gradebook``)."""

from __future__ import annotations

import json
from pathlib import Path

from grader.gradebook import Gradebook, Roster
from grader.quiz.model import Quiz
from grader.quiz.scoring import AnswerError, QuizResult, load_answers, score_quiz


def student_of(path: Path) -> str:
    """The student an answers file belongs to: its `student` field, else its file name (alice.json → alice)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if isinstance(data, dict) and isinstance(data.get("student"), str) and data["student"].strip():
        return data["student"].strip()
    return Path(path).stem


def record_answers(book: Gradebook, quiz: Quiz, path: Path, assignment: str | None = None) -> tuple[str, QuizResult]:
    """Score one answers file and record it (one transaction); the student is matched to the roster
    like submissions are. Raises AnswerError for a file that cannot be scored."""
    answers = load_answers(path, quiz)
    result = score_quiz(quiz, answers)
    name = student_of(path)
    roster = book.roster()
    match = Roster(tuple(roster)).match(name) if roster else None
    student = match.id if match else name
    book.record_quiz(student, quiz.id, answers,
                     [{"id": r.id, "score": r.score, "max_score": r.max_score, "status": r.status}
                      for r in result.questions], assignment)
    return student, result


__all__ = ["AnswerError", "record_answers", "student_of"]
