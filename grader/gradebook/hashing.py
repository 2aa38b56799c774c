"""Content hashes that decide whether a submission needs grading again.

``content_hash`` covers what the grader reads of a submission: its files' relative paths
and bytes, in a fixed order, skipping the folders submission reading skips; a symbolic
link counts by its name and target (the grader refuses it, so adding or removing one
changes the result). ``checks_hash`` covers what the result depends on on the course's
side: the check modules and their data, the comparisons and the pytest plugin they run
under (``checking.py``, ``plugin.py``), ``exercises.toml``, the reference solutions, and
whether the hidden checks run.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from grader.course import CHECKS_DIR, METADATA, PACKAGE_DIR, Exercise
from grader.submission import SKIP_PARTS


def _feed(digest: "hashlib._Hash", kind: bytes, name: str, data: bytes) -> None:
    encoded = name.encode("utf-8", "surrogateescape")
    for part in (kind, encoded, data):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)


def _files(root: Path) -> Iterable[tuple[str, Path]]:
    """(relative name, path) of every file and symbolic link under ``root``, sorted, skipping SKIP_PARTS."""
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        here = Path(folder)
        links = [d for d in dirs if (here / d).is_symlink()]
        dirs[:] = sorted(d for d in dirs if d not in SKIP_PARTS and d not in links)
        for name in [*files, *links]:
            path = here / name
            found.append((path.relative_to(root).as_posix(), path))
    return sorted(found)


def _add_path(digest: "hashlib._Hash", display: str, path: Path) -> None:
    if path.is_symlink():
        _feed(digest, b"link", display, os.readlink(path).encode("utf-8", "surrogateescape"))
    elif path.is_file():
        try:
            _feed(digest, b"file", display, path.read_bytes())
        except OSError as exc:
            _feed(digest, b"unreadable", display, str(exc.errno).encode())
    else:
        _feed(digest, b"missing", display, b"")


def content_hash(path: Path) -> str:
    """SHA-256 of a submission: a folder's files (paths and bytes), or one file's name and bytes."""
    path = Path(path)
    digest = hashlib.sha256()
    if path.is_dir() and not path.is_symlink():
        _feed(digest, b"folder", "", b"")
        for display, file in _files(path):
            _add_path(digest, display, file)
    else:
        _add_path(digest, path.name, path)
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
