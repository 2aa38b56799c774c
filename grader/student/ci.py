"""`grader check --ci`: what a CI system reads, as plain functions over a results dict.

The results dict is what ``grading.Grader.grade`` returns (Gradescope's results.json form):
``results["tests"]`` has one entry per check with ``name`` ("exercise: check"), ``score``,
``max_score``, ``status``, ``output``, ``tags[0]`` (the exercise id) and, when a failure arose at a
known line of the submission's file, ``extra_data = {"file", "line"}``.

- ``annotations``: GitHub workflow commands, ``::error file=…,line=…,title=…::message``;
- ``summary_markdown``: the table of points per exercise and the failures, for ``$GITHUB_STEP_SUMMARY``;
- ``junit_xml``: JUnit XML, one testsuite per exercise and one testcase per check;
- ``points_line``: the last line of the output, ``Points: X/Y``.
"""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass

from rich.console import Console

from grader.course import Exercise
from grader.grading import exercise_scores
from grader.student.text import printable, student_console

MESSAGE_LIMIT = 1000


def ci_default(environ: Mapping[str, str]) -> bool:
    """CI mode is on by default where CI systems say so (GitHub Actions, GitLab and others set CI=true)."""
    return environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def plain_console() -> Console:
    """A console for logs: no colours, no control codes, no live display, no wrapping."""
    return student_console(ci=True)


@dataclass(frozen=True)
class Failure:
    exercise: str
    check: str
    message: str                # printable (newlines kept: annotations escape them)
    file: str | None            # relative to the course folder, e.g. exercises/week5/calc_preds.py
    line: int | None


def _points(value: float) -> str:
    return f"{value:g}"


def points_line(results: dict) -> str:
    return f"Points: {_points(results['score'])}/{_points(results['max_score'])}"


def plain_results(results: dict) -> dict:
    """``results`` with every check's output printable and on one line, for a CI log: a CI runner
    reads a line that starts with ``::`` as a command, so a message never starts a line."""
    tests = [{**t, "output": printable(t.get("output") or "", MESSAGE_LIMIT, one_line=True)} for t in results["tests"]]
    return {**results, "tests": tests}


def passed(results: dict) -> bool:
    return results["score"] == results["max_score"] and all(t["status"] == "passed" for t in results["tests"])


_SYNTAX = re.compile(r"SyntaxError in (?P<file>[^,]+), line (?P<line>\d+):")


def failures(results: dict, exercises: list[Exercise], folder: str = "exercises") -> list[Failure]:
    """Every failed check, with the file and line it points at when known.

    The line comes from the check's recorded ``extra_data``, or from a syntax error's message, which
    the grader itself words. It is kept only when the file is the exercise's own file (under
    ``folder``), so an annotation never points anywhere else."""
    by_id = {e.id: e for e in exercises}
    found = []
    for test in results["tests"]:
        if test["status"] == "passed":
            continue
        exercise_id = test["tags"][0]
        exercise = by_id.get(exercise_id)
        output = test.get("output") or "failed"
        extra = test.get("extra_data") if isinstance(test.get("extra_data"), dict) else {}
        file, line = extra.get("file"), extra.get("line")
        if line is None and (match := _SYNTAX.match(output)):
            file, line = match["file"], int(match["line"])
        if exercise is None or file != exercise.path or not isinstance(line, int) or line < 1:
            file, line = None, None
        found.append(Failure(
            exercise_id, printable(test["name"].split(": ", 1)[-1], 200, one_line=True),
            printable(output, MESSAGE_LIMIT),
            f"{folder}/{exercise.path}" if exercise else None, line if file else None))
    return found


# ------------------------------------------------------------------ GitHub annotations


def escape_data(text: str) -> str:
    """A workflow command's message: % CR LF escaped as GitHub's runner expects."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as a message, and also : and ,."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotations(results: dict, exercises: list[Exercise]) -> list[str]:
    """``::error file=…,line=…,title=…::message`` for each failure that has a file and a line."""
    lines = []
    for failure in failures(results, exercises):
        if failure.file is None or failure.line is None:
            continue
        properties = {"file": failure.file, "line": str(failure.line), "title": f"{failure.exercise}: {failure.check}"}
        props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
        lines.append(f"::error {props}::{escape_data(failure.message)}")
    return lines


# ------------------------------------------------------------------ the step summary

_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def markdown_text(text: str) -> str:
    """Plain text in Markdown: every ASCII punctuation character backslash-escaped (CommonMark
    renders it literally), so a message can neither format nor inject HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", printable(text, MESSAGE_LIMIT, one_line=True))


def summary_markdown(results: dict, exercises: list[Exercise]) -> str:
    """The table of points per exercise and a list of the failures. Exercise ids and paths (the
    course's own) are code spans; the checks' messages are escaped."""
    scores = exercise_scores(results, exercises)
    graded = {t["tags"][0] for t in results["tests"]}
    lines = [f"### Exercise checks: {_points(results['score'])}/{_points(results['max_score'])} points", "",
             "| | exercise | points | file |", "|---|---|---:|---|"]
    for exercise in exercises:
        if exercise.id not in graded:
            continue
        got, most = scores[exercise.id]
        mark = "✅" if got == most else "❌"
        lines.append(f"| {mark} | `{exercise.id}` | {_points(got)}/{_points(most)} | `exercises/{exercise.path}` |")
    found = failures(results, exercises)
    if found:
        lines += ["", f"#### Failures ({len(found)})", ""]
        for failure in found:
            where = f" (`{failure.file}`, line {failure.line})" if failure.line else ""
            lines.append(f"- **`{failure.exercise}`**, {markdown_text(failure.check)}: "
                         f"{markdown_text(failure.message)}{where}")
    else:
        lines += ["", "Every check passes."]
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ JUnit XML


def junit_xml(results: dict, exercises: list[Exercise]) -> bytes:
    """JUnit XML: a testsuite per exercise, a testcase per check, a failure element per failed check."""
    by_id = {e.id: e for e in exercises}
    suites: dict[str, list[dict]] = {}
    for test in results["tests"]:
        suites.setdefault(test["tags"][0], []).append(test)
    located = iter(failures(results, exercises))
    failed_total = sum(t["status"] != "passed" for t in results["tests"])
    root = ET.Element("testsuites", name="grader check", tests=str(len(results["tests"])),
                      failures=str(failed_total), errors="0", time=f"{results.get('execution_time', 0):.3f}")
    for exercise_id, tests in suites.items():
        exercise = by_id.get(exercise_id)
        file = f"exercises/{exercise.path}" if exercise else ""
        suite = ET.SubElement(root, "testsuite", name=printable(exercise_id, 200, one_line=True),
                              tests=str(len(tests)), failures=str(sum(t["status"] != "passed" for t in tests)),
                              errors="0", skipped="0")
        properties = ET.SubElement(suite, "properties")
        got, most = sum(t["score"] for t in tests), sum(t["max_score"] for t in tests)
        ET.SubElement(properties, "property", name="points", value=f"{_points(got)}/{_points(most)}")
        for test in tests:
            case = ET.SubElement(suite, "testcase", name=printable(test["name"].split(": ", 1)[-1], 200, one_line=True),
                                 classname=printable(exercise_id, 200, one_line=True), time="0")
            if file:
                case.set("file", file)
            if test["status"] != "passed":
                failure = next(located)
                if failure.line:
                    case.set("line", str(failure.line))
                element = ET.SubElement(case, "failure", message=printable(failure.message, one_line=True),
                                        type="CheckFailure")
                element.text = printable(test.get("output") or "failed", MESSAGE_LIMIT)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"
