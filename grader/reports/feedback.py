"""`grader feedback`: one Markdown and one HTML file per student.

Each opens with what to fix first (the failing exercises, each with its first failure and its hint
from ``grader/exercises.toml``), the assignment and, when the gradebook keeps them, the deadline and
any late penalty; then the score, the points per exercise, each failed check with its message (an
exercise not attempted says so in one line instead), the passed checks folded (``<details>``), the hidden checks by name (or "hidden check N" with
``hide_hidden_names``) and result only (never their messages), and the grader's notes. Text from the submission is escaped for Markdown (and
for HTML in the HTML file)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.course import load_exercises
from grader.reports.records import GradedRecord, ReportError
from grader.reports.summary import (GRADED, NOT_ATTEMPTED, NOT_GRADABLE, CheckResult, check_results, exercise_points,
                                    exercise_states, notes, short_message, standing_lines)
from grader.reports.text import html_text as h
from grader.reports.text import markdown_text as md

CSS = ("body{font:15px/1.5 system-ui,sans-serif;max-width:820px;margin:24px auto;padding:0 16px;color:#1d2330}"
       "table{border-collapse:collapse}th,td{border:1px solid #d9dde5;padding:3px 8px;text-align:left}"
       "td.n{text-align:right}td.pass,td.fail{white-space:nowrap}.pass{color:#1f7a3a}.fail{color:#b3261e}.muted{color:#6b7383}"
       "section.first{background:#fff7e6;border:1px solid #f0d9a8;border-radius:6px;padding:2px 14px}")


@dataclass(frozen=True)
class FeedbackOptions:
    """How the files are written: ``hide_hidden_names`` names hidden checks "hidden check N" (for an
    instructor who does not want their names shown); ``hints`` maps an exercise id to its hint
    (``grader/exercises.toml``)."""

    hide_hidden_names: bool = False
    hints: dict[str, str] = field(default_factory=dict)


def course_hints() -> dict[str, str]:
    """Each exercise's hint, from the course's ``grader/exercises.toml``."""
    return {e.id: e.hint for e in load_exercises()}


def _mark(passed: bool) -> str:
    return "✓ passed" if passed else "✗ failed"


def _names(checks: list[CheckResult], options: FeedbackOptions) -> dict[int, str]:
    """The name shown for each check (by position): its own, or "hidden check N" when hidden names are hidden."""
    shown, count = {}, {}
    for i, check in enumerate(checks):
        if check.hidden and options.hide_hidden_names:
            count[check.exercise] = count.get(check.exercise, 0) + 1
            shown[i] = f"hidden check {count[check.exercise]}"
        else:
            shown[i] = check.name
    return shown


@dataclass(frozen=True)
class FixFirst:
    exercise: str
    state: str            # GRADED (with a failure) or NOT_GRADABLE
    check: str            # the first failing check's shown name ("" when not gradable)
    message: str          # its message, or why the file did not load
    hint: str


def fix_first(record: GradedRecord, options: FeedbackOptions) -> tuple[list[FixFirst], list[str]]:
    """What to fix first: each exercise with a failure (not gradable first, in course order), with its
    first failure (a public one when there is one: hidden checks say only a fixed phrase) and its hint;
    and the exercises not attempted."""
    checks = check_results(record)
    names = _names(checks, options)
    states = exercise_states(record, checks)
    extra = record.results.get("extra_data") if isinstance(record.results.get("extra_data"), dict) else {}
    problems = extra.get("problems") if isinstance(extra.get("problems"), dict) else {}
    items, broken = [], []
    for exercise, state in states.items():
        hint = options.hints.get(exercise, "")
        if state == NOT_GRADABLE:
            broken.append(FixFirst(exercise, state, "", str(problems.get(exercise) or next(
                (c.output for c in checks if c.exercise == exercise and c.output), "its file did not load")), hint))
        elif state == GRADED:
            failed = [(i, c) for i, c in enumerate(checks) if c.exercise == exercise and not c.passed]
            if failed:
                i, first = next(((i, c) for i, c in failed if not c.hidden), failed[0])
                message = first.output if not first.hidden else "failed on a hidden input"
                items.append(FixFirst(exercise, state, names[i], message or "failed", hint))
    return broken + items, [e for e, s in states.items() if s == NOT_ATTEMPTED]


def _deadline_lines(record: GradedRecord) -> list[str]:
    """The assignment, and when the gradebook keeps them, the deadline and the late penalty."""
    lines = [f"Assignment: {record.assignment}"] if record.assignment else []
    standing = record.standing or {}
    if standing.get("deadline"):
        lines.append(f"Deadline: {standing['deadline']}")
    late = standing.get("days_late") or 0
    if isinstance(late, (int, float)) and late > 0:
        percent = standing.get("penalty_percent") or 0
        points = standing.get("penalty") or 0
        lines.append(f"Handed in {late:g} day{'s' if late != 1 else ''} late: a penalty of {percent:g}% "
                     f"({points:g} points)")
    if isinstance(standing.get("final_score"), (int, float)) and standing.get("final_score") != record.results["score"]:
        lines.append(f"Final score after penalties and adjustments: {standing['final_score']:g} / "
                     f"{record.results['max_score']:g}")
    return lines


def feedback_markdown(record: GradedRecord, options: FeedbackOptions = FeedbackOptions()) -> str:
    """The student's feedback as GitHub-flavoured Markdown."""
    results = record.results
    lines = [f"# Feedback for {md(record.shown_name, 200)}", ""]
    lines += [f"{md(line)}  " for line in _deadline_lines(record)]
    lines += [f"**Score: {results['score']:g} / {results['max_score']:g}**", ""]
    first, not_attempted = fix_first(record, options)
    if first:
        lines += ["## Fix this first", ""]
        for item in first:
            what = "its file did not load: " if item.state == NOT_GRADABLE else f"{md(item.check)}: "
            lines.append(f"- **{md(item.exercise)}**: {what}{md(short_message(item.message, 400), 420)}")
            if item.hint:
                lines.append(f"  - Hint: {md(item.hint, 600)}")
        lines.append("")
    if not_attempted:
        lines += [f"Not attempted yet: {', '.join(md(e) for e in not_attempted)}", ""]
    lines += ["| exercise | points |", "|---|---:|"]
    lines += [f"| {md(e)} | {got:g} / {most:g} |" for e, (got, most) in exercise_points(record).items()]
    if standing_lines(record):
        lines += ["", "## Lateness and adjustments", ""] + [f"- {md(line, 600)}" for line in standing_lines(record)]
    found = notes(record)
    if found:
        lines += ["", "## Notes on your submission", ""] + [f"- {md(n)}" for n in found]
    checks = check_results(record)
    names = _names(checks, options)
    states = exercise_states(record, checks)
    for exercise in exercise_points(record):
        mine, failed, passed, why = _of_exercise(checks, exercise)
        lines += ["", f"## {md(exercise)}", ""]
        if states.get(exercise) == NOT_ATTEMPTED:
            lines.append(f"Not attempted yet{': ' + md(short_message(why, 400), 420) if why else ''} "
                         f"({len(mine)} checks not run)")
            continue
        if failed:
            lines += ["| check | result | message |", "|---|---|---|"]
            for i, check in failed:
                if check.hidden:
                    message = "*hidden check: only its result is shown*"
                else:
                    message = md(short_message(check.output, 400), 420) if check.output else ""
                lines.append(f"| {md(names[i])}{' (hidden)' if check.hidden else ''} | {_mark(check.passed)} "
                             f"({check.score:g}/{check.max_score:g}) | {message} |")
        if passed:
            lines += ["", f"<details><summary>{len(passed)} passed check{'s' if len(passed) != 1 else ''}</summary>", ""]
            lines += [f"- {md(names[i])}{' (hidden)' if c.hidden else ''}: {_mark(True)} ({c.score:g}/{c.max_score:g})"
                      for i, c in passed]
            lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def feedback_html(record: GradedRecord, options: FeedbackOptions = FeedbackOptions()) -> str:
    """The same feedback as a self-contained HTML page."""
    results = record.results
    parts = [f"<h1>Feedback for {h(record.shown_name, 200)}</h1>"]
    parts += [f'<p class="muted">{h(line)}</p>' for line in _deadline_lines(record)]
    parts.append(f"<p><b>Score: {results['score']:g} / {results['max_score']:g}</b></p>")
    first, not_attempted = fix_first(record, options)
    if first:
        parts.append('<section class="first"><h2>Fix this first</h2><ul>')
        for item in first:
            what = "its file did not load: " if item.state == NOT_GRADABLE else f"{h(item.check)}: "
            hint = f'<br><span class="muted">Hint: {h(item.hint, 600)}</span>' if item.hint else ""
            parts.append(f"<li><b>{h(item.exercise)}</b>: {what}{h(short_message(item.message, 400), 420)}{hint}</li>")
        parts.append("</ul></section>")
    if not_attempted:
        parts.append(f"<p>Not attempted yet: {', '.join(h(e) for e in not_attempted)}</p>")
    parts.append("<table><tr><th>exercise</th><th>points</th></tr>")
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
    names = _names(checks, options)
    states = exercise_states(record, checks)
    for exercise in exercise_points(record):
        mine, failed, passed, why = _of_exercise(checks, exercise)
        parts.append(f"<h2>{h(exercise)}</h2>")
        if states.get(exercise) == NOT_ATTEMPTED:
            parts.append(f'<p class="muted">Not attempted yet{": " + h(short_message(why, 400), 420) if why else ""} '
                         f"({len(mine)} checks not run)</p>")
            continue
        if failed:
            parts.append("<table><tr><th>check</th><th>result</th><th>message</th></tr>")
            for i, check in failed:
                if check.hidden:
                    message = '<span class="muted">hidden check: only its result is shown</span>'
                else:
                    message = h(short_message(check.output, 400), 420)
                parts.append(f"<tr><td>{h(names[i])}{' (hidden)' if check.hidden else ''}</td>"
                             f'<td class="fail">{_mark(False)} ({check.score:g}/{check.max_score:g})</td>'
                             f"<td>{message}</td></tr>")
            parts.append("</table>")
        if passed:
            parts.append(f"<details><summary>{len(passed)} passed check{'s' if len(passed) != 1 else ''}</summary><ul>"
                         + "".join(f'<li>{h(names[i])}{" (hidden)" if c.hidden else ""}: <span class="pass">'
                                   f"{_mark(True)}</span> ({c.score:g}/{c.max_score:g})</li>" for i, c in passed)
                         + "</ul></details>")
    return ('<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f"<title>Feedback for {h(record.shown_name, 200)}</title><style>{CSS}</style></head><body>"
            + "".join(parts) + "</body></html>\n")


