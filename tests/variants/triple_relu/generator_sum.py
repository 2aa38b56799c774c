import torch


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """sum() over a generator of (m, b) pairs."""
    return sum(torch.relu(m * x + b) for m, b in zip((m1, m2, m3), (b1, b2, b3)))
