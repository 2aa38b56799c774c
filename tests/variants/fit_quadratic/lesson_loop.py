import torch


def mae(preds, acts):
    return torch.abs(preds - acts).mean()


def fit_quadratic(x, y, abc, lr=0.01, steps=10):
    """The lesson's loop: torch.tensor of a copy, requires_grad_(), abc -= abc.grad * lr."""
    params = torch.tensor([float(v) for v in abc], dtype=x.dtype).requires_grad_()
    for _ in range(steps):
        a, b, c = params[0], params[1], params[2]
        loss = mae(a * x ** 2 + b * x + c, y)
        loss.backward()
        with torch.no_grad():
            params -= params.grad * lr
            params.grad.zero_()
    return params.detach()
