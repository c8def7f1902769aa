"""Kaplan-Meier estimator equal to R's ``survival::survfit(Surv(time, event) ~ 1)``.

Times are in the unit given (months for the trial); the functions are unit-agnostic.
Greenwood variance; pointwise CIs ``"log-log"`` (default, as SAS PROC LIFETEST),
``"log"`` (R's default) or ``"plain"``, computed exactly as R's ``survfit_confint``; the
median and its CI as R's ``print(fit)`` / ``summary(fit)$table`` (``survival:::survmean``):
the median CI (Brookmeyer-Crowley) is where the pointwise CI bounds first reach 0.5.

Own vectorised numpy code rather than lifelines' ``KaplanMeierFitter``: lifelines has no
log-log/plain choice matching R, computes the median CI differently and is slower at 1e6 rows.

Public API: a data frame plus column names, ``kaplan_meier(df, "time", "event")`` and
``km_by_group(df, "time", "event", "ARMCD")``; rows with a missing value in a used column are
dropped (stated as ``n_excluded``) and near-equal times merged as R's ``timefix = TRUE``
(``helpers.survival.ties``). ``km_arrays(time, event)`` is the low-level estimator on arrays
(no missing values, times taken as given: distinct floats are distinct times).

Definitional notes (where R differs in details):
- Landmarks (``survival_at``) within the aeqSurv tolerance of an observed time count as that
  time (R's summary(fit, times=) compares them exactly; the two differ only for a landmark a
  rounding error below an observed time). A landmark beyond the last observed time is not
  estimable (NaN with a note) unless the curve has reached 0 (R's ``extend=FALSE`` drops it).
- Rows with S = 1 have no log-log CI (NaN, as R); rows with S = 0 have no std. error and,
  for "log"/"log-log", no CI (NaN, as R).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtri  # scipy.stats imports slowly; same function

from .frame import SurvivalFrame, TimeSort, one_sample, survival_frame
from .results import JsonResult
from .ties import close_time_index, later_than

__all__ = ["KaplanMeier", "KaplanMeierByGroup", "kaplan_meier", "km_arrays", "km_by_group",
           "km_from_counts", "km_groups_sorted", "km_summary", "CONF_TYPES"]

CONF_TYPES = ("log-log", "log", "plain")
# survival:::survmean compares the curve with 0.5 up to this tolerance
_MEDIAN_TOL = np.sqrt(np.finfo(float).eps)


def as_time_event(time: Any, event: Any) -> tuple[np.ndarray, np.ndarray]:
    """Validate and return (time as float64, event as int64 0/1) arrays of equal length."""
    t = np.asarray(time, dtype=float).ravel()
    e = np.asarray(event).ravel()
    if t.shape != e.shape:
        raise ValueError(f"time and event differ in length ({t.size} vs {e.size})")
    if t.size == 0:
        raise ValueError("no observations")
    if not np.all(np.isfinite(t)):
        raise ValueError("time has missing or infinite values")
    e = e.astype(float)
    if not np.all((e == 0) | (e == 1)):
        raise ValueError("event must be 0 (censored) or 1 (event)")
    return t, e.astype(np.int64)


def z_value(conf_level: float) -> float:
    """Two-sided normal quantile for a ``conf_level`` CI (1.96 at 0.95)."""
    if not 0 < conf_level < 1:
        raise ValueError(f"conf_level must be in (0, 1), got {conf_level}")
    return float(ndtri(1 - (1 - conf_level) / 2))


def confidence_bounds(
    surv: np.ndarray, se_log: np.ndarray, conf_level: float, conf_type: str
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise CI of S from ``se_log`` (Greenwood std. error of -log S), as R's survfit_confint."""
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}")
    z = z_value(conf_level)
    p = np.asarray(surv, dtype=float)
    se = np.asarray(se_log, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        if conf_type == "plain":
            half = se * p * z  # NaN where S = 0 (0 * inf), kept NaN as R's pmax/pmin
            return np.maximum(p - half, 0.0), np.minimum(p + half, 1.0)
        if conf_type == "log":
            xx = np.where(p == 0, np.nan, p)
            return np.exp(np.log(xx) - z * se), np.minimum(np.exp(np.log(xx) + z * se), 1.0)
        xx = np.where((p == 0) | (p == 1), np.nan, p)
        half = z * se / np.log(xx)
        loglog = np.log(-np.log(xx))
        return np.exp(-np.exp(loglog - half)), np.exp(-np.exp(loglog + half))


def survmean_median(y: np.ndarray, x: np.ndarray) -> float:
    """First x where y <= 0.5, as ``survival:::survmean``'s ``minmin`` (NaN if never).

    If y equals 0.5 (within sqrt(machine eps)) on a flat stretch and drops below it later,
    R returns the midpoint between the start of the flat stretch and the time of that drop;
    if it stays at 0.5 to the end, the start of the flat stretch.
    """
    y = np.asarray(y, dtype=float)
    x = np.asarray(x, dtype=float)
    keep = ~np.isnan(y) & (y < 0.5 + _MEDIAN_TOL)
    if not keep.any():
        return float("nan")
    xk, yk = x[keep], y[keep]
    below = np.flatnonzero(yk < yk[0])
    if abs(yk[0] - 0.5) < _MEDIAN_TOL and below.size:
        return float((xk[0] + xk[below[0]]) / 2)
    return float(xk[0])


@dataclass(frozen=True, eq=False)
class KaplanMeier(JsonResult):
    """Kaplan-Meier estimate of one sample (as R's survfit).

    ``table``: one row per distinct time (event or censoring) with columns time, n_risk,
    n_event, n_censor, surv, std_err (Greenwood std. error of S, as R's summary()$std.err),
    lower, upper (pointwise ``conf_level`` CI of type ``conf_type``). ``median`` and its CI
    (``median_lower``, ``median_upper``; NaN when not reached) as R's summary(fit)$table.
    ``n`` rows used; ``n_excluded`` rows dropped for a missing value (frame-level calls).
    """

    table: pd.DataFrame
    n: int
    events: int
    median: float
    median_lower: float
    median_upper: float
    conf_level: float
    conf_type: str
    n_excluded: int = 0

    def survival_at(self, times: Any) -> pd.DataFrame:
        """S(t) with std. error and CI at ``times`` (landmark rates), as R's summary(fit, times=).

        The step function is right-continuous: the value of the last row with time <= t (a
        ``t`` within the aeqSurv tolerance of an observed time counts as that time). Before
        the first observed time S = 1, std_err = 0, lower = upper = 1 (as R). Beyond the last
        observed time nobody is at risk: NaN with ``note`` "not estimable: ..." unless S
        reached 0 (then 0). Columns time, surv, std_err, lower, upper, note ("" if estimable).
        """
        t = np.atleast_1d(np.asarray(times, dtype=float))
        tab_t = self.table["time"].to_numpy()
        idx = close_time_index(tab_t, t)
        before = idx < 0
        take = np.where(before, 0, idx)
        last_surv = self.table["surv"].to_numpy()[-1]
        beyond = (idx == tab_t.size - 1) & later_than(t, tab_t[-1], tab_t) & (last_surv > 0)
        out = {"time": t}
        for col, start in (("surv", 1.0), ("std_err", 0.0), ("lower", 1.0), ("upper", 1.0)):
            value = np.where(before, start, self.table[col].to_numpy()[take])
            out[col] = np.where(beyond, np.nan, value)
        out["note"] = np.where(
            beyond, f"not estimable: beyond the last follow-up time ({tab_t[-1]:g})", "")
        return pd.DataFrame(out)

    def n_at_risk(self, times: Any) -> np.ndarray:
        """Numbers at risk at ``times`` (time >= t), as R's summary(fit, times=)$n.risk."""
        t = np.atleast_1d(np.asarray(times, dtype=float))
        tab_t = self.table["time"].to_numpy()
        idx = np.searchsorted(tab_t, t, side="left")
        n_risk = np.append(self.table["n_risk"].to_numpy(), 0)
        return n_risk[idx].astype(np.int64)


def kaplan_meier(df: pd.DataFrame, time: str, event: str, conf_level: float = 0.95,
                 conf_type: str = "log-log") -> KaplanMeier:
    """Kaplan-Meier estimate of ``df`` (R: ``survfit(Surv(time, event) ~ 1, data = df)``).

    ``time``, ``event``: column names (time in any unit, months for the trial; event 1 =
    event, 0 = censored). Missing values dropped, near-equal times merged (module doc).
    ``conf_type`` "log-log" (default, as SAS), "log" (R's default) or "plain";
    ``conf_level`` two-sided (0.95 gives 95% CIs).
    """
    return one_sample(km_arrays, df, time, event, conf_level, conf_type, caller="kaplan_meier")


def km_arrays(
    time: Any, event: Any, conf_level: float = 0.95, conf_type: str = "log-log"
) -> KaplanMeier:
    """Low-level Kaplan-Meier on arrays (no missing values; distinct floats are distinct
    times): Greenwood std. errors and pointwise CIs, as R's survfit with ``timefix=FALSE``.

    ``time`` in any unit, ``event`` 1 = event, 0 = censored; ``conf_type`` and
    ``conf_level`` as in ``kaplan_meier``.
    """
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}")
    z_value(conf_level)
    t, e = as_time_event(time, event)
    times, inverse = np.unique(t, return_inverse=True)
    n_event = np.bincount(inverse, weights=e, minlength=times.size).astype(np.int64)
    n_leave = np.bincount(inverse, minlength=times.size)
    return km_from_counts(times, n_event, n_leave, int(t.size), int(e.sum()), conf_level,
                          conf_type)


