"""Week 5 · From-scratch model: replacing missing values with each column's mode.

Alice's solution.
"""

import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col in out.columns:
        modes = out[col].mode()  # sorted, so modes.iloc[0] is the smallest on a tie
        if len(modes) == 0:
            continue  # all missing (or no rows): nothing to fill with
        out[col] = out[col].fillna(modes.iloc[0])
    return out
