"""Exports of the gradebook's current results for other tools to import.

Each format is one function from ``ExportData`` to the files it makes (name -> text),
registered in ``FORMATS``; a new format is one more function and one more entry.

- ``csv``: one row per student (roster students with no submission included, blank), a
  column per exercise, the raw points, the late penalty, the adjustments, the total (final
  points) and the maximum.
- ``course``: the whole course, one row per student, a column per assignment (until the course
  defines assignments, the exercises grouped by their folder of ``exercises/``) and per quiz
  (``grader quiz score --gradebook``), then a ``Points Possible`` row's maxima, the total.
- ``canvas``: Canvas's gradebook import: ``Student`` ("Last, First"), ``ID``, ``SIS User ID``,
  ``SIS Login ID``, ``Section`` (as Canvas listed them when the roster is Canvas's export),
  then one column titled ``Assignment name (id)`` (an existing Canvas assignment; with no
  Canvas id, a plain title, which Canvas imports as a new assignment), then a
  ``Points Possible`` row. Roster students with no submission get 0, EX or no row
  (``ExportOptions.missing``).
- ``moodle``: Moodle's CSV grade import: the identity column the instructor chose
  (``Email address``, ``Username`` or ``ID number``; never switched), a grade column scaled
  to the grade item's maximum, and its feedback column. Moodle stops the whole import at the
  first user it does not know, so a student it could not know is left out with a note.
- ``gradescope``: one results.json per student, exactly as ``grader grade --out`` writes them (the
  score after the late penalty, adjustments and dropped checks; ``extra_data.standing`` says how).

In the LMS files, a graded submission that is not on the roster is left out, with a note
(``notes``): the LMS would reject it, or worse, stop the import.

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
from grader.gradebook import Attempt, Gradebook, Standing, Student, exercise_outcomes
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


MOODLE_IDS = {"email": "Email address", "username": "Username", "idnumber": "ID number"}
MISSING = ("blank", "0", "EX")


@dataclass(frozen=True)
class ExportOptions:
    """How an LMS file is made. ``points`` is the assignment's points when the course defines them
    (its ``[[assignment]]`` table); ``scale``, when given, wins: grades are out of it."""

    moodle_id: str = "email"                   # the Moodle identity column: a key of MOODLE_IDS
    scale: float | None = None                 # the grade item's maximum (--scale)
    points: float | None = None                # the assignment's points, when the course says
    missing: str = "blank"                     # Canvas: a roster student with no submission gets 0, EX or no row


@dataclass(frozen=True)
class ExportData:
    assignment: str
    exercises: list[Exercise]
    rows: list[ExportRow]                      # graded students first, then the roster's missing ones
    lms_id: str | None = None                  # the assignment's id in the LMS (Canvas), when known
    options: ExportOptions = ExportOptions()
    has_roster: bool = False                   # the gradebook was given a roster

    @property
    def graded(self) -> list[ExportRow]:
        return [r for r in self.rows if r.attempt is not None]

    @property
    def points_possible(self) -> float:
        return max((r.standing.max_score if r.standing else r.attempt.max_score for r in self.graded),
                   default=sum(e.points for e in self.exercises))

    @property
    def out_of(self) -> float:
        """What a grade is out of in an LMS file: --scale, else the assignment's points, else the points possible."""
        return self.options.scale or self.options.points or self.points_possible

    def grade(self, row: ExportRow) -> float:
        """The row's final points (after the late penalty and adjustments) scaled to ``out_of``
        (unchanged when nothing asks for scaling)."""
        most = row.standing.max_score if row.standing else row.attempt.max_score
        if not (self.options.scale or self.options.points):
            return row.final
        return row.final / most * self.out_of if most else 0.0


def collect(book: Gradebook, assignment: str, exercises: list[Exercise], lms_id: str | None = None,
            options: ExportOptions | None = None) -> ExportData:
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
    options = options or ExportOptions()
    if options.moodle_id not in MOODLE_IDS:
        raise ExportError(f"--id {options.moodle_id!r}: choose one of {', '.join(MOODLE_IDS)}")
    if options.missing not in MISSING:
        raise ExportError(f"--missing {options.missing!r}: choose one of {', '.join(MISSING)}")
    if options.scale is not None and not options.scale > 0:
        raise ExportError(f"--scale {options.scale:g}: give the grade item's maximum, a number above 0")
    return ExportData(assignment, exercises, rows, lms_id, options, bool(book.roster()))


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


