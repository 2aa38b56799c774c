"""The class report's numbers (issue 18, part 1): three states per exercise, rates and means among the
graded attempts, what to teach again, who needs help, roster names, messages cut whole."""

import re
import sqlite3

import pytest
from click.testing import CliRunner

from grader.cli import main
from grader.reports.html import ReportInputs, build_report
from grader.reports.records import GradedRecord, records_from_gradebook
from grader.reports.summary import (GRADED, NOT_ATTEMPTED, NOT_GRADABLE, exercise_states, needs_help,
                                    short_message, standing, summarize)
from report_class import make_class


def check(exercise, name, passed, output="", hidden=False, points=5.0):
    return {"name": f"{exercise}: {name}", "score": points if passed else 0.0, "max_score": points,
            "status": "passed" if passed else "failed", "output": output,
            "tags": [exercise, "hidden" if hidden else "public"]}


def record(student, tests, problems=None, name="", section=""):
    results = {"score": sum(t["score"] for t in tests), "max_score": sum(t["max_score"] for t in tests),
               "tests": tests, "extra_data": {"problems": problems or {}}}
    return GradedRecord(student, results, 0.1, name, section)


def test_each_exercise_is_in_one_of_three_states_decided_from_the_results():
    r = record("a", [
        check("bmi", "one", False, "not written yet: bmi raises NotImplementedError (week1/bmi.py, line 3) — replace the TODO"),
        check("mae", "one", False, "no file for this exercise: expected lab3/fitting.py"),
        check("softmax", "one", False, "SyntaxError in week3/activations.py, line 2: invalid syntax"),
        check("accuracy", "one", False, "accuracy(x): expected 1.0, got 0.0"),
        check("accuracy", "two", True),
        # the submission's own words never decide: this is a graded failure
        check("calc_loss", "one", False, "calc_loss(x): raised ValueError: y is not defined in z.py"),
        check("add_dummies", "one", False, "failed on a hidden input: wrong value", hidden=True),
        check("fit_quadratic", "one", False, "whatever"),
    ], problems={"fit_quadratic": "fit_quadratic is not defined in a.py", "mae": "no file for this exercise: ..."})
    assert exercise_states(r) == {"bmi": NOT_ATTEMPTED, "mae": NOT_ATTEMPTED, "softmax": NOT_GRADABLE,
                                  "accuracy": GRADED, "calc_loss": GRADED, "add_dummies": GRADED,
                                  "fit_quadratic": NOT_ATTEMPTED}


def test_the_sample_class_states(records):
    states = {r.student: exercise_states(r) for r in records}
    assert set(states["grace"].values()) == {NOT_GRADABLE}, "grace's file has a SyntaxError"
    assert states["frank"]["f1_at_threshold"] == NOT_ATTEMPTED, "frank has no file for it"
    assert states["dave"]["calc_preds"] == GRADED and states["dave"]["value"] == NOT_ATTEMPTED


def test_rates_and_means_are_among_the_graded_attempts():
    tried = [record(f"t{i}", [check("fit_quadratic", "one", i < 3), check("fit_quadratic", "two", True)]) for i in range(4)]
    skipped = [record(f"s{i}", [check("fit_quadratic", "one", False, "not written yet: fit_quadratic raises"),
                                check("fit_quadratic", "two", False, "not written yet: fit_quadratic raises")])
               for i in range(4)]
    broken = [record("b", [check("fit_quadratic", "one", False, "SyntaxError in lab3/fitting.py, line 1: x"),
                           check("fit_quadratic", "two", False, "SyntaxError in lab3/fitting.py, line 1: x")])]
    summary = summarize(tried + skipped + broken)
    stats = summary.by_exercise["fit_quadratic"]
    assert (stats.attempted, stats.not_attempted, stats.not_gradable, len(stats.graded)) == (5, 4, 1, 4)
    assert stats.mean_among_graded == pytest.approx((10 * 3 + 5) / 4)     # 8.75, not 35/9 over the class
    one = next(c for c in summary.by_check if c.name == "one")
    assert (one.passed, one.failed, one.not_attempted, one.not_gradable) == (3, 1, 4, 1)
    assert one.failure_rate == pytest.approx(0.25) and one.attempted_share == pytest.approx(5 / 9)
    assert summary.by_check[0] is one, "ranked by failure among the graded attempts, not by the missing"


def test_what_to_teach_again_ranks_by_failure_and_shows_hidden_messages():
    records = [record(f"s{i}", [check("softmax", "sums to one", i % 2 == 0, "softmax(x): expected 1.0, got 2.0"),
                                check("softmax", "hidden values", i > 0, "failed on a hidden input: wrong value",
                                     hidden=True),
                                check("bmi", "one", False, "not written yet: bmi raises NotImplementedError")])
               for i in range(6)]
    page = build_report(ReportInputs(records))
    teach = page[page.index('id="teach"'):page.index('id="help"')]
    rows = re.findall(r'<tr data-check="([^"]+)">', teach)
    assert rows[:2] == ["softmax: sums to one", "softmax: hidden values"]
    assert "bmi: one" not in rows[:2], "a check nobody attempted is not a hard one"
    assert "failed on a hidden input: wrong value <span class=muted>×1</span>" in teach
    assert "softmax(x): expected 1.0, got 2.0 <span class=muted>×3</span>" in teach


