"""Week 5 · From-scratch model: one step of gradient descent.

Alice's solution.
"""

import torch


def gradient_step(params, lr):
    # the update itself must not end up in the graph -> no_grad
    with torch.no_grad():
        for p in params:
            p.sub_(p.grad, alpha=lr)  # p = p - lr * grad, but in place
            p.grad = None             # like optimizer.zero_grad(set_to_none=True)
