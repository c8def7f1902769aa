"""The rows of the trials' forest plot: the pooled trials with their weights in the pooled
estimate, then the rows shown but not pooled, each CI rebuilt at one level (maths only; the
plot is ``helpers.report.plots.meta_forest``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.stats import norm

from .pooling import PooledEstimate

__all__ = ["NOT_POOLED", "POOLED", "forest_table", "trial_weights"]

POOLED, NOT_POOLED = "pooled", "not pooled"


def trial_weights(pooled_rows: pd.DataFrame, result: PooledEstimate, se: str = "se") -> np.ndarray:
    """Percent weight of each row in ``result`` (metafor ``weights()``): 1/(SE² + tau²), scaled
    to 100 (inverse variance for a common-effect fit, tau² = 0)."""
    w = 1 / (pooled_rows[se].to_numpy(float) ** 2 + result.tau2)
    return 100 * w / w.sum()


def forest_table(pooled_rows: pd.DataFrame, result: PooledEstimate,
                 shown_rows: pd.DataFrame | None = None, conf_level: float = 0.95) -> pd.DataFrame:
    """Rows of the forest plot: the pooled trials (with weights), then ``shown_rows`` (not
    pooled, e.g. uncertain versions, published values), each placed after the pooled row of
    the same trial when there is one. Columns: trial, label, version, year, hr, lower, upper
    (at ``conf_level``), published_ci_level, weight (%), status, reason."""
    z = norm.ppf(1 - (1 - conf_level) / 2)

    def rows(df: pd.DataFrame, status: str, weights=None) -> list[dict]:
        out = []
        for i, r in enumerate(df.itertuples(index=False)):
            out.append({
                "trial": r.trial, "label": r.label, "version": r.version, "year": r.year,
                "hr": float(np.exp(r.log_hr)), "lower": float(np.exp(r.log_hr - z * r.se)),
                "upper": float(np.exp(r.log_hr + z * r.se)), "published_ci_level": r.ci_level,
                "weight": float(weights[i]) if weights is not None else np.nan,
                "status": status, "reason": getattr(r, "reason", ""),
            })
        return out

    table = rows(pooled_rows, POOLED, trial_weights(pooled_rows, result))
    for extra in rows(shown_rows if shown_rows is not None else pooled_rows.iloc[0:0], NOT_POOLED):
        after = [i for i, t in enumerate(table) if t["trial"] == extra["trial"]]
        table.insert(after[-1] + 1 if after else len(table), extra)
    return pd.DataFrame(table, columns=["trial", "label", "version", "year", "hr", "lower",
                                        "upper", "published_ci_level", "weight", "status",
                                        "reason"])
