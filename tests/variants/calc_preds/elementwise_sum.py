import torch


def calc_preds(coeffs, indeps):
    """The lesson's first form, (indeps * coeffs).sum(axis=1), kept as a column for (k, 1) coeffs."""
    if coeffs.dim() == 1:
        return torch.sigmoid((indeps * coeffs).sum(axis=1))
    return torch.sigmoid((indeps * coeffs.T).sum(axis=1, keepdim=True))
