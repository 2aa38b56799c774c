from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from grader.quiz.model import Quiz
from grader.quiz.parse import load_quiz, parse_quiz

FIXTURES = Path(__file__).parent / "fixtures"

FRONT = "---\nid: q\ntitle: A quiz\n---\n\n"


def quiz_from(body: str, front: str = FRONT) -> Quiz:
    """Parse a quiz given its body (front matter added), as if it were file q.md."""
    return parse_quiz(front + textwrap.dedent(body), Path("q.md"))


@pytest.fixture
def all_types() -> Quiz:
    return load_quiz(FIXTURES / "all-types.md")
