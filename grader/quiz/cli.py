"""`grader quiz ...` commands."""

from __future__ import annotations

import click


@click.group()
def quiz() -> None:
    """Take, score, export and analyse the course's markdown quizzes."""
