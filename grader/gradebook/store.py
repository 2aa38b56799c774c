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
from collections.abc import Iterable
from datetime import datetime, timezone
from pathlib import Path

from grader.gradebook.rows import (QUIZ_STATUSES, Adjustment, Attempt, CheckRow, DroppedCheck, GradebookError,  # noqa: F401
                                   NewAttempt, QuizAttempt, Standing, Student)
from grader.gradebook.schema import _SCHEMA_1, MIGRATIONS, SCHEMA_VERSION

_BUSY_TIMEOUT = 30  # seconds a connection waits for another's transaction


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
                "seed, grader_version, graded_at, execution_time, results_json, submitted_at, submitted_source) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (attempt.student, attempt.assignment, attempt.submission, attempt.content_hash, attempt.checks_hash,
                 float(results["score"]), float(results["max_score"]), extra.get("seed"), attempt.grader_version,
                 now, results.get("execution_time"), json.dumps(results), _utc(attempt.submitted_at),
                 attempt.submitted_source))
            attempt_id = int(cursor.lastrowid)
            self.db.executemany(
                "INSERT INTO checks (attempt, position, name, exercise, score, max_score, status, output, hidden) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(attempt_id, i, *_check_fields(test)) for i, test in enumerate(results.get("tests", []))])
            self.db.executemany(
                "INSERT INTO exercise_results (attempt, exercise, status, score, max_score) VALUES (?, ?, ?, ?, ?)",
                [(attempt_id, e, *outcome) for e, outcome in exercise_outcomes(results).items()])
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

    # ------------------------------------------------------------------ assignments, lateness, adjustments
    # The API other modules (exports, collect, merge) use; the SQL views check_results and current_results
    # hold the arithmetic, so that plain SQL and these methods always agree.

    def set_assignments(self, assignments: Iterable) -> None:
        """Store the assignments' due dates and late policies (``grader.course.Assignment``s), replacing
        what was stored for those ids; ``grade`` does this on every run, from ``grader/exercises.toml``."""
        with self._transaction():
            self.db.executemany(
                "INSERT INTO assignments (id, title, due, late_penalty_per_day, late_days_max, grace_minutes) "
                "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET title = excluded.title, due = excluded.due, "
                "late_penalty_per_day = excluded.late_penalty_per_day, late_days_max = excluded.late_days_max, "
                "grace_minutes = excluded.grace_minutes",
                [(a.id, a.title, _utc(a.due), a.late_penalty_per_day, a.late_days_max, a.grace_minutes)
                 for a in assignments])

    def due(self, assignment: str) -> str | None:
        """The assignment's due date (ISO 8601, UTC) as last stored, or None (no due date: never late)."""
        row = self.db.execute("SELECT due FROM assignments WHERE id = ?", (assignment,)).fetchone()
        return row[0] if row else None

    def extend(self, student: str, assignment: str, until: datetime | str) -> str:
        """Give ``student`` a deadline of their own for ``assignment`` (the latest given counts; earlier ones
        stay as history); returns it (ISO 8601, UTC)."""
        until = _utc(until)
        with self._transaction():
            self.db.execute("INSERT INTO students (id) VALUES (?) ON CONFLICT(id) DO NOTHING", (student,))
            self.db.execute("INSERT INTO extensions (student, assignment, until, granted_at) VALUES (?, ?, ?, ?)",
                            (student, assignment, until, _now()))
        return until

    def deadline(self, student: str, assignment: str) -> str | None:
        """``student``'s deadline for ``assignment``: their latest extension, else the due date, else None."""
        row = self.db.execute("SELECT until FROM extensions WHERE student = ? AND assignment = ? "
                              "ORDER BY id DESC LIMIT 1", (student, assignment)).fetchone()
        return row[0] if row else self.due(assignment)

    def adjust(self, student: str, assignment: str, points: float, reason: str) -> int:
        """Add ``points`` (negative to take some away) to ``student``'s result for ``assignment``, with the
        reason and the time; kept as history, summed into ``current_results``. Returns its id."""
        if not reason.strip():
            raise GradebookError("give the reason for the adjustment (--reason \"...\"): the student sees it")
        with self._transaction():
            self.db.execute("INSERT INTO students (id) VALUES (?) ON CONFLICT(id) DO NOTHING", (student,))
            cursor = self.db.execute("INSERT INTO adjustments (student, assignment, points, reason, made_at) "
                                     "VALUES (?, ?, ?, ?, ?)", (student, assignment, float(points), reason, _now()))
            return int(cursor.lastrowid)

    def adjustments(self, student: str, assignment: str) -> list[Adjustment]:
        """The adjustments of ``student``'s ``assignment``, oldest first."""
        rows = self.db.execute("SELECT id, student, assignment, points, reason, made_at FROM adjustments "
                               "WHERE student = ? AND assignment = ? ORDER BY id", (student, assignment))
        return [Adjustment(*r) for r in rows]

    def drop_check(self, assignment: str, exercise: str, name: str, *, remove: bool = False) -> int:
        """Drop a check of ``assignment`` that turned out wrong: everyone gets its points (``remove``: it
        leaves the total). Nothing runs again; the views recompute. Returns the drop's id."""
        if self.db.execute("SELECT 1 FROM dropped_checks WHERE assignment = ? AND exercise = ? AND name = ? "
                           "AND undone_at IS NULL", (assignment, exercise, name)).fetchone():
            raise GradebookError(f"the check {exercise}: {name} of {assignment} is already dropped; "
                                 "undo it first (--undo) to drop it another way")
        with self._transaction():
            cursor = self.db.execute("INSERT INTO dropped_checks (assignment, exercise, name, mode, dropped_at) "
                                     "VALUES (?, ?, ?, ?, ?)",
                                     (assignment, exercise, name, "remove" if remove else "give", _now()))
            return int(cursor.lastrowid)

    def undo_drop(self, assignment: str, exercise: str, name: str) -> bool:
        """Count a dropped check again; False when it was not dropped. The drop stays in the history."""
        with self._transaction():
            cursor = self.db.execute("UPDATE dropped_checks SET undone_at = ? WHERE assignment = ? AND exercise = ? "
                                     "AND name = ? AND undone_at IS NULL", (_now(), assignment, exercise, name))
        return cursor.rowcount > 0

    def dropped(self, assignment: str) -> list[DroppedCheck]:
        """The checks of ``assignment`` dropped now (not undone), oldest first."""
        rows = self.db.execute("SELECT id, assignment, exercise, name, mode, dropped_at, undone_at FROM dropped_checks "
                               "WHERE assignment = ? AND undone_at IS NULL ORDER BY id", (assignment,))
        return [DroppedCheck(*r) for r in rows]

    def check_names(self, assignment: str) -> list[tuple[str, str]]:
        """The (exercise, check name) pairs graded in ``assignment``'s attempts."""
        rows = self.db.execute("SELECT DISTINCT c.exercise, c.name FROM checks c JOIN attempts a ON a.id = c.attempt "
                               "WHERE a.assignment = ? ORDER BY c.exercise, c.name", (assignment,))
        return [(r[0], r[1]) for r in rows]

    def standings(self, assignment: str | None = None) -> dict[tuple[str, str], Standing]:
        """Each (student, assignment)'s current result from the view ``current_results``."""
        where, args = ("WHERE assignment = ?", (assignment,)) if assignment is not None else ("", ())
        rows = self.db.execute(f"SELECT {_STANDING_COLUMNS} FROM current_results {where} ORDER BY assignment, student",
                               args)
        return {(r[0], r[1]): Standing(*r) for r in rows}

    def standing(self, student: str, assignment: str) -> Standing | None:
        """``student``'s current result for ``assignment`` (None when not graded)."""
        row = self.db.execute(f"SELECT {_STANDING_COLUMNS} FROM current_results WHERE student = ? AND assignment = ?",
                              (student, assignment)).fetchone()
        return Standing(*row) if row else None

    def standing_results(self, attempt_id: int, standings: dict[tuple[str, str], Standing] | None = None) -> dict:
        """The attempt's results as they stand now: dropped checks applied to the tests (a dropped check says
        so in its output), ``score`` the final points and ``extra_data["standing"]`` the raw points, late
        penalty, adjustments (with reasons) and final points. What reports, feedback and exports show.
        ``standings``: ``self.standings(assignment)`` read once by a caller that asks for many attempts."""
        results = self.results(attempt_id)
        row = self.db.execute("SELECT student, assignment FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        drops = {(d.exercise, d.name): d.mode for d in self.dropped(row[1])}
        for test in results.get("tests", []):
            name, exercise = _check_fields(test)[:2]
            mode = drops.get((exercise, name))
            if mode == "give":
                test.update(score=test["max_score"], output=(test.get("output") or "") + " (check dropped: its points "
                                                                                          "are given to everyone)")
            elif mode == "remove":
                test.update(score=0.0, max_score=0.0, output=(test.get("output") or "") + " (check dropped: it no "
                                                                                          "longer counts)")
        current = standings.get((row[0], row[1])) if standings is not None else self.standing(row[0], row[1])
        if current is not None and current.attempt == attempt_id:
            standing = current.as_dict()
            del standing["attempt"]  # the gradebook's own row id: not the student's business
            standing["adjustment_list"] = [{"points": a.points, "reason": a.reason, "made_at": a.made_at}
                                           for a in self.adjustments(row[0], row[1])]
            results.setdefault("extra_data", {})["standing"] = standing
            results.update(score=standing["final_score"], max_score=standing["max_score"])
        else:
            results.update(score=round(sum(t["score"] for t in results["tests"]), 4),
                           max_score=round(sum(t["max_score"] for t in results["tests"]), 4))
        return results

    def exercise_results(self, attempt_id: int) -> dict[str, str]:
        """Each exercise's outcome in an attempt: one of ``EXERCISE_STATUSES``."""
        rows = self.db.execute("SELECT exercise, status FROM exercise_results WHERE attempt = ?", (attempt_id,))
        return {r[0]: r[1] for r in rows}

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

    def submitted_at(self, attempt_id: int) -> str | None:
        """When the attempt's submission was handed in (ISO 8601, UTC), or None when unknown."""
        row = self.db.execute("SELECT submitted_at FROM attempts WHERE id = ?", (attempt_id,)).fetchone()
        return row[0] if row else None

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


_STANDING_COLUMNS = ("student, assignment, attempt, submission, submitted_at, submitted_source, deadline, days_late, "
                     "penalty_percent, raw_score, penalty, adjustments, final_score, max_score, graded_at")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _utc(value: datetime | str | None) -> str | None:
    """A time as ISO 8601 in UTC ("2026-10-20T21:59:00+00:00"), the form SQLite's julianday reads."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        raise GradebookError(f"the time {value.isoformat()} has no UTC offset; add one (+00:00, +02:00, Z)")
    return value.astimezone(timezone.utc).isoformat(timespec="seconds")


_NOT_ATTEMPTED = ("no file for this exercise", "not written yet")


def exercise_outcomes(results: dict) -> dict[str, tuple[str, float, float]]:
    """Each exercise of a results dict: (status, points, most). "not attempted": no file or function for it,
    or only a stub that raises NotImplementedError; "not graded": its file did not load (a syntax error, an
    error at import) or grading stopped; "passed": every check passed; else "failed"."""
    extra = results.get("extra_data") if isinstance(results.get("extra_data"), dict) else {}
    problems = extra.get("problems") if isinstance(extra.get("problems"), dict) else {}
    checks: dict[str, list[tuple[bool, float, float, str]]] = {}
    for test in results.get("tests", []):
        _, exercise, score, most, status, output, _ = _check_fields(test)
        checks.setdefault(exercise, []).append((status == "passed", score, most, output))
    outcomes = {}
    for exercise, rows in checks.items():
        problem = str(problems.get(exercise) or "")
        if all(r[0] for r in rows):
            status = "passed"
        elif problem.startswith(_NOT_ATTEMPTED) or " is not defined in " in problem:
            status = "not attempted"
        elif problem or extra.get("crashed"):
            status = "not graded"
        elif not any(r[0] for r in rows) and all(r[3].startswith("not written yet") for r in rows):
            status = "not attempted"
        else:
            status = "failed"
        outcomes[exercise] = (status, round(sum(r[1] for r in rows), 4), round(sum(r[2] for r in rows), 4))
    return outcomes


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
