"""Export a quiz as JSON, Moodle XML or GIFT (both importable into Moodle's question bank).

Moodle XML: one <question type="category"> naming the quiz, then per question its type
(multichoice, truefalse, numerical, shortanswer, essay, ordering — the last needs the
qtype_ordering plugin, standard since Moodle 4.4), <name>, <questiontext format="markdown">,
<generalfeedback>, <defaultgrade>, <idnumber> (the stable question id) and its answers.
GIFT carries no points (every question imports worth 1) and its `[id:…]` comment sets the idnumber.

Checked against what Moodle's importers read (moodle/moodle): question/format/xml/format.php
(import_headers, import_multichoice, import_truefalse, import_shortanswer, import_numerical,
import_essay, import_category), question/type/ordering/questiontype.php (import_from_xml,
import_from_gift, set_options_for_import), question/format/gift/format.php (readquestion,
escapedchar_pre, extract_idnumber_and_tags_from_comment), question/format.php (importprocess:
every answer fraction must be one of question_bank::fraction_options_full(); split_category_path)
and question/type/multichoice/questiontype.php (the positive fractions of a multiple-answer
question must add up to 100%).

Left out, each with a comment in the file and one line to ``warn`` (the command prints it on
stderr): regular-expression short-answer forms (Moodle's short answers have none; with
``moodle_regexp`` they become questions of the qtype_regexp plugin instead), a short-answer
question with no plain form at all (Moodle refuses a short answer without answers, and that notice
stops the rest of the import), an essay's hint (Moodle XML), and in GIFT the points (kept as a
`// N points` comment; every question imports worth 1), hints, and an essay's reference answer
and rubric.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from grader.quiz.model import NumericAnswer, Question, Quiz, is_regex_form

FORMATS = ("json", "moodle-xml", "gift")

MOODLE_TYPES = {"single": "multichoice", "multiple": "multichoice", "truefalse": "truefalse",
                "numeric": "numerical", "ordering": "ordering", "short": "shortanswer", "text": "essay"}


Warn = Callable[[str], None]


def _ignore(line: str) -> None:
    pass


def export_quiz(quiz: Quiz, fmt: str, warn: Warn = _ignore, moodle_regexp: bool = False) -> str:
    """The quiz in ``fmt``; ``warn`` gets one line per thing the format cannot hold and was dropped.
    ``moodle_regexp``: the Moodle site has the qtype_regexp plugin, so regular-expression short answers
    are exported as "regexp" questions instead of dropped."""
    if fmt == "json":
        return to_json(quiz)
    if fmt == "moodle-xml":
        return to_moodle_xml(quiz, warn, moodle_regexp)
    if fmt == "gift":
        return to_gift(quiz, warn)
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


# The grades Moodle accepts for an answer, in percent: question_bank::fraction_options_full()
# (lib/questionlib.php; p/q for q <= 6, p/10, 1/q for q <= 10, 1/20, and their negatives). On
# import, question/format.php rejects a question whose fraction is not within 0.001% of one of them.
MOODLE_PERCENTS = (100, 90, 100 * 5 / 6, 80, 75, 70, 100 * 2 / 3, 60, 50, 40, 100 / 3, 30, 25, 20,
                   100 / 6, 100 / 7, 12.5, 100 / 9, 10, 5)
_ALLOWED = sorted({0.0, *MOODLE_PERCENTS, *(-p for p in MOODLE_PERCENTS)})


def _nearest_allowed(percent: float) -> float:
    return min(_ALLOWED, key=lambda p: abs(p - percent))


def multiple_fractions(right: int) -> tuple[list[float], float]:
    """Grades (percent) for a multiple-selection question with `right` right options.

    Our rule is `max(0, right picks - wrong picks) / right`; Moodle adds the fractions of the
    picked options and clamps the sum to [0, 100] (qtype_multichoice_multi_question::grade_response),
    so each right option is worth 100/right and each wrong one costs as much. The right options'
    fractions must add up to 100 (qtype_multichoice::save_question_options) and each must be a grade
    Moodle allows: 100/right is one for right <= 10; beyond that the right options get the two
    allowed grades either side of 100/right (10 and 5; 5 and 0 above 20 right options), in the mix
    that adds up to 100, and a wrong pick the allowed grade nearest -100/right. Returns the right
    options' grades (in order) and the wrong options' grade.
    """
    exact = 100 / right
    if abs(_nearest_allowed(exact) - exact) < 1e-3:
        return [exact] * right, -exact
    low = max(p for p in _ALLOWED if p < exact)
    high = min(p for p in _ALLOWED if p > exact)
    n_high = round((100 - right * low) / (high - low))
    return [high] * n_high + [low] * (right - n_high), _nearest_allowed(-exact)


def _option_fractions(q: Question) -> list[str]:
    if q.type == "single":
        return ["100" if o.correct else "0" for o in q.options]
    rights, wrong = multiple_fractions(sum(o.correct for o in q.options))
    rights_left = iter(rights)
    return [_fraction(next(rights_left) if o.correct else wrong) for o in q.options]


def category_path(title: str) -> str:
    """`$course$/top/<title>`, a `/` in the title doubled (question/format.php assemble_category_path)."""
    name = title.replace("/", "//")
    if name.startswith("/"):
        name = " " + name
    if name.endswith("/"):
        name += " "
    return f"$course$/top/{name}"


def _comment(text: str) -> ET.Element:
    """An XML comment; `--` is not allowed inside one."""
    while "--" in text:
        text = text.replace("--", "- -")
    return ET.Comment(f" {text} ")


def has_plain_form(q: Question) -> bool:
    return any(not is_regex_form(f) for f in q.forms)


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


def to_moodle_xml(quiz: Quiz, warn: Warn = _ignore, regexp: bool = False) -> str:
    # Text is XML-escaped rather than wrapped in CDATA (Moodle's own exporter uses CDATA): the same
    # characters once parsed, and import_text_with_files reads <text> from either.
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", type="category")
    _text(category, "category", category_path(quiz.title), None)
    _text(category, "info", quiz.front_matter.get("description", ""), "moodle_auto_format")
    ET.SubElement(category, "idnumber").text = quiz.id
    for q in quiz.questions:
        with_regexp = regexp and q.type == "short" and any(is_regex_form(f) for f in q.forms)
        if q.type == "short" and not has_plain_form(q) and not with_regexp:
            root.append(_comment(f"{quiz.id} / {q.id} left out: only regular expressions, which "
                                 "Moodle short answers do not have"))
            warn(f"moodle-xml: {quiz.id}/{q.id} left out: its answers are all regular expressions, which Moodle "
                 "short answers do not have (--moodle-regexp if the site has the qtype_regexp plugin)")
            continue
        el = ET.SubElement(root, "question", type="regexp" if with_regexp else MOODLE_TYPES[q.type])
        el.append(_comment(f"{quiz.id} / {q.id}"))
        _text(el, "name", q.id, None)
        _text(el, "questiontext", q.prompt)
        _text(el, "generalfeedback", _general_feedback(q))
        ET.SubElement(el, "defaultgrade").text = _num(q.points)
        ET.SubElement(el, "penalty").text = "0.3333333"
        ET.SubElement(el, "hidden").text = "0"  # written by Moodle's exporter, ignored by its importer
        ET.SubElement(el, "idnumber").text = q.id
        if with_regexp:
            _regexp_body(el, q)
        else:
            _moodle_body(el, q)
            if q.type == "short":
                for form in q.forms:
                    if is_regex_form(form):
                        warn(f"moodle-xml: {quiz.id}/{q.id}: regular expression {form} dropped (Moodle short "
                             "answers have none; --moodle-regexp if the site has the qtype_regexp plugin)")
        if q.hint and q.type == "text":
            warn(f"moodle-xml: {quiz.id}/{q.id}: hint dropped (Moodle's essay questions have no hints)")
        elif q.hint:  # read for every type but essay (import_hints); shown by the interactive behaviour
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
        for o, fraction in zip(q.options, _option_fractions(q)):
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
                el.append(_comment(f"regular expression {form} left out: Moodle short answers have none"))
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
        # qtype_ordering::import_from_xml: the items are the <answer>s in the correct order (their
        # fraction is reset to the position on save); ABSOLUTE_POSITION grades the share of items in
        # the right place, like we do. selectcount below 2 would be replaced by 2, so give them all.
        ET.SubElement(el, "layouttype").text = "VERTICAL"
        ET.SubElement(el, "selecttype").text = "ALL"
        ET.SubElement(el, "selectcount").text = str(len(q.options))
        ET.SubElement(el, "gradingtype").text = "ABSOLUTE_POSITION"
        ET.SubElement(el, "showgrading").text = "SHOW"
        ET.SubElement(el, "numberingstyle").text = "none"
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(el, tag, "", "html")
        ET.SubElement(el, "shownumcorrect").text = "1"
        for position, o in enumerate(ordered_items(q), start=1):
            _text(el, "answer", o, "markdown", fraction=f"{position}")


def _regexp_body(el: ET.Element, q: Question) -> None:
    """A short answer as qtype_regexp's question (a plugin: question/type/regexp): answer 1 is the correct
    answer shown to students (a plain form when there is one), the others regular expressions matched
    against the whole response, case-insensitive like ours."""
    ET.SubElement(el, "usehint").text = "0"
    ET.SubElement(el, "usecase").text = "0"
    ET.SubElement(el, "studentshowalternate").text = "0"
    plain = [" ".join(f.split()) for f in q.forms if not is_regex_form(f)]
    patterns = [f[1:-1] for f in q.forms if is_regex_form(f)]
    for text in plain + patterns:
        _answer(el, "100", text, "moodle_auto_format")


def ordered_items(q: Question) -> list[str]:
    return [o.text for o in sorted(q.options, key=lambda o: o.position)]


# --- GIFT ----------------------------------------------------------------------------------------


def gift_escape(text: str) -> str:
    """Escape GIFT's special characters ~ = # { } : and backslash; newlines become `\\n`."""
    out = text.replace("\\", "\\\\")
    for ch in "~=#{}:":
        out = out.replace(ch, "\\" + ch)
    return out.replace("\n", "\\n")


