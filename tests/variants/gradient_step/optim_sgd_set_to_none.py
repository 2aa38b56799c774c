from torch import optim


def gradient_step(params, lr):
    """from torch import optim; optim.SGD(...).step(), then zero_grad(set_to_none=True)."""
    opt = optim.SGD(params, lr=lr)
    opt.step()
    opt.zero_grad(set_to_none=True)
