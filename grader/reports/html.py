"""`grader report`: one self-contained HTML page for the instructor.

Inline CSS, plots as inline SVG (matplotlib), a few lines of inline JavaScript (sort the student
table, filter by section, open a student's folded details); nothing is fetched from the network.
Everything that came from a submission (names, failure messages, printed output, code) is capped
and HTML-escaped. This page is the instructor's: hidden checks are shown with their messages (the
fixed vocabulary the grader writes for them, never their inputs).

Each exercise of a submission is *not attempted*, *not gradable* or *graded* (summary.py decides
from the results); the three have three looks everywhere (the legend at the top), and rates and
means are taken among the graded attempts. The page stays small for a large class: two plots, no
per-student plot, each student's details folded.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from grader.quiz.stats import QuizStats
from grader.reports import leaderboard, plots
from grader.reports.records import GradedRecord
from grader.reports.similarity import EXCERPT_LINES, Code, Match, describe_ranges
from grader.reports.summary import (GRADED, NOT_ATTEMPTED, NOT_GRADABLE, ClassSummary, StudentStanding,
                                    check_results, few_graded, needs_help, notes, printed, short_message,
                                    standing, standing_lines, gradebook_standing, summarize)
from grader.reports.text import html_text as h

PRINTED_LIMIT = 1000
SIDE_BY_SIDE = 30      # pairs shown with their code; the rest in a table
TEACH_AGAIN = 15       # checks shown in full in "What to teach again"; the rest folded
MESSAGE_LIMIT = 300    # characters of a failure message (short_message keeps "expected … got …")
STUDENT_CHECKS = 4     # failed checks named per exercise there
STUDENT_MESSAGES = 1   # distinct failure messages shown per exercise in a student's details
STUDENT_MESSAGE_LIMIT = 160   # characters of that message
HELP_EXERCISES = 3     # exercises named per student in "Who needs help"

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
main{max-width:1180px;margin:0 auto;padding:12px 20px 40px;box-sizing:border-box}
h1{font-size:24px;margin:8px 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #d9dde5;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
nav a{margin-right:14px}a{color:#2a5d9c}
.cards{display:flex;gap:12px;flex-wrap:wrap;margin:8px 0 12px}
.card{background:#fff;border:1px solid #d9dde5;border-radius:6px;padding:6px 14px;min-width:100px}
.card b{display:block;font-size:20px}
table{border-collapse:collapse;background:#fff;margin:6px 0 10px;width:100%;table-layout:auto}
th,td{border:1px solid #e1e4ea;padding:2px 6px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
th{background:#eef1f5}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.sortable th{cursor:pointer;user-select:none;white-space:nowrap}table.sortable th::after{content:" \\2195";color:#9aa3b2}
table.sortable th[aria-sort=ascending]::after{content:" \\25B2";color:#1d2330}
table.sortable th[aria-sort=descending]::after{content:" \\25BC";color:#1d2330}
td.rate{white-space:nowrap}.bar{display:inline-block;height:9px;background:#3b6ea8;border-radius:2px;vertical-align:middle;margin-right:6px}
.bar.bad{background:#b3261e}
.full{color:#1f7a3a}.zero{color:#b3261e}.part{color:#946200}
.pass{color:#1f7a3a}.fail{color:#b3261e}.tag{font-size:11px;padding:0 5px;border-radius:3px;background:#eef1f5;color:#4a5365}
.na{color:#6b7383;font-style:italic}.ng{color:#7a3e9d;font-weight:600}
.strip{white-space:nowrap;line-height:1}.strip i{display:inline-block;width:9px;height:13px;margin-right:1px;border-radius:1px;vertical-align:middle}
i.s-full{background:#2e8b4e}i.s-part{background:#e0a526}i.s-zero{background:#c9412f}
i.s-na{background:#fff;border:1px dashed #9aa3b2;box-sizing:border-box}i.s-ng{background:#7a3e9d}
.chip{display:inline-block;margin:1px 8px 1px 0;white-space:nowrap}
pre{background:#fff;border:1px solid #e1e4ea;padding:6px 8px;overflow:auto;max-height:320px;white-space:pre-wrap;word-break:break-word;margin:4px 0}
svg.plot{max-width:100%;height:auto;background:#fff;border:1px solid #e1e4ea;border-radius:4px}
details.student{background:#fff;border:1px solid #d9dde5;border-radius:4px;padding:2px 10px;margin:3px 0}
details.student>summary{cursor:pointer}details.student[open]{padding-bottom:8px}
.pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:10px}
.code{font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;background:#fff;border:1px solid #e1e4ea;overflow:auto;max-height:420px}
.code div{white-space:pre;padding:0 6px}.code div.hit{background:#ffe9a8}
.code span.ln{display:inline-block;width:3.2em;color:#8a93a3;user-select:none}
td.check{min-width:200px;overflow-wrap:normal}td.who{white-space:nowrap;max-width:260px;overflow:hidden;text-overflow:ellipsis}#help-table td:not(:last-child){white-space:nowrap}
ul.msgs{margin:2px 0;padding-left:18px}.muted{color:#6b7383}.hidden-row{display:none}
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
function openStudent() {
  var target = location.hash && document.getElementById(location.hash.slice(1));
  if (target && target.tagName === "DETAILS") { target.open = true; target.scrollIntoView(); }
}
window.addEventListener("hashchange", openStudent);
openStudent();
var filter = document.getElementById("section-filter");
if (filter) {
  filter.addEventListener("change", function () {
    var wanted = filter.value;
    document.querySelectorAll("[data-section]").forEach(function (element) {
      element.classList.toggle("hidden-row", wanted !== "*" && element.getAttribute("data-section") !== wanted);
    });
  });
}
"""

