"""Content hashes that decide whether a submission needs grading again.

``content_hash`` covers what the grader reads of a submission: its files' relative paths
and bytes, in a fixed order, skipping the folders submission reading skips; a symbolic
link counts by its name and target (the grader refuses it, so adding or removing one
changes the result), and a FIFO, socket or device by its name and kind (it is never opened).

The work is bounded (``grader.bounds``): files are hashed in chunks of ``HASH_CHUNK_BYTES``,
never held whole; a file larger than ``MAX_HASHED_FILE_BYTES`` (which the grader refuses by its
size, or never reads) counts by its size; past ``MAX_HASHED_BYTES`` for the whole submission,
files count by size and modification time; and a folder of more than ``MAX_HASHED_ENTRIES``
entries gets a hash that matches nothing, so it is always graded again. ``checks_hash`` covers what the result depends on on the course's
side: the check modules and their data, the comparisons and the pytest plugin they run
under (``checking.py``, ``plugin.py``), ``exercises.toml``, the reference solutions, and
whether the hidden checks run.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

from grader import bounds
from grader.course import CHECKS_DIR, METADATA, PACKAGE_DIR, Exercise
from grader.submission import SKIP_PARTS, NotRegularFile, file_kind, open_regular


def _feed(digest: "hashlib._Hash", kind: bytes, name: str, data: bytes) -> None:
    encoded = name.encode("utf-8", "surrogateescape")
    for part in (kind, encoded, data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


class _TooMany(Exception):
    """A folder of more entries than ``bounds.MAX_HASHED_ENTRIES``."""


def _files(root: Path, limit: int | None = None) -> Iterable[tuple[str, Path]]:
    """(relative name, path) of every file and symbolic link under ``root``, sorted, skipping
    SKIP_PARTS; ``_TooMany`` as soon as more than ``limit`` entries were met."""
    found = []
    seen = 0
    folders = [root]
    while folders:
        here = folders.pop()
        try:
            with os.scandir(here) as entries:
                for entry in entries:
                    seen += 1
                    if limit is not None and seen > limit:
                        raise _TooMany
                    path = Path(entry.path)
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name not in SKIP_PARTS:
                            folders.append(path)
                    else:  # files, and symbolic links to anything (never followed)
                        found.append((path.relative_to(root).as_posix(), path))
        except OSError:  # an unreadable folder counts by what could be read, as os.walk does
            continue
    return sorted(found)


class _Budget:
    """The bytes a submission's hash may still read (``bounds.MAX_HASHED_BYTES`` in all)."""

    def __init__(self, left: int) -> None:
        self.left = left


def _feed_file(digest: "hashlib._Hash", display: str, path: Path, budget: _Budget | None) -> None:
    """A regular file's bytes, streamed through a fixed buffer (the digest is the one ``_feed``
    would give for the whole file). With ``budget`` (a submission's file) a file too big to be
    read by the grader counts by its size, and past the budget by its size and time."""
    fd = open_regular(path)
    try:
        size = os.fstat(fd).st_size
        if budget is not None and size > bounds.MAX_HASHED_FILE_BYTES:  # refused by its size, or never read
            _feed(digest, b"big", display, str(size).encode())
            return
        if budget is not None and size > budget.left:  # the submission's bytes are spent
            _feed(digest, b"unhashed", display, f"{size} {os.fstat(fd).st_mtime_ns}".encode())
            return
        encoded = display.encode("utf-8", "surrogateescape")
        for part in (b"file", encoded):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        digest.update(size.to_bytes(8, "big"))
        read = 0
        while read < size:
            chunk = os.read(fd, min(bounds.HASH_CHUNK_BYTES, size - read))
            if not chunk:
                break
            digest.update(chunk)
            read += len(chunk)
    finally:
        os.close(fd)
    if budget is not None:
        budget.left -= read
    if read < size:  # it shrank while being read: keep the framing, and say so
        digest.update(bytes(size - read))
        _feed(digest, b"changed", display, b"")


def _add_path(digest: "hashlib._Hash", display: str, path: Path, budget: _Budget | None = None) -> None:
    try:
        status = path.lstat()
    except FileNotFoundError:
        _feed(digest, b"missing", display, b"")
        return
    except OSError as exc:
        _feed(digest, b"unreadable", display, str(exc.errno).encode())
        return
    if stat.S_ISLNK(status.st_mode):
        _feed(digest, b"link", display, os.readlink(path).encode("utf-8", "surrogateescape"))
    elif stat.S_ISREG(status.st_mode):
        try:
            _feed_file(digest, display, path, budget)
        except NotRegularFile as exc:  # swapped for a FIFO or the like since the lstat
            _feed(digest, b"special", display, file_kind(exc.mode).encode())
        except OSError as exc:
            _feed(digest, b"unreadable", display, str(exc.errno).encode())
    elif stat.S_ISDIR(status.st_mode):
        _feed(digest, b"missing", display, b"")
    else:  # a FIFO, socket or device: never opened (grading refuses it)
        _feed(digest, b"special", display, file_kind(status.st_mode).encode())


def content_hash(path: Path) -> str:
    """SHA-256 of a submission: a folder's files (paths and bytes), or one file's name and bytes."""
    path = Path(path)
    digest = hashlib.sha256()
    budget = _Budget(bounds.MAX_HASHED_BYTES)
    if path.is_dir() and not path.is_symlink():
        _feed(digest, b"folder", "", b"")
        try:
            files = _files(path, bounds.MAX_HASHED_ENTRIES)
        except _TooMany:  # matches no earlier hash: the submission is graded again, always
            return "unbounded-" + secrets.token_hex(16)
        for display, file in files:
            _add_path(digest, display, file, budget)
    else:
        _add_path(digest, path.name, path, budget)
    return digest.hexdigest()


def checks_hash(course: Path, exercises: list[Exercise], *, hidden: bool) -> str:
    """SHA-256 of what grading compares against: checks, metadata, references and the mode."""
    digest = hashlib.sha256()
    _feed(digest, b"mode", "hidden" if hidden else "public", b"")
    _feed(digest, b"exercises", " ".join(e.id for e in exercises), b"")
    _add_path(digest, "exercises.toml", METADATA)
    for module in ("checking.py", "plugin.py"):  # how checks compare and count points
        _add_path(digest, module, PACKAGE_DIR / module)
    for display, file in _files(CHECKS_DIR):
        _add_path(digest, f"checks/{display}", file)
    for exercise in exercises:
        _add_path(digest, f"solutions/{exercise.path}", Path(course) / "solutions" / exercise.path)
    return digest.hexdigest()
