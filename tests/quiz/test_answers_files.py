"""Answers files a student wrote are read defensively (issue 15): a size cap, no huge numbers, no deep
nesting; a bad file is one line of error and the others of a batch are still recorded."""

import json
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from grader.bounds import QUIZ_ANSWERS_FILE_BYTES, QUIZ_ANSWERS_NESTING
from grader.cli import main
from grader.gradebook import Gradebook
from grader.quiz.parse import load_quiz
from grader.quiz.scoring import (AnswerError, answers_document, decode_answers, load_answers, matches_form, occurs,
                                 perfect_answers, score_quiz)

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
LAB5 = load_quiz(QUIZZES / "lab5-from-scratch-model.md")
NUMERIC = next(q.id for q in LAB5.questions if q.type == "numeric")
ORDERING = next(q.id for q in LAB5.questions if q.type == "ordering")

HOSTILE = {
    "digits-400": '{"quiz": "%s", "answers": {"%s": %s}}' % (LAB5.id, NUMERIC, "9" * 400),   # OverflowError
    "digits-5000": '{"quiz": "%s", "answers": {"%s": %s}}' % (LAB5.id, NUMERIC, "9" * 5000),  # ValueError
    "float-1e999": '{"quiz": "%s", "answers": {"%s": 1e999}}' % (LAB5.id, NUMERIC),
    "nan": '{"quiz": "%s", "answers": {"%s": NaN}}' % (LAB5.id, NUMERIC),
    "deep": '{"quiz": "%s", "answers": {"%s": %s}}' % (LAB5.id, ORDERING, "[" * 100_000 + "]" * 100_000),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_answers_files_are_one_line_errors(tmp_path, name):
    path = tmp_path / f"{name}.json"
    path.write_text(HOSTILE[name])
    with pytest.raises(AnswerError) as info:
        load_answers(path, LAB5)
    message = str(info.value)
    assert f"{name}.json" in message and "\n" not in message and len(message) < 300


def test_an_oversized_answers_file_is_refused(tmp_path):
    path = tmp_path / "big.json"
    padding = "x" * QUIZ_ANSWERS_FILE_BYTES
    path.write_text(json.dumps({"quiz": LAB5.id, "answers": {}, "student": padding}))
    with pytest.raises(AnswerError, match="larger than"):
        load_answers(path, LAB5)


def test_brackets_inside_strings_are_not_nesting(tmp_path):
    """The nesting check reads JSON strings (with escaped quotes) as strings."""
    text_q = next(q.id for q in LAB5.questions if q.type == "text" and not q.reflective)
    answer = '[[[[[[[[[[ \\" {{{{{{{{{{{{ ' + "[" * (QUIZ_ANSWERS_NESTING + 5)
    path = tmp_path / "brackets.json"
    path.write_text('{"quiz": "%s", "answers": {"%s": "%s"}}' % (LAB5.id, text_q, answer))
    assert load_answers(path, LAB5) == {text_q: json.loads(f'"{answer}"')}


def test_a_hostile_file_in_a_batch_costs_only_itself(tmp_path):
    """Before issue 15 the first hostile file printed a traceback and stopped the batch: the files after
    it were never recorded. Now each is one line of error and the innocent neighbours keep their scores."""
    folder = tmp_path / "answers"
    folder.mkdir()
    perfect = answers_document(LAB5, perfect_answers(LAB5))
    expected = score_quiz(LAB5, perfect["answers"]).score
    (folder / "alice.json").write_text(json.dumps(perfect))
    for name, text in HOSTILE.items():
        (folder / f"{name}.json").write_text(text)
    (folder / "zoe.json").write_text(json.dumps(perfect))
    files = [str(folder / "alice.json")] + [str(folder / f"{n}.json") for n in HOSTILE] + [str(folder / "zoe.json")]
    db = tmp_path / "gb.db"
    result = CliRunner().invoke(main, ["quiz", "score", str(QUIZZES / "lab5-from-scratch-model.md"), *files,
                                       "--gradebook", str(db)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == len(HOSTILE) and all(any(f"{n}.json" in e for e in errors) for n in HOSTILE)
    assert f"{len(HOSTILE)} answers files could not be scored" in result.stderr
    with Gradebook(db) as book:
        rows = {a.student: a.score for a in book.quiz_results(LAB5.id)}
    assert rows == {"alice": expected, "zoe": expected} and expected > 0


def _seconds_per_call(f, *args) -> float:
    """The best of five timings of ``f(*args)``, each repeated for at least 20 ms."""
    best = float("inf")
    for _ in range(5):
        calls, started = 0, time.perf_counter()
        while True:
            f(*args)
            calls += 1
            elapsed = time.perf_counter() - started
            if elapsed > 0.02:
                break
        best = min(best, elapsed / calls)
    return best


def _growth(f, make) -> float:
    """How much longer ``f`` takes on an input four times as long: about 4 when linear, 16 when quadratic."""
    return _seconds_per_call(f, make(16_000)) / _seconds_per_call(f, make(4_000))


def test_wildcard_matching_is_linear_in_the_answer():
    """A rubric alternative or short-answer form with `*` was a regular expression of `.*?` runs: a
    student's long answer made it backtrack quadratically (a 256 KiB answer: minutes)."""
    assert _growth(lambda a: occurs("a*b", a), lambda n: "a" * n) < 9
    assert _growth(lambda a: matches_form("a*a*b*c", a), lambda n: "a" * n + "b") < 9


def test_the_nesting_check_is_linear_in_the_file():
    """Strings full of escaped quotes and brackets, never closed: read once, not once per quote."""
    assert _growth(lambda raw: pytest.raises(AnswerError, decode_answers, raw, "x.json"),
                   lambda n: b'{"a": "' + b'\\"[' * n) < 9
