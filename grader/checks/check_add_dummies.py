"""Checks for add_dummies: float 0/1 columns as pd.get_dummies(df, columns=..., dtype=float) makes them."""

import pandas as pd
import pytest

from grader.checking import agrees, frame_unchanged, notebook_passengers, titanic_sample


def passengers():
    """A few of the notebook's passengers, with three classes."""
    frame = notebook_passengers()
    frame.loc[5, "Pclass"] = 2
    return frame


@pytest.mark.points(3)
def check_the_three_default_columns(student, reference):
    agrees(student, reference, "add_dummies", passengers())


@pytest.mark.points(2)
def check_the_columns_asked_for(student, reference):
    agrees(student, reference, "add_dummies", passengers(), ("Embarked",))
    agrees(student, reference, "add_dummies", passengers(), ["Pclass", "Sex"])


@pytest.mark.points(2)
def check_leaves_the_input_unmodified(student, reference):
    frame_unchanged(student, reference, "add_dummies", passengers())


@pytest.mark.hidden
@pytest.mark.points(2)
def check_a_sample_of_the_titanic_data(student, reference, rng):
    frame_unchanged(student, reference, "add_dummies", titanic_sample(rng))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_missing_values_get_no_dummy(student, reference, rng):
    n = int(rng.integers(4, 12))
    values = [str(v) for v in rng.choice(["A", "B", "C"], size=n)]
    values[int(rng.integers(n))] = None
    frame = pd.DataFrame({"Deck": values, "Fare": rng.uniform(0, 100, size=n)})
    agrees(student, reference, "add_dummies", frame, ("Deck",))
