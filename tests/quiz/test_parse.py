"""Parsing quizzes/FORMAT.md markdown into Quiz objects, and rejecting malformed files."""

from __future__ import annotations

import pytest

from grader.quiz.model import QuizError
from grader.quiz.parse import display_order, find_quizzes, load_quiz, parse_number, parse_numeric_answer

from .conftest import FIXTURES, FRONT, quiz_from


def test_front_matter_and_intro(all_types):
    assert all_types.id == "all-types"
    assert all_types.title == "Every question type"
    assert all_types.front_matter["notes"] == "003_77f997372edd19c1.txt"
    assert all_types.front_matter["description"].startswith("A fixture")
    assert "one question of each kind" in all_types.intro
    assert len(all_types.questions) == 7
    assert all_types.total_points == 12


def test_question_types_ids_points(all_types):
    got = [(q.id, q.type, q.points) for q in all_types.questions]
    assert got == [
        ("relu-negative", "single", 1), ("softmax-props", "multiple", 2), ("is-linear", "truefalse", 1),
        ("lr-value", "numeric", 1), ("train-steps", "ordering", 4), ("first-step", "short", 1),
        ("why-lr", "text", 2),
    ]


def test_single_choice_details(all_types):
    q = all_types.question("relu-negative")
    assert q.prompt == "What does ReLU return for a negative input?"
    assert [(o.label, o.text, o.correct) for o in q.options] == [
        ("A", "The input unchanged", False), ("B", "Zero", True), ("C", "One", False)]
    assert q.hint == "Look at the left half of ReLU's graph."
    assert q.feedback == "ReLU computes `max(0, x)`: every negative input becomes zero."
    assert q.source == "003 › Introducing the Rectified Linear Unit"
    assert q.correct_answer() == "B"


def test_feedback_paragraphs_and_code_prompt(all_types):
    assert all_types.question("softmax-props").feedback == (
        "Softmax exponentiates and normalises.\n\nIts outputs are positive.")
    prompt = all_types.question("lr-value").prompt
    assert "```python\nprint(1 / 2)\n```" in prompt


def test_truefalse_either_order():
    quiz = quiz_from("""\
        ## tf
        Is it?
        - ( ) True
        - (x) False
        """)
    q = quiz.questions[0]
    assert q.type == "truefalse" and q.correct_answer() is False


def test_ordering_display_is_shuffled_but_stable(all_types):
    q = all_types.question("train-steps")
    shown = [o.text for o in q.options]
    correct = ["Forward pass", "Compute the loss", "Backward pass", "Optimizer step"]
    assert sorted(shown) == sorted(correct) and shown != correct
    assert [q.option(lab).text for lab in q.correct_answer()] == correct
    assert display_order("train-steps", 4) == display_order("train-steps", 4)
    for n in range(2, 8):
        assert display_order(f"x{n}", n) != list(range(n))


def test_free_text_reference_and_rubric(all_types):
    q = all_types.question("why-lr")
    assert q.reference.startswith("Each step moves the parameters too far")
    assert q.reference.endswith("instead of shrinking.")
    assert [(r.points, r.alternatives) for r in q.rubric] == [
        (1, ("overshoot", "past the minimum", "too far", "jump")),
        (1, ("loss increases", "loss grows", "diverge", "bounce")),
    ]


@pytest.mark.parametrize("text, value", [
    ("0.5", 0.5), (".5", 0.5), ("1/2", 0.5), ("-6", -6), ("8.1e1", 81), ("+3", 3), ("-1/4", -0.25),
    (" 2 / 8 ", 0.25), ("1E-3", 0.001),
])
def test_number_forms(text, value):
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "1/0", "", "1,5", "nan", "inf", "0x10", "1/2/3"])
def test_bad_numbers(text):
    with pytest.raises(ValueError):
        parse_number(text)


def test_numeric_answer_forms():
    exact = parse_numeric_answer("0.5")
    assert exact.kind == "exact" and exact.accepts(0.5) and not exact.accepts(0.5001)
    absolute = parse_numeric_answer("0.5 +- 0.01")
    assert absolute.kind == "absolute" and absolute.accepts(0.51) and absolute.accepts(0.49)
    assert not absolute.accepts(0.52)
    relative = parse_numeric_answer("200 +- 2%")
    assert relative.kind == "relative" and relative.accepts(204) and relative.accepts(196)
    assert not relative.accepts(204.5)
    rng = parse_numeric_answer("[0.45, 0.55]")
    assert rng.kind == "range" and rng.accepts(0.45) and rng.accepts(0.55) and not rng.accepts(0.56)
    frac = parse_numeric_answer("1/3 +- 1e-3")
    assert frac.accepts(0.333) and not frac.accepts(0.3)
    zero = parse_numeric_answer("0")
    assert zero.accepts(0.0) and not zero.accepts(1e-6)


def test_several_numeric_lines_and_points_decimal():
    quiz = quiz_from("""\
        ## two-ways (1.5 points)
        Which?
        = 2
        = -2
        """)
    q = quiz.questions[0]
    assert q.points == 1.5 and [n.value for n in q.numeric] == [2, -2]


def test_note_label_inside_prompt_is_prompt_text():
    quiz = quiz_from("""\
        ## noted
        Note: shapes are (batch, features).
        Which?
        = 2
        """)
    assert quiz.questions[0].prompt.startswith("Note: shapes")


def test_code_block_may_contain_option_like_lines():
    quiz = quiz_from("""\
        ## code
        What does this print?
        ```
        ## not a heading
        - (x) not an option
        1. not an item
        ```
        = 3
        """)
    q = quiz.questions[0]
    assert q.type == "numeric" and "## not a heading" in q.prompt


