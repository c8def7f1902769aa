"""Median follow-up: reverse Kaplan-Meier (Schemper & Smith 1996) and simple medians.

Times in any unit (months for the trial). The reverse Kaplan-Meier estimator swaps the roles
of event and censoring: a censored patient "has the event" (end of follow-up), a patient who
died is censored at death, because death ends observation but not potential follow-up. Its
median estimates the median potential follow-up time had nobody died (Schemper M, Smith TL.
Control Clin Trials 1996;17:343-6). Equal to R's survfit(Surv(time, 1 - event) ~ 1) median
and CI (summary(fit)$table; Brookmeyer-Crowley with the chosen conf_type).

Also reported: ``simple_median``, the median observed time of all patients (deaths included;
shorter than the reverse KM median when many die early) and ``censored_median``, the median
observed time of the censored (alive at last contact) patients.

Public API ``median_follow_up(df, "time", "event")`` (missing values dropped and stated,
near-equal times merged as R's ``timefix = TRUE``); ``follow_up_arrays`` on arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .frame import one_sample
from .km import KaplanMeier, as_time_event, km_arrays
from .results import JsonResult

__all__ = ["FollowUp", "follow_up_arrays", "median_follow_up"]


@dataclass(frozen=True, eq=False)
class FollowUp(JsonResult):
    """Median follow-up, in the unit of the input times.

    ``median``, ``lower``, ``upper``: reverse Kaplan-Meier median and its ``conf_level`` CI
    (NaN when not reached); ``simple_median``: median observed time of all ``n`` patients;
    ``censored_median``: median observed time of the ``n_censored`` censored patients (NaN if
    none); ``reverse_km``: the full reverse Kaplan-Meier estimate (its "events" are censorings);
    ``n_excluded``: rows dropped for a missing time or event.
    """

    median: float
    lower: float
    upper: float
    simple_median: float
    censored_median: float
    n: int
    n_censored: int
    conf_level: float
    conf_type: str
    reverse_km: KaplanMeier
    n_excluded: int = 0

    _json_exclude = ("reverse_km",)  # the full table: on the object, not in the JSON


def median_follow_up(df: pd.DataFrame, time: str, event: str, conf_level: float = 0.95,
                     conf_type: str = "log-log") -> FollowUp:
    """Reverse Kaplan-Meier median follow-up with CI, plus the simple medians, of ``df``.

    ``time``, ``event``: column names (event 1 = event (death), 0 = censored);
    ``conf_type`` as in ``kaplan_meier``.
    """
    return one_sample(follow_up_arrays, df, time, event, conf_level, conf_type,
                      caller="median_follow_up")


def follow_up_arrays(
    time: Any, event: Any, conf_level: float = 0.95, conf_type: str = "log-log"
) -> FollowUp:
    """Low-level ``median_follow_up`` on arrays (no missing values, times as given)."""
    t, e = as_time_event(time, event)
    reverse = km_arrays(t, 1 - e, conf_level=conf_level, conf_type=conf_type)
    censored = t[e == 0]
    return FollowUp(
        median=reverse.median,
        lower=reverse.median_lower,
        upper=reverse.median_upper,
        simple_median=float(np.median(t)),
        censored_median=float(np.median(censored)) if censored.size else float("nan"),
        n=int(t.size),
        n_censored=int(censored.size),
        conf_level=float(conf_level),
        conf_type=conf_type,
        reverse_km=reverse,
    )
