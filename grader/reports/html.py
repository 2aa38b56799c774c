"""`grader report`: one self-contained HTML page for the instructor.

Inline CSS, plots as inline SVG (matplotlib), a few lines of inline JavaScript to sort the
student table; nothing is fetched from the network. Everything that came from a submission
(names, failure messages, printed output, code) is capped and HTML-escaped; hidden checks are
shown by name and result only.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from grader.quiz.stats import QuizStats
from grader.reports import leaderboard, plots
from grader.reports.records import GradedRecord
from grader.reports.similarity import EXCERPT_LINES, Code, Match, describe_ranges
from grader.reports.summary import ClassSummary, check_results, exercise_points, notes, printed, summarize
from grader.reports.text import html_text as h

PRINTED_LIMIT = 1000
SIDE_BY_SIDE = 30      # pairs shown with their code; the rest in a table

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:2px solid #d9dde5;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
nav a{margin-right:14px}a{color:#2a5d9c}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 12px}
.card{background:#fff;border:1px solid #d9dde5;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;background:#fff;margin:6px 0 10px;width:100%}
th,td{border:1px solid #e1e4ea;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#eef1f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
table.sortable th{cursor:pointer;user-select:none;white-space:nowrap}table.sortable th::after{content:" \\2195";color:#9aa3b2}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:#1d2330}
table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:#1d2330}
td.rate{white-space:nowrap}.bar{display:inline-block;height:9px;background:#3b6ea8;border-radius:2px;vertical-align:middle;margin-right:6px}
.full{color:#1f7a3a}.zero{color:#b3261e}.part{color:#946200}
.pass{color:#1f7a3a}.fail{color:#b3261e}.tag{font-size:11px;padding:0 5px;border-radius:3px;background:#eef1f5;color:#4a5365}
pre{background:#fff;border:1px solid #e1e4ea;padding:6px 8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-word;margin:4px 0}
svg.plot{max-width:100%;height:auto;background:#fff;border:1px solid #e1e4ea;border-radius:4px}
section.student{background:#fff;border:1px solid #d9dde5;border-radius:6px;padding:4px 14px 10px;margin:12px 0}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:10px}
.code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#fff;border:1px solid #e1e4ea;overflow:auto;max-height:420px}
.code div{white-space:pre;padding:0 6px}.code div.hit{background:#ffe9a8}
.code span.ln{display:inline-block;width:3.2em;color:#8a93a3;user-select:none}
ul.msgs{margin:2px 0;padding-left:18px}.muted{color:#6b7383}
"""

SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th").forEach(function (th, column) {
    th.addEventListener("click", function () {
      var ascending = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column].getAttribute("data-sort"), y = b.cells[column].getAttribute("data-sort");
        var nx = parseFloat(x), ny = parseFloat(y);
        var order = (isNaN(nx) || isNaN(ny)) ? x.localeCompare(y) : nx - ny;
        return ascending ? order : -order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


@dataclass(frozen=True)
class ReportInputs:
    """What the page is built from: the graded records and, when given, quiz statistics and
    the similarity pairs (None: similarity was not run)."""

    records: list[GradedRecord]
    quizzes: tuple[QuizStats, ...] = ()
    similarity: tuple[Match, ...] | None = None
    title: str = "Class report"
    leaderboard: str | None = None   # "names" or "pseudonyms": the model exercises' leaderboard (grader/reports/leaderboard.py)
    pseudonym_key: bytes = b""


def _points_class(got: float, most: float) -> str:
    return "full" if got >= most else ("zero" if got == 0 else "part")


def _number(value: float) -> str:
    return f"{value:.4g}"


def _overview(summary: ClassSummary) -> str:
    cards = [("submissions", str(summary.students)), ("mean", f"{summary.mean:.1f} / {summary.max_score:g}"),
             ("median", f"{summary.median:g} / {summary.max_score:g}"),
             ("full marks", str(sum(t >= summary.max_score for t in summary.totals))),
             ("zero", str(sum(t == 0 for t in summary.totals)))]
    rows = "".join(
        f"<tr><td>{h(e)}</td><td class=n>{statistics.fmean(v):.2f}</td><td class=n>{statistics.median(v):g}</td>"
        f"<td class=n>{summary.exercise_max[e]:g}</td><td class=n>{sum(x >= summary.exercise_max[e] for x in v)}</td></tr>"
        for e, v in summary.exercises.items())
    return (
        '<h2 id="overview">Class overview</h2><div class="cards">'
        + "".join(f'<div class="card">{h(k)}<b>{h(v)}</b></div>' for k, v in cards) + "</div>"
        + plots.histogram(summary.totals, summary.max_score, f"total score (of {summary.max_score:g})", "plot-total")
        + '<h3>Each exercise</h3>'
        + plots.exercise_distributions(summary.exercises, summary.exercise_max, "plot-exercises")
        + "<table><thead><tr><th>exercise</th><th class=n>mean</th><th class=n>median</th><th class=n>points</th>"
          f"<th class=n>full marks</th></tr></thead><tbody>{rows}</tbody></table>")


def _checks(summary: ClassSummary) -> str:
    rows = []
    for rank, check in enumerate(summary.checks, 1):
        if check.hidden:
            messages = '<span class="muted">hidden check: messages not shown</span>'
        elif check.failures:
            messages = '<ul class="msgs">' + "".join(
                f"<li>{h(message, 300)} <span class=muted>×{count}</span></li>" for message, count in check.failures) + "</ul>"
        else:
            messages = ""
        rate = check.pass_rate
        rows.append(
            f"<tr><td class=n>{rank}</td><td>{h(check.exercise)}</td><td>{h(check.name)} "
            f'<span class="tag">{"hidden" if check.hidden else "public"}</span></td>'
            f'<td class="n rate"><span class="bar" style="width:{rate * 60:.0f}px"></span>{rate:.0%}</td>'
            f"<td class=n>{check.failed}</td><td>{messages}</td></tr>")
    return ('<h2 id="checks">Checks, hardest first</h2><p class="muted">Each check by the share of submissions '
            "that pass it, with its most common failure messages (numbers grouped): what to teach again.</p>"
            "<table><thead><tr><th class=n>#</th><th>exercise</th><th>check</th><th class=n>pass rate</th>"
            "<th class=n>failed</th><th>most common failures</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def _times(summary: ClassSummary) -> str:
    seconds = summary.seconds
    if not seconds:
        return ""
    cards = [("mean", f"{statistics.fmean(seconds):.2f} s"), ("median", f"{statistics.median(seconds):.2f} s"),
             ("slowest", f"{max(seconds):.2f} s"), ("total", f"{sum(seconds):.1f} s")]
    return ('<h2 id="time">Time per submission</h2><div class="cards">'
            + "".join(f'<div class="card">{k}<b>{v}</b></div>' for k, v in cards) + "</div>"
            + plots.histogram(seconds, max(seconds) or 1.0, "seconds to grade one submission", "plot-time"))


def _students_table(records: list[GradedRecord], exercises: list[str]) -> str:
    head = ("<tr><th>student</th><th class=n>score</th>" + "".join(f"<th class=n>{h(e)}</th>" for e in exercises)
            + "<th class=n>time (s)</th></tr>")
    rows = []
    for index, record in enumerate(records):
        points = exercise_points(record)
        cells = [f'<td data-sort="{h(record.student.lower(), 200)}"><a href="#student-{index}">'
                 f"{h(record.student, 200)}</a></td>",
                 f'<td class="n {_points_class(record.results["score"], record.results["max_score"])}" '
                 f'data-sort="{record.results["score"]}">{_number(record.results["score"])}</td>']
        for exercise in exercises:
            got, most = points.get(exercise, (0.0, 0.0))
            cells.append(f'<td class="n {_points_class(got, most)}" data-sort="{got}">{_number(got)}</td>')
        cells.append(f'<td class=n data-sort="{record.seconds}">{record.seconds:.2f}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return ('<h2 id="students">Students</h2><p class="muted">Click a column to sort; a name leads to the '
            'student\'s section.</p><table class="sortable" id="student-table"><thead>' + head
            + "</thead><tbody>" + "".join(rows) + "</tbody></table>")


def _quizzes(quizzes: tuple[QuizStats, ...]) -> str:
    if not quizzes:
        return ""
    parts = ['<h2 id="quizzes">Quizzes</h2>']
    for number, quiz in enumerate(quizzes):
        alpha = "–" if quiz.cronbach_alpha is None else f"{quiz.cronbach_alpha:.2f}"
        sd = "–" if quiz.sd is None else f"{quiz.sd:.2f}"
        parts.append(f"<h3>{h(quiz.quiz)}</h3><div class=cards><div class=card>students<b>{quiz.students}</b></div>"
                     f"<div class=card>mean<b>{quiz.mean:.2f} / {quiz.max_score:g}</b></div>"
                     f"<div class=card>sd<b>{sd}</b></div><div class=card>Cronbach's alpha<b>{alpha}</b></div></div>")
        if quiz.questions:
            parts.append(plots.facility_bars([q.id for q in quiz.questions],
                                             [q.facility_index for q in quiz.questions], f"plot-quiz{number}"))
        rows = "".join(
            f"<tr><td>{h(q.id)}</td><td>{h(q.type)}</td><td class=n>{q.answered}</td><td class=n>{q.facility_index:.0f}</td>"
            f"<td class=n>{'–' if q.discrimination_index is None else f'{q.discrimination_index:.0f}'}</td></tr>"
            for q in quiz.questions)
        parts.append("<table><thead><tr><th>question</th><th>type</th><th class=n>answered</th>"
                     "<th class=n>facility %</th><th class=n>discrimination %</th></tr></thead><tbody>"
                     + rows + "</tbody></table>")
    return "".join(parts)


def _code_side(code: Code, ranges: tuple[tuple[int, int], ...]) -> str:
    marked = {n for a, b in ranges for n in range(a, b + 1)}
    lines = []
    for number, text in code.lines[:EXCERPT_LINES]:
        hit = ' class="hit"' if number in marked else ""
        lines.append(f'<div{hit}><span class="ln">{number}</span>{h(text, 200)}</div>')
    if len(code.lines) > EXCERPT_LINES:
        lines.append(f'<div class="muted">… {len(code.lines) - EXCERPT_LINES} more lines</div>')
    return "".join(lines)


def _similarity(matches: tuple[Match, ...] | None) -> str:
    head = '<h2 id="similarity">Similar code</h2>'
    if matches is None:
        return head + ('<p class="muted">Not run: give the submissions to <code>grader report</code> '
                       "to compare their code.</p>")
    if not matches:
        return head + "<p>No pair of submissions has suspiciously alike code.</p>"
    parts = [head, '<p class="muted">Pairs whose code for an exercise is alike once the stub, comments, '
             "docstrings and whitespace are removed and names normalised (winnowing fingerprints). "
             "Matched lines are marked. Alike is not proof: read the code.</p>"]
    for m in matches[:SIDE_BY_SIDE]:
        parts.append(
            f"<h3>{h(m.exercise)}: {h(m.a.student, 100)} and {h(m.b.student, 100)} · {m.similarity:.0%} alike</h3>"
            f'<div class="pair"><div><b>{h(m.a.student, 100)}</b> <span class=muted>{h(m.a.filename, 100)}, '
            f'lines {describe_ranges(m.a_ranges)}</span><div class="code">{_code_side(m.a, m.a_ranges)}</div></div>'
            f'<div><b>{h(m.b.student, 100)}</b> <span class=muted>{h(m.b.filename, 100)}, '
            f'lines {describe_ranges(m.b_ranges)}</span><div class="code">{_code_side(m.b, m.b_ranges)}</div></div></div>')
    rest = matches[SIDE_BY_SIDE:]
    if rest:
        parts.append(f"<h3>{len(rest)} more pairs</h3><table><thead><tr><th>exercise</th><th>submission A</th>"
                     "<th>lines</th><th>submission B</th><th>lines</th><th class=n>alike</th></tr></thead><tbody>"
                     + "".join(f"<tr><td>{h(m.exercise)}</td><td>{h(m.a.student, 100)}</td>"
                               f"<td>{describe_ranges(m.a_ranges)}</td><td>{h(m.b.student, 100)}</td>"
                               f"<td>{describe_ranges(m.b_ranges)}</td><td class=n>{m.similarity:.0%}</td></tr>"
                               for m in rest) + "</tbody></table>")
    return "".join(parts)


def _student(index: int, record: GradedRecord) -> str:
    results = record.results
    points = exercise_points(record)
    parts = [f'<section class="student" id="student-{index}"><h3>{h(record.student, 200)} · '
             f'<span class="{_points_class(results["score"], results["max_score"])}">'
             f'{_number(results["score"])} / {_number(results["max_score"])}</span></h3>',
             "<p>" + " · ".join(f'{h(e)} <span class="{_points_class(g, m)}">{_number(g)}/{_number(m)}</span>'
                                for e, (g, m) in points.items()) + "</p>"]
    for note in notes(record):
        parts.append(f'<p class="muted">Note: {h(note)}</p>')
    failed = [c for c in check_results(record) if not c.passed]
    passed = len(check_results(record)) - len(failed)
    if failed:
        parts.append("<ul>")
        for check in failed:
            detail = "" if check.hidden else f": {h(check.output or 'failed', 400)}"
            tag = '<span class="tag">hidden</span> ' if check.hidden else ""
            parts.append(f'<li><span class="fail">✗</span> {tag}{h(check.exercise)}: {h(check.name)}{detail}</li>')
        parts.append("</ul>")
    parts.append(f'<p class="muted">{passed} checks passed, {len(failed)} failed. '
                 '<a href="#students">back to the table</a></p>')
    output = printed(record)
    if output.strip():
        parts.append(f"<details><summary>What the submission printed</summary><pre>{h(output, PRINTED_LIMIT)}</pre>"
                     "</details>")
    parts.append("</section>")
    return "".join(parts)


def build_report(inputs: ReportInputs) -> str:
    """The whole page as one HTML string."""
    records = sorted(inputs.records, key=lambda r: r.student.lower())
    summary = summarize(records)
    exercises = list(summary.exercises)
    nav = ['<a href="#overview">overview</a>', '<a href="#checks">checks</a>', '<a href="#time">time</a>',
           '<a href="#students">students</a>', '<a href="#similarity">similar code</a>']
    if inputs.quizzes:
        nav.insert(4, '<a href="#quizzes">quizzes</a>')
    body = [f"<h1>{h(inputs.title)}</h1><nav>{''.join(nav)}</nav>",
            _overview(summary) if records else "<p>No graded submissions.</p>",
            _checks(summary), _times(summary), _students_table(records, exercises), _quizzes(inputs.quizzes),
            _similarity(inputs.similarity), leaderboard.section(records, inputs.leaderboard, inputs.pseudonym_key),
            '<h2 id="each-student">Each student</h2>',
            *(_student(i, r) for i, r in enumerate(records))]
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{h(inputs.title)}</title><style>{CSS}</style></head><body><main>"
            + "".join(body) + f"</main><script>{SORT_JS}</script></body></html>\n")
