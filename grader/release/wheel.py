"""The student course as a wheel (``DEST/dist/``), to install where there is no network and no
course folder: a Kaggle Dataset, a Colab upload (``pip install --no-index --find-links DIR dl-grader``).

Written with the standard library's ``zipfile`` as the wheel format says (PEP 427 and the
binary distribution format: the package's files, then ``<name>-<version>.dist-info/`` with
``METADATA``, ``WHEEL``, ``entry_points.txt``, ``top_level.txt`` and ``RECORD``, each file's
sha256 in ``RECORD``); fixed dates and order, so the same copy gives the same bytes. The
metadata is the released ``pyproject.toml``'s; the dependencies that checking from a notebook
can do without (``OPTIONAL``: the seccomp binding, the file watcher of ``grader watch``) are
extras, and those the students' package never imports (``UNUSED``: matplotlib, for the
instructor's reports) are left out, so that an offline install on a notebook platform, which
has numpy, pandas, torch, nbformat, pytest, click and rich, needs nothing else.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
import zipfile
from pathlib import Path

#: Dependencies that become extras in the wheel: requirement name -> extra.
OPTIONAL = {"pyseccomp": "seccomp", "watchfiles": "watch"}
#: Dependencies of the course that the students' package never imports (only the instructor's
#: reports plot, and they stay home): not in the wheel's metadata.
UNUSED = {"matplotlib"}
SKIP = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints", ".DS_Store"}
DATE = (1980, 1, 1, 0, 0, 0)   # the earliest a zip file can say


def _normalized(name: str) -> str:
    """The distribution name as wheel file names spell it: 'dl-grader' -> 'dl_grader'."""
    return re.sub(r"[-_.]+", "_", name).lower()


def wheel_name(project: dict) -> str:
    """'dl_grader-0.1.0-py3-none-any.whl' for a pyproject's ``[project]``."""
    return f"{_normalized(project['name'])}-{project['version']}-py3-none-any.whl"


def _requirement_name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower()


def _metadata(project: dict) -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {project['name']}", f"Version: {project['version']}",
             f"Summary: {project.get('description', '')}", f"Requires-Python: {project['requires-python']}"]
    extras: list[str] = []
    for requirement in project.get("dependencies", []):
        if _requirement_name(requirement) in UNUSED:
            continue
        extra = OPTIONAL.get(_requirement_name(requirement))
        if extra:
            extras.append(extra)
            name, _, marker = requirement.partition(";")   # a marker of its own joins the extra's: one marker
            condition = f'({marker.strip()}) and extra == "{extra}"' if marker.strip() else f'extra == "{extra}"'
            lines.append(f"Requires-Dist: {name.strip()}; {condition}")
        else:
            lines.append(f"Requires-Dist: {requirement}")
    lines += [f"Provides-Extra: {extra}" for extra in dict.fromkeys(extras)]
    return "\n".join(lines) + "\n"


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_wheel(copy: Path, out: Path) -> Path:
    """The wheel of the released copy at ``copy`` (its ``pyproject.toml`` and ``grader/`` package),
    written into ``out``; returns its path.

    Example:
        build_wheel(Path("../dl-course"), Path("../dl-course/dist"))
    """
    pyproject = tomllib.loads((copy / "pyproject.toml").read_text(encoding="utf-8"))
    project = pyproject["project"]
    name, version = _normalized(project["name"]), project["version"]
    info = f"{name}-{version}.dist-info"
    files: list[tuple[str, bytes]] = []
    for package in ("grader",):
        for path in sorted((copy / package).rglob("*")):
            relative = path.relative_to(copy)
            if path.is_file() and not SKIP & set(relative.parts) and path.suffix != ".pyc":
                files.append((relative.as_posix(), path.read_bytes()))
    scripts = project.get("scripts", {})
    files += [
        (f"{info}/METADATA", _metadata(project).encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: grader release\nRoot-Is-Purelib: true\n"
                          b"Tag: py3-none-any\n"),
        (f"{info}/entry_points.txt", ("[console_scripts]\n" + "".join(
            f"{script} = {target}\n" for script, target in sorted(scripts.items()))).encode()),
        (f"{info}/top_level.txt", b"grader\n"),
    ]
    record = "".join(f"{path},{_hash(data)},{len(data)}\n" for path, data in files) + f"{info}/RECORD,,\n"
    files.append((f"{info}/RECORD", record.encode()))
    out.mkdir(parents=True, exist_ok=True)
    wheel = out / wheel_name(project)
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in files:
            entry = zipfile.ZipInfo(path, DATE)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, data)
    return wheel