def last_first(name: str) -> str:
    """Canvas's sortable name: "Last, First" (the last word is taken as the last name), unchanged when
    it already has a comma or is one word."""
    words = name.split()
    if "," in name or len(words) < 2:
        return name.strip()
    return f"{words[-1]}, {' '.join(words[:-1])}"


def _known(data: ExportData, row: ExportRow) -> bool:
    """An LMS knows only the roster's students: with a roster, a submission off it is left out."""
    return row.student.on_roster or not data.has_roster


def _canvas_cells(student: Student) -> list[str]:
    """Student, ID, SIS User ID, SIS Login ID, Section: as Canvas listed them, else from roster.csv."""
    if student.identity("lms") == "canvas":
        cells = [student.name, student.identity("canvas_id"), student.identity("sis_user_id"),
                 student.identity("sis_login_id"), student.section]
    else:
        cells = [last_first(student.name) or student.id, "", student.id, student.email or student.id, student.section]
    return [_text(c) for c in cells]


def _moodle_identity(student: Student, key: str) -> str:
    """The value Moodle maps the student by: the e-mail address, or the username or ID number (the roster's
    id, unless the roster is Moodle's own export, whose fields are taken as they are)."""
    if key == "email":
        return student.email
    return student.identity(key) if student.identity("lms") == "moodle" else student.id


def notes(data: ExportData, fmt: str) -> list[str]:
    """What an export left out, one line each (printed by ``grader export``)."""
    lines = []
    if fmt in ("canvas", "moodle"):
        off = [r.student.id for r in data.graded if not _known(data, r)]
        if off:
            lines.append(f"Left out, not on the roster ({fmt} would reject them): {', '.join(off)}")
    if fmt == "moodle":
        column = MOODLE_IDS[data.options.moodle_id]
        blank = [r.student.id for r in data.graded if _known(data, r)
                 and not _moodle_identity(r.student, data.options.moodle_id)]
        if blank:
            lines.append(f"Left out, no {column.lower()} on the roster: {', '.join(blank)} (fill it in, or choose "
                         "another --id)")
    missing = [r.student.id for r in data.rows if r.attempt is None]
    if missing and fmt != "csv" and not (fmt == "canvas" and data.options.missing != "blank"):
        lines.append(f"Not exported, no submission: {', '.join(missing)}")
    return lines


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
            ["Points Possible", "", "", "", "", _number(data.out_of)]]
    for row in data.graded:
        if _known(data, row):
            rows.append([*_canvas_cells(row.student), _number(data.grade(row))])
    if data.options.missing != "blank":
        rows.extend([*_canvas_cells(row.student), data.options.missing] for row in data.rows if row.attempt is None)
    return {f"{data.assignment}-canvas.csv": _csv(rows)}


def _feedback(row: ExportRow, exercises: list[Exercise]) -> str:
    """One line: points per exercise and the names of the failed checks (never their inputs)."""
    parts = []
    outcomes = exercise_outcomes(row.results or {})
    for exercise in exercises:
        got, most = row.scores.get(exercise.id, (0.0, 0.0))
        failed = [t["name"].split(": ", 1)[-1] for t in (row.results or {}).get("tests", [])
                  if t["tags"][0] == exercise.id and t["status"] != "passed"]
        part = f"{exercise.id} {_number(got)}/{_number(most)}"
        status = outcomes.get(exercise.id, ("",))[0]
        if status in ("not attempted", "not graded"):  # no check failed on work done: say which it was
            part += " (not attempted)" if status == "not attempted" else " (could not be graded)"
        elif failed:
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
    key = data.options.moodle_id
    name = _text(data.assignment)
    rows = [[MOODLE_IDS[key], name, f"{name} (Feedback)"]]
    for row in data.graded:
        # Moodle compares e-mail addresses case-sensitively: keep them exactly as on the roster.
        identity = _moodle_identity(row.student, key)
        if _known(data, row) and identity:
            rows.append([_text(identity), _number(data.grade(row)), _feedback(row, data.exercises)])
    if len(rows) == 1:
        raise ExportError(f"no student could be written with the {MOODLE_IDS[key]} column: "
                          + ("give the gradebook a roster with e-mail addresses (grader grade --roster), or choose "
                             "--id username" if key == "email" else "give the gradebook a roster (grader grade --roster)"))
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


# ----------------------------------------------------------------------- the whole course


