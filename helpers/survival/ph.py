"""Proportional-hazards test equal to R's ``survival::cox.zph`` (survival >= 3.0).

Method (Therneau, survival 3.x ``cox.zph``/``zph1.c``): each covariate x is augmented with
g(t) x, where g is the transformed event time centred at its mean over the events. At the
fitted coefficients (beta_hat, 0) the score vector U = (0, U_g) and the full 2p x 2p
information matrix of the augmented model are computed (Efron or Breslow ties as the fit,
strata as the fit); per term the score statistic U' I^-1 U uses the p original columns plus
the term's g(t)x columns (df = number of columns of the term), GLOBAL uses all 2p (df = p).
This is the exact score test, not the older Grambsch-Therneau approximation (survival < 3)
that scaled Schoenfeld residuals by the overall variance.

Transforms: "km" (default) g = 1 - S(t-), the left-continuous Kaplan-Meier of all subjects
ignoring strata; "rank" average ranks of all times; "identity" t; "log" log t.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import chdtrc

from helpers.survival.cox import CoxFit, HazardRatio, _event_terms
from helpers.survival.results import JsonResult

__all__ = ["PHTest", "schoenfeld_test"]


@dataclass
class PHTest(JsonResult):
    """Per-term score tests of proportional hazards plus the GLOBAL test (chi-square, df, p).
    ``note``: why there is no test (the hazard ratio is not estimable; statistics NaN) or ""."""

    terms: list[str]
    chisq: np.ndarray
    df: np.ndarray
    p: np.ndarray
    global_chisq: float
    global_df: int
    global_p: float
    transform: str
    note: str = ""

    @property
    def table(self) -> pd.DataFrame:
        """R's ``cox.zph()$table``: rows per term and GLOBAL; columns chisq, df, p."""
        return pd.DataFrame(
            {"chisq": np.r_[self.chisq, self.global_chisq], "df": np.r_[self.df, self.global_df],
             "p": np.r_[self.p, self.global_p]}, index=[*self.terms, "GLOBAL"])


def _transform(time: np.ndarray, event: np.ndarray, transform: str) -> np.ndarray:
    if transform == "identity":
        return time.astype(float)
    if transform == "log":
        return np.log(time)
    if transform == "rank":
        from scipy.stats import rankdata  # imported here: scipy.stats is slow to import

        return rankdata(time, method="average")
    if transform == "km":
        ut, inv = np.unique(time, return_inverse=True)
        d = np.bincount(inv, weights=event, minlength=len(ut))
        at_risk = len(time) - np.r_[0, np.cumsum(np.bincount(inv, minlength=len(ut)))[:-1]]
        surv = np.cumprod(1 - d / at_risk)
        s_left = np.r_[1.0, surv[:-1]][inv]  # S(t-): product over times strictly before t
        return 1 - s_left
    raise ValueError("transform must be 'km', 'rank', 'identity' or 'log'")


def schoenfeld_test(fit: CoxFit | HazardRatio, transform: str = "km",
                    terms: dict[str, list[int]] | None = None) -> PHTest:
    """Test proportional hazards of a fitted Cox model (R: ``cox.zph(fit, transform)``).

    ``fit`` a ``CoxFit`` or ``HazardRatio`` (its model; dummies of one categorical covariate
    are tested jointly, as R's ``terms=TRUE``); ``terms`` overrides the grouping
    (name -> column indices of the fit). A ``HazardRatio`` that is not estimable gives NaN
    statistics with a ``note``.
    """
    if isinstance(fit, HazardRatio):
        if not fit.estimable or fit.fit is None:  # no test of a coefficient that is not there
            names = list(fit.fit.terms) if fit.fit is not None else [fit.arm]
            nan = np.full(len(names), np.nan)
            return PHTest(terms=names, chisq=nan, df=np.ones(len(names), int), p=nan,
                          global_chisq=np.nan, global_df=len(names), global_p=np.nan,
                          transform=transform, note=f"no test: the hazard ratio is {fit.note}")
        fit = fit.fit
    des = fit._design
    if des is None:
        raise ValueError("the fit holds no data (fit it with cox_fit)")
    terms = terms or fit.terms or {nm: [i] for i, nm in enumerate(fit.names)}
    p = des.x.shape[1]
    g = _transform(des.time, des.event, transform)
    g = g - g[des.ev_rows].mean()
    _, _, mean, second = _event_terms(des, np.asarray(fit.coef, float))
    g_ev = g[des.ev_rows]  # tied deaths share a time, so each Efron term has its death's g
    v = second.reshape(-1, p, p) - mean[:, :, None] * mean[:, None, :]  # per-term covariance
    i11 = v.sum(axis=0)
    i12 = np.einsum("k,kij->ij", g_ev, v)
    i22 = np.einsum("k,kij->ij", g_ev ** 2, v)
    imat = np.block([[i11, i12], [i12.T, i22]])
    u = np.r_[np.zeros(p), g_ev @ (des.x[des.ev_rows] - mean)]

    names, chisq, df = [], [], []
    for name, cols in terms.items():
        kk = np.r_[np.arange(p), np.asarray(cols) + p]
        uk = u[kk]
        chisq.append(float(uk @ np.linalg.solve(imat[np.ix_(kk, kk)], uk)))
        df.append(len(cols))
        names.append(name)
    chisq, df = np.asarray(chisq), np.asarray(df)
    glob = float(u @ np.linalg.solve(imat, u))
    return PHTest(terms=names, chisq=chisq, df=df, p=chdtrc(df, chisq), global_chisq=glob,
                  global_df=p, global_p=float(chdtrc(p, glob)), transform=transform)
