"""Markdown quiz files → `Quiz` objects (the format is quizzes/FORMAT.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from grader.quiz.model import (
    ID_RE,
    NumericAnswer,
    Option,
    Question,
    QuestionType,
    Quiz,
    QuizError,
    RubricItem,
    is_regex_form,
)

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(rf"^{_NUMBER}$")
_FRACTION_RE = re.compile(rf"^({_NUMBER})\s*/\s*({_NUMBER})$")

HEADING_RE = re.compile(r"^##(?!#)\s*(.*?)\s*$")
QUESTION_HEADING_RE = re.compile(r"^(\S+)(?:\s+\((\d+(?:\.\d+)?)\s+points?\))?$")
CHOICE_RE = re.compile(r"^\s*[-*+]\s+\(([ xX]?)\)\s*(.*)$")
CHECK_RE = re.compile(r"^\s*[-*+]\s+\[([ xX]?)\]\s*(.*)$")
ORDER_RE = re.compile(r"^\s*\d+[.)]\s+(.*)$")
NUMERIC_RE = re.compile(r"^=\s*(.*)$")
SHORT_RE = re.compile(r"^~\s*(.*)$")
REFERENCE_RE = re.compile(r"^Reference answer:\s*(.*)$")
RUBRIC_RE = re.compile(r"^Rubric:\s*$")
RUBRIC_ITEM_RE = re.compile(r"^\s*[-*+]\s+(\d+(?:\.\d+)?)\s+points?\s*:\s*(.*)$")
LABEL_RE = re.compile(r"^([A-Za-z][A-Za-z ]{0,30}):(?:\s|$)")
FENCE_RE = re.compile(r"^\s*(```|~~~)")
KNOWN_LABELS = ("Hint", "Source", "Reference answer", "Rubric", "Reflective")

# The line kinds that make up answer blocks, and the question type each implies.
_BLOCK_KIND = {"choice": "single", "check": "multiple", "order": "ordering", "numeric": "numeric",
               "short": "short", "text": "text"}
_BLOCK_WORDS = {"choice": "`( )` options", "check": "`[ ]` options", "order": "a numbered list",
                "numeric": "`=` lines", "short": "`~` lines", "text": "a `Reference answer:`/`Rubric:` block"}


def parse_number(text: str) -> float:
    """Read `0.5`, `.5`, `1/2`, `-6` or `8.1e1`; raise ValueError otherwise."""
    s = text.strip()
    if _NUMBER_RE.match(s):
        return float(s)
    m = _FRACTION_RE.match(s)
    if m:
        denominator = float(m.group(2))
        if denominator == 0:
            raise ValueError(f"division by zero in {text.strip()!r}")
        return float(m.group(1)) / denominator
    raise ValueError(f"not a number: {text.strip()!r} (write e.g. 0.5, 1/2, -6 or 8.1e1)")


def parse_numeric_answer(text: str) -> NumericAnswer:
    """Read the part after `=`: `0.5`, `0.5 +- 0.01`, `0.5 +- 2%` or `[0.45, 0.55]`."""
    s = text.strip()
    if s.startswith("["):
        if not s.endswith("]") or s.count(",") != 1:
            raise ValueError(f"malformed range {s!r}; write `= [low, high]`")
        low_text, high_text = s[1:-1].split(",")
        low, high = parse_number(low_text), parse_number(high_text)
        if low > high:
            raise ValueError(f"range {s!r} has its low end above its high end")
        return NumericAnswer(s, (low + high) / 2, "range", low=low, high=high)
    parts = re.split(r"\s*(?:\+-|±|\+/-)\s*", s)
    if len(parts) == 1:
        return NumericAnswer(s, parse_number(s), "exact")
    if len(parts) != 2:
        raise ValueError(f"malformed numeric answer {s!r}")
    value = parse_number(parts[0])
    tol = parts[1]
    if tol.endswith("%"):
        percent = parse_number(tol[:-1])
        if percent < 0:
            raise ValueError(f"negative tolerance in {s!r}")
        return NumericAnswer(s, value, "relative", tolerance=percent)
    tolerance = parse_number(tol)
    if tolerance < 0:
        raise ValueError(f"negative tolerance in {s!r}")
    return NumericAnswer(s, value, "absolute", tolerance=tolerance)


def check_pattern(form: str) -> None:
    """Raise ValueError if a `/regex/` form does not compile."""
    if is_regex_form(form):
        try:
            re.compile(form[1:-1])
        except re.error as e:
            raise ValueError(f"regular expression {form} does not compile: {e}") from None


@dataclass
class _Draft:
    """A question being read, line by line."""

    id: str
    points: float
    line: int
    prompt: list[str] = field(default_factory=list)
    block: str | None = None  # kind of the answer block
    block_line: int = 0
    block_done: bool = False  # a labelled/feedback line came after the answer block
    choices: list[tuple[bool, str, int]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    numeric: list[NumericAnswer] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    reference: list[str] = field(default_factory=list)
    in_reference: bool = False
    wrapping: str | None = None  # "hint" or "source" while that line wraps onto the next ones
    rubric: list[RubricItem] | None = None
    rubric_line: int = 0
    hint: str = ""
    source: str = ""
    feedback: list[str] = field(default_factory=list)
    reflective: bool = False  # `Reflective: yes`: graded for completion
    withheld: bool = False  # the quiz's keys were withheld (`answers: withheld`, grader/quiz/withhold.py)


def load_quiz(path: Path | str) -> Quiz:
    """Parse one markdown quiz file; raise QuizError (`FILE:LINE: message`) if it is malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise QuizError(path, 0, f"cannot read the file: {e.strerror}") from None
    except UnicodeDecodeError:
        raise QuizError(path, 0, "the file is not UTF-8 text; save it as UTF-8") from None
    return parse_quiz(text, path)


