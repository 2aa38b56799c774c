import torch


def build_mlp(sizes, activation="relu"):
    """An empty Sequential grown with append(), getattr on torch.nn for the activation class."""
    names = {"relu": "ReLU", "sigmoid": "Sigmoid", "tanh": "Tanh"}
    if activation not in names:
        raise ValueError(activation)
    if len(sizes) < 2:
        raise ValueError("sizes")
    model = torch.nn.Sequential()
    for i, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        if i > 0:
            model.append(getattr(torch.nn, names[activation])())
        model.append(torch.nn.Linear(n_in, n_out))
    return model