def _gift_question(q: Question, warn: Warn = _ignore, quiz_id: str = "") -> str:
    where = f"gift: {quiz_id}/{q.id}"
    head = f"// [id:{q.id}] {q.points:g} point{'s' if q.points != 1 else ''}" + \
        (f" · source: {q.source}" if q.source else "")
    notes: list[str] = []
    general = _general_feedback(q)
    tail = f"####[markdown]{gift_escape(general)}" if general else ""
    if q.type == "single":
        body = "\n".join(f"\t{'=' if o.correct else '~'}{gift_escape(o.text)}" for o in q.options)
        answers = f"{{\n{body}\n\t{tail}\n}}" if tail else f"{{\n{body}\n}}"
    elif q.type == "multiple":  # `~%50%right ~%-50%wrong`: no `=` makes Moodle set single = 0
        body = "\n".join(f"\t~%{fraction}%{gift_escape(o.text)}"
                         for o, fraction in zip(q.options, _option_fractions(q)))
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
        if not forms:  # `{}` would import as an essay
            warn(f"{where} left out: its answers are all regular expressions, which GIFT short answers do not have")
            return (f"// short-answer question {q.id!r} left out: only regular expressions, which "
                    "Moodle short answers do not have")
        notes += [f"// regular expression {f} left out: GIFT short answers have none" for f in q.forms
                  if is_regex_form(f)]
        for f in q.forms:
            if is_regex_form(f):
                warn(f"{where}: regular expression {f} dropped (GIFT short answers have none)")
        answers = "{" + " ".join(f"={gift_escape(' '.join(f.split()))}" for f in forms) + tail + "}"
    elif q.type == "text":
        answers = "{" + tail + "}"
        warn(f"{where}: reference answer and rubric dropped (GIFT essays have no grader information; "
             "--format moodle-xml keeps them)")
    else:
        items = ordered_items(q)
        if not all(gift_ordering_item_ok(item) for item in items):
            warn(f"{where} left out: an ordering item has a character GIFT cannot carry (--format moodle-xml)")
            return (f"// ordering question {q.id!r} left out: an item has a character GIFT cannot carry "
                    "in an ordering question (use --format moodle-xml)")
        # qtype_ordering::import_from_gift (Moodle 4.4+): `{>count select layout grading show numbering`
        # then one item per line in the correct order. Plugins take the question before readquestion
        # reads the `[id:…]` comment, so Moodle may leave its idnumber empty.
        notes.append("// ordering: needs Moodle 4.4+ (qtype_ordering); Moodle may not import its idnumber")
        body = "\n".join(items)
        answers = (f"{{>{len(items)} ALL VERTICAL ABSOLUTE_POSITION SHOW none\n{body}\n"
                   + (f"\t{tail}\n" if tail else "") + "}")
    if q.points != 1:
        warn(f"{where}: its {q.points:g} points kept only as a `// {q.points:g} points` comment "
             "(GIFT imports every question worth 1)")
    if q.hint:
        warn(f"{where}: hint dropped (GIFT has no hints)")
    prompt = f"::{gift_escape(q.id)}::[markdown]{gift_escape(q.prompt)}"
    return "\n".join([head, *notes, prompt + answers])


