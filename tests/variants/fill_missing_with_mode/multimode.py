import statistics

import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """statistics.multimode, the smallest of the tied modes."""
    filled = {}
    for column in df.columns:
        present = df[column].dropna().tolist()
        if present:
            filled[column] = min(statistics.multimode(present))
    return df.fillna(filled)