def find_quizzes(directory: Path | str) -> list[Quiz]:
    """Load every quiz in a folder, sorted by file name.

    Files whose name is in capitals (README.md, FORMAT.md, …) are documentation and skipped.
    """
    return [load_quiz(p) for p in quiz_files(directory)]


def quiz_files(directory: Path | str) -> list[Path]:
    return sorted(p for p in Path(directory).glob("*.md") if not p.stem.isupper())


def quizzes_dir(override: Path | str | None = None, start: Path | None = None) -> Path:
    """Where the course's quizzes are: `override` (--quizzes / GRADER_QUIZZES), else the nearest
    `quizzes/` folder from `start` (the current directory) upwards, else the one in the repository
    next to the installed package."""
    if override:
        return Path(override)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "quizzes").is_dir():
            return folder / "quizzes"
    import grader

    return Path(grader.__file__).resolve().parents[1] / "quizzes"


def resolve_quiz(ref: str, directory: Path) -> Quiz:
    """A QUIZ argument: a path to a .md file, or a quiz id looked up in `directory`.

    Raises LookupError (unknown quiz) or QuizError (malformed file).
    """
    path = Path(ref)
    if ref.endswith(".md") or path.is_file():
        if not path.is_file():
            raise LookupError(f"no quiz file {ref}")
        return load_quiz(path)
    candidate = directory / f"{ref}.md"
    if candidate.is_file():
        return load_quiz(candidate)
    known = [p.stem for p in quiz_files(directory)] if directory.is_dir() else []
    raise LookupError(f"unknown quiz {ref!r} in {directory}"
                      + (f" (known: {', '.join(known)})" if known else " (no quizzes there)")
                      + "; run `grader quiz list`, or give a path to a .md file")


def parse_quiz(text: str, path: Path | str = "<quiz>") -> Quiz:
    """Parse quiz markdown `text`; `path` is used for error messages."""
    path = Path(path)
    lines = text.splitlines()

    def fail(line: int, message: str) -> QuizError:
        return QuizError(path, line, message)

    front, body_start = _front_matter(lines, fail)
    quiz_id = front["id"][0]
    if path.suffix == ".md" and path.stem != quiz_id:
        raise fail(front["id"][1], f"quiz id {quiz_id!r} does not match the file name; "
                                   f"name the file {quiz_id}.md or change the id")

    intro: list[str] = []
    drafts: list[_Draft] = []
    seen: dict[str, int] = {}
    fence: str | None = None
    for number, raw in enumerate(lines[body_start:], start=body_start + 1):
        line = raw.rstrip()
        current = drafts[-1] if drafts else None
        m = FENCE_RE.match(line)
        if fence is not None or m:
            if fence is None and m:
                fence = m.group(1)
            elif fence is not None and line.strip().startswith(fence):
                fence = None
            if current is None:
                intro.append(line)
            elif current.block is None:
                current.prompt.append(line)
            else:
                raise fail(number, "a code block after the answer block; put code in the prompt, "
                                   "before the options")
            continue
        heading = HEADING_RE.match(line)
        if heading:
            if current is not None:
                drafts[-1] = current
                _check_draft(current, fail)
            drafts.append(_start_question(heading.group(1), number, seen, fail))
            drafts[-1].withheld = front.get("answers", ("",))[0] == "withheld"
            continue
        if current is None:
            intro.append(line)
        else:
            _question_line(current, line, number, fail)
    if fence is not None:
        raise fail(len(lines), "a code block (```) is never closed")
    if drafts:
        _check_draft(drafts[-1], fail)
    else:
        raise fail(body_start + 1, "the quiz has no questions; start each with a `## question-id` heading")

    questions = [_build(d, fail) for d in drafts]
    intro_text = "\n".join(intro).strip()
    return Quiz(
        id=quiz_id,
        title=front["title"][0],
        path=path,
        questions=questions,
        front_matter={k: v for k, (v, _) in front.items()},
        intro=intro_text,
    )


