"""The course's own quizzes (quizzes/*.md): they parse, their answers score full, README lists them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.quiz.parse import load_quiz, quiz_files
from grader.quiz.scoring import score_answer

QUIZZES = Path(__file__).resolve().parents[2] / "quizzes"
FILES = quiz_files(QUIZZES)


def test_quiz_folder_exists():
    assert QUIZZES.is_dir()


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_quiz_parses(path):
    quiz = load_quiz(path)  # raises QuizError FILE:LINE: message if malformed
    assert quiz.id == path.stem and quiz.questions


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_correct_answers_score_full_marks(path):
    """Each question's own answer (for free text: the reference answer) earns every point."""
    quiz = load_quiz(path)
    problems = []
    for q in quiz.questions:
        answer = q.correct_answer()
        if answer is None:
            problems.append(f"{path}:{q.line}: {q.id}: no plain accepted form to check")
            continue
        result = score_answer(q, answer)
        if not result.correct:
            detail = f"rubric concepts missed by the reference answer: {result.missed}" if q.type == "text" \
                else f"its correct answer {answer!r} scores {result.score}/{result.max_score}"
            problems.append(f"{path}:{q.line}: {q.id}: {detail}")
    assert not problems, "\n".join(problems)


def readme_counts(readme: str) -> dict[str, int]:
    """Quiz id → question count from the README's markdown table (columns found by header name)."""
    counts: dict[str, int] = {}
    header: list[str] | None = None
    for line in readme.splitlines():
        if not line.strip().startswith("|"):
            header = None
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if "questions" not in header or set("".join(cells)) <= set("-: "):
            continue
        m = re.search(r"[a-z0-9][a-z0-9_-]*", cells[0].split("](")[0])
        if m:
            counts[m.group(0)] = int(cells[header.index("questions")])
    return counts


def test_readme_counts_parser():
    table = ("| Quiz | Title | Questions | Points |\n| --- | --- | ---: | ---: |\n"
             "| [week1](week1.md) | W1 | 30 | 37 |\n| `lab3` | L | 25 | 29 |\n")
    assert readme_counts(table) == {"week1": 30, "lab3": 25}


def test_readme_lists_every_quiz_with_its_question_count():
    readme = QUIZZES / "README.md"
    if not FILES:
        pytest.skip("no quizzes yet")
    assert readme.exists(), "quizzes/README.md is missing; generate its table with `grader quiz list --markdown`"
    counts = readme_counts(readme.read_text(encoding="utf-8"))
    wrong = []
    for path in FILES:
        quiz = load_quiz(path)
        if counts.get(quiz.id) != len(quiz.questions):
            wrong.append(f"{quiz.id}: README says {counts.get(quiz.id)}, the quiz has {len(quiz.questions)}")
    assert not wrong, "quizzes/README.md is out of date (regenerate with `grader quiz list --markdown`):\n" + \
        "\n".join(wrong)
