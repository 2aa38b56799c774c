import torch


def calc_preds(coeffs, indeps):
    """torch.matmul instead of the @ operator."""
    return torch.sigmoid(torch.matmul(indeps, coeffs))
