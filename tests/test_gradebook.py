"""The gradebook: one transaction per graded submission, history, migrations, the roster,
skipping unchanged work, and batches that survive SIGKILL."""

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_exercises
from grader.gradebook import (SCHEMA_VERSION, BatchError, Gradebook, GradebookError, NewAttempt, RosterError, Student,
                              checks_hash, content_hash, load_roster, plan_batch)
from grader.gradebook.roster import Roster

COURSE = Path(__file__).resolve().parents[1]
CLASS = COURSE / "examples" / "class"
EXERCISES = load_exercises()
TOTAL = sum(e.points for e in EXERCISES)


def results(score: float, seed: int = 7, status: str = "passed") -> dict:
    tests = [{"name": "calc_preds: coeffs of shape k", "score": score, "max_score": 5.0, "status": status,
              "output": "" if status == "passed" else "expected shape (4, 1), got shape (4,)",
              "visibility": "visible", "tags": ["calc_preds", "public"]},
             {"name": "calc_preds: random sizes", "score": 0.0, "max_score": 5.0, "status": "failed",
              "output": "failed on a hidden input", "visibility": "after_published", "tags": ["calc_preds", "hidden"]}]
    return {"score": score, "max_score": 10.0, "execution_time": 0.25, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests, "extra_data": {"submission": "s", "seed": seed}}


def attempt(student="alice", score=5.0, *, content="c1", checks="k1", seed=7, assignment="week5"):
    return NewAttempt(student, assignment, f"{student}.py", content, checks, results(score, seed), "0.1.0")


# ----------------------------------------------------------------------- the store


