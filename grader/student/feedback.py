"""The student's feedback in the terminal: per exercise, points, what failed and why, what the
code printed, hints and the score line (``grader check``, ``grader check NOTEBOOK``).

It takes a results dict (Gradescope's form, as ``grading.results.build_results`` makes it) and
prints nothing a submission wrote without ``safetext.clean``; text is passed to rich as
``Text``, never spliced into markup, so a file name like ``[bold green]50 of 50`` is shown as
it is written.
"""

from __future__ import annotations

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from grader.course import Exercise
from grader.grading.results import exercise_scores
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
    graded_from = results.get("extra_data", {}).get("sources", {})   # a student repository's places
    budget = [PRINTED_LINES, PRINTED_CHARS]
    any_failed = False
    for exercise in exercises:
        got, most = scores[exercise.id]
        tests = [t for t in results["tests"] if t["tags"][0] == exercise.id]
        failed = [t for t in tests if t["status"] == "failed"]
        any_failed = any_failed or bool(failed)
        mark = ("✓", "green") if got == most else ("✗", "red")
        console.print(_line(mark, " ", (exercise.id, "bold"), "  ", _points(got, most), "  ",
                            (where or clean(graded_from.get(exercise.id) or f"exercises/{exercise.path}", 200,
                                            lines=False), "dim")), highlight=False)
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
    stub = None  # a stub's first "not written yet", with its line: its hidden checks say it without one
    for test in failed:
        reason = test["output"] or "failed"
        if reason.startswith(NOT_WRITTEN):
            stub = stub or reason
            reason = stub
        reasons.setdefault(reason, []).append(test["name"].split(": ", 1)[-1])
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
