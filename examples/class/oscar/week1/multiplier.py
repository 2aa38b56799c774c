import numpy as np


def loss_slope(w, xs, ys, eps=1e-4):
    xs, ys = np.asarray(xs, dtype=float), np.asarray(ys, dtype=float)
    before = np.mean((w * xs - ys) ** 2)
    after = np.mean(((w + eps) * xs - ys) ** 2)
    return float((after - before) / eps)


def fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4):
    w = float(w)
    for _ in range(steps):
        w = w - lr * loss_slope(w, xs, ys)  # eps is not passed on
    return w
