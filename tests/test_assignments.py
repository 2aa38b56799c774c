"""Issue 17: assignments with due dates, late work, extensions, adjustments and dropped checks.

The gradebook-level tests use hand-made results (nothing runs); one class is graded for real
with --assignment week5 and taken through extend, adjust, drop-check, feedback and export; and a
release of week 1 gets week 2 added into a student's repository with work in it.
"""

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import (CourseError, assignment_exercises, assignment_problems, find_assignment, load_assignments,
                           load_exercises)
from grader.gradebook import Gradebook, GradebookError, NewAttempt, exercise_outcomes, plan_batch
from grader.gradebook.adjust import AdjustError, adjust_points, drop_check, extend_deadline
from grader.gradebook.times import (FILE_TIME, GIT_COMMIT, GIVEN, TIMES_FILE, SubmittedAt, TimesError, load_times,
                                    submission_time)
from grader.release.build import ReleaseError, ReleaseOptions, release_course

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
WEEK5 = find_assignment("week5")
UTC = timezone.utc


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# ----------------------------------------------------------------------- 1. assignments in the course


def test_the_course_ships_one_assignment_per_folder_covering_every_exercise():
    assignments = load_assignments()
    assert [a.id for a in assignments] == ["week1", "week2", "week3", "lab3", "week5", "lab5"]
    for a in assignments:
        folders = {e.path.split("/")[0] for e in EXERCISES if e.id in a.exercises}
        assert folders == {a.id} and a.due.tzinfo is not None
    assert sorted(i for a in assignments for i in a.exercises) == sorted(e.id for e in EXERCISES)
    assert [e.id for e in assignment_exercises("week5")] == ["gradient_step", "calc_preds", "fill_missing_with_mode",
                                                             "f1_at_threshold"]
    assert assignment_exercises("default") == EXERCISES


def test_validate_names_each_unknown_exercise_and_unparsable_date(tmp_path):
    text = (COURSE / "grader" / "exercises.toml").read_text()
    bad = tmp_path / "exercises.toml"
    bad.write_text(text.replace('"f1_at_threshold"]', '"f1_at_treshold"]').replace(
        'due = "2027-02-15T23:59+00:00"', 'due = "next monday"').replace(
        'due = "2027-02-22T23:59+00:00"', 'due = "2027-02-22T23:59"'))
    problems = assignment_problems(bad)
    assert len(problems) == 3 and all("\n" not in p for p in problems)
    assert "assignment 'week5' lists the exercise 'f1_at_treshold', which does not exist" in problems[2]
    assert "'week1' has a due date that does not parse" in problems[0]
    assert "'week2'" in problems[1] and "no UTC offset" in problems[1]
    with pytest.raises(CourseError, match="week1"):
        load_assignments(bad)
    assert assignment_problems() == []


def test_an_unknown_assignment_is_one_line_listing_the_known_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(COURSE))
    for args in (["grade", COURSE / "solutions", "--assignment", "week9", "--gradebook", tmp_path / "gb.db"],
                 ["list", "--assignment", "week9"]):
        result = run(*args)
        assert result.exit_code == 1
        assert result.output.strip() == ("Error: unknown assignment 'week9'; the assignments are default (the whole "
                                         "course), week1, week2, week3, lab3, week5, lab5")


def test_a_bad_submission_time_is_one_line_before_anything_is_graded(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(COURSE))
    result = run("grade", COURSE / "solutions", "--assignment", "week5", "--gradebook", tmp_path / "gb.db",
                 "--submitted-at", "friday")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert "--submitted-at 'friday' is not an ISO 8601 time with a UTC offset" in result.output
    assert not (tmp_path / "gb.db").exists()


def test_list_shows_one_assignments_exercises(monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(COURSE))
    result = run("list", "--assignment", "week2", "--json")
    assert [e["id"] for e in json.loads(result.output)] == ["value", "topological_order", "tanh_and_grad"]
    result = run("list", "--assignment", "week2")
    assert "Week 2: backpropagation with Value: due 2027-02-22T23:59:00+00:00, 30 points" in result.output


# ----------------------------------------------------------------------- 2. times and lateness


