"""Checks for gradient_step: p -= lr * p.grad in place, outside autograd, then zero the gradient."""

import pytest
import torch

from grader.checking import CheckFailure, brief, expect, expect_same, fresh, show_call


def param(values, grad, parameter=False):
    p = torch.tensor(values, dtype=torch.float32)
    p = torch.nn.Parameter(p) if parameter else p.requires_grad_(True)
    p.grad = torch.tensor(grad, dtype=torch.float32)
    return p


def step(student, reference, params, lr):
    """Run the submission and the reference on copies of the same parameters; compare."""
    call = show_call("gradient_step", (params, lr)) if student.gradient_step.public else None
    where = call or "on a hidden input"
    outcome = student.gradient_step.run(fresh(params), lr, inputs=True)
    if outcome.error:
        student.gradient_step(fresh(params), lr)  # fails with the exception and the call
    expected = fresh(params)
    reference.gradient_step(expected, lr)
    if outcome.value is not None:
        raise CheckFailure(f"{where}: expected None to be returned, got {type(outcome.value).__name__}")
    for i, (got, want) in enumerate(zip(outcome.inputs, expected)):
        expect_same(got.tensor, want.detach(), call=f"{call}, parameter #{i + 1}" if call else None)
    return outcome


@pytest.mark.points(2)
def check_updates_a_parameter_in_place(student, reference):
    step(student, reference, [param([1.0, 2.0, 3.0], [0.5, -1.0, 2.0])], 0.1)


@pytest.mark.points(1)
def check_updates_several_parameters(student, reference):
    step(student, reference, [param([[1.0, -1.0], [0.0, 2.0]], [[1.0, 1.0], [-2.0, 0.5]]),
                              param([0.5], [4.0])], 0.05)


@pytest.mark.points(1)
def check_zeroes_the_gradients(student, reference):
    outcome = step(student, reference, [param([1.0, 2.0], [3.0, -3.0])], 0.5)
    for report in outcome.inputs:
        grad = report.grad
        expect(grad is None or bool((grad == 0).all()),
               "after gradient_step the gradient should be zero (p.grad.zero_()) or None, "
               f"but it is {brief(grad)}")


@pytest.mark.points(1)
def check_parameters_stay_leaves_that_require_grad(student, reference):
    outcome = step(student, reference, [param([1.0, 2.0], [1.0, 1.0])], 0.1)
    for report in outcome.inputs:
        expect(report.requires_grad, "after gradient_step the parameter no longer requires grad")
        expect(report.is_leaf and not report.has_grad_fn,
               "after gradient_step the parameter is no longer a leaf: the update was recorded by "
               "autograd (do it inside `with torch.no_grad():`)")


def _random_params(rng, parameter=False):
    shapes = [(3,), (2, 4), (1,)]
    return [param(rng.normal(size=s).tolist(), rng.normal(size=s).tolist(), parameter) for s in shapes]


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_parameters_and_learning_rates(student, reference, rng):
    for lr in [float(rng.uniform(0.001, 1.0)), float(rng.uniform(1.0, 10.0))]:
        step(student, reference, _random_params(rng), lr)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_nn_parameters(student, reference, rng):
    outcome = step(student, reference, _random_params(rng, parameter=True), float(rng.uniform(0.01, 0.5)))
    for report in outcome.inputs:
        expect(report.is_leaf and report.requires_grad and not report.has_grad_fn,
               "on a hidden input: an nn.Parameter stopped being a leaf that requires grad")


@pytest.mark.hidden
@pytest.mark.points(1)
def check_zero_learning_rate_still_zeroes_gradients(student, reference, rng):
    outcome = step(student, reference, _random_params(rng), 0.0)
    for report in outcome.inputs:
        expect(report.grad is None or bool((report.grad == 0).all()),
               "on a hidden input: the gradient was not zeroed")


@pytest.mark.hidden
@pytest.mark.points(1)
def check_update_is_not_recorded_by_autograd(student, reference, rng):
    outcome = step(student, reference, _random_params(rng), float(rng.uniform(0.01, 0.5)))
    for report in outcome.inputs:
        expect(report.is_leaf and not report.has_grad_fn and report.requires_grad,
               "on a hidden input: the update was recorded by autograd or requires_grad was lost")
