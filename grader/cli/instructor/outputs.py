"""The instructor's outputs: export, report, feedback and similarity."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console

from grader.cli.common import (
    ASSIGNMENT,
    GRADEBOOK,
    course_root,
)
from grader.cli.instructor.shared import exercises_of, open_gradebook
from grader.course import assignment_exercises, load_assignments, load_exercises
from grader.reports.export import FORMATS
from grader.safetext import clean


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
    from grader.reports.export import (
        ExportError,
        ExportOptions,
        collect,
        collect_course,
        folder_assignments,
        notes,
        write_export,
    )

    chosen = FORMATS[fmt]
    if not chosen.single_file and out is None:
        raise click.ClickException(f"--format {fmt} writes one file per student: give --out DIR")
    lines: list[str] = []
    try:
        with open_gradebook(course_root(), gradebook_path, create=False) as book:
            if chosen.whole_course:
                groups = ({a.id: assignment_exercises(a.id) for a in load_assignments()}
                          or folder_assignments(load_exercises()))
                data = collect_course(book, groups, fallback=assignment)
            else:
                exercises = exercises_of(assignment)
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
@click.option("--leaderboard", "leaderboard_style", type=click.Choice(["names", "pseudonyms"]), default=None,
              help="Add the model exercises' leaderboard, students by name or by a stable pseudonym.")
@click.argument("submissions", nargs=-1, type=click.Path(exists=True, path_type=Path))
def report(results_dir: Path | None, gradebook: Path | None, assignment: str, out_file: Path,
           quiz_files: tuple[Path, ...], threshold: float | None, help_below: float, help_failing: int,
           submissions: tuple[Path, ...], leaderboard_style: str | None = None) -> None:
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
        page = build_report(ReportInputs(records, quizzes, matches, help_below=help_below, help_failing=help_failing,
                                         leaderboard=leaderboard_style, pseudonym_key=key))
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
