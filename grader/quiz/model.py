"""The quiz data model: plain dataclasses built by `parse.load_quiz`.

See quizzes/FORMAT.md for the markdown format these describe.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

QuestionType = Literal["single", "multiple", "truefalse", "numeric", "ordering", "short", "text"]
QUESTION_TYPES: tuple[str, ...] = ("single", "multiple", "truefalse", "numeric", "ordering", "short", "text")

ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class QuizError(ValueError):
    """A malformed quiz file; `str(error)` is `FILE:LINE: message`."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        super().__init__(f"{path}:{line}: {message}" if line > 0 else f"{path}: {message}")


@dataclass(frozen=True)
class Option:
    """One choice (single, multiple, true/false) or one item to order.

    For ordering questions, options are in the *displayed* order and `position` is the item's
    0-based place in the correct order; for choice questions `position` is the written order.
    """

    label: str
    text: str
    correct: bool = False
    position: int = 0


@dataclass(frozen=True)
class NumericAnswer:
    """One accepted numeric answer: `= 0.5`, `= 0.5 +- 0.01`, `= 0.5 +- 2%` or `= [0.45, 0.55]`."""

    text: str
    value: float
    kind: Literal["exact", "absolute", "relative", "range"]
    tolerance: float = 0.0  # absolute amount, or percent for kind == "relative"
    low: float | None = None
    high: float | None = None

    @property
    def shown(self) -> str:
        """The answer as a person writes it: `0.5 ± 0.01` (the source format writes `+-`)."""
        return re.sub(r"\s*(?:\+-|\+/-|±)\s*", " ± ", self.text)

    def bounds(self) -> tuple[float, float]:
        """The inclusive interval of accepted values."""
        if self.kind == "range":
            assert self.low is not None and self.high is not None
            return self.low, self.high
        if self.kind == "absolute":
            delta = self.tolerance
        elif self.kind == "relative":
            delta = abs(self.value) * self.tolerance / 100
        else:
            delta = abs(self.value) * 1e-9
        return self.value - delta, self.value + delta

    def accepts(self, x: float) -> bool:
        low, high = self.bounds()
        if self.kind == "exact" and self.value == 0:
            return abs(x) <= 1e-12
        return low <= x <= high


@dataclass(frozen=True)
class RubricItem:
    """`- N points: alternative | alternative`: scores `points` when any alternative occurs."""

    points: float
    alternatives: tuple[str, ...]
    line: int = 0


@dataclass
class Question:
    id: str
    type: QuestionType
    prompt: str
    points: float = 1.0
    line: int = 0
    options: list[Option] = field(default_factory=list)
    numeric: list[NumericAnswer] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)  # short answer accepted forms
    reference: str = ""  # free text reference answer
    rubric: list[RubricItem] = field(default_factory=list)
    hint: str = ""
    feedback: str = ""
    source: str = ""
    reflective: bool = False  # free text graded for completion (`Reflective: yes`)

    @property
    def labels(self) -> list[str]:
        return [o.label for o in self.options]

    def option(self, label: str) -> Option:
        return next(o for o in self.options if o.label == label)

    def correct_answer(self) -> Any:
        """An answer (answers-file form) that scores full marks, or None if none can be derived."""
        if self.type == "single":
            return next(o.label for o in self.options if o.correct)
        if self.type == "multiple":
            return [o.label for o in self.options if o.correct]
        if self.type == "truefalse":
            return next(o.text.strip().lower() == "true" for o in self.options if o.correct)
        if self.type == "ordering":
            return [o.label for o in sorted(self.options, key=lambda o: o.position)]
        if self.type == "numeric":
            first = self.numeric[0]
            if first.kind == "range":
                assert first.low is not None and first.high is not None
                return (first.low + first.high) / 2
            return first.value
        if self.type == "short":
            plain = [f for f in self.forms if not is_regex_form(f)]
            return plain[0].replace("*", "") if plain else None
        return self.reference

    def describe_answer(self) -> str:
        """The correct answer in words, for feedback."""
        if self.type in ("single", "multiple"):
            return ", ".join(f"{o.label}) {o.text}" for o in self.options if o.correct)
        if self.type == "truefalse":
            return "True" if self.correct_answer() else "False"
        if self.type == "ordering":
            return " ".join(self.correct_answer())
        if self.type == "numeric":
            return " or ".join(n.shown for n in self.numeric)
        if self.type == "short":
            return readable_answer(self.forms)
        return self.reference


def readable_answer(forms: list[str]) -> str:
    """An accepted short answer a person reads: the first plain form (its ``*`` wildcards dropped
    at the ends, "…" within), else a readable form of the first ``/regex/``."""
    for form in forms:
        if not is_regex_form(form):
            text = form.strip().strip("*").strip()
            if text:
                return re.sub(r"\s*\*+\s*", " … ", text)
    for form in forms:
        if is_regex_form(form) and (text := readable_pattern(form[1:-1])):
            return text
    return " / ".join(forms)


def readable_pattern(pattern: str) -> str:
    """An example of what a regular expression matches, for people: its shortest form (optional
    parts left out, the first alternative, a class's first character; an optional space kept),
    checked to match; "" when there is none. ``.*show[ _]?batch.*`` gives "show batch"."""
    from re import _constants as c, _parser

    def spaced(items: Any) -> bool:
        """A single space, or a class that holds one (``[ _]``, ``\\s``)."""
        if len(items) != 1:
            return False
        op, av = items[0]
        pairs = av if op is c.IN else [(op, av)]
        return any((a is c.LITERAL and v == 32) or (a is c.CATEGORY and v is c.CATEGORY_SPACE) for a, v in pairs)

    def example(items: Any) -> str:
        out = []
        for op, av in items:
            if op is c.LITERAL:
                out.append(chr(av))
            elif op is c.IN:
                out.append(next((" " if a is c.CATEGORY else chr(v) for a, v in av
                                 if a is c.LITERAL or (a is c.CATEGORY and v is c.CATEGORY_SPACE)), ""))
            elif op is c.CATEGORY:
                out.append(" " if av is c.CATEGORY_SPACE else "")
            elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
                low, high, item = av
                out.append(example(item) * low if low else " " if high == 1 and spaced(item) else "")
            elif op is c.SUBPATTERN:
                out.append(example(av[-1]))
            elif op is c.BRANCH:
                out.append(example(av[1][0]))
            elif op is c.ANY:
                out.append("…")
        return "".join(out)

    try:
        text = " ".join(example(_parser.parse(pattern)).split())
    except (re.error, RecursionError, ValueError, TypeError, AttributeError):
        return ""
    return text if text and re.fullmatch(pattern, text, re.IGNORECASE) else ""


def is_regex_form(form: str) -> bool:
    return len(form) >= 2 and form.startswith("/") and form.endswith("/")


@dataclass
class Quiz:
    id: str
    title: str
    path: Path
    questions: list[Question]
    front_matter: dict[str, str] = field(default_factory=dict)
    intro: str = ""

    @property
    def withheld(self) -> bool:
        """The answer keys are not in this copy (`answers: withheld`): answers are recorded, not scored."""
        return self.front_matter.get("answers") == "withheld"

    @property
    def total_points(self) -> float:
        return sum(q.points for q in self.questions)

    def question(self, question_id: str) -> Question:
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(question_id)
