import torch


def gradient_step(params, lr):
    """torch.optim.SGD with lr=..., then zero_grad(set_to_none=False) (gradients kept as zeros)."""
    optimizer = torch.optim.SGD(params, lr=lr)
    optimizer.step()
    optimizer.zero_grad(set_to_none=False)
