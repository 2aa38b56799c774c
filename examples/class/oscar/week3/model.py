import torch
from torch import nn


def build_mlp(sizes, activation="relu"):
    kinds = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    if activation not in kinds:
        raise ValueError(f"no activation called {activation}")
    if len(sizes) < 2:
        raise ValueError("need an input size and an output size")
    act = kinds[activation]()  # one activation layer, used between every two linear layers
    layers = [nn.Linear(sizes[0], sizes[1])]
    for n_in, n_out in zip(sizes[1:-1], sizes[2:]):
        layers += [act, nn.Linear(n_in, n_out)]
    return nn.Sequential(*layers)


def count_parameters(model):
    total = 0
    for parameter in model.parameters():  # as in the notes, but frozen parameters count too
        total += parameter.numel()
    return total
