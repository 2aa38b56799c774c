"""Caps on the work the trusted side does with what a submission controls, in one place.

Whatever the grader does with a submission's output is linear (or better) in a size that is
capped here. Plain named constants, one comment each; keep each area's constants together
under a comment that names the area.
"""

# --- exercise checks (grader/checking.py, grader/checks/): describing and comparing returned values

DESCRIBE_ITEMS = 40        # elements (list items, tensor values, frame cells) a description looks at
DESCRIBE_CHARS = 200       # characters a description of a returned value may have
DESCRIBE_INT_DIGITS = 40   # digits of an int shown in full (a longer one is described by its size)
