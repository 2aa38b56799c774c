"""Week 1 · A neuron that learns to multiply by 2: the slope of the loss, and gradient descent."""


def loss_slope(w, xs, ys, eps=1e-4):
    """Forward difference (loss(w + eps) - loss(w)) / eps of the mean squared error of w * x."""
    def loss(v):
        return sum((v * float(x) - float(y)) ** 2 for x, y in zip(xs, ys)) / len(xs)

    return float((loss(w + eps) - loss(w)) / eps)


def fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4):
    """``steps`` steps of w -= lr * loss_slope(w, ...); the final w as a float."""
    w = float(w)
    for _ in range(steps):
        w -= lr * loss_slope(w, xs, ys, eps)
    return float(w)
