def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """Setting the negative values of each new line to zero by boolean-mask assignment."""
    total = 0
    for m, b in [(m1, b1), (m2, b2), (m3, b3)]:
        y = m * x + b
        y[y < 0] = 0
        total = total + y
    return total
