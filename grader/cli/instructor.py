"""The instructor's commands: grade, export, validate, release, report, feedback, similarity, collect,
gradebook merge and autograder.

They exist only in the instructor's course: `grader release` leaves this module out of the
students' copy, so a student's `grader --help` lists the student's commands alone.
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import click
from rich.console import Console

from grader.cli.common import (ASSIGNMENT, CPU_TIME, GRADEBOOK, ISOLATION, TIMEOUT, course_root, import_libraries,
                               isolation_policy)
from grader.course import CourseError, assignment_exercises, load_assignments, load_exercises
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
@click.option("--shard", default=None, metavar="K/N",
              help="Grade only shard K of N (a stable share by submission name) into this run's --gradebook; "
                   "`grader gradebook merge` combines the shards. Needs --seed.")
@click.option("--submitted-at", default=None, metavar="ISO",
              help="When these submissions were handed in (2026-10-20T23:59+02:00); default: --times, else the "
                   "git commit's time, else the files'.")
@click.option("--times", "times_file", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A CSV of submission times (columns submission or student, and time), as an LMS download gives.")
@TIMEOUT
@CPU_TIME
@ISOLATION
def grade(submissions: tuple[Path, ...], json_file: Path | None, out_dir: Path | None, jobs: int | None,
          seed: int | None, public_only: bool, gradebook_path: Path | None, assignment: str,
          roster_file: Path | None, regrade: bool, shard: str | None, submitted_at: str | None,
          times_file: Path | None, timeout: float, cpu_time: float, isolation: str) -> None:
    """Grade submissions with the public and hidden checks against solutions/, into the gradebook.

    A submission is a folder mirroring exercises/, one .py file, or a notebook.
    With --assignment, only that assignment's exercises are graded, out of their points, and
    late work loses the assignment's late penalty (grader/exercises.toml).
    Each result is recorded in the gradebook as it comes; submissions the gradebook
    already has, unchanged and graded by the same checks, are skipped (--regrade
    grades them again), so a batch that was stopped resumes where it was. Prints a
    table of the class; exits 0 when every submission was graded, whatever the scores.

    Example:

    \b
        grader grade examples/class/* --assignment week5 --seed 1
        grader grade submissions/* --roster roster.csv --out reports/
        grader grade alice.ipynb --json alice.json
        grader grade submissions/* --shard 2/8 --seed 1 --gradebook shard-2.db
    """
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from grader.gradebook import (BatchError, GradebookError, RosterError, checks_hash, choose_seed, load_roster,
                                  plan_batch)
    from grader.gradebook.times import TimesError, load_times, parse_given
    from grader.grading import GradeOptions, grade_many
    from grader.reports.table import class_table
    from grader.submission import submission_name

    if shard:
        from grader.gradebook.shards import ShardError, in_shard, parse_shard

        try:
            k, n = parse_shard(shard)
        except ShardError as exc:
            raise click.ClickException(str(exc)) from None
        if seed is None:
            raise click.ClickException("--shard needs --seed: every shard must draw the same hidden inputs "
                                       "(e.g. --seed 1234)")
        everyone = len(submissions)
        submissions = tuple(in_shard(list(submissions), k, n))
        click.echo(f"Shard {k}/{n}: {len(submissions)} of the {everyone} submissions", err=True)
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
    try:
        exercises = assignment_exercises(assignment)
        given = parse_given(submitted_at) if submitted_at else None
        times = load_times(times_file) if times_file else None
        if times is None and given is None:  # folders made by `grader collect`: the collected commits' times
            times = _collected_times(submissions) or None
        roster = load_roster(roster_file) if roster_file else None
        book = _gradebook(course, gradebook_path, create=True)
        book.set_assignments(load_assignments())
    except (CourseError, TimesError, RosterError, GradebookError) as exc:
        raise click.ClickException(str(exc)) from None
    console = Console(stderr=True)
    rows, failures = [], 0
    with book:
        try:
            if roster:
                book.set_roster(roster.students)
            seed = choose_seed(book, assignment, seed)
            plan = plan_batch(book, list(submissions), assignment=assignment, seed=seed, regrade=regrade,
                              checks_hash=checks_hash(course, exercises, hidden=not public_only), roster=roster,
                              submitted_at=given, times=times)
        except BatchError as exc:
            raise click.ClickException(str(exc)) from None
        options = GradeOptions(hidden=not public_only, timeout=timeout, cpu_time=cpu_time, seed=seed,
                               exercises=tuple(e.id for e in exercises),
                               isolation=isolation_policy(isolation, own_code=False))

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
            keep(item, book.standing_results(item.current.id), None)
        todo = {item.path: item for item in plan.to_grade}
        click.echo(f"Grading against {course / 'solutions'}", err=True)
        if todo:
            jobs = jobs or min(len(todo), os.cpu_count() or 1)
            with _refusal_as_error(), Progress(TextColumn("[bold]Grading"), BarColumn(), MofNCompleteColumn(),
                                               TimeElapsedColumn(), TextColumn("{task.description}"),
                                               console=console, transient=True) as progress:
                task = progress.add_task("starting workers…", total=len(todo))
                for graded in grade_many(course, list(todo), options, jobs,
                                         on_start=lambda: progress.update(task, description="")):
                    item, results, error = todo[graded.path], graded.results, graded.error
                    if results is not None:
                        try:
                            results = book.standing_results(plan.record(book, item, results))
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
        missing = [] if shard else book.missing(assignment)  # a shard's gradebook lacks the other shards
        if missing:
            click.echo("On the roster with no submission: " + ", ".join(s.id for s in missing))
        click.echo(f"Gradebook: {book.path} (assignment {assignment!r}, seed {seed})")
    if failures:
        raise click.ClickException(f"{failures} of {len(submissions)} submissions could not be graded or their "
                                   "results not written (see the table)")


@contextlib.contextmanager
def _refusal_as_error() -> Iterator[None]:
    """The grading's refusal (the machine's walls are not enough) as the command's one-line error."""
    from grader.grading import GradingError

    try:
        yield
    except GradingError as exc:
        raise click.ClickException(str(exc)) from None


def _collected_times(submissions: tuple[Path, ...]) -> dict:
    """Submission name (case-folded) -> the time of the commit `grader collect` took, for the
    submissions in folders it made (its collected.json); empty otherwise."""
    from grader.gradebook.collect import CollectError, collected_times

    found = {}
    try:
        for parent in sorted({Path(p).resolve().parent for p in submissions}):
            found.update({name.casefold(): when for name, (when, _) in collected_times(parent).items()})
    except CollectError as exc:
        raise click.ClickException(str(exc)) from None
    return found


def _exercises_of(assignment: str) -> list:
    """The assignment's exercises; every exercise for a label the course does not define (an older gradebook's)."""
    try:
        return assignment_exercises(assignment)
    except CourseError:
        return load_exercises()


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
              help="csv (a column per exercise), course (the whole course: a column per assignment and quiz), "
                   "canvas or moodle (their grade import CSV), or gradescope (a results.json per student).")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="The file to write (a folder for gradescope); default: standard output.")
@ASSIGNMENT
@GRADEBOOK
@click.option("--canvas-id", default=None,
              help="canvas: the Canvas assignment's id, so the column updates it instead of making a new one.")
@click.option("--id", "moodle_id", type=click.Choice(["email", "username", "idnumber"]), default="email",
              show_default=True, help="moodle: the column Moodle maps users by (Email address, Username, ID number).")
@click.option("--scale", type=float, default=None,
              help="canvas, moodle: grades out of this maximum (the grade item's), instead of the points.")
@click.option("--missing", type=click.Choice(["blank", "0", "EX"]), default="blank", show_default=True,
              help="canvas: what a roster student with no submission gets (EX: excused; blank: no row).")
def export(fmt: str, out: Path | None, assignment: str, gradebook_path: Path | None, canvas_id: str | None,
           moodle_id: str, scale: float | None, missing: str) -> None:
    """Export the gradebook's current results for an LMS or a spreadsheet.

    Example:

    \b
        grader export --format csv --out grades.csv
        grader export --format course --out course.csv
        grader export --format canvas --canvas-id 12345 --missing 0 --out canvas.csv
        grader export --format moodle --assignment week5 --id username --scale 100 --out moodle.csv
        grader export --format gradescope --out results/
    """
    from grader.gradebook import GradebookError
    from grader.reports.export import (ExportError, ExportOptions, collect, collect_course, folder_assignments,
                                       notes, write_export)

    chosen = FORMATS[fmt]
    if not chosen.single_file and out is None:
        raise click.ClickException(f"--format {fmt} writes one file per student: give --out DIR")
    lines: list[str] = []
    try:
        with _gradebook(course_root(), gradebook_path, create=False) as book:
            if chosen.whole_course:
                groups = ({a.id: assignment_exercises(a.id) for a in load_assignments()}
                          or folder_assignments(load_exercises()))
                data = collect_course(book, groups, fallback=assignment)
            else:
                exercises = _exercises_of(assignment)
                data = collect(book, assignment, exercises, lms_id=canvas_id,
                               options=ExportOptions(moodle_id=moodle_id, scale=scale, missing=missing,
                                                     points=sum(e.points for e in exercises)))
                lines = notes(data, fmt)
        files = chosen.render(data)
        if out is None:
            click.echo(next(iter(files.values())), nl=False)
        else:
            written = write_export(files, out, chosen.single_file)
            click.echo(f"Wrote {len(written)} file{'s' if len(written) != 1 else ''} to {out}", err=True)
    except (GradebookError, ExportError) as exc:
        raise click.ClickException(str(exc)) from None
    for line in lines:
        click.echo(clean(line, 2000, lines=False), err=True)


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
            problems = validate_course(course, isolation_policy(isolation, own_code=False))
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
@click.option("--assignments", default=None, metavar="ID,ID,...",
              help="Release only these assignments' exercises (the weeks published so far), e.g. week1,week2.")
@ISOLATION
def release(dest: Path, make_git: bool, without_quiz_keys: bool, assignments: str | None, isolation: str) -> None:
    """Write the students' copy of the course to DEST, ready to push as a repository.

    DEST gets the stubs, quizzes, notebooks, a README, a CI workflow and the grader with
    only the public checks, whose expected results are recorded from solutions/. It never
    gets solutions/, hidden checks, tests, benchmarks/ or examples/. DEST must be new or empty,
    or the students' repository made by an earlier release --git: then the new weeks' files are
    added and no file the student changed is overwritten.

    Example:

    \b
        grader release ../dl-course --git --assignments week1,week2
        grader release ../dl-course --git --assignments week1,week2,week3
        grader release /tmp/course --without-quiz-keys
    """
    from grader.release.build import ReleaseError, ReleaseOptions, release_course

    course = course_root()
    try:
        with Console(stderr=True).status("Recording the public checks' expected results…"):
            chosen = tuple(a.strip() for a in assignments.split(",") if a.strip()) if assignments else ()
            summary = release_course(course, dest, ReleaseOptions(git=make_git, quiz_keys=not without_quiz_keys,
                                                                  isolation=isolation_policy(isolation,
                                                                                               own_code=False),
                                                                  assignments=chosen))
    except (ReleaseError, CourseError) as exc:
        raise click.ClickException(str(exc)) from None
    if summary.added or summary.updated or summary.kept:
        click.echo(f"Into the earlier release: {len(summary.added)} files added, {len(summary.updated)} updated, "
                   f"{len(summary.kept)} changed by the student kept as they are"
                   + (f" ({', '.join(summary.kept[:5])}{', …' if len(summary.kept) > 5 else ''})" if summary.kept
                      else "") + (f"; commit {summary.commit[:12]}" if summary.commit else ""))
        return
    click.echo(f"Released the course to {summary.dest}: {summary.files} files, {summary.bytes / 1000:.0f} kB, "
               f"in {summary.seconds:.1f} s" + (f"; first commit {summary.commit[:12]}" if summary.commit else ""))
    if summary.wheel is not None:
        click.echo(f"The wheel for notebooks (a Kaggle Dataset, see its README): {summary.wheel}")


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
              help="Share of two codes their shared fingerprints must cover for an exercise to count (default 0.8).")
@click.option("--help-below", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="'Who needs help' lists students with less than this share of the points of the exercises "
                   "they attempted.")
@click.option("--help-failing", type=click.IntRange(1), default=20, show_default=True,
              help="... and students failing this many checks or more in the exercises they attempted.")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True, path_type=Path))
def report(results_dir: Path | None, gradebook: Path | None, assignment: str, out_file: Path,
           quiz_files: tuple[Path, ...], threshold: float | None, help_below: float, help_failing: int,
           submissions: tuple[Path, ...]) -> None:
    """Write the class report: one self-contained HTML page.

    It holds the class overview, each exercise attempted by how many and how they did, what to
    teach again (checks by failure among attempts, with their common failures), who needs help,
    a sortable student table by roster name with each student's details folded, the time per
    submission, the quizzes' statistics when given and, when SUBMISSIONS are given, the pairs
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
            matches = tuple(find_similar(course_root(), list(submissions), load_exercises(),
                                         THRESHOLD if threshold is None else threshold))
    with Console(stderr=True).status("Drawing the report…"):
        page = build_report(ReportInputs(records, quizzes, matches, help_below=help_below, help_failing=help_failing))
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
@click.option("--hide-hidden-names", is_flag=True,
              help="Name hidden checks 'hidden check 1', 'hidden check 2', ... instead of by their names.")
def feedback(results_dir: Path | None, gradebook: Path | None, assignment: str, out_dir: Path,
             hide_hidden_names: bool) -> None:
    """Write each student's feedback: one Markdown and one HTML file per student.

    Each opens with what to fix first (each failing exercise's first failure and its hint), the
    assignment and, when the gradebook keeps them, the deadline and late penalty; then the score,
    the points per exercise, the failed checks with their messages, the passed ones folded, the
    hidden checks by result only, and the grader's notes on the submission.

    Example:

    \b
        grader feedback --results results/ --out feedback/
        grader feedback --out feedback/ --hide-hidden-names
    """
    from grader.reports.feedback import FeedbackOptions, course_hints, write_feedback
    from grader.reports.records import ReportError

    records = _records(results_dir, gradebook, assignment)
    try:
        written = write_feedback(records, out_dir, FeedbackOptions(hide_hidden_names, course_hints()))
    except ReportError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {len(written)} files for {len(records)} students to {out_dir}/.")


@click.command()
@click.argument("submissions", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Share (0-1) of two codes their shared fingerprints must cover for an exercise to count.")
@click.option("--common", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Fingerprints held by more than this share of the submissions never count (canonical code).")
@click.option("--min-evidence", type=click.FloatRange(0), default=0.7, show_default=True,
              help="Evidence (about the exercises' worth of code only the two share) from which a pair is listed.")
@click.option("--show", type=click.IntRange(0), default=0, show_default=True,
              help="Print the code of the top N pairs side by side.")
@READ_GRADEBOOK
def similarity(submissions: tuple[Path, ...], threshold: float, common: float, min_evidence: float, show: int,
               gradebook: Path | None) -> None:
    """List the pairs of submissions whose code is alike beyond what the class has in common.

    The stub's lines, comments, docstrings and whitespace are removed and names normalised,
    then the code is compared with winnowing fingerprints (as MOSS does). Fingerprints of the
    stubs and those most of the class shares never count, and exercises too short to tell a
    copy from canonical code are left out. Pairs come most evidence first, with the matched
    line ranges per exercise; alike is not proof, read the code (--show N).

    Example:

    \b
        grader similarity examples/class/*
        grader similarity submissions/* --show 1
        grader similarity submissions/* --common 0.2 --min-evidence 1.5
    """
    from grader.reports.similarity import compare_submissions, pairs_table, side_by_side

    if len(submissions) < 2:
        raise click.ClickException("give at least two submissions to compare")
    course = course_root()
    with Console(stderr=True).status("Comparing the submissions' code…"):
        result = compare_submissions(course, list(submissions), load_exercises(), threshold=threshold,
                                     common=common, min_evidence=min_evidence)
    console = Console(width=max(Console().width, 120))
    if not result.pairs:
        click.echo(f"No pair of the {len(submissions)} submissions shares code beyond what the class has in common.")
    else:
        console.print(pairs_table(result, _students(course, gradebook)))
        for pair in result.pairs[:show]:
            for part in side_by_side(pair):
                console.print(part)
    if result.left_out:
        click.echo(result.left_out_line())



@click.command()
@click.argument("repos", nargs=-1)
@click.option("--list", "list_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of student_id,url lines: the students' ids name their folders.")
@click.option("--assignment", default="default", show_default=True, help="The assignment being collected.")
@click.option("--due", required=True, help="The deadline, ISO 8601 with a time zone: 2026-12-04T23:59+01:00.")
@click.option("--extensions", "extensions_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A CSV of student_id,due lines: those students' own deadlines.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="The folder to write a folder per student and collected.json into.")
@click.option("--timeout", type=click.FloatRange(1, 3600), default=120.0, show_default=True,
              help="Seconds one repository's clone and archive may take.")
def collect(repos: tuple[str, ...], list_file: Path | None, assignment: str, due: str, extensions_file: Path | None,
            out_dir: Path, timeout: float) -> None:
    """Collect each student's last commit at or before the deadline from their git repository.

    Each repository (a git URL or a path; or a --list file of student_id,url) is cloned
    without hooks or checkout, and the files of its last commit at or before the student's
    deadline go to OUT/<student>; OUT/collected.json records each repository, commit and
    commit time. Grade the folders afterwards (grader grade OUT/*).

    Example:

    \b
        grader collect --assignment week5 --list repos.csv --due 2026-12-04T23:59+01:00 --out week5/
    """
    from grader.gradebook.collect import (CollectError, RepoSource, check_student, collect_repos, deadlines_for,
                                          load_extensions, load_list, parse_due, student_of)

    try:
        if bool(repos) == bool(list_file):
            raise CollectError("give REPOS or --list FILE (student_id,url lines), not both or neither")
        deadline = parse_due(due)
        sources = (load_list(list_file) if list_file else
                   [RepoSource(check_student(student_of(url), url), url) for url in repos])
        extensions = load_extensions(extensions_file) if extensions_file else {}
        deadlines = deadlines_for(sources, deadline, extensions)
        with Console(stderr=True).status(f"Collecting {len(sources)} repositories…"):
            report = collect_repos(sources, out_dir, deadlines, assignment=assignment, timeout=timeout)
    except CollectError as exc:
        raise click.ClickException(clean(str(exc), 500, lines=False)) from None
    for got in report.collected:
        click.echo(f"{got.student}: {got.commit[:12]} of {got.time.isoformat()}")
    for line in report.failed:
        click.echo("Not collected: " + clean(line, 500, lines=False), err=True)
    click.echo(f"Collected {len(report.collected)} of {len(sources)} repositories into {out_dir} "
               f"(grade them: grader grade {out_dir}/* --assignment {assignment})", err=True)
    if report.failed:
        raise click.exceptions.Exit(1)



@click.group("gradebook")
def gradebook_group() -> None:
    """Work on gradebooks: merge the shards of a batch graded on several machines.

    Example:

    \b
        grader gradebook merge .grader/gradebook.db shard-1.db shard-2.db shard-3.db
    """


@gradebook_group.command("merge")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("shards", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
def merge(out: Path, shards: tuple[Path, ...]) -> None:
    """Merge the gradebooks of `grader grade --shard K/N` runs into the new gradebook OUT.

    Every table is merged (roster, attempts and their checks, quiz results, seeds); the shards
    must share each assignment's seed, checks and roster.

    Example:

    \b
        grader gradebook merge .grader/gradebook.db shards/shard-*.db
    """
    from grader.gradebook.shards import ShardError, merge_gradebooks

    try:
        summary = merge_gradebooks(out, list(shards))
    except ShardError as exc:
        raise click.ClickException(clean(str(exc), 1000, lines=False)) from None
    click.echo(f"Merged {summary.shards} shards into {out}: {summary.students} students, {summary.attempts} graded "
               f"attempts, {summary.quiz_attempts} quiz results.")


@click.command()
@click.option("--assignment", required=True,
              help="The assignment to grade: an assignment of the course, a folder of exercises/ (week5), or default.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), default=Path("autograder.zip"),
              show_default=True, help="The zip to upload to Gradescope.")
@click.option("--late-penalty", type=click.FloatRange(0, 100), default=0.0, show_default=True,
              help="Percent of the score lost per day (counted up) a submission is after the due date.")
@click.option("--seed", type=int, default=None,
              help="Seed for the hidden checks' inputs, with each student's Gradescope id (default: random, kept in "
                   "the bundle).")
@TIMEOUT
@CPU_TIME
@ISOLATION
def autograder(assignment: str, out_file: Path, late_penalty: float, seed: int | None, timeout: float,
               cpu_time: float, isolation: str) -> None:
    """Write the zip that Gradescope runs to grade an assignment with every check, hidden ones too.

    It holds setup.sh (installs Python, the CPU build of torch and the course), run_autograder
    (grades /autograder/submission into /autograder/results/results.json) and the course with
    its solutions and checks. Hidden checks are shown to students only once grades are published.
        grader autograder --assignment week5 --out autograder.zip --late-penalty 10
    """
    from grader.reports.autograder import AutograderError, build_bundle

    try:
        made = build_bundle(course_root(), out_file, assignment, late_penalty=late_penalty, seed=seed,
                            timeout=timeout, cpu_time=cpu_time, isolation=isolation)
    except (AutograderError, CourseError) as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Wrote {made.path} ({made.files} files, {made.bytes / 1024:.0f} KiB): {len(made.exercises)} exercises "
               f"of {assignment} ({', '.join(made.exercises)}), seed {made.seed}. Upload it as the assignment's "
               "autograder on Gradescope.")


ASSIGNMENT_REQUIRED = click.option("--assignment", required=True, help="The assignment (week1, week5, ...).")


def _decide(gradebook_path: Path | None, decision):
    """Open the gradebook and run ``decision(book)``; its errors are one line."""
    from grader.gradebook import GradebookError
    from grader.gradebook.adjust import AdjustError

    try:
        with _gradebook(course_root(), gradebook_path, create=False) as book:
            return decision(book)
    except (AdjustError, GradebookError) as exc:
        raise click.ClickException(str(exc)) from None


@click.command()
@click.argument("student")
@ASSIGNMENT_REQUIRED
@click.option("--until", default=None, metavar="ISO", help="The student's deadline (2026-10-20T23:59+02:00).")
@click.option("--days", type=click.FloatRange(0, 365), default=None, help="Days after the assignment's due date.")
@GRADEBOOK
def extend(student: str, assignment: str, until: str | None, days: float | None, gradebook_path: Path | None) -> None:
    """Give one student a later deadline for an assignment (kept in the gradebook).

    Example:

    \b
        grader extend alice --assignment week5 --until 2026-10-20T23:59+02:00
        grader extend bob --assignment week5 --days 2
    """
    from grader.gradebook.adjust import extend_deadline

    deadline = _decide(gradebook_path, lambda book: extend_deadline(book, student, assignment, until=until, days=days))
    click.echo(f"{clean(student, 100, lines=False)}'s deadline for {assignment} is now {deadline}.")


@click.command()
@click.argument("student")
@ASSIGNMENT_REQUIRED
@click.option("--points", type=float, required=True, help="Points to add (negative to take away).")
@click.option("--reason", required=True, help="Why; the student sees it in the feedback.")
@GRADEBOOK
def adjust(student: str, assignment: str, points: float, reason: str, gradebook_path: Path | None) -> None:
    """Add or take away points for one student's assignment, with a reason (kept in the gradebook's history).

    Example:

    \b
        grader adjust alice --assignment week5 --points -2 --reason "copied the plot from the notes"
    """
    from grader.gradebook.adjust import adjust_points

    now = _decide(gradebook_path, lambda book: adjust_points(book, student, assignment, points, reason))
    shown = clean(student, 100, lines=False)
    click.echo(f"Adjusted {shown}'s {assignment} by {points:+g} points"
               + (f": now {now.final_score:g}/{now.max_score:g}." if now else " (not graded yet)."))


@click.command("drop-check")
@click.argument("check")
@ASSIGNMENT_REQUIRED
@click.option("--remove", is_flag=True, help="Take the check out of the total instead of giving its points.")
@click.option("--undo", is_flag=True, help="Count the dropped check again.")
@GRADEBOOK
def drop_check(check: str, assignment: str, remove: bool, undo: bool, gradebook_path: Path | None) -> None:
    """Drop a check that turned out wrong: everyone gets its points (or, with --remove, it leaves the total).

    Recomputed from the stored results; no submission runs again. --undo restores it.

    Example:

    \b
        grader drop-check "f1_at_threshold: torch tensors" --assignment week5
        grader drop-check "f1_at_threshold: torch tensors" --assignment week5 --undo
    """
    from grader.gradebook.adjust import drop_check as drop

    outcome = _decide(gradebook_path, lambda book: drop(book, assignment, check, remove=remove, undo=undo))
    changed = sum(outcome.before.get(s) != p for s, p in outcome.after.items())
    verb = "restored" if undo else ("removed from the total" if remove else "dropped, its points given to everyone")
    click.echo(f"{outcome.exercise}: {outcome.name} {verb}; {changed} of {len(outcome.after)} students' "
               f"points changed.")
