"""Score answers against a quiz, and read/validate answers files.

An answers file is `{"quiz": ID, "answers": {QUESTION_ID: ANSWER}}` (quizzes/FORMAT.md).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.bounds import QUIZ_ANSWERS_FILE_BYTES, QUIZ_ANSWERS_NESTING, QUIZ_NAME_CHARS, QUIZ_NUMBER_CHARS
from grader.quiz.model import Question, Quiz, RubricItem, is_regex_form
from grader.quiz.parse import parse_number
from grader.safetext import clean


class AnswerError(ValueError):
    """An answer or answers file that cannot be scored (wrong kind, unknown id, bad label…)."""


@dataclass
class QuestionResult:
    id: str
    score: float
    max_score: float
    answered: bool
    summary: str  # one line: what was right or wrong, and the correct answer
    explanation: str = ""  # the question's feedback from the quiz file
    found: list[str] = field(default_factory=list)  # free text: rubric concepts found
    missed: list[str] = field(default_factory=list)  # free text: rubric concepts missed
    status: str = "scored"  # "scored", "needs review" (a rubric suggestion), "complete" (reflective)

    @property
    def correct(self) -> bool:
        return self.answered and abs(self.score - self.max_score) < 1e-9

    @property
    def feedback(self) -> str:
        return "\n\n".join(p for p in (self.summary, self.explanation) if p)


@dataclass
class QuizResult:
    quiz: str
    questions: list[QuestionResult]

    @property
    def score(self) -> float:
        return sum(r.score for r in self.questions)

    @property
    def max_score(self) -> float:
        return sum(r.max_score for r in self.questions)

    def to_json(self) -> dict[str, Any]:
        return {
            "quiz": self.quiz,
            "score": round(self.score, 6),
            "max_score": self.max_score,
            "questions": [
                {"id": r.id, "score": round(r.score, 6), "max_score": r.max_score,
                 "correct": r.correct, "status": r.status, "feedback": r.feedback}
                for r in self.questions
            ],
        }


# ---------------------------------------------------------------------------------------------
# Normalising answers


def _brief(value: Any) -> str:
    """An answer as a message quotes it: its repr, cut to a readable length."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def normalize_answer(question: Question, answer: Any) -> Any:
    """Check an answer's kind and return its canonical form; raise AnswerError if it is wrong.

    single → "B"; multiple → ["A", "C"] (sorted, no repeats); ordering → ["C", "A", "D", "B"];
    truefalse → bool; numeric → float; short/text → str.
    """
    qid, qtype = question.id, question.type
    if qtype in ("single", "truefalse", "multiple", "ordering"):
        labels = question.labels
        span = f"{labels[0]}–{labels[-1]}"

        def label(value: Any) -> str:
            if not isinstance(value, str) or value.strip().upper() not in labels:
                raise AnswerError(f"question {qid!r} has no option {_brief(value)} (options are {span})")
            return value.strip().upper()

    if qtype == "single":
        if not isinstance(answer, str):
            raise AnswerError(f"question {qid!r} takes one option label such as \"A\", not {_brief(answer)}")
        return label(answer)
    if qtype == "truefalse":
        if isinstance(answer, bool):
            return answer
        if isinstance(answer, str):
            word = answer.strip().lower()
            if word in ("true", "t"):
                return True
            if word in ("false", "f"):
                return False
            if word.upper() in labels:
                return question.option(word.upper()).text.strip().lower() == "true"
        raise AnswerError(f"question {qid!r} is true/false: answer true or false, not {_brief(answer)}")
    if qtype in ("multiple", "ordering"):
        if not isinstance(answer, list):
            what = "a list of option labels such as [\"A\", \"C\"]" if qtype == "multiple" else \
                "the list of all labels in order, such as [\"C\", \"A\", \"B\"]"
            raise AnswerError(f"question {qid!r} takes {what}, not {_brief(answer)}")
        picked = [label(v) for v in answer]
        if qtype == "multiple":
            return sorted(set(picked))
        if sorted(picked) != sorted(labels):
            raise AnswerError(f"question {qid!r} is an ordering: list each of {', '.join(labels)} "
                              f"exactly once, not {_brief(answer)}")
        return picked
    if qtype == "numeric":
        if isinstance(answer, bool) or not isinstance(answer, (int, float, str)):
            raise AnswerError(f"question {qid!r} takes a number (or a string such as \"1/2\"), not {_brief(answer)}")
        if isinstance(answer, str):
            try:
                return parse_number(answer)
            except ValueError as e:
                raise AnswerError(f"question {qid!r}: {e}") from None
        return float(answer)
    if not isinstance(answer, str):
        raise AnswerError(f"question {qid!r} takes a text answer (a string), not {_brief(answer)}")
    return answer


