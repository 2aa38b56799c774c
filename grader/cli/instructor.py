"""The instructor's commands: grade, export, validate, release, report, feedback and similarity.

They exist only in the instructor's course: `grader release` leaves this module out of the
students' copy, so a student's `grader --help` lists the student's commands alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from rich.console import Console

from grader.cli.common import ASSIGNMENT, CPU_TIME, GRADEBOOK, ISOLATION, TIMEOUT, course_root, import_libraries
from grader.course import CourseError, load_exercises
from grader.reports.export import FORMATS
from grader.safetext import clean


@click.command()
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
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.gradebook import (BatchError, GradebookError, RosterError, checks_hash, choose_seed, load_roster,
                                  plan_batch)
    from grader.grading import GradeOptions, grade_many
    from grader.reports.table import class_table
    from grader.submission import submission_name

    if json_file and len(submissions) != 1:
        raise click.ClickException("--json takes one submission; use --out DIR for several")
    names = [submission_name(p) for p in submissions]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if out_dir and duplicates:
        raise click.ClickException(f"several submissions are named {clean(', '.join(duplicates), 300, lines=False)}: "
                                   "their --out files would overwrite each other; rename them")
    course = course_root()
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
                    progress.update(task, advance=1, description=escape(clean(item.name, 60, lines=False)))
        Console(width=max(Console().width, 120)).print(class_table(rows, exercises))
        if plan.up_to_date:
            click.echo(f"{len(plan.up_to_date)} unchanged submission{'s' if len(plan.up_to_date) != 1 else ''} "
                       f"already in the gradebook were not graded again (--regrade grades them again).")
        if plan.unmatched:
            click.echo("Not on the roster (recorded under their own name): "
                       + ", ".join(sorted(clean(i.path.name, 100, lines=False) for i in plan.unmatched)))
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


@click.command("export")
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
        with _gradebook(course_root(), gradebook_path, create=False) as book:
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



@click.command()
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
    from grader.release.validate import validate_course

    course = course_root()
    import_libraries()
    try:
        with Console(stderr=True).status("Validating the course…"):
            problems = validate_course(course, isolation)
    except (CourseError, GradingError, SandboxUnavailable) as exc:
        raise click.ClickException(str(exc)) from None
    if problems:
        raise click.ClickException("the course is not sound:\n  " + "\n  ".join(problems))
    click.echo(f"The course is sound: {len(load_exercises())} exercises; every solution scores full marks "
               "and every stub scores zero.")


@click.command()
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

    course = course_root()
    try:
        with Console(stderr=True).status("Recording the public checks' expected results…"):
            summary = release_course(course, dest, ReleaseOptions(git=make_git, quiz_keys=not without_quiz_keys,
                                                                  isolation=isolation))
    except (ReleaseError, CourseError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Released the course to {summary.dest}: {summary.files} files, {summary.bytes / 1000:.0f} kB, "
               f"in {summary.seconds:.1f} s" + (f"; first commit {summary.commit[:12]}" if summary.commit else ""))


READ_GRADEBOOK = click.option("--gradebook", "gradebook", type=click.Path(dir_okay=False, path_type=Path),
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
        return load_records(results_dir, gradebook or course_root() / DEFAULT_PATH, assignment)
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@RESULTS
@READ_GRADEBOOK
@ASSIGNMENT
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("report.html"),
              show_default=True, help="The HTML file to write.")
@click.option("--quiz-stats", "quiz_files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A quiz's statistics (`grader quiz stats QUIZ ANSWERS... --json > FILE`); repeatable.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=None,
              help="Similarity from which a pair of submissions is shown (default 0.8).")
@click.option("--leaderboard", "leaderboard_style", type=click.Choice(["names", "pseudonyms"]), default=None,
              help="Add the model exercises' leaderboard, students by name or by a stable pseudonym.")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True, path_type=Path))
def report(results_dir: Path | None, gradebook: Path | None, assignment: str, out_file: Path,
           quiz_files: tuple[Path, ...], threshold: float | None, submissions: tuple[Path, ...],
           leaderboard_style: str | None = None) -> None:
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
    from grader.reports.leaderboard import pseudonym_key
    from grader.reports.records import ReportError, load_quiz_stats
    from grader.reports.similarity import THRESHOLD, find_similar

    records = _records(results_dir, gradebook, assignment)
    try:
        quizzes = tuple(load_quiz_stats(f) for f in quiz_files)
        key = pseudonym_key(course_root()) if leaderboard_style == "pseudonyms" else b""
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    matches = None
    if submissions:
        with Console(stderr=True).status("Comparing the submissions' code…"):
            matches = tuple(find_similar(course_root(), list(submissions), load_exercises(),
                                         THRESHOLD if threshold is None else threshold))
    with Console(stderr=True).status("Drawing the report…"):
        page = build_report(ReportInputs(records, quizzes, matches, leaderboard=leaderboard_style, pseudonym_key=key))
    try:
        out_file.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {out_file}: {exc.strerror}; choose another --out file") from None
    click.echo(f"Wrote {out_file} ({len(records)} submissions, {len(page.encode()) / 1024:.0f} KiB).")


@click.command()
@RESULTS
@READ_GRADEBOOK
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


@click.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Similarity (0-1) from which a pair is listed.")
@READ_GRADEBOOK
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
    course = course_root()
    with Console(stderr=True).status("Comparing the submissions' code…"):
        matches = find_similar(course, list(submissions), load_exercises(), threshold)
    if not matches:
        click.echo(f"No pair of the {len(submissions)} submissions is {threshold:.0%} alike or more.")
        return
    Console(width=max(Console().width, 120)).print(terminal_table(matches, _students(course, gradebook)))
