def loss_slope(w, xs, ys, eps=1e-4):
    def loss(v):
        return sum((v * x - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
    return (loss(w + eps) - loss(w)) / eps


def fit_multiplier(xs, ys, w, lr=0.01, steps=100, eps=1e-4):
    """A while loop counting the steps down, keyword arguments to loss_slope."""
    w = float(w)
    while steps > 0:
        w = w - lr * loss_slope(w, xs, ys, eps=eps)
        steps -= 1
    return w
