"""The ARD table: columns, types and the checks every written ARD passes (``docs/ard.md``).

Text columns hold "" (never NaN) when empty; ``stat`` and ``conf_level`` are float64 with NaN
for missing; a missing ``stat`` needs its reason in ``warning`` or ``error`` ({cards}'
convention: a not-estimable statistic is a row with its reason, never left out).
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from helpers.core.errors import ParameterError

__all__ = ["ARD_COLUMNS", "ARD_KEY", "TEXT_COLUMNS", "ArdSchemaError", "combine", "empty_ard",
           "validate_ard"]

#: Column order of every ARD file.
ARD_COLUMNS = (
    "notebook", "analysis_id", "output_id", "method_id", "paramcd", "population", "data_cut",
    "conf_level", "group1", "group1_level", "group2", "group2_level", "variable",
    "variable_level", "context", "stat_name", "stat_label", "stat", "stat_fmt", "warning", "error",
)
NUMERIC_COLUMNS = ("conf_level", "stat")
TEXT_COLUMNS = tuple(c for c in ARD_COLUMNS if c not in NUMERIC_COLUMNS)
#: The columns that identify a statistic within a run.
ARD_KEY = ("analysis_id", "group1", "group1_level", "group2", "group2_level", "variable",
           "variable_level", "stat_name")
REQUIRED = ("notebook", "analysis_id", "method_id", "population", "context", "stat_name",
            "stat_label")


class ArdSchemaError(ParameterError):
    """An ARD that breaks the schema of ``docs/ard.md`` (names the source and the rows)."""


def empty_ard() -> pd.DataFrame:
    """An ARD with no rows and the schema's columns and types."""
    return _typed(pd.DataFrame({c: [] for c in ARD_COLUMNS}))


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    out = df.reindex(columns=list(ARD_COLUMNS)).copy()
    for column in TEXT_COLUMNS:
        out[column] = out[column].fillna("").astype(str).astype(object)
    for column in NUMERIC_COLUMNS:
        out[column] = pd.to_numeric(out[column], errors="raise").astype("float64")
    return out.reset_index(drop=True)


def validate_ard(df: pd.DataFrame, source: str = "ARD") -> pd.DataFrame:
    """Return ``df`` typed as the schema after checking it; raise ``ArdSchemaError`` listing
    every problem (missing columns, empty required values, unreasoned missing statistics,
    duplicate keys, non-finite values) with the rows at fault."""
    missing = [c for c in ARD_COLUMNS if c not in df.columns]
    if missing:
        raise ArdSchemaError(f"{source}: missing column(s) {', '.join(missing)}")
    problems = []
    try:
        out = _typed(df)
    except (TypeError, ValueError) as exc:
        raise ArdSchemaError(f"{source}: a numeric column (stat, conf_level) holds text: {exc}") from None
    for column in REQUIRED:
        empty = out.index[out[column] == ""]
        if len(empty):
            problems.append(f"column {column} empty in rows {_rows(empty)}")
    reasonless = out.index[out["stat"].isna() & (out["warning"] == "") & (out["error"] == "")]
    if len(reasonless):
        problems.append(f"stat missing without a warning or error in rows {_rows(reasonless)} "
                        f"({_ids(out, reasonless)})")
    infinite = out.index[np.isinf(out["stat"].to_numpy())]
    if len(infinite):
        problems.append(f"stat infinite in rows {_rows(infinite)} ({_ids(out, infinite)})")
    duplicated = out.index[out.duplicated(list(ARD_KEY), keep=False)]
    if len(duplicated):
        problems.append(f"rows {_rows(duplicated)} share the key ({', '.join(ARD_KEY)}): "
                        f"{_ids(out, duplicated)}")
    if problems:
        raise ArdSchemaError(f"{source}: " + "; ".join(problems))
    return out


def combine(frames: Iterable[pd.DataFrame], source: str = "run ARD") -> pd.DataFrame:
    """One ARD from several (e.g. a run's notebooks), validated as a whole."""
    frames = [f for f in frames if len(f)]
    if not frames:
        return empty_ard()
    return validate_ard(pd.concat([_typed(f) for f in frames], ignore_index=True), source)


def _rows(index: pd.Index, limit: int = 5) -> str:
    shown = ", ".join(str(i) for i in index[:limit])
    return shown + (f" and {len(index) - limit} more" if len(index) > limit else "")


def _ids(df: pd.DataFrame, index: pd.Index, limit: int = 3) -> str:
    rows = df.loc[index[:limit]]
    return "; ".join(f"{r.analysis_id} {r.group1_level} {r.variable}={r.variable_level} "
                     f"{r.stat_name}" for r in rows.itertuples())