# ---------------------------------------------------------------------------------------------
# Text matching


def fold(text: str) -> str:
    """Lowercase, strip and collapse runs of whitespace."""
    return " ".join(text.split()).casefold()


def _in_order(parts: list[str], text: str, start: int, end: int) -> bool:
    """Whether ``parts`` occur in ``text[start:end]`` one after the other, without overlapping. Taking
    each at its first place is enough (what a wildcard between them matches does not matter): one
    ``str.find`` per part, linear in the answer; a regular expression of ``.*`` runs backtracks
    quadratically (or worse) on an answer a student makes long."""
    for part in parts:
        found = text.find(part, start, end)
        if found < 0:
            return False
        start = found + len(part)
    return True


def matches_form(form: str, answer: str) -> bool:
    """Short-answer matching: case and spacing ignored, `*` wildcards, `/regex/` full match."""
    if is_regex_form(form):
        return re.fullmatch(form[1:-1], " ".join(answer.split()), re.IGNORECASE) is not None
    parts, text = fold(form).split("*"), fold(answer)
    if len(parts) == 1:
        return text == parts[0]
    first, *middle, last = parts
    return (len(text) >= len(first) + len(last) and text.startswith(first) and text.endswith(last)
            and _in_order(middle, text, len(first), len(text) - len(last)))


def occurs(alternative: str, answer: str) -> bool:
    """Rubric matching: the alternative occurs somewhere in the answer (case and spacing folded)."""
    if is_regex_form(alternative):
        return re.search(alternative[1:-1], " ".join(answer.split()), re.IGNORECASE) is not None
    text = fold(answer)
    return _in_order(fold(alternative).split("*"), text, 0, len(text))


def rubric_hits(rubric: list[RubricItem], answer: str) -> list[bool]:
    return [any(occurs(alt, answer) for alt in item.alternatives) for item in rubric]


# ---------------------------------------------------------------------------------------------
# Scoring


def _points(value: float) -> str:
    return f"{value:g}"


