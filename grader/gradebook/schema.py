"""The gradebook's schema: version 1's tables and the migrations to each later version.

``Gradebook`` (``store.py``) creates version 1 and runs ``MIGRATIONS`` up to ``SCHEMA_VERSION``
in one transaction, for a new gradebook and an older one alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

SCHEMA_VERSION = 6

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


#: Whole days an attempt is late (SQL): minutes past the deadline beyond the grace, counted up in days.
_DAYS_LATE = """CASE WHEN p.due IS NULL OR a.submitted_at IS NULL THEN 0 ELSE (
    SELECT CASE WHEN m <= p.grace_minutes THEN 0
                ELSE CAST(m / 1440 AS INTEGER) + (m / 1440 > CAST(m / 1440 AS INTEGER)) END
    FROM (SELECT ROUND((julianday(a.submitted_at) - julianday(COALESCE(x.until, p.due))) * 1440, 6) AS m)) END"""


def _migrate_4_to_5(db: sqlite3.Connection) -> None:
    """Version 5: assignments with due dates and late policies, when each submission was handed in and how
    that is known, per-exercise outcomes, extensions, adjustments and dropped checks; and the views
    ``check_results`` (each check with dropped checks applied) and ``current_results`` (each student's
    current result per assignment: raw points, late penalty, adjustments, final points). Attempts graded
    before have no submission time: they are never late."""
    db.execute("ALTER TABLE attempts ADD COLUMN submitted_at TEXT")       # ISO 8601, UTC
    db.execute("ALTER TABLE attempts ADD COLUMN submitted_source TEXT")   # given, times file, git commit, file time
    db.execute("""CREATE TABLE assignments (
        id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', due TEXT, late_penalty_per_day REAL NOT NULL DEFAULT 0,
        late_days_max INTEGER NOT NULL DEFAULT 0, grace_minutes REAL NOT NULL DEFAULT 0)""")
    db.execute("""CREATE TABLE exercise_results (
        attempt INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE, exercise TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('passed', 'failed', 'not attempted', 'not graded')),
        score REAL NOT NULL, max_score REAL NOT NULL, PRIMARY KEY (attempt, exercise))""")
    db.execute("""INSERT INTO exercise_results (attempt, exercise, status, score, max_score)
        SELECT attempt, exercise, CASE WHEN SUM(status = 'passed') = COUNT(*) THEN 'passed' ELSE 'failed' END,
               SUM(score), SUM(max_score) FROM checks GROUP BY attempt, exercise""")
    db.execute("""CREATE TABLE extensions (
        id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT NOT NULL, assignment TEXT NOT NULL,
        until TEXT NOT NULL, granted_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE adjustments (
        id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT NOT NULL, assignment TEXT NOT NULL,
        points REAL NOT NULL, reason TEXT NOT NULL, made_at TEXT NOT NULL)""")
    db.execute("""CREATE TABLE dropped_checks (
        id INTEGER PRIMARY KEY AUTOINCREMENT, assignment TEXT NOT NULL, exercise TEXT NOT NULL, name TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('give', 'remove')), dropped_at TEXT NOT NULL, undone_at TEXT)""")
    db.execute("""CREATE VIEW check_results AS
        SELECT c.attempt, c.position, c.name, c.exercise, c.hidden, c.status, c.output, d.mode AS dropped,
               CASE d.mode WHEN 'give' THEN c.max_score WHEN 'remove' THEN 0 ELSE c.score END AS score,
               CASE d.mode WHEN 'remove' THEN 0 ELSE c.max_score END AS max_score
        FROM checks c JOIN attempts a ON a.id = c.attempt
        LEFT JOIN dropped_checks d ON d.assignment = a.assignment AND d.exercise = c.exercise AND d.name = c.name
             AND d.undone_at IS NULL""")
    db.execute(f"""CREATE VIEW current_results AS
        WITH points AS (SELECT attempt, SUM(score) AS raw, SUM(max_score) AS most FROM check_results
                        WHERE attempt IN (SELECT MAX(id) FROM attempts GROUP BY assignment, student) GROUP BY attempt),
        extension AS (SELECT student, assignment, until FROM extensions
                      WHERE id IN (SELECT MAX(id) FROM extensions GROUP BY student, assignment)),
        adjusted AS (SELECT student, assignment, SUM(points) AS points FROM adjustments GROUP BY student, assignment),
        late AS (SELECT a.id AS attempt, COALESCE(x.until, p.due) AS deadline, ({_DAYS_LATE}) AS days_late,
                        p.late_penalty_per_day, p.late_days_max
                 FROM attempts a LEFT JOIN assignments p ON p.id = a.assignment
                 LEFT JOIN extension x ON x.student = a.student AND x.assignment = a.assignment
                 WHERE a.id IN (SELECT MAX(id) FROM attempts GROUP BY assignment, student)),
        penalised AS (SELECT l.*, CASE WHEN l.days_late <= 0 THEN 0.0 WHEN l.days_late > l.late_days_max THEN 100.0
                                       ELSE MIN(100.0, l.days_late * l.late_penalty_per_day) END AS penalty_percent
                      FROM late l)
        SELECT a.student, a.assignment, a.id AS attempt, a.submission, a.submitted_at, a.submitted_source,
               l.deadline, l.days_late, l.penalty_percent,
               ROUND(COALESCE(t.raw, a.score), 4) AS raw_score,
               ROUND(COALESCE(t.raw, a.score) * l.penalty_percent / 100, 4) AS penalty,
               ROUND(COALESCE(j.points, 0), 4) AS adjustments,
               ROUND(MAX(0, COALESCE(t.raw, a.score) * (1 - l.penalty_percent / 100) + COALESCE(j.points, 0)), 4)
                   AS final_score,
               ROUND(COALESCE(t.most, a.max_score), 4) AS max_score, a.graded_at
        FROM attempts a JOIN penalised l ON l.attempt = a.id LEFT JOIN points t ON t.attempt = a.id
        LEFT JOIN adjusted j ON j.student = a.student AND j.assignment = a.assignment""")


def _migrate_5_to_6(db: sqlite3.Connection) -> None:
    """Version 6 keeps a student's identities in the LMS the roster came from (JSON: Canvas's ``ID``,
    ``SIS User ID``, ``SIS Login ID``; Moodle's ``username``, ``idnumber``), for the exports."""
    db.execute("ALTER TABLE students ADD COLUMN identities TEXT NOT NULL DEFAULT '{}'")


MIGRATIONS: dict[int, Callable[[sqlite3.Connection], None]] = {1: _migrate_1_to_2, 2: _migrate_2_to_3,
                                                                3: _migrate_3_to_4, 4: _migrate_4_to_5,
                                                                5: _migrate_5_to_6}
