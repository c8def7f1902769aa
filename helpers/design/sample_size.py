"""Sample size and power of a two-arm design (overall survival, log-rank test).

Published assumptions (ASCO 2023 abstract): median OS 20 months (arm A) vs 26 months (arm B),
HR 0.77, one-sided alpha 0.05, power 80%, 359 events, 410 patients, 7 years accrual and
4 years follow-up.

What reproduces them:

* **359 events** = Schoenfeld's formula ``4 (z_{1-a} + z_{1-b})^2 / log(HR)^2`` with the HR
  implied by the medians under exponential survival, ``HR = 20/26 = 0.7692``, giving 359.27,
  rounded to the nearest integer. With the rounded HR 0.77 it gives 362.02; rounding 359.27 up
  gives 360; Freedman's ``((1+HR)/(1-HR))^2 (z_{1-a}+z_{1-b})^2`` gives 363.40 (HR 20/26) or
  366.15 (HR 0.77). See :func:`required_events_alternatives`.
* **410 patients**: exponential survival with the two medians, uniform accrual over 84 months
  and 48 months of follow-up after accrual closes give a probability of death by the analysis
  of 0.914 (averaged over 1:1 arms), so 359 events need 393 patients. The publications do not
  say how 393 became 410; an allowance of 4% for loss to follow-up / ineligibility
  (``ceil(393 / 0.96) = 410``) reproduces it and is the assumption named here (the implied
  allowance is ``1 - 393/410 = 4.1%``).

Times in months; alpha is the one-sided level when ``sided=1``.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
from scipy.special import ndtr, ndtri  # scipy.stats imports slowly; same functions

PLANNING_MEDIANS_MONTHS = (20.0, 26.0)
PLANNING_HR = 0.77
ACCRUAL_MONTHS = 7 * 12
FOLLOW_UP_MONTHS = 4 * 12


def _z_alpha(alpha: float, sided: int) -> float:
    if sided not in (1, 2):
        raise ValueError(f"sided must be 1 or 2, not {sided!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), not {alpha!r}")
    return float(ndtri(1 - alpha / sided))


def hazard_ratio_from_medians(median_control: float, median_experimental: float) -> float:
    """HR (experimental vs control) implied by two medians under exponential survival."""
    return median_control / median_experimental


def required_events_exact(
    hazard_ratio: float,
    alpha: float = 0.05,
    power: float = 0.80,
    sided: int = 1,
    allocation: float = 0.5,
    method: str = "schoenfeld",
) -> float:
    """Events needed for a log-rank test, unrounded.

    ``method="schoenfeld"``: ``(z_a + z_b)^2 / (p (1-p) log(HR)^2)``, p = ``allocation`` (share
    randomised to the experimental arm; 0.5 gives the factor 4).
    ``method="freedman"``: ``((1 + k HR)^2 / (k (1 - HR)^2)) (z_a + z_b)^2`` with
    ``k = p / (1-p)`` (1:1 gives ``((1+HR)/(1-HR))^2 (z_a+z_b)^2``).
    """
    if not 0 < hazard_ratio or hazard_ratio == 1:
        raise ValueError(f"hazard_ratio must be positive and != 1, not {hazard_ratio!r}")
    if not 0 < power < 1 or not 0 < allocation < 1:
        raise ValueError("power and allocation must be in (0, 1)")
    z = _z_alpha(alpha, sided) + float(ndtri(power))
    if method == "schoenfeld":
        return z**2 / (allocation * (1 - allocation) * math.log(hazard_ratio) ** 2)
    if method == "freedman":
        k = allocation / (1 - allocation)
        return (1 + k * hazard_ratio) ** 2 / (k * (1 - hazard_ratio) ** 2) * z**2
    raise ValueError(f"method must be 'schoenfeld' or 'freedman', not {method!r}")


def required_events(
    hazard_ratio: float,
    alpha: float = 0.05,
    power: float = 0.80,
    sided: int = 1,
    allocation: float = 0.5,
    method: str = "schoenfeld",
    rounding: str = "nearest",
) -> int:
    """Events needed for a log-rank test (see :func:`required_events_exact`), as an integer.

    ``rounding="nearest"`` (default) reproduces the published 359 from HR 20/26 (359.27);
    ``rounding="ceil"`` is the conservative convention (360).
    """
    exact = required_events_exact(hazard_ratio, alpha, power, sided, allocation, method)
    if rounding == "nearest":
        return int(math.floor(exact + 0.5))
    if rounding == "ceil":
        return int(math.ceil(exact - 1e-9))
    raise ValueError(f"rounding must be 'nearest' or 'ceil', not {rounding!r}")


def required_events_alternatives(
    medians: tuple[float, float] = PLANNING_MEDIANS_MONTHS,
    stated_hr: float = PLANNING_HR,
    alpha: float = 0.05,
    power: float = 0.80,
) -> pd.DataFrame:
    """Events by formula and HR source (medians vs stated HR), exact and rounded both ways.

    Columns: method, hr_source, hazard_ratio, events_exact, events_nearest, events_ceil.
    One-sided alpha, 1:1 allocation.
    """
    hrs = {
        f"medians {medians[0]:g} vs {medians[1]:g}": hazard_ratio_from_medians(*medians),
        f"stated HR {stated_hr:g}": stated_hr,
    }
    rows = []
    for method in ("schoenfeld", "freedman"):
        for source, hr in hrs.items():
            exact = required_events_exact(hr, alpha, power, 1, 0.5, method)
            rows.append(
                {
                    "method": method,
                    "hr_source": source,
                    "hazard_ratio": hr,
                    "events_exact": exact,
                    "events_nearest": required_events(hr, alpha, power, 1, 0.5, method, "nearest"),
                    "events_ceil": required_events(hr, alpha, power, 1, 0.5, method, "ceil"),
                }
            )
    return pd.DataFrame(rows)


def dropout_hazard(rate: float, time: float) -> float:
    """Exponential dropout hazard (per month) losing ``rate`` of patients by ``time`` months
    (rpact's ``dropoutRate``/``dropoutTime``): ``-log(1 - rate) / time``."""
    if not 0 <= rate < 1 or time <= 0:
        raise ValueError(f"dropout rate must be in [0, 1) and time > 0, not {rate!r}, {time!r}")
    return -math.log1p(-rate) / time


def _mean_event_probability(hazard: float, dropout: float, min_time: float, width: float) -> float:
    """Mean over follow-up times uniform on [min_time, min_time + width] of
    P(event by t) = h/(h+d) (1 - exp(-(h+d) t)), event hazard h, dropout hazard d."""
    total = hazard + dropout
    if width == 0:
        return hazard / total * -math.expm1(-total * min_time)
    tail = (math.exp(-total * min_time) - math.exp(-total * (min_time + width))) / (total * width)
    return hazard / total * (1 - tail)


def probability_of_event(median: float, accrual: float, follow_up: float,
                         dropout: float = 0.0) -> float:
    """P(event observed by the analysis) under exponential survival with ``median`` (months),
    uniform accrual over ``accrual`` months, ``follow_up`` months after accrual closes and an
    exponential dropout hazard ``dropout`` per month (competing; see :func:`dropout_hazard`).
    Without dropout: ``1 - (exp(-l F) - exp(-l (A + F))) / (l A)``, ``l = log 2 / median``.
    """
    return _mean_event_probability(math.log(2) / median, dropout, follow_up, accrual)


@dataclass(frozen=True)
class SampleSize:
    """Sample size of a two-arm survival trial; times in months, 1:1 allocation."""

    median_control: float
    median_experimental: float
    hazard_ratio: float
    alpha_one_sided: float
    power: float
    events_exact: float
    events: int
    accrual_months: float
    follow_up_months: float
    p_event_control: float
    p_event_experimental: float
    p_event: float
    patients_for_events: int
    dropout: float
    patients: int

    def to_dict(self) -> dict:
        """Plain dict of every field (JSON-serialisable)."""
        return asdict(self)

    def reproduction_values(self) -> dict:
        """The design figures keyed by their dotted path in the published-facts YAML (input of
        ``helpers.report.tables.reproduction_table``)."""
        return {
            "design.assumed_median_os_arm_a_months": self.median_control,
            "design.assumed_median_os_arm_b_months": self.median_experimental,
            "design.assumed_hazard_ratio": self.hazard_ratio,
            "design.required_events": self.events,
            "design.power": self.power,
            "design.alpha_one_sided": self.alpha_one_sided,
            "design.planned_randomised": self.patients,
            "design.accrual_years": self.accrual_months / 12,
            "design.follow_up_years": self.follow_up_months / 12,
        }


def required_patients(
    median_control: float = PLANNING_MEDIANS_MONTHS[0],
    median_experimental: float = PLANNING_MEDIANS_MONTHS[1],
    alpha: float = 0.05,
    power: float = 0.80,
    accrual_months: float = ACCRUAL_MONTHS,
    follow_up_months: float = FOLLOW_UP_MONTHS,
    dropout: float = 0.04,
    events: int | None = None,
) -> SampleSize:
    """Patients needed so the expected number of deaths reaches the required events.

    Events from :func:`required_events` (Schoenfeld, HR = medians ratio, one-sided ``alpha``)
    unless ``events`` is given. Expected deaths assume exponential survival, uniform accrual
    and 1:1 allocation: ``patients_for_events = ceil(events / mean(p_event))``. Then
    ``patients = ceil(patients_for_events / (1 - dropout))``, rounded up to an even number
    (1:1). ``dropout`` (loss to follow-up / ineligibility) is NOT stated in the publications:
    0.04 is the allowance that reproduces the planned 410 (see :func:`implied_dropout`).
    """
    if not 0 <= dropout < 1:
        raise ValueError(f"dropout must be in [0, 1), not {dropout!r}")
    hr = hazard_ratio_from_medians(median_control, median_experimental)
    exact = required_events_exact(hr, alpha, power, 1)
    n_events = required_events(hr, alpha, power, 1) if events is None else int(events)
    p_c = probability_of_event(median_control, accrual_months, follow_up_months)
    p_e = probability_of_event(median_experimental, accrual_months, follow_up_months)
    p_bar = (p_c + p_e) / 2
    n_for_events = math.ceil(n_events / p_bar)
    n = math.ceil(n_for_events / (1 - dropout) - 1e-9)
    n += n % 2
    return SampleSize(
        median_control=median_control,
        median_experimental=median_experimental,
        hazard_ratio=hr,
        alpha_one_sided=alpha,
        power=power,
        events_exact=exact,
        events=n_events,
        accrual_months=accrual_months,
        follow_up_months=follow_up_months,
        p_event_control=p_c,
        p_event_experimental=p_e,
        p_event=p_bar,
        patients_for_events=n_for_events,
        dropout=dropout,
        patients=n,
    )


def implied_dropout(patients_for_events: int, planned_patients: int) -> float:
    """Fraction ``1 - patients_for_events / planned_patients``: the allowance (loss to follow-up,
    ineligibility) that turns the event-driven number into the planned one."""
    return 1 - patients_for_events / planned_patients


def power_for_events(hr, events: float, alpha: float = 0.05, sided: int = 1, allocation: float = 0.5):
    """Power of the log-rank test with ``events`` events if the true HR is ``hr`` (Schoenfeld).

    One-sided (``sided=1``): the test of benefit (HR < 1),
    ``Phi(-sqrt(events p (1-p)) log hr - z_{1-alpha})``, which falls below ``alpha`` for
    HR > 1. Two-sided: ``|log hr|`` in place of ``-log hr`` and ``z_{1-alpha/2}``, the far
    tail ignored. Vectorised over ``hr`` (returns a float for a scalar, else an array).
    """
    hr_arr = np.asarray(hr, dtype=float)
    if np.any(hr_arr <= 0):
        raise ValueError("hazard ratios must be positive")
    log_hr = np.log(hr_arr)
    effect = -log_hr if sided == 1 else np.abs(log_hr)
    drift = np.sqrt(events * allocation * (1 - allocation)) * effect
    out = ndtr(drift - _z_alpha(alpha, sided))
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True)
class SurvivalSampleSize:
    """Unrounded fixed-design sample size of a two-arm survival trial, as R's rpact
    ``getSampleSizeSurvival`` (``eventsFixed``, ``nFixed``, ``nFixed1``, ``nFixed2``).

    Times in months; ``alpha`` is the level of a ``sided`` test; ``allocation_ratio`` =
    experimental / control patients; dropout as an exponential hazard per month in both arms
    (:func:`dropout_hazard` converts rpact's rate by time).
    """

    hazard_ratio: float
    events: float
    patients: float
    patients_experimental: float
    patients_control: float
    p_event_control: float
    p_event_experimental: float
    study_duration: float