def score_answer(question: Question, answer: Any) -> QuestionResult:
    """Score one answer (raw answers-file form, or None for unanswered)."""
    q = question
    if answer is None:
        return QuestionResult(q.id, 0.0, q.points, False,
                              f"Not answered. Correct answer: {q.describe_answer()}", q.feedback)
    a = normalize_answer(q, answer)
    if q.type == "text" and q.reflective:
        done = substantial(a)
        return QuestionResult(q.id, q.points if done else 0.0, q.points, True,
                              ("Complete: a reflective question, graded for completion." if done else
                               "Too short to count: a reflective question needs a sentence or two of your own.")
                              + f" An example answer: {q.reference}", q.feedback, status="complete")
    if q.type == "text" and not str(a).strip():
        # A blank answer has nothing to review: 0 points, settled now.
        return QuestionResult(q.id, 0.0, q.points, True, f"Blank: no points. Reference answer: {q.reference}",
                              q.feedback)
    found: list[str] = []
    missed: list[str] = []
    if q.type in ("single", "truefalse"):
        fraction = 1.0 if a == q.correct_answer() else 0.0
    elif q.type == "multiple":
        right = {o.label for o in q.options if o.correct}
        hits = len(right & set(a))
        wrong = len(set(a) - right)
        fraction = max(0, hits - wrong) / len(right)
    elif q.type == "ordering":
        correct = q.correct_answer()
        fraction = sum(x == y for x, y in zip(a, correct)) / len(correct)
    elif q.type == "numeric":
        fraction = 1.0 if any(n.accepts(a) for n in q.numeric) else 0.0
    elif q.type == "short":
        fraction = 1.0 if any(matches_form(f, a) for f in q.forms) else 0.0
    else:
        hits_list = rubric_hits(q.rubric, a)
        earned = sum(item.points for item, hit in zip(q.rubric, hits_list) if hit)
        found = [item.alternatives[0] for item, hit in zip(q.rubric, hits_list) if hit]
        missed = [item.alternatives[0] for item, hit in zip(q.rubric, hits_list) if not hit]
        fraction = earned / q.points
    score = q.points * fraction
    if q.type == "text":
        summary = (f"Suggested {_points(score)} of {_points(q.points)} (needs review). Rubric: found {', '.join(found) or 'nothing'}"
                   + (f"; missed {', '.join(missed)}" if missed else "")
                   + f". Reference answer: {q.reference}")
    elif fraction >= 1 - 1e-9:
        summary = "Correct."
    elif fraction > 0:
        summary = f"Partly right ({_points(score)} of {_points(q.points)}). Correct answer: {q.describe_answer()}"
    else:
        summary = f"Not right. Correct answer: {q.describe_answer()}"
    return QuestionResult(q.id, score, q.points, True, summary, q.feedback, found, missed,
                          "needs review" if q.type == "text" else "scored")


def substantial(text: str) -> bool:
    """A non-empty, non-trivial answer: at least three words with letters, not all the same word."""
    words = [w for w in re.findall(r"[^\W\d_]+", text.casefold()) if len(w) > 1]
    return len(words) >= 3 and len(set(words)) >= 2


def score_quiz(quiz: Quiz, answers: dict[str, Any]) -> QuizResult:
    """Score a dict question id → answer; missing questions score zero, unknown ids are an error."""
    unknown = [k for k in answers if k not in {q.id for q in quiz.questions}]
    if unknown:
        raise AnswerError(f"quiz {quiz.id!r} has no question {unknown[0]!r} "
                          f"(its questions: {', '.join(q.id for q in quiz.questions)})")
    return QuizResult(quiz.id, [score_answer(q, answers.get(q.id)) for q in quiz.questions])


# ---------------------------------------------------------------------------------------------
# Answers files


def parse_answers(data: Any, quiz: Quiz, source: str = "answers") -> dict[str, Any]:
    """Validate a decoded answers document against a quiz; return the raw answers dict."""
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        raise AnswerError(f"{source}: expected {{\"quiz\": \"{quiz.id}\", \"answers\": {{QUESTION_ID: ANSWER}}}}")
    extra = set(data) - {"quiz", "answers", "student"}
    if extra:
        raise AnswerError(f"{source}: unexpected key {sorted(extra)[0]!r}; only \"quiz\", \"answers\" and "
                          "\"student\" are allowed")
    if "quiz" not in data or not isinstance(data["quiz"], str):
        raise AnswerError(f"{source}: says no quiz; add \"quiz\": \"{quiz.id}\" to it")
    if data["quiz"] != quiz.id:
        raise AnswerError(f"{source}: holds answers to quiz {data['quiz'][:80]!r}, not {quiz.id!r}; "
                          f"score it with that quiz, or fix its \"quiz\" key")
    answers = data["answers"]
    ids = {q.id for q in quiz.questions}
    for qid, answer in answers.items():
        if qid not in ids:
            raise AnswerError(f"{source}: quiz {quiz.id!r} has no question {_brief(qid)} "
                              f"(its questions: {', '.join(q.id for q in quiz.questions)})")
        if answer is not None:
            try:
                normalize_answer(quiz.question(qid), answer)
            except AnswerError as e:
                raise AnswerError(f"{source}: {e}") from None
    return dict(answers)