def gift_ordering_item_ok(item: str) -> bool:
    """Whether an ordering item survives GIFT: qtype_ordering reads the items raw (no unescaping), so
    they cannot hold braces, backslashes, `####`, line breaks, or start with `//` (a comment line)."""
    return not (set(item) & set("{}\\\n\r") or "####" in item or item.strip().startswith("//"))


def to_gift(quiz: Quiz, warn: Warn = _ignore) -> str:
    blocks = [f"// {quiz.id}: {quiz.title} (exported by `grader quiz export`)",
              f"$CATEGORY: {category_path(quiz.title)}"]
    blocks += [_gift_question(q, warn, quiz.id) for q in quiz.questions]
    return "\n\n".join(blocks) + "\n"


# --- README table --------------------------------------------------------------------------------


def markdown_table(quizzes: list[Quiz]) -> str:
    """The tables for quizzes/README.md (`grader quiz list --markdown`): the quizzes (id, title,
    questions, points), then which course-notes file(s) each quiz comes from (front matter `notes:`)."""
    rows = ["| Quiz | Title | Questions | Points |", "| --- | --- | ---: | ---: |"]
    for quiz in quizzes:
        title = quiz.title.replace("|", "\\|")
        rows.append(f"| [{quiz.id}]({quiz.path.name}) | {title} | {len(quiz.questions)} | {quiz.total_points:g} |")
    rows += ["", "| Quiz | Course notes |", "| --- | --- |"]
    for quiz in quizzes:
        notes = [n.strip() for n in quiz.front_matter.get("notes", "").split(",") if n.strip()]
        rows.append(f"| [{quiz.id}]({quiz.path.name}) | {', '.join(f'`{n}`' for n in notes) or '—'} |")
    return "\n".join(rows) + "\n"
