"""Lab 5 · Preparing the Titanic data: the log of the fare, and dummy variables.

Two of the cleaning steps of the week's notebook (the lab sheet's Task 4):

- **Taking the log of a variable.** Money is long-tailed: most fares are small, a few are
  huge, and the huge ones would dominate a linear model. Its logarithm squeezes the tail in;
  since some fares are 0 and ``log(0)`` is not defined, the notebook adds 1 first:
  ``log(Fare + 1)``.
- **Dummy variables.** A model multiplies columns by coefficients, so a category such as
  ``Sex`` or ``Embarked`` becomes one 0/1 column per value (``Sex_female``, ``Sex_male``), which
  ``pd.get_dummies`` makes. ``Pclass`` is a number but really a category (class 3 is not
  "three times" class 1), so it gets dummies too.

Your task:

- ``add_log_fare(df)``: a **new** DataFrame with every column of ``df`` and a column
  ``LogFare`` equal to ``log(Fare + 1)`` (after the other columns; a missing fare gives a missing
  ``LogFare``). Keep the rows and the row index as they are. Raise ``ValueError``, with a
  message that names the ``Fare`` column, when ``df`` has no ``Fare`` column.
- ``add_dummies(df, columns=("Sex", "Pclass", "Embarked"))``: a **new** DataFrame in which
  each named column is replaced by float 0/1 columns named ``<column>_<value>``, exactly as
  ``pd.get_dummies(df, columns=list(columns), dtype=float)`` gives them: the other columns
  first, then each named column's dummies in the order of ``columns``, its values sorted; a
  missing value gets 0 in every dummy of its column.

Neither function may change the DataFrame it is given: with pandas 3's copy-on-write, a new
frame you make from ``df`` does not change ``df`` when you change it, but adding a column to
``df`` itself does. Text columns have pandas 3's ``str`` dtype.

Check your work with ``grader check add_log_fare add_dummies``.
"""

import numpy as np
import pandas as pd


def add_log_fare(df: pd.DataFrame) -> pd.DataFrame:
    # TODO: refuse a frame without Fare, with a message that names it. Then build the new column on
    # a new frame, never on df; think about the fares of 0 and the missing ones. (Week 5 lab sheet:
    # the Titanic cleaning steps, taking the log.)
    raise NotImplementedError("add_log_fare is not written yet")


def add_dummies(df: pd.DataFrame, columns=("Sex", "Pclass", "Embarked")) -> pd.DataFrame:
    # TODO: pandas can make dummy columns for you; make sure the result's columns, their order and
    # their dtype are the ones the docstring asks for, and that df is left alone. (Week 5 lab sheet:
    # the Titanic cleaning steps, dummy variables.)
    raise NotImplementedError("add_dummies is not written yet")
