"""Time-to-event summary (TTET01-like) and multivariable Cox model (COXT02-like) of one endpoint
as ARD rows (``docs/ard.md``: ``{P}.ttet01.*``, ``{P}.coxt02``); numbers only, the tables are
``helpers.report.standard_outputs``.

Per endpoint ``{P}`` of the analysis frame (``helpers.data.trial_data.analysis_frame``):

- ``{P}.ttet01.events``: patients with an event, by first event type (ADTTE.EVNTDESC),
  censored, by censoring code and reason (CNSR, CNSDTDSC) (``helpers.analyses.disposition``);
- ``{P}.ttet01.quantiles``: the 25%, 50% and 75% quantiles of the time with their CIs (R's
  ``quantile(survfit)``, Brookmeyer-Crowley, at ``km_conf_level`` with ``km_conf_type``) and
  the range (``min``, ``max`` of the observed times);
- ``{P}.ttet01.cox.{stratified|unstratified}.{level}``: the arm's hazard ratio with its Wald CI
  at each CI level of the run (primary and secondary), stratified by the run's strata and
  unstratified; ``{P}.ttet01.logrank.{stratified|unstratified}``;
- ``{P}.ttet01.landmarks``: the Kaplan-Meier rate per arm at each landmark with its CI, and
  the difference B - A with the Greenwood variance of the difference (tern's
  ``s_surv_timepoint_diff``: ``helpers.survival.landmark.landmark_difference``), Wald CI, p.
- ``{P}.coxt02``: every covariate's hazard ratio of the arm + covariates Cox model (R
  ``coxph``, ``helpers.survival.multivariable.cox_terms``): the model of chapter 7's
  covariate-adjusted sensitivity analysis (unstratified; few-valued integer codes as
  categories), first configured level the reference, CI at ``conf_level``.
"""

from __future__ import annotations

import math

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.ard import ArdBuilder
from helpers.ard.survival import add_cox, add_logrank, km_method_id
from helpers.survival import km_by_group, logrank_test
from helpers.survival.cox import cox_hazard_ratio
from helpers.survival.frame import survival_frame
from helpers.survival.landmark import landmark_difference
from helpers.survival.multivariable import cox_terms
from helpers.survival.quantiles import km_quantiles

from .disposition import censoring_ard

__all__ = ["coxt02_ard", "coxt02_covariates", "ttet01_ard"]

ARM = "ARMCD"
QUANTILES = (0.25, 0.5, 0.75)


def _level_id(level: float) -> str:
    return f"{100 * level:g}"


def ttet01_ard(b: ArdBuilder, frame: pd.DataFrame, adtte: pd.DataFrame, paramcd: str, *,
               strata: Iterable[str], conf_levels: Iterable[float], km_conf_level: float,
               km_conf_type: str, ties: str, landmarks: Iterable[float],
               output_id: str = "tbl-ttet01") -> None:
    """The rows of one endpoint's time-to-event summary (module doc)."""
    p = paramcd
    strata = list(strata)
    censoring_ard(b, f"{p}.ttet01.events", frame, adtte, paramcd, output_id=output_id)
    complete = frame.dropna(subset=["time", "event", ARM])
    km = km_by_group(complete, "time", "event", ARM, km_conf_level, km_conf_type)
    a = b.analysis(f"{p}.ttet01.quantiles", km_method_id(km_conf_type), "survfit",
                   paramcd=paramcd, output_id=output_id, conf_level=km_conf_level, group1=ARM)
    for code, fit in km.items():
        g = a.scoped(group1_level=code)
        for row in km_quantiles(fit, QUANTILES).itertuples():
            q = g.scoped(variable="prob", variable_level=row.prob)
            q.add("estimate", row.estimate, "Quantile", warning=row.note)
            for name, value in (("conf.low", row.lower), ("conf.high", row.upper)):
                q.add(name, value, f"Quantile, CI {name[5:]} limit",
                      warning="" if pd.notna(value) else "not reached")
        times = complete.loc[complete[ARM] == code, "time"]
        r = g.scoped(variable="time", conf_level=math.nan)
        r.add("min", times.min(), "Minimum")
        r.add("max", times.max(), "Maximum")
    models = {"unstratified": []}
    if strata:
        models = {"stratified": strata, **models}
    # one validated, sorted survival frame for the Cox fits and log-rank tests of the endpoint
    # (a model is analysed from ``frame`` itself if its complete rows differ: see survival_frame)
    shared = survival_frame(frame, "time", "event", group=ARM, strata=strata)
    for name, used in models.items():
        for level in conf_levels:
            hr = cox_hazard_ratio(shared, "time", "event", ARM, "B", strata=used, ties=ties,
                                  conf_level=level)
            add_cox(b, f"{p}.ttet01.cox.{name}.{_level_id(level)}", hr, paramcd=paramcd,
                    output_id=output_id)
        lr = logrank_test(shared, "time", "event", ARM, strata=used, experimental="B")
        add_logrank(b, f"{p}.ttet01.logrank.{name}", lr, arm=ARM, control="A", paramcd=paramcd,
                    output_id=output_id)
    landmarks = list(landmarks)
    if landmarks:
        add_landmark_difference(b, f"{p}.ttet01.landmarks", km, complete, landmarks,
                                km_conf_level, paramcd=paramcd, output_id=output_id,
                                method_id=km_method_id(km_conf_type))


