import torch


def gradient_step(params, lr):
    """p.copy_(p - lr * p.grad): compute the new value, copy it into the same tensor."""
    with torch.no_grad():
        for p in params:
            p.copy_(p - lr * p.grad)
            p.grad.zero_()
