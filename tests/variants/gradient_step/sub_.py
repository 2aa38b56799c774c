import torch


def gradient_step(params, lr):
    """p.sub_(lr * p.grad) inside torch.no_grad()."""
    with torch.no_grad():
        for p in params:
            p.sub_(lr * p.grad)
            p.grad.zero_()
