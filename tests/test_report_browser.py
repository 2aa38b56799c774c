"""The report in a real browser: headless Chromium (Debian's package) driven by Playwright.

`.ci/run` installs chromium; this test never skips: a machine without the browser fails it.
"""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from conftest import CLASS, HOSTILE_NAME, ROOT
from grader.course import load_exercises
from grader.reports.html import ReportInputs, build_report
from grader.reports.similarity import find_similar

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
    assert len(boxes) == 3 and all(w > 100 and h > 50 for w, h in boxes), boxes

    # the table sorts on a click: by score ascending, then descending, then by name
    scores = lambda: [float(v) for v in column(page, 1)]  # noqa: E731
    page.click("#student-table th:nth-child(2)")
    assert scores() == sorted(scores()) and scores() != sorted(scores(), reverse=True)
    assert page.get_attribute("#student-table th:nth-child(2)", "aria-sort") == "ascending"
    page.click("#student-table th:nth-child(2)")
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
    for section in ("checks", "similarity", "each-student"):
        page.evaluate(f"document.getElementById('{section}').scrollIntoView()")
        page.screenshot(path=str(tmp_path / f"report-{section}.png"))
    assert (tmp_path / "report.png").stat().st_size > 10_000
    assert problems == []
    page.close()
