def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """Multiplying each line by its mask (y > 0)."""
    out = 0
    for m, b in ((m1, b1), (m2, b2), (m3, b3)):
        y = m * x + b
        out = out + y * (y > 0)
    return out
