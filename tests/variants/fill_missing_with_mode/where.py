import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """Series.where(notna, mode) per column."""
    out = df.copy()
    for column in df.columns:
        values = df[column]
        if values.isna().any() and values.notna().any():
            out[column] = values.where(values.notna(), values.mode()[0])
    return out
