"""The `grader` command line: thin Click commands over plain functions."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from grader.course import CourseError, find_root, load_exercises, select
from grader.quiz.cli import quiz
from grader.safetext import clean

ISOLATION = click.option(
    "--isolation", type=click.Choice(["auto", "full", "weak"]), default="auto", show_default=True,
    help="How submissions are walled off: full needs Linux namespaces (root or user namespaces); "
         "weak runs them with limits only.")
TIMEOUT = click.option("--timeout", type=click.FloatRange(0.1, 600), default=2.0, show_default=True,
                       help="Wall-clock seconds one call of a submission's function may take.")
CPU_TIME = click.option("--cpu-time", type=click.FloatRange(0.05, 600), default=0.5, show_default=True,
                        help="CPU seconds one call may use (a busy loop is stopped then).")


def _course() -> Path:
    try:
        return find_root()
    except CourseError as exc:
        raise click.ClickException(str(exc)) from None


class _Commands(click.Group):
    """The command group, ending quietly on Ctrl-C (one line, exit 130) and on a closed stdout."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _quiet_stdout()
            click.echo("Interrupted.", err=True)
            raise click.exceptions.Exit(130) from None
        except BrokenPipeError:  # `grader check | head -1`: the reader has gone
            _quiet_stdout()
            raise click.exceptions.Exit(1) from None


class _HeldInterrupt:
    """Holds Ctrl-C until the block ends, then raises it: torch's C++ start-up aborts the whole
    process (std::terminate, a core dump) when a KeyboardInterrupt is raised inside it."""

    def __enter__(self) -> "_HeldInterrupt":
        self.pressed = False
        self.previous = signal.signal(signal.SIGINT, self._press)
        return self

    def _press(self, *_: object) -> None:
        self.pressed = True

    def __exit__(self, *exc: object) -> None:
        signal.signal(signal.SIGINT, self.previous)
        if self.pressed:
            raise KeyboardInterrupt


def _import_libraries() -> None:
    """Import torch, numpy and pandas with Ctrl-C held (see ``_HeldInterrupt``)."""
    with _HeldInterrupt():
        import numpy  # noqa: F401
        import pandas  # noqa: F401
        import torch  # noqa: F401


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush cannot fail on a closed pipe."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, sys.stdout.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # a test runner's stdout has no file descriptor
        pass


@click.group(cls=_Commands)
@click.version_option(package_name="dl-grader")
def main() -> None:
    """Grade the course's exercises and take its quizzes."""


@main.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
def list_exercises(as_json: bool) -> None:
    """List the exercises: id, file, function and points.

    Example:

    \b
        grader list
        grader list --json
    """
    exercises = load_exercises()
    if as_json:
        click.echo(json.dumps([{"id": e.id, "path": e.path, "function": e.function, "points": e.points}
                               for e in exercises], indent=2))
        return
    from rich.table import Table

    table = Table(header_style="bold")
    for column in ("id", "file", "function", "points"):
        table.add_column(column, justify="right" if column == "points" else "left", no_wrap=True)
    for e in exercises:
        table.add_row(e.id, f"exercises/{e.path}", e.function, f"{e.points:g}")
    Console(width=max(Console().width, 100)).print(table)


