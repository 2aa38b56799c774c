def calc_preds(coeffs, indeps):
    """Tensor methods: indeps.matmul(coeffs).sigmoid()."""
    return indeps.matmul(coeffs).sigmoid()
