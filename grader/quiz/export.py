"""Export a quiz as JSON, Moodle XML or GIFT (both importable into Moodle's question bank).

Moodle XML: one <question type="category"> naming the quiz, then per question its type
(multichoice, truefalse, numerical, shortanswer, essay, ordering — the last needs the
qtype_ordering plugin, standard since Moodle 4.4), <name>, <questiontext format="markdown">,
<generalfeedback>, <defaultgrade>, <idnumber> (the stable question id) and its answers.
GIFT has no ordering questions and no regular expressions; those are left out with a `//` comment.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

from grader.quiz.model import NumericAnswer, Question, Quiz, is_regex_form

FORMATS = ("json", "moodle-xml", "gift")

MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                "numeric": "numerical", "ordering": "ordering", "short": "shortanswer", "text": "essay"}


def export_quiz(quiz: Quiz, fmt: str) -> str:
    if fmt == "json":
        return to_json(quiz)
    if fmt == "moodle-xml":
        return to_moodle_xml(quiz)
    if fmt == "gift":
        return to_gift(quiz)
    raise ValueError(f"unknown export format {fmt!r} (choose {', '.join(FORMATS)})")


# --- JSON ----------------------------------------------------------------------------------------


def question_json(q: Question) -> dict[str, Any]:
    answer: Any
    if q.type == "numeric":
        answer = [{"text": n.text, "value": n.value, "min": n.bounds()[0], "max": n.bounds()[1]}
                  for n in q.numeric]
    elif q.type == "short":
        answer = list(q.forms)
    else:
        answer = q.correct_answer()
    doc: dict[str, Any] = {
        "id": q.id, "type": q.type, "prompt": q.prompt, "points": q.points,
        "options": [{"label": o.label, "text": o.text} for o in q.options],
        "answer": answer, "source": q.source, "hint": q.hint, "feedback": q.feedback,
    }
    if q.type == "text":
        doc["rubric"] = [{"points": r.points, "alternatives": list(r.alternatives)} for r in q.rubric]
    return doc


def to_json(quiz: Quiz) -> str:
    doc = {"id": quiz.id, "title": quiz.title, "front_matter": quiz.front_matter, "intro": quiz.intro,
           "points": quiz.total_points, "questions": [question_json(q) for q in quiz.questions]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- Moodle XML ----------------------------------------------------------------------------------


def _num(x: float) -> str:
    return f"{x:.12g}"


def _fraction(percent: float) -> str:
    """Moodle's answer fraction, a percentage written like Moodle does (33.33333)."""
    return f"{percent:.5f}".rstrip("0").rstrip(".")


def _text(parent: ET.Element, tag: str, text: str, fmt: str | None = "markdown", **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {**({"format": fmt} if fmt else {}), **attrs})
    ET.SubElement(el, "text").text = text
    return el


def _answer(parent: ET.Element, fraction: str, text: str, fmt: str | None = "markdown") -> ET.Element:
    el = _text(parent, "answer", text, fmt, fraction=fraction)
    _text(el, "feedback", "", "html")
    return el


def _general_feedback(q: Question) -> str:
    parts = []
    if q.type == "text":
        parts.append(f"**Reference answer:** {q.reference}")
    if q.feedback:
        parts.append(q.feedback)
    if q.source:
        parts.append(f"*Source: {q.source}*")
    return "\n\n".join(parts)


def numeric_tolerance(n: NumericAnswer) -> tuple[float, float]:
    """(value, absolute tolerance) — Moodle's numerical answers only have absolute tolerances."""
    low, high = n.bounds()
    if n.kind == "exact":
        return n.value, 0.0
    return (low + high) / 2, (high - low) / 2


