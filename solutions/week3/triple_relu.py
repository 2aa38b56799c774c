"""Week 3 · Neural net foundations: three ReLUs adding up to a curve.

A rectified linear unit is a line ``m*x + b`` with every negative value replaced by
zero. Adding several of them, each with its own slope and intercept, bends a line
into a piecewise-linear curve; with enough of them we can follow any function.
"""

import torch


def rectified_linear(m, b, x):
    """``max(m*x + b, 0)``, elementwise."""
    return torch.clip(m * x + b, min=0.0)


def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """The sum of three rectified linear units evaluated at ``x`` (a tensor of any shape)."""
    return rectified_linear(m1, b1, x) + rectified_linear(m2, b2, x) + rectified_linear(m3, b3, x)
