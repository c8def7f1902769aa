"""Sensitivity analyses of the primary hazard ratio: the same comparison under other model
choices and populations, the proportional-hazards check, and the RMST difference.

Settings in: ``SensitivitySettings`` (frozen, built once from the run's parameters and the
study configuration). Results out: ``SensitivityResults`` (numbers only) and its ARD rows
(``sensitivity_ard``, ids of ``docs/ard.md``); the chapter's tables and sentences are
``helpers.report.sensitivity``, built from those rows. Times in the study's display unit
(months); hazard ratio CIs at ``primary_conf_level``, RMST CIs at ``conf_level``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from scipy.special import ndtr

from helpers.ard import ArdBuilder
from helpers.ard.survival import add_cox, add_logrank, add_rmst, cox_method_id
from helpers.survival import rmst_difference
from helpers.survival.cox import HazardRatio, cox_hazard_ratio
from helpers.survival.ph import PHTest
from helpers.survival.results import to_jsonable
from helpers.survival.rmst import RMSTDifference

__all__ = ["SensitivityResults", "SensitivitySettings", "adjusted_row", "sensitivity_analyses",
           "sensitivity_ard"]

ARM, CONTROL, EXPERIMENTAL = "ARMCD", "A", "B"
#: Result key -> the ``{P}.cox.*`` analysis id (docs/ard.md); "primary" is chapter 7's
#: refit of the primary model (``{P}.cox.primary`` belongs to chapter 3).
ANALYSIS_IDS = {"primary": "cox.reference", "unstratified": "cox.unstratified",
                "adjusted": "cox.adjusted", "breslow": "cox.breslow", "efron": "cox.efron",
                "per_protocol": "cox.per_protocol"}


@dataclass(frozen=True)
class SensitivitySettings:
    """What chapter 7 analyses and how. ``landmarks`` and ``rmst_horizon`` in the display
    unit; ``rmst_horizon_given`` says whether the horizon was set (else the last landmark);
    ``covariates``: the study's adjustment covariates present in the data (``absent``: those
    missing); ``per_protocol``: the ADSL flag of the per-protocol set, or None."""

    endpoint: str
    population: str
    strata: tuple[str, ...]
    primary_conf_level: float
    conf_level: float
    sided: str
    ties: str
    km_conf_type: str
    landmarks: tuple[float, ...]
    rmst_horizon: float
    rmst_horizon_given: bool
    covariates: tuple[str, ...]
    absent: tuple[str, ...]
    per_protocol: str | None
    time_unit: str = "months"

    @classmethod
    def from_params(cls, params: Mapping[str, Any], *, covariates: tuple | list = (),
                    columns: tuple | list | pd.Index = (), per_protocol: str | None = None,
                    time_unit: str = "months") -> SensitivitySettings:
        """From validated run parameters (``helpers.config.params.validate``), the study's
        adjustment ``covariates`` and the analysis frame's ``columns``."""
        present = tuple(c for c in covariates if c in set(columns))
        landmarks = tuple(float(t) for t in params["landmarks"])
        horizon = params.get("rmst_horizon")
        return cls(endpoint=params["endpoint"], population=params["population"],
                   strata=tuple(params["strata"]),
                   primary_conf_level=float(params["primary_conf_level"]),
                   conf_level=float(params["conf_level"]), sided=params["sided"],
                   ties=params["ties"], km_conf_type=params["km_conf_type"], landmarks=landmarks,
                   rmst_horizon=float(horizon or max(landmarks)), rmst_horizon_given=bool(horizon),
                   covariates=present, absent=tuple(c for c in covariates if c not in present),
                   per_protocol=per_protocol, time_unit=time_unit)

    @property
    def other_ties(self) -> str:
        return "breslow" if self.ties == "efron" else "efron"

    def endpoint_kwargs(self) -> dict[str, Any]:
        """Keyword arguments of ``analyse_endpoint`` for the primary model."""
        return {"paramcd": self.endpoint, "population": self.population,
                "strata": list(self.strata), "hr_conf_level": self.primary_conf_level,
                "km_conf_level": self.conf_level, "km_conf_type": self.km_conf_type,
                "ties": self.ties, "sided": self.sided, "landmarks_months": list(self.landmarks),
                "time_unit": self.time_unit}


@dataclass(frozen=True, eq=False)
class SensitivityResults:
    """``rows``: key ("primary", "unstratified", "adjusted", other ties, "per_protocol") ->
    hazard ratio row (label, hr, lower, upper, conf_level, p, p_label, strata, n, events,
    note) as the results JSON keeps it; ``fits``: key -> ``HazardRatio``; ``logrank``: key ->
    ``LogRankResult`` of the rows whose p is a log-rank p; ``ph``: model -> ``PHTest``;
    ``rmst``: the RMST difference."""

    settings: SensitivitySettings
    rows: dict
    fits: dict = field(repr=False)
    logrank: dict = field(repr=False)
    ph: dict = field(repr=False)
    rmst: RMSTDifference = field(repr=False)

    def to_dict(self) -> dict:
        """The results JSON of chapter 7."""
        s = self.settings
        return to_jsonable({
            **self.rows, "adjusted_covariates": list(s.covariates),
            "per_protocol_population": s.per_protocol,
            "ph_test": {"primary": self.ph["Primary (stratified)"],
                        "adjusted": self.ph.get("Covariate-adjusted"), "transform": "km"},
            "rmst": self.rmst})


