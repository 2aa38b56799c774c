import numpy as np


def loss_slope(w, xs, ys, eps=1e-4):
    x, y = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    return float((np.mean(((w + eps) * x - y) ** 2) - np.mean((w * x - y) ** 2)) / eps)


def fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4):
    """numpy inside loss_slope, a for loop with an unused index."""
    current = float(w)
    for i in range(steps):
        slope = loss_slope(current, xs, ys, eps)
        current -= lr * slope
    return float(current)
