"""Checks for predict_classes: a classifier with dropout predicts in eval mode.

In training mode a Dropout layer zeroes random activations, so predictions made in that mode
are random. Each check sends a model with dropout as training leaves it (in training mode),
and the call runs in the child with every generator seeded (``run(..., seed=)``), so a
submission that forgets ``model.eval()`` gets the same (wrong) answer every time. The reference
predicts here, in eval mode, where the answer does not depend on any seed.
"""

import copy

import pytest
import torch
from torch import nn

from grader.checking import Code, expect_known_layers, expect_same, expect_training, seeded, show, show_call, training

X = torch.linspace(-2, 2, 48).reshape(16, 3).cos() * torch.tensor([1.0, -2.0, 0.5])
ROW = torch.tensor([[0.5, -1.0, 2.0]])



def dropout_model():
    return nn.Sequential(nn.Linear(3, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 4))


def predicted(student, reference, seed, model, X, judge=None):
    """The submission's predictions (the call seeded by ``seed``) against the reference's."""
    public = student.predict_classes.public
    call = None
    if public:  # as Python to paste: the model is rebuilt under the same seed, the call seeded again
        call = f"torch.manual_seed({seed}); model = {show(model)}; torch.manual_seed({seed}); " + \
            show_call("predict_classes", (Code("model"), X))
    want = reference.predict_classes(copy.deepcopy(model), X.clone())
    outcome = student.predict_classes.run(model, X, observe=judge is not None, seed=seed)
    expect_known_layers(outcome, call)
    if outcome.error:
        student.predict_classes.value(outcome, model, X, call=call)  # fails with the exception, or as "not written yet"
    if judge is not None:  # what the child saw of the prediction, judged before the value
        judge(outcome, call)
    expect_same(outcome.value, want, call=call)


@pytest.mark.points(3)
def check_the_classes_of_a_model_with_dropout(student, reference):
    predicted(student, reference, 0, seeded(0, dropout_model), X)


@pytest.mark.points(3)
def check_predicts_in_eval_mode(student, reference):
    """Watched in the child: every forward pass in eval mode (the classes are also the reference's)."""
    def judge(outcome, call):
        expect_training(outcome, call, training.eval_mode)

    predicted(student, reference, 1, seeded(1, dropout_model), X, judge=judge)


@pytest.mark.points(1)
def check_a_single_row(student, reference):
    predicted(student, reference, 2, seeded(2, dropout_model), ROW)


def _random_case(rng, dtype):
    n_in, hidden = (int(v) for v in rng.integers(1, 7, size=2))
    classes = int(rng.integers(2, 6))
    n = int(rng.integers(1, 30))
    p = float(rng.uniform(0.2, 0.7))
    activation = [nn.ReLU, nn.Sigmoid, nn.Tanh][int(rng.integers(3))]
    seed = int(rng.integers(1 << 30))
    model = seeded(seed, lambda: nn.Sequential(nn.Linear(n_in, hidden), activation(), nn.Dropout(p),
                                               nn.Linear(hidden, classes)))
    X = torch.from_numpy(rng.normal(size=(n, n_in)))
    if dtype == torch.float32:
        X = X.float()
    else:
        model = model.double()
    return seed, model, X


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_models_and_data(student, reference, rng):
    predicted(student, reference, *_random_case(rng, torch.float32))


@pytest.mark.hidden
@pytest.mark.points(1)
def check_float64_models_and_data(student, reference, rng):
    predicted(student, reference, *_random_case(rng, torch.float64))