def test_submission_time_comes_from_the_flag_the_times_file_git_or_the_files(tmp_path):
    sub = tmp_path / "alice"
    sub.mkdir()
    (sub / "a.py").write_text("x = 1\n")
    os.utime(sub / "a.py", (1_800_000_000, 1_800_000_000))
    given = datetime(2027, 3, 23, 9, 0, tzinfo=UTC)
    times_file = tmp_path / "times.csv"
    times_file.write_text("Student,Submitted At\nALICE,2027-03-24T10:00+02:00\n")
    times = load_times(times_file)
    assert submission_time(sub, names=("alice",), given=given, times=times) == SubmittedAt(given, GIVEN)
    by_file = submission_time(sub, names=("alice",), times=times)
    assert by_file.source == TIMES_FILE and by_file.time == datetime(2027, 3, 24, 8, 0, tzinfo=UTC)
    mtime = submission_time(sub, names=("bob",), times=times)
    assert mtime.source == FILE_TIME and mtime.time >= datetime.fromtimestamp(1_800_000_000, UTC)
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@x", GIT_COMMITTER_NAME="a",
               GIT_COMMITTER_EMAIL="a@x", GIT_COMMITTER_DATE="2027-03-22T23:00:00+01:00",
               GIT_AUTHOR_DATE="2027-03-22T23:00:00+01:00", GIT_CONFIG_GLOBAL=os.devnull)
    for step in (["init", "-q"], ["add", "-A"], ["-c", "commit.gpgsign=false", "commit", "-qm", "mine"]):
        subprocess.run(["git", *step], cwd=sub, env=env, check=True, capture_output=True)
    committed = submission_time(sub, names=("alice",))
    assert committed.source == GIT_COMMIT and committed.time == datetime(2027, 3, 22, 22, 0, tzinfo=UTC)


@pytest.mark.parametrize("content, message", [
    ("name,when\nalice,2027-01-01T00:00Z\n", "needs a column naming the submission or student"),
    ("submission,time\nalice,yesterday\n", "line 2: 'yesterday' is not an ISO 8601 time"),
    ("submission,time\nalice,2027-01-01T00:00\n", "line 2: '2027-01-01T00:00' is not an ISO 8601 time"),
])
def test_a_bad_times_file_is_one_line_saying_what_to_fix(tmp_path, content, message):
    path = tmp_path / "times.csv"
    path.write_text(content)
    with pytest.raises(TimesError, match=message) as caught:
        load_times(path)
    assert "\n" not in str(caught.value)


def results(points: dict[str, tuple[float, float]], problems: dict | None = None, outputs: dict | None = None) -> dict:
    """Two checks per exercise: 'a' worth 2 and 'b' the rest; ``points`` is (got, most) per exercise."""
    tests = []
    for exercise, (got, most) in points.items():
        a = min(got, 2.0)
        for name, score, worth in (("a", a, 2.0), ("b", got - a, most - 2.0)):
            tests.append({"name": f"{exercise}: {name}", "score": score, "max_score": worth,
                          "status": "passed" if score == worth else "failed",
                          "output": (outputs or {}).get(exercise, "" if score == worth else "wrong value"),
                          "visibility": "visible", "tags": [exercise, "public"]})
    return {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests),
            "execution_time": 0.1, "tests": tests,
            "extra_data": {"submission": "s", "seed": 1, "problems": problems or {}}}


FULL = {"gradient_step": (10.0, 10.0), "calc_preds": (10.0, 10.0), "fill_missing_with_mode": (10.0, 10.0),
        "f1_at_threshold": (10.0, 10.0)}


def record(book, student, when, points=FULL, **extra):
    return book.record(NewAttempt(student, "week5", f"{student}.py", "c", "k", results(points, **extra), "0.1.0",
                                  when.isoformat() if when else None, "given"))


