"""Week 5 · From-scratch model: one step of gradient descent."""

import torch


def gradient_step(params, lr):
    """Move every parameter against its gradient by ``lr`` times the gradient, then zero the gradient."""
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
            p.grad.zero_()
