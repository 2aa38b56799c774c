"""When each submission was handed in, and how that is known.

In order of trust: a time given for the whole batch (``grade --submitted-at``), a CSV of times
(``grade --times FILE``, as an LMS download gives them: a column naming the submission or the
student, and a time column), the time of the graded commit when the submission is a git work
tree (``git log -1 --format=%cI``: the student's own clock), and, as a last resort, the latest
modification time of its files. ``submission_time`` returns the time and its source; the
gradebook stores both.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from grader import bounds
from grader.course import parse_time

#: What each source is called in the gradebook (``attempts.submitted_source``).
GIVEN, TIMES_FILE, GIT_COMMIT, FILE_TIME = "given", "times file", "git commit", "file time"

ID_COLUMNS = ("submission", "student", "id", "username", "user", "email", "email address", "name")
TIME_COLUMNS = ("time", "submitted", "submitted at", "submitted_at", "submission time", "timestamp", "date",
                "last modified")
MAX_TIMES_BYTES = bounds.TIMES_FILE_BYTES


class TimesError(Exception):
    """A times file or a time given cannot be used; the message says what to fix."""


@dataclass(frozen=True)
class SubmittedAt:
    time: datetime
    source: str                  # GIVEN, TIMES_FILE, GIT_COMMIT or FILE_TIME


def parse_given(text: str) -> datetime:
    """``--submitted-at``'s value; a ``TimesError`` saying how to write it otherwise."""
    try:
        return parse_time(text)
    except ValueError as exc:
        raise TimesError(f"--submitted-at {text!r} is not an ISO 8601 time with a UTC offset ({exc}); "
                         "write it as 2026-10-20T23:59+02:00") from None


def load_times(path: Path) -> dict[str, datetime]:
    """A times file: lower-cased submission or student name -> time. Any problem is one ``TimesError`` line."""
    path = Path(path)
    try:
        if path.stat().st_size > MAX_TIMES_BYTES:
            raise TimesError(f"the times file {path} is larger than {MAX_TIMES_BYTES // bounds.MB} MB; "
                             "keep only the submission and time columns")
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise TimesError(f"cannot read the times file {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise TimesError(f"the times file {path} is not UTF-8 text: save it as UTF-8 CSV") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        rows = [r for r in reader if any(c.strip() for c in r)]
    except csv.Error as exc:
        raise TimesError(f"the times file {path} is not valid CSV (line {reader.line_num}): {exc}") from None
    if not rows:
        raise TimesError(f"the times file {path} is empty; it needs a header row: submission,time")
    header = [c.strip().casefold() for c in rows[0]]
    who = next((header.index(c) for c in ID_COLUMNS if c in header), None)
    when = next((header.index(c) for c in TIME_COLUMNS if c in header), None)
    if who is None or when is None:
        raise TimesError(f"the times file {path} needs a column naming the submission or student ("
                         f"{', '.join(ID_COLUMNS[:3])}) and a time column ({', '.join(TIME_COLUMNS[:3])}); "
                         f"its header is {', '.join(header)[:200]}")
    times = {}
    for number, row in enumerate(rows[1:], 2):
        if len(row) <= max(who, when) or not row[who].strip():
            raise TimesError(f"the times file {path}, line {number}: a row needs the submission and its time")
        try:
            times[row[who].strip().casefold()] = parse_time(row[when])
        except ValueError:
            raise TimesError(f"the times file {path}, line {number}: {row[when][:60]!r} is not an ISO 8601 time "
                             "with a UTC offset (2026-10-20T23:59+02:00)") from None
    return times


def submission_time(path: Path, *, names: tuple[str, ...] = (), given: datetime | None = None,
                    times: dict[str, datetime] | None = None) -> SubmittedAt:
    """When the submission at ``path`` was handed in; ``names`` are what a times file may call it (the
    submission's name, the student's id)."""
    if given is not None:
        return SubmittedAt(given, GIVEN)
    for name in names:
        if times and name.casefold() in times:
            return SubmittedAt(times[name.casefold()], TIMES_FILE)
    committed = git_commit_time(Path(path))
    if committed is not None:
        return SubmittedAt(committed, GIT_COMMIT)
    return SubmittedAt(file_time(Path(path)), FILE_TIME)


def git_commit_time(path: Path) -> datetime | None:
    """The committer time of HEAD when ``path`` is the top of a git work tree, else None. Git runs with no
    system or global configuration, no pager and a timeout; its answer is parsed strictly."""
    if not path.is_dir() or path.is_symlink() or not (path / ".git").exists():
        return None
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_TERMINAL_PROMPT": "0", "HOME": os.devnull}
    try:
        # The submission's own .git/config is read by git: every setting through which `git log` could run a
        # program (a pager, a signature check's gpg, the fsmonitor, hooks) is overridden on the command line.
        done = subprocess.run(["git", "-c", "safe.directory=*", "-c", "core.fsmonitor=false", "-c", "core.pager=cat",
                               "-c", "log.showSignature=false", "-c", "gpg.program=false", "-c",
                               f"core.hooksPath={os.devnull}", "--no-pager", "-C", str(path), "log", "-1",
                               "--no-show-signature", "--format=%cI"], env=env, capture_output=True, timeout=10,
                              stdin=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0:
        return None
    try:
        return parse_time(done.stdout[:bounds.GIT_TIME_CHARS].decode("ascii").strip())
    except (UnicodeDecodeError, ValueError):
        return None


def file_time(path: Path) -> datetime:
    """The latest modification time of the submission's files (at most ``MAX_FOLDER_ENTRIES`` looked at)."""
    latest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        seen = 0
        for folder, dirs, files in os.walk(path):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in files:
                seen += 1
                if seen > bounds.MAX_FOLDER_ENTRIES:
                    return datetime.fromtimestamp(latest, timezone.utc)
                try:
                    latest = max(latest, os.lstat(os.path.join(folder, name)).st_mtime)
                except OSError:
                    continue
    return datetime.fromtimestamp(latest, timezone.utc)
