from collections import Counter

import pandas as pd


def fill_missing_with_mode(df: pd.DataFrame) -> pd.DataFrame:
    """collections.Counter over each column's values, smallest value among the most common."""
    out = df.copy()
    for column in df.columns:
        counts = Counter(df[column].dropna())
        if counts:
            best = max(counts.values())
            out[column] = out[column].fillna(min(v for v, n in counts.items() if n == best))
    return out
