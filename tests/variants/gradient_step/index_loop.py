import torch


def gradient_step(params, lr):
    """A loop over indices, params[i] -= lr * params[i].grad."""
    with torch.no_grad():
        for i in range(len(params)):
            params[i] -= lr * params[i].grad
            params[i].grad.zero_()
