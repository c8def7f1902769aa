"""Landmark survival rate difference between two arms, as tern's ``s_surv_timepoint_diff``.

At each landmark t: S_A(t) and S_B(t) are the Kaplan-Meier estimates of the two arms with
Greenwood standard errors on the survival scale (R: ``summary(survfit(Surv(time, event) ~ arm),
times = t)$surv`` and ``$std.err``); ``difference = S_experimental(t) - S_control(t)``,
``se = sqrt(se_control^2 + se_experimental^2)`` (independent arms), Wald CI
``difference -/+ z se`` at ``conf_level`` (z the two-sided normal quantile) and the two-sided
Wald p of ``difference / se``. Rates are proportions (0-1), times in the unit of ``time``.
A landmark beyond an arm's last follow-up (the Kaplan-Meier is not defined there) gives NaN
with the reason in ``note``; a difference whose se is 0 has NaN z and p.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.special import ndtr

from .cox import arm_indicator
from .frame import survival_data
from .km import km_arrays, z_value

__all__ = ["landmark_difference"]


def landmark_difference(df: pd.DataFrame, time: str, event: str, arm: str, experimental: Any,
                        times: Any, conf_level: float = 0.95) -> pd.DataFrame:
    """One row per landmark in ``times``: time, control, experimental (arm levels), n_risk_
    control, n_risk_experimental, surv_control, se_control, surv_experimental,
    se_experimental, difference (experimental - control), se, lower, upper, z, p, conf_level,
    note ("" when estimable). Complete cases of time, event, arm (``attrs['n_excluded']``)."""
    zq = z_value(conf_level)
    data = survival_data(df, time, event, group=arm, caller="landmark_difference")
    z, control = arm_indicator(data.frame[arm], experimental)
    at = np.atleast_1d(np.asarray(times, dtype=float))
    out = {"time": at, "control": control, "experimental": experimental}
    notes = np.full(at.size, "", dtype=object)
    for key, sel in (("control", z == 0), ("experimental", z == 1)):
        km = km_arrays(data.time[sel], data.event[sel])
        tab = km.survival_at(at)
        out[f"n_risk_{key}"] = km.n_at_risk(at)
        out[f"surv_{key}"] = tab["surv"].to_numpy()
        out[f"se_{key}"] = tab["std_err"].to_numpy()
        level = control if key == "control" else experimental
        bad = tab["note"].to_numpy() != ""
        notes = np.where(bad & (notes == ""), [f"{arm} {level}: {n}" for n in tab["note"]],
                         notes)
    diff = out["surv_experimental"] - out["surv_control"]
    se = np.hypot(out["se_control"], out["se_experimental"])
    with np.errstate(divide="ignore", invalid="ignore"):
        zstat = np.where(se > 0, diff / se, np.nan)
    res = pd.DataFrame({**out, "difference": diff, "se": se, "lower": diff - zq * se,
                        "upper": diff + zq * se, "z": zstat, "p": 2 * ndtr(-np.abs(zstat)),
                        "conf_level": float(conf_level), "note": notes})
    res.attrs["n_excluded"] = data.n_excluded
    return res
