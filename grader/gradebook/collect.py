"""Collecting submissions from the students' git repositories (``grader collect``).

For each student, ``collect_repos`` clones the repository without checking anything out
(``git clone --no-checkout``, hooks off, no terminal prompt), takes the last commit at or
before that student's deadline (``git rev-list -1 --before=DEADLINE HEAD``: the committer
date), and writes that commit's files (``git archive``, extracted with tarfile's ``data``
filter: no links out, no devices) into a folder per student. ``collected.json`` in the
output folder records, per student, the repository, the commit and its time; grading the
folder files each submission at that time (``collected_times``).

The deadline is a parameter per student (``deadlines``): the assignment's due time, or an
extension. Each repository's clone and archive are bounded by a timeout and the archive by a
size; a repository that cannot be collected is one line in ``CollectReport.failed`` and the
others are collected.

A commit's date is what the student's machine said when committing: the commit is the
student's word for when the work was done. Collect soon after the deadline, or use the
host's push times, when that matters.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from grader import bounds

RECORD = "collected.json"
_ID = re.compile(r"[\w][\w.@+-]*")


class CollectError(Exception):
    """Collecting cannot start as asked; the message says what to fix."""


@dataclass(frozen=True)
class RepoSource:
    student: str      # the folder the submission is written to, and the name it is graded under
    url: str          # a git URL or a local path


@dataclass(frozen=True)
class Collected:
    student: str
    repo: str
    commit: str
    time: datetime    # the commit's committer date


@dataclass
class CollectReport:
    collected: list[Collected] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)    # one line per repository that was not collected


def parse_due(text: str, what: str = "--due") -> datetime:
    """An ISO 8601 time with its time zone (``2026-12-04T23:59+01:00``, or ``Z`` for UTC)."""
    try:
        due = datetime.fromisoformat(text.strip())
    except ValueError:
        raise CollectError(f"{what} {text!r} is not an ISO 8601 time: write it like 2026-12-04T23:59+01:00") from None
    if due.tzinfo is None:
        raise CollectError(f"{what} {text!r} has no time zone: add one, e.g. {text.strip()}+00:00 or {text.strip()}Z")
    return due


def student_of(url: str) -> str:
    """The student a repository belongs to when no list names one: its folder name (``.git`` dropped)."""
    path = urlsplit(url).path if "://" in url else url.rpartition(":")[2] if _scp_like(url) else url
    name = Path(path.rstrip("/\\")).name
    return name[:-4] if name.endswith(".git") and len(name) > 4 else name


def _scp_like(url: str) -> bool:
    """``git@host:owner/repo.git``: a colon before any slash, and not a Windows drive or a local path."""
    head, colon, _ = url.partition(":")
    return bool(colon) and "/" not in head and len(head) > 1 and not Path(url).exists()


def check_student(student: str, where: str) -> str:
    if not _ID.fullmatch(student) or student in (".", ".."):
        raise CollectError(f"{where}: {student[:80]!r} cannot name a folder (use letters, digits, . _ - @ +): "
                           "give the student's id in a --list file")
    return student


def load_list(path: Path) -> list[RepoSource]:
    """A ``--list`` file: ``student_id,url`` per line (a header line ``student_id,url`` is allowed)."""
    import csv

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectError(f"cannot read the list {path}: {getattr(exc, 'strerror', None) or exc}") from None
    sources, seen = [], {}
    for number, row in enumerate(csv.reader(text.splitlines()), 1):
        cells = [c.strip() for c in row]
        if not any(cells) or cells[0].startswith("#"):
            continue
        if number == 1 and [c.casefold() for c in cells[:2]] in (["student_id", "url"], ["student", "url"],
                                                                   ["id", "url"]):
            continue
        if len(cells) != 2 or not all(cells):
            raise CollectError(f"{path}, line {number}: write student_id,url (two cells), not {','.join(cells)[:80]!r}")
        student = check_student(cells[0], f"{path}, line {number}")
        if student.casefold() in seen:
            raise CollectError(f"{path}: {student} is listed twice (lines {seen[student.casefold()]} and {number})")
        seen[student.casefold()] = number
        sources.append(RepoSource(student, cells[1]))
    if not sources:
        raise CollectError(f"the list {path} names no repository: write one student_id,url per line")
    return sources


def load_extensions(path: Path) -> dict[str, datetime]:
    """An extensions file: ``student_id,due`` per line (ISO 8601 with a time zone)."""
    extensions: dict[str, datetime] = {}
    try:
        lines = Path(path).read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CollectError(f"cannot read the extensions {path}: {getattr(exc, 'strerror', None) or exc}") from None
    for number, line in enumerate(lines, 1):
        cells = [c.strip() for c in line.split(",")]
        if not any(cells) or cells[0].startswith("#") or (number == 1 and cells[0].casefold() in ("student_id", "student", "id")):
            continue
        if len(cells) != 2:
            raise CollectError(f"{path}, line {number}: write student_id,due (e.g. alice,2026-12-08T23:59+01:00)")
        extensions[cells[0]] = parse_due(cells[1], f"{path}, line {number}:")
    return extensions


def deadlines_for(sources: list[RepoSource], due: datetime, extensions: Mapping[str, datetime]) -> dict[str, datetime]:
    """Each student's deadline: their extension when they have one, else ``due``. Extensions are
    matched to students case-insensitively; one that matches nobody is a ``CollectError``."""
    by_key = {s.student.casefold(): s.student for s in sources}
    unknown = [name for name in extensions if name.casefold() not in by_key]
    if unknown:
        raise CollectError(f"extensions for {', '.join(sorted(unknown))[:200]}, who have no repository here: "
                           "fix the ids in the extensions file")
    deadlines = {s.student: due for s in sources}
    for name, until in extensions.items():
        deadlines[by_key[name.casefold()]] = until
    return deadlines


def public_url(url: str) -> str:
    """The URL without a user name or token (``https://user:token@host/...``), as it is recorded."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


# ----------------------------------------------------------------------- git, bounded


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_CONFIG_NOSYSTEM="1", GIT_ASKPASS="true", SSH_ASKPASS="true",
               GIT_SSH_COMMAND=os.environ.get("GIT_SSH_COMMAND", "ssh -o BatchMode=yes"),
               LC_ALL="C", TZ="UTC")
    return env


