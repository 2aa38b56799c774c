"""The gradebook database: students, graded attempts and every check's result, in SQLite.

One ``Gradebook`` is the only way in. Each graded submission is written in one
transaction (the attempt and all its checks, or nothing), the database runs in WAL mode
with foreign keys on, so a process killed at any moment leaves it whole: the last
attempt is either all there or not there at all. Earlier attempts are kept; the latest
attempt of a (student, assignment) is its current result.

The schema's version is ``PRAGMA user_version``; opening an older database runs the
migrations up to ``SCHEMA_VERSION`` in one transaction.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA_VERSION = 5
_BUSY_TIMEOUT = 30  # seconds a connection waits for another's transaction

# Version 1: students, attempts and their checks.
_SCHEMA_1 = """
CREATE TABLE students (
    id        TEXT PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    email     TEXT NOT NULL DEFAULT '',
    section   TEXT NOT NULL DEFAULT '',
    on_roster INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE attempts (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    student        TEXT NOT NULL REFERENCES students(id),
    assignment     TEXT NOT NULL,
    submission     TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    checks_hash    TEXT NOT NULL,
    score          REAL NOT NULL,
    max_score      REAL NOT NULL,
    seed           INTEGER,
    grader_version TEXT NOT NULL,
    graded_at      TEXT NOT NULL
);
CREATE TABLE checks (
    attempt   INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,
    name      TEXT NOT NULL,
    exercise  TEXT NOT NULL,
    score     REAL NOT NULL,
    max_score REAL NOT NULL,
    status    TEXT NOT NULL,
    output    TEXT NOT NULL,
    hidden    INTEGER NOT NULL,
    PRIMARY KEY (attempt, position)
);
"""


def _migrate_1_to_2(db: sqlite3.Connection) -> None:
    """Version 2 keeps the run's time and the whole results.json of each attempt (what
    ``grade --out`` writes), and indexes attempts by student and assignment."""
    db.execute("ALTER TABLE attempts ADD COLUMN execution_time REAL")
    db.execute("ALTER TABLE attempts ADD COLUMN results_json TEXT")
    db.execute("CREATE INDEX attempts_by_student ON attempts(assignment, student, id)")


def _migrate_2_to_3(db: sqlite3.Connection) -> None:
    """Version 3 keeps quiz results: one row per scored (or re-scored) answers file, oldest first;
    the latest row of a (student, quiz) is its current result."""
    db.execute("""CREATE TABLE quiz_attempts (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        student   TEXT NOT NULL REFERENCES students(id),
        quiz      TEXT NOT NULL,
        assignment TEXT NOT NULL,
        answers   TEXT NOT NULL,
        questions TEXT NOT NULL,
        score     REAL NOT NULL,
        max_score REAL NOT NULL,
        status    TEXT NOT NULL,
        scored_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX quiz_attempts_by_student ON quiz_attempts(quiz, student, id)")


def _migrate_3_to_4(db: sqlite3.Connection) -> None:
    """Version 4 keeps each assignment's seed in a table of its own, chosen and stored in one transaction
    (``Gradebook.seed_for``): two batches started together on one assignment meet the same hidden
    inputs. An assignment graded before keeps the seed of its latest attempt."""
    db.execute("CREATE TABLE seeds (assignment TEXT PRIMARY KEY, seed INTEGER NOT NULL)")
    db.execute("INSERT INTO seeds (assignment, seed) SELECT assignment, seed FROM attempts WHERE id IN "
               "(SELECT MAX(id) FROM attempts WHERE seed IS NOT NULL GROUP BY assignment)")


def _migrate_4_to_5(db: sqlite3.Connection) -> None:
    """Version 5 keeps a student's identities in the LMS the roster came from (JSON: Canvas's ``ID``,
    ``SIS User ID``, ``SIS Login ID``; Moodle's ``username``, ``idnumber``), for the exports."""
    db.execute("ALTER TABLE students ADD COLUMN identities TEXT NOT NULL DEFAULT '{}'")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3,
                                                                3: _migrate_3_to_4, 4: _migrate_4_to_5}

QUIZ_STATUSES = ("scored", "needs review", "reviewed", "complete")


@dataclass(frozen=True)
class QuizAttempt:
    """One scored answers file: every question's answer and result (id, score, max_score, status)."""

    id: int
    student: str
    quiz: str
    assignment: str          # what the result is filed under (--assignment; the quiz id by default)
    answers: dict
    questions: list
    score: float
    max_score: float
    status: str
    scored_at: str


