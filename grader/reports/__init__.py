"""What instructors take away from the gradebook, built from graded records.

- ``records``: what the reports read (``GradedRecord``, from the gradebook or a ``grade --out`` folder);
- ``export``: ``grader export``, grades for an LMS (csv, Canvas, Moodle, Gradescope);
- ``html``: ``grader report``, one self-contained page for the class;
- ``feedback``: ``grader feedback``, a Markdown and an HTML file per student;
- ``similarity``: ``grader similarity``, pairs of submissions with suspiciously alike code;
- ``autograder``: ``grader autograder``, the zip Gradescope runs to grade an assignment, and its runner.
"""
