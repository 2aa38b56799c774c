"""Exports, each checked against its importer's documented rules rather than against its own output.

Canvas (Instructure's "How do I import grades in the Gradebook?", and university guides
based on it): the file is CSV with the columns Student, ID, SIS User ID, SIS Login ID and
Section (a student is found by the name, the ID or the SIS User ID: at least one is
needed), then one column per assignment; a second row whose first cell is
"Points Possible" gives each assignment's points; a column titled "Name (id)" updates
that existing assignment, and any other title makes a new assignment.

Moodle ("Grade import", CSV import): the teacher maps one identity column ("Map from",
e.g. the e-mail address, which Moodle compares case-sensitively, or the username) and
maps each other column to a grade item or to its feedback; grades are numbers within the
item's range (above its maximum only with site settings); when importing feedback,
import the grade with it; the standard encoding is UTF-8 and the separator a comma.
"""

import csv
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.course import load_exercises
from grader.gradebook import Gradebook, NewAttempt, Student
from grader.reports.export import FORMATS, ExportError, collect

COURSE = Path(__file__).resolve().parents[1]
EXERCISES = load_exercises()
TOTAL = sum(e.points for e in EXERCISES)  # the course's points: every exercise is in the results
IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")


def results(points: dict[str, float], hidden_fail: str | None = None) -> dict:
    """A results.json in the grader's form: per exercise one public and one hidden check."""
    tests = []
    for exercise in EXERCISES:
        got = points.get(exercise.id, exercise.points)
        half = exercise.points / 2
        for kind, share in (("public", min(got, half)), ("hidden", max(got - half, 0.0))):
            tests.append({"name": f"{exercise.id}: {kind} check", "score": share, "max_score": half,
                          "status": "passed" if share == half else "failed",
                          "output": "" if share == half else f"expected 1, got 2 ({kind})",
                          "visibility": "visible" if kind == "public" else "after_published",
                          "tags": [exercise.id, kind]})
    return {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests),
            "execution_time": 0.5, "visibility": "visible", "stdout_visibility": "hidden", "tests": tests,
            "extra_data": {"submission": "x", "seed": 7}}


@pytest.fixture
def book(tmp_path):
    with Gradebook(tmp_path / "gb.db") as gradebook:
        gradebook.set_roster([
            Student("alice", "Doe, Alice", "Alice.Doe@Example.edu", "A"),
            Student("bob", "Bob \"the\" Builder", "bob@example.edu", "B"),
            Student("chloé", "Chloé Ünal", "chloe@example.edu", "A"),
            Student("zed", "Zed Absent", "zed@example.edu", "B"),
        ])
        for student, points in (("alice", {}), ("bob", {"calc_preds": 2.5, "triple_relu": 0.0}),
                                ("chloé", {"f1_at_threshold": 7.5})):
            gradebook.record(NewAttempt(student, "week5", f"{student}.py", "c", "k", results(points), "0.1.0"))
        yield gradebook


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def render(book, fmt, **kwargs):
    (text,) = FORMATS[fmt].render(collect(book, "week5", EXERCISES, **kwargs)).values()
    return text


def test_csv_has_one_row_per_student_a_column_per_exercise_and_the_total(book):
    rows = list(csv.DictReader(io.StringIO(render(book, "csv"))))
    assert [r["student"] for r in rows] == ["alice", "bob", "chloé", "zed"]
    for row in rows[:3]:
        assert float(row["total"]) == sum(float(row[e.id]) for e in EXERCISES)
    bob = rows[1]
    # bob loses triple_relu's 10 points and 7.5 of calc_preds', and has every other exercise right
    assert (bob["triple_relu"], bob["calc_preds"], bob["total"], bob["max_score"]) == (
        "0", "2.5", f"{TOTAL - 17.5:g}", f"{TOTAL:g}")
    assert rows[3]["total"] == "" and rows[3]["name"] == "Zed Absent"  # on the roster, no submission: blank


def test_canvas_header_points_possible_row_and_student_rows(book):
    rows = parse(render(book, "canvas"))
    header, points = rows[0], rows[1]
    assert tuple(header[:5]) == IDENTITY and len(header) == 6
    assert points[0] == "Points Possible" and points[1:5] == ["", "", "", ""] and float(points[5]) == TOTAL
    students = rows[2:]
    assert len(students) == 3  # zed has no submission: no grade is sent for him
    for row in students:
        assert any(row[:3]), "Canvas needs the student's name, ID or SIS User ID"
        assert len(row) == len(header)
        float(row[5])
    by_sis = {r[2]: r for r in students}
    assert by_sis["bob"][5] == f"{TOTAL - 17.5:g}" and by_sis["alice"][4] == "A" and by_sis["alice"][3] == "Alice.Doe@Example.edu"


def test_canvas_title_matches_an_existing_assignment_only_with_its_id(book):
    existing = parse(render(book, "canvas", lms_id="4711"))[0][5]
    assert re.fullmatch(r"(.+) \((\d+)\)", existing).groups() == ("week5", "4711")
    new = parse(render(book, "canvas"))[0][5]
    assert new == "week5" and not re.search(r"\(\d+\)$", new)  # a new assignment named week5
    with pytest.raises(ExportError, match="not a number"):
        render(book, "canvas", lms_id="week5")