def sample_size_survival(
    median_control: float,
    median_experimental: float,
    alpha: float = 0.05,
    power: float = 0.80,
    sided: int = 1,
    accrual_months: float = ACCRUAL_MONTHS,
    follow_up_months: float = FOLLOW_UP_MONTHS,
    allocation_ratio: float = 1.0,
    dropout_per_month: float = 0.0,
    method: str = "schoenfeld",
) -> SurvivalSampleSize:
    """Events and patients (unrounded) for a log-rank test, as rpact's fixed design.

    Exponential survival with the two medians, uniform accrual over ``accrual_months``, the
    analysis ``follow_up_months`` after accrual closes, exponential dropout (competing risk)
    with hazard ``dropout_per_month``. Events by :func:`required_events_exact` (``method``
    "schoenfeld" or "freedman"); patients = events / (allocation-weighted P(event)).
    """
    if allocation_ratio <= 0:
        raise ValueError(f"allocation_ratio must be positive, not {allocation_ratio!r}")
    share = allocation_ratio / (1 + allocation_ratio)
    hr = hazard_ratio_from_medians(median_control, median_experimental)
    events = required_events_exact(hr, alpha, power, sided, share, method)
    p_c = probability_of_event(median_control, accrual_months, follow_up_months, dropout_per_month)
    p_e = probability_of_event(median_experimental, accrual_months, follow_up_months,
                               dropout_per_month)
    patients = events / (share * p_e + (1 - share) * p_c)
    return SurvivalSampleSize(
        hazard_ratio=hr, events=events, patients=patients,
        patients_experimental=patients * share, patients_control=patients * (1 - share),
        p_event_control=p_c, p_event_experimental=p_e,
        study_duration=accrual_months + follow_up_months)


