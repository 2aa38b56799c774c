"""Caps on what a submission controls: every size the trusted side works through is capped here.

Plain named constants, one comment each, grouped by area (add yours under a comment naming it).
"""

# --------------------------------------------------------------------------- the sandbox (grader/sandbox/)

RESULT_LIMIT = 64 * 1024 * 1024       # bytes of one reply a child may send (its JSON and its buffers)
HEADER_LIMIT = 4 * 1024 * 1024        # bytes of a reply's JSON: "[]," can become ~20 times that in memory
REQUEST_LIMIT = 256 * 1024 * 1024     # bytes of one request the child accepts from the host
MESSAGE_LIMIT = 500                   # characters of an exception message the child reports
WIRE_DEPTH = 32                       # nesting of a value crossing the wire (lists, dicts, modules)
EXCEPTION_ANCESTORS = 64              # names of built-in classes in an exception's MRO the host reads
