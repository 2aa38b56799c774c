import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """A loop over the columns of a copy with Series.mode(), skipping columns without a mode."""
    out = df.copy()
    for column in out.columns:
        modes = out[column].mode()
        if len(modes) > 0:
            out[column] = out[column].fillna(modes[0])
    return out
