"""The scenarios of the design review: the planning assumptions and what the
Schoenfeld formula cannot answer (effect confined to subgroups, delayed effect, crossing
hazards, the observed accrual with loss to follow-up, a calendar-time analysis).

The assumptions beyond the published ones are arguments whose defaults are the constants
below (not published; chosen for the review and stated in the supplement).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from helpers.config.study.config import DAYS_PER_UNIT

from helpers.design.sample_size import dropout_hazard

from helpers.design.simulation.scenario import (Accrual, Scenario, crossing_hazards, delayed_effect,
                                                proportional_hazards, subgroup_effect)

#: no benefit for the first months (patients recover from surgery), then the planning HR
DELAY_MONTHS = 6.0
#: operative risk first: this HR for the first months, then the planning HR
EARLY_MONTHS = 3.0
EARLY_HAZARD_RATIO = 1.5
#: accrual rate rising linearly to its plateau over the first months
RAMP_UP_MONTHS = 12.0
#: share lost to follow-up (exponential) by LOST_BY_MONTHS
LOST_SHARE = 0.04
LOST_BY_MONTHS = 60.0


def strata_shares(frame: pd.DataFrame, strata: Sequence[str]) -> pd.Series:
    """Share of patients in each stratum (labels ``"ER=Positive, HER2=Negative, ..."``),
    sorted by label; a single stratum "all patients" when ``strata`` is empty."""
    if not strata:
        return pd.Series({"all patients": 1.0})
    missing = [c for c in strata if c not in frame.columns]
    if missing:
        raise ValueError(f"strata columns {missing} are not in the analysis frame")
    labels = frame[list(strata)].astype(str).apply(
        lambda row: ", ".join(f"{c}={v}" for c, v in row.items()), axis=1)
    return labels.value_counts(normalize=True).sort_index()


def design_scenarios(
    shares: pd.Series,
    median_control: float,
    hazard_ratio: float,
    n_patients: int,
    target_events: int,
    accrual_months: float,
    follow_up_months: float,
    responsive: Sequence[bool],
    observed_patients: int,
    observed_accrual_months: float,
    delay_months: float = DELAY_MONTHS,
    early_months: float = EARLY_MONTHS,
    early_hazard_ratio: float = EARLY_HAZARD_RATIO,
    ramp_up_months: float = RAMP_UP_MONTHS,
    lost_share: float = LOST_SHARE,
    lost_by_months: float = LOST_BY_MONTHS,
) -> dict[str, Scenario]:
    """Scenarios by key: ``planning`` (proportional hazards ``hazard_ratio``, uniform
    accrual, analysis at ``target_events``), ``null`` (no effect), ``calendar`` (analysis at
    the planned calendar time instead), ``observed_accrual`` (``observed_patients`` over
    ``observed_accrual_months`` with a ramp-up, ``lost_share`` lost by ``lost_by_months``),
    ``subgroup`` (the effect only in the ``responsive`` strata), ``delayed`` and
    ``crossing``. Strata ``shares`` from :func:`strata_shares`; times in months."""
    strata = tuple(shares.index)
    planning = proportional_hazards(
        "Planning assumptions", median_control, hazard_ratio, n_patients,
        Accrual(accrual_months), tuple(shares), target_events=target_events, strata=strata)
    lost = dropout_hazard(lost_share, lost_by_months)
    return {
        "planning": planning,
        "null": proportional_hazards("No effect (HR 1)", median_control, 1.0, n_patients,
                             Accrual(accrual_months), tuple(shares),
                             target_events=target_events, strata=strata),
        "calendar": planning.replace(name="Analysis at the planned calendar time", target_events=None,
                         calendar_cut=accrual_months + follow_up_months),
        "observed_accrual": planning.replace(name="Observed accrual, loss to follow-up", n_patients=observed_patients,
                         accrual=Accrual(observed_accrual_months, ramp_up_months),
                         dropout_per_month=(lost, lost)),
        "subgroup": subgroup_effect(planning, responsive, hazard_ratio, "Effect in subgroups only"),
        "delayed": delayed_effect(planning, delay_months, hazard_ratio, "Delayed effect"),
        "crossing": crossing_hazards(planning, early_months, early_hazard_ratio,
                                     hazard_ratio, "Crossing hazards"),
    }


@dataclass(frozen=True)
class ScenarioSetup:
    """What the design review's scenarios are built from: the strata ``shares``, which strata
    respond in the subgroup scenario (the first stratification factor's most frequent level),
    the observed accrual (months from first to last randomisation, else the planned accrual)
    and the patients it accrues (the randomised patients, unless fewer than the deaths the
    analysis waits for: then the design's), each with where it comes from."""

    shares: pd.Series
    responsive: tuple[bool, ...]
    subgroup_share: float
    subgroup_label: str
    accrual_months: float
    accrual_source: str
    accrual_patients: int
    patients_source: str
    scenarios: dict


def scenario_setup(frame: pd.DataFrame, strata: Sequence[str], design,
                   randomisation_date: str = "RANDDT") -> ScenarioSetup:
    """The :class:`ScenarioSetup` of ``frame`` (one row per randomised patient; the optional
    ``randomisation_date`` column gives the observed accrual) for the sample size ``design``
    (``helpers.design.sample_size.SampleSize``, months)."""
    shares = strata_shares(frame, strata)
    first = strata[0] if strata else None
    level = frame[first].astype(str).mode()[0] if first else None
    responsive = tuple(first is None or f"{first}={level}" in label.split(", ")
                       for label in shares.index)
    dates = pd.to_datetime(frame.get(randomisation_date), errors="coerce")
    has_dates = dates is not None and dates.notna().all()
    accrual = ((dates.max() - dates.min()).days / DAYS_PER_UNIT["months"] if has_dates
               else design.accrual_months)
    enough = len(frame) >= design.events
    patients = len(frame) if enough else design.patients
    scenarios = design_scenarios(shares, design.median_control, design.hazard_ratio,
                                 design.patients, design.events, design.accrual_months,
                                 design.follow_up_months, list(responsive), patients, accrual)
    return ScenarioSetup(
        shares=shares, responsive=responsive, subgroup_share=float(shares[list(responsive)].sum()),
        subgroup_label=f"{first}={level}" if first else "all (no strata)",
        accrual_months=accrual,
        accrual_source=("first to last randomisation in the data" if has_dates
                        else "planned; the data have no randomisation dates"),
        accrual_patients=patients,
        patients_source=("randomised in the data" if enough else
                         f"planned: the data have {len(frame)} randomised patients, fewer than "
                         f"the {design.events} deaths the analysis waits for"),
        scenarios=scenarios)
