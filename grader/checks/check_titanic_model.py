"""Checks for titanic_model: a model the student trains, scored on passengers no one has the labels of.

Both frames are made here (``grader.grading.passengers``): the real passengers' features drawn
with replacement and jittered, their labels drawn from a logistic regression fitted on the real
data. The child gets the training frame (with its labels) and the test frame's features only;
the probabilities it sends back are scored here, against labels that never left this process.
The training call has its own budget (``BUDGET``); the child seeds every generator before it.
"""

from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch

from grader.checking import CheckFailure, Partial
from grader.grading.passengers import make_passengers, score

DATA = str(Path(__file__).parent / "data" / "titanic.csv")
BUDGET = {"cpu_seconds": 20, "timeout": 60}   # the training call's (the stub states it)
TRAIN_ROWS, SCORED_ROWS = 891, 1000
PUBLIC_SEED = 2026                            # the public validation set: the same for everyone


def probabilities(value, n, public):
    """The returned probabilities as a float64 array, or the check fails: sizes first."""
    where = "predict_survival(train, test)" if public else "on a hidden input"
    if isinstance(value, torch.Tensor):
        ok = value.dim() == 1 and value.shape[0] == n and value.dtype.is_floating_point
        array = value.detach().double().numpy() if ok else None
    elif isinstance(value, np.ndarray):
        ok = value.ndim == 1 and value.shape[0] == n and value.dtype.kind in "fiu"
        array = value.astype(np.float64) if ok else None
    elif isinstance(value, list):
        ok = len(value) == n and all(type(v) in (float, int) for v in value)
        array = np.array(value, dtype=np.float64) if ok else None
    else:
        ok, array = False, None
    if not ok:
        raise CheckFailure(f"{where}: return a 1-d float tensor, array or list of len(test) = {n} probabilities",
                           kind="wrong shape or type")
    if not np.isfinite(array).all() or (array < 0).any() or (array > 1).any():
        raise CheckFailure(f"{where}: every probability must be a number between 0 and 1", kind="wrong value")
    return array


def passengers(generator):
    """Made-up passengers to train on, and fresh ones to score."""
    return (make_passengers(DATA, generator, TRAIN_ROWS),
            make_passengers(DATA, generator, SCORED_ROWS, first_id=TRAIN_ROWS + 1))


@cache
def validation_passengers():
    """The public validation set, the same for everyone: made once per process (nothing changes it)."""
    return passengers(np.random.default_rng(PUBLIC_SEED))


def scored(student, train, test, seed):
    """Train on made-up passengers in the child, score its probabilities for fresh ones here."""
    public = student.predict_survival.public
    call = "predict_survival(train, test)" if public else None  # the frames are too long to show
    outcome = student.predict_survival.run(train.with_labels(), test.features, seed=seed, call=call, **BUDGET)
    value = student.predict_survival.value(outcome, call=call)
    return score(probabilities(value, SCORED_ROWS, public), test)


@pytest.mark.points(6)
def check_accuracy_on_the_validation_passengers(student):
    result = scored(student, *validation_passengers(), 0)
    raise Partial(result.fraction, f"{result.text()}, on the validation passengers")


@pytest.mark.hidden
@pytest.mark.points(14)
def check_accuracy_on_fresh_passengers(student, rng):
    seed = int(rng.integers(1 << 31))  # drawn first, then the passengers
    result = scored(student, *passengers(rng), seed)
    raise Partial(result.fraction, "scored on hidden passengers",
                  leaderboard={"Accuracy": result.accuracy, "Log loss": result.log_loss})
