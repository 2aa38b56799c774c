import pandas as pd


def add_dummies(df, columns=("Sex", "Pclass", "Embarked")):
    """pandas' default bool dummies, the new columns cast with astype(float) afterwards."""
    out = pd.get_dummies(df, columns=list(columns))
    new = [c for c in out.columns if c not in df.columns]
    return out.astype({c: float for c in new})