_SAFE = ["-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false", "-c", "protocol.ext.allow=never",
         "-c", "core.symlinks=true", "-c", "credential.helper="]


class _GitFailed(Exception):
    pass


def _git(args: list[str], *, cwd: Path | None, deadline: float, stdout=subprocess.PIPE) -> bytes:
    """Run git with hooks off and no prompt, killed (with all it started) at ``deadline`` (monotonic)."""
    import time

    left = deadline - time.monotonic()
    if left <= 0:
        raise _GitFailed("took longer than the timeout")
    process = subprocess.Popen(["git", *_SAFE, *args], cwd=cwd, stdin=subprocess.DEVNULL, stdout=stdout,
                               stderr=subprocess.PIPE, env=_git_env(), start_new_session=True)
    try:
        out, err = process.communicate(timeout=left)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise _GitFailed("took longer than the timeout") from None
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        raise
    if process.returncode != 0:
        lines = [line.strip() for line in (err or b"").decode("utf-8", "replace").splitlines() if line.strip()]
        fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
        # git's last "fatal:" line says what went wrong ("Could not read from remote repository.")
        reason = (fatal[-1] if fatal else lines[-1] if lines else f"git {args[0]} failed")
        raise _GitFailed(reason.removeprefix("fatal: ").removeprefix("error: ").strip())
    return out or b""


def _extract(archive: Path, target: Path, limit: int) -> None:
    """Extract a ``git archive`` tar into ``target``: regular files and folders only, at most ``limit`` bytes."""
    total = 0
    with tarfile.open(archive) as tar:
        members = []
        for member in tar:
            if member.isfile():
                total += member.size
                if total > limit:
                    raise _GitFailed(f"the commit's files are over {limit // bounds.MB} MB")
                members.append(member)
            elif member.isdir():
                members.append(member)
            # symbolic links and anything else are left out: the grader refuses links in a submission
        tar.extractall(target, members=members, filter="data")