def test_canvas_quotes_commas_and_quotes_as_csv_does(book):
    text = render(book, "canvas")
    assert '"Doe, Alice"' in text and '"Bob ""the"" Builder"' in text
    names = [r[0] for r in parse(text)[2:]]
    assert "Doe, Alice" in names and 'Bob "the" Builder' in names


def test_moodle_identity_grade_and_feedback_columns(book):
    text = render(book, "moodle")
    text.encode("utf-8")
    rows = parse(text)
    assert rows[0] == ["Email address", "week5", "week5 (Feedback)"]
    emails = [r[0] for r in rows[1:]]
    assert emails == ["Alice.Doe@Example.edu", "bob@example.edu", "chloe@example.edu"]  # case kept
    assert len(set(emails)) == len(emails)
    for row in rows[1:]:
        assert re.fullmatch(r"\d+(\.\d+)?", row[1]) and 0 <= float(row[1]) <= TOTAL
        assert row[2], "Moodle: import the feedback together with the grade"
    bob = rows[2]
    assert "calc_preds 2.5/10" in bob[2] and "triple_relu 0/10 (failed: public check, hidden check)" in bob[2]
    assert "expected 1" not in bob[2]  # the names of failed checks, never their outputs


def test_moodle_uses_usernames_when_a_student_has_no_email(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(NewAttempt("Ümit", "week5", "Ümit.py", "c", "k", results({}), "0.1.0"))
        rows = parse(render(book, "moodle"))
    assert rows[0][0] == "Username" and rows[1][:2] == ["Ümit", f"{TOTAL:g}"]


def test_gradescope_writes_the_stored_results_per_student(book):
    files = FORMATS["gradescope"].render(collect(book, "week5", EXERCISES))
    assert sorted(files) == ["alice.json", "bob.json", "chloé.json"]
    bob = json.loads(files["bob.json"])
    assert bob == book.standing_results(book.latest("bob", "week5").id)  # as it stands (schema 5)
    for test in bob["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)


def test_cells_from_submission_names_cannot_become_formulas(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(NewAttempt("=HYPERLINK(\"http://x\")", "week5", "s.py", "c", "k", results({}), "0.1.0"))
        book.record(NewAttempt("+1\x1b[31m", "week5", "t.py", "c", "k", results({}), "0.1.0"))
        for fmt in ("csv", "canvas", "moodle"):
            cells = [c for row in parse(render(book, fmt)) for c in row]
            assert not [c for c in cells if c[:1] in ("=", "+", "-", "@")], fmt
            assert not [c for c in cells if "\x1b" in c], fmt


def test_an_empty_assignment_says_what_to_do(book):
    with pytest.raises(ExportError, match="no results for the assignment 'week9'; it has 'week5'"):
        collect(book, "week9", EXERCISES)


# ----------------------------------------------------------------------- the command


@pytest.fixture
def course(tmp_path, monkeypatch):
    for folder in ("exercises", "solutions"):
        shutil.copytree(COURSE / folder, tmp_path / folder)
    monkeypatch.setenv("GRADER_COURSE", str(tmp_path))
    return tmp_path


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_export_gradescope_equals_what_grade_out_writes(course, tmp_path):
    good = tmp_path / "good.py"
    good.write_text("\n\n".join((course / "solutions" / e.path).read_text() for e in EXERCISES))
    wrong = tmp_path / "wrong.py"
    wrong.write_text("import torch\ndef calc_preds(coeffs, indeps):\n    return indeps @ coeffs\n")
    result = run("grade", str(good), str(wrong), "--out", str(tmp_path / "out"), "--seed", "3", "-j", "2")
    assert result.exit_code == 0, result.output
    result = run("export", "--format", "gradescope", "--out", str(tmp_path / "gs"))
    assert result.exit_code == 0, result.output
    for name in ("good.json", "wrong.json"):
        assert json.loads((tmp_path / "gs" / name).read_text()) == json.loads((tmp_path / "out" / name).read_text())
    result = run("export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [(r["student"], r["total"], r["calc_preds"]) for r in rows] == [("good", f"{TOTAL:g}", "10"), ("wrong", "0", "0")]
    out = tmp_path / "canvas.csv"
    assert run("export", "--format", "canvas", "--out", str(out)).exit_code == 0
    assert parse(out.read_text(encoding="utf-8"))[1][0] == "Points Possible"


def test_export_errors_are_one_line(course, tmp_path):
    result = run("export", "--format", "csv", "--gradebook", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "there is no gradebook at" in result.output
    assert len(result.output.strip().splitlines()) == 1
    result = run("export", "--format", "gradescope", "--gradebook", str(tmp_path / "none.db"))
    assert result.exit_code == 1 and "give --out DIR" in result.output


def test_gradescope_file_names_are_safe_and_distinct(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        for student in ("a b", "a_b", "../etc/passwd"):
            book.record(NewAttempt(student, "week5", "s.py", "c", "k", results({}), "0.1.0"))
        files = FORMATS["gradescope"].render(collect(book, "week5", EXERCISES))
    assert sorted(files) == ["_etc_passwd.json", "a_b-2.json", "a_b.json"]
