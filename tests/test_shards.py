"""Grading past one machine: `grade --shard K/N` and `gradebook merge`.

The main test grades part of the sample class unsharded and as three shards (as three machines
would: each its own gradebook), merges the shards and compares the current results row for row."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.gradebook import Gradebook, NewAttempt, Student
from grader.gradebook.shards import KNOWN_TABLES, ShardError, in_shard, merge_gradebooks, parse_shard, shard_of

ROOT = Path(__file__).resolve().parents[1]
CLASS = ROOT / "examples" / "class"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def current_rows(path: Path) -> list[tuple]:
    """Each current attempt with its checks: what a grade run decides (times and ids left out)."""
    db = sqlite3.connect(path)
    try:
        rows = []
        for attempt in db.execute(
                "SELECT id, student, assignment, submission, content_hash, checks_hash, score, max_score, seed "
                "FROM attempts WHERE id IN (SELECT MAX(id) FROM attempts GROUP BY assignment, student) "
                "ORDER BY assignment, student"):
            checks = db.execute("SELECT position, name, exercise, score, max_score, status, output, hidden FROM checks "
                                "WHERE attempt = ? ORDER BY position", (attempt[0],)).fetchall()
            rows.append((attempt[1:], checks))
        roster = db.execute("SELECT id, name, email, section, on_roster FROM students ORDER BY id").fetchall()
        seeds = db.execute("SELECT assignment, seed FROM seeds ORDER BY assignment").fetchall()
        return rows + [("roster", roster), ("seeds", seeds)]
    finally:
        db.close()


@pytest.fixture
def course(tmp_path, monkeypatch):
    for folder in ("exercises", "solutions"):
        shutil.copytree(ROOT / folder, tmp_path / "course" / folder)
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path / "course"))
    return tmp_path / "course"


def test_three_shards_merged_equal_an_unsharded_run(course, tmp_path):
    submissions = [CLASS / n for n in ("alice", "bob.py", "carol.ipynb", "dave", "erin.py", "frank", "judy")]
    roster = ROOT / "examples" / "roster.csv"
    common = ["--assignment", "week5", "--seed", "11", "--roster", roster, "-j", "1", "--public-only"]
    result = run("grade", *submissions, *common, "--gradebook", tmp_path / "whole.db")
    assert result.exit_code == 0, result.output
    shards = []
    for k in (1, 2, 3):
        shards.append(tmp_path / f"shard-{k}.db")
        # Each machine is given the paths in its own order: the share depends on the names alone.
        order = submissions[k:] + submissions[:k]
        result = run("grade", *order, *common, "--shard", f"{k}/3", "--gradebook", shards[-1])
        assert result.exit_code == 0, result.output
        assert f"Shard {k}/3: " in result.output and "On the roster with no submission" not in result.output
    sizes = [len(in_shard(submissions, k, 3)) for k in (1, 2, 3)]
    assert sum(sizes) == len(submissions) and all(sizes), sizes  # each graded once; no shard idle here
    result = run("gradebook", "merge", tmp_path / "merged.db", *shards)
    assert result.exit_code == 0, result.output
    assert f"{len(submissions)} graded attempts" in result.output
    merged, whole = current_rows(tmp_path / "merged.db"), current_rows(tmp_path / "whole.db")
    assert len(merged) == len(submissions) + 2
    for got, expected in zip(merged, whole):
        assert got == expected
    assert merged == whole
    # The merged gradebook is a gradebook: the export reads it like any other.
    result = run("export", "--format", "csv", "--assignment", "week5", "--gradebook", tmp_path / "merged.db")
    assert result.exit_code == 0 and "alice,Alice Archer" in result.output
    # Grading the merged gradebook's batch again finds everything up to date.
    result = run("grade", *submissions, *common, "--gradebook", tmp_path / "merged.db")
    assert f"{len(submissions)} unchanged submissions already in the gradebook" in result.output


def test_the_shard_of_a_submission_is_stable_and_the_shares_are_even():
    names = [f"student{i:03d}" for i in range(900)]
    shares = [sum(shard_of(n, 3) == k for n in names) for k in (1, 2, 3)]
    assert sum(shares) == 900 and min(shares) > 250, shares
    assert [shard_of(n, 3) for n in names[:20]] == [shard_of(n, 3) for n in names[:20]]
    # The name, not the path: alice.py graded from two folders lands in one shard.
    assert in_shard([Path("/a/alice.py")], shard_of("alice", 4), 4) == [Path("/a/alice.py")]
    assert parse_shard("2/8") == (2, 8)
    for bad in ("0/3", "4/3", "2", "a/b", ""):
        with pytest.raises(ShardError, match="write K/N"):
            parse_shard(bad)


def results(score: float) -> dict:
    return {"score": score, "max_score": 10.0, "execution_time": 0.1, "tests": [
        {"name": "bmi: a check", "score": score, "max_score": 10.0, "status": "passed" if score == 10 else "failed",
         "output": "", "visibility": "visible", "tags": ["bmi", "public"]}], "extra_data": {"seed": 5}}


def shard(path: Path, students: dict[str, float], *, seed: int = 5, checks: str = "k",
          roster: list[Student] | None = None) -> Path:
    with Gradebook(path) as book:
        if roster:
            book.set_roster(roster)
        book.seed_for("week5", seed)
        for student, score in students.items():
            data = results(score)
            data["extra_data"]["seed"] = seed
            book.record(NewAttempt(student, "week5", f"{student}.py", "c", checks, data, "0.1.0"))
        book.record_quiz(next(iter(students)), "quiz1", {}, [{"id": "q", "score": 1.0, "max_score": 2.0,
                                                              "status": "scored"}])
    return path


def test_merge_keeps_every_table_and_history(tmp_path):
    roster = [Student("a", "Ann"), Student("b", "Ben"), Student("c", "Cy")]
    one = shard(tmp_path / "1.db", {"a": 3.0}, roster=roster)
    with Gradebook(one) as book:   # a second attempt of a: history kept, the latest current
        book.record(NewAttempt("a", "week5", "a.py", "c2", "k", results(10.0), "0.1.0"))
    two = shard(tmp_path / "2.db", {"b": 7.0}, roster=roster)
    merge_gradebooks(tmp_path / "m.db", [one, two])
    with Gradebook(tmp_path / "m.db", read_only=True) as book:
        assert [(a.student, a.score) for a in book.current("week5")] == [("a", 10.0), ("b", 7.0)]
        assert [a.score for a in book.history("a", "week5")] == [3.0, 10.0]
        assert len(book.checks(book.latest("b", "week5").id)) == 1
        assert [s.id for s in book.roster()] == ["a", "b", "c"] and [s.id for s in book.missing("week5")] == ["c"]
        assert sorted(q.student for q in book.quiz_results()) == ["a", "b"]
        assert book.db.execute("SELECT assignment, seed FROM seeds").fetchall() == [("week5", 5)]
    tables = {r[0] for r in sqlite3.connect(tmp_path / "m.db").execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    assert tables == set(KNOWN_TABLES)


def test_merge_refuses_shards_that_disagree_in_one_line(tmp_path):
    one = shard(tmp_path / "1.db", {"a": 3.0})
    other_seed = shard(tmp_path / "2.db", {"b": 7.0}, seed=6)
    other_checks = shard(tmp_path / "3.db", {"c": 7.0}, checks="other")
    other_roster = shard(tmp_path / "4.db", {"d": 1.0}, roster=[Student("a", "Someone else")])
    same_roster_a = shard(tmp_path / "5.db", {"e": 1.0}, roster=[Student("a", "Ann")])
    for shards, message in (([one, other_seed], "graded 'week5' with seed 5 in .*1.db and 6 in .*2.db: grade every "
                                                "shard with the same --seed"),
                            ([one, other_checks], "graded 'week5' by other checks in .*1.db than in .*3.db"),
                            ([same_roster_a, other_roster], "have different rosters .student 'a'.: grade every "
                                                            "shard with the same --roster"),
                            ([one, one], "is given twice"),
                            ([one, tmp_path / "none.db"], "there is no gradebook at")):
        with pytest.raises(ShardError, match=message):
            merge_gradebooks(tmp_path / "m.db", shards)
        assert not (tmp_path / "m.db").exists()
    result = run("gradebook", "merge", tmp_path / "m.db", one, other_seed)
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    result = run("gradebook", "merge", one, other_seed)
    assert result.exit_code == 1 and "exists: merge into a new file" in result.output
    db = sqlite3.connect(one)
    db.execute("CREATE TABLE lateness (student TEXT)")
    db.commit()
    db.close()
    with pytest.raises(ShardError, match="has the table lateness, which this grader cannot merge"):
        merge_gradebooks(tmp_path / "m.db", [one])


def test_grade_shard_needs_a_seed_and_a_well_formed_shard(course, tmp_path):
    result = run("grade", CLASS / "bob.py", "--shard", "1/2")
    assert result.exit_code == 1 and "--shard needs --seed" in result.output
    result = run("grade", CLASS / "bob.py", "--shard", "3/2", "--seed", "1")
    assert result.exit_code == 1 and "write K/N with 1 <= K <= N" in result.output
