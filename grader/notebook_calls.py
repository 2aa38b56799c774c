"""The lines of a notebook that call the in-notebook grader (``grader.notebook``), taken out before
the notebook is graded, as magics are: they are the student asking for a check, not an answer,
and the grader is not there to import in the sandbox.

- a cell that imports or calls ``grader.notebook`` and, on its other lines, defines, imports
  or assigns nothing at its top level (a cell of its own for ``r = grader.check("calc_preds")``
  and ``r.points``, as the released notebooks have) is commented out whole;
- in a cell that also defines something (``def calc_preds(...): ...`` then
  ``grader.check("calc_preds")``), only the lines that import or call it become ``pass``
  (a call written over several lines is taken out whole).

A call is recognised where it is the statement: at the start of a line or after a ``;``,
perhaps assigned (``r = grader.check()``) or wrapped in ``display(...)`` or ``print(...)``.

Line counts and indentation are kept, so messages name the same cell and line as the notebook
shows. A text scan, linear in the code (the grader never parses submission code); the names it
knows are ``grader`` and the aliases and functions that the notebook's own import lines give.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CALLS = ("check", "hint", "configure")
_IMPORT = re.compile(r"^\s*(?:import\s+grader\.notebook\b|from\s+grader\.notebook\s+import\b|"
                     r"from\s+grader\s+import\s+notebook\b)")
_ALIAS = re.compile(r"^[ \t]*import[ \t]+grader\.notebook[ \t]+as[ \t]+(\w+)"
                    r"|^[ \t]*from[ \t]+grader[ \t]+import[ \t]+notebook(?:[ \t]+as[ \t]+(\w+))?", re.MULTILINE)
_FROM = re.compile(r"^[ \t]*from[ \t]+grader\.notebook[ \t]+import[ \t]+\(?([\w \t,]+)", re.MULTILINE)
# What makes a cell more than a request for a check: it defines a function or class, imports, or
# assigns a name at its top level (other than on the grader's own lines).
_DEFINES = re.compile(r"^(?:async[ \t]+)?def[ \t]|^class[ \t]|^[ \t]*(?:import|from)[ \t]"
                      r"|^\w+[ \t]*(?::[^=\n]*)?=(?!=)", re.MULTILINE)
LONGEST_SCANNED_LINE = 10_000   # longer lines are not looked at (no call of the grader is that long)


def calls_pattern(codes: Iterable[str]) -> re.Pattern[str]:
    """A line that calls the grader, under the names the notebook's import lines gave it."""
    aliases = {"grader"}
    functions: set[str] = set()
    for code in codes:
        if "grader" not in code:
            continue
        for match in _ALIAS.finditer(code):
            aliases.add(match.group(1) or match.group(2) or "notebook")
        for match in _FROM.finditer(code):
            for part in match.group(1).split(","):
                words = part.split()
                if words and words[0] in CALLS:
                    functions.add(words[-1])
    names = [rf"\b{re.escape(a)}[ \t]*\.[ \t]*(?:{'|'.join(CALLS)})" for a in sorted(aliases)]
    names += [rf"{re.escape(f)}\b" for f in sorted(functions)]
    # The call is the statement (at the line's start or after a ";"), maybe assigned or displayed.
    return re.compile(rf"(?:^|;)[ \t]*(?:\w+[ \t]*=[ \t]*)?(?:(?:display|print)[ \t]*\([ \t]*)?"
                      rf"(?:{'|'.join(names)})[ \t]*\(")


def _depth(line: str) -> int:
    """Brackets opened minus closed on ``line``, outside strings and comments (enough to find where
    a call written over several lines ends)."""
    depth, quote, i = 0, "", 0
    while i < len(line):
        c = line[i]
        if quote:
            if c == "\\":
                i += 1
            elif line.startswith(quote, i):
                i += len(quote) - 1
                quote = ""
        elif c == "#":
            break
        elif c in "\"'":
            quote = c * 3 if line.startswith(c * 3, i) else c
            i += len(quote) - 1
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        i += 1
    return depth


def _is_call(line: str, calls: re.Pattern[str]) -> bool:
    return len(line) <= LONGEST_SCANNED_LINE and bool(_IMPORT.match(line) or calls.search(line.split("#", 1)[0]))


def without_grader_calls(code: str, calls: re.Pattern[str]) -> str:
    """``code`` (one cell) without its calls of the grader, as the module's docstring says."""
    lines = code.split("\n")
    if not any(_is_call(line, calls) for line in lines):
        return code
    out: list[str] = []
    kept: list[str] = []    # the lines that are not the grader's
    depth = 0
    for line in lines:
        if depth > 0:           # inside a call that began on an earlier line
            depth += _depth(line)
            out.append(f"# {line}")
        elif _is_call(line, calls):
            stripped = line.lstrip()
            out.append(f"{line[: len(line) - len(stripped)]}pass  # {stripped}")
            depth = max(_depth(line), 0)
        else:
            out.append(line)
            kept.append(line)
    if not _DEFINES.search("\n".join(kept)):
        return "\n".join(f"# {line}" if line else line for line in lines)
    return "\n".join(out)


def notebook_without_grader_calls(cells: list) -> list:
    """A notebook's ``cells`` (nbformat 4 dicts, as read from its JSON) with the code cells' calls of
    the grader taken out; cells that are not well-formed are left as they are, for the reader to judge."""
    def source(cell: object) -> str | None:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            return None
        code = cell.get("source", "")
        if isinstance(code, list) and all(isinstance(part, str) for part in code):
            return "".join(code)
        return code if isinstance(code, str) else None

    codes = [source(cell) for cell in cells]
    if not any(code and "grader" in code for code in codes):
        return cells
    calls = calls_pattern(code for code in codes if code)
    out = []
    for cell, code in zip(cells, codes):
        if code:
            changed = without_grader_calls(code, calls)
            if changed != code:
                cell = {**cell, "source": changed}
        out.append(cell)
    return out
