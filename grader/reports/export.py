"""Exports of the gradebook's current results for other tools to import.

Each format is one function from ``ExportData`` to the files it makes (name -> text),
registered in ``FORMATS``; a new format is one more function and one more entry.

- ``csv``: one row per student (roster students with no submission included, blank), a
  column per exercise, the raw points, the late penalty, the adjustments, the total (final
  points) and the maximum.
- ``canvas``: Canvas's gradebook import: ``Student, ID, SIS User ID, SIS Login ID, Section``,
  then one column titled ``Assignment name (id)`` (an existing Canvas assignment; with no
  Canvas id, a plain title, which Canvas imports as a new assignment), then a
  ``Points Possible`` row.
- ``moodle``: Moodle's CSV grade import: an identity column (``Email address`` when every
  student has one, else ``Username``), a grade column and its feedback column.
- ``gradescope``: one results.json per student, exactly as ``grader grade --out`` writes them (the
  score after the late penalty, adjustments and dropped checks; ``extra_data.standing`` says how).

Text that may come from a submission (its file name becomes a student id without a
roster) is stripped of control characters, and any cell a spreadsheet would run as a
formula is defused with a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from grader.course import Exercise
from grader.gradebook import Attempt, Gradebook, Standing, Student
from grader.grading import exercise_scores


class ExportError(Exception):
    """The export cannot be made; the message says what to do."""


@dataclass(frozen=True)
class ExportRow:
    student: Student
    attempt: Attempt | None                    # None: on the roster, no submission
    scores: dict[str, tuple[float, float]]     # exercise id -> (points, most)
    results: dict | None
    standing: Standing | None = None           # raw points, late penalty, adjustments, final points

    @property
    def final(self) -> float:
        """The points the student gets: after the late penalty and the adjustments, dropped checks applied."""
        return self.standing.final_score if self.standing else self.attempt.score


@dataclass(frozen=True)
class ExportData:
    assignment: str
    exercises: list[Exercise]
    rows: list[ExportRow]                      # graded students first, then the roster's missing ones
    lms_id: str | None = None                  # the assignment's id in the LMS (Canvas), when known

    @property
    def graded(self) -> list[ExportRow]:
        return [r for r in self.rows if r.attempt is not None]

    @property
    def points_possible(self) -> float:
        return max((r.standing.max_score if r.standing else r.attempt.max_score for r in self.graded),
                   default=sum(e.points for e in self.exercises))


def collect(book: Gradebook, assignment: str, exercises: list[Exercise], lms_id: str | None = None) -> ExportData:
    """The current result of every student for ``assignment``, and the roster's students without one."""
    rows = []
    standings = book.standings(assignment)
    for attempt in book.current(assignment):
        results = book.standing_results(attempt.id, standings)
        student = book.student(attempt.student) or Student(attempt.student)
        rows.append(ExportRow(student, attempt, exercise_scores(results, exercises), results,
                              standings.get((attempt.student, assignment))))
    if not rows:
        known = book.assignments()
        raise ExportError(f"the gradebook {book.path} has no results for the assignment {assignment!r}; "
                          + (f"it has {', '.join(map(repr, known))}: pass --assignment" if known else
                             "grade first: grader grade SUBMISSIONS... --assignment " + assignment))
    rows.extend(ExportRow(s, None, {}, None) for s in book.missing(assignment))
    return ExportData(assignment, exercises, rows, lms_id)


# ----------------------------------------------------------------------- cells

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _text(value: str) -> str:
    """A text cell: no control characters, and never something a spreadsheet runs as a formula."""
    value = _CONTROL.sub(" ", str(value)).strip()
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def _number(value: float) -> str:
    """A plain decimal number: a dot, no thousands separator, no exponent."""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerows(rows)
    return out.getvalue()


# ----------------------------------------------------------------------- formats


def to_csv(data: ExportData) -> dict[str, str]:
    header = ["student", "name", "email", "section", *[e.id for e in data.exercises], "raw", "late_penalty",
              "adjustments", "total", "max_score"]
    rows = [header]
    for row in data.rows:
        s = row.student
        if row.attempt is None:
            scores = [""] * (len(data.exercises) + 5)
        else:
            scores = [_number(row.scores.get(e.id, (0.0, 0.0))[0]) for e in data.exercises]
            st = row.standing
            scores += [_number(st.raw_score if st else row.attempt.score), _number(st.penalty if st else 0.0),
                       _number(st.adjustments if st else 0.0), _number(row.final),
                       _number(st.max_score if st else row.attempt.max_score)]
        rows.append([_text(s.id), _text(s.name), _text(s.email), _text(s.section), *scores])
    return {f"{data.assignment}.csv": _csv(rows)}


