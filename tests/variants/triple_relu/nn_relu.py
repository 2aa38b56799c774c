from torch import nn


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """An nn.ReLU() module applied to each line."""
    relu = nn.ReLU()
    return relu(m1 * x + b1) + relu(m2 * x + b2) + relu(m3 * x + b3)
