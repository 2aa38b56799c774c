"""The student's side of the course: the `grader watch` loop, `grader status`, CI output and the
state they keep in ``.grader/``."""
