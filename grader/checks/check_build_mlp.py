"""Checks for build_mlp: an nn.Sequential of Linear layers with the activation between them.

The model crosses from the sandbox as plain data and is rebuilt here from torch.nn's own layers
(grader/sandbox/wire.py), so a check compares PyTorch layers: their kinds, sizes and settings
with the reference's (built under a fixed seed, so that its answer is the same every time),
then what the model computes and its initial weights.
"""

import math

import pytest
import torch

from grader.checking import (CheckFailure, also_works, expect, expect_known_layers, expect_same, model_mismatch,
                             raised_name, seeded, show_call)

X = torch.linspace(-2, 2, 48).reshape(3, 16)  # three inputs for the notes' network


def expected(reference, *args):
    return seeded(0, lambda: reference.build_mlp(*args))


def built(student, reference, *args):
    """The student's model for ``args``, after its layers were compared with the reference's."""
    public = student.build_mlp.public
    call = show_call("build_mlp", args) if public else None
    outcome = student.build_mlp.run(*args)
    expect_known_layers(outcome, call)
    if outcome.error:
        student.build_mlp(*args)  # fails with the exception, or as "not written yet"
    problem = model_mismatch(outcome.value, expected(reference, *args), public=public, values=False)
    if problem:
        raise CheckFailure(f"{call}: {problem}" if call else f"on a hidden input: {problem}")
    return outcome.value, call


def raises_value_error(student, reference, *args, valid):
    """``build_mlp(*args)`` raises ValueError, and ``build_mlp(*valid)`` builds the right model:
    refusing is worth points only from a function that works."""
    refuses(student, *args)
    call = show_call("build_mlp", valid) if student.build_mlp.public else None
    also_works("build_mlp", call, lambda: built(student, reference, *valid))


def refuses(student, *args):
    outcome = student.build_mlp.run(*args)
    call = show_call("build_mlp", args) if student.build_mlp.public else "on a hidden input"
    expect_known_layers(outcome, call if student.build_mlp.public else None)
    if outcome.error is None:
        raise CheckFailure(f"{call}: expected ValueError, but it returned a model")
    if not outcome.error.is_a("ValueError"):  # by the built-in hierarchy: a subclass is a ValueError
        student.build_mlp(*args)
        raise CheckFailure(f"{call}: expected ValueError, got {raised_name(outcome.error, student.build_mlp.public)}")


@pytest.mark.points(3)
def check_the_notes_network(student, reference):
    built(student, reference, [16, 4, 2, 1])


@pytest.mark.points(2)
def check_sigmoid_and_tanh(student, reference):
    built(student, reference, [3, 5, 2], "sigmoid")
    built(student, reference, [4, 3, 3, 2], "tanh")


@pytest.mark.points(1)
def check_a_forward_pass(student, reference):
    model, call = built(student, reference, [16, 4, 2, 1])
    same = expected(reference, [16, 4, 2, 1])
    same.load_state_dict(model.state_dict())  # the reference's layers with the student's weights
    with torch.no_grad():
        expect_same(model(X), same(X), call=f"{call}(X) for X of shape (3, 16)")


@pytest.mark.points(1)
def check_keeps_the_layers_initial_weights(student, reference):
    # nn.Linear(a, b) starts with weights and biases drawn from (-1/sqrt(a), 1/sqrt(a)), all
    # different: weights that all start equal (zeros) keep every neuron of a layer the same.
    model, call = built(student, reference, [16, 4, 2, 1])
    for i, layer in enumerate(model):
        if not isinstance(layer, torch.nn.Linear):
            continue
        bound = 1 / math.sqrt(layer.in_features) * (1 + 1e-6)
        for name, p in layer.named_parameters():
            expect(p.requires_grad, f"{call}: layer {i}'s {name} does not require gradients: it would never learn")
            values = p.detach().reshape(-1)
            expect(float(values.abs().max()) <= bound and (len(values) == 1 or float(values.std()) > 0),
                   f"{call}: layer {i}'s {name} is not nn.Linear's own initial values (uniform in "
                   f"(-{bound:.3g}, {bound:.3g}), all different); keep the layers as nn.Linear makes them")


@pytest.mark.points(1)
def check_another_activation_raises_value_error(student, reference):
    raises_value_error(student, reference, [4, 3, 1], "leaky_relu", valid=([4, 3, 1], "tanh"))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_random_sizes_and_activations(student, reference, rng):
    for activation in ("relu", "sigmoid", "tanh"):
        sizes = [int(n) for n in rng.integers(1, 20, size=int(rng.integers(2, 7)))]
        built(student, reference, sizes, activation)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_fewer_than_two_sizes_raise_value_error(student, reference, rng):
    n = int(rng.integers(1, 20))
    raises_value_error(student, reference, [n], valid=([n, int(rng.integers(1, 20))],))
