"""Reports for instructors and students, built from graded records.

- ``records``: what the reports read (``GradedRecord``, from a ``grade --out`` folder);
- ``html``: ``grader report``, one self-contained page for the class;
- ``feedback``: ``grader feedback``, a Markdown and an HTML file per student;
- ``similarity``: ``grader similarity``, pairs of submissions with suspiciously alike code.
"""