def km_from_counts(times: np.ndarray, n_event: np.ndarray, n_leave: np.ndarray, n: int,
                   events: int, conf_level: float = 0.95,
                   conf_type: str = "log-log") -> KaplanMeier:
    """Kaplan-Meier from the distinct ``times`` (ascending) with their numbers of events and
    of rows (``n_leave``, events + censored; int64): the estimator of ``km_arrays``."""
    n_risk = np.cumsum(n_leave[::-1])[::-1]
    surv = np.cumprod(1.0 - n_event / n_risk)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Greenwood: var(-log S) = sum d / (n (n - d)); infinite once S reaches 0
        se_log = np.sqrt(np.cumsum(n_event / (n_risk * (n_risk - n_event).astype(float))))
        std_err = np.where(surv == 0, np.nan, surv * se_log)
    lower, upper = confidence_bounds(surv, se_log, conf_level, conf_type)
    table = pd.DataFrame(
        {
            "time": times,
            "n_risk": n_risk,
            "n_event": n_event,
            "n_censor": n_leave - n_event,
            "surv": surv,
            "std_err": std_err,
            "lower": lower,
            "upper": upper,
        }
    )
    return KaplanMeier(
        table=table,
        n=n,
        events=events,
        median=survmean_median(surv, times),
        median_lower=survmean_median(lower, times),
        median_upper=survmean_median(upper, times),
        conf_level=float(conf_level),
        conf_type=conf_type,
    )


