"""The instructor's records: collect from repositories, merge gradebooks, extend, adjust and drop a check."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from grader.cli.common import (
    GRADEBOOK,
    course_root,
)
from grader.cli.instructor.shared import open_gradebook
from grader.safetext import clean


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
    from grader.gradebook.collect import (
        CollectError,
        RepoSource,
        check_student,
        collect_repos,
        deadlines_for,
        load_extensions,
        load_list,
        parse_due,
        student_of,
    )

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


ASSIGNMENT_REQUIRED = click.option("--assignment", required=True, help="The assignment (week1, week5, ...).")


def _decide(gradebook_path: Path | None, decision):
    """Open the gradebook and run ``decision(book)``; its errors are one line."""
    from grader.gradebook import GradebookError
    from grader.gradebook.adjust import AdjustError

    try:
        with open_gradebook(course_root(), gradebook_path, create=False) as book:
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
