import numpy as np
import pandas as pd


def add_log_fare(df: pd.DataFrame) -> pd.DataFrame:
    """df.copy(), then the new column assigned with np.log1p."""
    if "Fare" not in df.columns:
        raise ValueError("add_log_fare needs a 'Fare' column")
    out = df.copy()
    out["LogFare"] = np.log1p(out["Fare"])
    return out
