"""Caps on the work the trusted side does with what a submission controls: all of them live here.

Whatever the grader does with something a submission (or a student's file) controls is linear or
better in a size capped by one of these constants. Plain named constants, one comment each; keep
each area's constants together under a comment naming it.
"""

# --- quizzes: students' answers files (grader/quiz/scoring.py, grader/quiz/record.py) ---------------
QUIZ_ANSWERS_FILE_BYTES = 256 * 1024  # an answers file's size; a whole quiz of free-text answers is far less
QUIZ_ANSWERS_NESTING = 8  # arrays and objects nested in an answers file; a valid one nests 3 deep
QUIZ_NUMBER_CHARS = 40  # characters of one number in an answers file (a float has 17 significant digits)
QUIZ_NAME_CHARS = 200  # characters of the name an answers file is filed under (its file or folder name)
QUIZ_SHOWN_CHARS = 500  # characters of a line about an answers file printed to the terminal
QUIZ_RESPONSE_CHARS = 200  # characters of one student's answer as `grader quiz stats` shows it
