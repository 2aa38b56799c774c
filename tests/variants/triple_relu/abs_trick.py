def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """relu(y) written as (y + |y|) / 2."""
    ys = [m1 * x + b1, m2 * x + b2, m3 * x + b3]
    return sum((y + y.abs()) / 2 for y in ys)
