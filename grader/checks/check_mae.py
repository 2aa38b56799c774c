"""Checks for mae: the mean absolute error, keeping gradients."""

import pytest
import torch

from grader.checking import agrees, gradients_agree

PREDS = torch.tensor([1.0, 2.5, -0.5, 4.0])
ACTS = torch.tensor([1.5, 2.0, 0.5, 3.0])


@pytest.mark.points(3)
def check_the_mean_absolute_error(student, reference):
    agrees(student, reference, "mae", PREDS, ACTS)


@pytest.mark.points(3)
def check_keeps_gradients(student, reference):
    gradients_agree(student, reference, "mae", PREDS, ACTS, names=["preds", "acts"])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_2d_inputs(student, reference, rng):
    shape = (int(rng.integers(2, 6)), int(rng.integers(2, 6)))
    agrees(student, reference, "mae", torch.from_numpy(rng.normal(size=shape)).float(),
          torch.from_numpy(rng.normal(size=shape)).float())


@pytest.mark.hidden
@pytest.mark.points(2)
def check_keeps_float64(student, reference, rng):
    agrees(student, reference, "mae", torch.from_numpy(rng.normal(size=7)), torch.from_numpy(rng.normal(size=7)))
