"""Turning results into what people read: the student's feedback and the class table.

Both take a results dict (Gradescope's form, as ``grading.build_results`` makes it) and
print nothing a submission wrote without ``safetext.clean``; text is passed to rich as
``Text``, never spliced into markup, so a file name like ``[bold green]50 of 50`` is shown as
it is written.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from grader.course import Exercise
from grader.grading import exercise_scores
from grader.safetext import clean

PRINTED_LINES = 40       # of what a submission printed, `check` shows at most this many lines
PRINTED_CHARS = 4096     # and this many characters
NOT_WRITTEN = "not written yet: "


def _points(got: float, most: float) -> Text:
    style = "green" if got == most else ("red" if got == 0 else "yellow")
    return Text(f"{got:g}/{most:g}", style=style)


def _line(*parts: str | Text | tuple[str, str]) -> Text:
    """A line from plain strings, (text, style) pairs and Text: no markup is read anywhere."""
    return Text.assemble(*parts)


def print_feedback(console: Console, results: dict, exercises: list[Exercise], *, hints: bool = False,
                   where: str | None = None) -> None:
    """Per exercise: points, where its code is (``where``, else its stub's file), what failed and
    why (a stub is said once), what the code printed and, with ``hints``, the exercise's hint; then
    notes and the score, saying what the hidden checks are worth when they were not run."""
    scores = exercise_scores(results, exercises)
    printed = results.get("extra_data", {}).get("printed_by_exercise", {})
    budget = [PRINTED_LINES, PRINTED_CHARS]
    any_failed = False
    for exercise in exercises:
        got, most = scores[exercise.id]
        tests = [t for t in results["tests"] if t["tags"][0] == exercise.id]
        failed = [t for t in tests if t["status"] == "failed"]
        any_failed = any_failed or bool(failed)
        mark = ("✓", "green") if got == most else ("✗", "red")
        console.print(_line(mark, " ", (exercise.id, "bold"), "  ", _points(got, most), "  ",
                            (where or f"exercises/{exercise.path}", "dim")), highlight=False)
        for text in _failure_lines(failed):
            console.print(Padding(text, (0, 0, 0, 4), expand=False), highlight=False)
        if exercise.id in printed:
            _print_printed(console, printed[exercise.id], budget)
        if failed and hints:
            console.print(Padding(_line(("hint: ", "cyan"), exercise.hint), (0, 0, 0, 4), expand=False), highlight=False)
    for note in results.get("extra_data", {}).get("notes", []) or []:
        console.print(_line(("note: ", "yellow"), clean(note, 300)), highlight=False)
    console.print()
    console.print(_line((score_line(results, exercises), "bold")), highlight=False)
    if any_failed and not hints:
        console.print(_line(("Stuck? ", "dim"), ("grader hint EXERCISE", "cyan"),
                            (" gives a nudge (or grader check --hint).", "dim")), highlight=False)


def score_line(results: dict, exercises: list[Exercise]) -> str:
    """'Score: 5/5', or for a public-only run 'Score: 5/5 public points (the other 5 of 10 are
    hidden checks your instructor runs)'."""
    score, most = results["score"], results["max_score"]
    if any("hidden" in t["tags"] for t in results["tests"]):
        return f"Score: {score:g}/{most:g}"
    total = sum(e.points for e in exercises)
    if total <= most:
        return f"Score: {score:g}/{most:g}"
    return (f"Score: {score:g}/{most:g} public points (the other {total - most:g} of {total:g} are hidden "
            "checks your instructor runs)")


def _failure_lines(failed: list[dict]) -> list[Text]:
    """One line per distinct reason: a stub's "not written yet" once for all its checks, and a
    message that several checks share once, with their number."""
    reasons: dict[str, list[str]] = {}
    for test in failed:
        reasons.setdefault(test["output"] or "failed", []).append(test["name"].split(": ", 1)[-1])
    lines = []
    for reason, names in reasons.items():
        text = clean(reason, 2000)
        if text.startswith(NOT_WRITTEN) or (len(reasons) == 1 and len(names) > 1):
            lines.append(_line((text, "red")))
        elif len(names) == 1:
            lines.append(_line(("• ", "red"), f"{names[0]}: ", text))
        else:
            lines.append(_line(("• ", "red"), f"{names[0]} and {len(names) - 1} more: ", text))
    return lines