@main.command()
@click.argument("exercise", nargs=-1)
@click.option("--hint", "hints", is_flag=True, help="Also show the hint of each exercise that fails.")
@TIMEOUT
@CPU_TIME
@ISOLATION
def check(exercise: tuple[str, ...], hints: bool, timeout: float, cpu_time: float, isolation: str) -> None:
    """Check your work in exercises/ with the public checks.

    Prints, per exercise, the points, what failed and why, and what your code printed
    (with --hint, a nudge too). Exits with status 1 while anything fails.

    Example:

    \b
        grader check
        grader check triple_relu calc_preds --hint
    """
    from grader.grading import GradeOptions, Grader, GradingError
    from grader.report import print_feedback
    from grader.sandbox.host import SandboxUnavailable

    course = _course()
    console = Console()
    try:
        exercises = select(load_exercises(), exercise)
        options = GradeOptions(hidden=False, timeout=timeout, cpu_time=cpu_time, exercises=exercise,
                               isolation=isolation)
        console.print(Text(f"Checking {course / 'exercises'}", style="dim"), highlight=False)
        _import_libraries()
        with console.status("Checking…"), Grader(course, options) as grader:
            results = grader.grade(course / "exercises")
    except (CourseError, GradingError, SandboxUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    print_feedback(console, results, exercises, hints=hints)
    sys.exit(0 if results["score"] == results["max_score"] else 1)


@main.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results of a single submission to this file.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/<name>.json for each submission.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Submissions graded at once (default: the number of CPUs).")
@click.option("--seed", type=int, default=None, help="Seed for the hidden checks' inputs (default: random).")
@click.option("--public-only", is_flag=True, help="Run only the public checks.")
@TIMEOUT
@CPU_TIME
@ISOLATION
def grade(submissions: tuple[Path, ...], json_file: Path | None, out_dir: Path | None, jobs: int | None,
          seed: int | None, public_only: bool, timeout: float, cpu_time: float, isolation: str) -> None:
    """Grade submissions with the public and hidden checks against solutions/.

    A submission is a folder mirroring exercises/, one .py file, or a notebook.
    Prints a table of the class; exits 0 when every submission was graded,
    whatever the scores.

    Example:

    \b
        grader grade examples/class/* --out reports/
        grader grade alice.ipynb --json alice.json
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.grading import GradeOptions, grade_many
    from grader.report import class_table
    from grader.submission import submission_name

    if json_file and len(submissions) != 1:
        raise click.ClickException("--json takes one submission; use --out DIR for several")
    names = [submission_name(p) for p in submissions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if out_dir and duplicates:
        raise click.ClickException(f"several submissions are named {clean(', '.join(duplicates), 300, lines=False)}: "
                                   "their --out files would overwrite each other; rename them")
    course = _course()
    if not (course / "solutions").is_dir():
        raise click.ClickException(f"{course} has no solutions/ folder: grading compares against the references")
    click.echo(f"Grading against {course / 'solutions'}", err=True)
    if out_dir:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(f"cannot create {out_dir}: {exc.strerror}; choose another --out folder") from None
    options = GradeOptions(hidden=not public_only, timeout=timeout, cpu_time=cpu_time, seed=seed,
                           isolation=isolation)
    jobs = jobs or min(len(submissions), os.cpu_count() or 1)
    console = Console(stderr=True)
    rows, failures = [], 0
    with Progress(TextColumn("[bold]Grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.description}"), console=console, transient=True) as progress:
        task = progress.add_task("starting workers…", total=len(submissions))
        for graded in grade_many(course, submissions, options, jobs,
                                 on_start=lambda: progress.update(task, description="")):
            name = submission_name(graded.path)
            rows.append((name, graded.results, graded.error))
            if graded.results is None:
                failures += 1
            else:
                for target in ([out_dir / f"{name}.json"] if out_dir else []) + ([json_file] if json_file else []):
                    try:
                        target.write_text(json.dumps(graded.results, indent=2))
                    except OSError as exc:
                        failures += 1
                        rows[-1] = (name, None, f"cannot write {clean(target, 200, lines=False)}: {exc.strerror}")
            progress.update(task, advance=1, description=name)
    Console(width=max(Console().width, 120)).print(class_table(rows, load_exercises()))
    if failures:
        raise click.ClickException(f"{failures} of {len(submissions)} submissions could not be graded or their "
                                   "results not written (see the table)")


@main.command()
@click.argument("exercise")
def hint(exercise: str) -> None:
    """Show a nudge for one exercise: the idea to look at, not the code.

    Example:

    \b
        grader hint calc_preds
    """
    try:
        (chosen,) = select(load_exercises(), (exercise,))
    except CourseError as exc:
        raise click.ClickException(str(exc)) from None
    console = Console()
    console.print(Text.assemble((chosen.id, "bold"), "  ", (f"exercises/{chosen.path}", "dim")), highlight=False)
    console.print(Text.assemble(("hint: ", "cyan"), chosen.hint), highlight=False)


@main.command()
@ISOLATION
def validate(isolation: str) -> None:
    """Check the course itself: solutions score full marks, stubs score zero.

    Also that every exercise has a stub with a TODO, a reference at the same path,
    a hint, and checks whose points add up to the exercise's.

    Example:

    \b
        grader validate
    """
    from grader.grading import GradingError
    from grader.sandbox.host import SandboxUnavailable
    from grader.validate import validate_course

    course = _course()
    _import_libraries()
    try:
        with Console(stderr=True).status("Validating the course…"):
            problems = validate_course(course, isolation)
    except (CourseError, GradingError, SandboxUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if problems:
        raise click.ClickException("the course is not sound:\n  " + "\n  ".join(problems))
    click.echo(f"The course is sound: {len(load_exercises())} exercises; every solution scores full marks "
               "and every stub scores zero.")


main.add_command(quiz)
