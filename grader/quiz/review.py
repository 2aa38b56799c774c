"""`grader quiz review`: the instructor settles the free-text answers whose rubric score is only a
suggestion ("needs review"). I/O is injected (``read(prompt) -> str`` and ``write(text)``), so tests
drive the loop with scripted input."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from grader.gradebook import Gradebook
from grader.safetext import clean
from grader.quiz.model import Quiz
from grader.quiz.scoring import score_answer


@dataclass
class ReviewOutcome:
    reviewed: int = 0
    skipped: int = 0
    stopped: bool = False
    interrupted: bool = False  # Ctrl-C or end of input: the decisions made so far are recorded


def review_answers(book: Gradebook, quiz: Quiz, read: Callable[[str], str], write: Callable[[str], None]) -> ReviewOutcome:
    """Go through every answer needing review: Enter accepts the suggested points, a number sets
    them, ``s`` skips, ``q`` stops. Each decision is recorded at once (status "reviewed")."""
    outcome = ReviewOutcome()
    for attempt in book.needing_review(quiz.id):
        attempt_id = attempt.id
        for q in attempt.questions:
            if q["status"] != "needs review":
                continue
            try:
                question = quiz.question(q["id"])
            except KeyError:
                continue  # the question left the quiz since it was scored
            answer = attempt.answers.get(q["id"])
            suggestion = score_answer(question, answer)
            # The student's name and answer are theirs: capped, control characters gone.
            write(f"\n{clean(attempt.student, 80, lines=False)} · {question.id} ({question.points:g} points)\n"
                  f"{question.prompt}\n"
                  f"Reference answer: {question.reference}\n"
                  f"Rubric found: {', '.join(suggestion.found) or 'nothing'}"
                  f"{'; missed: ' + ', '.join(suggestion.missed) if suggestion.missed else ''}\n"
                  f"Student's answer: {clean(str(answer), 4000)}\nSuggested: {q['score']:g} of {q['max_score']:g}")
            while True:
                try:
                    text = read(f"Points (Enter accepts {q['score']:g}, s skips, q stops): ").strip().lower()
                except (KeyboardInterrupt, EOFError):
                    outcome.stopped = outcome.interrupted = True
                    return outcome
                if text == "q":
                    outcome.stopped = True
                    return outcome
                if text == "s":
                    outcome.skipped += 1
                    break
                try:
                    points = float(text) if text else float(q["score"])
                except ValueError:
                    write(f"Type a number from 0 to {q['max_score']:g}, Enter, s or q.")
                    continue
                if not 0 <= points <= q["max_score"]:
                    write(f"Type a number from 0 to {q['max_score']:g}.")
                    continue
                attempt_id = book.review(attempt_id, q["id"], points)
                outcome.reviewed += 1
                break
    return outcome
