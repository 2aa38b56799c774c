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
from grader.gradebook import RosterError, load_roster
from grader.reports.export import (FORMATS, ExportError, ExportOptions, collect, collect_course, folder_assignments,
                                   notes)

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
    assert '"Doe, Alice"' in text and '"Builder, Bob ""the"""' in text
    names = [r[0] for r in parse(text)[2:]]
    assert names == ["Doe, Alice", 'Builder, Bob "the"', "Ünal, Chloé"]  # "Last, First", as Canvas lists them


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


def test_moodle_identity_is_the_instructors_choice_never_switched(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        book.set_roster([Student("s1", "Ann Lee", "ann@x.edu"), Student("s2", "Ümit Öz", "")])
        for student in ("s1", "s2"):
            book.record(NewAttempt(student, "week5", f"{student}.py", "c", "k", results({}), "0.1.0"))
        data = collect(book, "week5", EXERCISES)
        rows = parse(FORMATS["moodle"].render(data)["week5-moodle.csv"])
        # One student lacks an e-mail address: the column stays the e-mail, and that student is left out
        # (an empty identity would stop Moodle's whole import), with a note saying so.
        assert rows[0][0] == "Email address" and [r[0] for r in rows[1:]] == ["ann@x.edu"]
        assert notes(data, "moodle") == ["Left out, no email address on the roster: s2 (fill it in, or choose "
                                         "another --id)"]
        for key, column in (("username", "Username"), ("idnumber", "ID number")):
            rows = parse(render(book, "moodle", options=ExportOptions(moodle_id=key)))
            assert rows[0][0] == column and [r[0] for r in rows[1:]] == ["s1", "s2"]


def test_moodle_by_email_without_any_address_says_what_to_do(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        book.record(NewAttempt("Ümit", "week5", "Ümit.py", "c", "k", results({}), "0.1.0"))
        with pytest.raises(ExportError, match="with the Email address column: give the gradebook a roster with "
                                              "e-mail addresses .grader grade --roster., or choose --id username"):
            render(book, "moodle")
        rows = parse(render(book, "moodle", options=ExportOptions(moodle_id="username")))
    assert rows[0][0] == "Username" and rows[1][:2] == ["Ümit", f"{TOTAL:g}"]


def test_moodle_and_canvas_leave_out_submissions_not_on_the_roster(book):
    book.record(NewAttempt("mallory", "week5", "mallory.py", "c", "k", results({}), "0.1.0"))
    data = collect(book, "week5", EXERCISES)
    for fmt, column in (("moodle", 0), ("canvas", 2)):
        cells = [r[column] for r in parse(FORMATS[fmt].render(data)[f"week5-{fmt}.csv"])]
        assert "mallory" not in cells and "bob" in " ".join(cells) and "bob" in cells[-2] + cells[-1] + cells[-3]
        assert notes(data, fmt)[0] == f"Left out, not on the roster ({fmt} would reject them): mallory"
    assert "mallory" in [r[0] for r in parse(render(book, "csv"))]  # the spreadsheet keeps everyone


def test_moodle_grades_are_scaled_to_the_grade_items_maximum(book):
    plain = {r[0]: float(r[1]) for r in parse(render(book, "moodle"))[1:]}
    assert plain["bob@example.edu"] == TOTAL - 17.5            # the points, out of the points possible
    scaled = {r[0]: r[1] for r in parse(render(book, "moodle", options=ExportOptions(scale=100)))[1:]}
    def shown(value: float) -> str:  # as the export writes a number: 4 decimals at most, no trailing zeros
        return f"{value:.4f}".rstrip("0").rstrip(".")

    assert scaled == {"Alice.Doe@Example.edu": "100", "bob@example.edu": shown((TOTAL - 17.5) / TOTAL * 100),
                      "chloe@example.edu": shown((TOTAL - 2.5) / TOTAL * 100)}
    # The assignment's points (from the course's assignment table, once it has one), unless --scale is given.
    by_points = {r[0]: float(r[1]) for r in parse(render(book, "moodle", options=ExportOptions(points=50)))[1:]}
    assert by_points["Alice.Doe@Example.edu"] == 50 and 0 < by_points["bob@example.edu"] < 50
    assert parse(render(book, "canvas", options=ExportOptions(scale=100)))[1][5] == "100"
    with pytest.raises(ExportError, match="--scale 0: give the grade item's maximum"):
        render(book, "moodle", options=ExportOptions(scale=0))


@pytest.mark.parametrize("missing, cell", [("0", "0"), ("EX", "EX"), ("blank", None)])
def test_canvas_missing_students_get_0_ex_or_no_row(book, missing, cell):
    data = collect(book, "week5", EXERCISES, options=ExportOptions(missing=missing))
    rows = {r[2]: r for r in parse(FORMATS["canvas"].render(data)["week5-canvas.csv"])[2:]}
    if cell is None:
        assert "zed" not in rows and notes(data, "canvas") == ["Not exported, no submission: zed"]
    else:
        assert rows["zed"] == ["Absent, Zed", "", "zed", "zed@example.edu", "B", cell] and notes(data, "canvas") == []
    assert rows["alice"][5] == f"{TOTAL:g}"


CANVAS_EXPORT = (
    "Student,ID,SIS User ID,SIS Login ID,Section,Week 5 (4711),Current Score\r\n"
    "    Points Possible,,,,,260,(read only)\r\n"
    '"Archer, Alice",101,S-001,alice@uni.edu,Lab A,,\r\n'
    '"Baker, Bob",102,,bbaker,Lab B,,\r\n'
    '"Student, Test",999,,,,,\r\n')
MOODLE_EXPORT = ("First name,Last name,ID number,Institution,Department,Email address,Username\n"
                 "Alice,Archer,S-001,,,Alice@uni.edu,aarcher\n"
                 "Bob,Baker,,,,bob@uni.edu,bbaker\n")


def test_rosters_exported_from_canvas_and_moodle_are_read_by_their_header(tmp_path):
    canvas = tmp_path / "canvas.csv"
    canvas.write_text(CANVAS_EXPORT, encoding="utf-8")
    roster = load_roster(canvas)
    assert [(s.id, s.name, s.email, s.section) for s in roster.students] == [
        ("S-001", "Archer, Alice", "alice@uni.edu", "Lab A"), ("bbaker", "Baker, Bob", "", "Lab B")]
    assert roster.match("alice").id == "S-001" and roster.match("BBaker").id == "bbaker"
    with Gradebook(tmp_path / "gb.db") as book:
        book.set_roster(roster.students)
        book.record(NewAttempt("S-001", "week5", "alice.py", "c", "k", results({}), "0.1.0"))
        book.record(NewAttempt("bbaker", "week5", "bbaker.py", "c", "k", results({"bmi": 0}), "0.1.0"))
        rows = parse(render(book, "canvas", lms_id="4711"))
    # Canvas finds its students again by the very cells it exported.
    assert rows[2][:5] == ["Archer, Alice", "101", "S-001", "alice@uni.edu", "Lab A"]
    assert rows[3][:5] == ["Baker, Bob", "102", "", "bbaker", "Lab B"] and rows[3][5] == f"{TOTAL - 10:g}"

    moodle = tmp_path / "moodle.csv"
    moodle.write_text(MOODLE_EXPORT, encoding="utf-8")
    roster = load_roster(moodle)
    assert [(s.id, s.name, s.email) for s in roster.students] == [("aarcher", "Alice Archer", "Alice@uni.edu"),
                                                                   ("bbaker", "Bob Baker", "bob@uni.edu")]
    assert roster.match("alice").id == "aarcher"   # the e-mail address's local part
    with Gradebook(tmp_path / "gb2.db") as book:
        book.set_roster(roster.students)
        for student in ("aarcher", "bbaker"):
            book.record(NewAttempt(student, "week5", f"{student}.py", "c", "k", results({}), "0.1.0"))
        by_number = collect(book, "week5", EXERCISES, options=ExportOptions(moodle_id="idnumber"))
        rows = parse(FORMATS["moodle"].render(by_number)["week5-moodle.csv"])
        assert rows[0][0] == "ID number" and [r[0] for r in rows[1:]] == ["S-001"]  # Bob has no ID number in Moodle
        assert notes(by_number, "moodle") == ["Left out, no id number on the roster: bbaker (fill it in, or choose "
                                              "another --id)"]
        assert [r[0] for r in parse(render(book, "moodle"))[1:]] == ["Alice@uni.edu", "bob@uni.edu"]


def test_a_file_that_is_no_roster_says_which_headers_are_read(tmp_path):
    other = tmp_path / "other.csv"
    other.write_text("name,score\nx,1\n")
    with pytest.raises(RosterError, match="or be Canvas's gradebook export, or Moodle's participants"):
        load_roster(other)


def test_the_course_csv_has_a_column_per_assignment_and_quiz(tmp_path):
    with Gradebook(tmp_path / "gb.db") as book:
        book.set_roster([Student("alice", "Alice A"), Student("bob", "Bob B"), Student("zed", "Zed Z")])
        book.record(NewAttempt("alice", "default", "alice.py", "c", "k", results({"bmi": 4, "calc_preds": 0}), "v"))
        book.record(NewAttempt("bob", "default", "bob.py", "c", "k", results({}), "v"))
        # week5 graded again on its own later: its column takes that run's results
        book.record(NewAttempt("bob", "week5", "bob.py", "c", "k", results({"calc_preds": 1}), "v"))
        book.record_quiz("alice", "week3a-pytorch-basics", {}, [{"id": "q1", "score": 2.0, "max_score": 3.0,
                                                                 "status": "scored"}])
        book.record_quiz("bob", "lab5-quiz", {}, [{"id": "q1", "score": 1.0, "max_score": 1.0, "status": "scored"}],
                         assignment="week5")
        (text,) = FORMATS["course"].render(collect_course(book, folder_assignments(EXERCISES))).values()
    rows = parse(text)
    groups = ["week1", "week2", "week3", "lab3", "week5", "lab5"]
    assert rows[0] == ["student", "name", "email", "section", *groups, "week3a-pytorch-basics", "total", "max_score"]
    most = {g: sum(e.points for e in EXERCISES if e.path.startswith(g + "/")) for g in groups}
    assert rows[1][:4] == ["Points Possible", "", "", ""]
    assert [float(c) for c in rows[1][4:10]] == [most[g] for g in groups[:4]] + [most["week5"] + 1, most["lab5"]]
    by_student = {r[0]: dict(zip(rows[0], r)) for r in rows[2:]}
    alice, bob, zed = by_student["alice"], by_student["bob"], by_student["zed"]
    assert float(alice["week1"]) == most["week1"] - 6 and float(alice["week5"]) == most["week5"] - 10
    assert alice["week3a-pytorch-basics"] == "2" and float(alice["total"]) == TOTAL - 16 + 2
    assert float(bob["week5"]) == most["week5"] - 9 + 1 and bob["week3a-pytorch-basics"] == ""
    assert float(bob["week1"]) == most["week1"]
    assert zed["total"] == "" and zed["week1"] == ""   # on the roster, nothing graded


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
            cells = [c for row in parse(render(book, fmt, options=ExportOptions(moodle_id="username"))) for c in row]
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