@pytest.fixture
def book(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        book.set_assignments(load_assignments())
        yield book


def test_late_work_loses_the_policys_percent_per_day_and_nothing_after_the_last_day(book):
    due = WEEK5.due
    cases = {"ontime": due, "grace": due + timedelta(minutes=15), "oneday": due + timedelta(minutes=16),
             "twodays": due + timedelta(days=1, hours=1), "fivedays": due + timedelta(days=5),
             "toolate": due + timedelta(days=5, minutes=16), "unknown": None}
    for student, when in cases.items():
        record(book, student, when)
    got = {s: (st.days_late, st.penalty, st.final_score) for (s, _), st in book.standings("week5").items()}
    assert got == {"ontime": (0, 0, 40), "grace": (0, 0, 40), "oneday": (1, 4, 36), "twodays": (2, 8, 32),
                   "fivedays": (5, 20, 20), "toolate": (6, 40, 0), "unknown": (0, 0, 40)}
    standing = book.standing("oneday", "week5")
    assert standing.raw_score == 40 and standing.max_score == 40 and standing.submitted_source == "given"
    assert standing.deadline == "2027-03-22T23:59:00+00:00"
    # the same figures through plain SQL
    row = book.db.execute("SELECT raw_score, penalty, final_score FROM current_results WHERE student = 'twodays'")
    assert row.fetchone() == (40.0, 8.0, 32.0)


def test_an_extension_moves_one_students_deadline_and_the_penalty_with_it(book):
    record(book, "alice", WEEK5.due + timedelta(days=1, hours=1))
    record(book, "bob", WEEK5.due + timedelta(days=1, hours=1))
    assert book.standing("alice", "week5").final_score == 32
    extend_deadline(book, "alice", "week5", days=2)
    assert book.deadline("alice", "week5") == "2027-03-24T23:59:00+00:00"
    assert book.standing("alice", "week5").final_score == 40 and book.standing("bob", "week5").final_score == 32
    extend_deadline(book, "alice", "week5", until="2027-03-23T12:00+02:00")  # the latest given counts
    assert book.deadline("alice", "week5") == "2027-03-23T10:00:00+00:00"
    assert book.standing("alice", "week5").days_late == 1
    with pytest.raises(AdjustError, match="either --until"):
        extend_deadline(book, "alice", "week5")
    with pytest.raises(AdjustError, match="no student 'zed'"):
        extend_deadline(book, "zed", "week5", days=1)
    with pytest.raises(AdjustError, match="is not an ISO 8601 time"):
        extend_deadline(book, "alice", "week5", until="friday")


# ----------------------------------------------------------------------- 4. adjustments and dropped checks


def test_adjustments_are_kept_with_their_reason_and_time_and_summed(book):
    record(book, "alice", WEEK5.due)
    adjust_points(book, "alice", "week5", -2, "plot copied from the notes")
    now = adjust_points(book, "alice", "week5", 0.5, "nice comments")
    assert now.final_score == 38.5 and now.adjustments == -1.5
    history = book.adjustments("alice", "week5")
    assert [(a.points, a.reason) for a in history] == [(-2, "plot copied from the notes"), (0.5, "nice comments")]
    assert all(datetime.fromisoformat(a.made_at).tzinfo for a in history)
    results = book.standing_results(book.latest("alice", "week5").id)
    assert results["score"] == 38.5 and results["extra_data"]["standing"]["adjustment_list"][0]["points"] == -2
    with pytest.raises(AdjustError, match="give the reason"):
        adjust_points(book, "alice", "week5", 1, "  ")


def test_a_dropped_check_gives_its_points_or_leaves_the_total_and_can_be_undone(book):
    record(book, "alice", WEEK5.due, {**FULL, "calc_preds": (2.0, 10.0)})
    record(book, "bob", WEEK5.due)
    graded = book.db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0]
    outcome = drop_check(book, "week5", "calc_preds: b")
    assert (outcome.before["alice"], outcome.after["alice"], outcome.after["bob"]) == (32, 40, 40)
    assert book.standing("alice", "week5").max_score == 40
    shown = book.standing_results(book.latest("alice", "week5").id)
    assert next(t for t in shown["tests"] if t["name"] == "calc_preds: b")["score"] == 8.0
    with pytest.raises(AdjustError, match="already dropped"):
        drop_check(book, "week5", "calc_preds: b", remove=True)
    drop_check(book, "week5", "calc_preds: b", undo=True)
    assert book.standing("alice", "week5").final_score == 32
    drop_check(book, "week5", "calc_preds: b", remove=True)
    assert (book.standing("alice", "week5").final_score, book.standing("alice", "week5").max_score) == (32, 32)
    assert book.standing("bob", "week5").final_score == 32
    drop_check(book, "week5", "calc_preds: b", undo=True)
    assert book.standing("alice", "week5").final_score == 32 and book.standing("bob", "week5").final_score == 40
    assert book.db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == graded   # nothing graded again
    assert book.db.execute("SELECT COUNT(*) FROM dropped_checks").fetchone()[0] == 2  # history kept
    with pytest.raises(AdjustError, match="matches several checks"):
        drop_check(book, "week5", "b")
    with pytest.raises(AdjustError, match="is not a check of this assignment"):
        drop_check(book, "week5", "calc_preds: zz")


