"""Checks for accuracy: the fraction of rows where sigmoid(indeps @ coeffs) > 0.5 matches deps > 0.5."""

import pytest
import torch

from grader.checking import agrees

INDEPS = torch.tensor([[0.3, 1.0, 0.0], [0.8, 0.0, 1.0], [0.1, 1.0, 1.0], [0.5, 0.0, 0.0], [0.9, 1.0, 0.0]])
COEFFS = torch.tensor([0.5, -1.0, 0.25])


@pytest.mark.points(3)
def check_a_few_passengers(student, reference):
    agrees(student, reference, "accuracy", COEFFS, INDEPS, torch.tensor([1.0, 1.0, 0.0, 1.0, 0.0]))


@pytest.mark.points(2)
def check_a_prediction_of_exactly_half_is_negative(student, reference):
    indeps = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0]])
    agrees(student, reference, "accuracy", torch.tensor([1.0, -1.0]), indeps, torch.tensor([1.0, 1.0, 0.0]))


@pytest.mark.points(2)
def check_coeffs_and_deps_as_columns(student, reference):
    agrees(student, reference, "accuracy", COEFFS.reshape(3, 1), INDEPS,
           torch.tensor([[1.0], [1.0], [0.0], [1.0], [0.0]]))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_data(student, reference, rng):
    n, k = int(rng.integers(25, 60)), int(rng.integers(2, 6))
    coeffs = torch.from_numpy(rng.uniform(-1, 1, size=k)).float()
    indeps = torch.from_numpy(rng.uniform(0, 1, size=(n, k))).float()
    agrees(student, reference, "accuracy", coeffs, indeps, torch.from_numpy(rng.integers(0, 2, size=n)).float())


@pytest.mark.hidden
@pytest.mark.points(1)
def check_soft_labels(student, reference, rng):
    n = int(rng.integers(20, 40))
    coeffs = torch.from_numpy(rng.uniform(-1, 1, size=3)).float()
    indeps = torch.from_numpy(rng.uniform(-1, 1, size=(n, 3))).float()
    agrees(student, reference, "accuracy", coeffs, indeps, torch.from_numpy(rng.uniform(0, 1, size=n)).float())
