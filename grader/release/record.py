"""Recording the references' answers to the public checks (release time, trusted side).

The public checks run, as in `grader check`, against two submissions: the reference
solutions themselves (every check's passing path) and the stubs (the paths a check takes when
the submission raises), with each reference module wrapped in a ``RecordingModule``. They run
twice, with different seeds for the ``rng`` fixture and for the global random generators; a
check whose reference calls differ between the two runs depends on random input and cannot be
recorded, nor can a public check that asks for the ``rng`` fixture.
"""

from __future__ import annotations

import ast
import random
from pathlib import Path

from grader.course import Exercise
from grader.grading.recording import Recorder, RecordingError, RecordingModule
from grader.release.strip import is_hidden

SEEDS = (1, 2)


def random_public_checks(exercise: Exercise, source: str) -> list[str]:
    """Public checks of the module that take the ``rng`` fixture (their inputs are random)."""
    tree = ast.parse(source, str(exercise.checks))
    return [f"check_{exercise.id}.py::{node.name}" for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name.startswith("check_") and not is_hidden(node)
            and "rng" in [a.arg for a in node.args.args + node.args.kwonlyargs]]


def record_references(course: Path, exercises: list[Exercise], isolation: str = "full") -> Recorder:
    """Run the public checks on the solutions and the stubs; what the references answered."""
    import numpy as np
    import torch

    from grader.grading import GradeOptions, Grader

    bad = [name for e in exercises for name in random_public_checks(e, e.checks.read_text(encoding="utf-8"))]
    if bad:
        raise RecordingError(f"{', '.join(bad)}: a public check uses the rng fixture, so its reference calls "
                             "cannot be recorded; give it fixed inputs or mark it @pytest.mark.hidden")
    runs: list[Recorder] = []
    with Grader(course, GradeOptions(hidden=False, seed=SEEDS[0], isolation=isolation)) as grader:
        live = dict(grader.references)
        for seed in SEEDS:
            recorder = Recorder()
            grader.seed = seed
            grader.references.clear()
            grader.references.update({e.id: RecordingModule(live[e.id], e, recorder) for e in exercises})
            for folder in ("solutions", "exercises"):
                random.seed(seed)
                np.random.seed(seed)
                torch.manual_seed(seed)
                results = grader.grade(course / folder)
                errors = [t for t in results["tests"] if "RecordingError" in t["output"]]
                if errors:
                    raise RecordingError(f"{errors[0]['name']}: {errors[0]['output']}")
            runs.append(recorder)
    first, second = runs
    for check in sorted(set(first.calls) | set(second.calls)):
        if first.calls.get(check) != second.calls.get(check):
            raise RecordingError(f"{check}: the public check called its reference with different inputs in two "
                                 "runs (random input?), so its expected results cannot be recorded; give it fixed "
                                 "inputs or mark it @pytest.mark.hidden")
    return first
