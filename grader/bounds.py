"""Caps on the work the trusted side does with what a submission controls, in one place.

Whatever the grader does with a submission's output is linear (or better) in a size that is
capped here. Plain named constants, one comment each; keep each area's constants together
under a comment that names the area.
"""

# --------------------------------------------------------------------------- the sandbox (grader/sandbox/)

RESULT_LIMIT = 64 * 1024 * 1024       # bytes of one reply a child may send (its JSON and its buffers)
HEADER_LIMIT = 4 * 1024 * 1024        # bytes of a reply's JSON: "[]," can become ~20 times that in memory
REQUEST_LIMIT = 256 * 1024 * 1024     # bytes of one request the child accepts from the host
MESSAGE_LIMIT = 500                   # characters of an exception message the child reports
WIRE_DEPTH = 32                       # nesting of a value crossing the wire (lists, dicts, modules)
EXCEPTION_ANCESTORS = 64              # names of built-in classes in an exception's MRO the host reads

# --- quizzes (grader/quiz/): students' answers files, and what the quiz commands print of them

QUIZ_ANSWERS_FILE_BYTES = 256 * 1024  # an answers file's size; a whole quiz of free-text answers is far less
QUIZ_ANSWERS_NESTING = 8  # arrays and objects nested in an answers file; a valid one nests 3 deep
QUIZ_NUMBER_CHARS = 40  # characters of one number in an answers file (a float has 17 significant digits)
QUIZ_NAME_CHARS = 200  # characters of the name an answers file is filed under (its file or folder name)
QUIZ_SHOWN_CHARS = 500  # characters of a line about an answers file printed to the terminal
QUIZ_RESPONSE_CHARS = 200  # characters of one student's answer as `grader quiz stats` shows it
