"""The class roster (``roster.csv``: id, name, email, section) and matching submissions to it.

A submission is matched by its name (``alice.ipynb``, ``alice/``, ``alice.py`` are all
``alice``) against the students' ids, case-insensitively, then against the local part of
their e-mail addresses when that is unambiguous. A malformed roster is a
``RosterError`` whose one-line message says what to fix.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.gradebook.store import Student

COLUMNS = ("id", "name", "email", "section")


class RosterError(Exception):
    """The roster cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class Roster:
    students: tuple[Student, ...]

    def match(self, name: str) -> Student | None:
        """The student a submission named ``name`` belongs to, or None."""
        key = name.strip().casefold()
        by_id = {s.id.casefold(): s for s in self.students}
        if key in by_id:
            return by_id[key]
        by_email: dict[str, list[Student]] = {}
        for student in self.students:
            local = student.email.partition("@")[0].strip().casefold()
            if local:
                by_email.setdefault(local, []).append(student)
        found = by_email.get(key, [])
        return found[0] if len(found) == 1 else None


def load_roster(path: Path) -> Roster:
    """Read ``roster.csv``; any problem is a ``RosterError`` naming the file and what to fix."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RosterError(f"cannot read the roster {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterError(f"the roster {path} is not UTF-8 text (line {line}): save it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise RosterError(f"the roster {path} is not valid CSV (line {reader.line_num}): {exc}") from None
    if not rows:
        raise RosterError(f"the roster {path} is empty: give a header row with {', '.join(COLUMNS)}")
    header = [h.strip().casefold() for h in rows[0]]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError(f"the roster {path} lacks the column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)}: its header must name {', '.join(COLUMNS)}")
    repeated = sorted({h for h in header if h in COLUMNS and header.count(h) > 1})
    if repeated:
        raise RosterError(f"the roster {path} has the column {', '.join(repeated)} twice: keep one")
    where = {c: header.index(c) for c in COLUMNS}
    students: list[Student] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], 2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i].strip() if i < len(row) else "") for c, i in where.items()}
        if not cells["id"]:
            raise RosterError(f"the roster {path} has a student with no id on line {number}: fill in the id")
        key = cells["id"].casefold()
        if key in seen:
            raise RosterError(f"the roster {path} has the id {cells['id']!r} twice (lines {seen[key]} and {number}): "
                              "ids must be unique")
        seen[key] = number
        students.append(Student(cells["id"], cells["name"], cells["email"], cells["section"], True))
    if not students:
        raise RosterError(f"the roster {path} lists no students: add one row per student under the header")
    return Roster(tuple(students))