def expected_events(calendar_months: float, patients: float, median_control: float,
                    median_experimental: float, accrual_months: float,
                    allocation_ratio: float = 1.0, dropout_per_month: float = 0.0) -> float:
    """Expected events observed by ``calendar_months`` after the first randomisation:
    ``patients`` accrued uniformly over ``accrual_months``, exponential survival and dropout."""
    share = allocation_ratio / (1 + allocation_ratio)
    accrued = min(calendar_months, accrual_months)
    if accrued <= 0:
        return 0.0
    total = 0.0
    for median, weight in ((median_experimental, share), (median_control, 1 - share)):
        # follow-up times of those accrued are uniform on [t - accrued, t]
        total += weight * _mean_event_probability(math.log(2) / median, dropout_per_month,
                                                  calendar_months - accrued, accrued)
    return patients * accrued / accrual_months * total


def analysis_time_for_events(events: float, patients: float, median_control: float,
                             median_experimental: float, accrual_months: float,
                             allocation_ratio: float = 1.0,
                             dropout_per_month: float = 0.0) -> float:
    """Calendar month (from the first randomisation) at which :func:`expected_events` reaches
    ``events``, as rpact's ``analysisTime``; error when it never does."""
    from scipy.optimize import brentq

    args = (patients, median_control, median_experimental, accrual_months, allocation_ratio,
            dropout_per_month)
    upper = accrual_months + 1.0
    while expected_events(upper, *args) < events:
        upper *= 2
        if upper > 1e6:
            raise ValueError(f"{events} events are never expected among {patients} patients")
    return brentq(lambda t: expected_events(t, *args) - events, 0.0, upper, xtol=1e-12,
                  rtol=1e-14)
