"""Lab 5 · The Titanic notebook's log of the fare and dummy variables."""

import numpy as np
import pandas as pd


def add_log_fare(df: pd.DataFrame) -> pd.DataFrame:
    """A new frame with LogFare = log(Fare + 1); ``df`` is not modified."""
    if "Fare" not in df.columns:
        raise ValueError("the frame has no 'Fare' column")
    return df.assign(LogFare=np.log(df["Fare"] + 1))


def add_dummies(df: pd.DataFrame, columns=("Sex", "Pclass", "Embarked")) -> pd.DataFrame:
    """Each named column replaced by float 0/1 columns, as pd.get_dummies makes them."""
    return pd.get_dummies(df, columns=list(columns), dtype=float)
