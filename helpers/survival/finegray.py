"""Fine-Gray proportional subdistribution hazards regression, equal to R's ``cmprsk::crr``
(cmprsk 2.2-11; one censoring group, no time-varying covariates).

Own numpy code written from cmprsk's documented algorithm (``crrfsv``, ``crrvv``; Fine & Gray
1999): see ``helpers.survival.competing`` for why no library is used. Conventions of crr:

- Risk set at a failure time t of the cause of interest: everyone with time >= t, plus those
  who failed from another cause before t, weighted ``G(t-) / G(T_i-)`` (G the Kaplan-Meier of
  the censoring distribution, evaluated as crr does just below each time).
- Tied failure times: Breslow's partial likelihood (each of the d tied failures has the full
  risk set), as crr; tied times of different causes are not broken.
- Newton-Raphson from beta = 0 with crr's backtracking line search, converged when
  ``max|score| * max(|beta|, 1) < max(|loglik|, 1) * gtol`` (gtol 1e-6, at most 10 steps).
- Variance: crr's robust sandwich ``I^-1 V I^-1`` (V from the influence functions including
  the estimated censoring distribution). Wald CI ``exp(coef -/+ z se)`` at ``conf_level``,
  two-sided Wald p (summary.crr, unrounded). ``loglik`` and ``loglik_null`` the
  pseudo-log-likelihood at the estimate and at 0 (summary.crr's likelihood ratio test).

``fine_gray(df, time, status, arm, experimental, cause=1, covariates=[...], levels={...})``:
the treatment subdistribution hazard ratio adjusted for covariates (numeric as is, others as
treatment contrasts, first configured level the reference: ``helpers.survival.contrasts``),
every term in ``terms``. A constant covariate, no failure of the cause, or a fit that does not
converge gives NaN with the reason in ``note``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .competing import cause_number, competing_data
from .contrasts import constant_columns, treatment_design
from .cox import arm_indicator
from .frame import column_list
from .km import z_value
from .results import JsonResult

__all__ = ["FineGrayFit", "SubdistributionHazardRatio", "crr_arrays", "fine_gray"]

GTOL = 1e-6  # crr(gtol)
MAX_ITER = 10  # crr(maxiter)
_EPS = np.finfo(float).eps


def _censoring_left_limit(time: np.ndarray, censored: np.ndarray) -> np.ndarray:
    """G(T_i-) per row as crr: the censoring Kaplan-Meier (survfit(Surv(time, censored) ~ 1))
    at ``time * (1 - 100 eps)`` as a left-continuous step (1 before its first time)."""
    times, inv = np.unique(time, return_inverse=True)
    n_cens = np.bincount(inv, weights=censored, minlength=times.size)
    n_risk = np.cumsum(np.bincount(inv, minlength=times.size)[::-1])[::-1]
    surv = np.cumprod(1.0 - n_cens / n_risk)
    idx = np.searchsorted(times, time * (1 - 100 * _EPS), side="right") - 1
    return np.where(idx < 0, 1.0, surv[np.maximum(idx, 0)])


@dataclass(frozen=True, eq=False)
class _Data:
    """Rows sorted by time; per distinct failure time of the cause (k): its index range."""

    x: np.ndarray  # (n, p)
    time: np.ndarray
    fail: np.ndarray  # bool, cause of interest
    comp: np.ndarray  # bool, another cause
    cens: np.ndarray  # bool, censored
    g_minus: np.ndarray  # G(T_i-)
    ft: np.ndarray  # distinct failure times
    d: np.ndarray  # failures at each
    g_ft: np.ndarray  # G(t_k-)
    first_ge: np.ndarray  # first row with time >= t_k
    n_before_fail: np.ndarray  # per row: number of failure times <= T_i
    x_fail_sum: np.ndarray  # (K, p) sum of x over the failures at t_k


def _prepare(time, cause, x) -> _Data:
    order = np.argsort(time, kind="stable")
    t, c, x = time[order], cause[order], x[order]
    fail, cens = c == 1, c == 0
    ft, inv, d = np.unique(t[fail], return_inverse=True, return_counts=True)
    x_fail_sum = np.zeros((ft.size, x.shape[1]))
    np.add.at(x_fail_sum, inv, x[fail])
    g = _censoring_left_limit(t, cens.astype(float))
    first_ge = np.searchsorted(t, ft, side="left")
    return _Data(x=x, time=t, fail=fail, comp=~fail & ~cens, cens=cens, g_minus=g, ft=ft, d=d,
                 g_ft=g[first_ge], first_ge=first_ge,
                 n_before_fail=np.searchsorted(ft, t, side="right"), x_fail_sum=x_fail_sum)


def _risk_sums(dat: _Data, w: np.ndarray):
    """sum over the weighted risk set of each failure time of the rows ``w`` ((n, m)):
    rows with time >= t_k, plus earlier other-cause failures times G(t_k-) / G(T_i-)."""
    n = w.shape[0]
    tail = np.cumsum(w[::-1], axis=0)[::-1]  # sum over rows i..n-1
    tail = np.vstack([tail, np.zeros((1, w.shape[1]))])[dat.first_ge]
    wc = np.where(dat.comp[:, None], w / dat.g_minus[:, None], 0.0)
    head = np.vstack([np.zeros((1, w.shape[1])), np.cumsum(wc, axis=0)])  # rows before i
    head = head[np.minimum(dat.first_ge, n)]
    return tail + dat.g_ft[:, None] * head


def _loglik_score_info(dat: _Data, beta: np.ndarray, info: bool = True):
    x = dat.x
    n, p = x.shape
    eta = x @ beta
    shift = eta.max()  # exp(eta - shift) cannot overflow; ratios of risk-set sums unchanged
    r = np.exp(eta - shift)
    cols = [r[:, None], r[:, None] * x]
    if info:
        cols.append((r[:, None, None] * x[:, :, None] * x[:, None, :]).reshape(n, p * p))
    sums = _risk_sums(dat, np.hstack(cols))
    s0 = sums[:, 0]
    xbar = sums[:, 1:1 + p] / s0[:, None]
    loglik = float(np.sum(dat.x_fail_sum @ beta) - np.sum(dat.d * (np.log(s0) + shift)))
    score = np.sum(dat.x_fail_sum - dat.d[:, None] * xbar, axis=0)
    if not info:
        return loglik, score, None, s0, xbar
    s2 = sums[:, 1 + p:].reshape(-1, p, p) / s0[:, None, None]
    inf = np.einsum("k,kij->ij", dat.d, s2 - xbar[:, :, None] * xbar[:, None, :])
    return loglik, score, inf, s0, xbar


def _sandwich_middle(dat: _Data, beta: np.ndarray, s0: np.ndarray, xbar: np.ndarray):
    """V = sum_i eta_i eta_i^T: the influence of each row on the score, with the part of the
    estimated censoring distribution (crr's ``crrvv``). ``s0``, ``xbar`` from
    ``_loglik_score_info`` at ``beta`` (risk-set sums of exp(eta - max eta), as ``r`` here)."""
    x, n = dat.x, dat.x.shape[0]
    eta = x @ beta
    r = np.exp(eta - eta.max())
    a = dat.d / s0  # (K,)
    b = a[:, None] * xbar  # (K, p)
    # the d Lambda part: sum_k d_k W_ki r_i (x_i - xbar_k) / S0_k
    nb = dat.n_before_fail
    ca = np.concatenate(([0.0], np.cumsum(a)))
    cb = np.vstack([np.zeros((1, b.shape[1])), np.cumsum(b, axis=0)])
    ga, gb = dat.g_ft * a, dat.g_ft[:, None] * b
    ta = np.concatenate((np.cumsum(ga[::-1])[::-1], [0.0]))
    tb = np.vstack([np.cumsum(gb[::-1], axis=0)[::-1], np.zeros((1, b.shape[1]))])
    sum_a = ca[nb] + np.where(dat.comp, ta[nb] / dat.g_minus, 0.0)
    sum_b = cb[nb] + np.where(dat.comp[:, None], tb[nb] / dat.g_minus[:, None], 0.0)
    infl = -r[:, None] * (x * sum_a[:, None] - sum_b)
    k_own = np.maximum(np.searchsorted(dat.ft, dat.time, side="left"), 0)
    own = np.where(dat.fail[:, None], x - xbar[np.minimum(k_own, len(dat.ft) - 1)], 0.0)
    infl = infl + own
    # the censoring part: q(u) at each distinct time u with a censoring
    times, first, inv = np.unique(dat.time, return_index=True, return_inverse=True)
    n_risk = (n - first).astype(float)
    wc = np.where(dat.comp[:, None], np.hstack([r[:, None], r[:, None] * x])
                  / dat.g_minus[:, None], 0.0)
    per_time = np.zeros((times.size, wc.shape[1]))
    np.add.at(per_time, inv, wc)
    before = np.vstack([np.zeros((1, wc.shape[1])), np.cumsum(per_time, axis=0)[:-1]])
    c0, c1 = before[:, 0], before[:, 1:]
    kk = np.searchsorted(dat.ft, times, side="left")  # failure times >= u
    qa, qb = ta[kk], tb[kk]
    q = c1 * qa[:, None] - c0[:, None] * qb
    n_cens = np.bincount(inv, weights=dat.cens, minlength=times.size)
    ss2 = -np.cumsum(q * (n_cens / n_risk ** 2)[:, None], axis=0)
    psi = ss2[inv] + np.where(dat.cens[:, None], q[inv] / n_risk[inv, None], 0.0)
    infl = infl + psi
    return infl.T @ infl


@dataclass(frozen=True, eq=False)
class FineGrayFit(JsonResult):
    """A fitted Fine-Gray model (R's crr). Arrays per column of the design (``names``):
    ``coef`` log subdistribution hazard ratios, ``se`` robust, ``hr``/``lower``/``upper`` Wald
    at ``conf_level``, ``z``/``p`` two-sided Wald. ``loglik``, ``loglik_null``: pseudo log
    likelihood at the estimate and at 0; ``n`` rows, ``events`` failures of the cause,
    ``competing`` failures of other causes, ``censored``; ``iterations`` Newton steps."""

    names: list
    coef: np.ndarray
    se: np.ndarray
    hr: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    z: np.ndarray
    p: np.ndarray
    loglik: float
    loglik_null: float
    converged: bool
    iterations: int
    n: int
    events: int
    competing: int
    censored: int
    conf_level: float
    var: np.ndarray = field(repr=False)
    information: np.ndarray = field(repr=False)

    _json_exclude = ("var", "information")


def crr_arrays(time, cause, x, conf_level: float = 0.95, names: list | None = None,
               gtol: float = GTOL, max_iter: int = MAX_ITER) -> FineGrayFit:
    """Fine-Gray fit on arrays (R: ``crr(time, cause, x, failcode = 1, cencode = 0)``):
    ``time`` floats; ``cause`` 0 censored, 1 the cause of interest, other values other causes;
    ``x`` (n, p) numeric covariates. No missing values."""
    zq = z_value(conf_level)
    t = np.asarray(time, dtype=float)
    c = np.asarray(cause)
    x = np.asarray(x, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    if not (c == 1).any():
        raise ValueError("no failure of the cause of interest: the model cannot be fitted")
    dat = _prepare(t, c, x)
    p = x.shape[1]
    b = np.zeros(p)
    converged, it = False, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for it in range(max_iter + 1):
            ll, u, info, _, _ = _loglik_score_info(dat, b)
            f, g = -ll, -u
            if np.max(np.abs(g) * np.maximum(np.abs(b), 1)) < max(abs(f), 1) * gtol:
                converged = True
                break
            if it == max_iter:
                break
            sc = np.linalg.solve(info, u)
            fbn = -_loglik_score_info(dat, b + sc, info=False)[0]
            halvings = 0
            while not np.isfinite(fbn) or fbn > f + 1e-4 * np.sum(sc * g):
                halvings += 1
                sc = sc * 0.5
                fbn = -_loglik_score_info(dat, b + sc, info=False)[0]
                if halvings > 20:
                    break
            if halvings > 20:
                break
            b = b + sc
        ll, u, info, s0, xbar = _loglik_score_info(dat, b)
        ll0 = _loglik_score_info(dat, np.zeros(p), info=False)[0]
        inv = np.linalg.inv(info)
        var = inv @ _sandwich_middle(dat, b, s0, xbar) @ inv.T
        se = np.sqrt(np.diag(var))
        z = b / se
    return FineGrayFit(
        names=list(names) if names is not None else [f"x{i + 1}" for i in range(p)],
        coef=b, se=se, hr=np.exp(b), lower=np.exp(b - zq * se), upper=np.exp(b + zq * se),
        z=z, p=2 * ndtr(-np.abs(z)), loglik=ll, loglik_null=float(ll0), converged=converged,
        iterations=it, n=t.size, events=int((c == 1).sum()),
        competing=int(((c != 1) & (c != 0)).sum()), censored=int((c == 0).sum()),
        conf_level=float(conf_level), var=var, information=info)


@dataclass(frozen=True, eq=False)
class SubdistributionHazardRatio(JsonResult):
    """Fine-Gray subdistribution hazard ratio of ``arm == experimental`` vs ``control`` for
    failures of ``cause`` (R: ``crr(time, status, cbind(arm01, covariates), failcode = cause,
    cencode = censor_code)``): ``hr``/``lower``/``upper`` Wald at ``conf_level``, ``coef``,
    ``se`` (robust), ``z``, ``p`` two-sided Wald. ``terms``: every model term (term, variable,
    level, reference, coef, se, hr, lower, upper, z, p). ``n`` rows used, ``events`` failures
    of the cause, ``competing`` of other causes, ``n_excluded`` rows dropped for a missing
    value; ``estimable`` False with the reason in ``note`` (NaN estimates)."""

    arm: str
    experimental: Any
    control: Any
    cause: Any
    hr: float
    lower: float
    upper: float
    coef: float
    se: float
    z: float
    p: float
    conf_level: float
    terms: pd.DataFrame
    covariates: list
    loglik: float
    loglik_null: float
    converged: bool
    n: int
    events: int
    competing: int
    n_excluded: int
    estimable: bool = True
    note: str = ""
    fit: FineGrayFit | None = field(repr=False, default=None)

    _json_exclude = ("fit",)


def fine_gray(df: pd.DataFrame, time: str, status: str, arm: str, experimental: Any,
              cause: Any = 1, covariates: Any = None, levels: dict | None = None,
              censor_code: Any = 0, conf_level: float = 0.95) -> SubdistributionHazardRatio:
    """Subdistribution hazard ratio of ``arm == experimental`` for ``cause`` (module doc).

    ``status``: event-type column (``censor_code`` censored, other codes causes; ``cause``
    must occur). ``covariates``: further columns (numeric as is, others as treatment
    contrasts with ``levels`` giving each factor's level order, first = reference).
    """
    covariates = column_list(covariates, "covariates")
    data = competing_data(df, time, status, censor_code=censor_code, group=arm,
                          covariates=covariates, caller="fine_gray")
    k = cause_number(data, cause)
    d = data.frame
    z, control = arm_indicator(d[arm], experimental)
    xcov, cterms = treatment_design(d, covariates, levels)
    x = pd.concat([pd.Series(z, index=d.index, name=f"{arm}={experimental}"), xcov], axis=1)
    terms = pd.concat([pd.DataFrame({"column": [x.columns[0]], "variable": [arm],
                                     "level": [experimental], "reference": [control]}),
                       cterms], ignore_index=True).rename(columns={"column": "term"})
    cause01 = np.where(data.cause_index == k, 1, np.where(data.cause_index == 0, 0, 2))
    base = dict(arm=arm, experimental=experimental, control=control, cause=cause,
                conf_level=float(conf_level), covariates=covariates, n=data.n,
                events=int((cause01 == 1).sum()), competing=int((cause01 == 2).sum()),
                n_excluded=data.n_excluded)
    constant = constant_columns(x)
    reason = f"constant design column(s) {constant}" if constant else ""
    fit = None
    if not reason:
        fit = crr_arrays(data.time, cause01, x.to_numpy(dtype=float), conf_level,
                         names=list(x.columns))
        if not fit.converged:
            reason = "the Fine-Gray model did not converge"
        elif not np.isfinite(fit.se).all():
            reason = "the information matrix is singular"
    if reason:
        nan = float("nan")
        for col in ("coef", "se", "hr", "lower", "upper", "z", "p"):
            terms[col] = nan
        return SubdistributionHazardRatio(**base, hr=nan, lower=nan, upper=nan, coef=nan,
                                          se=nan, z=nan, p=nan, terms=terms, loglik=nan,
                                          loglik_null=nan, converged=False, estimable=False,
                                          note=f"not estimable ({reason})", fit=fit)
    for col in ("coef", "se", "hr", "lower", "upper", "z", "p"):
        terms[col] = np.asarray(getattr(fit, col), dtype=float)
    return SubdistributionHazardRatio(
        **base, hr=float(fit.hr[0]), lower=float(fit.lower[0]), upper=float(fit.upper[0]),
        coef=float(fit.coef[0]), se=float(fit.se[0]), z=float(fit.z[0]), p=float(fit.p[0]),
        terms=terms, loglik=fit.loglik, loglik_null=fit.loglik_null,
        converged=fit.converged, fit=fit)
