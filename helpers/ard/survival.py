"""ARD rows of the survival results (``helpers.survival``), named as {cardx}/broom name them.

Each function adds the rows of one analysis to an ``ArdBuilder`` and returns nothing; the
``analysis_id`` and ``output_id`` come from the caller (the catalogue of ``docs/ard.md``).
Times are in the unit of the analysed data (the study's display unit); survival
probabilities are 0-1; a CI's level is the row's ``conf_level``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any


from helpers.survival import FollowUp, KaplanMeier, LogRankResult, RMSTDifference

from .build import ArdBuilder

__all__ = ["add_cox", "add_followup", "add_km", "add_logrank", "add_rmst", "cox_method_id",
           "km_method_id"]


def km_method_id(conf_type: str) -> str:
    """"km_loglog", "km_log", "km_plain"."""
    return "km_" + conf_type.replace("-", "")


def cox_method_id(strata: Any, ties: str) -> str:
    """"coxph_strat_efron", "coxph_breslow", ..."""
    return f"coxph_{'strat_' if len(strata) else ''}{ties}"


def add_km(b: ArdBuilder, analysis_id: str, km: Mapping[Any, KaplanMeier], landmarks: Any = (),
           *, arm: str, paramcd: str = "", output_id: str = "") -> None:
    """Per arm (``group1`` = ``arm``): ``n``, ``n.event``; the median (``variable`` prob,
    level 0.5) with its CI; S(t) at each landmark (``variable`` time) with std. error, CI and
    numbers at risk. A median or bound not reached is missing with the warning saying so."""
    first = next(iter(km.values()))
    a = b.analysis(analysis_id, km_method_id(first.conf_type), "survfit", paramcd=paramcd,
                   output_id=output_id, conf_level=first.conf_level, group1=arm)
    for code, fit in km.items():
        g = a.scoped(group1_level=code)
        g.add("n", fit.n, "N")
        g.add("n.event", fit.events, "Number of events")
        m = g.scoped(variable="prob", variable_level=0.5)
        for name, value, label in (("estimate", fit.median, "Median"),
                                   ("conf.low", fit.median_lower, "Median, CI lower limit"),
                                   ("conf.high", fit.median_upper, "Median, CI upper limit")):
            m.add(name, value, label, warning="" if _finite(value) else "not reached")
        if len(landmarks):
            at = fit.survival_at(landmarks)
            n_risk = fit.n_at_risk(landmarks)
            for row, risk in zip(at.itertuples(), n_risk):
                t = g.scoped(variable="time", variable_level=row.time)
                note = row.note
                t.add("estimate", row.surv, "Survival probability", warning=note)
                t.add("std.error", row.std_err, "Standard error", warning=note)
                t.add("conf.low", row.lower, "Survival probability, CI lower limit", warning=note)
                t.add("conf.high", row.upper, "Survival probability, CI upper limit", warning=note)
                t.add("n.risk", risk, "Number at risk")


def add_cox(b: ArdBuilder, analysis_id: str, hr: Any, *, paramcd: str = "",
            output_id: str = "", method_id: str | None = None, population: str | None = None) -> None:
    """The arm's hazard ratio (``HazardRatio``): ``estimate``, ``conf.low``, ``conf.high``
    (Wald at ``conf_level``), ``std.error`` (of log HR), ``p.value`` (two-sided Wald),
    ``p.value.score``, ``p.value.lr``, ``n``, ``n.event``, ``n.excluded``. A hazard ratio
    that cannot be estimated is missing with the model's reason as warning."""
    level = f"{hr.experimental} vs {hr.control}"
    a = b.analysis(analysis_id, method_id or cox_method_id(hr.strata, hr.ties), "coxph",
                   paramcd=paramcd, output_id=output_id, conf_level=hr.conf_level,
                   population=population, group1=hr.arm, group1_level=level,
                   variable=hr.arm)
    why = "" if hr.estimable else (hr.note or "not estimable")
    a.add("estimate", hr.hr, "Hazard ratio", warning=why)
    a.add("conf.low", hr.lower, "Hazard ratio, CI lower limit", warning=why)
    a.add("conf.high", hr.upper, "Hazard ratio, CI upper limit", warning=why)
    a.add("std.error", hr.se, "Standard error of the log hazard ratio", warning=why)
    a.add("p.value", hr.p_wald, "p-value (Wald, two-sided)", warning=why)
    a.add("p.value.score", hr.p_score, "p-value (score, two-sided)")
    a.add("p.value.lr", hr.p_lr, "p-value (likelihood ratio, two-sided)", warning=why)
    a.add("n", hr.n, "N")
    a.add("n.event", hr.events, "Number of events")
    a.add("n.excluded", hr.n_excluded, "Patients left out (missing values)")


