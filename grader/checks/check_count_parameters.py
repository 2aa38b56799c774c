"""Checks for count_parameters: the elements of the parameters that require gradients, an int.

The models are built here from torch.nn's layers, under a fixed seed (their weights do not
change the count, but the reference's answers must be the same every time), and sent to the
sandbox as plain data; the submission gets live modules of the same layers.
"""

import pytest
from torch import nn

from grader.checking import expect_known_layers, expect_same, seeded, show_call


def agree(student, reference, model):
    call = show_call("count_parameters", (model,)) if student.count_parameters.public else None
    outcome = student.count_parameters.run(model)
    expect_known_layers(outcome, call)
    expect_same(student.count_parameters(model) if outcome.error else outcome.value,
                reference.count_parameters(model), call=call)


def notes_network():
    return nn.Sequential(nn.Linear(16, 4), nn.Linear(4, 2), nn.Linear(2, 1))


@pytest.mark.points(3)
def check_the_notes_network(student, reference):
    agree(student, reference, seeded(0, notes_network))


@pytest.mark.points(2)
def check_frozen_parameters_do_not_count(student, reference):
    def partly_frozen():
        model = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2))
        model[0].requires_grad_(False)
        return model

    def frozen_head():
        model = nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 1))
        model[2].requires_grad_(False)
        return model

    agree(student, reference, seeded(0, partly_frozen))
    agree(student, reference, seeded(0, frozen_head))


@pytest.mark.points(2)
def check_a_single_layer_without_bias(student, reference):
    agree(student, reference, seeded(0, lambda: nn.Linear(5, 3, bias=False)))


@pytest.mark.hidden
@pytest.mark.points(2)
def check_random_networks(student, reference, rng):
    sizes = [int(n) for n in rng.integers(1, 40, size=int(rng.integers(3, 7)))]
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        if i:
            layers.append([nn.ReLU, nn.Sigmoid, nn.Tanh][int(rng.integers(3))]())
        layers.append(nn.Linear(a, b, bias=bool(rng.integers(0, 4))))
    model = nn.Sequential(*layers)
    params = list(model.parameters())
    frozen = [p for p in params if rng.uniform() < 0.2] or [params[int(rng.integers(len(params)))]]
    for p in frozen:  # at least one, a weight or a bias on its own
        p.requires_grad_(False)
    agree(student, reference, model)


@pytest.mark.hidden
@pytest.mark.points(1)
def check_nested_sequentials_and_layers_without_parameters(student, reference, rng):
    n = int(rng.integers(4, 30))
    model = nn.Sequential(nn.Flatten(), nn.Sequential(nn.Linear(n, 8), nn.ReLU(), nn.Dropout(0.2)),
                          nn.Sequential(nn.Linear(8, 3)), nn.Softmax(dim=1))
    agree(student, reference, model)
