"""Grading past one machine: shards of a batch, and merging their gradebooks.

``grader grade --shard K/N`` grades the submissions whose name hashes to shard K of N
(``in_shard``: SHA-256 of the submission's name, so every machine agrees without talking to
the others, whatever order or subset of paths it was given), into a gradebook of its own.
``merge_gradebooks`` then combines the shards' gradebooks into a new one: every table
(students and the roster, attempts with their checks, quiz results, seeds), refusing shards
that disagree on an assignment's seed, on the checks that graded it, or on the roster.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from grader.gradebook.store import Gradebook, GradebookError
from grader.submission import submission_name

# The tables a merge knows how to combine. A shard with any other table (a newer grader's) is refused
# rather than merged without it.
KNOWN_TABLES = ("students", "attempts", "checks", "quiz_attempts", "seeds", "assignments", "exercise_results",
                "extensions", "adjustments", "dropped_checks")
#: The instructor's own records (copied from every shard as they are; shards normally have none).
_ACTIONS = ("extensions", "adjustments", "dropped_checks")


class ShardError(Exception):
    """The shards cannot be made or merged as asked; the message says what to do."""


def parse_shard(text: str) -> tuple[int, int]:
    """``K/N`` with 1 <= K <= N: this machine's shard and the number of shards."""
    found = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", text or "")
    if not found or not 1 <= int(found[1]) <= int(found[2]):
        raise ShardError(f"--shard {text!r}: write K/N with 1 <= K <= N, e.g. --shard 2/8 "
                         "(Kubernetes: $((JOB_COMPLETION_INDEX + 1))/N; Slurm: $SLURM_ARRAY_TASK_ID/N)")
    return int(found[1]), int(found[2])


def shard_of(name: str, shards: int) -> int:
    """The shard (1..shards) a submission named ``name`` belongs to: stable across machines and runs."""
    digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:8], "big") % shards + 1


def in_shard(paths: list[Path], shard: int, shards: int) -> list[Path]:
    """The submissions of ``paths`` that shard ``shard`` of ``shards`` grades."""
    return [p for p in paths if shard_of(submission_name(Path(p)), shards) == shard]


@dataclass(frozen=True)
class MergeSummary:
    shards: int
    students: int
    attempts: int
    quiz_attempts: int


def merge_gradebooks(out: Path, shards: list[Path]) -> MergeSummary:
    """Combine the shards' gradebooks into the new gradebook ``out`` (written whole, then moved into place)."""
    out = Path(out)
    if out.exists():
        raise ShardError(f"{out} exists: merge into a new file (the shards are merged whole, history included)")
    if not shards:
        raise ShardError("give the shards' gradebooks to merge: grader gradebook merge OUT SHARD...")
    resolved = [Path(s).resolve() for s in shards]
    twice = sorted({str(s) for s in shards if resolved.count(Path(s).resolve()) > 1})
    if twice:
        raise ShardError(f"{twice[0]} is given twice: give each shard once")
    books: list[tuple[str, sqlite3.Connection]] = []
    try:
        for path in shards:
            path = Path(path)
            if not path.is_file():
                raise ShardError(f"there is no gradebook at {path}: give the file each shard's --gradebook wrote")
            try:
                book = Gradebook(path, read_only=True)
            except GradebookError as exc:
                raise ShardError(str(exc)) from None
            books.append((str(path), book.db))
            tables = {r[0] for r in book.db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                     "AND name NOT LIKE 'sqlite_%'")}
            unknown = sorted(tables - set(KNOWN_TABLES))
            if unknown:
                raise ShardError(f"{path} has the table {', '.join(unknown)}, which this grader cannot merge: "
                                 "merge with the grader that graded the shards")
        _check_agreement(books)
        return _write(out, books)
    finally:
        for _, db in books:
            db.close()


def _check_agreement(books: list[tuple[str, sqlite3.Connection]]) -> None:
    """One seed and one checks hash per assignment across all shards, and one roster."""
    for what, query, advice in (
            ("seed", "SELECT assignment, seed FROM seeds UNION SELECT assignment, seed FROM attempts WHERE id IN "
                     "(SELECT MAX(id) FROM attempts GROUP BY assignment, student) AND seed IS NOT NULL",
             "grade every shard with the same --seed"),
            ("checks", "SELECT DISTINCT assignment, checks_hash FROM attempts WHERE id IN "
                       "(SELECT MAX(id) FROM attempts GROUP BY assignment, student)",
             "grade every shard with the same course, checks and grader (and --public-only or not)")):
        seen: dict[str, tuple[object, str]] = {}
        for name, db in books:
            for assignment, value in db.execute(query):
                if assignment in seen and seen[assignment][0] != value:
                    other_value, other = seen[assignment]
                    shown = (f"with seed {other_value} in {other} and {value} in {name}" if what == "seed" and
                             other != name else f"with two seeds in {name} (a result older than the last run)"
                             if what == "seed" else
                             f"by other checks in {other} than in {name}" if other != name else
                             f"by two sets of checks in {name} (a result older than the last run)")
                    raise ShardError(f"the shards graded {assignment!r} {shown}: {advice}, then merge again")
                seen.setdefault(assignment, (value, name))
    roster: dict[str, tuple[tuple, str]] = {}
    for name, db in books:
        for row in db.execute("SELECT id, name, email, section, identities FROM students WHERE on_roster = 1"):
            if row[0] in roster and roster[row[0]][0] != row:
                raise ShardError(f"the shards {roster[row[0]][1]} and {name} have different rosters (student "
                                 f"{row[0]!r}): grade every shard with the same --roster, then merge again")
            roster.setdefault(row[0], (row, name))


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA table_info({table})")]


