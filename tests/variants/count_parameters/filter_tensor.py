import torch


def count_parameters(model):
    """filter() on requires_grad, torch.numel, int() of the sum."""
    return int(sum(torch.numel(p) for p in filter(lambda p: p.requires_grad, model.parameters())))
