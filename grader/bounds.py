"""Caps on the work the trusted side does with what a submission controls, in one place.

Whatever the grader's own process does with a submission (reading, hashing, scanning,
comparing) is linear or better in a size capped here. Plain named constants, a one-line
comment each; keep each area's caps grouped under a comment naming the area.
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

# --- Similarity of submissions' code (grader/reports/similarity.py) -----------------------
MAX_SIMILARITY_BYTES = 1 * MB          # source text parsed and tokenised per submission, all files together