def collect_one(source: RepoSource, deadline: datetime, out: Path, *, timeout: float) -> Collected:
    """Clone ``source``, find its last commit at or before ``deadline`` and write its files to
    ``out/<student>`` (replacing an earlier collection). Raises ``_GitFailed`` with the reason."""
    import time

    stop = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix=".collect-", dir=out) as work:
        work = Path(work)
        clone = work / "repo.git"
        _git(["clone", "--bare", "--quiet", "--template=", "--", source.url, str(clone)], cwd=work, deadline=stop)
        when = deadline.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
        commit = _git(["rev-list", "-1", f"--before={when}", "HEAD", "--"], cwd=clone, deadline=stop).decode().strip()
        if not commit:
            raise _GitFailed(f"no commit at or before the deadline {deadline.isoformat()}")
        stamp = _git(["show", "-s", "--format=%ct", commit], cwd=clone, deadline=stop).decode().strip()
        time_ = datetime.fromtimestamp(int(stamp), timezone.utc)
        archive = work / "commit.tar"
        with open(archive, "wb") as sink:
            _git(["archive", "--format=tar", commit], cwd=clone, deadline=stop, stdout=sink)
        files = work / "files"
        files.mkdir()
        _extract(archive, files, bounds.MAX_COLLECTED_BYTES)
        target = out / source.student
        if target.exists() or target.is_symlink():
            old = work / "old"
            target.rename(old)
        files.rename(target)
    return Collected(source.student, public_url(source.url), commit, time_)


def collect_repos(sources: list[RepoSource], out: Path, deadlines: Mapping[str, datetime], *,
                  assignment: str = "default", timeout: float = 120.0,
                  progress=None) -> CollectReport:
    """Collect each repository into ``out/<student>`` at the last commit at or before
    ``deadlines[student]``, and record them in ``out/collected.json``. A repository that cannot
    be collected is a line in the report's ``failed``; the others are collected."""
    out = Path(out)
    names = [s.student.casefold() for s in sources]
    twice = sorted({s.student for s in sources if names.count(s.student.casefold()) > 1})
    if twice:
        raise CollectError(f"several repositories belong to {', '.join(twice)[:200]}: give each student one "
                           "(a --list file names the students)")
    for source in sources:
        check_student(source.student, source.url)
        if source.student == RECORD or source.student.startswith(".collect-"):
            raise CollectError(f"{source.student} cannot name a student's folder: rename it in the --list file")
    missing = [s.student for s in sources if s.student not in deadlines]
    if missing:
        raise CollectError(f"no deadline for {', '.join(missing)[:200]}: give --due")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CollectError(f"cannot create {out}: {exc.strerror}; choose another --out folder") from None
    report = CollectReport()
    record = _read_record(out)
    for source in sources:
        deadline = deadlines[source.student]
        try:
            got = collect_one(source, deadline, out, timeout=timeout)
        except (_GitFailed, tarfile.TarError, OSError) as exc:
            reason = str(exc) if isinstance(exc, _GitFailed) else f"{type(exc).__name__}: {exc}"
            report.failed.append(f"{source.student}: {public_url(source.url)}: {reason}")
            continue
        report.collected.append(got)
        record[got.student] = {"repo": got.repo, "commit": got.commit, "time": got.time.isoformat(),
                               "due": deadline.isoformat(), "assignment": assignment}
        _write_record(out, record)   # as each comes: a stopped run keeps what it collected
        if progress:
            progress(got)
    return report


def _read_record(out: Path) -> dict:
    path = out / RECORD
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_record(out: Path, record: dict) -> None:
    temporary = out / f".{RECORD}.tmp"
    temporary.write_text(json.dumps(dict(sorted(record.items())), indent=2) + "\n", encoding="utf-8")
    os.replace(temporary, out / RECORD)


def collected_times(folder: Path) -> dict[str, tuple[datetime, str]]:
    """Submission name -> (the time it was handed in, ``"commit"``), from ``folder/collected.json``
    (empty when the folder was not made by ``grader collect``). Only folders still present count."""
    folder = Path(folder)
    times: dict[str, tuple[datetime, str]] = {}
    for student, entry in _read_record(folder).items():
        try:
            when = datetime.fromisoformat(entry["time"])
        except (KeyError, TypeError, ValueError):
            continue
        if when.tzinfo is not None and (folder / student).is_dir():
            times[student] = (when, "commit")
    return times
