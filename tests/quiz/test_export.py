r"""Exports: JSON, Moodle XML (checked with xml.etree) and GIFT (read back with a port of Moodle's reader).

The expected structure was checked against Moodle's own importers (moodle/moodle on GitHub):
- question/format/xml/format.php: import_headers (name/text, questiontext@format, generalfeedback,
  defaultgrade, penalty, idnumber; <hidden> is not read), import_answer (answer@fraction / 100,
  feedback), import_multichoice (single, shuffleanswers, answernumbering, showstandardinstruction),
  import_truefalse (answer text 'true'/'false', fraction == 100), import_shortanswer (usecase),
  import_numerical (answer/tolerance, unitgradingtype, unitpenalty, showunits, unitsleft),
  import_essay (responseformat, responserequired, responsefieldlines, attachments,
  attachmentsrequired, graderinfo@format, responsetemplate), import_category, import_hints;
- question/format.php: importprocess checks every fraction against
  question_bank::fraction_options_full() (lib/questionlib.php) with match_grade_options(..., 'error');
  split_category_path (a `/` inside a name is written `//`);
- question/type/multichoice/questiontype.php: save_question_options wants the positive fractions of a
  multiple-answer question to round to 100%; question.php grade_response clamps the sum to [0, 1];
- question/type/ordering/questiontype.php (core since 4.4): import_from_xml (layouttype, selecttype,
  selectcount, gradingtype, showgrading, numberingstyle, shownumcorrect, <answer>s in the correct
  order) and import_from_gift (`{>count ALL VERTICAL ABSOLUTE_POSITION SHOW none` + one item a line);
- question/format/gift/format.php: readquestion, escapedchar_pre/_post, answerweightparser
  (`/^%\-*([0-9]{1,2})\.?([0-9]*)%/`), extract_idnumber_and_tags_from_comment (`// [id:…]`).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import pytest

from grader.quiz.export import (MOODLE_PERCENTS, category_path, export_quiz, gift_escape, markdown_table,
                                multiple_fractions, to_gift, to_json, to_moodle_xml)

from .conftest import quiz_from

# question_bank::fraction_options_full(), in percent.
ALLOWED = {0.0, *MOODLE_PERCENTS, *(-p for p in MOODLE_PERCENTS)}


def allowed(fraction: str) -> bool:
    """match_grade_options(..., 'error'): within 0.00001 of an allowed fraction (0.001 in percent)."""
    return any(abs(float(fraction) - p) < 0.001 for p in ALLOWED)


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
        assert el.find("questiontext").get("format") == "markdown"  # trans_format('markdown')
        assert el.findtext("questiontext/text") == q.prompt
        assert el.find("generalfeedback").get("format") == "markdown"
        assert el.find("generalfeedback/text") is not None
        assert float(el.findtext("defaultgrade")) == q.points
        assert el.findtext("penalty") == "0.3333333"
        assert el.findtext("idnumber") == q.id
        for tag in ("answer", "correctfeedback", "partiallycorrectfeedback", "incorrectfeedback",
                    "graderinfo", "responsetemplate", "hint"):
            for part in el.findall(tag):
                assert part.get("format") in ("markdown", "html", "moodle_auto_format", "plain_text")
    relu = qs["relu-negative"]
    assert "max(0, x)" in relu.findtext("generalfeedback/text")
    assert relu.find("hint").get("format") == "markdown"
    assert relu.findtext("hint/text") == "Look at the left half of ReLU's graph."
    category = ET.fromstring(to_moodle_xml(all_types)).find("question")
    assert category.find("info").get("format") == "moodle_auto_format"
    assert category.findtext("info/text") == "A fixture with one question of each type."
    assert category.findtext("idnumber") == "all-types"


def test_moodle_xml_multichoice(all_types):
    qs = parse_xml(all_types)
    single = qs["relu-negative"]
    assert single.findtext("single") == "true" and single.findtext("shuffleanswers") == "true"
    # qtype_multichoice numbering styles: abc, ABCD, 123, iii, IIII, none
    assert single.findtext("answernumbering") == "ABCD"
    assert single.findtext("showstandardinstruction") == "0"
    assert [(a.get("fraction"), a.get("format"), a.findtext("text")) for a in single.findall("answer")] == [
        ("0", "markdown", "The input unchanged"), ("100", "markdown", "Zero"), ("0", "markdown", "One")]
    assert all(a.find("feedback").get("format") == "html" for a in single.findall("answer"))
    for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        assert single.find(tag) is not None
    multi = qs["softmax-props"]
    assert multi.findtext("single") == "false"
    assert [a.get("fraction") for a in multi.findall("answer")] == ["50", "-50", "50", "-50"]


def test_moodle_xml_multichoice_thirds():
    quiz = quiz_from("## m\nWhich?\n- [x] a\n- [x] b\n- [x] c\n- [ ] d\n")
    el = ET.fromstring(to_moodle_xml(quiz)).findall("question")[1]
    assert [a.get("fraction") for a in el.findall("answer")] == ["33.33333"] * 3 + ["-33.33333"]


@pytest.mark.parametrize("right", range(1, 25))  # at most 26 options
def test_moodle_multiple_fractions_are_importable(right):
    """Every fraction is one Moodle accepts, the right ones add up to 100% (to 2 decimals, as
    save_question_options rounds) and a wrong pick cancels a right one (exactly for <= 10 right)."""
    options = "".join(f"- [x] r{i}\n" for i in range(right)) + "- [ ] w1\n- [ ] w2\n"
    el = ET.fromstring(to_moodle_xml(quiz_from(f"## m\nWhich?\n{options}"))).findall("question")[1]
    fractions = [a.get("fraction") for a in el.findall("answer")]
    assert all(allowed(f) for f in fractions), fractions
    assert round(sum(float(f) for f in fractions[:right]) / 100, 2) == 1
    assert float(fractions[-1]) < 0 and float(fractions[-1]) == float(fractions[-2])
    if right <= 10:
        assert all(float(f) == pytest.approx(100 / right, abs=1e-4) for f in fractions[:right])
        assert float(fractions[-1]) == pytest.approx(-100 / right, abs=1e-4)


def test_multiple_fractions_beyond_ten_right_options():
    assert multiple_fractions(12) == ([10] * 8 + [5] * 4, -10)
    assert multiple_fractions(20) == ([5] * 20, -5)


def test_moodle_xml_truefalse_numeric_short_essay_ordering(all_types):
    qs = parse_xml(all_types)
    tf = qs["is-linear"]
    assert {a.findtext("text"): a.get("fraction") for a in tf.findall("answer")} == {"true": "100", "false": "0"}
    num = qs["lr-value"].find("answer")
    assert num.get("fraction") == "100" and float(num.findtext("text")) == 0.5
    assert float(num.findtext("tolerance")) == pytest.approx(0.01)
    # no units: showunits 3 is qtype_numerical::UNITNONE
    assert [qs["lr-value"].findtext(t) for t in ("unitgradingtype", "showunits", "unitsleft")] == ["0", "3", "0"]
    short = qs["first-step"]
    assert short.findtext("usecase") == "0"  # case-insensitive, like our matching
    assert [(a.get("fraction"), a.findtext("text")) for a in short.findall("answer")] == [
        ("100", "forward pass"), ("100", "forward propagation")]
    essay = qs["why-lr"]
    assert essay.findtext("responseformat") == "editor" and essay.findtext("responserequired") == "1"
    assert int(essay.findtext("responsefieldlines")) > 0
    assert essay.findtext("attachments") == "0" and essay.findtext("attachmentsrequired") == "0"
    assert essay.find("graderinfo").get("format") == "markdown"
    assert "Reference answer: Each step" in essay.findtext("graderinfo/text")
    assert "1 point: overshoot | past the minimum" in essay.findtext("graderinfo/text")
    assert "Each step moves" in essay.findtext("generalfeedback/text")
    assert essay.find("responsetemplate/text") is not None
    order = qs["train-steps"]
    assert {t: order.findtext(t) for t in ("layouttype", "selecttype", "selectcount", "gradingtype",
                                           "showgrading", "numberingstyle", "shownumcorrect")} == {
        "layouttype": "VERTICAL", "selecttype": "ALL", "selectcount": "4", "gradingtype": "ABSOLUTE_POSITION",
        "showgrading": "SHOW", "numberingstyle": "none", "shownumcorrect": "1"}
    # the <answer>s in the correct order (import_from_xml resets their fraction to the position)
    assert [a.findtext("text") for a in order.findall("answer")] == [
        "Forward pass", "Compute the loss", "Backward pass", "Optimizer step"]
    assert [a.get("fraction") for a in order.findall("answer")] == ["1", "2", "3", "4"]


def test_moodle_numeric_tolerances_become_absolute():
    quiz = quiz_from("## n\nQ?\n= 200 +- 2%\n= [0.45, 0.55]\n= 1/4\n")
    answers = ET.fromstring(to_moodle_xml(quiz)).findall("question")[1].findall("answer")
    got = [(float(a.findtext("text")), float(a.findtext("tolerance"))) for a in answers]
    assert got == [(200, pytest.approx(4)), (pytest.approx(0.5), pytest.approx(0.05)), (0.25, 0)]


def test_moodle_category_path_doubles_slashes():
    assert category_path("Week 1 · Hello") == "$course$/top/Week 1 · Hello"
    assert category_path("Lab 3 / nets") == "$course$/top/Lab 3 // nets"
    assert category_path("/odd/") == "$course$/top/ //odd// "


def test_xml_comments_stay_well_formed_and_regex_only_short_answers_are_left_out():
    quiz = quiz_from("## a--b\nQ?\n~ x\n~ /a--b/\n## only-regex\nQ?\n~ /forward[- ]?prop/\n")
    root = ET.fromstring(to_moodle_xml(quiz))  # would raise on a `--` inside a comment
    assert [q.findtext("idnumber") for q in root.findall("question")[1:]] == ["a--b"]
    gift = to_gift(quiz)
    assert "// short-answer question 'only-regex' left out" in gift and "::only-regex::" not in gift


def test_xml_escapes_special_characters():
    quiz = quiz_from("## x\nIs `a < b && c > d`?\n- (x) <yes>\n- ( ) no & never\n")
    el = ET.fromstring(to_moodle_xml(quiz)).findall("question")[1]
    assert el.findtext("questiontext/text") == "Is `a < b && c > d`?"
    assert el.findall("answer")[0].findtext("text") == "<yes>"


# --- A Python port of the parts of Moodle's GIFT reader the export relies on -----------------------
# (question/format/gift/format.php readquestion; plugins such as qtype_ordering get the first try).

GIFT_ESCAPES = {"\\:": "&&058;", "\\#": "&&035;", "\\=": "&&061;", "\\{": "&&123;", "\\}": "&&125;",
                "\\~": "&&126;", "\\n": "&&010"}
GIFT_CHARS = {"&&058;": ":", "&&035;": "#", "&&061;": "=", "&&123;": "{", "&&125;": "}", "&&126;": "~",
              "&&010": "\n"}
WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")


def _pre(text):
    text = text.replace("\\\\", "&&092;")
    for escaped, placeholder in GIFT_ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text.replace("&&092;", "\\")


def _post(text):
    for placeholder, char in GIFT_CHARS.items():
        text = text.replace(placeholder, char)
    return text


def _with_format(text, default="moodle"):
    m = re.match(r"\[(html|moodle|plain|markdown)\]", text)
    return (_post(text[m.end():]).strip(), m.group(1)) if m else (_post(text).strip(), default)


def _weight(answer):
    if WEIGHT.match(answer):
        end = answer.index("%", 1)
        return float(answer[1:end]) / 100, answer[end + 1:]
    return None, answer


def gift_read(block):
    lines = [line.strip() for line in block.splitlines()]
    comments = "\n".join(line for line in lines if line.startswith("//"))
    text = _pre("\n".join(" " if line.startswith("//") else line for line in lines).strip())
    if not text:
        return None
    if text.startswith("$CATEGORY:"):
        return {"qtype": "category", "category": text[10:].strip()}
    q = {"name": None}
    if text.startswith("::"):
        end = text.index("::", 2)
        q["name"], text = _post(text[2:end]), text[end + 2:].strip()
    start, finish = text.index("{"), text.index("}")
    answertext = text[start + 1:finish].strip()
    q["questiontext"], q["format"] = _with_format(text[:start] + text[finish + 1:])
    gf = answertext.rfind("####")
    general = "" if gf < 0 else answertext[gf + 4:]
    answertext = answertext if gf < 0 else answertext[:gf].strip()
    q["generalfeedback"] = _with_format(general, q["format"])[0]
    m = re.search(r"\[id:((?:\\]|[^\]\x00-\x1f])+)\]", comments)
    q["idnumber"] = m.group(1).strip() if m else ""
    order = re.match(r"^\s*>\s*(\d+)\s*(ALL|RANDOM|CONTIGUOUS)?\s*(VERTICAL|HORIZONTAL)?\s*"
                     r"(ABSOLUTE_POSITION|ALL_OR_NOTHING)?\s*(SHOW|HIDE)?\s*(none|123|abc|ABCD|iii|IIII)?"
                     r"\s*(.*?)\s*$", answertext, re.S)
    if order:  # qtype_ordering::import_from_gift: the items are read raw, one a line
        q.update(qtype="ordering", idnumber="", options=order.groups()[:6],
                 answers=[(line.strip(), None) for line in re.split(r"[\r\n]+", order.group(7)) if line.strip()])
    elif answertext == "":
        q["qtype"] = "essay"
    elif answertext.startswith("#"):
        q["qtype"], q["answers"] = "numerical", []
        for answer in [a.strip() for a in answertext[1:].split("=")][1:]:
            weight, answer = _weight(answer)
            answer = _post(answer.split("#")[0]).strip()
            if ".." in answer:
                low, high = (float(x) for x in answer.split(".."))
                value, tolerance = (low + high) / 2, (high - low) / 2
            elif ":" in answer:
                value, tolerance = (float(x) for x in answer.split(":"))
            else:
                value, tolerance = float(answer), 0.0
            q["answers"].append(((value, tolerance), 1.0 if weight is None else weight))
    elif "~" in answertext:
        q["qtype"], q["single"], q["answers"] = "multichoice", "=" in answertext, []
        for answer in [a.strip() for a in answertext.replace("=", "~=").split("~") if a.strip()]:
            weight, answer = (1.0, answer[1:]) if answer.startswith("=") else _weight(answer)
            q["answers"].append((_with_format(answer.split("#")[0], q["format"])[0], weight or 0.0))
    elif answertext.split("#")[0].strip() in ("T", "TRUE", "F", "FALSE"):
        q["qtype"], q["correctanswer"] = "truefalse", answertext.split("#")[0].strip() in ("T", "TRUE")
    else:
        q["qtype"], q["answers"] = "shortanswer", []
        for answer in [a.strip() for a in answertext.split("=") if a.strip()]:
            weight, answer = _weight(answer)
            q["answers"].append((_post(answer.split("#")[0]).strip(), 1.0 if weight is None else weight))
    return q


def gift_questions(gift):
    return [q for q in (gift_read(block) for block in gift.strip().split("\n\n")) if q]


def test_gift_each_type(all_types):
    gift = to_gift(all_types)
    parsed = gift_questions(gift)
    assert parsed[0] == {"qtype": "category", "category": "$course$/top/Every question type"}
    qs = {q["name"]: q for q in parsed[1:]}
    assert list(qs) == [q.id for q in all_types.questions]
    for q in all_types.questions:
        got = qs[q.id]
        assert got["questiontext"] == q.prompt and got["format"] == "markdown"
        if q.type != "ordering":  # plugins return before readquestion reads the comment's [id:…]
            assert got["idnumber"] == q.id
    assert {k: v["qtype"] for k, v in qs.items()} == {
        "relu-negative": "multichoice", "softmax-props": "multichoice", "is-linear": "truefalse",
        "lr-value": "numerical", "train-steps": "ordering", "first-step": "shortanswer", "why-lr": "essay"}
    relu = qs["relu-negative"]
    assert relu["single"] and relu["answers"] == [("The input unchanged", 0.0), ("Zero", 1.0), ("One", 0.0)]
    assert relu["generalfeedback"].startswith("ReLU computes `max(0, x)`: every negative input becomes zero.")
    softmax = qs["softmax-props"]
    assert not softmax["single"] and [w for _, w in softmax["answers"]] == [0.5, -0.5, 0.5, -0.5]
    assert softmax["generalfeedback"] == "Softmax exponentiates and normalises.\n\nIts outputs are positive."
    assert qs["is-linear"]["correctanswer"] is True
    assert qs["lr-value"]["questiontext"].endswith("```python\nprint(1 / 2)\n```")
    assert qs["lr-value"]["answers"] == [((0.5, 0.01), 1.0)]
    train = qs["train-steps"]
    assert train["options"] == ("4", "ALL", "VERTICAL", "ABSOLUTE_POSITION", "SHOW", "none")
    assert [a for a, _ in train["answers"]] == ["Forward pass", "Compute the loss", "Backward pass", "Optimizer step"]
    assert qs["first-step"]["answers"] == [("forward pass", 1.0), ("forward propagation", 1.0)]
    assert "// regular expression /forward[- ]?prop/ left out" in gift
    assert qs["why-lr"]["generalfeedback"].startswith("**Reference answer:** Each step moves")
    # the exact text for one question
    assert ("// [id:relu-negative] 1 point · source: 003 › Introducing the Rectified Linear Unit\n"
            "::relu-negative::[markdown]What does ReLU return for a negative input?{\n"
            "\t~The input unchanged\n\t=Zero\n\t~One\n"
            "\t####[markdown]ReLU computes `max(0, x)`\\: every negative input becomes zero.") in gift
    # questions are separated by blank lines and contain none themselves
    assert len(gift.strip().split("\n\n")) == 2 + len(all_types.questions)


def test_gift_round_trips_special_characters():
    quiz = quiz_from("## s\nIs `{a: 1}` a ~dict~ = #1? Path C:\\tmp\n\n- (x) yes {really}\n- ( ) no: 50% # not\n"
                     "\n> a \\ b\n")
    q = gift_questions(to_gift(quiz))[1]
    assert q["questiontext"] == "Is `{a: 1}` a ~dict~ = #1? Path C:\\tmp"
    assert q["answers"] == [("yes {really}", 1.0), ("no: 50% # not", 0.0)]
    assert q["generalfeedback"] == "a \\ b"


@pytest.mark.parametrize("right", [1, 3, 7, 12])
def test_gift_multiple_weights_read_back(right):
    options = "".join(f"- [x] r{i}\n" for i in range(right)) + "- [ ] w\n"
    q = gift_questions(to_gift(quiz_from(f"## m\nWhich?\n{options}")))[1]
    assert q["qtype"] == "multichoice" and not q["single"]
    weights = [w for _, w in q["answers"]]
    assert all(allowed(f"{100 * w:.5f}") for w in weights)
    assert round(sum(weights[:right]), 2) == 1 and weights[-1] < 0


def test_gift_ordering_items_gift_cannot_carry_are_left_out():
    quiz = quiz_from("## o\nOrder?\n1. `{` first\n2. then\n## p\nOrder?\n1. a = b: c ~ d # e\n2. f\n")
    gift = to_gift(quiz)
    assert "// ordering question 'o' left out" in gift and "::o::" not in gift
    p = gift_questions(gift)[1]
    assert p["qtype"] == "ordering" and [a for a, _ in p["answers"]] == ["a = b: c ~ d # e", "f"]


def test_gift_numeric_range_and_several_answers():
    quiz = quiz_from("## r\nQ?\n= [0.45, 0.55]\n## s\nQ?\n= 2 +- 0.1\n= -2\n## f\nIs it?\n- ( ) True\n- (x) False\n")
    gift = to_gift(quiz)
    assert "::r::[markdown]Q?{#=0.45..0.55}" in gift
    assert "::s::[markdown]Q?{#=2:0.1 =-2:0}" in gift
    assert "::f::[markdown]Is it?{FALSE}" in gift
    r, s_, f = gift_questions(gift)[1:]
    assert r["answers"] == [((pytest.approx(0.5), pytest.approx(0.05)), 1.0)]
    assert s_["answers"] == [((2, 0.1), 1.0), ((-2, 0), 1.0)]
    assert f["qtype"] == "truefalse" and f["correctanswer"] is False


def test_gift_escape():
    assert gift_escape("a:b=c~d#e{f}g\\h\ni") == "a\\:b\\=c\\~d\\#e\\{f\\}g\\\\h\\ni"


def test_export_quiz_dispatch_and_table(all_types):
    assert export_quiz(all_types, "json") == to_json(all_types)
    with pytest.raises(ValueError):
        export_quiz(all_types, "pdf")
    table = markdown_table([all_types])
    assert table.splitlines()[0] == "| Quiz | Title | Questions | Points |"
    assert "| [all-types](all-types.md) | Every question type | 7 | 12 |" in table
    assert "| Quiz | Course notes |" in table
    assert "| [all-types](all-types.md) | `003_77f997372edd19c1.txt` |" in table
