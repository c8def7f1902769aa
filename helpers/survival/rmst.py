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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.special import ndtr  # scipy.stats imports slowly; same function

from .km import as_time_event, group_codes, kaplan_meier, z_value
from .results import JsonResult

__all__ = ["RMST", "RMSTDifference", "rmst", "rmst_difference"]


@dataclass(frozen=True, eq=False)
class RMST(JsonResult):
    """RMST up to ``tau``: ``estimate``, ``se``, Wald ``conf_level`` CI ``lower``/``upper``."""

    estimate: float
    se: float
    lower: float
    upper: float
    tau: float
    conf_level: float
    n: int
    events: int


@dataclass(frozen=True, eq=False)
class RMSTDifference(JsonResult):
    """RMST difference ``experimental`` - ``control`` up to ``tau``.

    ``arms``: per-arm ``RMST`` keyed by label; ``difference``, ``se`` = sqrt(se_e^2 + se_c^2),
    Wald ``conf_level`` CI ``lower``/``upper``, ``z`` = difference / se, two-sided normal
    ``p_two_sided``.
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


def rmst(time: Any, event: Any, tau: float, conf_level: float = 0.95) -> RMST:
    """RMST of one sample up to ``tau`` (same unit as ``time``), as R's survfit rmean."""
    z = z_value(conf_level)
    tau = float(tau)
    if not np.isfinite(tau):
        raise ValueError("tau must be finite")
    t, e = as_time_event(time, event)
    tab = kaplan_meier(t, e).table
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


def rmst_difference(
    time: Any, event: Any, group: Any, tau: float, experimental: Any, conf_level: float = 0.95
) -> RMSTDifference:
    """RMST difference experimental - control (two groups) up to ``tau``, Wald CI and p."""
    z = z_value(conf_level)
    t, e = as_time_event(time, event)
    g, labels = group_codes(group)
    if g.size != t.size:
        raise ValueError("group differs in length from time")
    if len(labels) != 2:
        raise ValueError(f"rmst_difference needs exactly two groups, got {labels}")
    if experimental not in labels:
        raise ValueError(f"experimental={experimental!r} is not a group label {labels}")
    j = labels.index(experimental)
    control = labels[1 - j]
    arms = {
        label: rmst(t[g == i], e[g == i], tau, conf_level=conf_level)
        for i, label in enumerate(labels)
    }
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
    )
