import torch


def mae(preds, acts):
    return (preds - acts).abs().mean()


def fit_quadratic(x, y, abc, lr=0.01, steps=10):
    """torch.optim.SGD on a cloned parameter, zero_grad() before each step."""
    params = torch.as_tensor(abc, dtype=x.dtype).clone().detach().requires_grad_(True)
    optimizer = torch.optim.SGD([params], lr=lr)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = mae(params[0] * x ** 2 + params[1] * x + params[2], y)
        loss.backward()
        optimizer.step()
    return params.detach().clone()
