"""Model covariates as R's treatment contrasts, with the reference level chosen by the caller.

``treatment_design(d, covariates, levels={"ER": ["Positive", "Negative"]})`` returns the design
matrix R builds from ``~ factor(ER, levels = c("Positive", "Negative")) + AGE``: a numeric
column as it is (per unit), a non-numeric (or boolean) column as one 0/1 column per level other
than the reference, the reference being the first level in the configured order (``levels``)
or, for a column not configured, the first sorted level (R's ``factor()`` default). Configured
levels that do not occur in the rows are left out, as R's ``droplevels`` (the reference is then
the first level that occurs, stated in ``terms.reference``); a value that is not among the
configured levels is an error naming the column and the values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .frame import SurvivalDataError, column_list

__all__ = ["treatment_design"]


def _is_numeric(s: pd.Series) -> bool:
    return pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)


def _level_order(s: pd.Series, column: str, configured: Any) -> list:
    present = pd.unique(s).tolist()
    if configured is None:
        return sorted(present, key=lambda v: (str(type(v)), v))
    configured = list(configured)
    unknown = [v for v in present if v not in configured]
    if unknown:
        raise SurvivalDataError(
            f"values {sorted(map(str, unknown))} are not among the configured levels "
            f"{[str(v) for v in configured]}", column=column)
    return [v for v in configured if v in present]


def treatment_design(d: pd.DataFrame, covariates: Any,
                     levels: dict | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(X, terms) for ``covariates`` of the complete rows ``d`` (see the module doc).

    ``X``: float columns named ``COL`` (numeric) or ``COL=level`` (a level against the
    reference). ``terms``: one row per column of ``X`` with ``column`` (its name),
    ``variable``, ``level`` (None for numeric) and ``reference`` (the reference level, None
    for numeric). ``levels``: column -> level order (first = reference); a column named there
    is treated as a factor even when numeric (as ``factor(x, levels=...)``).
    """
    levels = dict(levels or {})
    covariates = column_list(covariates, "covariates")
    extra = [c for c in levels if c not in covariates]
    if extra:
        raise SurvivalDataError(f"levels are configured for columns that are not covariates "
                                f"({covariates})", column=", ".join(map(str, extra)))
    parts, rows = [], []
    for c in covariates:
        s = d[c]
        if c not in levels and _is_numeric(s):
            parts.append(s.astype(float).rename(c).to_frame())
            rows.append({"column": c, "variable": c, "level": None, "reference": None})
            continue
        order = _level_order(s, c, levels.get(c))
        ref = order[0] if order else None
        for lv in order[1:]:
            name = f"{c}={lv}"
            parts.append(pd.Series((s == lv).to_numpy(dtype=float), index=d.index,
                                   name=name).to_frame())
            rows.append({"column": name, "variable": c, "level": lv, "reference": ref})
    x = pd.concat(parts, axis=1) if parts else pd.DataFrame(index=d.index)
    terms = pd.DataFrame(rows, columns=["column", "variable", "level", "reference"])
    return x, terms


def constant_columns(x: pd.DataFrame) -> list[str]:
    """Columns of ``x`` with one value only (no information on their coefficient)."""
    return [c for c in x.columns if np.ptp(x[c].to_numpy(dtype=float)) == 0] if len(x) else []
