"""The analytic counterpart of a simulated scenario: Schoenfeld's power where it applies.

Applies under proportional hazards with one hazard ratio in every stratum and exponential
hazards (one-piece :class:`~.hazards.PiecewiseExponential`): with the analysis at
``target_events`` the power at those events; with a calendar cut, at the events expected by
then (uniform accrual only). Elsewhere (non-proportional hazards, Weibull, ramp-up with a
calendar cut) there is no formula to compare with and the value is NaN.
"""

from __future__ import annotations

import math

from helpers.design.sample_size import expected_events, power_for_events

from .hazards import PiecewiseExponential
from .scenario import Scenario
from .trial import Analysis


def common_hazard_ratio(scenario: Scenario) -> float:
    """The hazard ratio experimental / control when it is the same constant in every stratum
    and both arms are exponential; NaN otherwise."""
    ratios = set()
    for control, experimental in zip(*scenario.hazards):
        if not all(isinstance(m, PiecewiseExponential) and len(m.rates) == 1
                   for m in (control, experimental)) or control.rates[0] == 0:
            return math.nan
        ratios.add(round(experimental.rates[0] / control.rates[0], 12))
    return ratios.pop() if len(ratios) == 1 else math.nan


def scenario_expected_events(scenario: Scenario) -> float:
    """Events expected at the analysis: ``target_events``, or at a calendar cut the sum over
    strata of :func:`helpers.design.sample_size.expected_events` (uniform accrual, equal dropout in both
    arms; NaN otherwise)."""
    if scenario.target_events is not None:
        return float(scenario.target_events)
    hr = common_hazard_ratio(scenario)
    drop_c, drop_e = scenario.dropout_per_month
    if math.isnan(hr) or scenario.accrual.ramp_up > 0 or drop_c != drop_e:
        return math.nan
    ratio = scenario.allocation / (1 - scenario.allocation)
    total = 0.0
    for share, control in zip(scenario.strata_shares, scenario.hazards[0]):
        median = math.log(2) / control.rates[0]
        total += expected_events(scenario.calendar_cut, scenario.n_patients * share, median,
                                 median / hr, scenario.accrual.duration, ratio, drop_c)
    return total


def analytic_power(scenario: Scenario, analysis: Analysis) -> float:
    """Schoenfeld's power of the log-rank test for ``scenario`` (NaN where it does not apply):
    ``alpha`` itself when the hazard ratio is 1."""
    hr = common_hazard_ratio(scenario)
    events = scenario_expected_events(scenario)
    if math.isnan(hr) or math.isnan(events):
        return math.nan
    if hr == 1:
        return analysis.alpha
    return float(power_for_events(hr, events, analysis.alpha, analysis.sided,
                                  scenario.allocation))