def _front_matter(lines: list[str], fail) -> tuple[dict[str, tuple[str, int]], int]:
    if not lines or lines[0].strip() != "---":
        raise fail(1, "the file must start with a `---` front matter block (id: …, title: …)")
    front: dict[str, tuple[str, int]] = {}
    for number, raw in enumerate(lines[1:], start=2):
        line = raw.strip()
        if line == "---":
            break
        if not line:
            continue
        if line.startswith("#"):
            raise fail(1, f"the front matter block is never closed with a `---` line (line {number} "
                          "is a heading)")
        m = re.match(r"^([A-Za-z_][\w-]*)\s*:\s*(.*)$", line)
        if not m or raw[:1].isspace() or m.group(2).startswith(("[", "{")):
            raise fail(number, f"malformed front matter line {line!r}; write flat `key: value` lines")
        key, value = m.group(1), m.group(2).strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        if key in front:
            raise fail(number, f"front matter key {key!r} is repeated (first on line {front[key][1]})")
        front[key] = (value, number)
    else:
        raise fail(1, "the front matter block is never closed with a `---` line")
    end = number
    for key in ("id", "title"):
        if key not in front or not front[key][0]:
            raise fail(end, f"the front matter has no `{key}:`")
    quiz_id, line = front["id"]
    if not ID_RE.match(quiz_id):
        raise fail(line, f"malformed quiz id {quiz_id!r}; use lowercase letters, digits, '-' and '_'")
    return front, end


def _start_question(heading: str, number: int, seen: dict[str, int], fail) -> _Draft:
    m = QUESTION_HEADING_RE.match(heading)
    if not heading:
        raise fail(number, "a question heading with no id; write `## question-id`")
    if not m:
        raise fail(number, f"malformed question heading {heading!r}; write `## question-id` "
                           "or `## question-id (2 points)`")
    qid, points = m.group(1), m.group(2)
    if not ID_RE.match(qid):
        raise fail(number, f"malformed question id {qid!r}; use lowercase letters, digits, '-' and '_'")
    if qid in seen:
        raise fail(number, f"question id {qid!r} is repeated (first on line {seen[qid]})")
    seen[qid] = number
    value = float(points) if points is not None else 1.0
    if value <= 0:
        raise fail(number, "a question must be worth more than 0 points")
    return _Draft(qid, value, number)


def _classify(line: str, draft: _Draft) -> tuple[str, re.Match[str] | None]:
    for kind, regex in (("choice", CHOICE_RE), ("check", CHECK_RE), ("numeric", NUMERIC_RE),
                        ("short", SHORT_RE), ("reference", REFERENCE_RE), ("rubric", RUBRIC_RE)):
        m = regex.match(line)
        if m:
            return kind, m
    if draft.rubric is not None:
        m = RUBRIC_ITEM_RE.match(line)
        if m:
            return "rubric-item", m
        if re.match(r"^\s*[-*+]\s", line):
            return "bad-rubric-item", None
    m = ORDER_RE.match(line)
    if m:
        return "order", m
    if line.startswith(">"):
        return "feedback", None
    m = LABEL_RE.match(line)
    if m:
        return "label", m
    return "text", None


