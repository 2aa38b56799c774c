import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """out.loc[missing, column] = mode, only for the columns with gaps."""
    out = df.copy()
    for column in out.columns:
        missing = out[column].isna()
        if missing.any() and not missing.all():
            out.loc[missing, column] = out[column].mode().iloc[0]
    return out