def folder_assignments(exercises: list[Exercise]) -> dict[str, list[Exercise]]:
    """Until the course defines assignments: its exercises grouped by their folder of ``exercises/``,
    weeks and labs in the course's order (week1, week2, week3, lab3, week5, lab5)."""
    groups: dict[str, list[Exercise]] = {}
    for exercise in exercises:
        groups.setdefault(Path(exercise.path).parts[0] if len(Path(exercise.path).parts) > 1 else "other",
                          []).append(exercise)

    def order(name: str) -> tuple:
        found = re.fullmatch(r"([A-Za-z_]+?)(\d+)", name)
        return (0, int(found[2]), found[1] != "week", name) if found else (1, 0, False, name)

    return {name: groups[name] for name in sorted(groups, key=order)}


@dataclass(frozen=True)
class CourseData:
    columns: list[tuple[str, float]]                     # (assignment or quiz column, its maximum)
    rows: list[tuple[Student, dict[str, float]]]         # a student, and their points per column they have


def collect_course(book: Gradebook, assignments: dict[str, list[Exercise]], fallback: str = "default") -> CourseData:
    """Every student's points per assignment and per quiz.

    ``assignments`` maps an assignment to its exercises (``folder_assignments`` until the course defines
    them). An assignment's points come from the student's current attempt filed under its own name in the
    gradebook, else from the one filed under ``fallback`` (a run that graded everything at once). A quiz's
    result (``grader quiz score --gradebook``) counts in the column of the assignment it was filed under:
    an assignment's, or a column of its own (the quiz's id)."""
    current: dict[tuple[str, str], Attempt] = {(a.assignment, a.student): a for a in book.current()}
    quizzes = book.quiz_results()
    columns: dict[str, float] = {name: sum(e.points for e in exercises) for name, exercises in assignments.items()}
    quiz_most: dict[tuple[str, str], float] = {}
    for q in quizzes:
        quiz_most[(q.assignment, q.quiz)] = max(quiz_most.get((q.assignment, q.quiz), 0.0), q.max_score)
    for (column, _), most in quiz_most.items():
        columns[column] = columns.get(column, 0.0) + most
    if not current and not quizzes:
        raise ExportError(f"the gradebook {book.path} has no results yet: grade first (grader grade SUBMISSIONS...)")
    students = {s.id: s for s in book.roster()}
    for student_id in sorted({a.student for a in current.values()} | {q.student for q in quizzes}):
        students.setdefault(student_id, book.student(student_id) or Student(student_id))
    every = [e for exercises in assignments.values() for e in exercises]
    rows = []
    for student in sorted(students.values(), key=lambda s: s.id):
        points: dict[str, float] = {}
        scores_of: dict[int, dict[str, tuple[float, float]]] = {}   # an attempt's points per exercise
        for name, exercises in assignments.items():
            attempt = current.get((name, student.id)) or current.get((fallback, student.id))
            if attempt is None:
                continue
            if attempt.id not in scores_of:
                scores_of[attempt.id] = exercise_scores(book.results(attempt.id), every)
            points[name] = sum(scores_of[attempt.id].get(e.id, (0.0, 0.0))[0] for e in exercises)
        for q in quizzes:
            if q.student == student.id:
                points[q.assignment] = points.get(q.assignment, 0.0) + q.score
        rows.append((student, points))
    return CourseData(list(columns.items()), rows)


def to_course(data: CourseData) -> dict[str, str]:
    names = [name for name, _ in data.columns]
    header = ["student", "name", "email", "section", *[_text(n) for n in names], "total", "max_score"]
    most = sum(m for _, m in data.columns)
    rows = [header, ["Points Possible", "", "", "", *[_number(m) for _, m in data.columns], _number(most),
                     _number(most)]]
    for student, points in data.rows:
        cells = [_number(points[n]) if n in points else "" for n in names]
        total = _number(sum(points.values())) if points else ""
        rows.append([_text(student.id), _text(student.name), _text(student.email), _text(student.section), *cells,
                     total, _number(most)])
    return {"course.csv": _csv(rows)}


@dataclass(frozen=True)
class ExportFormat:
    render: Callable[[ExportData], dict[str, str]]
    single_file: bool           # one file (--out FILE, or standard output) or a folder of files (--out DIR)
    whole_course: bool = False  # rendered from ``collect_course``'s CourseData instead of one assignment's


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat(to_csv, True),
    "course": ExportFormat(to_course, True, whole_course=True),
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