def group_codes(group: Any) -> tuple[np.ndarray, list]:
    """Integer codes 0..k-1 of ``group`` by sorted label, and the labels as Python scalars.

    Labels sort by value (a pandas Categorical Series: by category order, unused dropped).
    """
    values = pd.Series(np.asarray(group).ravel() if not isinstance(group, pd.Series) else group)
    if values.isna().any():
        raise ValueError("group has missing values")
    codes, uniques = pd.factorize(values, sort=True)
    labels = [u.item() if isinstance(u, np.generic) else u for u in np.asarray(uniques)]
    return codes.astype(np.int64), labels


class KaplanMeierByGroup(dict):
    """Group label -> ``KaplanMeier``, in sorted label order; ``n_excluded``: rows of the
    data frame dropped for a missing time, event or group."""

    n_excluded: int = 0


def km_by_group(df: pd.DataFrame | SurvivalFrame, time: str, event: str, group: str,
                conf_level: float = 0.95, conf_type: str = "log-log") -> KaplanMeierByGroup:
    """Kaplan-Meier estimate per level of column ``group`` (e.g. the arm), keyed by level in
    sorted order (R: ``survfit(Surv(time, event) ~ group, data = df)``; near-equal times
    merged over all groups, as R). Each ``KaplanMeier.n_excluded`` counts that group's rows
    dropped for a missing time or event; the dict's ``n_excluded`` all dropped rows.
    ``df`` may be a ``SurvivalFrame`` holding these columns (its sort is reused)."""
    sf = survival_frame(df, time, event, group=group, caller="km_by_group")
    if conf_type not in CONF_TYPES:
        raise ValueError(f"conf_type must be one of {CONF_TYPES}, got {conf_type!r}")
    z_value(conf_level)
    data = sf.data
    out = KaplanMeierByGroup(km_groups_sorted(data.event, sf.sort, *sf.group_codes(group),
                                              conf_level, conf_type))
    df = sf.source
    dropped = df.loc[df[[time, event]].isna().any(axis=1), group].value_counts()
    for label, km in out.items():
        out[label] = dataclasses.replace(km, n_excluded=int(dropped.get(label, 0)))
    out.n_excluded = data.n_excluded
    return out


