def gradient_step(params, lr):
    """The old .data idiom: update p.data, zero p.grad.data, no torch.no_grad() needed."""
    for p in params:
        p.data -= lr * p.grad.data
        p.grad.data.zero_()
