"""Times that differ only by rounding error are the same time, as R's ``survival::aeqSurv``.

R's survfit, survdiff and coxph (``timefix = TRUE``, the default) first replace every time by
the smallest of its chain of near-equal times: the sorted distinct finite times y are tied
where ``diff(y) <= tol`` or ``diff(y) / mean(|y|) <= tol``, ``tol = sqrt(machine eps)``
(about 1.5e-8). Such times arise when days are converted to months in two ways
(``365 / 30.4375`` and ``365 * (1 / 30.4375)`` differ in the last bit). Times that are exact
(converted once from integer days) are never changed.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TIME_TOLERANCE", "merge_close_times", "close_time_index", "later_than"]

#: R's default ``aeqSurv`` tolerance, ``sqrt(.Machine$double.eps)``
TIME_TOLERANCE = float(np.sqrt(np.finfo(float).eps))


def merge_close_times(time: np.ndarray, tolerance: float = TIME_TOLERANCE) -> np.ndarray:
    """``time`` with near-equal values replaced by the smallest of their chain (R's aeqSurv).

    Returns the input array itself when nothing is tied (so exact data stay bit-identical).
    Non-finite values are left as they are.
    """
    t = np.asarray(time, dtype=float)
    if tolerance <= 0 or t.size < 2:
        return t
    y = np.unique(t[np.isfinite(t)])
    if y.size < 2:
        return t
    dy = np.diff(y)
    tied = (dy <= tolerance) | (dy / np.mean(np.abs(y)) <= tolerance)
    if not tied.any():
        return t
    cuts = y[np.r_[True, ~tied]]
    out = t.copy()
    finite = np.isfinite(t)
    out[finite] = cuts[np.searchsorted(cuts, t[finite], side="right") - 1]
    return out


def close_time_index(times: np.ndarray, at: np.ndarray,
                     tolerance: float = TIME_TOLERANCE) -> np.ndarray:
    """Index of the last of the sorted distinct ``times`` that is <= each of ``at``, where a
    value of ``at`` within the aeqSurv tolerance of a time counts as equal to it (-1 before the
    first time). The relative criterion uses the mean |time| of ``times``, as aeqSurv does."""
    times = np.asarray(times, dtype=float)
    at = np.asarray(at, dtype=float)
    idx = np.searchsorted(times, at, side="right") - 1
    if times.size == 0:
        return idx
    nxt = np.minimum(idx + 1, times.size - 1)
    close = (idx + 1 < times.size) & ~later_than(times[nxt], at, times, tolerance)
    return np.where(close, idx + 1, idx)


def later_than(a, b, times: np.ndarray, tolerance: float = TIME_TOLERANCE) -> np.ndarray:
    """``a`` > ``b`` by more than the aeqSurv tolerance (absolute, and relative to the mean
    |time| of the distinct ``times``)."""
    gap = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    scale = float(np.mean(np.abs(np.unique(times)))) if np.size(times) else 0.0
    relative = gap / scale > tolerance if scale > 0 else True
    return (gap > tolerance) & relative
