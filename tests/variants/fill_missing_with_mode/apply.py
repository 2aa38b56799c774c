import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """DataFrame.apply over the columns, each filled with its own mode."""
    return df.apply(lambda col: col.fillna(col.mode()[0]) if col.notna().any() else col)
