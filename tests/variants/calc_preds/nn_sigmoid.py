from torch import nn


def calc_preds(coeffs, indeps):
    """An nn.Sigmoid() module."""
    return nn.Sigmoid()(indeps @ coeffs)
