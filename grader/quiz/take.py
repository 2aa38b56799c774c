"""The interactive quiz session behind `grader quiz take`.

I/O is injected: `run_session` prints to a rich `Console` and reads with a `read(prompt) -> str`
callable (which may raise KeyboardInterrupt or EOFError), so tests can drive it directly.
Progress is saved after every answer; an interrupted session resumes where it stopped.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from rich.console import Console
from rich.markdown import Markdown
from rich.markup import escape

from grader.quiz.model import Question, Quiz
from grader.quiz.parse import parse_number
from grader.quiz.scoring import (
    AnswerError,
    QuestionResult,
    QuizResult,
    answers_document,
    parse_answers,
    read_answers_file,
    score_answer,
    score_quiz,
)

HINT_WORDS = ("?", "hint")

# A student's rating of their own free-text answer, and the share of the points it is worth.
RATINGS = {"g": 1.0, "p": 0.5, "m": 0.0}
RATING_WORDS = {"g": "got it", "p": "partly", "m": "missed it"}
RATING_PROMPT = "How close was yours? [g]ot it / [p]artly / [m]issed it: "


def self_check(quiz: Quiz, answers: dict[str, Any], ratings: dict[str, str]) -> QuizResult:
    """The quiz scored for the student's self-check: a rated free-text answer scores its rating's share
    of the points (no keyword verdict); a reflective one scores for completion."""
    result = score_quiz(quiz, answers)
    for r in result.questions:
        if r.id in ratings and ratings[r.id] in RATINGS:
            r.score = r.max_score * RATINGS[ratings[r.id]]
            r.status = "self-rated"
            r.summary = f"You rated your answer: {RATING_WORDS[ratings[r.id]]}."
    return result


def _ratings(path: Path) -> dict[str, str]:
    try:
        found = read_answers_file(path).get("ratings") or {}
        return {k: v for k, v in found.items() if isinstance(k, str) and v in RATINGS}
    except (AnswerError, AttributeError):
        return {}


def reader(console: Console, stream: Any = None) -> Callable[[str], str]:
    """``read(prompt)`` for ``run_session``: the prompt printed as it is written, never as rich markup
    (``[g]ot it`` would lose its ``[g]``), the answer read from ``stream`` or stdin."""
    return lambda prompt: console.input(prompt, markup=False, emoji=False, stream=stream)


def _rate(console: Console, read: Callable[[str], str], q: Question) -> str:
    console.print(f"[bold]Model answer:[/bold] {escape(q.reference)}")
    while True:
        text = read(RATING_PROMPT).strip().lower()[:1]
        if text in RATINGS:
            return text
        console.print("[red]Please type g, p or m.[/red]")


def shown(path: Path) -> str:
    """A path relative to the current directory when it is below it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def progress_path(quiz: Quiz, root: Path | None = None) -> Path:
    return (root or Path.cwd()) / ".grader" / "quiz-progress" / f"{quiz.id}.json"


def answers_path(quiz: Quiz, root: Path | None = None) -> Path:
    return (root or Path.cwd()) / ".grader" / "answers" / f"{quiz.id}.json"


# --- reading what the student types --------------------------------------------------------------


def _labels(text: str) -> list[str]:
    parts = [p for p in re.split(r"[\s,;]+", text.strip().upper()) if p]
    if len(parts) == 1 and len(parts[0]) > 1 and parts[0].isalpha():
        parts = list(parts[0])  # "CADB" or "AC"
    return parts


def parse_response(question: Question, text: str) -> Any:
    """Turn typed input into an answer (answers-file form); raise ValueError with a one-line reason."""
    q = question
    text = text.strip()
    if not text:
        raise ValueError("Please type an answer (or ? for a hint).")
    span = f"{q.labels[0]}–{q.labels[-1]}" if q.labels else ""
    if q.type == "single":
        if text.upper() not in q.labels:
            raise ValueError(f"Please answer with one letter, {span}.")
        return text.upper()
    if q.type == "truefalse":
        word = text.lower()
        if word in ("t", "true"):
            return True
        if word in ("f", "false"):
            return False
        if word.upper() in q.labels:
            return q.option(word.upper()).text.strip().lower() == "true"
        raise ValueError("Please answer t (true) or f (false).")
    if q.type == "multiple":
        picks = _labels(text)
        bad = [p for p in picks if p not in q.labels]
        if bad:
            raise ValueError(f"There is no option {bad[0]}; pick one or more of {span}, e.g. A,C.")
        return sorted(set(picks))
    if q.type == "ordering":
        order = _labels(text)
        bad = [p for p in order if p not in q.labels]
        if bad:
            raise ValueError(f"There is no item {bad[0]}; list all of {span} in order, e.g. "
                             f"{' '.join(q.labels[::-1])}.")
        if sorted(order) != sorted(q.labels):
            raise ValueError(f"Please list each of {span} exactly once, in order, separated by spaces.")
        return order
    if q.type == "numeric":
        try:
            parse_number(text)
        except ValueError:
            raise ValueError("Please enter a number, such as 0.5, 1/2, -6 or 8.1e1.") from None
        return text
    return text


