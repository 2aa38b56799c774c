import torch.nn.functional as F


def calc_preds(coeffs, indeps):
    """F.sigmoid from torch.nn.functional."""
    return F.sigmoid(indeps @ coeffs)
