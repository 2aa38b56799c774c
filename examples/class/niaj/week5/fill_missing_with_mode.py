"""Week 5 · From-scratch model: replacing missing values with each column's mode."""

import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    result = df.copy()
    if result.empty:
        return result
    result = result.fillna(result.mode().iloc[0])
    return result
