import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """fillna with a dict {column: mode} built in a comprehension."""
    modes = {c: df[c].mode()[0] for c in df.columns if df[c].notna().any()}
    return df.fillna(modes)
