import torch


def gradient_step(params, lr):
    """p.add_(p.grad, alpha=-lr), as torch's own SGD writes it."""
    with torch.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-lr)
            p.grad.zero_()
