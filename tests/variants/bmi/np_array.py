import numpy as np


def bmi(weight_kg, height_m):
    """np.array(..., dtype=float), len() for the check, np.square."""
    w = np.array(weight_kg, dtype=float)
    h = np.array(height_m, dtype=float)
    if len(w) != len(h):
        raise ValueError("as many weights as heights")
    return w / np.square(h)
