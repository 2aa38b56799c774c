"""Week 3 · A multilayer perceptron with nn.Sequential, and the number of its parameters."""

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}


def build_mlp(sizes, activation="relu"):
    """Linear layers for each pair of neighbouring sizes, the activation between them."""
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}: use relu, sigmoid or tanh")
    sizes = list(sizes)
    if len(sizes) < 2:
        raise ValueError("an MLP needs at least two sizes (its inputs and its outputs)")
    layers = []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if layers:
            layers.append(ACTIVATIONS[activation]())
        layers.append(nn.Linear(n_in, n_out))
    return nn.Sequential(*layers)


def count_parameters(model):
    """The number of parameter elements that require gradients."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