STATE_LOOK = {NOT_ATTEMPTED: ("na", "not attempted"), NOT_GRADABLE: ("ng", "not gradable")}


@dataclass(frozen=True)
class ReportInputs:
    """What the page is built from: the graded records and, when given, quiz statistics and
    the similarity pairs (None: similarity was not run). Who needs help: less than ``help_below``
    of the points of the exercises attempted, or ``help_failing`` failed checks or more among them."""

    records: list[GradedRecord]
    quizzes: tuple[QuizStats, ...] = ()
    similarity: tuple[Match, ...] | None = None
    title: str = "Class report"
    help_below: float = 0.5
    help_failing: int = 20
    leaderboard: str | None = None   # "names" or "pseudonyms": the model exercises' leaderboard (grader/reports/leaderboard.py)
    pseudonym_key: bytes = b""


def _points_class(got: float, most: float) -> str:
    return "full" if got >= most else ("zero" if got == 0 else "part")


def _number(value: float) -> str:
    return f"{value:.4g}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _rate(value: float | None, bad: bool = False) -> str:
    width = 0 if value is None else value * 50
    return (f'<td class="n rate" data-sort="{-1 if value is None else value:.4f}"><span class="bar{" bad" if bad else ""}" '
            f'style="width:{width:.0f}px"></span>{_percent(value)}</td>')


def _legend() -> str:
    return ('<p class="muted">Each exercise is <span class="pass">passed</span>, <span class="part">partly</span> '
            'or <span class="fail">failed</span> when its checks ran; <span class="na">not attempted</span> when '
            "there is no file for it, its function is not defined, still raises NotImplementedError or its file is "
            'empty; <span class="ng">not gradable</span> when its file did not load (a syntax error, an error or a '
            "long run at its top level). In the student table: "
            '<span class="strip"><i class="s-full"></i></span> full marks, <span class="strip"><i class="s-part">'
            '</i></span> some points, <span class="strip"><i class="s-zero"></i></span> none, '
            '<span class="strip"><i class="s-na"></i></span> not attempted, <span class="strip"><i class="s-ng">'
            "</i></span> not gradable. Rates and means are among the graded attempts.</p>")