def test_each_exercise_is_passed_failed_not_attempted_or_not_graded(book):
    points = {"gradient_step": (10.0, 10.0), "calc_preds": (4.0, 10.0), "fill_missing_with_mode": (0.0, 10.0),
              "f1_at_threshold": (0.0, 10.0)}
    problems = {"fill_missing_with_mode": "no file for this exercise: expected week5/fill_missing_with_mode.py",
                "f1_at_threshold": "loading week5/f1_at_threshold.py raised SyntaxError at line 3"}
    attempt = record(book, "alice", WEEK5.due, points, problems=problems)
    expected = {"gradient_step": "passed", "calc_preds": "failed", "fill_missing_with_mode": "not attempted",
                "f1_at_threshold": "not graded"}
    assert book.exercise_results(attempt) == expected
    stub = results({"calc_preds": (0.0, 10.0)}, outputs={"calc_preds": "not written yet: calc_preds raises "
                                                                       "NotImplementedError"})
    assert exercise_outcomes(stub) == {"calc_preds": ("not attempted", 0.0, 10.0)}
    # The instructor's questions in plain SQL, through the documented view and table.
    rows = book.db.execute("""SELECT r.student, e.status FROM current_results r
        JOIN exercise_results e ON e.attempt = r.attempt
        WHERE r.assignment = 'week5' AND e.exercise = 'f1_at_threshold'""").fetchall()
    assert rows == [("alice", "not graded")]


def test_a_version_4_gradebook_migrates_to_5_and_its_attempts_are_never_late(tmp_path):
    path = tmp_path / "old.db"
    with Gradebook(path) as book:
        record(book, "alice", WEEK5.due + timedelta(days=3), {**FULL, "calc_preds": (2.0, 10.0)})
    db = sqlite3.connect(path)  # take it back to version 4, as an older grader left it
    for statement in ("DROP VIEW current_results", "DROP VIEW check_results", "DROP TABLE exercise_results",
                      "DROP TABLE extensions", "DROP TABLE adjustments", "DROP TABLE dropped_checks",
                      "DROP TABLE assignments", "ALTER TABLE students DROP COLUMN identities", "ALTER TABLE attempts DROP COLUMN submitted_at",
                      "ALTER TABLE attempts DROP COLUMN submitted_source", "PRAGMA user_version = 4"):
        db.execute(statement)
    db.commit()
    db.close()
    with Gradebook(path) as book:
        assert book.version == 6
        standing = book.standing("alice", "week5")
        assert (standing.raw_score, standing.penalty, standing.final_score, standing.submitted_at) == (32, 0, 32, None)
        assert book.exercise_results(standing.attempt)["calc_preds"] == "failed"


# ----------------------------------------------------------------------- one week, graded for real


