"""Competing risks: the data-frame input and the cumulative incidence (Aalen-Johansen) equal to
R's ``cmprsk::cuminc`` + ``cmprsk::timepoints`` (cmprsk 2.2-11).

Own numpy code, not a library: PyPI's ``cmprsk`` calls R through rpy2 (needs R at run time)
and ``pycmprsk`` cannot be installed here; lifelines' ``AalenJohansenFitter`` breaks tied
times of different causes by jittering them, so it does not equal cmprsk. The formulas below
are those of cmprsk's Fortran (``cinc``), written from its documented algorithm.

Data: one row per patient, a time column and an event-type column ``status`` whose value is
``censor_code`` (default 0) for a censored patient and a cause code (e.g. 1 = local relapse,
2 = death) otherwise. Rows with a missing value in a used column are dropped (``n_excluded``)
and near-equal times merged as R's ``aeqSurv`` (``helpers.survival.frame``; cmprsk compares
times exactly, which is the same for times that are not a rounding error apart). Tied times of
different causes are not broken: all failures at a time leave the risk set together, as cmprsk.

Estimate, per group and cause k, at the distinct failure times t_j with n_j at risk, d_kj
failures of cause k and d_j of any cause: ``F_k(t) = sum_{t_j <= t} S(t_j-) d_kj / n_j``
(S the all-cause Kaplan-Meier). Variance: Gray's (cmprsk ``cinc``) delta-method estimate, with
the ties correction ``1 - (d - 1) / (n - 1)``. At a requested time the right-continuous value
of the last failure time <= t (0 before the first); beyond the group's last follow-up time (any
status) it is not estimable (NaN, as ``timepoints`` gives NA).

Pointwise CI (the convention of cmprsk users, e.g. Pintilie 2006, tidycmprsk; cmprsk itself
gives none): log(-log) transform of the CIF, ``F ** exp(+/- z * se / (F * log F))`` with
``se = sqrt(variance)`` and z the two-sided normal quantile of ``conf_level``: lower
``F ** exp(-z se / (F log F))``, upper ``F ** exp(z se / (F log F))``. Not defined (NaN) where
F is 0 or 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .frame import SurvivalDataError, column_list, survival_data
from .km import group_codes, z_value
from .results import JsonResult
from .ties import close_time_index, later_than

__all__ = ["CompetingData", "CumulativeIncidence", "cause_number", "competing_data", "cuminc_arrays",
           "cumulative_incidence"]


@dataclass(frozen=True, eq=False)
class CompetingData:
    """Complete rows of a competing-risks analysis. ``frame``: those rows (times merged as
    aeqSurv); ``time`` float array; ``status`` array of codes; ``cause_code`` per row the
    position of its cause in ``causes`` (1-based; 0 = censored); ``causes`` the cause codes
    analysed (sorted); ``status_column`` the event-type column; ``n`` rows used, ``n_excluded`` rows dropped for a missing value."""

    frame: pd.DataFrame
    time: np.ndarray
    status: np.ndarray
    cause_index: np.ndarray
    causes: list
    censor_code: Any
    status_column: str
    n: int
    n_excluded: int


def _plain(v):
    return v.item() if isinstance(v, np.generic) else v


def competing_data(df: pd.DataFrame, time: str, status: str, *, causes: Any = None,
                   censor_code: Any = 0, group: str | None = None, strata: Any = None,
                   covariates: Any = None, caller: str = "competing-risks function"
                   ) -> CompetingData:
    """Validated complete rows for a competing-risks function.

    ``status``: the event-type column (``censor_code`` = censored, other values = causes).
    ``causes``: the cause codes the caller needs (one code or a list); each must occur in the
    analysed rows, and every non-censored value must be one of them. None: every value other
    than ``censor_code`` is a cause. Errors (``SurvivalDataError``) name the column and values.
    """
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{caller}(df, time, status, ...) takes a pandas DataFrame and column "
                        f"names, got {type(df).__name__}")
    if status not in df.columns:
        raise SurvivalDataError(f"event-type column not in the data frame given to {caller} "
                                f"(columns: {', '.join(map(str, df.columns))})", column=status)
    flag = "__event__"
    while flag in df.columns:
        flag += "_"
    st = df[status]
    event = pd.Series(np.where(st.isna(), np.nan, (st != censor_code).astype(float)),
                      index=df.index)
    data = survival_data(df.assign(**{flag: event}), time, flag, group=group, strata=strata,
                         covariates=[status, *column_list(covariates, "covariates")],
                         caller=caller)
    frame = data.frame.drop(columns=flag)
    codes = frame[status]
    found = sorted({_plain(v) for v in pd.unique(codes)}, key=lambda v: (str(type(v)), v))
    observed = [v for v in found if v != censor_code]
    if causes is None:
        causes = observed
    else:
        causes = [causes] if np.ndim(causes) == 0 or isinstance(causes, str) else list(causes)
        if censor_code in causes:
            raise SurvivalDataError(f"cause code {censor_code!r} is the censoring code "
                                    f"(censor_code)", column=status)
        absent = [c for c in causes if not (codes == c).any()]
        if absent:
            raise SurvivalDataError(
                f"event-type code(s) {absent} not in the {data.n} rows analysed (values found: "
                f"{found}; censor_code {censor_code!r})", column=status)
        unknown = [v for v in observed if v not in causes]
        if unknown:
            rows = codes.index[codes.isin(unknown).to_numpy()].tolist()
            raise SurvivalDataError(
                f"event-type code(s) {unknown} are neither the censoring code {censor_code!r} "
                f"nor a cause {causes}", column=status, rows=rows)
    if not causes:
        raise SurvivalDataError(f"no event of any cause: every value is the censoring code "
                                f"{censor_code!r}", column=status)
    cause_index = np.zeros(data.n, dtype=np.int64)
    for i, c in enumerate(causes, start=1):
        cause_index[(codes == c).to_numpy()] = i
    return CompetingData(frame=frame, time=data.time, status=codes.to_numpy(),
                         cause_index=cause_index, causes=list(causes), censor_code=censor_code,
                         status_column=status, n=data.n, n_excluded=data.n_excluded)


def cause_number(data: CompetingData, cause: Any) -> int:
    """Position (1-based) of ``cause`` in ``data.causes``; an error naming the event-type
    column and the values found when the code does not occur in the analysed rows."""
    if cause == data.censor_code or cause not in data.causes:
        raise SurvivalDataError(
            f"event-type code {cause!r} not in the {data.n} rows analysed (causes found: "
            f"{data.causes}; censor_code {data.censor_code!r})", column=data.status_column)
    return data.causes.index(cause) + 1


@dataclass(frozen=True)
class _Curve:
    """One cumulative incidence curve: right-continuous values at the failure times of the
    cause (``time``, ``estimate``, ``variance``) and the group's last follow-up time."""

    time: np.ndarray
    estimate: np.ndarray
    variance: np.ndarray
    last_time: float


