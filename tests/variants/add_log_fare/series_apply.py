import math

import pandas as pd


def add_log_fare(df: pd.DataFrame) -> pd.DataFrame:
    """Series.apply of math.log(x + 1) (missing fares stay missing), joined with pd.concat."""
    if "Fare" not in df:
        raise ValueError("no Fare column")
    log = df["Fare"].apply(lambda x: math.log(x + 1) if pd.notna(x) else float("nan")).astype(float)
    return pd.concat([df, log.rename("LogFare")], axis=1)