def file_stem(student: str) -> str:
    """A file name for ``student`` that stays inside the output folder."""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", student).strip("._") or "student"
    return stem[:100]


def write_feedback(records: list[GradedRecord], out: Path, options: FeedbackOptions | None = None) -> list[Path]:
    """Write ``<student>.md`` and ``<student>.html`` for each record into ``out``; returns the files."""
    out = Path(out)
    options = options if options is not None else FeedbackOptions(hints=course_hints())
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
        for suffix, text in ((".md", feedback_markdown(record, options)), (".html", feedback_html(record, options))):
            target = out / f"{stem}{suffix}"
            try:
                target.write_text(text, encoding="utf-8")
            except OSError as exc:
                raise ReportError(f"cannot write {target}: {exc.strerror}") from None
            written.append(target)
    return written


def _of_exercise(checks: list, exercise: str) -> tuple[list, list, list, str]:
    """An exercise's checks (with their positions), the failed and the passed ones, and why it
    was not attempted (the first public failure's message), for both the Markdown and the HTML."""
    mine = [(i, c) for i, c in enumerate(checks) if c.exercise == exercise]
    failed = [(i, c) for i, c in mine if not c.passed]
    passed = [(i, c) for i, c in mine if c.passed]
    why = next((c.output for _, c in failed if c.output and not c.hidden), "")
    return mine, failed, passed, why
