"""The class leaderboard of model exercises: each student's figures from results.json's
``leaderboard`` (computed on the trusted side by the model exercises' checks), best first.

Students are shown by name or by a pseudonym, as the instructor chooses (``grader report
--leaderboard names|pseudonyms``). A pseudonym is a keyed hash of the student's name: the key is
made once per course folder (``.grader/pseudonym.key``) and never leaves it, so a student who
knows the roster cannot work out whose pseudonym is whose, while each keeps theirs from one
report to the next (the instructor tells each student theirs).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from grader.reports.records import GradedRecord, ReportError
from grader.reports.text import html_text as h

STYLES = ("names", "pseudonyms")
KEY_FILE = ".grader/pseudonym.key"


@dataclass(frozen=True)
class Entry:
    shown: str                    # the name or the pseudonym
    figures: dict[str, float]     # "Accuracy": 0.81, ...


def pseudonym(student: str, key: bytes) -> str:
    """A stable pseudonym: 'passenger-' and 6 hex digits of an HMAC of the name."""
    return "passenger-" + hmac.new(key, student.encode("utf-8"), hashlib.sha256).hexdigest()[:6]


def pseudonym_key(course: Path) -> bytes:
    """The course's pseudonym key, made (readable by its owner only) on first use."""
    path = Path(course) / KEY_FILE
    try:
        if path.is_file():
            return bytes.fromhex(path.read_text(encoding="ascii").strip())
        path.parent.mkdir(parents=True, exist_ok=True)
        key = secrets.token_bytes(32)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as out:
            out.write(key.hex() + "\n")
        return key
    except (OSError, ValueError) as exc:
        raise ReportError(f"cannot read or make the pseudonym key {path} ({type(exc).__name__}); "
                          "remove the file to make a new one, or use --leaderboard names") from None


def _figures(results: dict) -> dict[str, float]:
    figures = {}
    for entry in results.get("leaderboard") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and \
                isinstance(entry.get("value"), (int, float)) and not isinstance(entry.get("value"), bool):
            figures.setdefault(entry["name"][:40], float(entry["value"]))
    return figures


def entries(records: list[GradedRecord], style: str, key: bytes = b"") -> list[Entry]:
    """One entry per student with figures, best first by the first figure (its order: a loss ascending)."""
    if style not in STYLES:
        raise ReportError(f"unknown leaderboard style {style!r}: use one of {', '.join(STYLES)}")
    rows = [Entry(r.student if style == "names" else pseudonym(r.student, key), _figures(r.results))
            for r in records]
    rows = [row for row in rows if row.figures]
    if not rows:
        return []
    first = next(iter(rows[0].figures))
    sign = 1.0 if "loss" in first.lower() else -1.0
    return sorted(rows, key=lambda row: (first not in row.figures, sign * row.figures.get(first, 0.0), row.shown))


def section(records: list[GradedRecord], style: str | None, key: bytes = b"") -> str:
    """The report's leaderboard section ('' without a style or without model exercises)."""
    if style is None:
        return ""
    rows = entries(records, style, key)
    if not rows:
        return ""
    names = list(dict.fromkeys(name for row in rows for name in row.figures))
    head = "".join(f"<th class=n>{h(n)}</th>" for n in names)
    body = "".join(
        f"<tr><td class=n>{rank}</td><td>{h(row.shown)}</td>"
        + "".join(f"<td class=n>{row.figures[n]:.4f}</td>" if n in row.figures else "<td></td>" for n in names)
        + "</tr>" for rank, row in enumerate(rows, 1))
    who = "by name" if style == "names" else "by pseudonym"
    return (f'<h2 id="leaderboard">Leaderboard</h2><p class="muted">Model exercises, scored on passengers whose labels '
            f"only the grader has; students {who}.</p><table><thead><tr><th class=n>rank</th><th>student</th>"
            f"{head}</tr></thead><tbody>{body}</tbody></table>")
