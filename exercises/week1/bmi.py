"""Week 1 · NumPy: the body mass index of a family.

Python lists cannot do arithmetic on whole collections (``weight / height ** 2`` on lists is
a ``TypeError``); NumPy arrays do it elementwise: the first person's BMI from the first
weight and height, and so on. The notes' family, ``height = [1.73, 1.68, 1.71, 1.89, 1.79]``
and ``weight = [65.4, 59.2, 63.6, 88.4, 68.7]``, gives about ``[21.85, 20.98, 21.75, 24.75, 21.44]``.

Your task: write ``bmi(weight_kg, height_m)``:

- both arguments are lists or numpy arrays (of any number type) of the same length;
- return ``weight / height**2``, elementwise, as a numpy array of dtype ``float64``
  (convert with ``np.asarray(..., dtype=np.float64)``), with no rounding;
- raise ``ValueError`` when the lengths differ (also when one of them has a single value,
  which numpy would otherwise broadcast).

Check your work with ``grader check bmi``.
"""

import numpy as np


def bmi(weight_kg, height_m):
    # TODO: turn both inputs into arrays of the dtype the docstring asks for, then decide when the
    # two really differ in length (numpy would quietly broadcast a single value) before applying the
    # formula to whole arrays at once. (Course notes, week 1: NumPy arrays and the family's BMI.)
    raise NotImplementedError("bmi is not written yet")
