"""Checks for calc_loss: the mean absolute error of sigmoid(indeps @ coeffs) against deps."""

import pytest
import torch

from grader.checking import agrees, gradients_agree

INDEPS = torch.tensor([[0.3, 1.0, 0.0], [0.8, 0.0, 1.0], [0.1, 1.0, 1.0], [0.5, 0.0, 0.0]])
COEFFS = torch.tensor([0.5, -1.0, 0.25])
DEPS = torch.tensor([1.0, 0.0, 0.0, 1.0])


def _random(rng, column=False):
    n, k = int(rng.integers(6, 40)), int(rng.integers(2, 8))
    coeffs = torch.from_numpy(rng.uniform(-1, 1, size=(k, 1) if column else (k,))).float()
    indeps = torch.from_numpy(rng.uniform(0, 1, size=(n, k))).float()
    deps = torch.from_numpy(rng.integers(0, 2, size=(n, 1) if column else (n,))).float()
    return coeffs, indeps, deps


@pytest.mark.points(3)
def check_the_loss_of_a_few_passengers(student, reference):
    agrees(student, reference, "calc_loss", COEFFS, INDEPS, DEPS)


@pytest.mark.points(3)
def check_keeps_gradients_to_coeffs(student, reference):
    gradients_agree(student, reference, "calc_loss", COEFFS, INDEPS, DEPS, names=["coeffs", "indeps", "deps"])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_data(student, reference, rng):
    gradients_agree(student, reference, "calc_loss", *_random(rng), names=["coeffs", "indeps", "deps"])


@pytest.mark.hidden
@pytest.mark.points(2)
def check_coeffs_and_deps_as_columns(student, reference, rng):
    agrees(student, reference, "calc_loss", *_random(rng, column=True))
