"""The class table that `grader grade` prints: a row per submission, its score per folder of
exercises (or per exercise), the time it took and, in a few words, what is wrong with it.

Nothing a submission wrote is printed without ``safetext.clean``; cells are rich ``Text``,
never markup.
"""

from __future__ import annotations

import re

from rich.table import Table
from rich.text import Text

from grader.course import Exercise
from grader.grading.results import exercise_scores
from grader.safetext import clean


def _points(got: float, most: float) -> Text:
    style = "green" if got == most else ("red" if got == 0 else "yellow")
    return Text(f"{got:g}/{most:g}", style=style)


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


def standing(results: dict | None) -> dict | None:
    """The gradebook's standing of a result (raw points, late penalty, adjustments, final), if it has one."""
    extra = (results or {}).get("extra_data")
    value = extra.get("standing") if isinstance(extra, dict) else None
    return value if isinstance(value, dict) else None


def late_text(entry: dict) -> str:
    """"-2 (1 day late)", or "" when on time."""
    days = int(entry.get("days_late") or 0)
    if days <= 0:
        return ""
    return f"-{entry['penalty']:g} ({days} day{'s' if days != 1 else ''} late)"


def class_table(rows: list[tuple[str, dict | None, str | None]], exercises: list[Exercise]) -> Table:
    """One row per submission: total, points per exercise (per folder of exercises/ for a large
    course), time and a note of the first problem (or the error that stopped its grading). For an
    assignment with a due date (or adjustments), the score is the raw points, followed by the late
    penalty and the final points."""
    groups = column_groups(exercises)
    dated = any((entry := standing(r[1])) and (entry.get("deadline") or entry.get("adjustments")) for r in rows)
    per_folder = len(groups) != len(exercises)
    table = Table(title="Class results", header_style="bold",
                  caption="points per folder of exercises/; per exercise: grader report, or --json" if per_folder
                  else None)
    table.add_column("submission", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    if dated:
        table.add_column("late", justify="right", no_wrap=True)
        table.add_column("final", justify="right", no_wrap=True)
    for name, _ in groups:
        table.add_column(name, justify="right")
    table.add_column("time", justify="right")
    table.add_column("notes", overflow="fold")
    for name, results, error in sorted(rows, key=lambda r: r[0]):
        shown = Text(clean(name, 60, lines=False))
        if results is None:
            table.add_row(shown, Text("error", style="bold red"), *[""] * (len(groups) + 2 * dated), "",
                          Text(clean(error or "", 300, lines=False), style="red"))
            continue
        scores = exercise_scores(results, exercises)
        cells = [_points(sum(scores[e.id][0] for e in members), sum(scores[e.id][1] for e in members))
                 for _, members in groups]
        entry = standing(results)
        lateness = []
        if dated:
            raw = entry["raw_score"] if entry else results["score"]
            late = late_text(entry) if entry else ""
            if entry and entry.get("adjustments"):
                late = ", ".join(filter(None, [late, f"{entry['adjustments']:+g} adjusted"]))
            lateness = [Text(late, style="red"), _points(results["score"], results["max_score"])]
        else:
            raw = results["score"]
        table.add_row(shown, _points(raw, results["max_score"]), *lateness, *cells,
                      f"{results['execution_time']:.2f}s", Text(submission_note(results), style="yellow"))
    return table
