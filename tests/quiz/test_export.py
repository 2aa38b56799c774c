"""Exports: JSON, Moodle XML (checked with xml.etree) and GIFT."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from grader.quiz.export import export_quiz, gift_escape, markdown_table, to_gift, to_json, to_moodle_xml

from .conftest import quiz_from


def test_json_export(all_types):
    doc = json.loads(to_json(all_types))
    assert doc["id"] == "all-types" and doc["title"] == "Every question type"
    qs = {q["id"]: q for q in doc["questions"]}
    assert [q["type"] for q in doc["questions"]] == [
        "single", "multiple", "truefalse", "numeric", "ordering", "short", "text"]
    for q in doc["questions"]:
        assert {"id", "type", "prompt", "points", "options", "answer", "source"} <= set(q)
    assert qs["relu-negative"]["options"][1] == {"label": "B", "text": "Zero"}
    assert qs["relu-negative"]["answer"] == "B"
    assert qs["relu-negative"]["source"] == "003 › Introducing the Rectified Linear Unit"
    assert qs["softmax-props"]["answer"] == ["A", "C"] and qs["softmax-props"]["points"] == 2
    assert qs["is-linear"]["answer"] is True
    assert qs["lr-value"]["answer"] == [{"text": "0.5 +- 0.01", "value": 0.5, "min": 0.49, "max": 0.51}]
    assert qs["train-steps"]["answer"] == ["A", "C", "B", "D"]
    assert qs["first-step"]["answer"] == ["forward pass", "forward propagation", "/forward[- ]?prop/"]
    assert qs["why-lr"]["answer"].startswith("Each step moves")
    assert qs["why-lr"]["rubric"][0] == {"points": 1, "alternatives": ["overshoot", "past the minimum",
                                                                       "too far", "jump"]}


def parse_xml(quiz):
    root = ET.fromstring(to_moodle_xml(quiz).encode("utf-8"))
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert questions[0].findtext("category/text") == f"$course$/top/{quiz.title}"
    return {q.findtext("idnumber"): q for q in questions[1:]}


def test_moodle_xml_common_fields(all_types):
    qs = parse_xml(all_types)
    assert list(qs) == [q.id for q in all_types.questions]
    types = {k: v.get("type") for k, v in qs.items()}
    assert types == {"relu-negative": "multichoice", "softmax-props": "multichoice", "is-linear": "truefalse",
                     "lr-value": "numerical", "train-steps": "ordering", "first-step": "shortanswer",
                     "why-lr": "essay"}
    for q in all_types.questions:
        el = qs[q.id]
        assert el.findtext("name/text") == q.id
        assert el.find("questiontext").get("format") == "markdown"
        assert el.findtext("questiontext/text") == q.prompt
        assert float(el.findtext("defaultgrade")) == q.points
        assert el.find("generalfeedback/text") is not None
    relu = qs["relu-negative"]
    assert "max(0, x)" in relu.findtext("generalfeedback/text")
    assert relu.findtext("hint/text") == "Look at the left half of ReLU's graph."


def test_moodle_xml_multichoice(all_types):
    qs = parse_xml(all_types)
    single = qs["relu-negative"]
    assert single.findtext("single") == "true" and single.findtext("shuffleanswers") == "true"
    assert [(a.get("fraction"), a.findtext("text")) for a in single.findall("answer")] == [
        ("0", "The input unchanged"), ("100", "Zero"), ("0", "One")]
    multi = qs["softmax-props"]
    assert multi.findtext("single") == "false"
    assert [a.get("fraction") for a in multi.findall("answer")] == ["50", "-50", "50", "-50"]


def test_moodle_xml_multichoice_thirds():
    quiz = quiz_from("## m\nWhich?\n- [x] a\n- [x] b\n- [x] c\n- [ ] d\n")
    el = ET.fromstring(to_moodle_xml(quiz)).findall("question")[1]
    assert [a.get("fraction") for a in el.findall("answer")] == ["33.33333"] * 3 + ["-33.33333"]


def test_moodle_xml_truefalse_numeric_short_essay_ordering(all_types):
    qs = parse_xml(all_types)
    tf = qs["is-linear"]
    assert {a.findtext("text"): a.get("fraction") for a in tf.findall("answer")} == {"true": "100", "false": "0"}
    num = qs["lr-value"].find("answer")
    assert num.get("fraction") == "100" and float(num.findtext("text")) == 0.5
    assert float(num.findtext("tolerance")) == pytest.approx(0.01)
    short = qs["first-step"]
    assert short.findtext("usecase") == "0"
    assert [a.findtext("text") for a in short.findall("answer")] == ["forward pass", "forward propagation"]
    essay = qs["why-lr"]
    assert essay.findtext("responseformat") == "editor"
    assert "Reference answer: Each step" in essay.findtext("graderinfo/text")
    assert "1 point: overshoot | past the minimum" in essay.findtext("graderinfo/text")
    assert "Each step moves" in essay.findtext("generalfeedback/text")
    order = qs["train-steps"]
    assert order.findtext("gradingtype") == "ABSOLUTE_POSITION" and order.findtext("selecttype") == "ALL"
    assert [a.findtext("text") for a in order.findall("answer")] == [
        "Forward pass", "Compute the loss", "Backward pass", "Optimizer step"]
    assert [a.get("fraction") for a in order.findall("answer")] == ["1", "2", "3", "4"]


def test_moodle_numeric_tolerances_become_absolute():
    quiz = quiz_from("## n\nQ?\n= 200 +- 2%\n= [0.45, 0.55]\n= 1/4\n")
    answers = ET.fromstring(to_moodle_xml(quiz)).findall("question")[1].findall("answer")
    got = [(float(a.findtext("text")), float(a.findtext("tolerance"))) for a in answers]
    assert got == [(200, pytest.approx(4)), (pytest.approx(0.5), pytest.approx(0.05)), (0.25, 0)]


def test_xml_escapes_special_characters():
    quiz = quiz_from("## x\nIs `a < b && c > d`?\n- (x) <yes>\n- ( ) no & never\n")
    el = ET.fromstring(to_moodle_xml(quiz)).findall("question")[1]
    assert el.findtext("questiontext/text") == "Is `a < b && c > d`?"
    assert el.findall("answer")[0].findtext("text") == "<yes>"


def test_gift_each_type(all_types):
    gift = to_gift(all_types)
    assert "$CATEGORY: $course$/top/Every question type" in gift
    assert ("// [id:relu-negative] 1 point · source: 003 › Introducing the Rectified Linear Unit\n"
            "::relu-negative::[markdown]What does ReLU return for a negative input?{\n"
            "\t~The input unchanged\n\t=Zero\n\t~One\n"
            "\t####[markdown]ReLU computes `max(0, x)`\\: every negative input becomes zero.") in gift
    assert "\t~%50%Softmax outputs add up to one\n\t~%-50%Softmax outputs can be negative" in gift
    assert "::is-linear::[markdown]A linear layer followed by another linear layer is still linear.{TRUE####" in gift
    assert "print(1 / 2)\\n```{#=0.5:0.01}" in gift
    assert "// ordering question 'train-steps' left out" in gift
    assert "{=forward pass =forward propagation}" in gift
    assert "// regular expression /forward[- ]?prop/ left out" in gift
    assert "::why-lr::[markdown]Why does a learning rate that is too high make training fail?{####" in gift
    # questions are separated by blank lines and contain none themselves
    blocks = gift.strip().split("\n\n")
    assert len(blocks) == 2 + len(all_types.questions)


def test_gift_numeric_range_and_several_answers():
    quiz = quiz_from("## r\nQ?\n= [0.45, 0.55]\n## s\nQ?\n= 2 +- 0.1\n= -2\n## f\nIs it?\n- ( ) True\n- (x) False\n")
    gift = to_gift(quiz)
    assert "::r::[markdown]Q?{#=0.45..0.55}" in gift
    assert "::s::[markdown]Q?{#=2:0.1 =-2:0}" in gift
    assert "::f::[markdown]Is it?{FALSE}" in gift


def test_gift_escape():
    assert gift_escape("a:b=c~d#e{f}g\\h\ni") == "a\\:b\\=c\\~d\\#e\\{f\\}g\\\\h\\ni"


def test_export_quiz_dispatch_and_table(all_types):
    assert export_quiz(all_types, "json") == to_json(all_types)
    with pytest.raises(ValueError):
        export_quiz(all_types, "pdf")
    table = markdown_table([all_types])
    assert "| [all-types](all-types.md) | Every question type | 7 | 12 |" in table