def test_week5_graded_extended_adjusted_dropped_and_exported(tmp_path, monkeypatch):
    monkeypatch.setenv("GRADER_COURSE", str(COURSE))
    subs = tmp_path / "subs"
    (subs / "alice" / "week5").mkdir(parents=True)
    for e in assignment_exercises("week5"):
        shutil.copy(COURSE / "solutions" / e.path, subs / "alice" / e.path)
    shutil.copy(COURSE / "examples" / "class" / "bob.py", subs / "bob.py")
    times = tmp_path / "times.csv"
    times.write_text("submission,time\nalice,2027-03-23T10:00+00:00\nbob,2027-03-22T20:00+00:00\n")
    book = tmp_path / "gb.db"
    result = run("grade", subs / "alice", subs / "bob.py", "--assignment", "week5", "--gradebook", book,
                 "--times", times, "--seed", "1", "-j", "1")
    assert result.exit_code == 0, result.output
    assert "not defined" not in result.output and "/260" not in result.output
    assert "40/40" in result.output and "-4 (1 day late)" in result.output and "36/40" in result.output
    assert run("extend", "alice", "--assignment", "week5", "--days", "1", "--gradebook", book).exit_code == 0
    result = run("adjust", "bob", "--assignment", "week5", "--points", "-2", "--reason", "no comments",
                 "--gradebook", book)
    assert result.output.strip() == "Adjusted bob's week5 by -2 points: now 38/40."
    result = run("drop-check", "calc_preds: coeffs of shape k", "--assignment", "week5", "--remove",
                 "--gradebook", book)
    assert result.exit_code == 0 and "removed from the total" in result.output
    result = run("export", "--format", "csv", "--assignment", "week5", "--gradebook", book)
    rows = {r["student"]: r for r in csv.DictReader(io.StringIO(result.output))}
    assert list(rows["alice"])[4:] == ["gradient_step", "calc_preds", "fill_missing_with_mode", "f1_at_threshold",
                                       "raw", "late_penalty", "adjustments", "total", "max_score"]
    assert [rows["alice"][k] for k in ("raw", "late_penalty", "adjustments", "total", "max_score")] == \
        ["38", "0", "0", "38", "38"]
    assert [rows["bob"][k] for k in ("raw", "late_penalty", "adjustments", "total")] == ["38", "0", "-2", "36"]
    result = run("export", "--format", "moodle", "--id", "username", "--assignment", "week5", "--gradebook", book)
    assert "adjusted -2 (no comments); total 36/38" in result.output
    result = run("feedback", "--assignment", "week5", "--gradebook", book, "--out", tmp_path / "fb")
    text = (tmp_path / "fb" / "bob.md").read_text()
    assert "**Score: 36 / 38**" in text and "Adjusted -2 points: no comments" in text
    result = run("report", "--assignment", "week5", "--gradebook", book, "--out", tmp_path / "report.html")
    page = (tmp_path / "report.html").read_text()
    assert result.exit_code == 0 and "Adjusted -2 points: no comments" in page and "<th class=n>late</th>" in page
    with Gradebook(book) as opened:
        assert opened.standing("alice", "week5").submitted_source == "times file"
    result = run("drop-check", "calc_preds: coeffs of shape k", "--assignment", "week5", "--undo", "--gradebook", book)
    assert result.exit_code == 0
    result = run("export", "--format", "canvas", "--assignment", "week5", "--gradebook", book)
    assert result.output.splitlines()[1].endswith(",40") and result.output.splitlines()[3].endswith(",38")


# ----------------------------------------------------------------------- releasing week by week


def _git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="s", GIT_AUTHOR_EMAIL="s@x", GIT_COMMITTER_NAME="s",
               GIT_COMMITTER_EMAIL="s@x", GIT_CONFIG_GLOBAL=os.devnull)
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True, text=True).stdout