def test_an_attempt_is_stored_with_its_checks_and_read_back(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        first = book.record(attempt(score=0.0))
        second = book.record(attempt(score=5.0, content="c2"))
        book.record(attempt("bob", 5.0))
        current = {a.student: a for a in book.current("week5")}
        assert current["alice"].id == second and current["alice"].score == 5.0
        assert [a.id for a in book.history("alice", "week5")] == [first, second]  # earlier attempts kept
        alice = current["alice"]
        assert (alice.content_hash, alice.checks_hash, alice.seed, alice.grader_version) == ("c2", "k1", 7, "0.1.0")
        assert alice.graded_at.endswith("+00:00") and alice.execution_time == 0.25
        checks = book.checks(alice.id)
        assert [(c.name, c.exercise, c.score, c.max_score, c.status, c.hidden) for c in checks] == [
            ("coeffs of shape k", "calc_preds", 5.0, 5.0, "passed", False),
            ("random sizes", "calc_preds", 0.0, 5.0, "failed", True)]
        assert checks[1].output == "failed on a hidden input"
        assert book.results(alice.id) == results(5.0)
        assert book.assignments() == ["week5"]


def test_the_database_uses_wal_and_foreign_keys(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        assert book.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert book.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert book.version == SCHEMA_VERSION == 6
        with pytest.raises(sqlite3.IntegrityError):
            book.db.execute("INSERT INTO checks VALUES (999, 0, 'x', 'e', 0, 1, 'failed', '', 0)")


def test_a_failure_half_way_leaves_nothing_of_the_attempt(tmp_path):
    bad = results(5.0)
    bad["tests"].append({"name": "calc_preds: broken", "score": "not a number", "max_score": 1.0, "tags": ["x"]})
    with Gradebook(tmp_path / "gb.db") as book:
        with pytest.raises(ValueError):
            book.record(NewAttempt("alice", "week5", "alice.py", "c", "k", bad, "0.1.0"))
        assert book.current() == [] and book.db.execute("SELECT COUNT(*) FROM checks").fetchone()[0] == 0
        assert book.db.execute("SELECT COUNT(*) FROM students").fetchone()[0] == 0


def test_a_database_error_while_recording_is_a_gradebook_error(tmp_path):
    book = Gradebook(tmp_path / "gb.db")
    book.db.execute("DROP TABLE checks")
    with pytest.raises(GradebookError, match="cannot record alice.py in the gradebook .*no such table: checks"):
        book.record(attempt())
    assert book.current() == []  # the attempt went with its checks
    book.close()


SCHEMA_1 = """
CREATE TABLE students (id TEXT PRIMARY KEY, name TEXT NOT NULL DEFAULT '', email TEXT NOT NULL DEFAULT '',
    section TEXT NOT NULL DEFAULT '', on_roster INTEGER NOT NULL DEFAULT 0);
CREATE TABLE attempts (id INTEGER PRIMARY KEY AUTOINCREMENT, student TEXT NOT NULL REFERENCES students(id),
    assignment TEXT NOT NULL, submission TEXT NOT NULL, content_hash TEXT NOT NULL, checks_hash TEXT NOT NULL,
    score REAL NOT NULL, max_score REAL NOT NULL, seed INTEGER, grader_version TEXT NOT NULL, graded_at TEXT NOT NULL);
CREATE TABLE checks (attempt INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE, position INTEGER NOT NULL,
    name TEXT NOT NULL, exercise TEXT NOT NULL, score REAL NOT NULL, max_score REAL NOT NULL, status TEXT NOT NULL,
    output TEXT NOT NULL, hidden INTEGER NOT NULL, PRIMARY KEY (attempt, position));
INSERT INTO students VALUES ('alice', 'Alice', 'alice@example.edu', 'A', 1);
INSERT INTO attempts VALUES (1, 'alice', 'week5', 'alice.py', 'c1', 'k1', 5, 10, 3, '0.0.9', '2026-01-01T00:00:00+00:00');
INSERT INTO checks VALUES (1, 0, 'coeffs of shape k', 'calc_preds', 5, 5, 'passed', '', 0);
INSERT INTO checks VALUES (1, 1, 'random sizes', 'calc_preds', 0, 5, 'failed', 'failed on a hidden input', 1);
PRAGMA user_version = 1;
"""


def test_a_version_1_database_is_migrated_on_opening(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA_1)
    old.close()
    with Gradebook(path) as book:
        assert book.version == SCHEMA_VERSION == 6   # 1 → 2 → 3 → 4 → 5 → 6
        (alice,) = book.current("week5")
        assert (alice.student, alice.score, alice.seed, alice.execution_time) == ("alice", 5.0, 3, None)
        rebuilt = book.results(alice.id)
        assert rebuilt["score"] == 5 and [t["tags"] for t in rebuilt["tests"]] == [["calc_preds", "public"],
                                                                                  ["calc_preds", "hidden"]]
        assert book.roster() == [Student("alice", "Alice", "alice@example.edu", "A", True)]
        book.record(attempt(score=10.0, content="c2"))
        assert [a.score for a in book.history("alice")] == [5.0, 10.0]
        assert book.integrity() == "ok"
    with Gradebook(path) as again:  # opening a current database changes nothing
        assert again.version == SCHEMA_VERSION and len(again.history("alice")) == 2


def test_a_read_only_gradebook_never_writes(tmp_path):
    path = tmp_path / "gb.db"
    with Gradebook(path) as book:
        book.record(attempt())
    before = path.read_bytes()
    with Gradebook(path, read_only=True) as book:
        assert [a.student for a in book.current()] == ["alice"]
        with pytest.raises(GradebookError, match="cannot record"):
            book.record(attempt("bob"))
    assert path.read_bytes() == before
    with pytest.raises(GradebookError, match="there is no gradebook at"):
        Gradebook(tmp_path / "none.db", read_only=True)


def test_a_newer_or_foreign_database_is_refused_with_what_to_do(tmp_path):
    newer = tmp_path / "newer.db"
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.close()
    with pytest.raises(GradebookError, match="schema version 99, newer than this grader's 6: upgrade dl-grader"):
        Gradebook(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all, just bytes" * 100)
    with pytest.raises(GradebookError, match="is not a usable gradebook"):
        Gradebook(junk)


# ----------------------------------------------------------------------- hashes


def test_the_content_hash_covers_paths_and_bytes_and_nothing_else(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for root, order in ((a, ["x.py", "sub/y.py"]), (b, ["sub/y.py", "x.py"])):
        for name in order:
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(f"# {name}\n")
    assert content_hash(a) == content_hash(b)  # the order files were made in does not count
    (b / "__pycache__").mkdir()
    (b / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0junk")
    (b / ".ipynb_checkpoints").mkdir()
    (b / ".ipynb_checkpoints" / "nb-checkpoint.ipynb").write_text("{}")
    assert content_hash(a) == content_hash(b)  # what submission reading skips
    (b / "x.py").write_text("# x.py changed\n")
    assert content_hash(a) != content_hash(b)
    (b / "x.py").write_text("# x.py\n")
    (b / "x.py").rename(b / "z.py")
    assert content_hash(a) != content_hash(b)  # paths count
    (b / "z.py").rename(b / "x.py")
    (b / "link.py").symlink_to(a / "x.py")
    assert content_hash(a) != content_hash(b)  # a symbolic link counts (grading refuses it)
    one = tmp_path / "alice.py"
    one.write_text("x = 1\n")
    first = content_hash(one)
    one.write_text("x = 2\n")
    assert content_hash(one) != first


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.truncate(size)
    return path


def _hash_peak(path: Path) -> tuple[str, int]:
    """The content hash of ``path`` and the peak of memory (bytes) allocated while computing it."""
    import tracemalloc

    tracemalloc.start()
    try:
        digest = content_hash(path)
        return digest, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_content_hash_streams_each_file_through_a_fixed_buffer(tmp_path):
    """A data file is hashed in chunks, never held whole (1.5 GB resident for a 1.5 GB file);
    the digest is the one of the whole file's bytes, so gradebooks keep matching."""
    import hashlib

    from grader.bounds import HASH_CHUNK_BYTES, MAX_HASHED_FILE_BYTES

    folder = tmp_path / "alice"
    folder.mkdir()
    data = _sparse(folder / "data.bin", MAX_HASHED_FILE_BYTES - 1)   # the largest file hashed by its bytes
    (folder / "a.py").write_text("x = 1\n")
    digest, peak = _hash_peak(folder)
    assert peak < 3 * HASH_CHUNK_BYTES, f"{peak / 2**20:.1f} MB held to hash a {data.stat().st_size / 2**20:.0f} MB file"
    whole = hashlib.sha256()
    for kind, name, payload in ((b"folder", b"", b""), (b"file", b"a.py", b"x = 1\n"),
                                (b"file", b"data.bin", bytes(data.stat().st_size))):
        for part in (kind, name, payload):
            whole.update(len(part).to_bytes(8, "big"))
            whole.update(part)
    assert digest == whole.hexdigest()


def test_a_file_too_big_to_grade_is_hashed_by_its_size_and_its_neighbour_is_planned(tmp_path):
    """A 5 GB file under a 4 GB memory limit stopped the whole batch (MemoryError): a file larger
    than any the grader reads counts by its size, without being read."""
    from grader.bounds import HASH_CHUNK_BYTES, MAX_HASHED_FILE_BYTES

    big = tmp_path / "big"
    big.mkdir()
    (big / "a.py").write_text("x = 1\n")
    data = _sparse(big / "data.csv", 10 * MAX_HASHED_FILE_BYTES)
    innocent = tmp_path / "innocent"
    shutil.copytree(COURSE / "solutions", innocent)
    before = content_hash(innocent)
    started = time.monotonic()
    digest, peak = _hash_peak(big)
    assert peak < 3 * HASH_CHUNK_BYTES and time.monotonic() - started < 5
    with data.open("r+b") as f:
        f.truncate(10 * MAX_HASHED_FILE_BYTES + 1)
    assert content_hash(big) != digest  # its size counts
    with Gradebook(tmp_path / "gb.db") as book:
        plan = plan_batch(book, [big, innocent], assignment="a", checks_hash="k", seed=1)
    assert [i.student for i in plan.to_grade] == ["big", "innocent"]
    assert plan.to_grade[1].content_hash == before


def test_the_bytes_hashed_per_submission_are_capped(tmp_path, monkeypatch):
    """Past MAX_HASHED_BYTES a file counts by its size and modification time, unread."""
    monkeypatch.setattr("grader.bounds.MAX_HASHED_BYTES", 1024 * 1024)
    folder = tmp_path / "many"
    folder.mkdir()
    for i in range(10):
        (folder / f"f{i}.py").write_bytes(b"#" * (512 * 1024))
    read = []
    real_read, real_read_bytes = os.read, Path.read_bytes
    monkeypatch.setattr(os, "read", lambda fd, n: read.append(len(chunk := real_read(fd, n))) or chunk)
    monkeypatch.setattr(Path, "read_bytes", lambda self: read.append(len(data := real_read_bytes(self))) or data)
    first = content_hash(folder)
    assert 0 < sum(read) <= 1024 * 1024, f"{sum(read)} bytes read"
    last = folder / "f9.py"
    stamp = last.stat().st_mtime_ns
    last.write_bytes(b"!" * (512 * 1024))
    os.utime(last, ns=(stamp + 10**9, stamp + 10**9))
    assert content_hash(folder) != first  # past the cap, a change still shows in the file's time


def test_a_folder_of_too_many_entries_is_always_graded_again(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.bounds.MAX_HASHED_ENTRIES", 50)
    folder = tmp_path / "crowd"
    for i in range(60):
        (folder / f"d{i % 3}").mkdir(parents=True, exist_ok=True)
        (folder / f"d{i % 3}" / f"f{i}.txt").touch()
    assert content_hash(folder) != content_hash(folder)   # matches no earlier attempt


def test_a_fifo_is_hashed_by_its_kind_without_being_opened(tmp_path):
    """(A guard: hashing never opened a FIFO before either; grading did, see test_attacks.py.)"""
    import threading

    folder = tmp_path / "piped"
    folder.mkdir()
    (folder / "a.py").write_text("x = 1\n")
    os.mkfifo(folder / "b.py")
    os.mkfifo(tmp_path / "pipe.py")
    digests: list[str] = []
    worker = threading.Thread(target=lambda: digests.extend([content_hash(folder), content_hash(tmp_path / "pipe.py")]),
                              daemon=True)
    worker.start()
    worker.join(10)
    for fifo in (folder / "b.py", tmp_path / "pipe.py"):   # let a blocked reader go, if any
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass
    assert len(digests) == 2, "hashing a FIFO blocked"
    (folder / "b.py").unlink()
    (folder / "b.py").write_text("")
    assert content_hash(folder) != digests[0]  # a FIFO is not an empty file


def test_the_checks_hash_covers_mode_and_references(tmp_path):
    shutil.copytree(COURSE / "solutions", tmp_path / "solutions")
    full = checks_hash(tmp_path, EXERCISES, hidden=True)
    assert checks_hash(tmp_path, EXERCISES, hidden=True) == full
    assert checks_hash(tmp_path, EXERCISES, hidden=False) != full
    reference = tmp_path / "solutions" / EXERCISES[0].path
    reference.write_text(reference.read_text() + "\n# changed\n")
    assert checks_hash(tmp_path, EXERCISES, hidden=True) != full


# ----------------------------------------------------------------------- roster


def roster_file(tmp_path, text: str | bytes, name="roster.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_the_roster_matches_submission_names_by_id_or_email(tmp_path):
    roster = load_roster(roster_file(tmp_path, "\ufeffID,Name,Email,Section\nalice,Alice A,alice@x.edu,A\n"
                                     "B042,Bob B,bobby@x.edu,B\n\ncarol,Carol C,,A\n"))
    assert [s.id for s in roster.students] == ["alice", "B042", "carol"]
    assert roster.students[1] == Student("B042", "Bob B", "bobby@x.edu", "B", True)
    assert roster.match("alice").id == roster.match("ALICE").id == "alice"
    assert roster.match("b042").id == "B042" and roster.match("Bobby").id == "B042"  # e-mail's local part
    assert roster.match("mallory") is None


def test_an_ambiguous_email_local_part_matches_nobody():
    roster = Roster((Student("s1", email="sam@a.edu"), Student("s2", email="sam@b.edu")))
    assert roster.match("sam") is None


@pytest.mark.parametrize("content, message", [
    ("id,name,section\nalice,Alice,A\n", "lacks the column email: its header must name id, name, email, section"),
    ("student,full name\nalice,Alice\n", "lacks the columns id, name, email, section"),
    ("id,name,email,section\nalice,A,,\nAlice,B,,\n", "has the id 'Alice' twice (lines 2 and 3): ids must be unique"),
    ("id,name,email,section\n,Nobody,,\n", "a student with no id on line 2: fill in the id"),
    ("id,name,email,section\n", "lists no students"),
    ("", "is empty"),
    ("id,name,email,section\nalice,Ali\xe9n,,\n".encode("latin-1"), "is not UTF-8 text (line 2): save it as UTF-8"),
])
def test_a_malformed_roster_is_one_line_saying_what_to_fix(tmp_path, content, message):
    with pytest.raises(RosterError) as error:
        load_roster(roster_file(tmp_path, content))
    assert message in str(error.value) and "\n" not in str(error.value)


def test_the_roster_lists_unmatched_submissions_and_missing_students(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        assert book.unmatched("week5") == []  # no roster, nobody is "unmatched"
        book.set_roster([Student("alice", "Alice", "", "A", True), Student("zed", "Zed", "", "B", True)])
        book.record(attempt("alice"))
        book.record(attempt("stranger"))
        assert [a.student for a in book.unmatched("week5")] == ["stranger"]
        assert [s.id for s in book.missing("week5")] == ["zed"]
        assert [s.id for s in book.roster()] == ["alice", "zed"]


# ----------------------------------------------------------------------- planning a batch


def test_a_batch_skips_what_is_up_to_date(tmp_path):
    alice, bob = tmp_path / "alice.py", tmp_path / "bob"
    alice.write_text("x = 1\n")
    bob.mkdir()
    (bob / "a.py").write_text("y = 2\n")
    with Gradebook(tmp_path / "gb.db") as book:
        plan = plan_batch(book, [alice, bob], assignment="week5", checks_hash="k1", seed=7)
        assert [i.student for i in plan.to_grade] == ["alice", "bob"] and plan.up_to_date == []
        plan.record(book, plan.to_grade[0], results(5.0))
        again = plan_batch(book, [alice, bob], assignment="week5", checks_hash="k1", seed=7)
        assert [i.student for i in again.up_to_date] == ["alice"] and [i.student for i in again.to_grade] == ["bob"]
        assert again.up_to_date[0].current.submission == "alice.py"
        assert [i.student for i in plan_batch(book, [alice], assignment="week5", checks_hash="k1", seed=7,
                                              regrade=True).to_grade] == ["alice"]
        assert plan_batch(book, [alice], assignment="week5", checks_hash="k2", seed=7).to_grade  # new checks
        assert plan_batch(book, [alice], assignment="week5", checks_hash="k1", seed=8).to_grade  # new seed
        assert plan_batch(book, [alice], assignment="week6", checks_hash="k1", seed=7).to_grade  # other assignment
        alice.write_text("x = 3\n")
        assert plan_batch(book, [alice], assignment="week5", checks_hash="k1", seed=7).to_grade


def test_two_submissions_of_one_student_are_refused(tmp_path):
    (tmp_path / "alice.py").write_text("")
    (tmp_path / "Alice.ipynb").write_text("{}")
    roster = Roster((Student("alice", on_roster=True),))
    with Gradebook(tmp_path / "gb.db") as book, pytest.raises(BatchError, match="are both submissions of alice"):
        plan_batch(book, [tmp_path / "alice.py", tmp_path / "Alice.ipynb"], assignment="a", checks_hash="k",
                   seed=1, roster=roster)


# ----------------------------------------------------------------------- the grade command


@pytest.fixture
def course(tmp_path, monkeypatch):
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, tmp_path / folder)
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def solution_file(course: Path, path: Path) -> Path:
    path.write_text("\n\n".join((course / "solutions" / e.path).read_text() for e in EXERCISES))
    return path


def test_grade_records_into_the_gradebook_skips_unchanged_and_keeps_history(course, tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    alice = solution_file(course, subs / "Alice.py")
    shutil.copytree(CLASS / "frank", subs / "frank")
    stranger = solution_file(course, subs / "stranger.py")
    roster = roster_file(tmp_path, "id,name,email,section\nalice,Alice A,alice@x.edu,A\nfrank,Frank F,,B\n"
                                   "zed,Zed Z,zed@x.edu,B\n")
    args = ["grade", alice, subs / "frank", stranger, "--roster", roster, "--assignment", "default", "--seed", "2"]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert "Not on the roster (recorded under their own name): stranger.py" in result.output
    assert "On the roster with no submission: zed" in result.output
    book_path = course / ".grader" / "gradebook.db"
    with Gradebook(book_path) as book:
        current = {a.student: a for a in book.current("default")}
        # alice and stranger hand in every exercise's reference; frank the first five only (30 of their 50)
        assert {k: v.score for k, v in current.items()} == {"alice": TOTAL, "frank": 30.0, "stranger": TOTAL}
        assert current["alice"].submission == "Alice.py" and current["alice"].seed == 2
        assert [a.student for a in book.unmatched("default")] == ["stranger"]
        assert [s.id for s in book.missing("default")] == ["zed"]
        checks = book.checks(current["frank"].id)
        assert {c.exercise for c in checks} == {e.id for e in EXERCISES} and any(c.hidden for c in checks)
        assert "no file for this exercise" in next(c.output for c in checks if c.exercise == "f1_at_threshold")
    # Unchanged: nothing is graded again, even without --seed (the assignment's seed is reused).
    # The gradebook keeps the roster: Alice.py is still alice without --roster.
    result = run("grade", alice, subs / "frank", stranger, "--assignment", "default")
    assert result.exit_code == 0 and "3 unchanged submissions already in the gradebook were not graded again" \
        in result.output and f"{TOTAL:g}/{TOTAL:g}" in result.output
    assert "Not on the roster (recorded under their own name): stranger.py" in result.output
    alice.write_text(alice.read_text().replace("torch.sigmoid(", "(", 1))
    result = run(*args)
    assert result.exit_code == 0 and "2 unchanged submissions" in result.output
    with Gradebook(book_path) as book:
        history = book.history("alice", "default")
        assert [a.score for a in history] == [TOTAL, TOTAL - 10] and book.latest("alice", "default").score == TOTAL - 10
        assert len(book.history("frank", "default")) == 1
    result = run(*args, "--regrade")
    assert result.exit_code == 0 and "unchanged" not in result.output
    with Gradebook(book_path) as book:
        assert len(book.history("frank", "default")) == 2


def test_grade_errors_are_one_line(course, tmp_path):
    sub = solution_file(course, tmp_path / "alice.py")
    bad = roster_file(tmp_path, "id,name\nalice,A\n")
    result = run("grade", sub, "--roster", bad)
    assert result.exit_code == 1 and "lacks the columns email, section" in result.output
    assert len(result.output.strip().splitlines()) == 1
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database" * 200)
    result = run("grade", sub, "--gradebook", junk)
    assert result.exit_code == 1 and "is not a usable gradebook" in result.output


# ----------------------------------------------------------------------- surviving SIGKILL

KILL_CLASS = ["alice", "bob.py", "carol.ipynb", "dave", "erin.py", "frank", "judy", "niaj"]
KILLS = 10


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            tree.setdefault(ppid, []).append(int(entry))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, found, todo = _children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def _grade(subs: list[Path], book: Path, log) -> subprocess.Popen:
    command = [sys.executable, "-m", "grader", "grade", *map(str, subs), "--gradebook", str(book), "--seed", "5",
               "-j", "2", "--timeout", "30", "--cpu-time", "10", "--assignment", "week5"]
    return subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=dict(os.environ, GRADER_COURSE=str(COURSE)))


def _recorded(path: Path) -> int:
    """How many attempts the gradebook holds, read without writing (0 before it exists)."""
    if not path.exists():
        return 0
    db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    except sqlite3.OperationalError:  # created, its schema not committed yet
        return 0
    finally:
        db.close()


def _outcome(path: Path) -> dict:
    """Each student's current result, read without writing: the next run meets the gradebook as the kill left it."""
    if _version(path) == 0:  # killed before the schema's transaction committed: nothing else is there
        db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        assert db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] == 0
        db.close()
        return {}
    with Gradebook(path, read_only=True) as book:
        assert book.integrity() == "ok"
        attempts = book.db.execute("SELECT student, COUNT(*) FROM attempts GROUP BY student").fetchall()
        assert all(count == 1 for _, count in attempts), f"a submission was recorded twice: {attempts}"
        return {a.student: (a.score, a.max_score, [(c.name, c.status, c.score, c.output) for c in book.checks(a.id)])
                for a in book.current("week5")}


def _version(path: Path) -> int:
    db = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return db.execute("PRAGMA user_version").fetchone()[0]
    finally:
        db.close()


def test_a_batch_killed_at_random_moments_resumes_to_the_same_results(tmp_path):
    subs = []
    for name in KILL_CLASS:
        (shutil.copytree if (CLASS / name).is_dir() else shutil.copy)(CLASS / name, tmp_path / name)
        subs.append(tmp_path / name)
    with open(tmp_path / "log.txt", "w") as log:
        started = time.monotonic()
        baseline = _grade(subs, tmp_path / "baseline.db", log)
        assert baseline.wait() == 0, (tmp_path / "log.txt").read_text()
        duration = time.monotonic() - started
        expected = _outcome(tmp_path / "baseline.db")
        assert sorted(expected) == sorted(Path(n).stem for n in KILL_CLASS)

        seed = random.randrange(1 << 30)
        rng = random.Random(seed)
        kills, rounds, partial, orphans = 0, 0, set(), 0
        while kills < KILLS:
            rounds += 1
            book = tmp_path / f"killed-{rounds}.db"
            while True:
                before = _recorded(book)
                process = _grade(subs, book, log)
                if kills % 2:  # right after a result was recorded: between two transactions, or in the next one
                    while _recorded(book) == before and process.poll() is None:
                        time.sleep(0.02)
                    deadline = time.monotonic() + rng.uniform(0.0, 0.3)
                else:  # at any moment: starting up, grading, recording, finishing
                    deadline = time.monotonic() + rng.uniform(0.0, duration)
                while time.monotonic() < deadline and process.poll() is None:
                    time.sleep(0.02)
                if process.poll() is not None:
                    assert process.returncode == 0, (tmp_path / "log.txt").read_text()
                    break  # this round's batch is complete
                family = _descendants(process.pid)
                orphans += len(family)
                process.send_signal(signal.SIGKILL)
                process.wait()
                kills += 1
                give_up = time.monotonic() + 120
                while [p for p in family if _alive(p)] and time.monotonic() < give_up:
                    time.sleep(0.1)
                assert not [p for p in family if _alive(p)], f"processes outlived the killed batch (seed {seed})"
                if book.exists():
                    outcome = _outcome(book)  # sound after every kill, and never a result that differs
                    partial.add(len(outcome))
                    assert all(outcome[s] == expected[s] for s in outcome), f"seed {seed}"
            assert _outcome(book) == expected, f"round {rounds} (seed {seed}) differs from the uninterrupted run"
    print(f"{kills} kills in {rounds} rounds (seed {seed}); results recorded when killed: {sorted(partial)}; "
          f"{orphans} worker, zygote and sandbox processes died with their batch; uninterrupted run {duration:.1f} s")
    assert kills >= KILLS and orphans
    assert partial - {0, len(expected)}, f"no kill landed between two results (seed {seed}, partial {partial})"


# ---------------------------------------------------------------- quizzes (schema 3)


def _v2_database(path: Path) -> None:
    """A version-2 gradebook as the grader of schema 2 made it, with one graded attempt."""
    from grader.gradebook import schema as store  # the schema and its migrations

    db = sqlite3.connect(path, isolation_level=None)
    for statement in store._SCHEMA_1.split(";"):
        if statement.strip():
            db.execute(statement)
    store._migrate_1_to_2(db)
    db.execute("INSERT INTO students (id) VALUES ('alice')")
    db.execute("INSERT INTO attempts (student, assignment, submission, content_hash, checks_hash, score, max_score, "
               "seed, grader_version, graded_at) VALUES ('alice', 'week5', 'alice.py', 'c', 'k', 5, 10, 7, '0.1', "
               "'2026-01-01T00:00:00+00:00')")
    db.execute("PRAGMA user_version = 2")
    db.close()


def test_a_version_2_gradebook_migrates_to_quiz_results(tmp_path):
    path = tmp_path / "gb.db"
    _v2_database(path)
    with Gradebook(path) as book:
        assert book.version == SCHEMA_VERSION == 6
        assert [a.score for a in book.current("week5")] == [5.0]   # the graded attempt survived
        assert book.seed_for("week5") == 7   # and its seed is the assignment's (schema 4)
        assert book.quiz_results() == []
        book.record_quiz("alice", "lab5", {"q1": "B"},
                         [{"id": "q1", "score": 1.0, "max_score": 1.0, "status": "scored"},
                          {"id": "q2", "score": 0.5, "max_score": 1.0, "status": "needs review"}])
        book.record_quiz("alice", "lab5", {"q1": "A"},
                         [{"id": "q1", "score": 0.0, "max_score": 1.0, "status": "scored"},
                          {"id": "q2", "score": 1.0, "max_score": 1.0, "status": "complete"}])
        (current,) = book.quiz_results("lab5")
        assert (current.student, current.score, current.max_score, current.status) == ("alice", 1.0, 2.0, "scored")
        assert current.answers == {"q1": "A"}
        assert [a.status for a in book.quiz_history("alice", "lab5")] == ["needs review", "scored"]
        assert book.needing_review("lab5") == []
        assert book.quiz_answer_sets("lab5") == [{"q1": "A"}]
        with pytest.raises(GradebookError, match="status"):
            book.record_quiz("bob", "lab5", {}, [{"id": "q1", "score": 1, "max_score": 1, "status": "great"}])
        assert [a.student for a in book.quiz_results()] == ["alice"]   # the bad one wrote nothing


# ---------------------------------------------------------------- seeds (schema 4)


def test_batches_started_together_on_a_new_gradebook_agree_on_the_seed(tmp_path):
    """Issue 15.4: two `grader grade` runs started together on one new gradebook each chose a seed of
    their own, so half the class met other hidden inputs. Racing threads, each with its own
    connection, on a new gradebook, many times over: every one gets the same seed."""
    import threading

    from grader.gradebook import choose_seed

    for round_ in range(25):
        path = tmp_path / f"gb-{round_}.db"
        start = threading.Barrier(3)
        seeds: list[int] = []
        errors: list[BaseException] = []

        def race() -> None:
            try:
                start.wait()
                with Gradebook(path) as book:
                    seeds.append(choose_seed(book, "week5", None))
            except BaseException as exc:  # reported below, in the test's thread
                errors.append(exc)

        threads = [threading.Thread(target=race) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not errors and len(seeds) == 3
        assert len(set(seeds)) == 1, f"round {round_}: the batches chose the seeds {seeds}"
        with Gradebook(path) as book:   # and a later run keeps it
            assert choose_seed(book, "week5", None) == seeds[0]


def test_a_given_seed_becomes_the_assignments_seed(tmp_path):
    from grader.gradebook import choose_seed

    with Gradebook(tmp_path / "gb.db") as book:
        first = choose_seed(book, "week5", None)
        assert choose_seed(book, "week5", None) == first
        assert choose_seed(book, "week5", 1234) == 1234
        assert choose_seed(book, "week5", None) == 1234   # the seed of the last run
