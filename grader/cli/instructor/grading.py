"""The instructor's grading commands: grade, validate, release and autograder."""

from __future__ import annotations

import json
import os
from pathlib import Path

import click
from rich.console import Console

from grader.cli.common import (
    ASSIGNMENT,
    CPU_TIME,
    GRADEBOOK,
    ISOLATION,
    TIMEOUT,
    course_root,
    import_libraries,
    isolation_policy,
)
from grader.cli.instructor.shared import collected_times_of, open_gradebook, refusal_as_error
from grader.course import CourseError, assignment_exercises, load_assignments, load_exercises
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

    from grader.gradebook import (
        BatchError,
        GradebookError,
        RosterError,
        checks_hash,
        choose_seed,
        load_roster,
        plan_batch,
    )
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
            times = collected_times_of(submissions) or None
        roster = load_roster(roster_file) if roster_file else None
        book = open_gradebook(course, gradebook_path, create=True)
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
            with refusal_as_error(), Progress(TextColumn("[bold]Grading"), BarColumn(), MofNCompleteColumn(),
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
    from grader.release.validate import validate_course
    from grader.sandbox.host import SandboxUnavailable

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
