"""The `grader` command line: thin Click commands over plain functions."""

from __future__ import annotations

import click

from grader.quiz.cli import quiz


@click.group()
@click.version_option(package_name="dl-grader")
def main() -> None:
    """Grade the course's exercises and take its quizzes."""


main.add_command(quiz)
