"""The `grader` command line, split by audience: thin Click commands over plain functions.

- ``student``: list, check, watch, status, hint;
- ``quiz``: the ``grader quiz`` group (take, score, stats, review, export, ...);
- ``instructor``: grade, export, validate, release, report, feedback, similarity, collect, gradebook,
  autograder, extend, adjust, drop-check; only in the
  instructor's course (a released copy has no such module);
- ``common``: the options and behaviour they share.
"""

from __future__ import annotations

import click

from grader.cli import student
from grader.cli.common import Commands
from grader.cli.quiz import quiz

try:
    import grader.cli.instructor as instructor
except ModuleNotFoundError as exc:  # a students' copy made by `grader release`
    if exc.name != "grader.cli.instructor":
        raise
    instructor = None


@click.group(cls=Commands)
@click.version_option(package_name="dl-grader")
def main() -> None:
    """Grade the course's exercises and take its quizzes."""


for command in (student.list_exercises, student.check, student.watch, student.status, student.hint, quiz):
    main.add_command(command)
if instructor is not None:
    for command in (instructor.grade, instructor.export, instructor.validate, instructor.release,
                    instructor.report, instructor.feedback, instructor.similarity, instructor.collect,
                    instructor.gradebook_group, instructor.autograder):
        main.add_command(command)
    for command in (instructor.extend, instructor.adjust, instructor.drop_check):  # assignments (issue 17)
        main.add_command(command)
