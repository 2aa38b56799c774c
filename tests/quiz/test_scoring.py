"""Scoring each question type, partial credit, text matching, and answers files."""

from __future__ import annotations

import json

import pytest

from grader.quiz.scoring import (
    AnswerError,
    load_answers,
    matches_form,
    occurs,
    perfect_answers,
    score_answer,
    score_quiz,
)

from .conftest import quiz_from


def score(quiz, qid, answer):
    return score_answer(quiz.question(qid), answer).score


def test_single_choice(all_types):
    assert score(all_types, "relu-negative", "B") == 1
    assert score(all_types, "relu-negative", "b") == 1
    assert score(all_types, "relu-negative", "A") == 0
    result = score_answer(all_types.question("relu-negative"), "C")
    assert not result.correct and "Correct answer: B) Zero" in result.feedback
    assert "max(0, x)" in result.feedback  # the explanation is shown too


@pytest.mark.parametrize("picks, expected", [
    (["A", "C"], 2.0),        # both right picks
    (["A"], 1.0),             # 1 right of 2 → half of 2 points
    (["A", "B"], 0.0),        # 1 right − 1 wrong = 0
    (["A", "C", "B"], 1.0),   # 2 right − 1 wrong = 1 of 2
    (["B", "D"], 0.0),        # 0 − 2 would be negative: never below zero
    (["A", "B", "D"], 0.0),   # 1 − 2 → clamped to zero
    ([], 0.0),
    (["C", "A", "A"], 2.0),   # repeats count once
])
def test_multiple_selection_partial_credit(all_types, picks, expected):
    assert score(all_types, "softmax-props", picks) == pytest.approx(expected)


@pytest.mark.parametrize("answer, expected", [
    (True, 1), (False, 0), ("true", 1), ("T", 1), ("t", 1), ("false", 0), ("F", 0), ("A", 1), ("B", 0),
])
def test_truefalse(all_types, answer, expected):
    assert score(all_types, "is-linear", answer) == expected


@pytest.mark.parametrize("answer, expected", [
    (0.5, 1), ("0.5", 1), ("1/2", 1), (".5", 1), ("5e-1", 1), (0.509, 1), (0.491, 1), (0.52, 0),
    ("-1/2", 0), (1, 0),
])
def test_numeric_absolute_tolerance(all_types, answer, expected):
    assert score(all_types, "lr-value", answer) == expected


def test_numeric_tolerance_forms_and_number_forms():
    quiz = quiz_from("""\
        ## exact
        Q?
        = -6
        ## rel
        Q?
        = 8.1e1 +- 2%
        ## rng
        Q?
        = [0.45, 0.55]
        ## many
        Q?
        = 1/3 +- 0.001
        = 2
        """)
    assert score(quiz, "exact", -6) == 1 and score(quiz, "exact", "-6") == 1
    assert score(quiz, "exact", "-6.0000001") == 0
    assert score(quiz, "rel", 81) == 1 and score(quiz, "rel", 82.6) == 1 and score(quiz, "rel", 82.7) == 0
    assert score(quiz, "rel", "79.4") == 1 and score(quiz, "rel", 79.3) == 0
    assert score(quiz, "rng", "0.45") == 1 and score(quiz, "rng", "11/20") == 1 and score(quiz, "rng", 0.44) == 0
    assert score(quiz, "many", "1/3") == 1 and score(quiz, "many", 0.3333) == 1 and score(quiz, "many", 2) == 1
    assert score(quiz, "many", 1) == 0


@pytest.mark.parametrize("order, expected", [
    (["A", "C", "B", "D"], 4.0),   # all four in place (4 points)
    (["A", "C", "D", "B"], 2.0),   # first two in place → 2 of 4
    (["C", "A", "B", "D"], 2.0),
    (["D", "B", "C", "A"], 0.0),
])
def test_ordering_partial_credit(all_types, order, expected):
    # correct order of the shown labels is A C B D (see test_parse)
    assert score(all_types, "train-steps", order) == pytest.approx(expected)


@pytest.mark.parametrize("answer, expected", [
    ("forward pass", 1), ("  Forward    PASS ", 1), ("FORWARD PROPAGATION", 1), ("forward-prop", 1),
    ("forwardprop", 1), ("forward", 0), ("backward pass", 0), ("the forward pass", 0),
])
def test_short_answer(all_types, answer, expected):
    assert score(all_types, "first-step", answer) == expected


