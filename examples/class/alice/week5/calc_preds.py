"""Week 5 · From-scratch model: predictions through a sigmoid.

Alice's solution.
"""

import torch


def calc_preds(coeffs, indeps):
    # matmul handles both coeffs shapes: (k,) -> (n,) and (k, 1) -> (n, 1)
    linear = torch.matmul(indeps, coeffs)
    return torch.sigmoid(linear)
