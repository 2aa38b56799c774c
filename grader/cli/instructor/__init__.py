"""The instructor's commands. They exist only in the instructor's course: `grader release` leaves
this package out of the students' copy, so a student's `grader --help` lists the student's
commands alone.

- ``grading``: grade, validate, release, autograder;
- ``outputs``: export, report, feedback, similarity;
- ``records``: collect, gradebook merge, extend, adjust, drop-check;
- ``shared``: what they share (the gradebook, an assignment's exercises).
"""

from grader.cli.instructor.grading import autograder, grade, release, validate
from grader.cli.instructor.outputs import export, feedback, report, similarity
from grader.cli.instructor.records import adjust, collect, drop_check, extend, gradebook_group

__all__ = ["adjust", "autograder", "collect", "drop_check", "export", "extend", "feedback", "grade", "gradebook_group",
           "release", "report", "similarity", "validate"]
