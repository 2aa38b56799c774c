"""The class roster and matching submissions to it.

Three kinds of file are read as rosters, told apart by their header:

- ``roster.csv``: id, name, email, section;
- Canvas's gradebook export (Grades, Export): Student ("Last, First"), ID, SIS User ID,
  SIS Login ID, Section, then the assignments' columns; its "Points Possible" row and the
  course's test student are skipped. A student's id is the SIS User ID, else the SIS Login
  ID, else Canvas's ID; all three are kept for the Canvas export;
- Moodle's participants or grades export: First name, Last name, Email address, and where
  present Username, ID number and Groups. A student's id is the username, else the ID number,
  else the e-mail address's local part; the username and ID number are kept for the Moodle export.

A submission is matched by its name (``alice.ipynb``, ``alice/``, ``alice.py`` are all
``alice``) against the students' ids, case-insensitively, then their LMS logins and usernames,
then the local part of their e-mail addresses when that is unambiguous. A malformed roster is
a ``RosterError`` whose one-line message says what to fix.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from grader.gradebook.rows import Student

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
        by_login: dict[str, list[Student]] = {}
        for student in self.students:
            for login in {student.identity("sis_login_id"), student.identity("username")} - {""}:
                by_login.setdefault(login.strip().casefold(), []).append(student)
        found = by_login.get(key, [])
        if len(found) == 1:
            return found[0]
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
    if {"student", "sis user id", "sis login id"} <= set(header):
        return _unique(path, _canvas_students(path, header, rows))
    if {"first name", "last name", "email address"} <= set(header):
        return _unique(path, _moodle_students(path, header, rows))
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise RosterError(f"the roster {path} lacks the column{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)}: its header must name {', '.join(COLUMNS)} (or be Canvas's "
                          "gradebook export, or Moodle's participants or grades export)")
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


def _cells(header: list[str], row: list[str], *names: str) -> list[str]:
    return [row[header.index(n)].strip() if n in header and header.index(n) < len(row) else "" for n in names]


def _canvas_students(path: Path, header: list[str], rows: list[list[str]]) -> list[tuple[int, Student]]:
    found = []
    for number, row in enumerate(rows[1:], 2):
        name, canvas_id, sis_user, login, section = _cells(header, row, "student", "id", "sis user id",
                                                           "sis login id", "section")
        if not (name or canvas_id or sis_user or login) or name.startswith("Points Possible"):
            continue
        if name == "Student, Test" and not (sis_user or login):
            continue  # the course's test student
        student_id = sis_user or login or canvas_id
        if not student_id:
            raise RosterError(f"the Canvas roster {path} has a student with no ID, SIS User ID or SIS Login ID on "
                              f"line {number}: export the gradebook again from Canvas")
        identities = {"lms": "canvas", "canvas_id": canvas_id, "sis_user_id": sis_user, "sis_login_id": login}
        found.append((number, Student(student_id, name, login if "@" in login else "", section, True,
                                      tuple(sorted(identities.items())))))
    return found


def _moodle_students(path: Path, header: list[str], rows: list[list[str]]) -> list[tuple[int, Student]]:
    found = []
    for number, row in enumerate(rows[1:], 2):
        first, last, email, username, idnumber, groups = _cells(header, row, "first name", "last name",
                                                                "email address", "username", "id number", "groups")
        if not any((first, last, email, username, idnumber)):
            continue
        student_id = username or idnumber or email.partition("@")[0]
        if not student_id:
            raise RosterError(f"the Moodle roster {path} has a student with no username, ID number or e-mail "
                              f"address on line {number}: export it again with those fields")
        identities = {"lms": "moodle", **({"username": username} if "username" in header else {}),
                      **({"idnumber": idnumber} if "id number" in header else {})}
        found.append((number, Student(student_id, f"{first} {last}".strip(), email, groups, True,
                                      tuple(sorted(identities.items())))))
    return found


def _unique(path: Path, found: list[tuple[int, Student]]) -> Roster:
    seen: dict[str, int] = {}
    for number, student in found:
        key = student.id.casefold()
        if key in seen:
            raise RosterError(f"the roster {path} has the id {student.id!r} twice (lines {seen[key]} and {number}): "
                              "ids must be unique")
        seen[key] = number
    if not found:
        raise RosterError(f"the roster {path} lists no students: export it again with the students in it")
    return Roster(tuple(student for _, student in found))
