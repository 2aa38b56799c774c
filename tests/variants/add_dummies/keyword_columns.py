import pandas as pd


def add_dummies(df, columns=("Sex", "Pclass", "Embarked")):
    """pd.get_dummies with keyword arguments and a list of the columns."""
    return pd.get_dummies(data=df, columns=[c for c in columns], dtype="float64")
