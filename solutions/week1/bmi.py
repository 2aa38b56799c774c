"""Week 1 · NumPy: the body mass index of a family, elementwise."""

import numpy as np


def bmi(weight_kg, height_m):
    """weight / height**2, elementwise, as a float64 array."""
    weight = np.asarray(weight_kg, dtype=np.float64)
    height = np.asarray(height_m, dtype=np.float64)
    if weight.shape != height.shape:
        raise ValueError(f"{weight.size} weights but {height.size} heights")
    return weight / height ** 2
