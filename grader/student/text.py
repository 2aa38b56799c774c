"""Messages from a grading, made safe to put on a terminal, in a CI log or in a file.

A check's message can quote what a submission returned or raised, so it may hold escape
sequences or control characters; here they become visible ``\\x1b``-style escapes, and long
messages are cut.
"""

from __future__ import annotations

import re

LIMIT = 2000
# C0/C1 controls (not tab or newline), bidirectional overrides, line separators, lone surrogates and
# the non-characters XML refuses.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
                      "\ud800-\udfff\ufffe\uffff]")


def printable(text: str, limit: int = LIMIT, *, one_line: bool = False) -> str:
    """``text`` without control characters (shown escaped), at most ``limit`` characters;
    ``one_line`` also turns newlines and tabs into spaces."""
    text = str(text)
    if one_line:
        text = re.sub(r"[\t\n]+", " ", text)
    text = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
