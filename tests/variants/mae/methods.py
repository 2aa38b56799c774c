def mae(preds, acts):
    """Tensor methods: (preds - acts).abs().mean()."""
    return (preds - acts).abs().mean()
