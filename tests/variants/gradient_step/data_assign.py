import torch


def gradient_step(params, lr):
    """p.data = p.data - lr * p.grad (a new value behind the same tensor), then p.grad = torch.zeros_like(p)."""
    for p in params:
        p.data = p.data - lr * p.grad
        p.grad = torch.zeros_like(p)
