"""Checks for bmi: weight / height**2, elementwise, as a float64 numpy array."""

import numpy as np
import pytest

from grader.checking import agrees, expect_value_error, works_too

HEIGHT = [1.73, 1.68, 1.71, 1.89, 1.79]
WEIGHT = [65.4, 59.2, 63.6, 88.4, 68.7]


@pytest.mark.points(3)
def check_the_notes_family(student, reference):
    agrees(student, reference, "bmi", WEIGHT, HEIGHT)


@pytest.mark.points(2)
def check_float32_arrays_give_float64(student, reference):
    agrees(student, reference, "bmi", np.array(WEIGHT, dtype=np.float32), np.array(HEIGHT, dtype=np.float32))


@pytest.mark.points(2)
def check_different_lengths_raise_value_error(student, reference):
    expect_value_error(student.bmi, [70.0], [1.6, 1.7, 1.8], why="1 weight and 3 heights")
    works_too(student, reference, "bmi", [70.0, 82.5], [1.6, 1.85])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_arrays(student, reference, rng):
    n = int(rng.integers(5, 40))
    agrees(student, reference, "bmi", rng.uniform(40, 120, size=n), rng.uniform(1.4, 2.05, size=n))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_integer_lists_and_an_empty_family(student, reference, rng):
    n = int(rng.integers(2, 6))
    agrees(student, reference, "bmi", rng.integers(40, 120, size=n).tolist(), [2] * n)
    agrees(student, reference, "bmi", [], [])
