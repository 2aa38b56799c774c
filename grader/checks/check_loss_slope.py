"""Checks for loss_slope: the forward difference of the mean squared error of w * x."""

import numpy as np
import pytest

from grader.checking import agrees


@pytest.mark.points(3)
def check_the_notes_data(student, reference):
    agrees(student, reference, "loss_slope", 3.0, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0])


@pytest.mark.points(2)
def check_uses_the_given_eps(student, reference):
    # With a large eps the forward difference is far from the derivative (and from a central difference).
    agrees(student, reference, "loss_slope", 0.5, [1.0, 2.0, 3.0], [2.0, 4.0, 6.0], 0.5)


@pytest.mark.hidden
@pytest.mark.points(3)
def check_random_lists_and_eps(student, reference, rng):
    n = int(rng.integers(3, 12))
    xs = np.round(rng.uniform(-3, 3, size=n), 3).tolist()
    ys = np.round(rng.uniform(-6, 6, size=n), 3).tolist()
    agrees(student, reference, "loss_slope", float(rng.uniform(-4, 4)), xs, ys, float(rng.uniform(0.01, 0.3)))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_numpy_arrays(student, reference, rng):
    xs = rng.uniform(0, 5, size=8)
    agrees(student, reference, "loss_slope", float(rng.uniform(0, 10)), xs, 2 * xs + rng.normal(size=8) * 0.1)
