"""Checks for normalize_columns: each column divided by its maximum (a zero maximum leaves it)."""

import pytest
import torch

from grader.checking import agrees, expect_unchanged

AGES_FARES = torch.tensor([[22.0, 7.25, 1.0], [38.0, 71.28, 0.0], [26.0, 7.93, 1.0], [35.0, 53.1, 0.0]])


@pytest.mark.points(3)
def check_each_column_by_its_maximum(student, reference):
    agrees(student, reference, "normalize_columns", AGES_FARES)


@pytest.mark.points(2)
def check_a_column_of_zeros_stays(student, reference):
    agrees(student, reference, "normalize_columns", torch.tensor([[1.0, 0.0], [4.0, 0.0], [2.0, 0.0]]))


@pytest.mark.points(1)
def check_leaves_the_input_unchanged(student, reference):
    outcome = agrees(student, reference, "normalize_columns", AGES_FARES, inputs=True)
    expect_unchanged(outcome.inputs[0].tensor, AGES_FARES,
                     "the tensor passed in was modified: return a new tensor (t / maxima), not t /= maxima")


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_matrices(student, reference, rng):
    n, k = int(rng.integers(5, 30)), int(rng.integers(2, 7))
    agrees(student, reference, "normalize_columns", torch.from_numpy(rng.uniform(0, 100, size=(n, k))).float())


@pytest.mark.hidden
@pytest.mark.points(2)
def check_columns_with_negative_values(student, reference, rng):
    t = torch.from_numpy(rng.uniform(-50, 10, size=(8, 3))).float()
    t[0] = torch.tensor([5.0, 1.0, 2.0])
    agrees(student, reference, "normalize_columns", t)