def test_messages_are_never_cut_between_expected_and_got():
    call = "calc_preds(" + ", ".join(["torch.tensor([[0.3], [-0.8], [0.5]])"] * 20) + ")"
    message = f"{call}: expected shape (4, 1) {'x' * 200}, got shape (4,) {'y' * 200}"
    short = short_message(message, 300)
    assert len(short) <= 310
    assert "expected shape (4, 1)" in short and ", got shape (4,)" in short
    assert short.startswith("calc_preds(")
    page = build_report(ReportInputs([record("a", [check("calc_preds", "one", False, message),
                                                   check("calc_preds", "two", True)])]))
    assert "expected shape (4, 1)" in page and ", got shape (4,)" in page


def test_who_needs_help_follows_the_rule_on_the_page():
    good = record("good", [check("bmi", str(i), True) for i in range(4)] + [check("mae", "x", False, "not written yet: m")])
    weak = record("weak", [check("bmi", str(i), i == 0, "bmi(1): expected 1, got 2") for i in range(4)])
    many = record("many", [check("bmi", str(i), i % 5 != 0, "bmi(1): expected 1, got 2", points=1.0) for i in range(100)])
    none = record("none", [check("bmi", "0", False, "no file for this exercise: expected week1/bmi.py")])
    chosen = needs_help([standing(r) for r in (good, weak, many, none)], below=0.5, failing=20)
    assert [s.record.student for s in chosen] == ["none", "weak", "many"]
    assert standing(good).share == 1.0, "the exercise not attempted does not count against the share"
    page = build_report(ReportInputs([good, weak, many, none]))
    assert "less than 50% of the points of the exercises they attempted, or 20 or more failed checks" in page
    assert "3 of 4 students" in page


def test_the_report_reads_names_and_sections_from_the_gradebook(tmp_path, monkeypatch):
    roster = make_class(tmp_path / "g.db", 12)
    records = records_from_gradebook(tmp_path / "g.db")
    assert {r.name for r in records} == {s.name for s in roster}
    page = build_report(ReportInputs(records))
    for student in roster:
        assert f">{student.name}</a>" in page.replace("&#x27;", "'")
    assert '<select id="section-filter">' in page and '<option value="section 2">' in page
    assert page.count('data-section="section 1"') > 0
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["report", "--gradebook", str(tmp_path / "g.db"), "--out", str(out),
                                       "--help-below", "0.9", "--help-failing", "1000"])
    assert result.exit_code == 0, result.output
    assert "less than 90% of the points" in out.read_text() and "1000 or more failed checks" in out.read_text()
    result = CliRunner().invoke(main, ["report", "--gradebook", str(tmp_path / "g.db"), "--help-below", "2"])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_the_page_agrees_with_the_gradebook(tmp_path):
    """The numbers on the page, checked against the gradebook with SQL."""
    make_class(tmp_path / "g.db", 40, seed=3)
    page = build_report(ReportInputs(records_from_gradebook(tmp_path / "g.db")))
    db = sqlite3.connect(tmp_path / "g.db")
    current = "SELECT MAX(id) FROM attempts GROUP BY student, assignment"
    attempted, passed, failed, students = db.execute(f"""
        SELECT SUM(output NOT LIKE 'not written yet%' AND output NOT LIKE 'no file for this exercise%'),
               SUM(status = 'passed'),
               SUM(status = 'failed' AND output NOT LIKE 'not written yet%' AND output NOT LIKE 'no file%'
                   AND output NOT LIKE 'SyntaxError in%'),
               COUNT(*)
        FROM checks WHERE exercise = 'calc_preds' AND name = 'public check 0' AND attempt IN ({current})""").fetchone()
    row = re.search(r'<tr data-check="calc_preds: public check 0">(.*?)</tr>', page).group(1)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
    assert f"{attempted / students:.0%}" in cells[2]
    assert f"{failed / (passed + failed):.0%}" in cells[3] and cells[4] == f"{failed}/{passed + failed}"


# ------------------------------------------------------------------ feedback a student wants (part 2)

from grader.reports.feedback import FeedbackOptions, course_hints, feedback_html, feedback_markdown  # noqa: E402


def student_record(**extra):
    tests = [check("calc_preds", "shape", False, "calc_preds(c, x): expected shape (4, 1), got shape (4,)"),
             check("calc_preds", "sigmoid", True),
             check("calc_preds", "random coefficients", False, "failed on a hidden input: wrong value", hidden=True),
             check("bmi", "one", True), check("bmi", "two", True),
             check("softmax", "one", False, "SyntaxError in week3/activations.py, line 2: invalid syntax"),
             check("mae", "one", False, "not written yet: mae raises NotImplementedError")]
    base = record("s0001", tests, name="Ada Okafor", section="section 1")
    import dataclasses
    return dataclasses.replace(base, assignment="week5", **extra)