def _instruction(q: Question) -> str:
    span = f"{q.labels[0]}–{q.labels[-1]}" if q.labels else ""
    hint = ", ? for a hint" if q.hint else ""
    return {
        "single": f"Your answer ({span}{hint}): ",
        "multiple": f"Your answer (one or more of {span}, e.g. A,C{hint}): ",
        "truefalse": f"True or false (t/f{hint}): ",
        "numeric": f"Your answer (a number such as 0.5 or 1/2{hint}): ",
        "ordering": f"Your order (all of {span}, e.g. {' '.join(q.labels[::-1])}{hint}): ",
        "short": f"Your answer{' (? for a hint)' if q.hint else ''}: ",
        "text": f"Your answer (one paragraph, Enter to submit{hint}): ",
    }[q.type]


# --- showing questions and feedback --------------------------------------------------------------


def show_question(console: Console, q: Question, number: int, total: int,
                  so_far: tuple[float, float] | None) -> None:
    """The question; ``so_far`` is None when the quiz's keys are withheld (nothing is scored)."""
    console.print()
    console.rule(f"[bold]Question {number} of {total}[/bold]", align="left")
    worth = f"{q.points:g} point{'s' if q.points != 1 else ''}"
    console.print(f"Score so far: {so_far[0]:g} / {so_far[1]:g}   ·   this question: {worth}" if so_far
                  else f"This question: {worth}", style="dim")
    console.print(Markdown(q.prompt))
    if q.type == "ordering":
        console.print("Put these in the right order:")
    elif q.type == "multiple":
        console.print("Select all that apply:")
    for o in q.options:
        console.print(f"  [bold]{o.label})[/bold] {escape(o.text)}")


def show_result(console: Console, q: Question, r: QuestionResult) -> None:
    if r.status == "complete":
        console.print(f"[green]Complete[/green]  {r.score:g} / {r.max_score:g}: {escape(r.summary)}")
        if q.feedback:
            console.print(Markdown(q.feedback))
        return
    mark = "[cyan]Suggested (needs review)[/cyan]" if r.status == "needs review" else (
        "[green]✔ Correct[/green]" if r.correct else (
            "[yellow]◐ Partly right[/yellow]" if r.score > 0 else "[red]✘ Not right[/red]"))
    console.print(f"{mark}  {r.score:g} / {r.max_score:g}")
    if q.type == "text":
        if r.found:
            console.print(f"Concepts found: {escape(', '.join(r.found))}")
        if r.missed:
            console.print(f"Concepts missed: {escape(', '.join(r.missed))}")
        console.print(f"[bold]Reference answer:[/bold] {escape(q.reference)}")
    elif not r.correct:
        console.print(f"Correct answer: {escape(q.describe_answer())}")
    if q.feedback:
        console.print(Markdown(q.feedback))


def show_summary(console: Console, result: QuizResult) -> None:
    pct = 100 * result.score / result.max_score if result.max_score else 0
    console.print()
    console.rule("[bold]Result[/bold]", align="left")
    console.print(f"[bold]Score: {result.score:g} / {result.max_score:g} ({pct:.0f}%)[/bold]")


def show_answers_file(console: Console, quiz: Quiz, answers: dict[str, Any]) -> QuizResult:
    """Non-interactive: the same per-question feedback for an answers dict, then the total."""
    result = score_quiz(quiz, answers)
    total = len(quiz.questions)
    for i, (q, r) in enumerate(zip(quiz.questions, result.questions), start=1):
        console.print()
        console.rule(f"[bold]Question {i} of {total}[/bold] · {q.id}", align="left")
        if not r.answered:
            console.print(f"[red]Not answered[/red]  0 / {r.max_score:g}. Correct answer: "
                          f"{escape(q.describe_answer())}")
        else:
            show_result(console, q, r)
    show_summary(console, result)
    return result


# --- the session ---------------------------------------------------------------------------------


@dataclass
class SessionOutcome:
    finished: bool
    answers: dict[str, Any]
    result: QuizResult | None = None
    saved_to: Path | None = None  # answers file (finished) or progress file (interrupted)


def load_progress(path: Path, quiz: Quiz) -> tuple[list[str], dict[str, Any]] | str:
    """(question order, answers so far) from a progress file, or why it cannot be used."""
    try:
        data = read_answers_file(path)  # size, numbers and nesting bounded, as for any answers file
    except AnswerError as e:
        return str(e)
    if not isinstance(data, dict):
        return "it is not a progress file (no \"quiz\" and \"answers\" in it)"
    try:
        answers = parse_answers({"quiz": data.get("quiz"), "answers": data.get("answers")}, quiz, path.name)
    except AnswerError as e:
        return str(e)
    order = data.get("order")
    ids = [q.id for q in quiz.questions]
    if not isinstance(order, list) or not all(isinstance(i, str) for i in order) or sorted(order) != sorted(ids):
        order = ids
    return order, answers