class _Refused(ValueError):
    """A number or constant in an answers file that is refused while it is decoded."""


def _int(text: str) -> int:
    if len(text) > QUIZ_NUMBER_CHARS:
        raise _Refused(f"a number of {len(text):,} characters (at most {QUIZ_NUMBER_CHARS})")
    return int(text)


def _float(text: str) -> float:
    if len(text) > QUIZ_NUMBER_CHARS:
        raise _Refused(f"a number of {len(text):,} characters (at most {QUIZ_NUMBER_CHARS})")
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text} is too large")
    return value


def _constant(name: str) -> Any:
    raise _Refused(f"{name}, which is not a number JSON allows")


_SIGNIFICANT = re.compile(r'[\[\]{}"\\]')


def _nesting_over(text: str, limit: int) -> bool:
    """Whether arrays and objects nest more than ``limit`` deep in the JSON ``text`` (brackets inside
    strings do not count). One pass over the text, stopping as soon as the limit is passed."""
    depth, in_string, skip = 0, False, -1
    for m in _SIGNIFICANT.finditer(text):
        i = m.start()
        if i < skip:
            continue
        c = text[i]
        if in_string:
            if c == "\\":
                skip = i + 2
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "[{":
            depth += 1
            if depth > limit:
                return True
        elif c in "]}":
            depth -= 1
    return False


def decode_answers(raw: bytes, source: str) -> Any:
    """The JSON document in an answers file's bytes, decoded defensively: huge numbers, NaN and
    Infinity, and deep nesting are refused before they cost anything; raise AnswerError."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise AnswerError(f"{source}: not UTF-8 text (byte {e.start:,}); save it as UTF-8 JSON") from None
    if _nesting_over(text, QUIZ_ANSWERS_NESTING):
        raise AnswerError(f"{source}: nests arrays or objects more than {QUIZ_ANSWERS_NESTING} deep; "
                          "an answers file is one object of answers") from None
    try:
        return json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except _Refused as e:
        raise AnswerError(f"{source}: holds {e}") from None
    except json.JSONDecodeError as e:
        raise AnswerError(f"{source}: not valid JSON ({e})") from None
    except (RecursionError, ValueError, OverflowError):  # belt and braces: the checks above should stop these
        raise AnswerError(f"{source}: not an answers file JSON can read") from None


def read_answers_file(path: Path | str) -> Any:
    """The decoded JSON document of an answers file, read with its size capped; raise AnswerError
    with a one-line reason (the path in it cleaned for the terminal)."""
    path = Path(path)
    source = clean(str(path), QUIZ_NAME_CHARS, lines=False)
    try:
        if path.exists() and not path.is_file():
            raise AnswerError(f"{source} is not a file: give an answers file (.json)")
        with path.open("rb") as f:
            raw = f.read(QUIZ_ANSWERS_FILE_BYTES + 1)
    except OSError as e:
        raise AnswerError(f"cannot read answers file {source}: {e.strerror or type(e).__name__}") from None
    if len(raw) > QUIZ_ANSWERS_FILE_BYTES:
        raise AnswerError(f"{source}: larger than {QUIZ_ANSWERS_FILE_BYTES // 1024} KiB, the most an answers "
                          "file may be; is it the right file?")
    return decode_answers(raw, source)


def load_answers(path: Path | str, quiz: Quiz) -> dict[str, Any]:
    """Read and validate an answers file; raise AnswerError with a one-line reason."""
    return parse_answers(read_answers_file(path), quiz, clean(str(path), QUIZ_NAME_CHARS, lines=False))


def answers_document(quiz: Quiz, answers: dict[str, Any]) -> dict[str, Any]:
    """The standard answers-file document, in question order."""
    order = [q.id for q in quiz.questions]
    return {"quiz": quiz.id, "answers": {k: answers[k] for k in order if k in answers}}


def perfect_answers(quiz: Quiz) -> dict[str, Any]:
    """Each question's correct answer (free text: the reference answer)."""
    return {q.id: q.correct_answer() for q in quiz.questions}
