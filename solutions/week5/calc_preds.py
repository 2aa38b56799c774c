"""Week 5 · From-scratch model: predictions through a sigmoid."""

import torch


def calc_preds(coeffs, indeps):
    """``sigmoid(indeps @ coeffs)``: one probability per row of ``indeps``."""
    return torch.sigmoid(indeps @ coeffs)
