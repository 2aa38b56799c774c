import torch


def softmax(x, dim=-1):
    """torch.max's (values, indices) unpacked, the shifted exponentials normalised."""
    biggest, _ = torch.max(x, dim=dim, keepdim=True)
    e = torch.exp(x - biggest)
    return e / e.sum(dim, keepdim=True)