def test_short_answer_matching_rules():
    assert matches_form("forward*", "Forward propagation")
    assert matches_form("forward*", "forward")
    assert not matches_form("forward*", "the forward pass")
    assert matches_form("*entropy", "cross  entropy")
    assert matches_form("/back-?prop(agation)?/", "Backpropagation")
    assert not matches_form("/back-?prop/", "backprop is great")  # regex must match the whole answer
    assert matches_form("a.b", "a.b") and not matches_form("a.b", "axb")  # literal forms are not regexes


def test_rubric_scoring_with_alternatives(all_types):
    q = all_types.question("why-lr")
    both = score_answer(q, "The step jumps past the minimum and the LOSS   GROWS.")
    assert both.score == 2 and both.correct and both.missed == []
    one = score_answer(q, "It will overshoot.")
    assert one.score == 1 and one.found == ["overshoot"] and one.missed == ["loss increases"]
    assert "Reference answer: Each step moves" in one.feedback and "missed loss increases" in one.feedback
    none = score_answer(q, "I do not know")
    assert none.score == 0 and not none.correct


def test_rubric_wildcard_and_regex():
    assert occurs("learning * too high", "if the Learning rate is too high then")
    assert occurs("/div(erg|ides)/", "the loss diverges")
    assert not occurs("diverge", "converges")
    assert occurs("past the minimum", "goes past\nthe   minimum")


def test_unanswered_scores_zero(all_types):
    result = score_answer(all_types.question("lr-value"), None)
    assert result.score == 0 and not result.answered and "Not answered" in result.feedback


@pytest.mark.parametrize("qid, answer, words", [
    ("relu-negative", ["B"], "one option label"),
    ("relu-negative", "E", "no option 'E'"),
    ("softmax-props", "A", "list of option labels"),
    ("softmax-props", ["A", "Z"], "no option 'Z'"),
    ("is-linear", "yes", "true or false"),
    ("lr-value", "half", "not a number"),
    ("lr-value", True, "takes a number"),
    ("lr-value", [0.5], "takes a number"),
    ("train-steps", ["A", "B"], "exactly once"),
    ("train-steps", ["A", "A", "B", "C"], "exactly once"),
    ("first-step", 3, "text answer"),
    ("why-lr", ["x"], "text answer"),
])
def test_wrong_answer_kinds_are_errors(all_types, qid, answer, words):
    with pytest.raises(AnswerError, match=words):
        score_answer(all_types.question(qid), answer)


def test_score_quiz_totals_and_missing(all_types):
    result = score_quiz(all_types, {"relu-negative": "B", "softmax-props": ["A"], "lr-value": "1/2"})
    assert result.score == 3 and result.max_score == 12
    doc = result.to_json()
    assert set(doc) == {"quiz", "score", "max_score", "questions"}
    assert set(doc["questions"][0]) == {"id", "score", "max_score", "correct", "status", "feedback"}
    assert [q["correct"] for q in doc["questions"][:3]] == [True, False, False]


def test_perfect_answers_score_full(all_types):
    result = score_quiz(all_types, perfect_answers(all_types))
    assert result.score == result.max_score == 12


def test_score_quiz_rejects_unknown_id(all_types):
    with pytest.raises(AnswerError, match="no question 'nope'"):
        score_quiz(all_types, {"nope": "A"})


def write(tmp_path, content):
    path = tmp_path / "answers.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return path


def test_load_answers_ok(tmp_path, all_types):
    path = write(tmp_path, {"quiz": "all-types", "answers": {"relu-negative": "B", "is-linear": True}})
    assert load_answers(path, all_types) == {"relu-negative": "B", "is-linear": True}


@pytest.mark.parametrize("content, words", [
    ("{not json", "not valid JSON"),
    ([1, 2], "expected"),
    ({"quiz": "all-types"}, "expected"),
    ({"quiz": "all-types", "answers": []}, "expected"),
    ({"quiz": "other", "answers": {}}, "holds answers to quiz 'other'"),
    ({"quiz": "all-types", "answers": {"nope": "A"}}, "no question 'nope'"),
    ({"quiz": "all-types", "answers": {"relu-negative": "Q"}}, "no option 'Q'"),
    ({"quiz": "all-types", "answers": {}, "extra": 1}, "unexpected key 'extra'"),
])
def test_malformed_answers_files(tmp_path, all_types, content, words):
    path = write(tmp_path, content)
    with pytest.raises(AnswerError, match=words) as info:
        load_answers(path, all_types)
    assert "\n" not in str(info.value)


def test_missing_answers_file(tmp_path, all_types):
    with pytest.raises(AnswerError, match="cannot read answers file"):
        load_answers(tmp_path / "nope.json", all_types)
