import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """value_counts(), taking the smallest of the most common values on ties."""
    out = df.copy()
    for column in df.columns:
        counts = df[column].value_counts()
        if len(counts):
            mode = counts[counts == counts.max()].index.min()
            out[column] = out[column].fillna(mode)
    return out
