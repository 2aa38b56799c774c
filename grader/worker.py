"""A batch grading worker: one ``Grader`` and one pytest session for many submissions.

``python -m grader.worker COURSE OPTIONS_JSON`` reads JSON lines ``{"path": ...}`` on
standard input and writes one JSON line per graded submission, ``{"path", "results"}``,
on standard output; ``{"ready": true}`` first, or ``{"fatal": reason}`` if it cannot grade
at all. Anything else the process prints goes to standard error.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path


def main(course: str, options_json: str) -> int:
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # stray prints must not corrupt the results channel
    from grader.grading import GradeOptions, Grader

    def say(message: dict) -> None:
        out.write(json.dumps(message) + "\n")
        out.flush()

    options = json.loads(options_json)
    options["exercises"] = tuple(options["exercises"])
    # Import the heavy libraries once, before anything else, and fork the zygote from this
    # still clean process (no solution or check loaded yet): it shares them instead of
    # importing them again.
    import numpy  # noqa: F401
    import pandas  # noqa: F401
    import torch

    torch.set_num_threads(1)
    from grader.sandbox import zygote

    zygote.warm_up_fully()  # torch's optimizers (~1 s, once): the zygote forked below inherits it
    try:
        grader = Grader(Path(course), GradeOptions(**options), slot=os.getpid(), fork_zygote=True)
    except Exception as exc:  # noqa: BLE001 - the reason is sent to the dispatcher
        say({"fatal": str(exc)})
        return 1
    say({"ready": True})

    def paths() -> Iterator[Path]:
        for line in sys.stdin:
            yield Path(json.loads(line)["path"])

    try:
        grader.grade_stream(paths(), lambda path, results: say({"path": str(path), "results": results}))
    except Exception as exc:  # noqa: BLE001
        say({"fatal": f"{type(exc).__name__}: {exc}"})
        return 1
    finally:
        grader.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