class GradebookError(Exception):
    """The gradebook cannot be opened or used; the message says what to do."""


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""
    email: str = ""
    section: str = ""
    on_roster: bool = False
    # Identities in the LMS the roster came from, as (key, value) pairs: ("lms", "canvas"|"moodle"),
    # ("canvas_id", …), ("sis_user_id", …), ("sis_login_id", …), ("username", …), ("idnumber", …).
    identities: tuple[tuple[str, str], ...] = ()

    def identity(self, key: str) -> str:
        """The roster's value of ``key`` (see ``identities``), or ""."""
        return dict(self.identities).get(key, "")


@dataclass(frozen=True)
class Attempt:
    """One graded submission of one student for one assignment."""

    id: int
    student: str
    assignment: str
    submission: str          # the file or folder name that was graded
    content_hash: str
    checks_hash: str
    score: float
    max_score: float
    seed: int | None
    grader_version: str
    graded_at: str           # ISO 8601, UTC
    execution_time: float | None


@dataclass(frozen=True)
class CheckRow:
    name: str
    exercise: str
    score: float
    max_score: float
    status: str              # "passed" or "failed"
    output: str
    hidden: bool


@dataclass(frozen=True)
class NewAttempt:
    """What ``Gradebook.record`` stores: who, what was graded, and its results.json."""

    student: str
    assignment: str
    submission: str
    content_hash: str
    checks_hash: str
    results: dict
    grader_version: str


_ATTEMPT_COLUMNS = ("id, student, assignment, submission, content_hash, checks_hash, score, max_score, seed, "
                    "grader_version, graded_at, execution_time")


