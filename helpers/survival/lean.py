"""The analysis of a simulated trial on one sort: the stratified log-rank test's components
and the stratified Cox model's coefficient from one risk-set design.

``logrank_cox(time, event, arm, stratum_codes, ties)`` gives what
``logrank_components(time, event, arm, 2, stratum_codes)`` and ``cox_coef_se(time, event,
arm[:, None], stratum_codes, ties)`` give, bit for bit (tests/test_survival_fastpaths.py),
sorting the rows once: the Cox model's order (stratum, time descending, events first) also
groups the rows into the log-rank's (stratum, time) keys, whose counts are one ``bincount``
and which are put in the log-rank's order (time ascending within a stratum) by index
arithmetic. Own code: no library computes both statistics from one sort.
"""
from __future__ import annotations

import math

import numpy as np

from .cox import _design, _inv, _newton
from .logrank import _components, stratum_ends

__all__ = ["logrank_cox"]


def logrank_cox(time: np.ndarray, event: np.ndarray, arm: np.ndarray,
                stratum_codes: np.ndarray | None, ties: str = "efron"):
    """``(observed, expected, variance, coef, se)`` of the two-arm (``arm`` 0/1 int) log-rank
    test and Cox model, stratified by ``stratum_codes`` (non-negative ints; None: one
    stratum). Needs an event (ValueError otherwise, as ``cox_coef_se``)."""
    x = arm[:, None].astype(float)
    des = _design(time, event, x, None, ties, scode=stratum_codes)
    observed, expected, variance = _logrank_from_design(des, arm.take(des.order))
    try:
        result = _newton(des, np.zeros(1))
        beta, info = result[0], result[6]
        var = float(_inv(info)[0, 0])
    except np.linalg.LinAlgError as err:
        raise ValueError("singular information matrix (collinear covariates?)") from err
    # = np.sqrt(np.diag(var)) (IEEE square root either way), NaN for a negative variance
    se = math.sqrt(var) if var >= 0 else math.nan
    return observed, expected, variance, beta, np.array([se])


def _logrank_from_design(des, arm_sorted: np.ndarray):
    """``logrank_components`` of two groups from the rows in the Cox model's order."""
    ts, ss = des.time, des.stratum
    n = ts.size
    new = np.empty(n, dtype=bool)
    new[0] = True
    np.logical_or(ts[1:] != ts[:-1], ss[1:] != ss[:-1], out=new[1:])
    key = new.cumsum() - 1  # (stratum, time) keys: strata ascending, time descending
    n_keys = int(key[-1]) + 1
    cell = key * 2 + arm_sorted
    leave = np.bincount(cell, minlength=2 * n_keys).reshape(n_keys, 2)
    died = np.bincount(cell, weights=des.event, minlength=2 * n_keys).reshape(n_keys, 2)
    key_stratum = ss[new]
    # time ascending within each stratum: key j of a stratum whose keys are first..last
    # comes from key first + last - j (the same strata in the same places)
    end = stratum_ends(key_stratum)  # index after the stratum's last key: first + last + 1
    first = key_stratum.size - stratum_ends(key_stratum[::-1])[::-1]  # its first key
    first += end
    first -= 1
    first -= np.arange(n_keys)
    return _components(leave.take(first, axis=0), died.take(first, axis=0), key_stratum)
