"""What source code defines, read as text: the grader never parses or runs a submission's code
in its own process. Linear scans: the top-level names a file or cell defines, whether a
definition is still the released stub, and what a notebook cell that did not run would have
defined (for the hint on a NameError)."""

from __future__ import annotations

import re


def untouched_stub(code: str, name: str) -> bool:
    """Whether ``code``'s last top-level definition of ``name`` is still a released stub: its body
    (every method's, for a class) raises NotImplementedError and does nothing else (docstrings,
    comments and ``pass`` aside). A linear text scan: nothing is parsed."""
    last = None
    for last in re.finditer(rf"^(?:(?:async[ \t]+)?def|class)[ \t]+{re.escape(name)}\b.*$", code, re.MULTILINE):
        pass
    if last is None:
        return False
    raised, quote = False, None
    for line in code[last.end() + 1:].splitlines():
        stripped = line.strip()
        if quote is not None:             # inside a docstring
            if quote in stripped:
                quote = None
            continue
        if not stripped or stripped.startswith("#"):
            continue
        if line[0] not in " \t":          # the next top-level statement: the definition ended
            break
        if stripped.startswith(('"""', "'''")):
            mark = stripped[:3]
            if mark not in stripped[3:]:
                quote = mark
            continue
        if re.match(r"raise\s+NotImplementedError\b", stripped):
            raised = True
        elif not (re.match(r"(?:(?:async\s+)?def|class)\s", stripped) or stripped.startswith("@")
                  or stripped in ("pass", "...")):
            return False
    return raised


_DEFINITION = re.compile(r"^(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)|^(\w+)[ \t]*(?::[^=\n]*)?=(?!=)", re.MULTILINE)


def defines(text: str, name: str) -> bool:
    """Whether ``text`` defines ``name`` at the top level (a def, class or assignment at the
    start of a line): a linear text scan, since the grader never parses submission code."""
    pattern = rf"^(?:(?:async[ \t]+)?def|class)[ \t]+{re.escape(name)}\b|^{re.escape(name)}[ \t]*(?::[^=\n]*)?=(?!=)"
    return re.search(pattern, text, re.MULTILINE) is not None


def defined_names(text: str) -> set[str]:
    """Every name ``text`` defines at the top level, as ``defines`` sees them: one linear scan
    for all names, so finding many functions in a file costs one pass, not one per function."""
    return {match.group(1) or match.group(2) for match in _DEFINITION.finditer(text)}


# --------------------------------------------------------------- what a cell would have defined
#
# For the hint on a NameError: the names a notebook cell that did not run would have
# defined, read from its import lines. Star imports are known by this small table only.

_FASTAI = ("torch", "nn", "F", "np", "pd", "plt", "Path", "partial", "tensor", "Tensor")
STAR_IMPORTS: dict[str, tuple[str, ...]] = {
    "fastai.basics": _FASTAI,
    "fastai.vision.all": _FASTAI,
    "fastai.tabular.all": _FASTAI,
    "fastai.text.all": _FASTAI,
    "fastai.imports": _FASTAI,
    "fastbook": _FASTAI,
    "numpy": (),
    "torch": ("tensor", "Tensor"),
}
IMPORT_FOR: dict[str, str] = {
    "torch": "import torch",
    "nn": "from torch import nn",
    "F": "import torch.nn.functional as F",
    "np": "import numpy as np",
    "pd": "import pandas as pd",
    "plt": "import matplotlib.pyplot as plt",
    "Path": "from pathlib import Path",
    "partial": "from functools import partial",
    "tensor": "from torch import tensor",
    "Tensor": "from torch import Tensor",
}
_ASSIGNED = re.compile(r"(\w+)[ \t]*(?::[^=]*)?=(?!=)")
_DEFINED = re.compile(r"(?:(?:async[ \t]+)?def|class)[ \t]+(\w+)")
LONGEST_SCANNED_LINE = 300


def provided_names(code: str) -> dict[str, tuple[str, str]]:
    """name -> (the line that defines it, the import to write instead or "") for one cell's code.

    A line-by-line scan of import, def, class and assignment lines (longer lines are skipped)."""
    names: dict[str, tuple[str, str]] = {}
    for raw in code.splitlines():
        if len(raw) > LONGEST_SCANNED_LINE:
            continue
        line = raw.split("#", 1)[0].strip()
        shown = line if len(line) <= 60 else line[:57] + "..."
        found: list[tuple[str, str]] = []
        if line.startswith("import "):
            for part in line[len("import "):].split(","):
                words = part.split()
                if len(words) == 3 and words[1] == "as":
                    found.append((words[2], f"import {words[0]} as {words[2]}"))
                elif len(words) == 1:
                    top = words[0].split(".")[0]
                    found.append((top, IMPORT_FOR.get(top, f"import {words[0]}")))
        elif line.startswith("from ") and " import " in line:
            module, _, imported = line[len("from "):].partition(" import ")
            module = module.strip()
            for part in imported.strip("() ").split(","):
                words = part.split()
                if words == ["*"]:
                    found += [(name, IMPORT_FOR.get(name, "")) for name in STAR_IMPORTS.get(module, ())]
                elif len(words) == 3 and words[1] == "as":
                    found.append((words[2], f"from {module} import {words[0]} as {words[2]}"))
                elif len(words) == 1:
                    found.append((words[0], f"from {module} import {words[0]}"))
        elif match := (_DEFINED.match(raw) or _ASSIGNED.match(raw)):
            found.append((match.group(1), ""))
        for name, instead in found:
            if name.isidentifier():
                names.setdefault(name, (shown, instead))
    return names