def _overview(summary: ClassSummary) -> str:
    cards = [("submissions", str(summary.students)), ("mean", f"{summary.mean:.1f} / {summary.max_score:g}"),
             ("median", f"{summary.median:g} / {summary.max_score:g}"),
             ("full marks", str(sum(t >= summary.max_score for t in summary.totals))),
             ("zero", str(sum(t == 0 for t in summary.totals)))]
    rows = []
    for e, stats in summary.by_exercise.items():
        mean = stats.mean_among_graded
        graded = len(stats.graded)
        rows.append(
            f'<tr><td data-sort="{h(e)}">{h(e)}</td>{_rate(stats.attempted_share)}'
            f'<td class=n data-sort="{stats.attempted}">{stats.attempted}/{stats.students}</td>'
            f'<td class="n ng" data-sort="{stats.not_gradable}">{stats.not_gradable or ""}</td>'
            f'<td class=n data-sort="{-1 if mean is None else mean:.4f}">'
            f'{"–" if mean is None else f"{mean:.2f}"}</td>'
            f'<td class=n data-sort="{stats.full_marks / graded if graded else -1:.4f}">'
            f'{_percent(stats.full_marks / graded if graded else None)}</td>'
            f'<td class=n data-sort="{statistics.fmean(summary.exercises[e]):.4f}">'
            f"{statistics.fmean(summary.exercises[e]):.2f}</td><td class=n>{stats.max_score:g}</td></tr>")
    return (
        '<h2 id="overview">Class overview</h2><div class="cards">'
        + "".join(f'<div class="card">{h(k)}<b>{h(v)}</b></div>' for k, v in cards) + "</div>"
        + plots.histogram(summary.totals, summary.max_score, f"total score (of {summary.max_score:g})", "plot-total")
        + '<h3 id="exercises">Each exercise</h3><p class="muted">Attempted: the share of students with something '
          "to grade for the exercise. Mean and full marks: among the graded attempts (not attempted and not "
          "gradable left out); the class mean counts everyone, not attempted as zero.</p>"
        + '<table class="sortable" id="exercise-table"><thead><tr><th>exercise</th><th class=n>attempted</th>'
          "<th class=n>students</th><th class=n>not gradable</th><th class=n>mean among graded</th>"
          "<th class=n>full marks among graded</th><th class=n>class mean</th><th class=n>points</th></tr></thead>"
          f"<tbody>{''.join(rows)}</tbody></table>")


def _check_row(rank: int, check) -> str:
    if check.failures:
        messages = '<ul class="msgs">' + "".join(
            f"<li>{h(short_message(message, MESSAGE_LIMIT), MESSAGE_LIMIT + 10)} <span class=muted>×{count}</span></li>"
            for message, count in check.failures) + "</ul>"
    else:
        messages = ""
    graded = check.graded
    return (f'<tr data-check="{h(check.exercise)}: {h(check.name)}"><td class=n>{rank}</td>'
            f'<td class=check>{h(check.exercise)}: {h(check.name)} <span class="tag">{"hidden" if check.hidden else "public"}'
            f"</span></td>{_rate(check.attempted_share)}"
            f'{_rate(check.failure_rate, bad=True)}<td class=n>{check.failed}/{graded}</td><td>{messages}</td></tr>')


def _teach_again(summary: ClassSummary) -> str:
    head = ("<table><thead><tr><th class=n>#</th><th>check</th><th class=n>attempted</th>"
            "<th class=n>fail rate</th><th class=n>failed / graded</th><th>most common failures</th></tr></thead><tbody>")
    failing = [c for c in summary.by_check if c.failed]
    top, rest = failing[:TEACH_AGAIN], summary.by_check[len(failing[:TEACH_AGAIN]):]
    parts = ['<h2 id="teach">What to teach again</h2><p class="muted">Checks ranked by how often they fail among '
             "the students whose exercise was graded (not attempted and not gradable left out), each with its most "
             "common failure messages (numbers grouped); hidden checks included, with the phrase the grader "
             f"wrote for them. Checks graded for fewer than {few_graded(summary.students)} students come after "
             "the others.</p>", head + "".join(_check_row(i, c) for i, c in enumerate(top, 1)) + "</tbody></table>"]
    if rest:
        parts.append(f"<details><summary>The other {len(rest)} checks</summary>{head}"
                     + "".join(_check_row(i, c) for i, c in enumerate(rest, len(top) + 1)) + "</tbody></table></details>")
    return "".join(parts)


