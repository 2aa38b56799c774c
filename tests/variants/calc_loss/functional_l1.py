import torch
import torch.nn.functional as F


def calc_loss(coeffs, indeps, deps):
    """F.l1_loss of the sigmoid predictions."""
    return F.l1_loss(torch.sigmoid(indeps @ coeffs), deps)