def test_release_week_by_week_into_the_students_repository_keeps_their_work(tmp_path):
    dest = tmp_path / "dl-course"
    release_course(COURSE, dest, ReleaseOptions(git=True, assignments=("week1",)))
    assert sorted(p.name for p in (dest / "exercises").iterdir()) == ["week1"]
    assert sorted(p.name for p in (dest / "notebooks").iterdir()) == ["week1.ipynb"]
    checks = sorted(p.name for p in (dest / "grader" / "checks").glob("check_*.py"))
    assert checks == ["check_bmi.py", "check_count_dense_parameters.py", "check_fit_multiplier.py",
                      "check_loss_slope.py"]
    assert 'id = "value"' not in (dest / "grader" / "exercises.toml").read_text()
    # The student works: a solved exercise committed, a notebook edited, a file changed and not committed.
    mine = (COURSE / "solutions" / "week1" / "bmi.py").read_text()
    (dest / "exercises" / "week1" / "bmi.py").write_text(mine)
    notebook = (dest / "notebooks" / "week1.ipynb").read_text()
    (dest / "notebooks" / "week1.ipynb").write_text(notebook.replace("Week 1", "My week 1", 1))
    _git(dest, "commit", "-qam", "my bmi")
    (dest / "exercises" / "week1" / "parameters.py").write_text("# half done\n")
    readme = (dest / "README.md").read_text()
    summary = release_course(COURSE, dest, ReleaseOptions(git=True, assignments=("week1", "week2")))
    assert "exercises/week2/value.py" in summary.added and "notebooks/week2.ipynb" in summary.added
    assert set(summary.kept) == {"exercises/week1/bmi.py", "exercises/week1/parameters.py", "notebooks/week1.ipynb"}
    assert "README.md" in summary.updated and (dest / "README.md").read_text() != readme
    assert (dest / "exercises" / "week1" / "bmi.py").read_text() == mine
    assert (dest / "exercises" / "week1" / "parameters.py").read_text() == "# half done\n"
    assert "My week 1" in (dest / "notebooks" / "week1.ipynb").read_text()
    assert (dest / "grader" / "checks" / "check_value.py").is_file()
    assert _git(dest, "status", "--short").strip() == "M exercises/week1/parameters.py"  # their work, uncommitted
    log = _git(dest, "log", "--format=%s").splitlines()
    assert log == ["Released week1, week2", "my bmi", "The course, as released"]
    # A third release still knows bmi.py is theirs (the second release commit did not write it).
    summary = release_course(COURSE, dest, ReleaseOptions(git=False, assignments=("week1", "week2", "week3")))
    assert "exercises/week1/bmi.py" in summary.kept and "exercises/week3/model.py" in summary.added
    assert (dest / "exercises" / "week1" / "bmi.py").read_text() == mine


def test_release_refuses_an_unknown_assignment_and_a_folder_release_did_not_make(tmp_path):
    with pytest.raises(ReleaseError, match="unknown assignment 'week9'"):
        release_course(COURSE, tmp_path / "x", ReleaseOptions(assignments=("week9",)))
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    with pytest.raises(ReleaseError, match=r"not an empty folder; choose a new folder \(or the students' repository"):
        release_course(COURSE, other, ReleaseOptions(assignments=("week1",)))


def test_gradebook_errors_for_times_without_offsets(book):
    with pytest.raises(GradebookError, match="no UTC offset"):
        book.extend("alice", "week5", "2027-03-23T12:00")


def test_dating_a_git_submission_runs_no_program_its_git_config_names(tmp_path):
    """A submission's .git/config asks `git log` to verify signatures with a program of its own (plain `git log`
    runs it); dating the submission must not."""
    sub = tmp_path / "mallory"
    sub.mkdir()
    (sub / "a.py").write_text("x = 1\n")
    _git(sub, "init", "-q")
    _git(sub, "add", "a.py")
    _git(sub, "-c", "commit.gpgsign=false", "commit", "-qm", "one")
    tree = _git(sub, "rev-parse", "HEAD^{tree}").strip()
    body = (f"tree {tree}\nauthor a <a@x> 1800000000 +0000\ncommitter a <a@x> 1800000000 +0000\n"
            "gpgsig -----BEGIN PGP SIGNATURE-----\n \n abc\n -----END PGP SIGNATURE-----\n\nsigned\n")
    commit = subprocess.run(["git", "hash-object", "-t", "commit", "-w", "--stdin"], cwd=sub, input=body, text=True,
                            capture_output=True, check=True).stdout.strip()
    _git(sub, "update-ref", "HEAD", commit)
    marker = tmp_path / "ran"
    program = tmp_path / "gpg.sh"
    program.write_text(f"#!/bin/sh\ntouch {marker}\n")
    program.chmod(0o755)
    _git(sub, "config", "log.showSignature", "true")
    _git(sub, "config", "gpg.program", str(program))
    _git(sub, "config", "core.pager", f"{program} #")
    _git(sub, "log", "-1", "--format=%cI")
    assert marker.exists()  # the trap works on plain git
    marker.unlink()
    dated = submission_time(sub, names=("mallory",))
    assert dated == SubmittedAt(datetime.fromtimestamp(1_800_000_000, UTC), GIT_COMMIT) and not marker.exists()