def adjusted_row(frame: pd.DataFrame, label: str, covariates: list[str], ties: str = "efron",
                 conf_level: float = 0.90) -> tuple[dict, HazardRatio]:
    """Unstratified Cox model of the arm adjusted for ``covariates`` (ECOG etc. as categories):
    the hazard ratio row with the one-sided Wald p (arm B better), and the fit. The row's
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
                         settings: SensitivitySettings) -> SensitivityResults:
    """The primary hazard ratio (``analyse_endpoint`` with the primary settings) and the same
    comparison unstratified, adjusted for ``settings.covariates`` (numeric ones continuous,
    few-valued integer codes and text categorical), with the other ties method and in the
    per-protocol population (``per_protocol_frame``; None: no such row); the
    proportional-hazards tests (Kaplan-Meier time scale) of the primary and the adjusted model
    (no adjusted row or test without covariates); the RMST difference up to the horizon."""
    from helpers.analyses.endpoint import analyse_endpoint
    from helpers.survival.ph import schoenfeld_test

    s = settings
    kwargs = s.endpoint_kwargs()
    primary = analyse_endpoint(frame, **kwargs)
    unstratified = analyse_endpoint(frame, **{**kwargs, "strata": []})
    rows = {"primary": _hr_row(primary, f"Stratified Cox, {s.ties.capitalize()} ties (primary)"),
            "unstratified": _hr_row(unstratified, "Unstratified Cox")}
    fits = {"primary": primary.hazard_ratio, "unstratified": unstratified.hazard_ratio}
    logrank = {"primary": primary.logrank, "unstratified": unstratified.logrank}
    ph = {"Primary (stratified)": schoenfeld_test(primary.hazard_ratio, transform="km")}
    if s.covariates:
        rows["adjusted"], fits["adjusted"] = adjusted_row(
            frame, "Covariate-adjusted Cox (unstratified)", list(s.covariates), ties=s.ties,
            conf_level=s.primary_conf_level)
        ph["Covariate-adjusted"] = schoenfeld_test(fits["adjusted"], transform="km")
    other = analyse_endpoint(frame, **{**kwargs, "ties": s.other_ties})
    rows[s.other_ties] = _hr_row(other, f"Stratified Cox, {s.other_ties.capitalize()} ties")
    fits[s.other_ties] = other.hazard_ratio
    logrank[s.other_ties] = other.logrank
    if per_protocol_frame is not None:
        pp = analyse_endpoint(per_protocol_frame, **{**kwargs, "population": s.per_protocol})
        rows["per_protocol"] = _hr_row(pp, "Per-protocol population")
        fits["per_protocol"] = pp.hazard_ratio
        logrank["per_protocol"] = pp.logrank
    rmst = rmst_difference(frame, "time", "event", ARM, tau=s.rmst_horizon,
                           experimental=EXPERIMENTAL, conf_level=s.conf_level)
    return SensitivityResults(settings=s, rows=rows, fits=fits, logrank=logrank, ph=ph, rmst=rmst)


def sensitivity_ard(b: ArdBuilder, res: SensitivityResults) -> None:
    """Add chapter 7's rows to ``b`` (docs/ard.md): per model ``{P}.cox.<model>`` (the
    hazard ratio; the adjusted model also ``p.value.one.sided``, its one-sided Wald p) and
    ``{P}.logrank.<model>`` (the log-rank test of the stratified and unstratified models and
    of the per-protocol set; the other-ties model shares the primary model's); per PH test
    ``{P}.ph.reference`` / ``{P}.ph.adjusted`` (``variable`` the term or ``GLOBAL``:
    ``statistic``, ``df``, ``p.value``); ``{P}.rmst``."""
    s = res.settings
    p = s.endpoint
    for key, hr in res.fits.items():
        aid = f"{p}.{ANALYSIS_IDS[key]}"
        population = s.per_protocol if key == "per_protocol" else None
        add_cox(b, aid, hr, paramcd=p, output_id="tbl-sensitivity", population=population)
        if key == "adjusted":
            row = res.rows["adjusted"]
            b.analysis(aid, cox_method_id(hr.strata, hr.ties), "coxph", paramcd=p,
                       output_id="tbl-sensitivity", group1=ARM, group1_level="B vs A",
                       variable=ARM).add("p.value.one.sided", row["p"],
                                         "p-value (Wald, one-sided)",
                                         warning="" if hr.estimable else (hr.note or ""))
    for key, lr in res.logrank.items():
        if key == s.other_ties:
            continue  # the log-rank test does not depend on the ties method: the primary's
        b_id = f"{p}.logrank.{'reference' if key == 'primary' else key}"
        add_logrank(b, b_id, lr, arm=ARM, control=CONTROL, paramcd=p, output_id="tbl-sensitivity",
                    population=s.per_protocol if key == "per_protocol" else None)
    for model, test in res.ph.items():
        aid = f"{p}.ph.{'reference' if model.startswith('Primary') else 'adjusted'}"
        a = b.analysis(aid, f"cox_zph_{test.transform}", "cox.zph", paramcd=p,
                       output_id="tbl-ph-test")
        why = test.note
        for term, chisq, df, pv in zip(test.terms, test.chisq, test.df, test.p):
            t = a.scoped(variable=term)
            t.add("statistic", chisq, "Chi-square", warning=why)
            t.add("df", df, "Degrees of freedom", warning=why)
            t.add("p.value", pv, "p-value", warning=why)
        if len(test.terms) > 1:
            g = a.scoped(variable="GLOBAL")
            g.add("statistic", test.global_chisq, "Chi-square", warning=why)
            g.add("df", test.global_df, "Degrees of freedom", warning=why)
            g.add("p.value", test.global_p, "p-value", warning=why)
    add_rmst(b, f"{p}.rmst", res.rmst, arm=ARM, paramcd=p, output_id="tbl-rmst")
