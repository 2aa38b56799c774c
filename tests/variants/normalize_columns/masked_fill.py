def normalize_columns(t):
    """max(0).values, zeros replaced by ones with masked_fill."""
    maxima = t.max(0).values
    return t / maxima.masked_fill(maxima == 0, 1)
