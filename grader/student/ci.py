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

import ast
import re
import string
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from grader.bounds import MAX_SOURCE_BYTES
from grader.course import Exercise, in_course_order
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


#: GitHub shows at most ten error annotations of a step; more are dropped, so the grader chooses.
ANNOTATION_LIMIT = 10
NOT_WRITTEN = "not written yet: "


def not_started(test: dict) -> bool:
    """A check that failed only because the function is still the stub (the grader's own wording)."""
    return (test.get("output") or "").startswith(NOT_WRITTEN)


def definitions(path: Path) -> dict[str, int]:
    """The line of each ``def`` and ``class`` at the top level of the Python file ``path``, the last
    one of a name defined twice (that one counts), found with ``ast`` here, on the trusted side: the
    file is parsed, never run. Empty when the file cannot be read or parsed or is larger than a
    submission's source may be (``bounds.MAX_SOURCE_BYTES``)."""
    try:
        with open(path, "rb") as file:
            source = file.read(MAX_SOURCE_BYTES + 1)
        if len(source) > MAX_SOURCE_BYTES:
            return {}
        tree = ast.parse(source, str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    return {node.name: node.lineno for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def definition_line(path: Path, name: str) -> int | None:
    """The line of ``def name`` (or ``class name``) in ``path`` (``definitions``), or None."""
    return definitions(path).get(name)


@dataclass(frozen=True)
class Annotation:
    exercise: str
    file: str | None            # relative to the course folder, e.g. exercises/week5/calc_preds.py
    line: int | None
    title: str
    message: str                # printable, a line per failed check (the command escapes newlines)
    wrong_answer: bool          # a check compared a returned value and it was wrong

    def command(self) -> str:
        """``::error file=…,line=…,title=…::message``."""
        properties = {**({"file": self.file} if self.file else {}), **({"line": str(self.line)} if self.line else {}),
                      "title": self.title}
        props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items())
        return f"::error {props}::{escape_data(self.message)}"


def to_fix(results: dict, exercises: list[Exercise], course: Path | None = None) -> list[Annotation]:
    """What to fix, most useful first: per exercise that fails a check for a reason other than
    "not written yet" (an untouched stub is not a mistake), one entry with its failed checks.
    Wrong answers come first, then errors (an exception, a syntax error, a time-out), each in the
    order of the course. The line is the syntax error's, else the function's ``def`` line in the
    student's file (``course``'s exercises/, read with ``ast`` here), else the line the error arose at.
    Without ``course`` (a notebook or another file was checked, not exercises/) no file is named."""
    scores = exercise_scores(results, exercises)
    found, parsed = [], {}      # each file parsed once, however many of its exercises fail
    for position, exercise in enumerate(in_course_order(exercises)):
        tests = [t for t in results["tests"] if t["tags"][0] == exercise.id and t["status"] != "passed"]
        written = [t for t in tests if not not_started(t)]
        if not written:
            continue
        pointed = list(zip(failures({**results, "tests": written}, [exercise]), written))
        line = next((f.line for f, t in pointed if f.line and _SYNTAX.match(t.get("output") or "")), None)
        if line is None and course is not None:
            if exercise.path not in parsed:
                parsed[exercise.path] = definitions(course / "exercises" / exercise.path)
            line = parsed[exercise.path].get(exercise.function)
        if line is None:
            line = next((f.line for f, _ in pointed if f.line), None)
        wrong = [t for t in written if not _located(t)]
        reasons = grouped(wrong + [t for t in written if _located(t)])
        message = "\n".join(f"{printable(label, 200, one_line=True)}: "
                            f"{printable(output, MESSAGE_LIMIT, one_line=True)}" for label, output in reasons[:5])
        if len(reasons) > 5:
            message += f"\n… and {len(reasons) - 5} more"
        got, most = scores[exercise.id]
        title = (f"{exercise.id}: {len(written)} check{'s' if len(written) != 1 else ''} failed "
                 f"({_points(got)}/{_points(most)} points)")
        file = f"exercises/{exercise.path}" if course is not None else None
        found.append((not wrong, position, Annotation(exercise.id, file, line if file else None, title,
                                                      message, bool(wrong))))
    return [a for _, _, a in sorted(found, key=lambda item: item[:2])]


def grouped(tests: list[dict]) -> list[tuple[str, str]]:
    """(which checks, the message) per distinct message: "lists and 3 more checks", once."""
    reasons: dict[str, list[str]] = {}
    for test in tests:
        reasons.setdefault(test.get("output") or "failed", []).append(test["name"].split(": ", 1)[-1])
    return [(names[0] if len(names) == 1 else f"{names[0]} and {len(names) - 1} more check{'s' if len(names) > 2 else ''}",
             output) for output, names in reasons.items()]


def _located(test: dict) -> bool:
    """The failure arose at a line of the submission (an exception, a syntax error): an error, not a
    wrong answer."""
    extra = test.get("extra_data") if isinstance(test.get("extra_data"), dict) else {}
    return extra.get("line") is not None or bool(_SYNTAX.match(test.get("output") or ""))


def annotations(results: dict, exercises: list[Exercise], course: Path | None = None,
                limit: int = ANNOTATION_LIMIT) -> list[str]:
    """At most ``limit`` ``::error`` commands: ``to_fix``'s first, wrong answers first."""
    return [a.command() for a in to_fix(results, exercises, course)[:limit]]


# ------------------------------------------------------------------ the step summary

_MARKDOWN_SPECIAL = re.compile("([" + re.escape(string.punctuation) + "])")


def markdown_text(text: str) -> str:
    """Plain text in Markdown: every ASCII punctuation character backslash-escaped (CommonMark
    renders it literally), so a message can neither format nor inject HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", printable(text, MESSAGE_LIMIT, one_line=True))


def summary_markdown(results: dict, exercises: list[Exercise], course: Path | None = None) -> str:
    """What to fix first (``to_fix``: wrong answers, then errors, each failed check listed), then
    the points per exercise, the exercises not started last. Exercise ids and paths (the course's
    own) are code spans; the checks' messages are escaped."""
    scores = exercise_scores(results, exercises)
    graded = {t["tags"][0] for t in results["tests"]}
    ordered = [e for e in in_course_order(exercises) if e.id in graded]
    fixes = to_fix(results, exercises, course)
    unstarted = [e for e in ordered if any(not_started(t) for t in results["tests"] if t["tags"][0] == e.id)
                 and e.id not in {a.exercise for a in fixes}]
    lines = [f"### Exercise checks: {_points(results['score'])}/{_points(results['max_score'])} points", ""]
    if fixes:
        lines += [f"#### To fix ({len(fixes)} exercise{'s' if len(fixes) != 1 else ''})", ""]
        for fix in fixes:
            got, most = scores[fix.exercise]
            where = f" (`{fix.file}`" + (f", line {fix.line}" if fix.line else "") + ")" if fix.file else ""
            kind = "wrong answer" if fix.wrong_answer else "error"
            lines.append(f"- **`{fix.exercise}`**{where}, {_points(got)}/{_points(most)}, {kind}:")
            failed = [t for t in results["tests"]
                      if t["tags"][0] == fix.exercise and t["status"] != "passed" and not not_started(t)]
            lines += [f"  - {markdown_text(label)}: {markdown_text(output)}" for label, output in grouped(failed)]
        lines.append("")
    elif unstarted:
        lines += ["Nothing to fix in what you have written so far.", ""]
    else:
        lines += ["Every check passes.", ""]
    lines += ["#### Points per exercise", "", "| | exercise | points | file |", "|---|---|---:|---|"]
    for exercise in (e for e in ordered if e not in unstarted):
        got, most = scores[exercise.id]
        mark = "✅" if got == most else "❌"
        lines.append(f"| {mark} | `{exercise.id}` | {_points(got)}/{_points(most)} | `exercises/{exercise.path}` |")
    for exercise in unstarted:
        got, most = scores[exercise.id]
        lines.append(f"| ⬜ | `{exercise.id}` (not started) | {_points(got)}/{_points(most)} | "
                     f"`exercises/{exercise.path}` |")
    if unstarted:
        lines += ["", f"{len(unstarted)} not started yet: their functions still raise `NotImplementedError`. "
                      f"Next: `{unstarted[0].id}` in `exercises/{unstarted[0].path}`."]
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
