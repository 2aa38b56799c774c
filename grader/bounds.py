"""Caps on the work the trusted side does with what a submission controls, in one place.

Whatever the grader's own process does with what a submission controls (reading, hashing,
scanning, comparing, describing) is linear or better in a size capped here. Plain named
constants, a one-line comment each; keep each area's caps grouped under a comment naming it.
"""

from __future__ import annotations

MB = 1024 * 1024

# --- Reading submissions (grader/submission.py) -------------------------------------------
MAX_SOURCE_BYTES = 1 * MB              # a .py file, and the code cells of a notebook together
MAX_NOTEBOOK_BYTES = 20 * MB           # a notebook file, outputs included
MAX_NOTEBOOK_CELLS = 2000              # cells of any kind in a notebook; more and it is refused
MAX_FOLDER_ENTRIES = 2000              # files and folders looked at in a submission folder
MAX_FOLDER_READ_BYTES = 128 * MB       # bytes read from a submission folder's files, all together

# --- Content hashes of submissions (grader/gradebook/hashing.py) --------------------------
HASH_CHUNK_BYTES = 1 * MB              # the buffer a file is hashed through (memory is this, not the file)
MAX_HASHED_FILE_BYTES = MAX_NOTEBOOK_BYTES   # a larger file is never read by the grader: it counts by size
MAX_HASHED_BYTES = 256 * MB            # bytes hashed per submission; past it files count by size and time
MAX_HASHED_ENTRIES = 20 * MAX_FOLDER_ENTRIES  # files and folders hashed; past it the hash never matches

# --- Collecting submissions from git (grader/gradebook/collect.py) -------------------------
MAX_COLLECTED_BYTES = MAX_FOLDER_READ_BYTES  # a commit's files written out per student; past it, not collected

# --- Similarity of submissions' code (grader/reports/similarity.py) -----------------------
MAX_SIMILARITY_BYTES = 1 * MB          # source text parsed and tokenised per submission, all files together

# --------------------------------------------------------------------------- the sandbox (grader/sandbox/)

RESULT_LIMIT = 64 * 1024 * 1024       # bytes of one reply a child may send (its JSON and its buffers)
HEADER_LIMIT = 4 * 1024 * 1024        # bytes of a reply's JSON: "[]," can become ~20 times that in memory
REQUEST_LIMIT = 256 * 1024 * 1024     # bytes of one request the child accepts from the host
MESSAGE_LIMIT = 500                   # characters of an exception message the child reports
WIRE_DEPTH = 32                       # nesting of a value crossing the wire (lists, dicts, modules)
EXCEPTION_ANCESTORS = 64              # names of built-in classes in an exception's MRO the host reads
MAX_CALL_CPU_SECONDS = 30.0           # CPU budget a check may give one call (a model's training, say)
MAX_CALL_TIMEOUT = 60.0               # wall-clock timeout a check may give one call
MAX_OBSERVED_EVENTS = 20000           # events a child reports of a training call it watched (forwards, gradients)

# --- quizzes (grader/quiz/): students' answers files, and what the quiz commands print of them

QUIZ_ANSWERS_FILE_BYTES = 256 * 1024  # an answers file's size; a whole quiz of free-text answers is far less
QUIZ_ANSWERS_NESTING = 8  # arrays and objects nested in an answers file; a valid one nests 3 deep
QUIZ_NUMBER_CHARS = 40  # characters of one number in an answers file (a float has 17 significant digits)
QUIZ_NAME_CHARS = 200  # characters of the name an answers file is filed under (its file or folder name)
QUIZ_SHOWN_CHARS = 500  # characters of a line about an answers file printed to the terminal
QUIZ_RESPONSE_CHARS = 200  # characters of one student's answer as `grader quiz stats` shows it


# --- exercise checks (grader/checking.py, grader/checks/): describing and comparing returned values

DESCRIBE_ITEMS = 40        # elements (list items, tensor values, frame cells) a description looks at
DESCRIBE_CHARS = 200       # characters a description of a returned value may have
DESCRIBE_INT_DIGITS = 40   # digits of an int shown in full (a longer one is described by its size)


# --- submission times (grader/gradebook/times.py): what grade reads to date a submission

TIMES_FILE_BYTES = 16 * MB     # a --times CSV (an LMS download of a large class is far less)
GIT_TIME_CHARS = 64            # characters of `git log -1 --format=%cI`'s answer read (an ISO time is 25)