def _question_line(d: _Draft, line: str, number: int, fail) -> None:
    kind, m = _classify(line, d)
    if d.wrapping:
        if line.strip() and (kind == "text" or (kind == "label" and m is not None
                                                 and m.group(1) not in KNOWN_LABELS)):
            setattr(d, d.wrapping, getattr(d, d.wrapping) + " " + line.strip())
            return
        d.wrapping = None
    if d.in_reference:
        ends = kind in ("rubric", "feedback") or (
            kind == "label" and m is not None and m.group(1) in KNOWN_LABELS)
        if line.strip() and not ends:
            d.reference.append(line.strip())
            return
        d.in_reference = False

    block_kind = {"choice": "choice", "check": "check", "order": "order", "numeric": "numeric",
                  "short": "short", "reference": "text", "rubric": "text", "rubric-item": "text"}.get(kind)
    if block_kind is not None:
        if d.block is None:
            d.block, d.block_line = block_kind, number
        elif d.block != block_kind:
            raise fail(number, f"two kinds of answer block in question {d.id!r}: "
                               f"{_BLOCK_WORDS[d.block]} (line {d.block_line}) and {_BLOCK_WORDS[block_kind]}"
                               + ("; a numbered list is an ordering answer, use `-` bullets for lists "
                                  "in a prompt" if "order" in (d.block, block_kind) else ""))
        elif d.block_done and kind not in ("rubric", "rubric-item", "reference"):
            raise fail(number, f"answer line after the hint/source/feedback of question {d.id!r}; "
                               "keep the answer block together, before those lines")
    if kind in ("choice", "check"):
        assert m is not None
        mark, text = m.group(1), m.group(2).strip()
        if not text:
            raise fail(number, "an option with no text")
        d.choices.append((mark.lower() == "x", text, number))
    elif kind == "order":
        assert m is not None
        d.items.append(m.group(1).strip())
    elif kind in ("numeric", "short") and d.withheld and m is not None and m.group(1).strip() == "?":
        pass  # the answer is withheld
    elif kind == "numeric":
        assert m is not None
        try:
            d.numeric.append(parse_numeric_answer(m.group(1)))
        except ValueError as e:
            raise fail(number, f"cannot read the numeric answer: {e}") from None
    elif kind == "short":
        assert m is not None
        form = m.group(1).strip()
        if not form:
            raise fail(number, "an empty `~` accepted form")
        try:
            check_pattern(form)
        except ValueError as e:
            raise fail(number, str(e)) from None
        d.forms.append(form)
    elif kind == "reference":
        assert m is not None
        if d.reference:
            raise fail(number, "a second `Reference answer:`")
        first = m.group(1).strip()
        d.reference = [first] if first and not (d.withheld and first == "?") else []
        d.in_reference = True
    elif kind == "rubric":
        if d.rubric is not None:
            raise fail(number, "a second `Rubric:`")
        d.rubric, d.rubric_line = [], number
    elif kind == "rubric-item":
        assert m is not None and d.rubric is not None
        alternatives = tuple(a.strip() for a in m.group(2).split("|"))
        if not all(alternatives):
            raise fail(number, "a rubric line with an empty alternative; write "
                               "`- 1 point: concept | other wording`")
        for alt in alternatives:
            try:
                check_pattern(alt)
            except ValueError as e:
                raise fail(number, str(e)) from None
        d.rubric.append(RubricItem(float(m.group(1)), alternatives, number))
    elif kind == "bad-rubric-item":
        raise fail(number, f"malformed rubric line {line.strip()!r}; write "
                           "`- 1 point: concept | other wording`")
    elif kind == "feedback":
        d.block_done = d.block is not None
        d.feedback.append(re.sub(r"^>\s?", "", line))
    elif kind == "label":
        assert m is not None
        label = m.group(1)
        value = line[m.end():].strip()
        if label == "Reflective":
            if value.lower() != "yes":
                raise fail(number, f"`Reflective: {value}`: write `Reflective: yes` or leave the line out")
            if d.block != "text":
                raise fail(number, "only a free-text question (`Reference answer:`/`Rubric:`) can be reflective")
            d.reflective = True
            d.block_done = True
            return
        if label == "Hint":
            if d.hint:
                raise fail(number, "a second `Hint:` line")
            d.hint = value
        elif label == "Source":
            if d.source:
                raise fail(number, "a second `Source:` line")
            d.source = value
        elif d.block is None:
            d.prompt.append(line)  # e.g. "Note: …" inside the prompt
            return
        else:
            raise fail(number, f"unknown label `{label}:`; the lines after an answer block are "
                               "`Hint: …`, `Source: …` and `> …` feedback")
        if not value:
            raise fail(number, f"an empty `{label}:` line")
        d.wrapping = label.lower()
        d.block_done = d.block is not None
    else:  # plain text
        if d.block is None:
            d.prompt.append(line)
        elif line.strip():
            raise fail(number, f"unexpected text {line.strip()[:40]!r} after the answer block of "
                               f"question {d.id!r}; only `Hint: …`, `Source: …` and `> …` lines may follow")


