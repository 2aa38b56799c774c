"""Quizzes without their keys, for courses whose quizzes the instructor scores.

``withhold_keys`` rewrites a quiz file (quizzes/FORMAT.md) so that it keeps every question, its
points, options, hint and source, but none of what gives the answers away: option marks become
``( )``/``[ ]``, ordering items are listed in the order the grader shows them (not the correct
one), ``=``/``~`` answers become a single ``= ?``/``~ ?``, a free-text question keeps
``Reference answer: ?`` and loses its rubric, and every ``>`` feedback line goes. The front
matter gains ``answers: withheld``, so the parser accepts the missing keys and ``grader quiz
take`` records answers for the instructor to score instead of scoring them.
"""

from __future__ import annotations

from grader.quiz.parse import (CHECK_RE, CHOICE_RE, FENCE_RE, HEADING_RE, KNOWN_LABELS, LABEL_RE, NUMERIC_RE,
                               ORDER_RE, REFERENCE_RE, RUBRIC_ITEM_RE, RUBRIC_RE, SHORT_RE, display_order,
                               parse_quiz)

WITHHELD = "withheld"


def withhold_keys(text: str, path: str = "<quiz>") -> str:
    """The quiz ``text`` without answers, feedback and rubrics (it must parse as it is)."""
    quiz = parse_quiz(text, path)  # a malformed quiz is reported as the author wrote it
    if quiz.front_matter.get("answers") == WITHHELD:
        return text
    lines = text.splitlines()
    closing = lines.index("---", 1)
    out = lines[:closing] + [f"answers: {WITHHELD}"] + [lines[closing]]
    fence = None
    question: str | None = None
    in_answers = False          # inside the answer block (after the prompt)
    skipping = None             # "reference" or "rubric" while their lines are dropped
    items: list[str] = []
    marker_written = False

    def flush_items() -> None:
        nonlocal items
        if items:
            order = display_order(question or "", len(items))
            out.extend(f"{i}. {items[pos]}" for i, pos in enumerate(order, start=1))
            items = []

    for line in lines[closing + 1:]:
        if fence is not None or (FENCE_RE.match(line) and not in_answers):
            if fence is None:
                fence = FENCE_RE.match(line).group(1)
            elif line.strip().startswith(fence):
                fence = None
            out.append(line)
            continue
        heading = HEADING_RE.match(line)
        if heading:
            flush_items()
            question, in_answers, skipping, marker_written = heading.group(1).split()[0], False, None, False
            out.append(line)
            continue
        if question is None:
            out.append(line)
            continue
        label = LABEL_RE.match(line)
        known_label = bool(label and label.group(1) in KNOWN_LABELS)
        if skipping == "reference" and line.strip() and not (known_label or RUBRIC_RE.match(line)
                                                             or line.startswith(">")):
            continue
        if skipping == "rubric" and (RUBRIC_ITEM_RE.match(line) or not line.strip()):
            if not line.strip():
                skipping = None
                out.append(line)
            continue
        skipping = None
        if ORDER_RE.match(line) and not (CHOICE_RE.match(line) or CHECK_RE.match(line)):
            in_answers = True
            items.append(ORDER_RE.match(line).group(1).strip())
            continue
        flush_items()
        mark = CHOICE_RE.match(line) or CHECK_RE.match(line)
        if mark:
            in_answers = True
            out.append(line[:mark.start(1)] + " " + line[mark.end(1):])  # the mark only, never the text
        elif NUMERIC_RE.match(line) or SHORT_RE.match(line):
            in_answers = True
            if not marker_written:
                out.append(f"{line[0]} ?")
                marker_written = True
        elif REFERENCE_RE.match(line):
            in_answers, skipping = True, "reference"
            out.append("Reference answer: ?")
        elif RUBRIC_RE.match(line):
            in_answers, skipping = True, "rubric"
        elif line.startswith(">"):
            continue
        else:
            out.append(line)
    flush_items()
    result = "\n".join(_squeeze(out)) + "\n"
    parse_quiz(result, path)  # the withheld quiz must still be a quiz
    return result


def _squeeze(lines: list[str]) -> list[str]:
    """No runs of blank lines (left where feedback and rubrics were)."""
    out: list[str] = []
    for line in lines:
        if not line.strip() and out and not out[-1].strip():
            continue
        out.append(line)
    return out
