import torch


def calc_preds(coeffs, indeps):
    """The sigmoid written out: 1 / (1 + exp(-z))."""
    z = indeps @ coeffs
    return 1 / (1 + torch.exp(-z))
