"""What the reports read: one ``GradedRecord`` per student, from a folder of results files.

A record holds the Gradescope-style results dict that ``grading.Grader.grade`` returns.
The reports only ever see records, so where they come from (a ``grader grade --out DIR``
folder today, the gradebook later) is this module's business alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class ReportError(Exception):
    """The reports' input is not usable; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class GradedRecord:
    student: str
    results: dict      # Gradescope's results.json form, as grading.build_results writes it
    seconds: float     # time the grading of this submission took
    name: str = ""     # the roster's name ("" when there is no roster or the student is not on it)
    section: str = ""  # the roster's section
    assignment: str = ""
    # The gradebook's standing of this result when it keeps one (deadline, days_late, penalty_percent,
    # penalty, final_score, ...: ``Gradebook.standings``); None when it does not.
    standing: dict | None = None

    @property
    def shown_name(self) -> str:
        """The roster's name when known, else the id the gradebook files the student under."""
        return self.name or self.student


def _valid(results: object) -> bool:
    if not isinstance(results, dict) or not isinstance(results.get("tests"), list):
        return False
    for test in results["tests"]:
        if not isinstance(test, dict) or not isinstance(test.get("name"), str):
            return False
        if not isinstance(test.get("tags"), list) or not test["tags"] or not isinstance(test["tags"][0], str):
            return False
        if not all(isinstance(test.get(k), (int, float)) for k in ("score", "max_score")):
            return False
    return all(isinstance(results.get(k), (int, float)) for k in ("score", "max_score"))


def record_from_results(student: str, results: dict) -> GradedRecord:
    """A record from one results dict; a malformed dict is a ``ReportError``."""
    if not _valid(results):
        raise ReportError(f"the results of {student!r} are not in the form `grader grade` writes "
                          "(score, max_score, tests with name, tags, score and max_score); grade it again")
    seconds = results.get("execution_time", 0.0)
    return GradedRecord(student, results, float(seconds) if isinstance(seconds, (int, float)) else 0.0)


def records_from_results_dir(path: Path) -> list[GradedRecord]:
    """One record per ``<student>.json`` in ``path`` (as ``grader grade --out DIR`` writes them), by name."""
    path = Path(path)
    if not path.is_dir():
        raise ReportError(f"{path} is not a folder of results; make one with `grader grade SUBMISSIONS --out {path}`")
    records = []
    for file in sorted(path.glob("*.json")):
        try:
            results = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ReportError(f"{file} is not a readable results file ({type(exc).__name__}); "
                              "grade that submission again or remove the file") from None
        records.append(record_from_results(file.stem, results))
    if not records:
        raise ReportError(f"{path} holds no results (*.json); make them with `grader grade SUBMISSIONS --out {path}`")
    return records


def records_from_gradebook(path: Path, assignment: str = "default") -> list[GradedRecord]:
    """The current attempt of each student for ``assignment`` in the gradebook at ``path``, as it stands
    (late penalty, adjustments and dropped checks applied: ``Gradebook.standing_results``)."""
    from grader.gradebook import Gradebook, GradebookError

    if not Path(path).is_file():
        raise ReportError(f"there is no gradebook at {path}: grade first (grader grade SUBMISSIONS...), "
                          "or pass --gradebook PATH or --results DIR")
    try:
        book = Gradebook(Path(path), read_only=True)
        try:
            attempts = book.current(assignment)
            if not attempts:
                known = ", ".join(book.assignments()) or "none"
                raise ReportError(f"the gradebook {path} has no results for assignment {assignment!r} "
                                  f"(its assignments: {known}); pass --assignment NAME")
            standings = book.standings(assignment)
            by_student = {student: entry.as_dict() for (student, _), entry in standings.items()}
            return [GradedRecord(a.student, book.standing_results(a.id, standings), float(a.execution_time or 0.0),
                                 *_roster_entry(book, a.student), assignment, by_student.get(a.student))
                    for a in attempts]
        finally:
            book.close()
    except GradebookError as exc:
        raise ReportError(str(exc)) from None


def _roster_entry(book, student: str) -> tuple[str, str]:
    found = book.student(student)
    return (found.name, found.section) if found is not None else ("", "")


def load_records(results_dir: Path | None, gradebook: Path, assignment: str = "default") -> list[GradedRecord]:
    """The records the commands report on: the one place that knows where they come from —
    a ``grade --out`` folder when given, else the gradebook."""
    if results_dir is not None:
        return records_from_results_dir(results_dir)
    return records_from_gradebook(gradebook, assignment)


def load_quiz_stats(path: Path):
    """A quiz's statistics from the JSON that `grader quiz stats QUIZ ANSWERS --json` prints."""
    from grader.quiz.stats import QuestionStats, QuizStats

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        questions = [QuestionStats(**q) for q in data.pop("questions")]
        return QuizStats(**data, questions=questions)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, AttributeError):
        raise ReportError(f"{path} is not quiz statistics; make it with "
                          "`grader quiz stats QUIZ ANSWERS... --json > FILE`") from None
