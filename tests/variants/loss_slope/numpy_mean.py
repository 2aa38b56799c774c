import numpy as np


def loss_slope(w, xs, ys, eps=1e-4):
    """numpy arrays and np.mean for the loss, float() of the forward difference."""
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    before = np.mean((w * x - y) ** 2)
    after = np.mean(((w + eps) * x - y) ** 2)
    return float((after - before) / eps)
