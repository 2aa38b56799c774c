def triple_relu(m1, b1, m2, b2, m3, b3, x):
    """Method chaining: x.mul(m).add(b).relu()."""
    return x.mul(m1).add(b1).relu() + x.mul(m2).add(b2).relu() + x.mul(m3).add(b3).relu()