def test_find_quizzes_skips_capitalised_docs(tmp_path):
    (tmp_path / "README.md").write_text("# not a quiz\n")
    (tmp_path / "FORMAT.md").write_text("# not a quiz\n")
    (tmp_path / "three.md").write_text((FIXTURES / "three.md").read_text())
    assert [q.id for q in find_quizzes(tmp_path)] == ["three"]


# --- malformed quizzes: FILE:LINE: message -------------------------------------------------------

BAD = [
    # (name, file text, line, words in the message)
    ("no-front-matter", "# Title\n\n## a\nQ?\n= 1\n", 1, "front matter"),
    ("unclosed-front", "---\nid: q\ntitle: T\n\n## a\nQ?\n= 1\n", 1, "never closed"),
    ("missing-title", "---\nid: q\n---\n## a\nQ?\n= 1\n", 3, "no `title:`"),
    ("bad-front-line", "---\nid: q\ntitle: T\n  nested: x\n---\n## a\nQ?\n= 1\n", 4, "malformed front matter"),
    ("bad-quiz-id", "---\nid: Week 3\ntitle: T\n---\n## a\nQ?\n= 1\n", 2, "malformed quiz id"),
    ("no-id", FRONT + "## \nQ?\n= 1\n", 6, "no id"),
    ("bad-id", FRONT + "## Relu_Neg\nQ?\n= 1\n", 6, "malformed question id"),
    ("bad-points", FRONT + "## a (two points)\nQ?\n= 1\n", 6, "malformed question heading"),
    ("repeated-id", FRONT + "## a\nQ?\n= 1\n\n## a\nQ?\n= 2\n", 10, "repeated (first on line 6)"),
    ("no-answer", FRONT + "## a\nQ?\n\n## b\nQ?\n= 2\n", 6, "no answer block"),
    ("two-blocks", FRONT + "## a\nQ?\n- (x) yes\n- ( ) no\n= 2\n", 10, "two kinds of answer block"),
    ("no-x", FRONT + "## a\nQ?\n- ( ) yes\n- ( ) no\n", 8, "exactly one option `(x)`, not 0"),
    ("two-x", FRONT + "## a\nQ?\n- (x) yes\n- (x) no\n", 8, "not 2"),
    ("no-check", FRONT + "## a\nQ?\n- [ ] yes\n- [ ] no\n", 8, "marks no option `[x]`"),
    ("bad-number", FRONT + "## a\nQ?\n= 0,5\n", 8, "cannot read the numeric answer"),
    ("bad-tolerance", FRONT + "## a\nQ?\n= 0.5 +- lots\n", 8, "cannot read the numeric answer"),
    ("bad-range", FRONT + "## a\nQ?\n= [2, 1]\n", 8, "low end above"),
    ("bad-regex", FRONT + "## a\nQ?\n~ fine\n~ /back(prop/\n", 9, "does not compile"),
    ("bad-rubric-regex", FRONT + "## a\nQ?\nReference answer: x\n\nRubric:\n- 1 point: /[/\n", 11,
     "does not compile"),
    ("rubric-sum", FRONT + "## a (3 points)\nWhy?\nReference answer: because.\n\nRubric:\n"
     "- 1 point: because\n- 1 point: so\n", 10, "adds up to 2 points but the question is worth 3"),
    ("bad-rubric-line", FRONT + "## a\nWhy?\nReference answer: x\nRubric:\n- one point: x\n", 10,
     "malformed rubric line"),
    ("no-rubric", FRONT + "## a\nWhy?\nReference answer: x\n", 8, "no `Rubric:`"),
    ("unknown-label", FRONT + "## a\nQ?\n= 1\nHnit: think\n", 9, "unknown label `Hnit:`"),
    ("stray-text", FRONT + "## a\nQ?\n- (x) a\n- ( ) b\nthe end\n", 10, "unexpected text"),
    ("no-questions", FRONT + "Just an intro.\n", 5, "no questions"),
    ("id-vs-file", "---\nid: other\ntitle: T\n---\n## a\nQ?\n= 1\n", 2, "does not match the file name"),
    ("unclosed-code", FRONT + "## a\nQ?\n```\ncode\n", 9, "never closed"),
    ("no-prompt", FRONT + "## a\n- (x) a\n- ( ) b\n", 6, "no prompt"),
]


@pytest.mark.parametrize("name, text, line, words", BAD, ids=[b[0] for b in BAD])
def test_malformed_quiz_reports_file_and_line(tmp_path, name, text, line, words):
    path = tmp_path / "q.md"
    path.write_text(text)
    with pytest.raises(QuizError) as info:
        load_quiz(path)
    assert str(info.value).startswith(f"{path}:{line}: "), str(info.value)
    assert words in info.value.message
    assert info.value.line == line


def test_unreadable_file(tmp_path):
    with pytest.raises(QuizError, match="cannot read"):
        load_quiz(tmp_path / "missing.md")


def test_hint_and_source_may_wrap_until_blank_line():
    quiz = quiz_from("""\
        ## wrapped
        Q?
        = 1
        Hint: start from the
        definition: it helps.

        Source: 003 ›
        Softmax
        """)
    q = quiz.questions[0]
    assert q.hint == "start from the definition: it helps."
    assert q.source == "003 › Softmax"


def test_reference_answer_wraps_over_colon_lines():
    quiz = quiz_from("""\
        ## why
        Why?
        Reference answer: Do this.
        Then repeat in a loop: that.

        Rubric:
        - 1 point: loop
        """)
    assert quiz.questions[0].reference == "Do this. Then repeat in a loop: that."
