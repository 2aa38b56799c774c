import numpy as np
import pandas as pd


def add_log_fare(df: pd.DataFrame) -> pd.DataFrame:
    """A shallow df[:] under pandas 3's copy-on-write: assigning to it leaves df alone."""
    try:
        fare = df["Fare"]
    except KeyError:
        raise ValueError("there is no Fare column") from None
    out = df[:]
    out["LogFare"] = np.log(fare + 1)
    return out
