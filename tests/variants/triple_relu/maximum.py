import torch


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """torch.maximum against a zero tensor like the line."""
    def relu(y):
        return torch.maximum(y, torch.zeros_like(y))

    return relu(m1 * x + b1) + relu(m2 * x + b2) + relu(m3 * x + b3)
