import torch.nn.functional as F


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """F.relu from torch.nn.functional."""
    return F.relu(m1 * x + b1) + F.relu(m2 * x + b2) + F.relu(m3 * x + b3)
