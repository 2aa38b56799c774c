import torch


def calc_preds(coeffs, indeps):
    """torch.einsum with an ellipsis, so both coeff shapes work."""
    return torch.sigmoid(torch.einsum("nk,k...->n...", indeps, coeffs))