def test_feedback_opens_with_what_to_fix_first_and_its_hint():
    hints = course_hints()
    options = FeedbackOptions(hints=hints)
    md, html = feedback_markdown(student_record(), options), feedback_html(student_record(), options)
    first = md[md.index("## Fix this first"):md.index("| exercise | points |")]
    assert first.index("softmax") < first.index("calc\\_preds"), "a file that did not load comes first"
    assert "shape: calc\\_preds(c, x): expected shape (4, 1), got shape (4,)" in first
    assert "Hint: " + hints["calc_preds"][:30].replace("_", "\\_") in first
    assert "bmi" not in first and "Not attempted yet: mae" in md
    assert "Feedback for Ada Okafor" in md and "Assignment: week5" in md
    assert "<h2>Fix this first</h2>" in html and "Hint: " in html
    assert md.index("Fix this first") < md.index("| exercise | points |"), "the summary is on top"


def test_feedback_folds_the_passed_checks():
    md, html = feedback_markdown(student_record()), feedback_html(student_record())
    bmi = md[md.index("## bmi"):]
    assert "<details><summary>2 passed checks</summary>" in bmi and "- one: ✓ passed" in bmi
    assert "| check | result | message |" not in bmi[:bmi.index("</details>")], "no table when all pass"
    assert "<details><summary>1 passed check</summary><ul><li>sigmoid" in html
    rendered = markdown_html(md)
    assert "<details><summary>2 passed checks</summary>" in rendered


def test_feedback_shows_deadline_and_penalty_only_when_the_record_has_them():
    plain = feedback_markdown(student_record())
    assert "Deadline" not in plain and "late" not in plain
    late = student_record(standing={"deadline": "2026-12-01T23:59:00+00:00", "days_late": 2, "penalty_percent": 20.0,
                                    "penalty": 1.0, "final_score": 4.0})
    md = feedback_markdown(late)
    assert "Deadline: 2026-12-01T23:59:00+00:00" in md
    assert "Handed in 2 days late: a penalty of 20% (1 points)" in md and "Final score after penalties" in md
    assert "Deadline: 2026-12-01" in feedback_html(late)


def test_hide_hidden_names():
    options = FeedbackOptions(hide_hidden_names=True)
    md, html = feedback_markdown(student_record(), options), feedback_html(student_record(), options)
    for text in (md, html):
        assert "random coefficients" not in text and "hidden check 1" in text
    assert "random coefficients (hidden)" in feedback_markdown(student_record())


def test_cli_feedback_hide_hidden_names(tmp_path, monkeypatch):
    make_class(tmp_path / "g.db", 3)
    result = CliRunner().invoke(main, ["feedback", "--gradebook", str(tmp_path / "g.db"), "--out", str(tmp_path / "fb"),
                                       "--hide-hidden-names"])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "fb" / "s0000.md").read_text()
    # the class's hidden checks are "hidden check 0" and "hidden check 1": renamed from 1
    assert "hidden check 2 (hidden)" in text and "hidden check 0" not in text
    assert "Feedback for Ada Okafor 0" in text and "Assignment: default" in text


def markdown_html(text):
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark").enable("table").render(text)


def test_a_hidden_check_shows_only_the_graders_phrases():
    from grader.reports.summary import WITHHELD, check_results

    outputs = ["failed on a hidden input: wrong value", "failed on a hidden input: raised a built-in exception of type "
               "ValueError", "failed on a hidden input: raised ValueError",
               "not written yet: bmi raises NotImplementedError (week1/bmi.py, line 3) — replace the TODO"]
    forged = ["at index 3 expected 0.25, got 0.5", "failed on a hidden input: raised SecretInput4711",
              "failed on a hidden input: wrong value 0.4711"]
    r = record("a", [check("mae" if "not written" in o else "bmi", str(i), False, o, hidden=True)
                     for i, o in enumerate(outputs + forged)] + [check("bmi", "public", True)])
    shown = [c.output for c in check_results(r)][:-1]
    assert shown == outputs + [WITHHELD] * 3
    assert exercise_states(r)["bmi"] == GRADED
    page = build_report(ReportInputs([r]))
    assert "0.4711" not in page and "SecretInput4711" not in page and "0.25" not in page
    assert WITHHELD in page and "failed on a hidden input: raised ValueError" in page


def test_an_exercise_not_attempted_says_so_in_one_line():
    md = feedback_markdown(student_record())
    section = md[md.index("## mae"):]
    assert section.startswith("## mae\n\nNot attempted yet: not written yet: mae raises NotImplementedError "
                              "(1 checks not run)")
    assert "| check |" not in section
    assert "Not attempted yet: not written yet" in feedback_html(student_record())


def test_a_check_graded_for_few_students_ranks_after_the_others():
    records = [record(f"s{i}", [check("softmax", "common", i >= 3, "softmax(x): expected 1.0, got 2.0"),
                                check("bmi", "rare", False, "bmi(1): expected 1, got 2" if i == 0 else
                                      "not written yet: bmi raises NotImplementedError")]) for i in range(20)]
    summary = summarize(records)
    assert [c.name for c in summary.by_check] == ["common", "rare"], "1 of 1 failing is not the hardest"
    assert "fewer than 2 students come after" in build_report(ReportInputs(records))
