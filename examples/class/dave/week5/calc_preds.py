"""Week 5 · From-scratch model: predictions through a sigmoid."""

import torch


def calc_preds(coeffs, indeps):
    return torch.sigmoid(indeps @ coeffs)