def _write(out: Path, books: list[tuple[str, sqlite3.Connection]]) -> MergeSummary:
    temporary = out.with_name(f".{out.name}.merging-{os.getpid()}")
    for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
        leftover.unlink(missing_ok=True)
    try:
        target = Gradebook(temporary)
    except GradebookError as exc:
        raise ShardError(f"cannot write {out}: {exc}") from None
    try:
        db = target.db
        db.execute("BEGIN IMMEDIATE")
        # Students: the roster's rows win over a shard's plain "graded under its own name" rows.
        student_columns = _columns(db, "students")
        rows: dict[str, tuple] = {}
        for _, shard in books:
            for row in shard.execute(f"SELECT {', '.join(student_columns)} FROM students"):
                on_roster = row[student_columns.index("on_roster")]
                if row[0] not in rows or (on_roster and not rows[row[0]][student_columns.index("on_roster")]):
                    rows[row[0]] = row
        marks = ", ".join("?" * len(student_columns))
        db.executemany(f"INSERT INTO students ({', '.join(student_columns)}) VALUES ({marks})", rows.values())
        # Attempts and their checks, oldest first across the shards: the latest stays each student's current one.
        attempt_columns = [c for c in _columns(db, "attempts") if c != "id"]
        check_columns = [c for c in _columns(db, "checks") if c != "attempt"]
        outcome_columns = [c for c in _columns(db, "exercise_results") if c != "attempt"]
        everything = []
        for index, (_, shard) in enumerate(books):
            for row in shard.execute(f"SELECT id, graded_at, {', '.join(attempt_columns)} FROM attempts"):
                everything.append((row[1], index, row[0], row[2:]))
        everything.sort(key=lambda r: r[:3])
        for _, index, old_id, values in everything:
            cursor = db.execute(f"INSERT INTO attempts ({', '.join(attempt_columns)}) VALUES "
                                f"({', '.join('?' * len(attempt_columns))})", values)
            checks = books[index][1].execute(f"SELECT {', '.join(check_columns)} FROM checks WHERE attempt = ? "
                                             "ORDER BY position", (old_id,)).fetchall()
            db.executemany(f"INSERT INTO checks (attempt, {', '.join(check_columns)}) VALUES "
                           f"(?, {', '.join('?' * len(check_columns))})", [(cursor.lastrowid, *c) for c in checks])
            outcomes = books[index][1].execute(f"SELECT {', '.join(outcome_columns)} FROM exercise_results "
                                               "WHERE attempt = ?", (old_id,)).fetchall()
            db.executemany(f"INSERT INTO exercise_results (attempt, {', '.join(outcome_columns)}) VALUES "
                           f"(?, {', '.join('?' * len(outcome_columns))})", [(cursor.lastrowid, *o) for o in outcomes])
        quiz_columns = [c for c in _columns(db, "quiz_attempts") if c != "id"]
        quizzes = []
        for index, (_, shard) in enumerate(books):
            for row in shard.execute(f"SELECT id, scored_at, {', '.join(quiz_columns)} FROM quiz_attempts"):
                quizzes.append((row[1], index, row[0], row[2:]))
        quizzes.sort(key=lambda r: r[:3])
        db.executemany(f"INSERT INTO quiz_attempts ({', '.join(quiz_columns)}) VALUES "
                       f"({', '.join('?' * len(quiz_columns))})", [q[3] for q in quizzes])
        for _, shard in books:
            db.executemany("INSERT OR IGNORE INTO seeds (assignment, seed) VALUES (?, ?)",
                           shard.execute("SELECT assignment, seed FROM seeds").fetchall())
            assignment_columns = _columns(db, "assignments")
            db.executemany(f"INSERT OR IGNORE INTO assignments ({', '.join(assignment_columns)}) VALUES "
                           f"({', '.join('?' * len(assignment_columns))})",
                           shard.execute(f"SELECT {', '.join(assignment_columns)} FROM assignments").fetchall())
            for table in _ACTIONS:
                columns = [c for c in _columns(db, table) if c != "id"]
                db.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
                               shard.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY id").fetchall())
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        target.close()
        os.replace(temporary, out)
    except BaseException:
        if target.db.in_transaction:
            target.db.execute("ROLLBACK")
        target.close()
        for leftover in (temporary, Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
            leftover.unlink(missing_ok=True)
        raise
    for leftover in (Path(f"{temporary}-wal"), Path(f"{temporary}-shm")):
        leftover.unlink(missing_ok=True)
    return MergeSummary(len(books), len(rows), len(everything), len(quizzes))
