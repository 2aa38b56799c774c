"""`grader feedback`: one Markdown and one HTML file per student.

Each holds the score, the points per exercise, every public check with its message, the hidden
checks by name and result only (never their messages, which could hint at their inputs), and
the grader's notes on the submission. Text from the submission is escaped for Markdown (and
for HTML in the HTML file)."""

from __future__ import annotations

import re
from pathlib import Path

from grader.reports.records import GradedRecord, ReportError
from grader.reports.summary import check_results, exercise_points, notes, standing_lines
from grader.reports.text import html_text as h
from grader.reports.text import markdown_text as md

CSS = ("body{font:15px/1.5 system-ui,sans-serif;max-width:820px;margin:24px auto;padding:0 16px;color:#1d2330}"
       "table{border-collapse:collapse}th,td{border:1px solid #d9dde5;padding:3px 8px;text-align:left}"
       "td.n{text-align:right}td.pass,td.fail{white-space:nowrap}.pass{color:#1f7a3a}.fail{color:#b3261e}.muted{color:#6b7383}")


def _mark(passed: bool) -> str:
    return "✓ passed" if passed else "✗ failed"


def feedback_markdown(record: GradedRecord) -> str:
    """The student's feedback as GitHub-flavoured Markdown."""
    results = record.results
    lines = [f"# Feedback for {md(record.student, 200)}", "",
             f"**Score: {results['score']:g} / {results['max_score']:g}**", "",
             "| exercise | points |", "|---|---:|"]
    lines += [f"| {md(e)} | {got:g} / {most:g} |" for e, (got, most) in exercise_points(record).items()]
    if standing_lines(record):
        lines += ["", "## Lateness and adjustments", ""] + [f"- {md(line, 600)}" for line in standing_lines(record)]
    found = notes(record)
    if found:
        lines += ["", "## Notes on your submission", ""] + [f"- {md(n)}" for n in found]
    checks = check_results(record)
    for exercise in exercise_points(record):
        lines += ["", f"## {md(exercise)}", "", "| check | result | message |", "|---|---|---|"]
        for check in (c for c in checks if c.exercise == exercise):
            if check.hidden:
                message = "*hidden check: only its result is shown*"
            else:
                message = md(check.output, 400) if check.output else ""
            lines.append(f"| {md(check.name)}{' (hidden)' if check.hidden else ''} | {_mark(check.passed)} "
                         f"({check.score:g}/{check.max_score:g}) | {message} |")
    return "\n".join(lines) + "\n"


def feedback_html(record: GradedRecord) -> str:
    """The same feedback as a self-contained HTML page."""
    results = record.results
    parts = [f"<h1>Feedback for {h(record.student, 200)}</h1>",
             f"<p><b>Score: {results['score']:g} / {results['max_score']:g}</b></p>",
             "<table><tr><th>exercise</th><th>points</th></tr>"]
    parts += [f"<tr><td>{h(e)}</td><td class=n>{got:g} / {most:g}</td></tr>"
              for e, (got, most) in exercise_points(record).items()]
    parts.append("</table>")
    if standing_lines(record):
        parts.append("<h2>Lateness and adjustments</h2><ul>"
                     + "".join(f"<li>{h(line, 600)}</li>" for line in standing_lines(record)) + "</ul>")
    found = notes(record)
    if found:
        parts.append("<h2>Notes on your submission</h2><ul>" + "".join(f"<li>{h(n)}</li>" for n in found) + "</ul>")
    checks = check_results(record)
    for exercise in exercise_points(record):
        parts.append(f"<h2>{h(exercise)}</h2><table><tr><th>check</th><th>result</th><th>message</th></tr>")
        for check in (c for c in checks if c.exercise == exercise):
            if check.hidden:
                message = '<span class="muted">hidden check: only its result is shown</span>'
            else:
                message = h(check.output, 400)
            parts.append(f"<tr><td>{h(check.name)}{' (hidden)' if check.hidden else ''}</td>"
                         f'<td class="{"pass" if check.passed else "fail"}">{_mark(check.passed)} '
                         f"({check.score:g}/{check.max_score:g})</td><td>{message}</td></tr>")
        parts.append("</table>")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Feedback for {h(record.student, 200)}</title><style>{CSS}</style></head><body>"
            + "".join(parts) + "</body></html>\n")


def file_stem(student: str) -> str:
    """A file name for ``student`` that stays inside the output folder."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"
    return stem[:100]


def write_feedback(records: list[GradedRecord], out: Path) -> list[Path]:
    """Write ``<student>.md`` and ``<student>.html`` for each record into ``out``; returns the files."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(f"cannot create {out}: {exc.strerror}; choose another --out folder") from None
    written, used = [], set()
    for record in sorted(records, key=lambda r: r.student):
        stem = file_stem(record.student)
        base, n = stem, 2
        while stem in used:
            stem, n = f"{base}-{n}", n + 1
        used.add(stem)
        for suffix, text in ((".md", feedback_markdown(record)), (".html", feedback_html(record))):
            target = out / f"{stem}{suffix}"
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ReportError(f"cannot write {target}: {exc.strerror}") from None
            written.append(target)
    return written
