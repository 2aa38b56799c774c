"""The student's commands: list, check, watch, status and hint."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path

import click
from rich.console import Console
from rich.text import Text

from grader.cli.common import (CPU_TIME, ISOLATION, TIMEOUT, course_root, isolation_policy, start_grader,
                               write_file)
from grader.course import CourseError, in_course_order, load_exercises, select
from grader.safetext import clean


@click.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list instead of a table.")
@click.option("--assignment", default=None, help="Only this assignment's exercises (week1, week5, ...).")
def list_exercises(as_json: bool, assignment: str | None) -> None:
    """List the exercises: id, file, function and points.

    Example:

    \b
        grader list
        grader list --assignment week5
        grader list --json
    """
    from grader.course import assignment_exercises, find_assignment
    from grader.student.text import print_unpadded, student_console

    try:
        exercises = in_course_order(assignment_exercises(assignment) if assignment else load_exercises())
        chosen = find_assignment(assignment) if assignment else None
    except CourseError as exc:
        raise click.ClickException(str(exc)) from None
    if chosen is not None and not as_json:
        click.echo(f"{chosen.title}: due {chosen.due.isoformat()}, "
                   f"{sum(e.points for e in exercises):g} points")
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
    print_unpadded(student_console(min_width=100), table)


@click.command()
@click.argument("exercise", nargs=-1, metavar="[EXERCISE | NOTEBOOK]...")
@click.option("--hint", "hints", is_flag=True, help="Also show the hint of each exercise that fails.")
@click.option("--ci/--no-ci", "ci", default=None,
              help="Plain output for CI logs, a step summary and ::error annotations on GitHub, and a last line "
                   "'Points: X/Y' [default: on when CI=true].")
@click.option("--junit", "junit_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the results as JUnit XML to this file.")
@click.option("--json", "as_json", is_flag=True, help="Print the results as JSON (Gradescope's results.json form).")
@click.option("--exit-zero", is_flag=True, help="Exit with status 0 even when checks fail.")
@TIMEOUT
@CPU_TIME
@ISOLATION
def check(exercise: tuple[str, ...], hints: bool, ci: bool | None, junit_file: Path | None, as_json: bool,
          exit_zero: bool, timeout: float, cpu_time: float, isolation: str) -> None:
    """Check your work in exercises/ and notebooks/ (or in one notebook) with the public checks.

    Prints, per exercise, the points, what failed and why, and what your code printed
    (with --hint, a nudge too). Exits with status 1 while anything fails (unless
    --exit-zero). Each exercise's result is remembered in .grader/ for `grader status`.
    Given a notebook (or a .py file), checks the exercises it defines instead.

    Example:

    \b
        grader check
        grader check triple_relu calc_preds --hint
        grader check notebooks/week5.ipynb
        grader check --ci --junit grader-junit.xml
        grader check --json > results.json
    """
    from grader.grading.options import GradeOptions, GradingError  # light: no torch yet
    from grader.sandbox.host import SandboxUnavailable
    from grader.student import ci as ci_output
    from grader.student.feedback import print_feedback
    from grader.student.state import State, source_of
    from grader.student.text import student_console

    ci = ci_output.ci_default(os.environ) if ci is None else ci
    course = course_root()
    target, exercise = _check_target(course, exercise)
    try:
        exercises = in_course_order(select(load_exercises(), exercise))
        options = GradeOptions(hidden=False, timeout=timeout, cpu_time=cpu_time, exercises=exercise,
                               isolation=isolation_policy(isolation, own_code=True))
        console = student_console(ci)
        if not as_json:
            console.print(Text(f"Checking {target}", style="dim"), highlight=False)
        live = contextlib.nullcontext() if ci or as_json else console.status("Checking…")
        with live, start_grader(course, options) as grader:
            if grader.walls_note:  # through sys.stderr: rich's status line then prints it above itself
                print(grader.walls_note, file=sys.stderr, flush=True)
            results = grader.grade(target)
    except (CourseError, GradingError, SandboxUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    state = State(course)
    state.record_results(results, exercises, source_of(course, target))
    for problem in state.problems:
        click.echo(problem, err=True)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        print_feedback(console, ci_output.plain_results(results) if ci else results, exercises, hints=hints,
                       where=None if target.is_dir() else clean(str(target), 200, lines=False))
    if junit_file:
        write_file(junit_file, ci_output.junit_xml(results, exercises), "wb")
    if ci and not as_json:
        checked = course if target.is_dir() else None  # def lines are looked up in exercises/ only
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            write_file(Path(summary), ci_output.summary_markdown(results, exercises, checked), "a")
        for line in ci_output.annotations(results, exercises, checked):
            click.echo(line)
        click.echo(ci_output.points_line(results))
    sys.exit(0 if exit_zero or ci_output.passed(results) else 1)


def _check_target(course: Path, names: tuple[str, ...]) -> tuple[Path, tuple[str, ...]]:
    """What `grader check` checks: exercises/, or the one notebook (or .py file) among ``names``,
    with the exercises it defines unless some are named."""
    from grader.submission import is_student_repository, provided

    files = [n for n in names if n.endswith((".ipynb", ".py"))]
    if not files:  # a student's copy: exercises/ and notebooks/ together (an exercise counts from either)
        return (course if is_student_repository(course) else course / "exercises"), names
    if len(files) > 1:
        raise click.ClickException(f"check one notebook at a time, not {len(files)} ({clean(', '.join(files), 300, lines=False)})")
    path, others = Path(files[0]), tuple(n for n in names if n != files[0])
    if not path.is_file():
        raise click.ClickException(f"there is no file {clean(files[0], 200, lines=False)}; give the notebook's path, "
                                   "for example notebooks/week5.ipynb")
    try:
        found = provided(path, load_exercises())
    except ValueError as exc:
        raise click.ClickException(clean(str(exc), 300, lines=False)) from None
    return path, others or tuple(e.id for e in found)



@click.command()
@TIMEOUT
@CPU_TIME
@ISOLATION
def watch(timeout: float, cpu_time: float, isolation: str) -> None:
    """Check each exercise again every time you save it, rustlings-style.

    Shows your progress, the current exercise's failures and moves on when it
    passes. Keys: h hint, l list of exercises, c check all, q quit.

    Example:

    \b
        grader watch
    """
    from grader.grading.options import GradeOptions, GradingError
    from grader.sandbox.host import SandboxUnavailable
    from grader.student.state import State
    from grader.student.terminal import WatchFailed, run
    from grader.student.watch import Watch
    from grader.submission import is_student_repository

    course = course_root()
    target = course if is_student_repository(course) else course / "exercises"   # as `grader check` does
    console = Console(highlight=False)
    try:
        exercises = in_course_order(load_exercises())
        options = GradeOptions(hidden=False, timeout=timeout, cpu_time=cpu_time,
                               isolation=isolation_policy(isolation, own_code=True))
        with console.status("Starting the checks…"):
            grader = start_grader(course, options)
        if grader.walls_note:
            click.echo(grader.walls_note, err=True)
        with grader:
            loop = Watch(course, exercises, lambda ids: grader.grade(target, only=ids), State(course))
            run(loop, console)
    except KeyboardInterrupt:
        click.echo("Stopped watching.")
        sys.exit(130)
    except (CourseError, GradingError, SandboxUnavailable, WatchFailed) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Stopped watching. `grader status` shows where you are.")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def status(as_json: bool) -> None:
    """Show which exercises pass (as last checked) and your quiz progress and best scores.

    Example:

    \b
        grader status
        grader status --json
    """
    from grader.quiz.model import QuizError
    from grader.quiz.parse import find_quizzes, quizzes_dir
    from grader.student.state import State
    from grader.student.status import exercise_status, quiz_status, status_view
    from grader.student.text import print_unpadded, student_console

    course = course_root()
    state = State(course)
    try:
        folder = quizzes_dir(os.environ.get("GRADER_QUIZZES"), start=course)
        quizzes = find_quizzes(folder) if folder.is_dir() else []
    except QuizError as exc:
        raise click.ClickException(f"{exc} (fix the quiz file)") from None
    exercise_rows = exercise_status(course, load_exercises(), state)
    quiz_rows = quiz_status(course, quizzes, state)
    for problem in state.problems:
        click.echo(problem, err=True)
    if as_json:
        click.echo(json.dumps({
            "exercises": [{"id": r.exercise.id, "passed": r.passed, "edited_since": r.edited,
                           **(r.record.to_json() if r.record else {"score": None})} for r in exercise_rows],
            "quizzes": [{"id": r.quiz.id, "answered": r.answered, "questions": len(r.quiz.questions),
                         "last": r.last, "best": r.best, "max_score": r.quiz.total_points, "attempts": r.attempts}
                        for r in quiz_rows]}, indent=2))
        return
    print_unpadded(student_console(min_width=120), status_view(exercise_rows, quiz_rows))



@click.command()
@click.argument("exercise", required=False)
def hint(exercise: str | None) -> None:
    """Show a nudge for an exercise (the one you are on, or the one named): the idea, not the code.

    Without a name, the hint is the current exercise's: the first, in the order of the
    course, that did not pass when you last checked it.

    Example:

    \b
        grader hint
        grader hint calc_preds
    """
    from grader.student.state import State
    from grader.student.status import hint_exercise
    from grader.student.text import student_console

    course = course_root() if exercise is None else None
    state = State(course) if course is not None else None
    try:
        chosen = hint_exercise(load_exercises(), exercise, course, state)
    except CourseError as exc:
        raise click.ClickException(str(exc)) from None
    for problem in state.problems if state else []:
        click.echo(problem, err=True)
    console = student_console()
    if chosen is None:
        console.print("Every exercise passed when you last checked it. `grader hint EXERCISE` shows one's hint.",
                      markup=False)
        return
    console.print(Text.assemble((chosen.id, "bold"), "  ", (f"exercises/{chosen.path}", "dim")), highlight=False)
    console.print(Text.assemble(("hint: ", "cyan"), chosen.hint), highlight=False)
