"""Gray's K-sample test of cumulative incidence curves, equal to R's ``cmprsk::cuminc(...)$Tests``
(cmprsk 2.2-11, ``rho`` = 0 by default), optionally stratified (cuminc's ``strata=``).

Own numpy code written from cmprsk's documented algorithm (``crstm``/``crst``, Gray 1988): see
``helpers.survival.competing`` for why no library is used. For the cause of interest, per
stratum and distinct time, the score of the first K - 1 groups compares each group's failures
with those expected under a common subdistribution hazard, weighted by ``(1 - F(t-))**rho``
(F the pooled cumulative incidence); the variance is Gray's, with the ties corrections of
cmprsk. Scores and variances are summed over strata; the statistic ``s' V^-1 s`` is
chi-square on K - 1 degrees of freedom. A singular variance (R: statistic -1) gives NaN with a
note. Tied times of different causes are handled as cmprsk (no jitter).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import chdtrc

from .competing import cause_number, competing_data
from .frame import column_list, strata_labels
from .km import group_codes
from .results import JsonResult

__all__ = ["GrayTest", "gray_arrays", "gray_test"]

_QR_TOL = 1e-7  # R's qr() tolerance, for the rank check of cuminc


def _crst(t: np.ndarray, m: np.ndarray, g: np.ndarray, ng: int, rho: float):
    """Score (ng-1,) and variance (ng-1, ng-1) of one stratum: t sorted times, m 0 censored /
    1 cause of interest / 2 other cause, g group 0..ng-1 (cmprsk ``crst``)."""
    ng1 = ng - 1
    times, inv = np.unique(t, return_inverse=True)
    cnt = np.zeros((times.size, 3, ng))
    np.add.at(cnt, (inv, m, g), 1.0)
    leaving = cnt.sum(axis=1)
    rs = np.bincount(g, minlength=ng).astype(float)
    s = np.zeros(ng1)
    v = np.zeros((ng1, ng1))
    f1m = np.zeros(ng)
    f1 = np.zeros(ng)
    skmm = np.ones(ng)
    skm = np.ones(ng)
    v3 = np.zeros(ng)
    v2 = np.zeros((ng1, ng))
    c = np.zeros((ng, ng))
    fm = f = 0.0
    for j in range(times.size):
        d1, d2 = cnt[j, 1], cnt[j, 2]
        nd1, nd2 = d1.sum(), d2.sum()
        if nd1 > 0 or nd2 > 0:
            at = rs > 0
            rsa = np.where(at, rs, 1.0)
            skm = np.where(at, skmm * (rs - d1 - d2) / rsa, skm)
            f1 = np.where(at, f1m + skmm * d1 / rsa, f1)
            t1 = np.where(at, rs / skmm, 0.0)
            tr = t1.sum()
            tq = np.where(at, rs * (1 - f1m) / skmm, 0.0).sum()
            f = fm + nd1 / tr
            fb = (1 - fm) ** rho
            a = fb * (np.diag(t1) - np.outer(t1, t1) / tr)
            c = c + a * (nd1 / (tr * (1 - fm)))
            s = s + np.where(at[:ng1], fb * (d1[:ng1] - nd1 * rs[:ng1] * (1 - f1m[:ng1])
                                             / (skmm[:ng1] * tq)), 0.0)
            if nd1 > 0:
                for k in np.flatnonzero(at):
                    t4 = 1 - (1 - f) / skm[k] if skm[k] > 0 else 1.0
                    t5 = 1 - (nd1 - 1) / (tr * skmm[k] - 1) if nd1 > 1 else 1.0
                    t3 = t5 * skmm[k] * nd1 / (tr * rs[k])
                    v3[k] += t4 * t4 * t3
                    col = a[:ng1, k] - t4 * c[:ng1, k]
                    v2[:, k] += col * t4 * t3
                    v += np.outer(col, col) * t3
            if nd2 > 0:
                for k in np.flatnonzero((skm > 0) & (d2 > 0)):
                    t4 = (1 - f) / skm[k]
                    t5 = 1 - (d2[k] - 1) / (rs[k] - 1) if d2[k] > 1 else 1.0
                    t3 = t5 * skmm[k] ** 2 * d2[k] / rs[k] ** 2
                    v3[k] += t4 * t4 * t3
                    col = t4 * c[:ng1, k]
                    v2[:, k] -= col * t4 * t3
                    v += np.outer(col, col) * t3
        rs = rs - leaving[j]
        fm = f
        f1m = f1.copy()
        skmm = skm.copy()
    cc = c[:ng1]
    v = v + (cc * v3) @ cc.T + cc @ v2.T + v2 @ cc.T
    return s, v


def gray_arrays(time: np.ndarray, cause: np.ndarray, group: np.ndarray, k: int,
                strata: np.ndarray | None = None, rho: float = 0.0):
    """(statistic, df, score, variance) of Gray's test for cause ``k`` on arrays: ``time``
    floats, ``cause`` 0 = censored else a cause number, ``group`` codes 0..K-1 (every code
    present), ``strata`` optional labels. statistic NaN when the variance is singular."""
    t = np.asarray(time, dtype=float)
    m = np.where(np.asarray(cause) == k, 1, np.where(np.asarray(cause) == 0, 0, 2))
    g = np.asarray(group, dtype=np.int64)
    ng = int(g.max()) + 1
    if ng < 2:
        raise ValueError("Gray's test needs at least two groups")
    st = np.zeros(t.size, dtype=np.int64) if strata is None else \
        np.unique(np.asarray(strata), return_inverse=True)[1].reshape(-1)
    s = np.zeros(ng - 1)
    v = np.zeros((ng - 1, ng - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        for code in np.unique(st):
            sel = st == code
            order = np.argsort(t[sel], kind="stable")
            ss, vv = _crst(t[sel][order], m[sel][order], g[sel][order], ng, rho)
            s, v = s + ss, v + vv
    stat = np.nan
    if np.isfinite(v).all():
        r = np.linalg.qr(v, mode="r")
        diag = np.abs(np.diag(r))
        if diag.size and diag.min() > _QR_TOL * max(diag.max(), 1e-300):
            stat = float(s @ np.linalg.solve(v, s))
    return stat, ng - 1, s, v


@dataclass(frozen=True, eq=False)
class GrayTest(JsonResult):
    """Gray's test of equal cumulative incidence of ``cause`` across ``groups`` (sorted order):
    ``statistic`` chi-square on ``df`` = K - 1, upper-tail ``p``; ``score`` (first K - 1
    groups) and ``variance`` as cmprsk's ``crstm``; ``strata`` the stratification columns
    (scores and variances summed over strata); ``rho`` the weight power. ``n`` rows used,
    ``n_excluded`` rows dropped for a missing value. NaN statistic and p with ``note`` when
    the variance is singular."""

    cause: Any
    statistic: float
    df: int
    p: float
    groups: list
    strata: list
    rho: float
    n: int
    n_excluded: int
    score: np.ndarray = field(repr=False)
    variance: np.ndarray = field(repr=False)
    note: str = ""


def gray_test(df: pd.DataFrame, time: str, status: str, group: str, cause: Any,
              strata: Any = None, censor_code: Any = 0, rho: float = 0.0) -> GrayTest:
    """Gray's test for ``cause`` across the levels of ``group`` (R: ``cuminc(time, status,
    group, strata, rho)$Tests``). ``status``: event-type column (``censor_code`` censored);
    ``cause``: the cause code tested (must occur in the data); ``strata``: column names
    combined into one stratum variable (as R's cuminc ``strata=interaction(...)``)."""
    strata = column_list(strata, "strata")
    data = competing_data(df, time, status, causes=None, censor_code=censor_code,
                          group=group, strata=strata, caller="gray_test")
    k = cause_number(data, cause)
    codes, labels = group_codes(data.frame[group])
    if len(labels) < 2:
        raise ValueError(f"gray_test needs at least two levels of {group!r}, got {labels}")
    st = strata_labels(data.frame, strata)
    stat, dof, s, v = gray_arrays(data.time, data.cause_index, codes, k, st, rho)
    note = "" if np.isfinite(stat) else "not estimable (singular variance of the scores)"
    return GrayTest(cause=cause, statistic=stat, df=dof,
                    p=float(chdtrc(dof, stat)) if np.isfinite(stat) else np.nan,
                    groups=labels, strata=strata, rho=float(rho), n=data.n,
                    n_excluded=data.n_excluded, score=s, variance=v, note=note)
