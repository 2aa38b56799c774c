import pandas as pd


def add_dummies(df, columns=("Sex", "Pclass", "Embarked")):
    """By hand on a copy: one float column per sorted value, then the named columns dropped."""
    out = df.copy()
    for column in columns:
        for value in sorted(df[column].dropna().unique()):
            out[f"{column}_{value}"] = (df[column] == value).astype(float)
    return out.drop(columns=list(columns))
