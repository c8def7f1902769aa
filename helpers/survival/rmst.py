"""Restricted mean survival time (RMST) up to ``tau`` and its difference between two arms.

Times and ``tau`` in any unit (months for the trial); the RMST is in that unit. Estimate and
standard error as R's ``print(survfit(...), rmean = tau)`` / ``summary(fit, rmean = tau)$table``
columns "rmean" and "se(rmean)" (``survival:::survmean``): the area under the Kaplan-Meier
curve from min(0, first time) to tau (the last value is carried forward when tau is beyond
the last observed time), with variance sum_i A_i^2 d_i / (n_i (n_i - d_i)) over event times
t_i <= tau, A_i the area between t_i and tau (terms with n_i = d_i are 0); no small-sample
factor. R gives no CI for the RMST; ours is the normal (Wald) interval estimate +- z se, as
survRM2's ``rmst2``. The difference (experimental - control) has se = sqrt(se1^2 + se2^2)
(independent arms), a Wald CI and a two-sided normal p (as survRM2's unadjusted contrast;
survRM2 is not installed here, so the difference is validated by arithmetic from R's per-arm
values).

Public API ``rmst(df, "time", "event", tau)`` and ``rmst_difference(df, "time", "event",
"ARMCD", tau, experimental="B")``: missing values dropped and stated (``n_excluded``),
near-equal times merged as R's ``timefix = TRUE``, and a ``tau`` beyond the last observed
time (of any arm) is an error, as survRM2's ``rmst2`` (nobody is at risk there: the area is
extrapolated), unless the curve has reached 0 there. ``rmst_arrays`` is the low-level
version on arrays (R's survfit rmean: carries the last value forward).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr  # scipy.stats imports slowly; same function

from .frame import SurvivalDataError, survival_data
from .km import as_time_event, group_codes, km_arrays, z_value
from .results import JsonResult
from .ties import later_than

__all__ = ["RMST", "RMSTDifference", "RMSTNotEstimable", "rmst", "rmst_arrays", "rmst_difference"]


@dataclass(frozen=True, eq=False)
class RMST(JsonResult):
    """RMST up to ``tau``: ``estimate``, ``se``, Wald ``conf_level`` CI ``lower``/``upper``;
    ``n`` rows used, ``n_excluded`` rows dropped for a missing value."""

    estimate: float
    se: float
    lower: float
    upper: float
    tau: float
    conf_level: float
    n: int
    events: int
    n_excluded: int = 0


@dataclass(frozen=True, eq=False)
class RMSTDifference(JsonResult):
    """RMST difference ``experimental`` - ``control`` up to ``tau``.

    ``arms``: per-arm ``RMST`` keyed by label; ``difference``, ``se`` = sqrt(se_e^2 + se_c^2),
    Wald ``conf_level`` CI ``lower``/``upper``, ``z`` = difference / se, two-sided normal
    ``p_two_sided``; ``n_excluded`` rows dropped for a missing value.
    """

    experimental: Any
    control: Any
    arms: dict
    difference: float
    se: float
    lower: float
    upper: float
    z: float
    p_two_sided: float
    tau: float
    conf_level: float
    n_excluded: int = 0


@dataclass(frozen=True, eq=False)
class RMSTNotEstimable(RMSTDifference):
    """An RMST difference that cannot be estimated: ``tau`` lies beyond an arm's last
    follow-up (nobody at risk there). That arm's RMST and the difference are NaN; ``note``
    says why (the arm, its last time)."""

    note: str = ""


def _survmean(
    time: np.ndarray, n_risk: np.ndarray, n_event: np.ndarray, surv: np.ndarray, tau: float
) -> tuple[float, float]:
    """RMST and its se from a Kaplan-Meier table, line by line as R's survival:::survmean."""
    start = min(0.0, float(time[0]))
    with np.errstate(divide="ignore", invalid="ignore"):
        hh = np.where(n_risk == n_event, 0.0, n_event / (n_risk * (n_risk - n_event).astype(float)))
    keep = time <= tau
    if not keep.any():
        temptime, tempsurv, hh = np.array([tau]), np.array([1.0]), np.array([0.0])
    else:
        temptime = np.append(time[keep], tau)
        tempsurv = np.append(surv[keep], surv[keep][-1])
        hh = np.append(hh[keep], 0.0)
    delta = np.diff(np.concatenate(([start], temptime)))
    rectangles = delta * np.concatenate(([1.0], tempsurv[:-1]))
    # area after each time up to tau, paired with that time's variance increment
    var = np.sum(np.cumsum(rectangles[1:][::-1]) ** 2 * hh[::-1][1:])
    return float(rectangles.sum() + start), float(np.sqrt(var))