def add_landmark_difference(b: ArdBuilder, analysis_id: str, km: Mapping, frame: pd.DataFrame,
                            landmarks: list, conf_level: float, *, paramcd: str = "",
                            output_id: str = "", method_id: str = "km_loglog") -> None:
    """Per arm at each landmark (``variable`` time): ``estimate`` (S(t)), ``std.error``
    (Greenwood), ``conf.low``, ``conf.high`` (the KM's CI), ``n.risk``; ``B vs A``: the
    difference's ``estimate``, ``std.error``, ``conf.low``, ``conf.high`` (Wald) and
    ``p.value``."""
    a = b.analysis(analysis_id, method_id, "survfit", paramcd=paramcd, output_id=output_id,
                   conf_level=conf_level, group1=ARM, variable="time")
    for code, fit in km.items():
        at = fit.survival_at(landmarks)
        for row, risk in zip(at.itertuples(), fit.n_at_risk(landmarks)):
            g = a.scoped(group1_level=code, variable_level=row.time)
            g.add("estimate", row.surv, "Rate", warning=row.note)
            g.add("std.error", row.std_err, "Standard error", warning=row.note)
            g.add("conf.low", row.lower, "Rate, CI lower limit", warning=row.note)
            g.add("conf.high", row.upper, "Rate, CI upper limit", warning=row.note)
            g.add("n.risk", risk, "Number at risk")
    diff = landmark_difference(frame, "time", "event", ARM, "B", landmarks, conf_level=conf_level)
    for row in diff.itertuples():
        g = a.scoped(group1_level="B vs A", variable_level=row.time, method_id="km_diff_greenwood")
        why = row.note
        g.add("estimate", row.difference, "Difference in rates", warning=why)
        g.add("std.error", row.se, "Standard error of the difference", warning=why)
        g.add("conf.low", row.lower, "Difference, CI lower limit", warning=why)
        g.add("conf.high", row.upper, "Difference, CI upper limit", warning=why)
        g.add("p.value", row.p, "p-value (Wald, two-sided)", warning=why or (
            "" if pd.notna(row.p) else "standard error 0"))


def coxt02_covariates(frame: pd.DataFrame, covariates: Iterable[str],
                      levels: Mapping[str, Iterable]) -> tuple[pd.DataFrame, dict]:
    """The frame and level orders of the COXT02 model: few-valued integer codes (ECOG 0/1) as
    categories (as chapter 7's adjusted model), configured level orders (text) where given."""
    d = frame.copy()
    order = {ARM: ["A", "B"]}
    for column in covariates:
        s = d[column]
        if pd.api.types.is_integer_dtype(s) and s.nunique() <= 5:
            d[column] = s.astype("string").astype(object).where(s.notna())
        if column in levels and levels[column]:
            present = set(d[column].dropna().astype(str))
            configured = [str(v) for v in levels[column]]
            d[column] = d[column].where(d[column].isna(), d[column].astype(str))
            order[column] = configured + sorted(present - set(configured))
    return d, order


def coxt02_ard(b: ArdBuilder, frame: pd.DataFrame, paramcd: str, covariates: Iterable[str],
               levels: Mapping[str, Iterable], *, ties: str, conf_level: float,
               output_id: str = "tbl-coxt02") -> pd.DataFrame:
    """The rows of ``{P}.coxt02``: per term (``variable`` the covariate, ``variable_level``
    its level, empty for a numeric one; ``group2`` reference, ``group2_level`` the reference
    level) ``estimate``, ``std.error``, ``conf.low``, ``conf.high``, ``p.value``; the model's
    ``n``, ``n.event``, ``n.excluded`` (no variable). Returns the term table."""
    covariates = list(covariates)
    d, order = coxt02_covariates(frame, covariates, levels)
    terms = cox_terms(d, "time", "event", [ARM, *covariates], ties=ties, conf_level=conf_level,
                      levels={k: v for k, v in order.items() if k in (ARM, *covariates)})
    a = b.analysis(f"{paramcd}.coxt02", f"coxph_{ties}", "coxph", paramcd=paramcd,
                   output_id=output_id, conf_level=conf_level)
    for r in terms.itertuples():
        g = a.scoped(variable=r.variable, variable_level=r.level,
                     group2="reference" if r.reference is not None else "",
                     group2_level=r.reference)
        why = r.note
        g.add("estimate", r.hr, "Hazard ratio", warning=why)
        g.add("std.error", r.se, "Standard error of the log hazard ratio", warning=why)
        g.add("conf.low", r.lower, "Hazard ratio, CI lower limit", warning=why)
        g.add("conf.high", r.upper, "Hazard ratio, CI upper limit", warning=why)
        g.add("p.value", r.p, "p-value (Wald, two-sided)", warning=why)
    m = a.scoped(conf_level=math.nan)
    m.add("n", terms.attrs["n"], "N")
    m.add("n.event", terms.attrs["events"], "Number of events")
    m.add("n.excluded", terms.attrs["n_excluded"], "Patients left out (missing values)")
    return terms
