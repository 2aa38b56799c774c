"""Text that came from a submission, made safe to show: capped, control characters removed,
then escaped for the page (``html.escape``) or for Markdown."""

from __future__ import annotations

import html
import re
import unicodedata

LIMIT = 500          # characters of one message, name or line shown
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|<>~&])")


def clean(value: object, limit: int = LIMIT) -> str:
    """``value`` as text of at most ``limit`` characters (then an ellipsis), without control or
    format characters (ANSI escapes, bidirectional overrides); newlines and tabs are kept."""
    text = value if isinstance(value, str) else str(value)
    if len(text) > 4 * limit:
        text = text[: 4 * limit]
    text = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Co"))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def html_text(value: object, limit: int = LIMIT) -> str:
    """Capped, cleaned and HTML-escaped (quotes too, so it is safe inside attributes)."""
    return html.escape(clean(value, limit), quote=True)


def markdown_text(value: object, limit: int = LIMIT) -> str:
    """Capped, cleaned and escaped for inline Markdown on one line: every character that
    Markdown or GitHub's HTML would act on (backticks, pipes, a leading #, <, >, ...) is
    backslash-escaped, and newlines become spaces, so it can stand in a table cell."""
    text = " ".join(clean(value, limit).split())
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_block(value: object, limit: int = LIMIT) -> str:
    """Capped and cleaned text as a fenced code block whose fence no line of it can close."""
    text = clean(value, limit)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{text}\n{fence}"
