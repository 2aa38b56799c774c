import torch


def calc_preds(coeffs, indeps):
    """torch.special.expit, SciPy's name for the sigmoid."""
    return torch.special.expit(indeps @ coeffs)