def _check_draft(d: _Draft, fail) -> None:
    if d.block is None:
        raise fail(d.line, f"question {d.id!r} has no answer block (options, `=`, `~`, a numbered "
                           "list or `Reference answer:`/`Rubric:`)")
    if d.withheld:  # no marks, answers or rubrics to check
        if d.block in ("choice", "check", "order") and len(d.choices or d.items) < 2:
            raise fail(d.block_line, f"question {d.id!r} needs at least two options")
        return
    if d.block == "choice":
        right = [c for c in d.choices if c[0]]
        if len(right) != 1:
            where = d.choices[0][2]
            raise fail(where, f"single-choice question {d.id!r} must mark exactly one option `(x)`, "
                              f"not {len(right)}")
        if len(d.choices) < 2:
            raise fail(d.choices[0][2], f"question {d.id!r} needs at least two options")
    if d.block == "check":
        if not any(c[0] for c in d.choices):
            raise fail(d.choices[0][2], f"multiple-selection question {d.id!r} marks no option `[x]`")
    if d.block == "order" and len(d.items) < 2:
        raise fail(d.block_line, f"ordering question {d.id!r} needs at least two items")
    if d.block == "text":
        if not d.reference:
            raise fail(d.block_line, f"free-text question {d.id!r} has no `Reference answer:`")
        if not d.rubric:
            raise fail(d.rubric_line or d.block_line,
                       f"free-text question {d.id!r} has no `Rubric:` lines (`- 1 point: concept | other`)")
        total = sum(r.points for r in d.rubric)
        if abs(total - d.points) > 1e-9:
            raise fail(d.rubric_line, f"the rubric of {d.id!r} adds up to {total:g} points but the "
                                      f"question is worth {d.points:g}")


def _paragraphs(lines: list[str]) -> str:
    """Join `>` feedback lines: consecutive lines form a paragraph, an empty one starts a new one."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            paragraphs[-1].append(line.strip())
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join(" ".join(p) for p in paragraphs if p)


def _build(d: _Draft, fail) -> Question:
    qtype: QuestionType = _BLOCK_KIND[d.block]  # type: ignore[assignment,index]
    options: list[Option] = []
    if d.block in ("choice", "check"):
        options = [Option(chr(ord("A") + i), text, correct, i) for i, (correct, text, _) in enumerate(d.choices)]
        if len(options) > 26:
            raise fail(d.choices[26][2], "more than 26 options")
        texts = sorted(o.text.strip().lower() for o in options)
        if d.block == "choice" and texts == ["false", "true"]:
            qtype = "truefalse"
    elif d.block == "order" and d.withheld:  # written in the order shown; the right one is withheld
        options = [Option(chr(ord("A") + i), item, False, i) for i, item in enumerate(d.items)]
    elif d.block == "order":
        order = display_order(d.id, len(d.items))
        options = [Option(chr(ord("A") + shown), d.items[pos], False, pos) for shown, pos in enumerate(order)]
    prompt = "\n".join(d.prompt).strip()
    if not prompt:
        raise fail(d.line, f"question {d.id!r} has no prompt text")
    return Question(
        id=d.id,
        type=qtype,
        prompt=prompt,
        points=d.points,
        line=d.line,
        options=options,
        numeric=d.numeric,
        forms=d.forms,
        reference=" ".join(d.reference),
        rubric=d.rubric or [],
        hint=d.hint,
        feedback=_paragraphs(d.feedback),
        source=d.source,
        reflective=d.reflective,
    )


def display_order(question_id: str, n: int) -> list[int]:
    """The fixed shuffled order of an ordering question's items: display slot → correct position.

    Derived from the question id only (a stable hash, not Python's salted `hash`), so it is the same
    for everybody; never the correct order itself when there are two or more items.
    """
    import hashlib
    import random

    seed = int.from_bytes(hashlib.sha256(question_id.encode()).digest()[:8], "big")
    order = list(range(n))
    random.Random(seed).shuffle(order)
    if n > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order
