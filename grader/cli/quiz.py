"""`grader quiz ...` commands: they parse options and print; the work is in the plain modules."""

from __future__ import annotations

import json
import signal
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.bounds import QUIZ_SHOWN_CHARS
from grader.gradebook import DEFAULT_PATH, Gradebook, GradebookError, RosterError, load_roster
from grader.quiz.export import FORMATS, export_quiz, markdown_table
from grader.quiz.model import Quiz, QuizError
from grader.quiz.parse import find_quizzes, quizzes_dir, resolve_quiz
from grader.quiz.record import record_batch
from grader.quiz.review import question_id, review_answers
from grader.quiz.scoring import AnswerError, answers_document, load_answers, score_quiz
from grader.quiz.stats import quiz_stats, quiz_stats_from_results
from grader.quiz.take import answers_path, progress_path, reader, run_session, save_answers, show_answers_file, shown
from grader.safetext import clean


def _dir(ctx: click.Context) -> Path:
    return quizzes_dir(ctx.obj.get("quizzes") if ctx.obj else None)


def _quiz(ctx: click.Context, ref: str) -> Quiz:
    try:
        return resolve_quiz(ref, _dir(ctx))
    except LookupError as e:
        raise click.ClickException(str(e.args[0])) from None
    except QuizError as e:
        raise click.ClickException(f"{e} (fix the quiz file)") from None


def _keyed(quiz: Quiz) -> Quiz:
    """The quiz, if its answer keys are in this copy (scoring, exporting and statistics need them)."""
    if quiz.withheld:
        raise click.ClickException(f"the answer keys of {quiz.id} are withheld in this copy of the course: your "
                                   "instructor scores it; `grader quiz take` records your answers")
    return quiz


def _answers(path: str, quiz: Quiz) -> dict[str, Any]:
    try:
        return load_answers(path, quiz)
    except AnswerError as e:
        raise click.ClickException(clean(f"{e}. See the answers file format in quizzes/FORMAT.md.",
                                         QUIZ_SHOWN_CHARS, lines=False)) from None


def _num(x: float | None, fmt: str = ".2f") -> str:
    return "–" if x is None else format(x, fmt)


@click.group()
@click.option("--quizzes", "quizzes", type=click.Path(file_okay=False, path_type=Path), envvar="GRADER_QUIZZES",
              help="Folder of quiz files (default: the nearest quizzes/ folder upwards). Env: GRADER_QUIZZES.")
@click.pass_context
def quiz(ctx: click.Context, quizzes: Path | None) -> None:
    """Take, score, export and analyse the course's markdown quizzes.

    Example:

    \b
        grader quiz list
        grader quiz take week3a-pytorch-basics
        grader quiz --quizzes path/to/quizzes list
    """
    ctx.ensure_object(dict)
    ctx.obj["quizzes"] = quizzes


@quiz.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--markdown", is_flag=True, help="Print the table for quizzes/README.md.")
@click.pass_context
def list_(ctx: click.Context, as_json: bool, markdown: bool) -> None:
    """List the quizzes: id, title, number of questions and points.

    Example:

    \b
        grader quiz list
        grader quiz list --json
        grader quiz --quizzes my/quizzes list --markdown > my/quizzes/README.md
    """
    folder = _dir(ctx)
    if not folder.is_dir():
        raise click.ClickException(f"no quizzes folder at {folder}; use --quizzes DIR or GRADER_QUIZZES")
    try:
        quizzes = find_quizzes(folder)
    except QuizError as e:
        raise click.ClickException(f"{e} (fix the quiz file)") from None
    if as_json:
        click.echo(json.dumps([{"id": q.id, "title": q.title, "questions": len(q.questions),
                                "points": q.total_points} for q in quizzes], indent=2, ensure_ascii=False))
    elif markdown:
        click.echo(markdown_table(quizzes), nl=False)
    else:
        table = Table(title=f"Quizzes in {folder}")
        table.add_column("id", no_wrap=True)
        table.add_column("title")
        table.add_column("questions", justify="right")
        table.add_column("points", justify="right")
        for q in quizzes:
            table.add_row(q.id, q.title, str(len(q.questions)), f"{q.total_points:g}")
        Console().print(table)


@quiz.command()
@click.argument("quiz_ref", metavar="QUIZ")
@click.option("--answers", "answers_file", type=click.Path(dir_okay=False),
              help="Answer from this answers file instead of interactively.")
@click.option("--save", type=click.Path(dir_okay=False, path_type=Path),
              help="Where to save the answers (default .grader/answers/QUIZ.json).")
