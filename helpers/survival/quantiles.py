"""Quantiles of the Kaplan-Meier time distribution with their CIs, as R's
``quantile(survfit(...), probs = c(0.25, 0.5, 0.75))`` (Brookmeyer-Crowley: the CI of the
q-quantile is where the pointwise CI bounds first reach 1 - q; the 0.5 quantile is the median
of ``KaplanMeier``). The q-quantile is the first time S(t) <= 1 - q; where S equals 1 - q
(within sqrt(machine eps)) on a flat stretch and drops below it later, the midpoint between
the start of that stretch and the time of the drop, as R. Not reached: NaN.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .km import KaplanMeier

__all__ = ["km_quantiles"]

_TOL = np.sqrt(np.finfo(float).eps)


def _first_below(y: np.ndarray, x: np.ndarray, level: float) -> float:
    keep = ~np.isnan(y) & (y < level + _TOL)
    if not keep.any():
        return float("nan")
    xk, yk = x[keep], y[keep]
    below = np.flatnonzero(yk < yk[0])
    if abs(yk[0] - level) < _TOL and below.size:
        return float((xk[0] + xk[below[0]]) / 2)
    return float(xk[0])


def km_quantiles(km: KaplanMeier, probs: Any = (0.25, 0.5, 0.75)) -> pd.DataFrame:
    """One row per ``probs`` value: prob, estimate, lower, upper (time, in the unit of the
    fit; NaN when not reached, with ``note``), at the fit's ``conf_level``."""
    t = km.table["time"].to_numpy()
    rows = []
    for q in np.atleast_1d(np.asarray(probs, dtype=float)):
        if not 0 < q < 1:
            raise ValueError(f"quantile probabilities must be in (0, 1), got {q}")
        level = 1.0 - q
        est, low, high = (_first_below(km.table[c].to_numpy(dtype=float), t, level)
                          for c in ("surv", "lower", "upper"))
        rows.append({"prob": float(q), "estimate": est, "lower": low, "upper": high,
                     "note": "" if np.isfinite(est) else "not reached"})
    return pd.DataFrame(rows)
