import torch


def gradient_step(params, lr):
    """p -= lr * p.grad, then p.grad = None instead of zeroing."""
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    for p in params:
        p.grad = None
