"""Turning results into what people read: the student's feedback and the class table."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.course import Exercise
from grader.grading import exercise_scores


def _points(got: float, most: float) -> Text:
    style = "green" if got == most else ("red" if got == 0 else "yellow")
    return Text(f"{got:g}/{most:g}", style=style)


def print_feedback(console: Console, results: dict, exercises: list[Exercise]) -> None:
    """Per exercise: points, each failed check with its reason, and the hint."""
    scores = exercise_scores(results, exercises)
    for exercise in exercises:
        got, most = scores[exercise.id]
        mark = "[green]✓[/]" if got == most else "[red]✗[/]"
        console.print(f"{mark} [bold]{exercise.id}[/]  ", _points(got, most), f"  [dim]exercises/{exercise.path}[/]")
        failed = [t for t in results["tests"] if t["tags"][0] == exercise.id and t["status"] == "failed"]
        for test in failed:
            name = test["name"].split(": ", 1)[-1]
            console.print(f"    [red]•[/] {name}: ", Text(test["output"] or "failed"), highlight=False)
        if failed:
            console.print(f"    [cyan]hint:[/] {exercise.hint}", highlight=False)
    console.print(f"\n[bold]Score: {results['score']:g}/{results['max_score']:g}[/]")


def class_table(rows: list[tuple[str, dict | None, str | None]], exercises: list[Exercise]) -> Table:
    """One row per submission: total and points per exercise (or the error that stopped it)."""
    table = Table(title="Class results", header_style="bold")
    table.add_column("submission", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    for exercise in exercises:
        table.add_column(exercise.id, justify="right")
    table.add_column("time", justify="right")
    for name, results, error in sorted(rows, key=lambda r: r[0]):
        if results is None:
            table.add_row(name, Text("error", style="bold red"), *[""] * len(exercises),
                          Text(error or "", style="red"))
            continue
        scores = exercise_scores(results, exercises)
        table.add_row(name, _points(results["score"], results["max_score"]),
                      *[_points(*scores[e.id]) for e in exercises], f"{results['execution_time']:.2f}s")
    return table