@click.option("--shuffle", is_flag=True, help="Ask the questions in a random order.")
@click.option("--seed", type=int, default=None, help="Random seed for --shuffle.")
@click.pass_context
def take(ctx: click.Context, quiz_ref: str, answers_file: str | None, save: Path | None, shuffle: bool,
         seed: int | None) -> None:
    """Take a quiz in the terminal, with feedback after each answer.

    Type ? for a hint. Ctrl-C saves your progress; run the command again to resume.

    Example:

    \b
        grader quiz take week3a-pytorch-basics
        grader quiz take quizzes/week1-hello-deep-learning.md --shuffle
        grader quiz take week3a-pytorch-basics --answers my-answers.json
    """
    import random

    quiz_obj = _quiz(ctx, quiz_ref)
    console = Console(highlight=False)
    if answers_file and quiz_obj.withheld:  # nothing to score here: record them
        answers = _answers(answers_file, quiz_obj)
        target = save or answers_path(quiz_obj)
        try:
            save_answers(target, quiz_obj, answers)
        except OSError as e:
            raise click.ClickException(f"cannot write {target}: {e.strerror}") from None
        console.print(f"{len(answers)} of {len(quiz_obj.questions)} answers recorded for your instructor to "
                      f"score: saved to {shown(target)}")
        return
    if answers_file:
        answers = _answers(answers_file, quiz_obj)
        _record_score(console, quiz_obj, show_answers_file(console, quiz_obj, answers).score)
        if save:
            try:
                save.parent.mkdir(parents=True, exist_ok=True)
                # ASCII: the answers are kept exactly, and no control character reaches the file raw.
                save.write_text(json.dumps(answers_document(quiz_obj, answers), indent=2) + "\n")
            except OSError as e:
                raise click.ClickException(f"cannot write {clean(str(save), QUIZ_SHOWN_CHARS, lines=False)}: "
                                           f"{e.strerror}") from None
            console.print(f"Answers saved to {clean(str(save), QUIZ_SHOWN_CHARS, lines=False)}", markup=False)
        return
    if sys.stdin.isatty():
        # Ctrl-C saves the progress, even when the shell started us with SIGINT ignored
        # (as it does for background jobs).
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        outcome = run_session(quiz_obj, console, reader(console), progress_path(quiz_obj),
                              save or answers_path(quiz_obj), shuffle=shuffle, rng=random.Random(seed))
    except OSError as e:
        raise click.ClickException(f"cannot write {e.filename}: {e.strerror}; check the folder "
                                   "is writable or use --save FILE") from None
    if not outcome.finished:
        ctx.exit(130)
    if outcome.result is not None:  # None when the keys are withheld: nothing scored here
        _record_score(console, quiz_obj, outcome.result.score)


def _record_score(console: Console, quiz_obj: Quiz, score: float) -> None:
    """Keep the best score in .grader/quizzes.json (for `grader status`), next to the answers."""
    from grader.student.state import State

    state = State(Path.cwd())
    if state.record_quiz(quiz_obj.id, score, quiz_obj.total_points):
        console.print(f"New best score for {quiz_obj.id}: {score:g}/{quiz_obj.total_points:g}")
    for problem in state.problems:
        console.print(problem, style="yellow", markup=False)


@quiz.command()
@click.argument("quiz_ref", metavar="QUIZ")
@click.argument("answers_files", metavar="ANSWERS.json...", nargs=-1, required=True,
                type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--gradebook", "gradebook", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Record each student's result in this gradebook (default with several files: "
                   ".grader/gradebook.db).")
@click.option("--assignment", default=None, help="File the results under this name (default: the quiz id).")
@click.option("--roster", "roster_file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Match the answers files' names to this roster (CSV: id, name, email, section) and keep it "
                   "in the gradebook (default: the roster the gradebook already has).")
@click.pass_context
def score(ctx: click.Context, quiz_ref: str, answers_files: tuple[str, ...], as_json: bool,
          gradebook: Path | None, assignment: str | None, roster_file: Path | None) -> None:
    """Score answers files: points per question and in total; record them in the gradebook.

    Free-text rubric scores are suggestions, shown as "needs review". Each file is recorded under the
    student its name gives (alice.json is alice; alice/QUIZ.json and alice/.grader/answers/QUIZ.json
    are too), matched to the roster; what a file says about its student is ignored.

    Example:

    \b
        grader quiz score week3a-pytorch-basics .grader/answers/week3a-pytorch-basics.json
        grader quiz score quizzes/week1-hello-deep-learning.md answers.json --json
        grader quiz score week3a-pytorch-basics answers/*.json --gradebook .grader/gradebook.db
        grader quiz score week3a-pytorch-basics answers/*.json --roster roster.csv
        grader quiz score week3a-pytorch-basics answers/*.json --json   # a JSON list, nothing recorded
    """
    quiz_obj = _keyed(_quiz(ctx, quiz_ref))
    if as_json and len(answers_files) > 1 and gradebook is None and roster_file is None:
        # A JSON list, one entry per file in the order given; nothing recorded.
        click.echo(json.dumps([{"file": clean(f, QUIZ_SHOWN_CHARS, lines=False),
                                **score_quiz(quiz_obj, _answers(f, quiz_obj)).to_json()} for f in answers_files],
                              indent=2, ensure_ascii=False))
        return
    if len(answers_files) > 1 or gradebook is not None or roster_file is not None:
        _record(quiz_obj, answers_files, gradebook or Path(DEFAULT_PATH), assignment, roster_file)
        return
    answers_file = answers_files[0]
    result = score_quiz(quiz_obj, _answers(answers_file, quiz_obj))
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    table = Table("question", "score", "max", "", title=f"{quiz_obj.title}")
    for r in result.questions:
        mark = "needs review" if r.status == "needs review" else "complete" if r.status == "complete" else (
            "✔" if r.correct else ("◐" if r.score > 0 else ("–" if not r.answered else "✘")))
        table.add_row(r.id, f"{r.score:g}", f"{r.max_score:g}", mark)
    table.add_row("total", f"{result.score:g}", f"{result.max_score:g}", "", style="bold")
    Console(highlight=False).print(table)