def to_moodle_xml(quiz: Quiz) -> str:
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    _text(category, "category", f"$course$/top/{quiz.title}", None)
    _text(category, "info", quiz.front_matter.get("description", ""), "moodle_auto_format")
    ET.SubElement(category, "idnumber").text = quiz.id
    for q in quiz.questions:
        el = ET.SubElement(root, "question", type=MOODLE_TYPES[q.type])
        el.append(ET.Comment(f" {quiz.id} / {q.id} "))
        _text(el, "name", q.id, None)
        _text(el, "questiontext", q.prompt)
        _text(el, "generalfeedback", _general_feedback(q))
        ET.SubElement(el, "defaultgrade").text = _num(q.points)
        ET.SubElement(el, "penalty").text = "0.3333333"
        ET.SubElement(el, "hidden").text = "0"
        ET.SubElement(el, "idnumber").text = q.id
        _moodle_body(el, q)
        if q.hint:
            _text(el, "hint", q.hint)
    ET.indent(root, "  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _moodle_body(el: ET.Element, q: Question) -> None:
    if q.type in ("single", "multiple"):
        ET.SubElement(el, "single").text = "true" if q.type == "single" else "false"
        ET.SubElement(el, "shuffleanswers").text = "true"
        ET.SubElement(el, "answernumbering").text = "ABCD"
        ET.SubElement(el, "showstandardinstruction").text = "0"
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(el, tag, "", "html")
        right = sum(o.correct for o in q.options)
        for o in q.options:
            if q.type == "single":
                fraction = "100" if o.correct else "0"
            else:  # each right pick earns 1/right, each wrong pick loses as much; Moodle clamps at 0
                fraction = _fraction((100 if o.correct else -100) / right)
            _answer(el, fraction, o.text)
    elif q.type == "truefalse":
        right = q.correct_answer()
        _answer(el, "100" if right else "0", "true", "moodle_auto_format")
        _answer(el, "0" if right else "100", "false", "moodle_auto_format")
    elif q.type == "numeric":
        for n in q.numeric:
            value, tolerance = numeric_tolerance(n)
            answer = _answer(el, "100", _num(value), "moodle_auto_format")
            ET.SubElement(answer, "tolerance").text = _num(tolerance)
        ET.SubElement(el, "unitgradingtype").text = "0"
        ET.SubElement(el, "unitpenalty").text = "0.1000000"
        ET.SubElement(el, "showunits").text = "3"
        ET.SubElement(el, "unitsleft").text = "0"
    elif q.type == "short":
        ET.SubElement(el, "usecase").text = "0"
        for form in q.forms:
            if is_regex_form(form):
                el.append(ET.Comment(f" regular expression {form} left out: Moodle short answers have none "))
            else:
                _answer(el, "100", " ".join(form.split()), "moodle_auto_format")
    elif q.type == "text":
        ET.SubElement(el, "responseformat").text = "editor"
        ET.SubElement(el, "responserequired").text = "1"
        ET.SubElement(el, "responsefieldlines").text = "10"
        ET.SubElement(el, "attachments").text = "0"
        ET.SubElement(el, "attachmentsrequired").text = "0"
        rubric = "\n".join(f"- {r.points:g} point{'s' if r.points != 1 else ''}: {' | '.join(r.alternatives)}"
                           for r in q.rubric)
        _text(el, "graderinfo", f"Reference answer: {q.reference}\n\nRubric:\n\n{rubric}")
        _text(el, "responsetemplate", "", "html")
    elif q.type == "ordering":
        ET.SubElement(el, "layouttype").text = "VERTICAL"
        ET.SubElement(el, "selecttype").text = "ALL"
        ET.SubElement(el, "selectcount").text = "0"
        ET.SubElement(el, "gradingtype").text = "ABSOLUTE_POSITION"
        ET.SubElement(el, "showgrading").text = "SHOW"
        ET.SubElement(el, "numberingstyle").text = "none"
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(el, tag, "", "html")
        for position, o in enumerate(sorted(q.options, key=lambda o: o.position), start=1):
            _text(el, "answer", o.text, "markdown", fraction=f"{position}")


# --- GIFT ----------------------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters ~ = # { } : and backslash; newlines become `\\n`."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _gift_question(q: Question) -> str:
    head = f"// [id:{q.id}] {q.points:g} point{'s' if q.points != 1 else ''}" + \
        (f" · source: {q.source}" if q.source else "")
    notes: list[str] = []
    general = _general_feedback(q)
    tail = f"####[markdown]{gift_escape(general)}" if general else ""
    if q.type == "single":
        body = "\n".join(f"\t{'=' if o.correct else '~'}{gift_escape(o.text)}" for o in q.options)
        answers = f"{{\n{body}\n\t{tail}\n}}" if tail else f"{{\n{body}\n}}"
    elif q.type == "multiple":
        right = sum(o.correct for o in q.options)
        body = "\n".join(f"\t~%{_fraction((100 if o.correct else -100) / right)}%{gift_escape(o.text)}"
                         for o in q.options)
        answers = f"{{\n{body}\n\t{tail}\n}}" if tail else f"{{\n{body}\n}}"
    elif q.type == "truefalse":
        answers = f"{{{'TRUE' if q.correct_answer() else 'FALSE'}{tail}}}"
    elif q.type == "numeric":
        parts = []
        for n in q.numeric:
            if n.kind == "range":
                parts.append(f"={_num(n.bounds()[0])}..{_num(n.bounds()[1])}")
            else:
                value, tolerance = numeric_tolerance(n)
                parts.append(f"={_num(value)}:{_num(tolerance)}")
        answers = f"{{#{' '.join(parts)}{tail}}}"
    elif q.type == "short":
        forms = [f for f in q.forms if not is_regex_form(f)]
        notes += [f"// regular expression {f} left out: GIFT short answers have none" for f in q.forms
                  if is_regex_form(f)]
        answers = "{" + " ".join(f"={gift_escape(' '.join(f.split()))}" for f in forms) + tail + "}"
    elif q.type == "text":
        answers = "{" + tail + "}"
    else:
        return (f"// ordering question {q.id!r} left out: GIFT has no ordering questions "
                "(use --format moodle-xml)")
    prompt = f"::{gift_escape(q.id)}::[markdown]{gift_escape(q.prompt)}"
    return "\n".join([head, *notes, prompt + answers])


def to_gift(quiz: Quiz) -> str:
    blocks = [f"// {quiz.id}: {quiz.title} (exported by `grader quiz export`)",
              f"$CATEGORY: $course$/top/{quiz.title}"]
    blocks += [_gift_question(q) for q in quiz.questions]
    return "\n\n".join(blocks) + "\n"


# --- README table --------------------------------------------------------------------------------


def markdown_table(quizzes: list[Quiz]) -> str:
    """The quiz table for quizzes/README.md (`grader quiz list --markdown`)."""
    rows = ["| Quiz | Title | Questions | Points |", "| --- | --- | ---: | ---: |"]
    for quiz in quizzes:
        title = quiz.title.replace("|", "\\|")
        rows.append(f"| [{quiz.id}]({quiz.path.name}) | {title} | {len(quiz.questions)} | {quiz.total_points:g} |")
    return "\n".join(rows) + "\n"
