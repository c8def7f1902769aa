"""Sensitivity analyses of the primary hazard ratio: the same comparison under other model
choices and populations, the proportional-hazards check, and the RMST difference.

Each analysis is a row of ``helpers.report.tables.hazard_ratio_table`` (label, hr, lower, upper,
conf_level, p, p_label, strata) plus n and events. Times in months. The PH test and RMST tables
are ``helpers.report.tables.sensitivity``.
"""

from __future__ import annotations

import pandas as pd
from scipy.special import ndtr

from helpers.survival.cox import HazardRatio, cox_hazard_ratio
from helpers.survival.ph import PHTest

__all__ = ["adjusted_row", "sensitivity_analyses"]

ARM, EXPERIMENTAL = "ARMCD", "B"


def adjusted_row(frame: pd.DataFrame, label: str, covariates: list[str], ties: str = "efron",
                 conf_level: float = 0.90) -> tuple[dict, HazardRatio]:
    """Unstratified Cox model of the arm adjusted for ``covariates`` (ECOG etc. as categories):
    the hazard ratio row with the one-sided Wald p (resection better), and the fit. The row's
    ``note`` says why the HR is not estimable and which covariates were dropped (constant or
    collinear), or is ""."""
    d = frame.copy()
    for column in covariates:  # few-valued integer codes (ECOG 0/1) are categories
        if pd.api.types.is_integer_dtype(d[column]) and d[column].nunique() <= 5:
            d[column] = d[column].astype(str)
    hr = cox_hazard_ratio(d, "time", "event", ARM, EXPERIMENTAL, covariates=covariates,
                          ties=ties, conf_level=conf_level)
    p_one = float(ndtr(hr.coef / hr.se))  # H1: log HR < 0
    return {"label": label, "hr": hr.hr, "lower": hr.lower, "upper": hr.upper,
            "conf_level": conf_level, "p": p_one, "p_label": "one-sided Wald", "strata": None,
            "n": hr.n, "events": hr.events,
            "note": "; ".join(filter(None, [hr.note, *hr.dropped]))}, hr


def _hr_row(analysis, label: str) -> dict:
    hr = analysis.hazard_ratio
    return {**analysis.hazard_ratio_row(label), "n": hr.n, "events": hr.events}


def sensitivity_analyses(frame: pd.DataFrame, per_protocol_frame: pd.DataFrame | None,
                         params: dict, covariates: list[str],
                         per_protocol: str | None = None) -> tuple[dict[str, dict], dict[str, PHTest]]:
    """The primary hazard ratio (``analyse_endpoint`` with the run's primary settings) and
    the same comparison unstratified, adjusted for ``covariates`` (ADSL columns; numeric ones
    continuous, few-valued integer codes and text categorical), with the other ties method and
    in the per-protocol population (``per_protocol_frame`` of the ADSL flag ``per_protocol``;
    None: no such row), as rows of ``hazard_ratio_table`` with n and events; and the
    proportional-hazards tests (Kaplan-Meier time scale) of the primary and the adjusted model
    (no adjusted row or test without covariates)."""
    from helpers.analyses.endpoint import analyse_endpoint, endpoint_settings
    from helpers.survival.ph import schoenfeld_test

    settings = {**endpoint_settings(params, primary=True), "paramcd": params["endpoint"]}
    ties = params["ties"]
    other_ties = "breslow" if ties == "efron" else "efron"
    primary = analyse_endpoint(frame, **settings)
    rows = {
        "primary": _hr_row(primary, f"Stratified Cox, {ties.capitalize()} ties (primary)"),
        "unstratified": _hr_row(analyse_endpoint(frame, **{**settings, "strata": []}),
                                "Unstratified Cox"),
    }
    ph = {"Primary (stratified)": schoenfeld_test(primary.hazard_ratio, transform="km")}
    if covariates:
        rows["adjusted"], adjusted_fit = adjusted_row(
            frame, "Covariate-adjusted Cox (unstratified)", list(covariates), ties=ties,
            conf_level=params["primary_conf_level"])
        ph["Covariate-adjusted"] = schoenfeld_test(adjusted_fit, transform="km")
    rows[other_ties] = _hr_row(analyse_endpoint(frame, **{**settings, "ties": other_ties}),
                               f"Stratified Cox, {other_ties.capitalize()} ties")
    if per_protocol_frame is not None:
        rows["per_protocol"] = _hr_row(analyse_endpoint(per_protocol_frame, **{
            **settings, "population": per_protocol}), "Per-protocol population")
    return rows, ph
