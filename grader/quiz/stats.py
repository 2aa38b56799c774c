"""Item analysis of many students' answers, with Moodle's quiz statistics definitions.

From Moodle's "Quiz statistics calculations" (one attempt per student, S students, item score x_i,
test score T = Σ x_i; missing answers score 0):

- facility index F_i = 100 · mean(x_i) / max(x_i)  (percent; Moodle subtracts the minimum possible
  score, which is 0 here);
- standard deviations use the sample variance V(x) = Σ (x − mean)² / (S − 1), as Moodle does;
- discrimination index D_i = 100 · r(x_i, X_i), the Pearson correlation between the item score and
  the score on the rest of the test X_i = T − x_i (percent, like Moodle; None if either has no variance);
- Cronbach's alpha (Moodle's "coefficient of internal consistency", here as a fraction 0–1)
  α = k/(k−1) · (1 − Σ V(x_i) / V(T)), with the same sample variances (the ratio is the same with
  population variances, since the 1/(S−1) factors cancel).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from grader.bounds import QUIZ_RESPONSE_CHARS
from grader.quiz.model import Quiz
from grader.quiz.scoring import normalize_answer, score_quiz
from grader.safetext import clean


@dataclass
class QuestionStats:
    id: str
    type: str
    max_score: float
    answered: int
    mean: float
    sd: float | None
    facility_index: float  # percent
    discrimination_index: float | None  # percent, 100 · Pearson r with the rest of the test
    responses: dict[str, int] = field(default_factory=dict)  # option label (or answer) → times chosen


@dataclass
class QuizStats:
    quiz: str
    students: int
    max_score: float
    mean: float
    sd: float | None
    cronbach_alpha: float | None
    questions: list[QuestionStats]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def mean(xs: list[float]) -> float:
    return sum(xs) / len(xs)


def sample_variance(xs: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    if len(xs) < 2:
        return None
    mx, my = mean(xs), mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(item_scores: list[list[float]]) -> float | None:
    """α = k/(k−1) · (1 − Σ V(x_i) / V(T)); `item_scores[i]` is item i's score for each student."""
    k = len(item_scores)
    if k < 2:
        return None
    totals = [sum(col) for col in zip(*item_scores)]
    var_total = sample_variance(totals)
    variances = [sample_variance(x) for x in item_scores]
    if not var_total or any(v is None for v in variances):
        return None
    return k / (k - 1) * (1 - sum(v for v in variances if v is not None) / var_total)


def _responses(quiz: Quiz, answer_sets: list[dict[str, Any]], qid: str) -> dict[str, int]:
    q = quiz.question(qid)
    counts: dict[str, int] = {}
    if q.type in ("single", "multiple"):
        counts = {label: 0 for label in q.labels}
    elif q.type == "truefalse":
        counts = {"true": 0, "false": 0}
    for answers in answer_sets:
        raw = answers.get(qid)
        if raw is None:
            counts["(no answer)"] = counts.get("(no answer)", 0) + 1
            continue
        a = normalize_answer(q, raw)
        if q.type == "multiple":
            keys = a
        elif q.type == "truefalse":
            keys = ["true" if a else "false"]
        elif q.type == "ordering":
            keys = [" ".join(a)]
        elif q.type == "numeric":
            keys = [f"{a:g}"]
        elif q.type == "short":
            keys = [" ".join(a.split()).lower()]
        elif q.type == "text":
            keys = ["(answered)"]
        else:
            keys = [a]
        for key in keys:
            # A short answer is what a student wrote: capped and without control characters, in the
            # table and in the JSON alike.
            key = clean(key, QUIZ_RESPONSE_CHARS, lines=False)
            counts[key] = counts.get(key, 0) + 1
    return counts


def quiz_stats(quiz: Quiz, answer_sets: list[dict[str, Any]]) -> QuizStats:
    """Statistics for one quiz over several students' answers (one answers dict per student), scored now."""
    if not answer_sets:
        raise ValueError("no answers to analyse")
    results = [score_quiz(quiz, answers) for answers in answer_sets]
    return _stats(quiz, answer_sets, [[r.questions[i].score for r in results] for i in range(len(quiz.questions))])


def quiz_stats_from_results(quiz: Quiz, attempts: list[Any]) -> QuizStats:
    """Statistics over the results a gradebook keeps (``Gradebook.quiz_results``: each with ``answers`` and
    ``questions``, a list of {id, score, ...}): the scores as recorded, so an instructor's review counts.
    A question a result does not hold (added to the quiz since) scores 0."""
    if not attempts:
        raise ValueError("no results to analyse")
    recorded = [{q["id"]: float(q["score"]) for q in a.questions} for a in attempts]
    item_scores = [[scores.get(q.id, 0.0) for scores in recorded] for q in quiz.questions]
    return _stats(quiz, [{k: v for k, v in a.answers.items() if k in {q.id for q in quiz.questions}}
                         for a in attempts], item_scores)


def _stats(quiz: Quiz, answer_sets: list[dict[str, Any]], item_scores: list[list[float]]) -> QuizStats:
    totals = [sum(column) for column in zip(*item_scores)] if item_scores else [0.0] * len(answer_sets)
    questions = []
    for i, q in enumerate(quiz.questions):
        xs = item_scores[i]
        rest = [t - x for t, x in zip(totals, xs)]
        var = sample_variance(xs)
        r = pearson(xs, rest)
        questions.append(QuestionStats(
            id=q.id, type=q.type, max_score=q.points,
            answered=sum(1 for a in answer_sets if a.get(q.id) is not None),
            mean=mean(xs), sd=math.sqrt(var) if var is not None else None,
            facility_index=100 * mean(xs) / q.points,
            discrimination_index=100 * r if r is not None else None,
            responses=_responses(quiz, answer_sets, q.id),
        ))
    var_total = sample_variance(totals)
    return QuizStats(
        quiz=quiz.id, students=len(answer_sets), max_score=quiz.total_points, mean=mean(totals),
        sd=math.sqrt(var_total) if var_total is not None else None,
        cronbach_alpha=cronbach_alpha(item_scores), questions=questions,
    )
