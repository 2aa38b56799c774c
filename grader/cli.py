"""The `grader` command line: thin Click commands over plain functions."""

from __future__ import annotations

import contextlib
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
from grader.reports.export import FORMATS
from grader.safetext import clean

ISOLATION = click.option(
    "--isolation", type=click.Choice(["auto", "full", "weak"]), default="auto", show_default=True,
    help="How submissions are walled off: full needs Linux namespaces (root or user namespaces); "
         "weak runs them with limits only.")
TIMEOUT = click.option("--timeout", type=click.FloatRange(0.1, 600), default=2.0, show_default=True,
                       help="Wall-clock seconds one call of a submission's function may take.")
GRADEBOOK = click.option(
    "--gradebook", "gradebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="The gradebook database (default: .grader/gradebook.db in the course folder).")
ASSIGNMENT = click.option("--assignment", default="default", show_default=True,
                          help="The assignment the results are filed under in the gradebook.")
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
    """Check your work in exercises/ (or in one notebook) with the public checks.

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
    from grader.grading import GradeOptions, Grader, GradingError
    from grader.report import print_feedback
    from grader.sandbox.host import SandboxUnavailable
    from grader.grading import sandbox_config
    from grader.sandbox.host import Sandbox
    from grader.student import ci as ci_output
    from grader.student.state import State

    ci = ci_output.ci_default(os.environ) if ci is None else ci
    course = _course()
    target, exercise = _check_target(course, exercise)
    try:
        exercises = select(load_exercises(), exercise)
        options = GradeOptions(hidden=False, timeout=timeout, cpu_time=cpu_time, exercises=exercise,
                               isolation=isolation)
        console = ci_output.plain_console() if ci else Console()
        if not as_json:
            console.print(Text(f"Checking {target}", style="dim"), highlight=False)
        # The zygote starts first, so that its imports overlap this process's own.
        sandbox = Sandbox(sandbox_config(course, options))
        try:
            _import_libraries()
        except BaseException:
            sandbox.close()
            raise
        live = contextlib.nullcontext() if ci or as_json else console.status("Checking…")
        with live, Grader(course, options, sandbox=sandbox) as grader:
            results = grader.grade(target)
    except (CourseError, GradingError, SandboxUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    state = State(course)
    state.record_results(results, exercises)
    for problem in state.problems:
        click.echo(problem, err=True)
    if as_json:
        click.echo(json.dumps(results, indent=2))
    else:
        print_feedback(console, ci_output.plain_results(results) if ci else results, exercises, hints=hints,
                       where=None if target.is_dir() else clean(str(target), 200, lines=False))
    if junit_file:
        _write(junit_file, ci_output.junit_xml(results, exercises), "wb")
    if ci and not as_json:
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary:
            _write(Path(summary), ci_output.summary_markdown(results, exercises), "a")
        for line in ci_output.annotations(results, exercises):
            click.echo(line)
        click.echo(ci_output.points_line(results))
    sys.exit(0 if exit_zero or ci_output.passed(results) else 1)


def _check_target(course: Path, names: tuple[str, ...]) -> tuple[Path, tuple[str, ...]]:
    """What `grader check` checks: exercises/, or the one notebook (or .py file) among ``names``,
    with the exercises it defines unless some are named."""
    from grader.submission import provided

    files = [n for n in names if n.endswith((".ipynb", ".py"))]
    if not files:
        return course / "exercises", names
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


def _write(path: Path, content: str | bytes, mode: str) -> None:
    try:
        with open(path, mode, **({} if "b" in mode else {"encoding": "utf-8"})) as file:
            file.write(content)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}; check the folder exists "
                                   "and is writable") from None


@main.command()
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
    from grader.grading import GradeOptions, Grader, GradingError
    from grader.sandbox.host import SandboxUnavailable
    from grader.student.state import State
    from grader.student.terminal import WatchFailed, run
    from grader.student.watch import Watch

    course = _course()
    console = Console(highlight=False)
    try:
        exercises = load_exercises()
        options = GradeOptions(hidden=False, timeout=timeout, cpu_time=cpu_time, isolation=isolation)
        with console.status("Starting the checks…"):
            grader = Grader(course, options)
        with grader:
            loop = Watch(course, exercises, lambda ids: grader.grade(course / "exercises", only=ids), State(course))
            run(loop, console)
    except KeyboardInterrupt:
        click.echo("Stopped watching.")
        sys.exit(130)
    except (CourseError, GradingError, SandboxUnavailable, WatchFailed) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("Stopped watching. `grader status` shows where you are.")


@main.command()
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

    course = _course()
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
    Console(highlight=False, width=max(Console().width, 120)).print(status_view(exercise_rows, quiz_rows))


@main.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "json_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the results of a single submission to this file.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write DIR/<name>.json for each submission.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Submissions graded at once (default: the number of CPUs).")
@click.option("--seed", type=int, default=None,
              help="Seed for the hidden checks' inputs (default: the assignment's last seed, else random).")
@click.option("--public-only", is_flag=True, help="Run only the public checks.")
@GRADEBOOK
@ASSIGNMENT
@click.option("--roster", "roster_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="roster.csv (id, name, email, section): submissions are matched to students by name.")
@click.option("--regrade", is_flag=True, help="Grade again submissions the gradebook already has unchanged.")
@TIMEOUT
@CPU_TIME
@ISOLATION
def grade(submissions: tuple[Path, ...], json_file: Path | None, out_dir: Path | None, jobs: int | None,
          seed: int | None, public_only: bool, gradebook_path: Path | None, assignment: str,
          roster_file: Path | None, regrade: bool, timeout: float, cpu_time: float, isolation: str) -> None:
    """Grade submissions with the public and hidden checks against solutions/, into the gradebook.

    A submission is a folder mirroring exercises/, one .py file, or a notebook.
    Each result is recorded in the gradebook as it comes; submissions the gradebook
    already has, unchanged and graded by the same checks, are skipped (--regrade
    grades them again), so a batch that was stopped resumes where it was. Prints a
    table of the class; exits 0 when every submission was graded, whatever the scores.

    Example:

    \b
        grader grade examples/class/* --assignment week5 --seed 1
        grader grade submissions/* --roster roster.csv --out reports/
        grader grade alice.ipynb --json alice.json
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.gradebook import (BatchError, GradebookError, RosterError, checks_hash, choose_seed, load_roster,
                                  plan_batch)
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
    if out_dir:
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise click.ClickException(f"cannot create {out_dir}: {exc.strerror}; choose another --out folder") from None
    exercises = load_exercises()
    try:
        roster = load_roster(roster_file) if roster_file else None
        book = _gradebook(course, gradebook_path, create=True)
    except (RosterError, GradebookError) as exc:
        raise click.ClickException(str(exc)) from None
    console = Console(stderr=True)
    rows, failures = [], 0
    with book:
        try:
            if roster:
                book.set_roster(roster.students)
            seed = choose_seed(book, assignment, seed)
            plan = plan_batch(book, list(submissions), assignment=assignment, seed=seed, regrade=regrade,
                              checks_hash=checks_hash(course, exercises, hidden=not public_only), roster=roster)
        except BatchError as exc:
            raise click.ClickException(str(exc)) from None
        options = GradeOptions(hidden=not public_only, timeout=timeout, cpu_time=cpu_time, seed=seed,
                               isolation=isolation)

        def keep(item, results: dict | None, error: str | None) -> None:
            nonlocal failures
            rows.append((item.student, results, error))
            if results is None:
                failures += 1
                return
            for target in ([out_dir / f"{item.name}.json"] if out_dir else []) + ([json_file] if json_file else []):
                try:
                    target.write_text(json.dumps(results, indent=2))
                except OSError as exc:
                    failures += 1
                    rows[-1] = (item.student, None, f"cannot write {clean(target, 200, lines=False)}: {exc.strerror}")

        for item in plan.up_to_date:
            keep(item, book.results(item.current.id), None)
        todo = {item.path: item for item in plan.to_grade}
        click.echo(f"Grading against {course / 'solutions'}", err=True)
        if todo:
            jobs = jobs or min(len(todo), os.cpu_count() or 1)
            with Progress(TextColumn("[bold]Grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                          TextColumn("{task.description}"), console=console, transient=True) as progress:
                task = progress.add_task("starting workers…", total=len(todo))
                for graded in grade_many(course, list(todo), options, jobs,
                                         on_start=lambda: progress.update(task, description="")):
                    item, results, error = todo[graded.path], graded.results, graded.error
                    if results is not None:
                        try:
                            plan.record(book, item, results)
                        except GradebookError as exc:
                            results, error = None, str(exc)
                    keep(item, results, error)
                    progress.update(task, advance=1, description=item.name)
        Console(width=max(Console().width, 120)).print(class_table(rows, exercises))
        if plan.up_to_date:
            click.echo(f"{len(plan.up_to_date)} unchanged submission{'s' if len(plan.up_to_date) != 1 else ''} "
                       f"already in the gradebook were not graded again (--regrade grades them again).")
        if plan.unmatched:
            click.echo("Not on the roster (recorded under their own name): "
                       + ", ".join(sorted(i.path.name for i in plan.unmatched)))
        missing = book.missing(assignment)
        if missing:
            click.echo("On the roster with no submission: " + ", ".join(s.id for s in missing))
        click.echo(f"Gradebook: {book.path} (assignment {assignment!r}, seed {seed})")
    if failures:
        raise click.ClickException(f"{failures} of {len(submissions)} submissions could not be graded or their "
                                   "results not written (see the table)")


def _gradebook(course: Path, path: Path | None, *, create: bool):
    """Open the gradebook (``GradebookError`` if it cannot be); without ``create`` it must exist."""
    from grader.gradebook import DEFAULT_PATH, Gradebook, GradebookError

    path = path or course / DEFAULT_PATH
    if not create and not path.is_file():
        raise GradebookError(f"there is no gradebook at {path}: grade first (grader grade SUBMISSIONS...), "
                             "or pass --gradebook PATH")
    return Gradebook(path)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(list(FORMATS)), required=True,
              help="csv (a column per exercise), canvas or moodle (their grade import CSV), or gradescope "
                   "(a results.json per student).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="The file to write (a folder for gradescope); default: standard output.")
@ASSIGNMENT
@GRADEBOOK
@click.option("--canvas-id", default=None,
              help="canvas: the Canvas assignment's id, so the column updates it instead of making a new one.")
def export(fmt: str, out: Path | None, assignment: str, gradebook_path: Path | None, canvas_id: str | None) -> None:
    """Export the gradebook's current results for an LMS or a spreadsheet.

    Example:

    \b
        grader export --format csv --out grades.csv
        grader export --format canvas --canvas-id 12345 --out canvas.csv
        grader export --format moodle --assignment week5 --out moodle.csv
        grader export --format gradescope --out results/
    """
    from grader.gradebook import GradebookError
    from grader.reports.export import ExportError, collect, write_export

    chosen = FORMATS[fmt]
    if not chosen.single_file and out is None:
        raise click.ClickException(f"--format {fmt} writes one file per student: give --out DIR")
    try:
        with _gradebook(_course(), gradebook_path, create=False) as book:
            data = collect(book, assignment, load_exercises(), lms_id=canvas_id)
        files = chosen.render(data)
        if out is None:
            click.echo(next(iter(files.values())), nl=False)
        else:
            written = write_export(files, out, chosen.single_file)
            click.echo(f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} to {out}", err=True)
    except (GradebookError, ExportError) as exc:
        raise click.ClickException(str(exc)) from None
    missing = [r.student.id for r in data.rows if r.attempt is None]
    if missing and fmt != "csv":
        click.echo(f"Not exported, no submission: {', '.join(missing)}", err=True)


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


@main.command()
@click.argument("dest", type=click.Path(file_okay=False, path_type=Path))
@click.option("--git", "make_git", is_flag=True, help="Also run git init and make the first commit (fixed author and date).")
@click.option("--without-quiz-keys", is_flag=True,
              help="Strip the quizzes' answers, feedback and rubrics; `grader quiz take` then records answers "
                   "for you to score.")
@ISOLATION
def release(dest: Path, make_git: bool, without_quiz_keys: bool, isolation: str) -> None:
    """Write the students' copy of the course to DEST, ready to push as a repository.

    DEST gets the stubs, quizzes, notebooks, a README, a CI workflow and the grader with
    only the public checks, whose expected results are recorded from solutions/. It never
    gets solutions/, hidden checks, tests, benchmarks/ or examples/. DEST must be new or empty.

    Example:

    \b
        grader release ../dl-course --git
        grader release /tmp/course --without-quiz-keys
    """
    from grader.release.build import ReleaseError, ReleaseOptions, release_course

    course = _course()
    try:
        with Console(stderr=True).status("Recording the public checks' expected results…"):
            summary = release_course(course, dest, ReleaseOptions(git=make_git, quiz_keys=not without_quiz_keys,
                                                                  isolation=isolation))
    except (ReleaseError, CourseError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Released the course to {summary.dest}: {summary.files} files, {summary.bytes / 1000:.0f} kB, "
               f"in {summary.seconds:.1f} s" + (f"; first commit {summary.commit[:12]}" if summary.commit else ""))


GRADEBOOK = click.option("--gradebook", "gradebook", type=click.Path(dir_okay=False, path_type=Path),
                         help="The gradebook to read (default: .grader/gradebook.db in the course).")
RESULTS = click.option("--results", "results_dir", type=click.Path(file_okay=False, path_type=Path),
                       help="Read the results from this folder of <student>.json files (`grader grade --out DIR`).")


def _students(course: Path, gradebook: Path | None) -> dict[str, str]:
    """Submission name -> student id, from the gradebook's current attempts (empty without one)."""
    from grader.gradebook import DEFAULT_PATH, Gradebook, GradebookError

    path = gradebook or course / DEFAULT_PATH
    if not path.is_file():
        if gradebook is not None:
            raise click.ClickException(f"there is no gradebook at {path}; grade first or pass another --gradebook")
        return {}
    try:
        book = Gradebook(path, read_only=True)
        try:
            return {a.submission: a.student for a in book.current()}
        finally:
            book.close()
    except GradebookError as exc:
        raise click.ClickException(str(exc)) from None


def _records(results_dir: Path | None, gradebook: Path | None, assignment: str) -> list:
    from grader.gradebook import DEFAULT_PATH
    from grader.reports.records import ReportError, load_records

    try:
        return load_records(results_dir, gradebook or _course() / DEFAULT_PATH, assignment)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None


@main.command()
@RESULTS
@GRADEBOOK
@ASSIGNMENT
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--quiz-stats", "quiz_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A quiz's statistics (`grader quiz stats QUIZ ANSWERS... --json > FILE`); repeatable.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Similarity from which a pair of submissions is shown (default 0.8).")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True, path_type=Path))
def report(results_dir: Path | None, gradebook: Path | None, assignment: str, out_file: Path,
           quiz_files: tuple[Path, ...], threshold: float | None, submissions: tuple[Path, ...]) -> None:
    """Write the class report: one self-contained HTML page.

    It holds the class overview, each exercise's scores, the checks hardest first with their
    common failures, the time per submission, a sortable student table with a section per
    student, the quizzes' statistics when given and, when SUBMISSIONS are given, the pairs
    whose code is suspiciously alike.

    Example:

    \b
        grader grade examples/class/* --out results/ --seed 1
        grader report --results results/ --out report.html examples/class/*
    """
    from grader.reports.html import ReportInputs, build_report
    from grader.reports.records import ReportError, load_quiz_stats
    from grader.reports.similarity import THRESHOLD, find_similar

    records = _records(results_dir, gradebook, assignment)
    try:
        quizzes = tuple(load_quiz_stats(f) for f in quiz_files)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    matches = None
    if submissions:
        with Console(stderr=True).status("Comparing the submissions' code…"):
            matches = tuple(find_similar(_course(), list(submissions), load_exercises(),
                                         THRESHOLD if threshold is None else threshold))
    with Console(stderr=True).status("Drawing the report…"):
        page = build_report(ReportInputs(records, quizzes, matches))
    try:
        out_file.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out_file}: {exc.strerror}; choose another --out file") from None
    click.echo(f"Wrote {out_file} ({len(records)} submissions, {len(page.encode()) / 1024:.0f} KiB).")


@main.command()
@RESULTS
@GRADEBOOK
@ASSIGNMENT
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the <student>.md and <student>.html files.")
def feedback(results_dir: Path | None, gradebook: Path | None, assignment: str, out_dir: Path) -> None:
    """Write each student's feedback: one Markdown and one HTML file per student.

    Each holds the score, the points per exercise, every public check with its message,
    the hidden checks by result only, and the grader's notes on the submission.

    Example:

    \b
        grader feedback --results results/ --out feedback/
    """
    from grader.reports.feedback import write_feedback
    from grader.reports.records import ReportError

    records = _records(results_dir, gradebook, assignment)
    try:
        written = write_feedback(records, out_dir)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {len(written)} files for {len(records)} students to {out_dir}/.")


@main.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Similarity (0-1) from which a pair is listed.")
@GRADEBOOK
def similarity(submissions: tuple[Path, ...], threshold: float, gradebook: Path | None) -> None:
    """List the pairs of submissions whose code for an exercise is suspiciously alike.

    The stub's lines, comments, docstrings and whitespace are removed and names normalised,
    then the code is compared with winnowing fingerprints (as MOSS does). Prints each pair
    with its similarity and the matched line ranges; alike is not proof, read the code.

    Example:

    \b
        grader similarity examples/class/*
        grader similarity submissions/* --threshold 0.9
    """
    from grader.reports.similarity import find_similar, terminal_table

    if len(submissions) < 2:
        raise click.ClickException("give at least two submissions to compare")
    course = _course()
    with Console(stderr=True).status("Comparing the submissions' code…"):
        matches = find_similar(course, list(submissions), load_exercises(), threshold)
    if not matches:
        click.echo(f"No pair of the {len(submissions)} submissions is {threshold:.0%} alike or more.")
        return
    Console(width=max(Console().width, 120)).print(terminal_table(matches, _students(course, gradebook)))


main.add_command(quiz)