def canvas_title(assignment: str, lms_id: str | None) -> str:
    """``Name (id)`` matches an existing Canvas assignment; any other title makes a new one."""
    name = _text(assignment)
    if lms_id:
        return f"{name} ({lms_id})"
    # A plain title that ends like "(123)" would be taken for an assignment id: keep it from matching one.
    return re.sub(r"\((\d+)\)$", r"[\1]", name)


def to_canvas(data: ExportData) -> dict[str, str]:
    if data.lms_id is not None and not re.fullmatch(r"\d+", data.lms_id):
        raise ExportError(f"the Canvas assignment id {data.lms_id!r} is not a number: copy it from the "
                          "assignment's address (…/assignments/ID)")
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", canvas_title(data.assignment, data.lms_id)],
            ["Points Possible", "", "", "", "", _number(data.points_possible)]]
    for row in data.graded:
        s = row.student
        rows.append([_text(s.name or s.id), "", _text(s.id), _text(s.email or s.id), _text(s.section),
                     _number(row.final)])
    return {f"{data.assignment}-canvas.csv": _csv(rows)}


def _feedback(row: ExportRow, exercises: list[Exercise]) -> str:
    """One line: points per exercise and the names of the failed checks (never their inputs)."""
    parts = []
    for exercise in exercises:
        got, most = row.scores.get(exercise.id, (0.0, 0.0))
        failed = [t["name"].split(": ", 1)[-1] for t in (row.results or {}).get("tests", [])
                  if t["tags"][0] == exercise.id and t["status"] != "passed"]
        part = f"{exercise.id} {_number(got)}/{_number(most)}"
        if failed:
            part += " (failed: " + ", ".join(failed[:5]) + (", …" if len(failed) > 5 else "") + ")"
        parts.append(part)
    st = row.standing
    if st and (st.penalty or st.adjustments):
        parts.append(f"raw {_number(st.raw_score)}/{_number(st.max_score)}")
        if st.days_late > 0:
            parts.append(f"late {st.days_late} day{'s' if st.days_late != 1 else ''}: -{_number(st.penalty)}")
        for adjustment in ((row.results or {}).get("extra_data", {}).get("standing", {}).get("adjustment_list", [])):
            parts.append(f"adjusted {adjustment['points']:+g} ({adjustment['reason']})")
        parts.append(f"total {_number(st.final_score)}/{_number(st.max_score)}")
    return _text("; ".join(parts))


def to_moodle(data: ExportData) -> dict[str, str]:
    graded = data.graded
    by_email = all(r.student.email for r in graded)
    name = _text(data.assignment)
    rows = [["Email address" if by_email else "Username", name, f"{name} (Feedback)"]]
    for row in graded:
        # Moodle compares e-mail addresses case-sensitively: keep them exactly as on the roster.
        identity = row.student.email if by_email else row.student.id
        rows.append([_text(identity), _number(row.final), _feedback(row, data.exercises)])
    return {f"{data.assignment}-moodle.csv": _csv(rows)}


def to_gradescope(data: ExportData) -> dict[str, str]:
    files = {}
    for row in data.graded:
        safe = re.sub(r"[^\w.-]", "_", row.student.id).lstrip(".") or "student"
        name, n = f"{safe}.json", 1
        while name in files:  # two ids that differ only in characters a file name cannot hold
            n += 1
            name = f"{safe}-{n}.json"
        files[name] = json.dumps(row.results, indent=2)
    return files


@dataclass(frozen=True)
class ExportFormat:
    render: Callable[[ExportData], dict[str, str]]
    single_file: bool           # one file (--out FILE, or standard output) or a folder of files (--out DIR)


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(to_csv, True),
    "canvas": ExportFormat(to_canvas, True),
    "moodle": ExportFormat(to_moodle, True),
    "gradescope": ExportFormat(to_gradescope, False),
}


def write_export(files: dict[str, str], out: Path, single_file: bool) -> list[Path]:
    """Write one format's files: to the file ``out``, or into the folder ``out``."""
    try:
        if single_file:
            out.parent.mkdir(parents=True, exist_ok=True)
            (text,) = files.values()
            out.write_text(text, encoding="utf-8", newline="")
            return [out]
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
            written.append(out / name)
        return written
    except OSError as exc:
        raise ExportError(f"cannot write {exc.filename or out}: {exc.strerror}; choose another --out") from None
