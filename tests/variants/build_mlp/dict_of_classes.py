from torch import nn


def build_mlp(sizes, activation="relu"):
    """A dict from names to classes, the layers made in one list comprehension pass."""
    classes = {"relu": nn.ReLU, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh}
    if activation not in classes or len(sizes) < 2:
        raise ValueError("bad activation or sizes")
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        layers.append(classes[activation]())
    return nn.Sequential(*layers[:-1])
