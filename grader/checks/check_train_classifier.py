"""Checks for train_classifier: a classifier with dropout trained in place, in training mode.

Dropout draws a fresh random mask on every forward pass of training, so the losses depend on the
random generator. Each call runs in the child with every generator seeded (``run(..., seed=)``)
and the reference trains a copy of the same model here under ``torch_seeded`` with the same
seed, so both draw the same masks. As in ``check_train_epochs.py``, each check builds the model
under a fixed seed, reads it back as the call left it (``inputs=True``) and compares the losses
and every trained weight with the reference's.
"""

import copy

import pytest
import torch
from torch import nn

from grader.checking import (Code, expect_known_layers, expect_same, expect_trained_in_place, expect_training,
                             seeded, show, show_call, torch_seeded, training)

X = torch.linspace(-1, 1, 36).reshape(12, 3)
Y = torch.tensor([0, 2, 1, 0, 1, 2, 2, 0, 1, 1, 0, 2])       # a class label per row (torch.long)
X_TINY = torch.tensor([[1.0, -0.5, 0.25], [-1.0, 0.5, 0.0], [0.5, 1.0, -1.0], [0.0, -1.0, 1.0]])
Y_TINY = torch.tensor([0, 1, 2, 1])
TOL = {"rtol": 1e-4, "atol": 1e-6}



def dropout_model(p=0.5, hidden=8):
    return nn.Sequential(nn.Linear(3, hidden), nn.ReLU(), nn.Dropout(p), nn.Linear(hidden, 3))


def in_eval_mode(model):
    """The model as a prediction leaves it (``model.eval()``)."""
    return model.eval()


def trained(student, reference, seed, model, X, y, epochs, lr, judge=None):
    """Train with the submission (reading its model back) and a copy with the reference, both
    with the generators seeded by ``seed``: the losses must agree, then the outcome and the
    reference's trained copy are returned."""
    public = student.train_classifier.public
    args = (model, X, y, epochs, lr)
    call = None
    if public:  # as Python to paste: the model is rebuilt under the same seed, the call seeded again
        mode = "" if model.training else "model.eval(); "
        call = f"torch.manual_seed({seed}); model = {show(model)}; {mode}torch.manual_seed({seed}); " + \
            show_call("train_classifier", (Code("model"), X, y, epochs, lr))
    theirs = copy.deepcopy(model)
    with torch_seeded(seed):  # the child's seeding, here: the same dropout masks
        want = reference.train_classifier(theirs, X.clone(), y.clone(), epochs, lr)
    outcome = student.train_classifier.run(*args, inputs=True, observe=judge is not None, seed=seed)
    expect_known_layers(outcome, call)
    if outcome.error:
        student.train_classifier.value(outcome, *args, call=call)  # fails with the exception, or as "not written yet"
    if judge is not None:  # what the child saw of the training, judged before the values
        judge(outcome, call)
    expect_same(outcome.value, want, call=call, **TOL)
    return outcome, theirs, call


def in_place(outcome, want_model, call):
    expect_trained_in_place(outcome, want_model, call, **TOL)


@pytest.mark.points(2)
def check_the_losses_of_a_few_epochs(student, reference):
    trained(student, reference, 0, seeded(0, dropout_model), X, Y, 5, 0.1)


@pytest.mark.points(2)
def check_trains_the_model_in_place(student, reference):
    in_place(*trained(student, reference, 0, seeded(0, dropout_model), X, Y, 5, 0.1))


@pytest.mark.points(2)
def check_trains_in_training_mode_with_fresh_gradients(student, reference):
    """The model comes in eval mode, as a prediction left it. Watched in the child: each forward
    pass in training mode, each step's gradients finite, not all zero and not piled onto the last
    step's (the losses are also the reference's)."""
    def judge(outcome, call):
        expect_training(outcome, call, training.train_mode, training.gradients_finite_and_nonzero,
                        training.gradients_zeroed)

    trained(student, reference, 2, seeded(2, lambda: in_eval_mode(dropout_model())), X, Y, 6, 0.2, judge=judge)


@pytest.mark.points(1)
def check_overfits_a_tiny_batch(student, reference):
    """The notes' first step: a tiny batch, little dropout and enough epochs, and the loss falls
    to a tenth of its first value (the losses are also the reference's)."""
    outcome, _, call = trained(student, reference, 3, seeded(3, lambda: dropout_model(0.1, 16)), X_TINY, Y_TINY,
                               15, 1.0)
    expect_training(outcome, call, training.overfits, losses=outcome.value)


def _random_case(rng, dtype):
    n_in, hidden = (int(v) for v in rng.integers(1, 7, size=2))
    classes = int(rng.integers(2, 6))
    n = int(rng.integers(5, 30))
    p = float(rng.uniform(0.1, 0.6))
    activation = [nn.ReLU, nn.Sigmoid, nn.Tanh][int(rng.integers(3))]
    seed = int(rng.integers(1 << 30))
    model = seeded(seed, lambda: nn.Sequential(nn.Linear(n_in, hidden), activation(), nn.Dropout(p),
                                               nn.Linear(hidden, classes)))
    X = torch.from_numpy(rng.normal(size=(n, n_in)))
    y = torch.from_numpy(rng.integers(0, classes, size=n)).long()
    if dtype == torch.float32:
        X = X.float()
    else:
        model = model.double()
    return seed, model, X, y, int(rng.integers(2, 12)), float(rng.uniform(0.02, 0.5))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_models_and_data(student, reference, rng):
    in_place(*trained(student, reference, *_random_case(rng, torch.float32)))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_float64_models_and_data(student, reference, rng):
    in_place(*trained(student, reference, *_random_case(rng, torch.float64)))
