import torch


def gradient_step(params, lr):
    """p.data.sub_(lr * p.grad), then p.grad *= 0 to clear the gradient."""
    with torch.no_grad():
        for p in params:
            p.data.sub_(lr * p.grad)
            p.grad *= 0
