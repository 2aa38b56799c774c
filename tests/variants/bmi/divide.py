import numpy as np


def bmi(weight_kg, height_m):
    """np.divide and np.power on float64 arrays."""
    weight = np.asarray(weight_kg).astype(np.float64)
    height = np.asarray(height_m).astype(np.float64)
    if weight.shape != height.shape:
        raise ValueError("different lengths")
    return np.divide(weight, np.power(height, 2))