def _km_groups(time: Any, event: Any, group: Any, conf_level: float,
               conf_type: str, labels: list | None = None) -> dict[Any, KaplanMeier]:
    """Kaplan-Meier of each group's rows (``labels`` given: ``group`` holds their codes)."""
    t, e = as_time_event(time, event)
    codes, labels = group_codes(group) if labels is None else (group, labels)
    if codes.size != t.size:
        raise ValueError("group differs in length from time")
    order = np.argsort(codes, kind="stable")
    bounds = np.searchsorted(codes[order], np.arange(len(labels) + 1))
    return {
        label: km_arrays(
            t[order[bounds[i] : bounds[i + 1]]],
            e[order[bounds[i] : bounds[i + 1]]],
            conf_level=conf_level,
            conf_type=conf_type,
        )
        for i, label in enumerate(labels)
    }


def km_groups_sorted(event: np.ndarray, ts: TimeSort, codes: np.ndarray, labels: list,
                     conf_level: float = 0.95,
                     conf_type: str = "log-log") -> dict[Any, KaplanMeier]:
    """Kaplan-Meier per group from times sorted once (``ts``; ``event`` 0/1 int64, ``codes``
    0..k-1 the group of each row, ``labels`` their labels): the counts of every group at
    every distinct time by one ``bincount``, each group's estimate over the times at which
    it has rows, as ``km_arrays`` of the group's rows (same bits)."""
    m, k = ts.times.size, len(labels)
    if k * m > 4 * event.size + 1024:  # many groups and distinct times: group by group
        return _km_groups(ts.times.take(ts.tid), event, codes, conf_level, conf_type, labels)
    cell = codes * m + ts.tid if k > 1 else ts.tid
    leave = np.bincount(cell, minlength=k * m).reshape(k, m)
    died = np.bincount(cell, weights=event, minlength=k * m).reshape(k, m)
    out = {}
    for i, label in enumerate(labels):
        at = leave[i].nonzero()[0]
        n_event = died[i].take(at).astype(np.int64)
        n_leave = leave[i].take(at)
        out[label] = km_from_counts(ts.times.take(at), n_event, n_leave, int(n_leave.sum()),
                                    int(n_event.sum()), conf_level, conf_type)
    return out


def km_summary(km_dict: dict[Any, KaplanMeier]) -> pd.DataFrame:
    """One row per group: group, n, events, median, median_lower, median_upper, conf_level, conf_type."""
    rows = [
        {
            "group": label,
            "n": km.n,
            "events": km.events,
            "median": km.median,
            "median_lower": km.median_lower,
            "median_upper": km.median_upper,
            "conf_level": km.conf_level,
            "conf_type": km.conf_type,
        }
        for label, km in km_dict.items()
    ]
    return pd.DataFrame(rows)