def _record(quiz_obj: Quiz, files: tuple[str, ...], path: Path, assignment: str | None,
            roster_file: Path | None) -> None:
    try:
        roster = load_roster(roster_file) if roster_file else None
        book = Gradebook(path)
    except (RosterError, GradebookError) as e:
        raise click.ClickException(clean(str(e), QUIZ_SHOWN_CHARS, lines=False)) from None
    problems: list[str] = []  # one bad answers file is that file's problem, not the batch's

    def warn(line: str) -> None:
        problems.append(line)
        if len(files) > 1:
            click.echo(line, err=True)

    with book:
        try:
            if roster:
                book.set_roster(roster.students)
            outcome = record_batch(book, quiz_obj, [Path(f) for f in files], assignment, roster, click.echo, warn)
        except GradebookError as e:
            raise click.ClickException(clean(str(e), QUIZ_SHOWN_CHARS, lines=False)) from None
    if len(files) == 1 and problems:
        raise click.ClickException(problems[0].removeprefix("error: "))
    if outcome.unmatched:
        click.echo(f"Not on the roster (recorded under their own names): "
                   f"{clean(', '.join(outcome.unmatched), QUIZ_SHOWN_CHARS, lines=False)}", err=True)
    recorded = outcome.recorded
    click.echo(f"Recorded {recorded} result{'s' if recorded != 1 else ''} of {quiz_obj.id} in "
               f"{clean(str(path), QUIZ_SHOWN_CHARS, lines=False)}")
    if outcome.refused:
        n = outcome.refused
        raise click.ClickException(f"{n} answers file{'s' if n != 1 else ''} could not be scored or recorded (see "
                                   f"above); fix {'them' if n != 1 else 'it'} and run this again for "
                                   f"{'those files' if n != 1 else 'that file'}")


@quiz.command()
@click.argument("quiz_ref", metavar="QUIZ")
@click.option("--gradebook", "gradebook", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_PATH, show_default=True, help="The gradebook holding the scored answers.")
@click.option("--question", "question_ref", default=None, metavar="N",
              help="Review only this question (its id, or its number in the quiz).")
@click.option("--accept-all", is_flag=True, help="Accept every suggested score without asking (with --comment).")
@click.option("--comment", default="", help="A comment kept with each decision --accept-all makes.")
@click.pass_context
def review(ctx: click.Context, quiz_ref: str, gradebook: Path, question_ref: str | None, accept_all: bool,
           comment: str) -> None:
    """Go through the free-text answers needing review and settle their points.

    Enter accepts the suggested points, a number sets them, a accepts the suggestion for this and
    every answer left, s skips, q stops; "# text" after any of them adds a comment. Blank answers
    score 0 and need no review.

    Example:

    \b
        grader quiz review lab5-from-scratch-model --gradebook .grader/gradebook.db
        grader quiz review lab5-from-scratch-model --question 3
        grader quiz review lab5-from-scratch-model --question q3 --accept-all --comment "rubric score"
    """
    quiz_obj = _keyed(_quiz(ctx, quiz_ref))
    question = None
    if question_ref is not None:
        try:
            question = question_id(quiz_obj, question_ref)
        except LookupError as e:
            raise click.ClickException(str(e.args[0])) from None
    try:
        book = Gradebook(gradebook)
    except GradebookError as e:
        raise click.ClickException(str(e)) from None
    with book:
        try:
            outcome = review_answers(book, quiz_obj, input, click.echo, question, accept_all, comment)
        except GradebookError as e:
            raise click.ClickException(str(e)) from None
        left = sum(q["status"] == "needs review" and question in (None, q["id"])
                   for a in book.needing_review(quiz_obj.id) for q in a.questions)
    click.echo(f"Reviewed {outcome.reviewed}, skipped {outcome.skipped}; {left} still need review"
               f"{' for ' + question if question else ''}.")
    if outcome.interrupted:
        ctx.exit(130)