def cuminc_arrays(time: np.ndarray, cause: np.ndarray, k: int) -> _Curve:
    """Cumulative incidence of cause ``k`` with Gray's variance, as cmprsk's ``cinc``.

    ``time`` floats (exact: distinct floats are distinct times); ``cause`` per row 0 =
    censored, else a cause number. Returns the curve at the distinct failure times of ``k``.
    """
    t = np.asarray(time, dtype=float)
    c = np.asarray(cause)
    times, inv = np.unique(t, return_inverse=True)
    n_risk = np.cumsum(np.bincount(inv, minlength=times.size)[::-1])[::-1].astype(float)
    d1 = np.bincount(inv, weights=(c == k), minlength=times.size)
    d_all = np.bincount(inv, weights=(c != 0), minlength=times.size)
    keep = d_all > 0
    rs, nd1, nd = n_risk[keep], d1[keep], d_all[keep]
    nd2 = nd - nd1
    factor = (rs - nd) / rs
    fkn = np.cumprod(factor)  # S(t_j), all-cause Kaplan-Meier
    fk = np.concatenate(([1.0], fkn[:-1]))  # S(t_j-)
    f = np.cumsum(fk * nd1 / rs)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_s = np.where(fkn > 0, 1 / fkn, 0.0)
        # other causes (Gray: skipped once S reaches 0)
        t5 = np.where(nd2 > 1, 1 - (nd2 - 1) / (rs - 1), 1.0)
        t6 = np.where((nd2 > 0) & (fkn > 0), fk * fk * t5 * nd2 / (rs * rs), 0.0)
        t4 = f * inv_s
        v1, v2, v3 = t4 * t4 * t6, inv_s * t4 * t6, inv_s * inv_s * t6
        # the cause of interest
        t5 = np.where(nd1 > 1, 1 - (nd1 - 1) / (rs - 1), 1.0)
        t6 = np.where(nd1 > 0, fk * fk * t5 * nd1 / (rs * rs), 0.0)
        t4 = 1 + inv_s * f
        v1 = v1 + t4 * t4 * t6
        v2 = v2 + inv_s * t4 * t6
        v3 = v3 + inv_s * inv_s * t6
    var = np.cumsum(v1) + f * f * np.cumsum(v3) - 2 * f * np.cumsum(v2)
    jump = nd1 > 0
    return _Curve(time=times[keep][jump], estimate=f[jump], variance=var[jump],
                  last_time=float(times[-1]))


