import torch


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """torch.stack of the three lines, relu, then sum over the new first dimension."""
    lines = torch.stack([m1 * x + b1, m2 * x + b2, m3 * x + b3])
    return lines.relu().sum(dim=0)
