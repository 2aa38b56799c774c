"""`grader status`: which exercises pass (their last recorded check) and how the quizzes stand.

Exercises: from ``.grader/checks.json`` (written by ``grader check`` and ``grader watch``); a file
edited since its check is flagged. Quizzes: progress from ``.grader/quiz-progress/QUIZ.json``
(an interrupted ``grader quiz take``), the finished attempt from ``.grader/answers/QUIZ.json``, and
the best score from ``.grader/quizzes.json``, all in the course folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from rich.console import Group
from rich.table import Table
from rich.text import Text

from grader.course import Exercise, in_course_order, select
from grader.quiz.model import Quiz
from grader.quiz.scoring import AnswerError, load_answers, score_quiz
from grader.quiz.take import answers_path, load_progress, progress_path
from grader.student.state import ExerciseRecord, QuizRecord, State, file_digest


@dataclass(frozen=True)
class ExerciseStatus:
    exercise: Exercise
    record: ExerciseRecord | None
    edited: bool                    # the file changed since that check

    @property
    def passed(self) -> bool:
        return self.record is not None and self.record.passed


@dataclass(frozen=True)
class QuizStatus:
    quiz: Quiz
    answered: int                   # questions answered in an unfinished attempt
    last: float | None              # score of the last finished attempt (its answers file)
    best: float | None              # best score so far (recorded, or the last attempt if higher)
    attempts: int
    course: Path

    @property
    def started(self) -> bool:
        return self.answered > 0 or self.last is not None or self.best is not None


def exercise_status(course: Path, exercises: list[Exercise], state: State) -> list[ExerciseStatus]:
    """Each exercise's last result of the student's own work (exercises/ or a notebook; a file
    checked by name does not count), in the order of the course."""
    records = {k: r for k, r in state.exercises().items() if r.own}
    rows = []
    for exercise in in_course_order(exercises):
        record = records.get(exercise.id)
        edited = record is not None and record.digest != file_digest(state.checked_file(exercise, record.source))
        rows.append(ExerciseStatus(exercise, record, edited))
    return rows


def hint_exercise(exercises: list[Exercise], name: str | None, course: Path | None,
                  state: State | None) -> Exercise | None:
    """The exercise `grader hint` gives the hint of: the one named (an unknown name is a CourseError
    that suggests a close one), else the current one (``current_exercise``; None when all pass)."""
    if name is not None:
        (chosen,) = select(exercises, (name,))
        return chosen
    assert course is not None and state is not None
    return current_exercise(course, exercises, state)


def current_exercise(course: Path, exercises: list[Exercise], state: State) -> Exercise | None:
    """The exercise the student is on: the first, in the order of the course, whose last check of
    their own work did not pass (or that was never checked); None when every one passes."""
    for row in exercise_status(course, exercises, state):
        if not row.passed:
            return row.exercise
    return None


def quiz_status(course: Path, quizzes: list[Quiz], state: State) -> list[QuizStatus]:
    records: dict[str, QuizRecord] = state.quizzes()
    rows = []
    for quiz in quizzes:
        progress = progress_path(quiz, course)
        resumed = load_progress(progress, quiz) if progress.exists() else None
        answered = len(resumed[1]) if resumed else 0
        last = None
        answers = answers_path(quiz, course)
        if answers.exists() and not quiz.withheld:  # withheld keys: the instructor scores it
            try:
                last = score_quiz(quiz, load_answers(answers, quiz)).score
            except AnswerError as exc:
                state.problems.append(f"{exc}; ignoring it")
        record = records.get(quiz.id)
        if record is not None and record.max_score != quiz.total_points:
            record = None               # the quiz changed since: its old best does not compare
        best = max([s for s in (record.best if record else None, last) if s is not None], default=None)
        rows.append(QuizStatus(quiz, answered, last, best, record.attempts if record else int(last is not None),
                               course))
    return rows


def _local(iso: str) -> str:
    """'2026-12-01 21:32' in local time."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso[:40]


def _points(got: float, most: float) -> Text:
    style = "green" if got == most else ("red" if got == 0 else "yellow")
    return Text(f"{got:g}/{most:g}", style=style)


def exercise_table(rows: list[ExerciseStatus]) -> Table:
    table = Table(title="Exercises (last check)", header_style="bold", title_justify="left")
    table.add_column("", min_width=1, no_wrap=True)
    table.add_column("exercise", no_wrap=True)
    table.add_column("points", justify="right", min_width=6, no_wrap=True)
    table.add_column("file")
    table.add_column("checked")
    for row in rows:
        record = row.record
        if record is None:
            table.add_row(Text("·", style="dim"), row.exercise.id, Text("–", style="dim"),
                          f"exercises/{row.exercise.path}", Text("not checked yet", style="dim"))
            continue
        mark = Text("✓", style="green") if row.passed else Text("✗", style="red")
        when = _local(record.checked)
        if row.edited:
            when = Text.assemble(when, (" · edited since", "yellow"))
        where = f"exercises/{row.exercise.path}" if record.source == "exercises" else record.source
        table.add_row(mark, row.exercise.id, _points(record.score, record.max_score), where, when)
    return table


def quiz_table(rows: list[QuizStatus]) -> Table:
    table = Table(title="Quizzes", header_style="bold", title_justify="left")
    for column in ("quiz", "progress", "last", "best", "attempts"):
        table.add_column(column, justify="left" if column in ("quiz", "progress") else "right")
    for row in rows:
        most = row.quiz.total_points
        total = len(row.quiz.questions)
        if row.answered:
            progress = Text(f"{row.answered}/{total} answered, unfinished", style="yellow")
        elif row.last is not None:
            progress = Text("finished", style="green")
        elif row.quiz.withheld and answers_path(row.quiz, row.course).exists():
            progress = Text("answers recorded for your instructor", style="green")
        else:
            progress = Text("not started", style="dim")
        table.add_row(row.quiz.id, progress,
                      _points(row.last, most) if row.last is not None else Text("–", style="dim"),
                      _points(row.best, most) if row.best is not None else Text("–", style="dim"),
                      str(row.attempts))
    return table


def summary_line(exercises: list[ExerciseStatus], quizzes: list[QuizStatus]) -> str:
    done = sum(row.passed for row in exercises)
    finished = sum(row.last is not None or row.best is not None for row in quizzes)
    return (f"{done}/{len(exercises)} exercises pass · {finished}/{len(quizzes)} quizzes done. "
            "`grader watch` checks an exercise on every save; `grader quiz take QUIZ` takes a quiz.")


def status_view(exercises: list[ExerciseStatus], quizzes: list[QuizStatus]) -> Group:
    parts = [exercise_table(exercises)]
    if quizzes:
        parts.append(quiz_table(quizzes))
    parts.append(Text(summary_line(exercises, quizzes)))
    return Group(*parts)