def _at_times(curve: _Curve, at: np.ndarray, all_times: np.ndarray):
    """(estimate, variance) of ``curve`` at ``at`` as cmprsk's ``timepoints`` (see module)."""
    idx = close_time_index(curve.time, at) if curve.time.size else np.full(at.size, -1)
    est = np.where(idx < 0, 0.0, curve.estimate[np.maximum(idx, 0)] if curve.time.size else 0.0)
    var = np.where(idx < 0, 0.0, curve.variance[np.maximum(idx, 0)] if curve.time.size else 0.0)
    beyond = later_than(at, curve.last_time, all_times) | (at < 0)
    return np.where(beyond, np.nan, est), np.where(beyond, np.nan, var)


def cif_confidence(estimate, std_err, conf_level: float):
    """log(-log) CI of a cumulative incidence (module doc); NaN where F is 0 or 1."""
    z = z_value(conf_level)
    f = np.asarray(estimate, dtype=float)
    se = np.asarray(std_err, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (f > 0) & (f < 1)
        ff = np.where(ok, f, np.nan)
        half = z * se / (ff * np.log(ff))
        return ff ** np.exp(-half), ff ** np.exp(half)


@dataclass(frozen=True, eq=False)
class CumulativeIncidence(JsonResult):
    """Cumulative incidence by group and cause (R: ``cuminc(time, status, group)`` and
    ``timepoints(fit, times)``).

    ``table``: one row per group, cause and requested time: group, cause, time, n_risk
    (patients of the group with time >= t), estimate, variance (cmprsk's), std_err,
    lower, upper (log(-log) CI at ``conf_level``, module doc); NaN beyond the group's last
    follow-up. ``curves``: the step functions, one row per group, cause and failure time of the
    cause: group, cause, time, estimate, variance (right-continuous values). ``groups`` in
    sorted order (as R's factor); ``causes`` the cause codes; ``n`` rows used, ``n_excluded``
    rows dropped for a missing value.
    """

    table: pd.DataFrame
    curves: pd.DataFrame
    groups: list
    causes: list
    conf_level: float
    n: int
    n_excluded: int


def cumulative_incidence(df: pd.DataFrame, time: str, status: str, times: Any,
                         group: str | None = None, causes: Any = None, censor_code: Any = 0,
                         conf_level: float = 0.95) -> CumulativeIncidence:
    """Cumulative incidence of each cause (by ``group`` if given) at ``times`` (module doc).

    ``status``: event-type column (``censor_code`` censored, other codes causes); ``causes``:
    the cause codes to report (each must occur; default all). ``times`` in the unit of
    ``time`` (months for the trial). Without ``group`` the single group is labelled "all".
    """
    z_value(conf_level)
    data = competing_data(df, time, status, causes=causes, censor_code=censor_code,
                          group=group, caller="cumulative_incidence")
    at = np.atleast_1d(np.asarray(times, dtype=float))
    if group is None:
        codes, labels = np.zeros(data.n, dtype=np.int64), ["all"]
    else:
        codes, labels = group_codes(data.frame[group])
    all_times = np.unique(data.time)
    rows, curve_rows = [], []
    for gi, label in enumerate(labels):
        sel = codes == gi
        t, c = data.time[sel], data.cause_index[sel]
        n_risk = (t[None, :] >= at[:, None]).sum(axis=1)
        for k, cause in enumerate(data.causes, start=1):
            curve = cuminc_arrays(t, c, k)
            est, var = _at_times(curve, at, all_times)
            se = np.sqrt(var)
            lower, upper = cif_confidence(est, se, conf_level)
            rows.append(pd.DataFrame({"group": label, "cause": cause, "time": at,
                                      "n_risk": n_risk, "estimate": est, "variance": var,
                                      "std_err": se, "lower": lower, "upper": upper}))
            curve_rows.append(pd.DataFrame({"group": label, "cause": cause, "time": curve.time,
                                            "estimate": curve.estimate,
                                            "variance": curve.variance}))
    return CumulativeIncidence(
        table=pd.concat(rows, ignore_index=True), curves=pd.concat(curve_rows, ignore_index=True),
        groups=labels, causes=data.causes, conf_level=float(conf_level), n=data.n,
        n_excluded=data.n_excluded)
