"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright.

`.ci/run` installs chromium; this test never skips: a machine without the browser fails it.
"""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

import re
import sqlite3
import time

from conftest import CLASS, HOSTILE_NAME, ROOT
from grader.course import load_exercises
from grader.reports.html import ReportInputs, build_report
from grader.reports.records import records_from_gradebook
from grader.reports.similarity import find_similar
from report_class import make_class

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).is_file(), "chromium is missing: `apt-get install -y chromium` (.ci/run does it)"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_file(records, tmp_path):
    # The sample class holds no copy: its one alike pair (carol and heidi's fill_missing_with_mode,
    # code three students wrote alike) is under the default evidence, and is shown here for the layout.
    matches = find_similar(ROOT, sorted(CLASS.iterdir()), load_exercises(), min_evidence=0)
    assert matches, "the sample class has an alike pair to show"
    path = tmp_path / "report.html"
    path.write_text(build_report(ReportInputs(records, similarity=tuple(matches))), encoding="utf-8")
    return path


def column(page, index):
    return page.eval_on_selector_all(
        "#student-table tbody tr", f"rows => rows.map(r => r.cells[{index}].getAttribute('data-sort'))")


def test_the_report_works_in_a_browser(browser, page_file, records, tmp_path):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems, requests = [], []
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")

    assert problems == []
    assert requests == [page_file.as_uri()], "the page fetches nothing"

    # every student appears in the table, and their link leads to their section
    names = page.eval_on_selector_all("#student-table tbody tr td:first-child a", "as => as.map(a => a.textContent)")
    assert sorted(names) == sorted(r.student for r in records) and HOSTILE_NAME in names
    assert page.eval_on_selector_all("img", "is => is.length") == 0, "the hostile name stayed text"
    href = page.get_attribute("#student-table a >> nth=0", "href")
    assert page.locator(href).count() == 1

    # every plot renders with a nonzero size
    boxes = page.eval_on_selector_all("svg.plot", "s => s.map(e => [e.getBoundingClientRect().width, "
                                                  "e.getBoundingClientRect().height])")
    assert len(boxes) == 2 and all(w > 100 and h > 50 for w, h in boxes), boxes

    # the table sorts on a click: by score ascending, then descending, then by name
    scores = lambda: [float(v) for v in column(page, 2)]  # noqa: E731  (name, section, score, ...)
    page.click("#student-table th:nth-child(3)")
    assert scores() == sorted(scores()) and scores() != sorted(scores(), reverse=True)
    assert page.get_attribute("#student-table th:nth-child(3)", "aria-sort") == "ascending"
    page.click("#student-table th:nth-child(3)")
    assert scores() == sorted(scores(), reverse=True)
    page.click("#student-table th:nth-child(1)")
    assert column(page, 0) == sorted(column(page, 0))

    # the similarity section shows two code columns side by side with marked lines
    pair = page.locator(".pair").first
    left, right = (pair.locator(".code").nth(i).bounding_box() for i in (0, 1))
    assert right["x"] > left["x"] + left["width"] - 1 and abs(right["y"] - left["y"]) < 5
    assert page.locator(".code div.hit").count() > 0

    page.screenshot(path=str(tmp_path / "report-top.png"))
    page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    for section in ("teach", "similarity", "each-student"):
        page.evaluate(f"document.getElementById('{section}').scrollIntoView()")
        page.screenshot(path=str(tmp_path / f"report-{section}.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert problems == []
    page.close()


@pytest.mark.parametrize("students, tallest", [(30, 12_000), (300, 30_000)])
def test_a_large_class_reads_at_1280_px(browser, tmp_path, students, tallest):
    """A class of 30 and of 300 (made straight into a gradebook, with a roster): no sideways scroll at
    1280 px, a page of bounded height with each student's details folded, and numbers that agree
    with the gradebook."""
    make_class(tmp_path / "g.db", students, seed=students)
    records = records_from_gradebook(tmp_path / "g.db")
    start = time.perf_counter()
    page_text = build_report(ReportInputs(records))
    built = time.perf_counter() - start
    path = tmp_path / "report.html"
    path.write_text(page_text, encoding="utf-8")
    print(f"{students} students: {len(page_text.encode()) / 1024:.0f} KiB, built in {built:.2f} s")
    assert len(page_text.encode()) < 12_000 * students + 200_000, "a few kB per student"

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    width, height = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    print(f"{students} students: the page is {width} x {height} px at 1280 px")
    assert width <= 1280, "no sideways scroll"
    assert height < tallest
    assert page.locator("details.student").count() == students
    assert page.locator("details.student[open]").count() == 0
    shots = [tmp_path / f"report-{students}-top.png", tmp_path / f"report-{students}-students.png",
             tmp_path / f"report-{students}-student.png"]
    page.screenshot(path=str(shots[0]))
    page.evaluate("document.getElementById('students').scrollIntoView()")
    page.screenshot(path=str(shots[1]))

    # a name in the table leads to that student's details, opened; the page still does not scroll sideways
    page.click("#student-table tbody tr:first-child a")
    # the page opens it on "hashchange", which the browser fires after the click returns
    page.wait_for_selector("details.student[open]", timeout=10_000)
    assert page.locator("details.student[open]").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path=str(shots[2]))
    for shot in shots:
        assert shot.stat().st_size > 20_000, shot   # a real page was drawn, not a blank one

    # names from the roster, not ids
    names = page.eval_on_selector_all("#student-table tbody a", "as => as.map(a => a.textContent)")
    assert sorted(names) == sorted(r.name for r in records) and not any(re.fullmatch(r"s\d{4}", n) for n in names)

    # the section filter hides the other sections
    page.select_option("#section-filter", "section 2")
    shown = page.eval_on_selector_all("#student-table tbody tr", "rs => rs.filter(r => r.offsetParent).length")
    assert shown == sum(r.section == "section 2" for r in records)

    # the numbers on the page, against the gradebook: one check's attempted share and pass rate,
    # one exercise's mean among graded attempts
    db = sqlite3.connect(tmp_path / "g.db")
    current = "SELECT MAX(id) FROM attempts GROUP BY student, assignment"
    attempted, passed, graded, count = db.execute(f"""
        SELECT SUM(output NOT LIKE 'not written yet%' AND output NOT LIKE 'no file for this exercise%'),
               SUM(status = 'passed'), SUM(status = 'passed' OR output NOT LIKE 'not written yet%'
                   AND output NOT LIKE 'no file%' AND output NOT LIKE 'SyntaxError in%'), COUNT(*)
        FROM checks WHERE exercise = 'softmax' AND name = 'public check 1' AND attempt IN ({current})""").fetchone()
    row = page.eval_on_selector('tr[data-check="softmax: public check 1"]',
                                "r => Array.from(r.cells, c => c.textContent.trim())")  # it may be folded
    assert row[2] == f"{attempted / count:.0%}"
    assert row[3] == f"{1 - passed / graded:.0%}"
    assert row[4] == f"{graded - passed}/{graded}"
    (mean,) = db.execute(f"""
        SELECT AVG(points) FROM (SELECT attempt, SUM(score) AS points FROM checks WHERE exercise = 'bmi'
            AND attempt IN ({current}) GROUP BY attempt HAVING SUM(output LIKE 'not written yet%' OR
            output LIKE 'no file%' OR output LIKE 'SyntaxError in%') = 0)""").fetchone()
    cells = page.eval_on_selector_all("#exercise-table tbody tr", "rs => rs.map(r => Array.from(r.cells, "
                                      "c => c.textContent.trim()))")
    assert next(c for c in cells if c[0] == "bmi")[4] == f"{mean:.2f}"
    assert problems == []
    page.close()
