"""Checks for add_dummies: float 0/1 columns as pd.get_dummies(df, columns=..., dtype=float) makes them."""

import pandas as pd
import pytest

from grader.checking import frame_agrees, frame_unchanged, titanic_sample


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


@pytest.mark.points(3)
def check_the_three_default_columns(student, reference):
    frame_agrees(student, reference, "add_dummies", passengers())


@pytest.mark.points(2)
def check_the_columns_asked_for(student, reference):
    frame_agrees(student, reference, "add_dummies", passengers(), ("Embarked",))
    frame_agrees(student, reference, "add_dummies", passengers(), ["Pclass", "Sex"])


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
    frame_agrees(student, reference, "add_dummies", frame, ("Deck",))
