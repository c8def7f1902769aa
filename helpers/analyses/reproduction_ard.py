"""The ARD rows of the reproduction chapter (``reproduction.*``, ``docs/ard.md``).

Every published figure (a dotted path of the study's file of published figures)
is the ``variable`` of five analyses: ``reproduction.published`` (context ``published``: the
figure as published, printed at its published precision), ``reproduction.computed`` (this
run's value, with the context and statistic name of the analysis that computes it, so it is
printed by the one rule set: counts whole, hazard ratios 2 decimals, ...),
``reproduction.difference`` (computed - published, printed as the computed value),
``reproduction.tolerance`` (missing: none stated) and ``reproduction.within`` (1/0; missing
without a tolerance or a computed value). CI bounds carry the published CI level
(``conf_level``). A figure this run cannot compute is a missing ``stat`` whose ``warning``
says why ("not estimable").

The chapter's sentences also need the standard analyses of OS and LRFS: they are written
with their own analysis ids (``reproduction.OS.*``, ``reproduction.LRFS.*``) so the run's
combined ARD holds no key twice (chapter 3 writes ``OS.*``).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

from helpers.ard import ArdBuilder

from .endpoint import EndpointAnalysis, endpoint_ard

__all__ = ["FIGURES", "SOURCE_LABELS", "Figure", "figure_of", "reproduction_ard"]


class Figure(NamedTuple):
    """How a published figure is a statistic: context, stat_name and its human label ("{A}"
    and "{B}": the arms as the study names them, filled in by ``reproduction_ard``)."""

    context: str
    stat_name: str
    label: str


#: Published figure -> the statistic that computes it (CI bounds ``.ci_lower``/``.ci_upper``
#: take their estimate's entry).
FIGURES: dict[str, Figure] = {
    "population.registered": Figure("flow", "n", "Registered patients"),
    "population.randomised": Figure("flow", "n", "Randomised patients"),
    "population.randomised_arm_a": Figure("flow", "n", "Randomised to {A}"),
    "population.randomised_arm_b": Figure("flow", "n", "Randomised to {B}"),
    "population.not_randomised": Figure("flow", "n", "Registered, not randomised"),
    "design.assumed_median_os_arm_a_months": Figure("design", "median", "Assumed median OS, {A} (months)"),
    "design.assumed_median_os_arm_b_months": Figure("design", "median", "Assumed median OS, {B} (months)"),
    "design.assumed_hazard_ratio": Figure("design", "hr", "Assumed hazard ratio"),
    "design.required_events": Figure("design", "events", "Required {events}"),
    "design.power": Figure("design", "power", "Power (%)"),
    "design.alpha_one_sided": Figure("design", "alpha", "One-sided alpha"),
    "design.planned_randomised": Figure("design", "patients", "Planned patients"),
    "design.accrual_years": Figure("design", "accrual", "Accrual (years)"),
    "design.follow_up_years": Figure("design", "follow_up", "Follow-up after accrual (years)"),
    "results.median_follow_up_months": Figure("followup", "median", "Median follow-up (months)"),
    "results.os.deaths": Figure("coxph", "n.event", "Deaths"),
    "results.os.hazard_ratio": Figure("coxph", "estimate", "OS hazard ratio"),
    "results.os.hazard_ratio_rounded": Figure("coxph", "estimate", "OS hazard ratio (paper)"),
    "results.os.p_one_sided": Figure("survdiff", "p.value.one.sided", "OS log-rank p (one-sided)"),
    "results.os.median_arm_a_months": Figure("survfit", "estimate", "Median OS, {A} (months)"),
    "results.os.median_arm_b_months": Figure("survfit", "estimate", "Median OS, {B} (months)"),
    "results.lrfs.hazard_ratio": Figure("coxph", "estimate", "LRFS hazard ratio"),
    "results.lrfs.hazard_ratio_rounded": Figure("coxph", "estimate", "LRFS hazard ratio (paper)"),
    "results.lrfs.median_arm_a_months": Figure("survfit", "estimate", "Median LRFS, {A} (months)"),
    "results.lrfs.median_arm_b_months": Figure("survfit", "estimate", "Median LRFS, {B} (months)"),
    "results.safety.treatment_related_deaths": Figure("tabulate", "n", "Treatment-related deaths"),
}

#: Source keys of the reference file -> how the tables name them (full citations in the notes).
SOURCE_LABELS = {"paper": "Paper", "asco2023": "ASCO abstract", "protocol": "Protocol digest"}

_BOUNDS = {"ci_lower": ("conf.low", "lower"), "ci_upper": ("conf.high", "upper")}


def figure_of(path: str, ci_level: float | None = None) -> Figure:
    """The statistic of published figure ``path`` (a CI bound: its estimate's context, stat
    ``conf.low``/``conf.high``, the label naming the bound and ``ci_level``)."""
    base, _, last = path.rpartition(".")
    if last in _BOUNDS and base in FIGURES:
        est = FIGURES[base]
        stat, side = _BOUNDS[last]
        level = f"{ci_level:.0%} " if ci_level else ""
        return Figure(est.context, stat, f"{est.label}, {side} {level}CI bound")
    return FIGURES.get(path, Figure("published", "estimate", path))


def reproduction_ard(b: ArdBuilder, table: pd.DataFrame, published: list[dict],
                     os_: EndpointAnalysis, lrfs: EndpointAnalysis, *,
                     output_id: str = "tbl-reproduction",
                     arm_names: dict[str, str] | None = None, events: str = "deaths") -> None:
    """Add the rows of a ``with_tolerances`` ``table`` (one row per published ``figure``;
    ``published``: ``published_figures()`` rows, for the CI levels) and the OS and LRFS
    standard analyses the chapter's sentences read (``reproduction.OS.*``,
    ``reproduction.LRFS.*``); ``reproduction.summary``: how many figures are published,
    computed, given a tolerance and within it. ``arm_names``: how the labels name the arms
    (code -> name without article, e.g. "arm A", "control arm"; default "arm A"/"arm B");
    ``events``: the word for the primary endpoint's events ("deaths"), the design's."""
    names = {"A": "arm A", "B": "arm B", **(arm_names or {}), "events": events}
    levels = {r["path"]: r.get("ci_level") for r in published}
    analyses = {name: b.analysis(f"reproduction.{name}", "published", "published",
                                 output_id=output_id)
                for name in ("published", "computed", "difference", "tolerance", "within")}
    for r in table.itertuples(index=False):
        level = levels.get(r.figure) if r.figure.rpartition(".")[2] in _BOUNDS else None
        fig = figure_of(r.figure, level)
        fig = fig._replace(label=fig.label.format(**names))
        where = {"variable": r.figure, "conf_level": level}
        run = {**where, "context": fig.context}
        not_computed = "" if _finite(r.computed) else "not estimable"
        analyses["published"].add(fig.stat_name, r.published, fig.label, **where)
        analyses["computed"].add(fig.stat_name, r.computed, fig.label, warning=not_computed, **run)
        analyses["difference"].add(fig.stat_name, r.difference, f"{fig.label}: difference",
                                   warning=not_computed, **run)
        analyses["tolerance"].add(fig.stat_name, r.tolerance, f"{fig.label}: tolerance",
                                  warning="" if _finite(r.tolerance) else "no tolerance stated",
                                  **run)
        within = math.nan if r.within is None else float(bool(r.within))
        analyses["within"].add("within", within, f"{fig.label}: within tolerance",
                               warning="" if _finite(within) else
                               (not_computed or "no tolerance stated"), **where)
    within = [r.within for r in table.itertuples(index=False) if r.within is not None]
    summary = b.analysis("reproduction.summary", "published", "count", output_id=output_id)
    summary.add("n.published", len(table), "Published figures")
    summary.add("n.computed", sum(_finite(r.computed) for r in table.itertuples(index=False)),
                "Computed by this run")
    summary.add("n.tolerance", len(within), "With a tolerance")
    summary.add("n.within", sum(bool(w) for w in within), "Within their tolerance")
    endpoint_ard(b, os_, prefix=f"reproduction.{os_.paramcd}", cox_id="cox.primary")
    endpoint_ard(b, lrfs, prefix=f"reproduction.{lrfs.paramcd}")


def _finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