class Gradebook:
    """The course's gradebook: ``Gradebook(path)`` opens (creating or migrating) the database."""

    def __init__(self, path: Path, *, read_only: bool = False) -> None:
        """Open (creating or migrating) the gradebook at ``path``; with ``read_only``, open an
        existing, current one without ever writing to it."""
        self.path = Path(path)
        try:
            if read_only:
                if not self.path.is_file():
                    raise GradebookError(f"there is no gradebook at {self.path}")
                self.db = sqlite3.connect(self.path.resolve().as_uri() + "?mode=ro", uri=True, timeout=_BUSY_TIMEOUT,
                                          isolation_level=None)
            else:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise GradebookError(f"cannot open the gradebook {self.path}: {exc}; "
                                 "choose another --gradebook path") from None
        try:
            self.db.execute("PRAGMA foreign_keys = ON")
            if read_only:
                if self.version != SCHEMA_VERSION:
                    raise GradebookError(f"the gradebook {self.path} has schema version {self.version}, not "
                                         f"{SCHEMA_VERSION}: open it once with grader grade or export to migrate it")
                return
            mode = self._write_ahead_logging()
            if mode != "wal":
                raise GradebookError(f"the gradebook {self.path} cannot use write-ahead logging "
                                     f"(journal mode {mode}); put it on a local disk")
            self._upgrade()
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise GradebookError(f"{self.path} is not a usable gradebook ({exc}); "
                                 "move it away or choose another --gradebook path") from None
        except BaseException:
            self.db.close()
            raise

    # ------------------------------------------------------------------ schema

    def _write_ahead_logging(self) -> str:
        """Turn on WAL and return the journal mode. Turning it on needs the database to itself, and
        SQLite answers "database is locked" at once (without waiting) while another connection reads
        it: two graders opening one new gradebook together. Wait for it, up to the connection's timeout."""
        deadline = time.monotonic() + _BUSY_TIMEOUT
        while True:
            try:
                return self.db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorcode", None) != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

    @property
    def version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def _upgrade(self) -> None:
        if self.version == SCHEMA_VERSION:
            return  # nothing to write: a current database also opens read-only
        self.db.execute("BEGIN IMMEDIATE")
        try:
            version = self.version
            if version > SCHEMA_VERSION:
                raise GradebookError(f"the gradebook {self.path} has schema version {version}, newer than this "
                                     f"grader's {SCHEMA_VERSION}: upgrade dl-grader")
            if version == 0:
                for statement in _SCHEMA_1.split(";"):
                    if statement.strip():
                        self.db.execute(statement)
                version = 1
            while version < SCHEMA_VERSION:
                MIGRATIONS[version](self.db)
                version += 1
            self.db.execute(f"PRAGMA user_version = {int(version)}")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    def integrity(self) -> str:
        """``PRAGMA integrity_check``: "ok" when the database is sound."""
        return "; ".join(row[0] for row in self.db.execute("PRAGMA integrity_check"))

    # ------------------------------------------------------------------ writing

    def set_roster(self, students: Iterable[Student]) -> None:
        """Make ``students`` the roster: add or update them; students no longer listed stay
        (their attempts are kept) but are off the roster."""
        students = list(students)
        with self._transaction():
            self.db.execute("UPDATE students SET on_roster = 0")
            self.db.executemany(
                "INSERT INTO students (id, name, email, section, on_roster, identities) VALUES (?, ?, ?, ?, 1, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, email = excluded.email, "
                "section = excluded.section, on_roster = 1, identities = excluded.identities",
                [(s.id, s.name, s.email, s.section, json.dumps(dict(s.identities))) for s in students])

    def record(self, attempt: NewAttempt) -> int:
        """Store one graded submission, its checks and its results, in one transaction; returns its id."""
        results = attempt.results
        extra = results.get("extra_data") or {}
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            return self._insert(attempt, results, extra, now)
        except sqlite3.Error as exc:
            raise GradebookError(f"cannot record {attempt.submission} in the gradebook {self.path}: {exc}") from None

    def _insert(self, attempt: NewAttempt, results: dict, extra: dict, now: str) -> int:
        with self._transaction():
            self.db.execute("INSERT INTO students (id) VALUES (?) ON CONFLICT(id) DO NOTHING", (attempt.student,))
            cursor = self.db.execute(
                "INSERT INTO attempts (student, assignment, submission, content_hash, checks_hash, score, max_score, "
                "seed, grader_version, graded_at, execution_time, results_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt.student, attempt.assignment, attempt.submission, attempt.content_hash, attempt.checks_hash,
                 float(results["score"]), float(results["max_score"]), extra.get("seed"), attempt.grader_version,
                 now, results.get("execution_time"), json.dumps(results)))
            attempt_id = int(cursor.lastrowid)
            self.db.executemany(
                "INSERT INTO checks (attempt, position, name, exercise, score, max_score, status, output, hidden) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(attempt_id, i, *_check_fields(test)) for i, test in enumerate(results.get("tests", []))])
        return attempt_id

    def record_quiz(self, student: str, quiz: str, answers: dict, questions: list[dict],
                    assignment: str | None = None) -> int:
        """Store one student's quiz result in one transaction; earlier results stay as history.

        ``questions`` holds one dict per question: id, score, max_score, status (QUIZ_STATUSES).
        The attempt's status is the least settled of its questions' ("needs review" first)."""
        for q in questions:
            if q.get("status") not in QUIZ_STATUSES:
                raise GradebookError(f"question {q.get('id')!r} has status {q.get('status')!r}, "
                                     f"not one of {', '.join(QUIZ_STATUSES)}")
        status = _overall(questions)
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        try:
            with self._transaction():
                self.db.execute("INSERT INTO students (id) VALUES (?) ON CONFLICT(id) DO NOTHING", (student,))
                cursor = self.db.execute(
                    "INSERT INTO quiz_attempts (student, quiz, assignment, answers, questions, score, max_score, "
                    "status, scored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (student, quiz, assignment or quiz, json.dumps(answers), json.dumps(questions),
                     float(sum(q["score"] for q in questions)), float(sum(q["max_score"] for q in questions)),
                     status, now))
                return int(cursor.lastrowid)
        except sqlite3.Error as exc:
            raise GradebookError(f"cannot record the quiz {quiz} of {student} in the gradebook {self.path}: "
                                 f"{exc}") from None

    def review(self, attempt_id: int, question: str, points: float) -> int:
        """The instructor's decision on one answer: a new result (history kept) whose question
        ``question`` scores ``points`` with status "reviewed"; returns the new result's id."""
        row = self.db.execute(f"SELECT {_QUIZ_COLUMNS} FROM quiz_attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise GradebookError(f"no quiz result {attempt_id} in {self.path}")
        old = _quiz_attempt(row)
        questions = [dict(q) for q in old.questions]
        target = next((q for q in questions if q["id"] == question), None)
        if target is None:
            raise GradebookError(f"quiz result {attempt_id} has no question {question!r}")
        if not 0 <= points <= target["max_score"]:
            raise GradebookError(f"give between 0 and {target['max_score']:g} points for {question!r}")
        target.update(score=float(points), status="reviewed")
        return self.record_quiz(old.student, old.quiz, old.answers, questions, old.assignment)

    def seed_for(self, assignment: str, seed: int | None = None) -> int:
        """The seed of ``assignment``'s hidden inputs, chosen and stored in one transaction: ``seed``
        when given (it becomes the assignment's seed), else the assignment's stored seed, else a fresh
        random one, stored. Batches started together on a new gradebook all get the one seed."""
        try:
            with self._transaction():
                if seed is not None:
                    self.db.execute("INSERT INTO seeds (assignment, seed) VALUES (?, ?) "
                                    "ON CONFLICT(assignment) DO UPDATE SET seed = excluded.seed", (assignment, seed))
                    return seed
                self.db.execute("INSERT OR IGNORE INTO seeds (assignment, seed) VALUES (?, ?)",
                                (assignment, secrets.randbits(32)))
                row = self.db.execute("SELECT seed FROM seeds WHERE assignment = ?", (assignment,)).fetchone()
                return int(row[0])
        except sqlite3.Error as exc:
            raise GradebookError(f"cannot choose the seed of {assignment} in the gradebook {self.path}: "
                                 f"{exc}") from None

    def _transaction(self) -> "_Transaction":
        return _Transaction(self.db)

    # ------------------------------------------------------------------ reading

    def assignments(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT DISTINCT assignment FROM attempts ORDER BY assignment")]

    def roster(self) -> list[Student]:
        """The students on the roster (empty when no roster was ever given), by id."""
        rows = self.db.execute(f"SELECT {_STUDENT_COLUMNS} FROM students WHERE on_roster = 1 ORDER BY id")
        return [_student(r) for r in rows]

    def student(self, student_id: str) -> Student | None:
        row = self.db.execute(f"SELECT {_STUDENT_COLUMNS} FROM students WHERE id = ?", (student_id,)).fetchone()
        return _student(row) if row else None

    def current(self, assignment: str | None = None) -> list[Attempt]:
        """The current (latest) attempt of each (student, assignment), by assignment then student."""
        where, args = ("WHERE assignment = ?", (assignment,)) if assignment is not None else ("", ())
        rows = self.db.execute(
            f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE id IN "
            f"(SELECT MAX(id) FROM attempts {where} GROUP BY assignment, student) ORDER BY assignment, student",
            args)
        return [Attempt(*r) for r in rows]

    def latest(self, student: str, assignment: str) -> Attempt | None:
        row = self.db.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE student = ? AND assignment = ? "
                              "ORDER BY id DESC LIMIT 1", (student, assignment)).fetchone()
        return Attempt(*row) if row else None

    def history(self, student: str, assignment: str | None = None) -> list[Attempt]:
        """Every attempt of a student (for one assignment, or all), oldest first."""
        where, args = ("AND assignment = ?", (student, assignment)) if assignment is not None else ("", (student,))
        rows = self.db.execute(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE student = ? {where} ORDER BY id",
                               args)
        return [Attempt(*r) for r in rows]

    def checks(self, attempt_id: int) -> list[CheckRow]:
        """The results of each check of an attempt, in the order they ran."""
        rows = self.db.execute("SELECT name, exercise, score, max_score, status, output, hidden FROM checks "
                               "WHERE attempt = ? ORDER BY position", (attempt_id,))
        return [CheckRow(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows]

    def results(self, attempt_id: int) -> dict:
        """The attempt's results in Gradescope's results.json form, as ``grade --out`` writes them."""
        row = self.db.execute("SELECT results_json, score, max_score, execution_time, submission, seed "
                              "FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        if row is None:
            raise GradebookError(f"no attempt {attempt_id} in {self.path}")
        if row[0]:
            return json.loads(row[0])
        # An attempt recorded before schema 2: rebuild what the check rows hold.
        return {
            "score": row[1], "max_score": row[2], "execution_time": row[3] or 0.0,
            "visibility": "visible", "stdout_visibility": "hidden",
            "tests": [{"name": f"{c.exercise}: {c.name}", "score": c.score, "max_score": c.max_score,
                       "status": c.status, "output": c.output,
                       "visibility": "after_published" if c.hidden else "visible",
                       "tags": [c.exercise, "hidden" if c.hidden else "public"]} for c in self.checks(attempt_id)],
            "extra_data": {"submission": row[4], "seed": row[5]},
        }

    def unmatched(self, assignment: str) -> list[Attempt]:
        """Current attempts of submissions that match nobody on the roster (none when there is no roster)."""
        if not self.roster():
            return []
        return [a for a in self.current(assignment) if not self._on_roster(a.student)]

    def missing(self, assignment: str) -> list[Student]:
        """Students on the roster with no graded submission for ``assignment``."""
        graded = {a.student for a in self.current(assignment)}
        return [s for s in self.roster() if s.id not in graded]

    def _on_roster(self, student_id: str) -> bool:
        row = self.db.execute("SELECT on_roster FROM students WHERE id = ?", (student_id,)).fetchone()
        return bool(row and row[0])

    def last_seed(self, assignment: str) -> int | None:
        """The seed of the assignment's latest attempt: a batch run again meets the same hidden inputs."""
        row = self.db.execute("SELECT seed FROM attempts WHERE assignment = ? AND seed IS NOT NULL "
                              "ORDER BY id DESC LIMIT 1", (assignment,)).fetchone()
        return row[0] if row else None

    def quiz_results(self, quiz: str | None = None) -> list[QuizAttempt]:
        """The current (latest) quiz result of each (student, quiz), by quiz then student."""
        where, args = ("WHERE quiz = ?", (quiz,)) if quiz is not None else ("", ())
        rows = self.db.execute(
            f"SELECT {_QUIZ_COLUMNS} FROM quiz_attempts WHERE id IN "
            f"(SELECT MAX(id) FROM quiz_attempts {where} GROUP BY quiz, student) ORDER BY quiz, student", args)
        return [_quiz_attempt(r) for r in rows]

    def quiz_history(self, student: str, quiz: str) -> list[QuizAttempt]:
        """Every recorded result of a student's quiz, oldest first."""
        rows = self.db.execute(f"SELECT {_QUIZ_COLUMNS} FROM quiz_attempts WHERE student = ? AND quiz = ? "
                               "ORDER BY id", (student, quiz))
        return [_quiz_attempt(r) for r in rows]

    def needing_review(self, quiz: str) -> list[QuizAttempt]:
        """Current results of ``quiz`` with a question still marked "needs review"."""
        return [a for a in self.quiz_results(quiz) if a.status == "needs review"]

    def quiz_answer_sets(self, quiz: str) -> list[dict]:
        """Each student's answers dict (current result), the form ``grader.quiz.stats.quiz_stats`` takes."""
        return [a.answers for a in self.quiz_results(quiz)]

    # ------------------------------------------------------------------ lifetime

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Transaction:
    """``BEGIN IMMEDIATE`` … ``COMMIT``, or ``ROLLBACK`` on any error (Ctrl-C included)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: type | None, *exc: object) -> None:
        self.db.execute("COMMIT" if kind is None else "ROLLBACK")


_STUDENT_COLUMNS = "id, name, email, section, on_roster, identities"


def _student(row: tuple) -> Student:
    try:
        identities = json.loads(row[5] or "{}")
    except ValueError:
        identities = {}
    pairs = tuple(sorted((str(k), str(v)) for k, v in identities.items())) if isinstance(identities, dict) else ()
    return Student(row[0], row[1], row[2], row[3], bool(row[4]), pairs)


_QUIZ_COLUMNS = "id, student, quiz, assignment, answers, questions, score, max_score, status, scored_at"


def _quiz_attempt(row: tuple) -> QuizAttempt:
    return QuizAttempt(row[0], row[1], row[2], row[3], json.loads(row[4]), json.loads(row[5]), row[6], row[7],
                       row[8], row[9])


def _overall(questions: list[dict]) -> str:
    statuses = {q["status"] for q in questions}
    for status in ("needs review", "reviewed", "scored", "complete"):
        if status in statuses:
            return status
    return "scored"


def _check_fields(test: dict) -> tuple:
    tags = test.get("tags") or [""]
    exercise = str(tags[0])
    name = str(test.get("name", ""))
    prefix = f"{exercise}: "
    return (name[len(prefix):] if name.startswith(prefix) else name, exercise, float(test.get("score", 0.0)),
            float(test.get("max_score", 0.0)), str(test.get("status", "failed")), str(test.get("output") or ""),
            int("hidden" in tags[1:]))