def _print_printed(console: Console, text: str, budget: list[int]) -> None:
    """What the code printed, within what is left of the budget (lines, characters)."""
    lines = clean(text, 100_000).splitlines()
    if not lines:
        return
    console.print(_line("    ", ("your code printed:", "dim")), highlight=False)
    shown, chars = 0, 0
    for line in lines:
        if shown >= budget[0] or chars + len(line) > budget[1]:
            break
        console.print(_line(("    │ ", "dim"), line), highlight=False, soft_wrap=True)
        shown += 1
        chars += len(line) + 1
    budget[0] -= shown
    budget[1] -= chars
    if shown < len(lines):
        console.print(_line("    ", (f"… {len(lines) - shown} more lines not shown "
                                     f"(at most {PRINTED_LINES} lines, {PRINTED_CHARS // 1024} KB in all)", "dim")),
                      highlight=False)


#: A problem that says a file loaded without an exercise's function (grading's words).
UNDEFINED = re.compile(r"\w+ is not defined in \S")


def submission_note(results: dict) -> str:
    """The first thing wrong with a submission, in a few words: why it scores what it does
    ('week5/calc_preds.py is empty', 'no file for 5 exercises', 'cell 3 raised …'), or ''."""
    extra = results.get("extra_data", {})
    problems = list((extra.get("problems") or {}).values())
    missing = [p for p in problems if p.startswith("no file for this exercise")]
    undefined = [p for p in problems if UNDEFINED.match(p)]
    others = [p for p in problems if p not in missing and p not in undefined]
    if others:
        note = others[0]
    elif missing or undefined:
        note = "; ".join(([f"no file for {len(missing)} exercise{'s' if len(missing) > 1 else ''}"] if missing else [])
                         + ([f"{len(undefined)} function{'s' if len(undefined) > 1 else ''} not defined"]
                            if undefined else []))
    elif extra.get("notes"):
        note = extra["notes"][0]
    else:
        return ""
    return brief(note, NOTE_LIMIT)


NOTE_LIMIT = 120  # characters of a note in the class table (the report and feedback have the whole text)


def brief(text: str, limit: int) -> str:
    """``text`` cleaned, without the advice after its first '; ' (the student's feedback has it),
    and cut at a word to about ``limit`` characters with '…'."""
    text = clean(text, 4 * limit, lines=False).split("; ", 1)[0]
    if len(text) <= limit:
        return text
    head = text[:limit]
    return (head.rsplit(" ", 1)[0] if " " in head else head).rstrip(",;:") + " …"


#: Beyond this many exercises the class table shows a column per folder of exercises/ (week1, …).
MAX_EXERCISE_COLUMNS = 8


def _folder_order(folder: str) -> tuple[int, bool, str]:
    """week1, week2, week3, lab3, week5, lab5: by the number in the name, a week before its lab."""
    digits = "".join(c for c in folder if c.isdigit())
    return (int(digits) if digits else 1 << 30, folder.startswith("lab"), folder)


def column_groups(exercises: list[Exercise]) -> list[tuple[str, list[Exercise]]]:
    """The class table's point columns: one per exercise, or, for a course with more than
    MAX_EXERCISE_COLUMNS exercises, one per folder of exercises/ with its exercises."""
    if len(exercises) <= MAX_EXERCISE_COLUMNS:
        return [(e.id, [e]) for e in exercises]
    folders: dict[str, list[Exercise]] = {}
    for e in exercises:
        folders.setdefault(e.path.split("/")[0], []).append(e)
    return [(name, folders[name]) for name in sorted(folders, key=_folder_order)]


def class_table(rows: list[tuple[str, dict | None, str | None]], exercises: list[Exercise]) -> Table:
    """One row per submission: total, points per exercise (per folder of exercises/ for a large
    course), time and a note of the first problem (or the error that stopped its grading)."""
    groups = column_groups(exercises)
    per_folder = len(groups) != len(exercises)
    table = Table(title="Class results", header_style="bold",
                  caption="points per folder of exercises/; per exercise: grader report, or --json" if per_folder
                  else None)
    table.add_column("submission", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    for name, _ in groups:
        table.add_column(name, justify="right")
    table.add_column("time", justify="right")
    table.add_column("notes", overflow="fold")
    for name, results, error in sorted(rows, key=lambda r: r[0]):
        shown = Text(clean(name, 60, lines=False))
        if results is None:
            table.add_row(shown, Text("error", style="bold red"), *[""] * len(groups), "",
                          Text(clean(error or "", 300, lines=False), style="red"))
            continue
        scores = exercise_scores(results, exercises)
        cells = [_points(sum(scores[e.id][0] for e in members), sum(scores[e.id][1] for e in members))
                 for _, members in groups]
        table.add_row(shown, _points(results["score"], results["max_score"]), *cells,
                      f"{results['execution_time']:.2f}s", Text(submission_note(results), style="yellow"))
    return table
