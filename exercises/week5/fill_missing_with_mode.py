"""Week 5 · From-scratch model: replacing missing values with each column's mode.

Cleaning the Titanic data starts with the missing values: a model cannot multiply a
coefficient by "nothing". The notebook replaces each column's missing values by that
column's mode, its most common value, found with ``df.mode()``: a simple choice that
works for numbers and for categories alike.

Your task: write ``fill_missing_with_mode(df)`` returning a **new** DataFrame in which
each column's missing values are replaced by that column's mode.

- When a column has several most-common values (a tie), use the first row of
  ``df.mode()``: the smallest value.
- A column whose values are all missing has no mode: it stays missing.
- A frame with no rows comes back as a copy.
- Never modify the DataFrame you were given (no ``inplace=True`` on it).

Check your work with ``grader check fill_missing_with_mode``.
"""

import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    # TODO: find each column's mode and fill the missing values of a copy with it.
    raise NotImplementedError("fill_missing_with_mode is not written yet")
