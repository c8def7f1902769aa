"""The values this run computes for the published figures of the study, keyed by their dotted
path in the study's file of published figures (``study.reference``) (input of
``helpers.report.tables.reproduction_table``).

Each published figure comes from one standard analysis: overall survival (the primary
analysis: stratified Cox with the ``primary_conf_level`` CI, ``sided`` log-rank p),
local relapse-free survival (``conf_level`` CI, two-sided), the CONSORT counts, the
treatment-related deaths and the sample size recomputed from the published planning
assumptions. :func:`endpoint_settings` gives the ``analyse_endpoint`` arguments from the run
parameters, so that every notebook analysing OS gets the same numbers.

Tolerances (:data:`TOLERANCES`): how far a computed value may lie from the published one.
For figures computed from patient data they are the acceptance limits of the synthetic data's
calibration (``data/README.md``); design figures must agree to the rounding of the published
figure; figures without a stated tolerance (CI bounds, p-value) are shown, not judged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers.design.sample_size import SampleSize, required_patients
from helpers.analyses.endpoint import EndpointAnalysis, analyse_endpoint, endpoint_settings
from helpers.config.reference import published_value

__all__ = [
    "DROPOUT", "KEY_RESULTS", "OS", "LRFS", "TOLERANCES", "computed_values", "design_assumptions",
    "endpoint_settings", "key_results_table", "planned_sample_size", "reproduction_values",
    "with_tolerances",
]

OS, LRFS = "OS", "LRFS"

#: Loss-to-follow-up / ineligibility allowance of the sample size. NOT stated in the
#: publications: the allowance that turns the event-driven 393 patients into the planned 410.
DROPOUT = 0.04

#: Allowed |computed - published| per published figure (see the module docstring).
TOLERANCES: dict[str, float] = {
    "population.registered": 0,
    "population.randomised": 0,
    "population.randomised_arm_a": 0,
    "population.randomised_arm_b": 0,
    "population.not_randomised": 0,
    "design.assumed_median_os_arm_a_months": 0,
    "design.assumed_median_os_arm_b_months": 0,
    "design.assumed_hazard_ratio": 0.005,  # published to 2 decimals
    "design.required_events": 0,
    "design.power": 0,
    "design.alpha_one_sided": 0,
    "design.planned_randomised": 0,
    "design.accrual_years": 0,
    "design.follow_up_years": 0,
    "results.median_follow_up_months": 3,
    "results.os.deaths": 10,
    "results.os.hazard_ratio": 0.03,
    "results.os.hazard_ratio_rounded": 0.03,
    "results.os.median_arm_a_months": 4,
    "results.os.median_arm_b_months": 4,
    "results.lrfs.hazard_ratio": 0.03,
    "results.lrfs.hazard_ratio_rounded": 0.03,
    "results.lrfs.median_arm_a_months": 3,
    "results.lrfs.median_arm_b_months": 5,
    "results.safety.treatment_related_deaths": 0,
}

#: The figures of the key-results summary: YAML path -> label ("{A}", "{B}": the arms as the
#: study names them, filled in by the report).
KEY_RESULTS: dict[str, str] = {
    "results.os.deaths": "Deaths",
    "results.os.hazard_ratio": "OS hazard ratio",
    "results.os.p_one_sided": "OS log-rank p (one-sided)",
    "results.os.median_arm_a_months": "Median OS, {A} (months)",
    "results.os.median_arm_b_months": "Median OS, {B} (months)",
    "results.lrfs.hazard_ratio": "LRFS hazard ratio",
    "results.median_follow_up_months": "Median follow-up (months)",
    "design.required_events": "Required events (design)",
    "design.planned_randomised": "Planned patients (design)",
}


def design_assumptions(figures: dict | None = None) -> dict[str, float]:
    """The planning assumptions of the published design section (``figures``: the study's
    published figures; None: the default study's), in the units of
    :func:`helpers.design.sample_size.required_patients` (months)."""
    def value(path: str) -> float:
        return float(published_value(path, figures))

    return {
        "median_control": value("design.assumed_median_os_arm_a_months"),
        "median_experimental": value("design.assumed_median_os_arm_b_months"),
        "alpha": value("design.alpha_one_sided"),
        "power": value("design.power"),
        "accrual_months": 12 * value("design.accrual_years"),
        "follow_up_months": 12 * value("design.follow_up_years"),
    }


def planned_sample_size(dropout: float = DROPOUT, figures: dict | None = None) -> SampleSize:
    """The sample size recomputed from the published planning assumptions (``figures``: the
    study's published figures), with the (unpublished) ``dropout`` allowance."""
    return required_patients(**design_assumptions(figures), dropout=dropout)


def reproduction_values(os_: EndpointAnalysis, lrfs: EndpointAnalysis, counts: Mapping[str, Any],
                        design: SampleSize, treatment_related_deaths: int) -> dict[str, float]:
    """Computed value of every (non-uncertain) published figure, keyed by its YAML path.

    ``os_``: the primary OS analysis; ``lrfs``: the LRFS analysis (95% CI); ``counts``:
    ``helpers.analyses.populations.consort_counts(adsl)``; ``design``: :func:`planned_sample_size`.
    The median follow-up is the simple median of the observed OS times (as published).
    """
    arms = counts["arms"]
    out: dict[str, float] = {
        "population.registered": counts["registered"],
        "population.randomised": counts["randomised"],
        "population.randomised_arm_a": arms["A"]["randomised"] if "A" in arms else 0,
        "population.randomised_arm_b": arms["B"]["randomised"] if "B" in arms else 0,
        "population.not_randomised": counts["not_randomised"],
        **design.reproduction_values(),
        "results.median_follow_up_months": os_.follow_up.simple_median,
        "results.os.deaths": os_.hazard_ratio.events,
        "results.os.p_one_sided": os_.logrank.p_one_sided,
        "results.safety.treatment_related_deaths": treatment_related_deaths,
    }
    for name, analysis in (("os", os_), ("lrfs", lrfs)):
        hr = analysis.hazard_ratio
        medians = analysis.medians.set_index("group")["median"]
        for key in ("hazard_ratio", "hazard_ratio_rounded"):
            out[f"results.{name}.{key}"] = hr.hr
            out[f"results.{name}.{key}.ci_lower"] = hr.lower
            out[f"results.{name}.{key}.ci_upper"] = hr.upper
        out[f"results.{name}.median_arm_a_months"] = medians.get("A", np.nan)
        out[f"results.{name}.median_arm_b_months"] = medians.get("B", np.nan)
    return {key: float(value) for key, value in out.items()}


def computed_values(data, params: Mapping[str, Any]) -> dict[str, float]:
    """:func:`reproduction_values` of ``data`` (a ``TrialData``) under the run ``params``."""
    from helpers.data.trial_data import analysis_frame
    from helpers.analyses.populations import consort_counts
    from helpers.analyses.safety import treatment_related_deaths

    population = params["population"]
    os_ = analyse_endpoint(analysis_frame(data, OS, population), paramcd=OS,
                           **endpoint_settings(params, primary=True))
    lrfs = analyse_endpoint(analysis_frame(data, LRFS, population), paramcd=LRFS,
                            **endpoint_settings(params, primary=False))
    return reproduction_values(os_, lrfs, consort_counts(data.adsl), planned_sample_size(),
                               treatment_related_deaths(data.adae))


def with_tolerances(table: pd.DataFrame, tolerances: Mapping[str, float] | None = None) -> pd.DataFrame:
    """``reproduction_table`` output plus ``tolerance`` (NaN: none stated) and ``within``
    (True/False; None without tolerance or computed value)."""
    tolerances = TOLERANCES if tolerances is None else tolerances
    out = table.copy()
    out["tolerance"] = [float(tolerances.get(path, np.nan)) for path in out["figure"]]
    within = []
    for diff, tol in zip(out["difference"], out["tolerance"]):
        if math.isnan(tol) or math.isnan(diff):
            within.append(None)
        else:
            within.append(bool(abs(diff) <= tol + 1e-9))
    out["within"] = pd.Series(within, index=out.index, dtype=object)
    return out


def key_results_table(table: pd.DataFrame, keys: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The key figures of a :func:`with_tolerances` table: label, published, this run,
    difference, within tolerance ("yes"/"no"/"-")."""
    keys = KEY_RESULTS if keys is None else keys
    rows = table.set_index("figure").loc[list(keys)]
    within = rows["within"].map({True: "yes", False: "no"}).fillna("–") if "within" in rows else "–"
    return pd.DataFrame({
        "Figure": list(keys.values()),
        "Published": rows["published"].to_numpy(),
        "This run": rows["computed"].to_numpy(),
        "Difference": rows["difference"].to_numpy(),
        "Within tolerance": np.asarray(within),
    })