def save_progress(path: Path, quiz: Quiz, order: list[str], answers: dict[str, Any],
                  ratings: dict[str, str] | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"quiz": quiz.id, "order": order, "answers": answers,
                                "ratings": ratings or {}}, indent=2) + "\n")


def run_session(
    quiz: Quiz,
    console: Console,
    read: Callable[[str], str],
    progress_file: Path,
    save_to: Path,
    shuffle: bool = False,
    rng: random.Random | None = None,
) -> SessionOutcome:
    """Ask every unanswered question, saving progress after each answer.

    Ctrl-C (KeyboardInterrupt) or end of input stops the session with the progress saved; calling
    again with the same `progress_file` resumes at the first unanswered question.
    """
    resumed = load_progress(progress_file, quiz) if progress_file.exists() else None
    ratings = _ratings(progress_file) if resumed else {}
    console.print(f"[bold]{escape(quiz.title)}[/bold]  ({len(quiz.questions)} questions, "
                  f"{quiz.total_points:g} points)")
    if isinstance(resumed, str):
        kept = progress_file.with_name(progress_file.name + ".unreadable")
        progress_file.replace(kept)
        console.print(f"[yellow]Your saved progress could not be used[/yellow] ({escape(resumed)}); starting "
                      f"again. The old file is kept as {escape(shown(kept))}.")
        resumed = None
    if resumed:
        order, answers = resumed
        nxt = next((i for i, qid in enumerate(order, 1) if qid not in answers), len(order))
        console.print(f"Resuming your saved progress: {len(answers)} of {len(order)} answered; "
                      f"continuing at question {nxt}.")
    else:
        order = [q.id for q in quiz.questions]
        if shuffle:
            (rng or random.Random()).shuffle(order)
        answers = {}
        intro = "\n".join(line for line in quiz.intro.splitlines() if not line.startswith("# "))
        if intro.strip():
            console.print(Markdown(intro.strip()))
        console.print("Type ? for a hint where there is one. Ctrl-C saves your progress; "
                      "run the same command again to resume.", style="dim")
    total = len(order)
    number = 1
    try:
        for number, qid in enumerate(order, start=1):
            if qid in answers:
                continue
            q = quiz.question(qid)
            done = [quiz.question(k) for k in order if k in answers]
            checked = None if quiz.withheld else self_check(quiz, {d.id: answers[d.id] for d in done}, ratings)
            so_far = None if checked is None else (sum(r.score for r in checked.questions if r.id in answers),
                                                   sum(d.points for d in done))
            show_question(console, q, number, total, so_far)
            answer = _ask(console, read, q)
            answers[qid] = answer
            save_progress(progress_file, quiz, order, answers, ratings)
            if quiz.withheld:
                console.print("Answer recorded.", style="dim")
            elif q.type == "text" and q.reflective:
                r = score_answer(q, answer)
                console.print(escape(r.summary))
                if q.feedback:
                    console.print(Markdown(q.feedback))
            elif q.type == "text":
                ratings[qid] = _rate(console, read, q)
                save_progress(progress_file, quiz, order, answers, ratings)
                if q.feedback:
                    console.print(Markdown(q.feedback))
            else:
                show_result(console, q, score_answer(q, answer))
    except (KeyboardInterrupt, EOFError):
        save_progress(progress_file, quiz, order, answers, ratings)
        resume_at = next((i for i, k in enumerate(order, 1) if k not in answers), number)
        console.print()
        console.print(f"[yellow]Progress saved[/yellow] to {shown(progress_file)} ({len(answers)} of {total} "
                      f"answered). Run `grader quiz take {quiz.id}` again to resume at question {resume_at}.")
        return SessionOutcome(False, answers, None, progress_file)
    result = None if quiz.withheld else self_check(quiz, answers, ratings)
    if result is not None:
        show_summary(console, result)
    save_answers(save_to, quiz, answers)
    progress_file.unlink(missing_ok=True)
    if quiz.withheld:
        console.print(f"Your answers are recorded for your instructor to score: saved to {shown(save_to)}")
    else:
        console.print(f"Answers saved to {shown(save_to)}")
    return SessionOutcome(True, answers, result, save_to)


def save_answers(path: Path, quiz: Quiz, answers: dict[str, Any]) -> None:
    """Write the answers file (quizzes/FORMAT.md)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # ASCII only: what the student typed is kept exactly, but no control character reaches the file raw.
    path.write_text(json.dumps(answers_document(quiz, answers), indent=2) + "\n")


def _ask(console: Console, read: Callable[[str], str], q: Question) -> Any:
    while True:
        text = read(_instruction(q))
        if text.strip().lower() in HINT_WORDS:
            console.print(f"[cyan]Hint:[/cyan] {escape(q.hint)}" if q.hint else "There is no hint for this question.")
            continue
        try:
            return parse_response(q, text)
        except ValueError as e:
            console.print(f"[red]{escape(str(e))}[/red]")