def add_logrank(b: ArdBuilder, analysis_id: str, lr: LogRankResult, *, arm: str,
                control: Any, paramcd: str = "", output_id: str = "",
                population: str | None = None) -> None:
    """The (stratified) log-rank test: ``statistic`` (chi-square), ``df``, two-sided
    ``p.value`` and ``p.value.one.sided`` (experimental arm better). ``population``: the
    ADSL flag when not the builder's."""
    a = b.analysis(analysis_id, "logrank_strat" if lr.strata_columns else "logrank", "survdiff",
                   paramcd=paramcd, output_id=output_id, population=population, group1=arm,
                   group1_level=f"{lr.experimental} vs {control}", variable=arm)
    why = lr.note or ("" if _finite(lr.chisq) else "not estimable")
    a.add("statistic", lr.chisq, "Chi-square", warning=why)
    a.add("df", lr.df, "Degrees of freedom")
    a.add("p.value", lr.p_two_sided, "p-value (two-sided)", warning=why)
    a.add("p.value.one.sided", lr.p_one_sided, "p-value (one-sided)", warning=why)


def add_followup(b: ArdBuilder, analysis_id: str, fu: FollowUp, *, paramcd: str = "",
                 output_id: str = "") -> None:
    """Median follow-up: ``median`` (``variable`` time: observed time of all patients) and
    the reverse Kaplan-Meier median (``variable`` prob, level 0.5) ``estimate`` with its CI."""
    a = b.analysis(analysis_id, "followup_reverse_km", "followup", paramcd=paramcd,
                   output_id=output_id, conf_level=fu.conf_level)
    a.add("n", fu.n, "N")
    a.scoped(variable="time").add("median", fu.simple_median, "Median observed time")
    a = a.scoped(variable="prob", variable_level=0.5)
    for name, value, label in (("estimate", fu.median, "Median follow-up (reverse KM)"),
                               ("conf.low", fu.lower, "Median follow-up, CI lower limit"),
                               ("conf.high", fu.upper, "Median follow-up, CI upper limit")):
        a.add(name, value, label, warning="" if _finite(value) else "not reached")


def add_rmst(b: ArdBuilder, analysis_id: str, result: RMSTDifference, *, arm: str,
             paramcd: str = "", output_id: str = "", warning: str = "") -> None:
    """RMST up to ``tau`` (``variable`` time, level tau) per arm and the difference
    experimental - control: ``estimate``, ``std.error``, ``conf.low``, ``conf.high``;
    ``p.value`` of the difference; the horizon ``tau`` (no group). A difference that is not
    estimable (``RMSTNotEstimable``: the horizon beyond an arm's follow-up) gives its missing
    values the result's ``note`` as the warning (``warning`` overrides)."""
    warning = warning or getattr(result, "note", "")
    a = b.analysis(analysis_id, "rmst", "rmst", paramcd=paramcd, output_id=output_id,
                   conf_level=result.conf_level, variable="time", variable_level=result.tau)
    a.add("tau", result.tau, "Horizon")
    a = a.scoped(group1=arm)
    for code, r in result.arms.items():
        g = a.scoped(group1_level=code)
        g.add("n", r.n, "N")
        why = "" if _finite(r.estimate) else warning  # the other arm may be estimable
        g.add("estimate", r.estimate, "RMST", warning=why)
        g.add("std.error", r.se, "Standard error", warning=why)
        g.add("conf.low", r.lower, "RMST, CI lower limit", warning=why)
        g.add("conf.high", r.upper, "RMST, CI upper limit", warning=why)
    d = a.scoped(group1_level=f"{result.experimental} vs {result.control}")
    d.add("estimate", result.difference, "RMST difference", warning=warning)
    d.add("std.error", result.se, "Standard error", warning=warning)
    d.add("conf.low", result.lower, "RMST difference, CI lower limit", warning=warning)
    d.add("conf.high", result.upper, "RMST difference, CI upper limit", warning=warning)
    d.add("p.value", result.p_two_sided, "p-value (two-sided)", warning=warning)


def _finite(value: Any) -> bool:
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


