"""`grader quiz review`: the instructor settles the free-text answers whose rubric score is only a
suggestion ("needs review"), all of them or one question at a time, one by one or in bulk, with a
comment kept with the decision. I/O is injected (``read(prompt) -> str`` and ``write(text)``), so tests
drive the loop with scripted input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from grader.gradebook import Gradebook, GradebookError, QuizAttempt
from grader.safetext import clean
from grader.quiz.model import Quiz
from grader.quiz.scoring import score_answer


@dataclass
class ReviewOutcome:
    reviewed: int = 0
    skipped: int = 0
    stopped: bool = False
    interrupted: bool = False  # Ctrl-C or end of input: the decisions made so far are recorded


def question_id(quiz: Quiz, ref: str) -> str:
    """The id of the question ``ref`` names: its id, or its number in the quiz (1 is the first)."""
    ids = [q.id for q in quiz.questions]
    if ref in ids:
        return ref
    if ref.isdigit() and 1 <= int(ref) <= len(ids):
        return ids[int(ref) - 1]
    raise LookupError(f"{quiz.id} has no question {clean(ref, 40, lines=False)!r}: give its id or a number "
                      f"from 1 to {len(ids)} (`grader quiz export {quiz.id}` lists them)")


def settle(book: Gradebook, attempt: QuizAttempt, qid: str, points: float, comment: str = "") -> QuizAttempt:
    """Record the instructor's points (and comment) for one answer: a new result, history kept, the
    question "reviewed". Returns the new current result."""
    questions = [dict(q) for q in attempt.questions]
    target = next(q for q in questions if q["id"] == qid)
    if not 0 <= points <= target["max_score"]:
        raise GradebookError(f"give between 0 and {target['max_score']:g} points for {qid!r}")
    target.update(score=float(points), status="reviewed")
    if comment:
        target["comment"] = comment
    new_id = book.record_quiz(attempt.student, attempt.quiz, attempt.answers, questions, attempt.assignment)
    return replace(attempt, id=new_id, questions=questions)


def review_answers(book: Gradebook, quiz: Quiz, read: Callable[[str], str], write: Callable[[str], None],
                   question: str | None = None, accept_all: bool = False, comment: str = "") -> ReviewOutcome:
    """Go through every answer needing review (of ``question`` only, when given): Enter accepts the
    suggested points, a number sets them, ``a`` accepts the suggestion for this and every answer left,
    ``s`` skips, ``q`` stops; ``# text`` after any of these (or alone) adds a comment. Each decision is
    recorded at once (status "reviewed"). ``accept_all`` accepts every suggestion without asking, with
    ``comment``."""
    outcome = ReviewOutcome()
    bulk = accept_all
    for attempt in book.needing_review(quiz.id):
        for q in list(attempt.questions):
            if q["status"] != "needs review" or (question is not None and q["id"] != question):
                continue
            try:
                item = quiz.question(q["id"])
            except KeyError:
                continue  # the question left the quiz since it was scored
            if bulk:
                attempt = settle(book, attempt, q["id"], float(q["score"]), comment)
                outcome.reviewed += 1
                continue
            answer = attempt.answers.get(q["id"])
            suggestion = score_answer(item, answer)
            # The student's name and answer are theirs: capped, control characters gone.
            write(f"\n{clean(attempt.student, 80, lines=False)} · {item.id} ({item.points:g} points)\n"
                  f"{item.prompt}\n"
                  f"Reference answer: {item.reference}\n"
                  f"Rubric found: {', '.join(suggestion.found) or 'nothing'}"
                  f"{'; missed: ' + ', '.join(suggestion.missed) if suggestion.missed else ''}\n"
                  f"Student's answer: {clean(str(answer), 4000)}\nSuggested: {q['score']:g} of {q['max_score']:g}")
            while True:
                try:
                    text = read(f"Points (Enter accepts {q['score']:g}, a accepts all left, s skips, q stops; "
                                "# adds a comment): ").strip()
                except (KeyboardInterrupt, EOFError):
                    outcome.stopped = outcome.interrupted = True
                    return outcome
                text, _, note = text.partition("#")
                text, note = text.strip().lower(), note.strip()
                if text == "q":
                    outcome.stopped = True
                    return outcome
                if text == "s":
                    outcome.skipped += 1
                    break
                if text == "a":
                    bulk, comment = True, note or comment
                    attempt = settle(book, attempt, q["id"], float(q["score"]), comment)
                    outcome.reviewed += 1
                    break
                try:
                    points = float(text) if text else float(q["score"])
                except ValueError:
                    write(f"Type a number from 0 to {q['max_score']:g}, Enter, a, s or q (then # and a comment).")
                    continue
                if not 0 <= points <= q["max_score"]:
                    write(f"Type a number from 0 to {q['max_score']:g}.")
                    continue
                attempt = settle(book, attempt, q["id"], points, note)
                outcome.reviewed += 1
                break
    return outcome
