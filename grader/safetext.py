"""Making untrusted text printable: one function, used wherever a submission's words are shown.

A submission controls its file names, its exception types and messages and what it prints.
Before any of it reaches a terminal, a results file or a page it goes through ``clean``:
control characters (ANSI and OSC escapes start with one), bidirectional overrides and lone
surrogates are removed and the length is capped. Rich markup is not escaped here; the display
prints cleaned text as ``rich.text.Text``, which never interprets markup (see grader/student/feedback.py).
"""

from __future__ import annotations

import re

# C0 and C1 controls (tab and newline are kept when lines are allowed), DEL, the Unicode
# bidirectional embeddings, overrides and isolates ("Trojan source"), line and paragraph
# separators, and lone surrogates (they cannot be encoded for a terminal or a file).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NEWLINES = re.compile(r"\r\n?|\n")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*")


def clean(text: object, limit: int = 500, *, lines: bool = True) -> str:
    """``text`` made safe to print: no control characters, at most about ``limit`` characters
    (a cut says how much was left out). With ``lines=False`` line breaks and tabs become spaces."""
    if not isinstance(text, str):
        text = "" if text is None else str(text)
    cut = ""
    if len(text) > limit:
        cut = f"… ({len(text) - limit:,} more characters)"
        text = text[:limit]
    text = _NEWLINES.sub("\n", text)
    if not lines:
        text = text.replace("\n", " ").replace("\t", " ")
    return _UNSAFE.sub("", text) + cut


def identifier(text: object, limit: int = 80, fallback: str = "Exception") -> str:
    """``text`` if it is a short (dotted) Python identifier, else ``fallback``: for names a
    submission reports about itself, such as exception types."""
    if isinstance(text, str) and len(text) <= limit and _IDENTIFIER.fullmatch(text):
        return text
    return fallback
