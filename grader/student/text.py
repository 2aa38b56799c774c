"""Messages from a grading, made safe to put on a terminal, in a CI log or in a file.

A check's message can quote what a submission returned or raised, so it may hold escape
sequences or control characters; here they become visible ``\\x1b``-style escapes, and long
messages are cut.
"""

from __future__ import annotations

import re

from rich.console import Console, RenderableType

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


def student_console(ci: bool = False, *, min_width: int = 0) -> Console:
    """The console a student command prints to: rich's own on a terminal (at least ``min_width``
    wide, for tables); plain lines for a CI log (``ci``); and when the output goes elsewhere (a
    notebook cell's ``!grader check``, a pipe, a file), lines as long as they are, neither wrapped
    at 80 columns nor padded."""
    if ci:
        return Console(force_terminal=False, force_interactive=False, color_system=None, no_color=True,
                       soft_wrap=True, width=10_000, highlight=False, emoji=False)
    console = Console(highlight=False)
    if console.is_terminal:
        return Console(highlight=False, width=max(console.width, min_width)) if min_width else console
    return Console(highlight=False, soft_wrap=True, width=10_000, emoji=False)


def print_unpadded(console: Console, renderable: RenderableType) -> None:
    """Print ``renderable`` (a table, a group of them); off a terminal without the spaces rich pads
    its cells' lines with up to the table's width."""
    if console.is_terminal:
        console.print(renderable)
        return
    with console.capture() as captured:
        console.print(renderable)
    for line in captured.get().splitlines():
        console.out(line.rstrip(), highlight=False)
