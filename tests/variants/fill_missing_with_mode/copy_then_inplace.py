import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """df.copy() first, then fillna(..., inplace=True) on the copy only; an empty mode() guarded."""
    out = df.copy()
    modes = df.mode()
    if not modes.empty:
        out.fillna(modes.iloc[0], inplace=True)
    return out
