import torch


def calc_preds(coeffs, indeps):
    """.mm where both are matrices (coeffs of shape (k, 1)), .mv for a vector of coeffs."""
    z = indeps.mm(coeffs) if coeffs.dim() == 2 else indeps.mv(coeffs)
    return torch.sigmoid(z)
