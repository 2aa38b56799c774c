import torch.nn as nn


def build_mlp(sizes, activation="relu"):
    """One activation object, reused between every two Linear layers; if/elif on the name."""
    if activation == "relu":
        act = nn.ReLU()
    elif activation == "sigmoid":
        act = nn.Sigmoid()
    elif activation == "tanh":
        act = nn.Tanh()
    else:
        raise ValueError(f"unknown activation {activation}")
    if len(sizes) < 2:
        raise ValueError("at least two sizes")
    layers = [nn.Linear(sizes[0], sizes[1])]
    for a, b in zip(sizes[1:-1], sizes[2:]):
        layers += [act, nn.Linear(a, b)]
    return nn.Sequential(*layers)