def _help(standings: list[StudentStanding], below: float, failing: int, ids: dict[int, int]) -> str:
    chosen = needs_help(standings, below, failing)
    rule = (f"Students with less than {below:.0%} of the points of the exercises they attempted, or {failing} or "
            "more failed checks among those exercises, and those who attempted none; lowest share first.")
    rows = []
    for s in chosen:
        record = s.record
        by_exercise: dict[str, int] = {}
        for check in s.failing:
            by_exercise[check.exercise] = by_exercise.get(check.exercise, 0) + 1
        worst = sorted(by_exercise.items(), key=lambda kv: -kv[1])
        fails = " ".join(f'<span class="chip fail">{h(e)} ×{n}</span>' for e, n in worst[:HELP_EXERCISES])
        if len(worst) > HELP_EXERCISES:
            fails += f'<span class="muted">+{len(worst) - HELP_EXERCISES} more</span>'
        broken = sum(st == NOT_GRADABLE for st in s.states.values())
        if broken:
            fails += f' <span class="chip ng">{broken} not gradable</span>'
        attempted = sum(st != NOT_ATTEMPTED for st in s.states.values())
        share = "attempted nothing" if s.share is None else f"{s.score:g}/{s.attempted_max:g} ({s.share:.0%})"
        rows.append(f'<tr data-section="{h(record.section, 100)}"><td class=who><a href="#student-{ids[id(record)]}">'
                    f"{h(record.shown_name, 100)}</a></td><td>{h(record.section, 60)}</td>"
                    f"<td class=n>{share}</td><td class=n>{attempted}/{len(s.states)}</td>"
                    f"<td class=n>{len(s.failing)}</td><td>{fails}</td></tr>")
    table = ("<table id=\"help-table\"><thead><tr><th>student</th><th>section</th><th class=n>points of attempted</th>"
             "<th class=n>exercises attempted</th><th class=n>failed checks</th><th>where they fail most</th></tr>"
             "</thead><tbody>"
             + "".join(rows) + "</tbody></table>") if rows else "<p>Nobody, by this rule.</p>"
    return (f'<h2 id="help">Who needs help</h2><p class="muted">{h(rule)} {len(chosen)} of {len(standings)} '
            f"students.</p>{table}")


def _section_filter(records: list[GradedRecord]) -> str:
    sections = sorted({r.section for r in records if r.section})
    if not sections:
        return ""
    options = "".join(f'<option value="{h(s, 100)}">{h(s, 100)}</option>' for s in sections)
    return (f'<p><label>Section: <select id="section-filter"><option value="*">all sections</option>{options}'
            "</select></label> <span class=muted>(filters who needs help, the students and their details)</span></p>")


def _times(summary: ClassSummary) -> str:
    seconds = summary.seconds
    if not seconds:
        return ""
    cards = [("mean", f"{statistics.fmean(seconds):.2f} s"), ("median", f"{statistics.median(seconds):.2f} s"),
             ("slowest", f"{max(seconds):.2f} s"), ("total", f"{sum(seconds):.1f} s")]
    return ('<h2 id="time">Time per submission</h2><div class="cards">'
            + "".join(f'<div class="card">{k}<b>{v}</b></div>' for k, v in cards) + "</div>"
            + plots.histogram(seconds, max(seconds) or 1.0, "seconds to grade one submission", "plot-time"))