def _gradebook_results(path: Path, quiz_obj: Quiz) -> list:
    if not path.is_file():
        raise click.ClickException(f"there is no gradebook at {clean(str(path), QUIZ_SHOWN_CHARS, lines=False)}; "
                                   "record the answers first (grader quiz score QUIZ ANSWERS... --gradebook)")
    try:
        with Gradebook(path, read_only=True) as book:
            found = book.quiz_results(quiz_obj.id)
    except GradebookError as e:
        raise click.ClickException(clean(str(e), QUIZ_SHOWN_CHARS, lines=False)) from None
    if not found:
        raise click.ClickException(f"the gradebook has no results of {quiz_obj.id}; record them first "
                                   f"(grader quiz score {quiz_obj.id} ANSWERS... --gradebook)")
    return found


@quiz.command()
@click.argument("quiz_ref", metavar="QUIZ")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="json", show_default=True,
              help="json, Moodle XML or GIFT (both import into Moodle's question bank).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of stdout.")
@click.option("--moodle-regexp", is_flag=True,
              help="The Moodle site has the qtype_regexp plugin: export regular-expression short answers as "
                   "'regexp' questions instead of dropping them.")
@click.pass_context
def export(ctx: click.Context, quiz_ref: str, fmt: str, output: Path | None, moodle_regexp: bool) -> None:
    """Export a quiz as JSON, Moodle XML or GIFT.

    What a format cannot hold is dropped, one line on stderr for each thing dropped.

    Example:

    \b
        grader quiz export week3a-pytorch-basics --format json
        grader quiz export week3a-pytorch-basics --format moodle-xml -o week3a.xml
        grader quiz export week3a-pytorch-basics --format gift -o week3a.gift.txt
    """
    text = export_quiz(_keyed(_quiz(ctx, quiz_ref)), fmt,
                       lambda line: click.echo(clean(line, QUIZ_SHOWN_CHARS, lines=False), err=True), moodle_regexp)
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise click.ClickException(f"cannot write {output}: {e.strerror}") from None
        click.echo(f"Wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@quiz.command()
@click.argument("quiz_ref", metavar="QUIZ")
@click.argument("answers_files", metavar="[ANSWERS...]", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--gradebook", "gradebook", is_flag=False, flag_value=DEFAULT_PATH, default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help=f"Read the scores the gradebook keeps (reviewed ones included) instead of answers files "
                   f"(default path: {DEFAULT_PATH}).")
@click.pass_context
def stats(ctx: click.Context, quiz_ref: str, answers_files: tuple[str, ...], as_json: bool,
          gradebook: Path | None) -> None:
    """Item analysis over many students' answers files (Moodle's definitions).

    Per question: facility index (mean score as % of the maximum), discrimination index (100 × the
    Pearson correlation with the rest of the test) and how often each option was chosen; for the
    quiz: mean, standard deviation (sample, n−1) and Cronbach's alpha.

    With --gradebook the scores are those the gradebook keeps (`grader quiz score ... --gradebook`),
    so the instructor's reviewed scores count.

    Example:

    \b
        grader quiz stats week3a-pytorch-basics answers/*.json
        grader quiz stats week3a-pytorch-basics answers/*.json --json
        grader quiz stats lab5-from-scratch-model --gradebook
    """
    quiz_obj = _keyed(_quiz(ctx, quiz_ref))
    if gradebook is not None and answers_files:
        raise click.ClickException("give answers files or --gradebook, not both")
    if gradebook is not None:
        result = quiz_stats_from_results(quiz_obj, _gradebook_results(gradebook, quiz_obj))
    elif answers_files:
        result = quiz_stats(quiz_obj, [_answers(f, quiz_obj) for f in answers_files])
    else:
        raise click.ClickException("give the answers files, or --gradebook to read the scores recorded there")
    if as_json:
        click.echo(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    console = Console(highlight=False)
    table = Table("question", "type", "facility %", "discrimination %", "sd", "chosen",
                  title=f"{quiz_obj.title}: {result.students} students")
    for q in result.questions:
        chosen = ", ".join(f"{k}: {v}" for k, v in q.responses.items())
        # The responses are what students wrote (short answers): shown as text, never as markup.
        table.add_row(q.id, q.type, _num(q.facility_index, ".0f"), _num(q.discrimination_index, ".0f"),
                      _num(q.sd), Text(clean(chosen, 1000, lines=False)))
    console.print(table)
    console.print(f"Mean {result.mean:.2f} / {result.max_score:g} · standard deviation {_num(result.sd)} · "
                  f"Cronbach's alpha {_num(result.cronbach_alpha)}")
