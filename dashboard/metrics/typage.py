"""The pandas types of the models' columns: counts as int64 (a missing count is 0), figures as
float64 (NaN when undefined, never 0), keys and labels as Python objects."""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd


def typer(df: pd.DataFrame, entiers: Iterable[str] = (), decimaux: Iterable[str] = (),
          textes: Iterable[str] = ()) -> pd.DataFrame:
    """Type the named columns of ``df`` in place (those it lacks are skipped); returns ``df``."""
    for col in entiers:
        if col in df.columns:
            df[col] = df[col].fillna(0).astype("int64")
    for col in decimaux:
        if col in df.columns:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("float64")
    for col in textes:
        if col in df.columns:
            df[col] = df[col].astype(object)
    return df