def _check_horizon(time: np.ndarray, event: np.ndarray, tau: float, column: str,
                   where: str = "") -> None:
    """Error when ``tau`` lies beyond the last observed time (aeqSurv tolerance) and the
    Kaplan-Meier curve has not reached 0 there (survRM2's rule, with that exception)."""
    note = _horizon_note(time, event, tau, where)
    if note:
        raise SurvivalDataError(note, column=column)


def _horizon_note(time: np.ndarray, event: np.ndarray, tau: float, where: str = "") -> str:
    """Why ``tau`` is not estimable for these times ("" when it is)."""
    last = float(time.max())
    if later_than(tau, last, time) and km_arrays(time, event).table["surv"].iloc[-1] > 0:
        return (f"RMST horizon tau = {tau:g} is beyond the last follow-up time{where} "
                f"({last:g}): not estimable (nobody at risk); choose tau <= {last:g}")
    return ""


def rmst(df: pd.DataFrame, time: str, event: str, tau: float,
         conf_level: float = 0.95) -> RMST:
    """RMST of ``df`` up to ``tau`` (unit of column ``time``), as R's survfit rmean.

    ``time``, ``event``: column names (event 1 = event, 0 = censored). See the module doc
    for missing values, near-equal times and a ``tau`` beyond the last follow-up (error).
    """
    data = survival_data(df, time, event, caller="rmst")
    _check_horizon(data.time, data.event, float(tau), time)
    return dataclasses.replace(rmst_arrays(data.time, data.event, tau, conf_level),
                               n_excluded=data.n_excluded)


def rmst_arrays(time: Any, event: Any, tau: float, conf_level: float = 0.95) -> RMST:
    """Low-level RMST on arrays up to ``tau``, as R's survfit rmean (the last value carried
    forward beyond the last time; no missing values; times as given)."""
    z = z_value(conf_level)
    tau = float(tau)
    if not np.isfinite(tau):
        raise ValueError("tau must be finite")
    t, e = as_time_event(time, event)
    tab = km_arrays(t, e).table
    est, se = _survmean(
        tab["time"].to_numpy(),
        tab["n_risk"].to_numpy(),
        tab["n_event"].to_numpy(),
        tab["surv"].to_numpy(),
        tau,
    )
    return RMST(
        estimate=est,
        se=se,
        lower=est - z * se,
        upper=est + z * se,
        tau=tau,
        conf_level=float(conf_level),
        n=int(t.size),
        events=int(e.sum()),
    )


def rmst_difference(df: pd.DataFrame, time: str, event: str, group: str, tau: float,
                    experimental: Any, conf_level: float = 0.95) -> RMSTDifference:
    """RMST difference experimental - control (two levels of column ``group``) up to ``tau``,
    Wald CI and two-sided p. ``experimental``: level of ``group``. See the module doc for
    missing values and near-equal times. A ``tau`` beyond an arm's last follow-up (the
    Kaplan-Meier curve not at 0) is not estimable: :class:`RMSTNotEstimable`, that arm's RMST
    and the difference NaN with the ``note`` saying why, never a number.
    """
    data = survival_data(df, time, event, group=group, caller="rmst_difference")
    z = z_value(conf_level)
    t, e = data.time, data.event
    g, labels = group_codes(data.frame[group])
    if g.size != t.size:
        raise ValueError("group differs in length from time")
    if len(labels) != 2:
        raise ValueError(f"rmst_difference needs exactly two groups, got {labels}")
    if experimental not in labels:
        raise ValueError(f"experimental={experimental!r} is not a group label {labels}")
    j = labels.index(experimental)
    control = labels[1 - j]
    notes = {label: _horizon_note(t[g == i], e[g == i], float(tau), f" of {group} = {label}")
             for i, label in enumerate(labels)}
    arms = {
        label: (rmst_arrays(t[g == i], e[g == i], tau, conf_level=conf_level) if not notes[label]
                else RMST(*(float("nan"),) * 4, tau=float(tau), conf_level=float(conf_level),
                          n=int((g == i).sum()), events=int(e[g == i].sum())))
        for i, label in enumerate(labels)
    }
    if any(notes.values()):
        nan = float("nan")
        return RMSTNotEstimable(
            experimental=experimental, control=control, arms=arms, difference=nan, se=nan,
            lower=nan, upper=nan, z=nan, p_two_sided=nan, tau=float(tau),
            conf_level=float(conf_level), n_excluded=data.n_excluded,
            note="; ".join(n for n in notes.values() if n))
    diff = arms[experimental].estimate - arms[control].estimate
    se = float(np.hypot(arms[experimental].se, arms[control].se))
    z_stat = diff / se if se > 0 else float("nan")
    return RMSTDifference(
        experimental=experimental,
        control=control,
        arms=arms,
        difference=diff,
        se=se,
        lower=diff - z * se,
        upper=diff + z * se,
        z=z_stat,
        p_two_sided=float(2 * ndtr(-abs(z_stat))),
        tau=float(tau),
        conf_level=float(conf_level),
        n_excluded=data.n_excluded,
    )
