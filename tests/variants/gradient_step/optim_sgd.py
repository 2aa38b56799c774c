import torch


def gradient_step(params, lr):
    """torch.optim.SGD(params, lr).step(), then zero_grad() (gradients set to None)."""
    optimizer = torch.optim.SGD(params, lr)
    optimizer.step()
    optimizer.zero_grad()