def _square(exercise: str, state: str, got: float, most: float) -> str:
    if state == NOT_ATTEMPTED:
        look, text = "na", "not attempted"
    elif state == NOT_GRADABLE:
        look, text = "ng", "not gradable"
    else:
        look, text = _points_class(got, most), f"{got:g}/{most:g}"
    return f'<i class=s-{look} title="{h(exercise)} {text}"></i>'


def _students_table(standings: list[StudentStanding], exercises: list[str]) -> str:
    dated = any(standing_lines(s.record) for s in standings)   # deadlines or adjustments: raw, late, adjusted
    rows = []
    for index, s in enumerate(standings):
        record = s.record
        points = s.points
        entry = gradebook_standing(record) or {}
        lateness = "".join(f'<td class=n data-sort="{float(entry.get(k) or 0)}">{_number(float(entry.get(k) or 0))}</td>'
                           for k in ("raw_score", "penalty", "adjustments")) if dated else ""
        strip = "".join(_square(e, s.states.get(e, NOT_ATTEMPTED), *points.get(e, (0.0, 0.0))) for e in exercises)
        attempted = sum(st != NOT_ATTEMPTED for st in s.states.values())
        full = sum(st == GRADED and points[e][0] >= points[e][1] for e, st in s.states.items())
        score, most = record.results["score"], record.results["max_score"]
        rows.append(
            f'<tr data-section="{h(record.section, 100)}">'
            f'<td data-sort="{h(record.shown_name.lower(), 200)}"><a href="#student-{index}">'
            f"{h(record.shown_name, 200)}</a></td><td data-sort=\"{h(record.section, 100)}\">{h(record.section, 60)}</td>"
            f'<td class="n {_points_class(score, most)}" data-sort="{score}">{_number(score)}</td>{lateness}'
            f'<td class=n data-sort="{attempted}">{attempted}</td><td class=n data-sort="{full}">{full}</td>'
            f'<td class="strip" data-sort="{s.share if s.share is not None else -1:.4f}">{strip}</td>'
            f'<td class=n data-sort="{record.seconds}">{record.seconds:.2f}</td></tr>')
    late_head = "<th class=n>raw</th><th class=n>late</th><th class=n>adjusted</th>" if dated else ""
    head = (f"<tr><th>student</th><th>section</th><th class=n>score</th>{late_head}<th class=n>attempted</th>"
            f"<th class=n>full marks</th><th>exercises ({len(exercises)}, in course order)</th><th class=n>time (s)</th></tr>")
    return ('<h2 id="students">Students</h2><p class="muted">Click a column to sort; a name opens the '
            "student's details. Hover a square for its exercise.</p>"
            '<table class="sortable" id="student-table"><thead>' + head
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


def _student(index: int, s: StudentStanding) -> str:
    record = s.record
    results = record.results
    points = s.points
    chips = []
    for look, label, wanted in (("full", "full marks", None), ("na", "not attempted", NOT_ATTEMPTED),
                                ("ng", "not gradable", NOT_GRADABLE)):
        names = [h(e) for e, (g, m) in points.items()
                 if (s.states.get(e, NOT_ATTEMPTED) == wanted if wanted else s.states.get(e) == GRADED and g >= m)]
        if names:
            chips.append(f'<span class="{look}">{label}:</span> {", ".join(names)}')
    who = h(record.shown_name, 200) + (f' <span class="muted">({h(record.student, 100)})</span>'
                                       if record.name and record.name != record.student else "")
    parts = [f'<details class="student" id="student-{index}" data-section="{h(record.section, 100)}"><summary>'
             f'{who} · <span class="{_points_class(results["score"], results["max_score"])}">'
             f'{_number(results["score"])} / {_number(results["max_score"])}</span>'
             f'<span class="muted"> · {len(s.failing)} failed checks'
             f'{" · " + h(record.section, 60) if record.section else ""}</span></summary>',
             "<p>" + "<br>".join(chips) + "</p>" if chips else ""]
    for line in standing_lines(record):
        parts.append(f"<p>{h(line, 600)}</p>")
    for note in notes(record):
        parts.append(f'<p class="muted">Note: {h(note)}</p>')
    extra = results.get("extra_data") if isinstance(results.get("extra_data"), dict) else {}
    problems = extra.get("problems") if isinstance(extra.get("problems"), dict) else {}
    broken = [e for e, st in s.states.items() if st == NOT_GRADABLE]
    if broken:
        parts.append("<ul>" + "".join(
            f'<li><span class="ng">not gradable</span> {h(e)}: {h(short_message(str(problems.get(e, "")), MESSAGE_LIMIT))}'
            "</li>" for e in broken) + "</ul>")
    by_exercise: dict[str, list] = {}
    for check in s.failing:
        by_exercise.setdefault(check.exercise, []).append(check)
    if by_exercise:
        parts.append('<ul class="msgs">')
        for exercise, failed in by_exercise.items():
            got, most = points[exercise]
            names = ", ".join(h(c.name) + (" <i class=tag>hidden</i>" if c.hidden else "") for c in failed[:STUDENT_CHECKS])
            if len(failed) > STUDENT_CHECKS:
                names += f" <span class=muted>+{len(failed) - STUDENT_CHECKS} more</span>"
            distinct = list(dict.fromkeys(c.output or "failed" for c in failed))
            messages = "".join(f"<br>{h(short_message(m, STUDENT_MESSAGE_LIMIT), STUDENT_MESSAGE_LIMIT + 10)}"
                               for m in distinct[:STUDENT_MESSAGES])
            more = f' <span class="muted">(+{len(distinct) - STUDENT_MESSAGES} other messages)</span>' \
                if len(distinct) > STUDENT_MESSAGES else ""
            parts.append(f'<li><b>{h(exercise)}</b> <span class="{_points_class(got, most)}">{_number(got)}/'
                         f'{_number(most)}</span>: <span class="fail">✗</span> {names}{messages}{more}</li>')
        parts.append("</ul>")
    passed = s.passed
    parts.append(f'<p class="muted">{passed} checks passed, {len(s.failing)} failed in graded exercises. '
                 '<a href="#students">back to the table</a></p>')
    output = printed(record)
    if output.strip():
        parts.append(f"<details><summary>What the submission printed</summary><pre>{h(output, PRINTED_LIMIT)}</pre>"
                     "</details>")
    parts.append("</details>")
    return "".join(parts)


def build_report(inputs: ReportInputs) -> str:
    """The whole page as one HTML string."""
    records = sorted(inputs.records, key=lambda r: (r.shown_name.lower(), r.student))
    checks = [check_results(r) for r in records]
    summary = summarize(records, checks=checks)
    exercises = list(summary.exercises)
    standings = [standing(r, c) for r, c in zip(records, checks)]
    ids = {id(r): i for i, r in enumerate(records)}
    nav = ['<a href="#overview">overview</a>', '<a href="#teach">what to teach again</a>',
           '<a href="#help">who needs help</a>', '<a href="#students">students</a>', '<a href="#time">time</a>',
           '<a href="#similarity">similar code</a>']
    if inputs.quizzes:
        nav.insert(5, '<a href="#quizzes">quizzes</a>')
    body = [f"<h1>{h(inputs.title)}</h1><nav>{''.join(nav)}</nav>", _legend(), _section_filter(records),
            _overview(summary) if records else "<p>No graded submissions.</p>",
            _teach_again(summary), _help(standings, inputs.help_below, inputs.help_failing, ids),
            _students_table(standings, exercises), _times(summary), _quizzes(inputs.quizzes),
            _similarity(inputs.similarity), leaderboard.section(records, inputs.leaderboard, inputs.pseudonym_key),
            '<h2 id="each-student">Each student</h2>',
            *(_student(i, s) for i, s in enumerate(standings))]
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
            "script-src 'unsafe-inline'; img-src data:\">"
            f"<title>{h(inputs.title)}</title><style>{CSS}</style></head><body><main>"
            + "".join(body) + f"</main><script>{SORT_JS}</script></body></html>\n")
