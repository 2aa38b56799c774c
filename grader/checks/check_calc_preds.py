"""Checks for calc_preds: sigmoid(indeps @ coeffs), with gradients flowing to coeffs."""

import pytest
import torch

from grader.checking import agrees, expect_unchanged, gradients_agree

INDEPS = torch.tensor([[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], [-1.5, 0.25, 0.0], [3.0, -1.0, 0.5]])
COEFFS = torch.tensor([0.3, -0.8, 0.5])


def gradients(student, reference, coeffs, indeps):
    gradients_agree(student, reference, "calc_preds", coeffs, indeps, names=["coeffs", "indeps"],
                    backward=".sum().backward()")


@pytest.mark.points(2)
def check_coeffs_of_shape_k(student, reference):
    agrees(student, reference, "calc_preds", COEFFS, INDEPS)


@pytest.mark.points(1)
def check_coeffs_of_shape_k_by_1(student, reference):
    agrees(student, reference, "calc_preds", COEFFS.reshape(3, 1), INDEPS)


@pytest.mark.points(2)
def check_gradients_flow_to_coeffs(student, reference):
    gradients(student, reference, COEFFS, INDEPS)


def _random(rng, n, k, column=False, dtype=torch.float32):
    coeffs = torch.from_numpy(rng.uniform(-1, 1, size=(k, 1) if column else (k,))).to(dtype)
    indeps = torch.from_numpy(rng.normal(size=(n, k))).to(dtype)
    return coeffs, indeps


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_sizes_and_both_coeff_shapes(student, reference, rng):
    for n, k, column in [(int(rng.integers(5, 40)), int(rng.integers(1, 8)), False),
                         (int(rng.integers(5, 40)), int(rng.integers(1, 8)), True), (1, 1, False)]:
        agrees(student, reference, "calc_preds", *_random(rng, n, k, column))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_gradients_on_random_inputs(student, reference, rng):
    gradients(student, reference, *_random(rng, 12, 5, column=True))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_keeps_float64(student, reference, rng):
    agrees(student, reference, "calc_preds", *_random(rng, 6, 3, dtype=torch.float64))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_leaves_inputs_unchanged(student, reference, rng):
    coeffs, indeps = _random(rng, 5, 4)
    outcome = agrees(student, reference, "calc_preds", coeffs, indeps, inputs=True)
    for name, report, before in [("coeffs", outcome.inputs[0], coeffs), ("indeps", outcome.inputs[1], indeps)]:
        expect_unchanged(report.tensor, before,
                         f"on a hidden input, {name} was modified: compute the predictions without changing it")
