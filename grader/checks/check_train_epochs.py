"""Checks for train_epochs: full-batch SGD on the mean squared error, the model trained in place.

Each check builds a model here under a fixed seed (so its start weights are known), sends it to
the sandbox, and reads it back as the call left it (``inputs=True``); the reference trains a
copy of the same model on the same data here. The losses and every trained weight are compared.
"""

import copy

import pytest
import torch
from torch import nn

from grader.checking import (Code, expect_known_layers, expect_same, expect_trained_in_place, expect_training,
                             seeded, show, show_call, training)

X = torch.linspace(-1, 1, 24).reshape(8, 3)
Y = 0.5 * X.sum(dim=1, keepdim=True) + torch.sin(3 * X[:, :1])  # a fixed target of shape (8, 1)
TOL = {"rtol": 1e-4, "atol": 1e-6}



def small_model():
    return nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))


def trained(student, reference, seed, model, X, y, epochs, lr, judge=None):
    """Train with the submission (reading its model back) and a copy with the reference: the
    losses must agree, then the outcome and the reference's trained copy are returned."""
    public = student.train_epochs.public
    args = (model, X, y, epochs, lr)
    call = None
    if public:  # as Python to paste: the model is rebuilt under the same seed
        call = f"torch.manual_seed({seed}); model = {show(model)}; " + \
            show_call("train_epochs", (Code("model"), X, y, epochs, lr))
    theirs = copy.deepcopy(model)
    want = reference.train_epochs(theirs, X.clone(), y.clone(), epochs, lr)
    outcome = student.train_epochs.run(*args, inputs=True, observe=judge is not None)
    expect_known_layers(outcome, call)
    if outcome.error:
        student.train_epochs(*args)  # fails with the exception, or as "not written yet"
    if judge is not None:  # what the child saw of the training, judged before the values
        judge(outcome, call)
    expect_same(outcome.value, want, call=call, **TOL)
    return outcome, theirs, call


def in_place(outcome, want_model, call):
    expect_trained_in_place(outcome, want_model, call, **TOL)


@pytest.mark.points(2)
def check_the_losses_of_a_few_epochs(student, reference):
    trained(student, reference, 0, seeded(0, small_model), X, Y, 5, 0.01)


@pytest.mark.points(3)
def check_trains_the_model_in_place(student, reference):
    in_place(*trained(student, reference, 0, seeded(0, small_model), X, Y, 5, 0.01))


@pytest.mark.points(1)
def check_trains_in_training_mode_with_fresh_gradients(student, reference):
    """Watched in the child: each forward pass in training mode, each step's gradients finite,
    not all zero and not piled onto the last step's; and the loss falls (the losses are also the reference's)."""
    def judge(outcome, call):
        expect_training(outcome, call, training.train_mode, training.gradients_finite_and_nonzero,
                        training.gradients_zeroed)

    outcome, _, call = trained(student, reference, 2, seeded(2, small_model), X, Y, 6, 0.05, judge=judge)
    expect_training(outcome, call, training.loss_decreases, losses=outcome.value)


@pytest.mark.points(1)
def check_zero_epochs(student, reference):
    in_place(*trained(student, reference, 1, seeded(1, small_model), X, Y, 0, 0.01))


def _random_case(rng, dtype):
    n_in, hidden, n_out = (int(v) for v in rng.integers(1, 6, size=3))
    n = int(rng.integers(5, 30))
    activation = [nn.ReLU, nn.Sigmoid, nn.Tanh][int(rng.integers(3))]
    seed = int(rng.integers(1 << 30))
    model = seeded(seed, lambda: nn.Sequential(nn.Linear(n_in, hidden), activation(), nn.Linear(hidden, n_out)))
    X = torch.from_numpy(rng.normal(size=(n, n_in)))
    y = torch.from_numpy(rng.normal(size=(n, n_out)))
    if dtype == torch.float32:
        X, y = X.float(), y.float()
    else:
        model = model.double()
    return seed, model, X, y, int(rng.integers(2, 12)), float(rng.uniform(0.02, 0.3))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_models_and_data(student, reference, rng):
    in_place(*trained(student, reference, *_random_case(rng, torch.float32)))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_float64_models_and_data(student, reference, rng):
    in_place(*trained(student, reference, *_random_case(rng, torch.float64)))
