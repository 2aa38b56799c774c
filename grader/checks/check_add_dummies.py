"""Checks for add_dummies: float 0/1 columns as pd.get_dummies(df, columns=..., dtype=float) makes them."""

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from grader.checking import expect_same, expect_unchanged, show_call

TITANIC = Path(__file__).parent / "data" / "titanic.csv"


def passengers():
    """A few of the notebook's passengers: text columns and missing values."""
    return pd.DataFrame({
        "Name": ["Braund", "Cumings", "Heikkinen", "Futrelle", "Leonard", "Moran"],
        "Sex": ["male", "female", "female", "female", "male", "male"],
        "Age": [22.0, 38.0, 26.0, 35.0, 36.0, None],
        "Pclass": [3, 1, 3, 1, 3, 2],
        "Fare": [7.25, 71.2833, 7.925, 53.1, 0.0, 8.4583],
        "Embarked": ["S", "C", "S", None, "S", "Q"],
    })


def agree(student, reference, frame, *args, inputs=False):
    call = show_call("add_dummies", (frame, *args)) if student.add_dummies.public else None
    want = reference.add_dummies(frame.copy(deep=True), *args)
    outcome = student.add_dummies.run(frame, *args, inputs=inputs)
    if outcome.error:
        student.add_dummies(frame, *args)  # fails with the exception and the call
    expect_same(outcome.value, want, call=call)
    return outcome


def unchanged(student, reference, frame, *args):
    outcome = agree(student, reference, frame, *args, inputs=True)
    where = "the DataFrame passed in" if student.add_dummies.public else "on a hidden input, the DataFrame"
    expect_unchanged(outcome.inputs[0], frame,
                     f"{where} was modified: return a new DataFrame and leave the input alone")


@pytest.mark.points(3)
def check_the_three_default_columns(student, reference):
    agree(student, reference, passengers())


@pytest.mark.points(2)
def check_the_columns_asked_for(student, reference):
    agree(student, reference, passengers(), ("Embarked",))
    agree(student, reference, passengers(), ["Pclass", "Sex"])


@pytest.mark.points(2)
def check_leaves_the_input_unmodified(student, reference):
    unchanged(student, reference, passengers())


@cache
def titanic():
    return pd.read_csv(TITANIC)


@pytest.mark.hidden
@pytest.mark.points(2)
def check_a_sample_of_the_titanic_data(student, reference, rng):
    rows = np.sort(rng.choice(len(titanic()), size=int(rng.integers(40, 200)), replace=False))
    unchanged(student, reference, titanic().iloc[rows].copy())


@pytest.mark.hidden
@pytest.mark.points(1)
def check_missing_values_get_no_dummy(student, reference, rng):
    n = int(rng.integers(4, 12))
    values = [str(v) for v in rng.choice(["A", "B", "C"], size=n)]
    values[int(rng.integers(n))] = None
    frame = pd.DataFrame({"Deck": values, "Fare": rng.uniform(0, 100, size=n)})
    agree(student, reference, frame, ("Deck",))
