"""The ARD rows of the design chapter (``design.*``, ``simulation.*``; ``docs/ard.md``) and
its typed settings.

``design.sample_size`` (context ``design``, method ``schoenfeld``): the planning medians
(``median``, level A/B), the hazard ratio they imply and the stated one (``hr``, variable
``medians``/``stated``), one-sided ``alpha`` and target ``power``, the exact and rounded
deaths, the probability of death by the analysis per arm and overall (``p``, variable
``event``), the patients for the deaths and planned, the assumed and the implied allowance
for loss to follow-up (``p``, variable ``dropout``/``implied dropout``), accrual and
follow-up (years). ``design.published``: the published deaths and patients. ``design.alternatives``:
deaths by formula and hazard-ratio source (``variable_level``), rounded to the nearest or up
(``group2`` rounding). ``design.power``: the power of the design's hazard ratio with the
design's and with the observed deaths (``variable`` events, level ``design``/``observed``).
``design.OS.cox.primary`` (with the endpoint's PARAMCD): this run's hazard ratio and deaths.
``simulation.oc``: per scenario (``variable_level``) the simulated rejection rate (``power``,
or ``type1`` without an effect) with ``mcse``, Schoenfeld's value (``group2_level`` analytic),
mean hazard ratio, deaths and month of the analysis, ``replicates``. ``simulation.curve``:
the simulated and analytic power per true hazard ratio and the largest distance in
Monte-Carlo SEs. ``simulation.setup``: the subgroup's share and the accrual of the scenarios.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import pandas as pd

from helpers.ard import ArdBuilder
from helpers.ard.survival import add_cox
from helpers.design.sample_size import SampleSize, implied_dropout

from . import design_scenarios as assumed
from .design_scenarios import ScenarioSetup

__all__ = ["SimulationSettings", "design_ard", "simulation_ard"]


@dataclass(frozen=True)
class SimulationSettings:
    """The simulation's run parameters: simulated trials per scenario and per point of the
    power curve, the seed, and a Dask scheduler address (None: local processes)."""

    replicates: int
    curve_replicates: int
    seed: int
    dask_address: str | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> SimulationSettings:
        return cls(int(params["sim_replicates"]), int(params["sim_curve_replicates"]),
                   int(params["sim_seed"]), params["sim_dask_address"])

    def run_options(self) -> dict:
        """Options of ``helpers.design.simulation.runner.simulate``."""
        return ({"backend": "dask", "address": self.dask_address} if self.dask_address
                else {"backend": "local"})


def design_ard(b: ArdBuilder, design: SampleSize, alternatives: pd.DataFrame, *,
               stated_hr: float, published_events: int, planned_patients: int,
               power_design: float, power_observed: float, observed_hr: Any,
               paramcd: str = "OS") -> None:
    """Add the ``design.*`` rows (module docstring); ``power_*``: power at the design's hazard
    ratio with the design's and the observed deaths; ``observed_hr``: the run's ``HazardRatio``."""
    s = b.analysis("design.sample_size", "schoenfeld", "design", output_id="tbl-design")
    s.add("median", design.median_control, "Planning median, arm A (months)", variable="median",
          variable_level="A")
    s.add("median", design.median_experimental, "Planning median, arm B (months)",
          variable="median", variable_level="B")
    s.add("hr", design.hazard_ratio, "Hazard ratio of the planning medians", variable="medians")
    s.add("hr", stated_hr, "Hazard ratio as stated", variable="stated")
    s.add("alpha", design.alpha_one_sided, "One-sided alpha")
    s.add("power", design.power, "Target power", variable="target")
    s.add("events.exact", design.events_exact, "Deaths (exact)")
    s.add("events", design.events, "Deaths (rounded)")
    for level, value in (("A", design.p_event_control), ("B", design.p_event_experimental),
                         ("mean", design.p_event)):
        s.add("p", value, "Probability of death by the analysis", variable="event",
              variable_level=level)
    s.add("patients", design.patients_for_events, "Patients for the deaths", variable="for events")
    s.add("patients", design.patients, "Patients planned", variable="planned")
    s.add("p", design.dropout, "Allowance for loss to follow-up (assumed)", variable="dropout")
    s.add("p", implied_dropout(design.patients_for_events, planned_patients),
          "Allowance implied by the published patients", variable="implied dropout")
    s.add("accrual", design.accrual_months / 12, "Accrual (years)")
    s.add("follow_up", design.follow_up_months / 12, "Follow-up after accrual (years)")
    pub = b.analysis("design.published", "published", "published", output_id="tbl-design")
    pub.add("events", published_events, "Deaths (published)")
    pub.add("patients", planned_patients, "Patients (published)")
    pub.add("hr", stated_hr, "Hazard ratio (published)")
    alt = b.analysis("design.alternatives", "schoenfeld", "design", output_id="tbl-design",
                     variable="formula")
    for r in alternatives.itertuples(index=False):
        a = alt.scoped(variable_level=f"{r.method}, {r.hr_source}")
        a.add("hr", r.hazard_ratio, "Hazard ratio")
        a.add("events.exact", r.events_exact, "Deaths (exact)")
        a.add("events", r.events_nearest, "Deaths (nearest)", group2="rounding",
              group2_level="nearest")
        a.add("events", r.events_ceil, "Deaths (rounded up)", group2="rounding", group2_level="up")
    pw = b.analysis("design.power", "schoenfeld", "design", output_id="fig-power-curve",
                    variable="events")
    pw.add("hr", design.hazard_ratio, "True hazard ratio (the design's)")
    pw.add("power", power_design, "Power with the design's deaths", variable_level="design")
    pw.add("events", observed_hr.events, "Deaths observed", variable_level="observed")
    pw.add("power", power_observed, "Power with the observed deaths", variable_level="observed")
    add_cox(b, f"design.{paramcd}.cox.primary", observed_hr, paramcd=paramcd,
            output_id="fig-power-curve")


def simulation_ard(b: ArdBuilder, oc: pd.DataFrame, curve: pd.DataFrame, setup: ScenarioSetup,
                   settings: SimulationSettings) -> None:
    """Add the ``simulation.*`` rows (module docstring) of ``operating_characteristics``
    (``oc``) and ``simulated_power_curve`` (``curve``) output."""
    a = b.analysis("simulation.oc", "simulation", "simulation", output_id="tbl-simulated-oc",
                   variable="scenario")
    for key, r in oc.iterrows():
        s = a.scoped(variable_level=key)
        rate = "type1" if key == "null" else "power"
        s.add(rate, r["rejection_rate"], "Rejection rate (simulated)", group2="source",
              group2_level="simulated")
        s.add("mcse", r["mc_se"], "Monte-Carlo standard error", group2="source",
              group2_level="simulated")
        s.add(rate, r["analytic"], "Rejection rate (Schoenfeld)", group2="source",
              group2_level="analytic",
              warning="" if pd.notna(r["analytic"]) else "the formula does not apply "
              "(non-proportional hazards)")
        s.add("hr", r["mean_hr"], "Mean Cox hazard ratio")
        s.add("events", r["mean_events"], "Mean deaths")
        s.add("time", r["mean_analysis_month"], "Mean month of the analysis")
        s.add("replicates", settings.replicates, "Simulated trials")
    c = b.analysis("simulation.curve", "simulation", "simulation", output_id="fig-simulated-power",
                   variable="hr")
    for r in curve.itertuples(index=False):
        s = c.scoped(variable_level=r.hazard_ratio)
        s.add("power", r.rejection_rate, "Power (simulated)", group2="source",
              group2_level="simulated")
        s.add("mcse", r.mc_se, "Monte-Carlo standard error", group2="source",
              group2_level="simulated")
        s.add("power", r.analytic, "Power (Schoenfeld)", group2="source", group2_level="analytic")
    c.add("z.max", float(curve["z_vs_analytic"].abs().max()),
          "Largest |simulated - analytic| in Monte-Carlo SEs", variable="")
    c.add("replicates", settings.curve_replicates, "Simulated trials per point", variable="")
    u = b.analysis("simulation.setup", "simulation", "simulation", output_id="tbl-simulated-oc")
    u.add("p", setup.subgroup_share, "Share of patients in the responsive strata",
          variable="subgroup")
    u.add("accrual", setup.accrual_months, "Accrual of the observed-accrual scenario (months)")
    u.add("patients", setup.accrual_patients, "Patients of the observed-accrual scenario")
    # the scenarios' fixed assumptions, so the table's note prints them from rows
    u.add("n", setup.scenarios["planning"].block_size, "Block size of the stratified permuted "
          "blocks", variable="block_size")
    for name, value, label in (
            ("delay", assumed.DELAY_MONTHS, "No difference before (months), delayed effect"),
            ("early", assumed.EARLY_MONTHS, "Early period (months), crossing hazards"),
            ("ramp_up", assumed.RAMP_UP_MONTHS, "Accrual ramp-up (months)"),
            ("lost_by", assumed.LOST_BY_MONTHS, "Lost to follow-up by (months)")):
        u.add("time", value, label, variable=name)
    u.add("hr", assumed.EARLY_HAZARD_RATIO, "Early hazard ratio, crossing hazards",
          variable="early")
    u.add("p", assumed.LOST_SHARE, "Share lost to follow-up", variable="lost")
