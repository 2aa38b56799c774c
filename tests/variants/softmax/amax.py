import torch


def softmax(x, dim=-1):
    """amax for the shift, exp_ and sum on the new tensor."""
    e = (x - x.amax(dim=dim, keepdim=True)).exp()
    return e / torch.sum(e, dim=dim, keepdim=True)
