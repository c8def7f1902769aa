"""The reproduction chapter's tables and sentences, built from its ARD rows
(``helpers.analyses.reproduction_ard``): every number is a ``stat_fmt`` of the run's ARD.

Tables use human labels, "Yes"/"No"/"—" for "within tolerance" and "not estimable" for a
figure this run cannot compute.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.ard import ArdView
from helpers.core.textsafe import md_text

from .names import arm_name, bare, in_sentence, strata_words
from .stats import conf_text, estimate_ci, p_phrase, said, shown

__all__ = ["figures_text", "key_results_display", "key_results_note", "key_results_summary", "key_results_text",
           "reproduction_display"]

DASH = "—"


def _figures(view: ArdView) -> list[str]:
    return list(view.rows("reproduction.published")["variable"])


def _cells(view: ArdView, path: str) -> dict[str, str]:
    row = view.rows("reproduction.published", variable=path).iloc[0]
    within = view.row("reproduction.within", "within", variable=path)["stat"]
    return {
        "label": row["stat_label"],
        "Published": row["stat_fmt"],
        "This run": said(view, "reproduction.computed", row["stat_name"], variable=path),
        "Difference": said(view, "reproduction.difference", row["stat_name"], missing=DASH,
                            variable=path),
        "Tolerance": said(view, "reproduction.tolerance", row["stat_name"], missing=DASH,
                           variable=path),
        "Within tolerance": DASH if within != within else ("Yes" if within else "No"),
    }


def reproduction_display(view: ArdView, sources: Mapping[str, str],
                         source_labels: Mapping[str, str]) -> pd.DataFrame:
    """Every published figure: label, source (``sources``: path -> source key, shown by
    ``source_labels``), published, this run, difference, tolerance, within tolerance."""
    rows = []
    for path in _figures(view):
        c = _cells(view, path)
        key = sources.get(path) or ""
        rows.append({"Figure": c.pop("label"), "Source": source_labels.get(key, key), **c})
    return pd.DataFrame(rows)


def _arm_words(view: ArdView) -> dict[str, str]:
    """"{A}"/"{B}" of a label -> the arms as the view names them, without article ("arm A",
    "control arm")."""
    return {code: bare(arm_name(code, view.arm_names)) for code in ("A", "B")}


def key_results_display(view: ArdView, keys: Mapping[str, str]) -> pd.DataFrame:
    """The key figures (``keys``: path -> label, "{A}"/"{B}" the arms as the view names
    them): published, this run, difference, within."""
    rows = []
    for path, label in keys.items():
        c = _cells(view, path)
        c.pop("label"), c.pop("Tolerance")
        rows.append({"Figure": label.format(**_arm_words(view)), **c})
    return pd.DataFrame(rows)


def key_results_summary(view: ArdView, keys: Mapping[str, str]) -> pd.DataFrame:
    """:func:`key_results_display` without the difference (the preface's summary)."""
    return key_results_display(view, keys).drop(columns="Difference")


def key_results_note(view: ArdView, os_paramcd: str, lrfs_paramcd: str, strata) -> str:
    """The key-results table's note: the CI levels of the hazard ratios and the strata."""
    os_level = conf_text(view, f"reproduction.{os_paramcd}.cox.primary")
    lrfs_level = conf_text(view, f"reproduction.{lrfs_paramcd}.cox")
    return (f"OS hazard ratio with {os_level} CI, stratified by "
            f"{strata_words(strata, view.variable_labels) or 'nothing'}; "
            f"LRFS hazard ratio with {lrfs_level} CI. Published figures as published; —: no "
            "tolerance stated.")


def figures_text(view: ArdView) -> str:
    """How many published figures there are, how many this run computes and how many lie
    within their tolerance (naming those outside)."""
    within = view.rows("reproduction.within")
    computed = view.rows("reproduction.computed")
    judged = within[within["stat"].notna()]
    outside = judged[judged["stat"] == 0]
    labels = dict(zip(view.rows("reproduction.published")["variable"],
                      view.rows("reproduction.published")["stat_label"]))
    missing = computed[computed["stat"].isna()]
    n = {k: shown(view, "reproduction.summary", f"n.{k}")
         for k in ("published", "computed", "tolerance", "within")}
    text = (f"The publications give {n['published']} numeric figures (uncertain ones left out); "
            + (f"this run computes all {n['computed']}. " if missing.empty else
               f"this run computes {n['computed']}; not estimable: "
               + ", ".join(labels[v] for v in missing["variable"]) + ". ")
            + f"Of the {n['tolerance']} with a tolerance, {n['within']} lie within it"
            + (f"; outside: {', '.join(labels[v] for v in outside['variable'])}." if len(outside)
               else ".")
            + " CI bounds and the p-value are shown without a tolerance.")
    return text


def _median(view: ArdView, analysis_id: str, arm: str, ci: bool = True) -> str:
    where = {"group1_level": arm, "variable": "prob", "variable_level": 0.5}
    if not ci:
        return said(view, analysis_id, "estimate", missing="not reached", **where)
    est = said(view, analysis_id, "estimate", missing="not reached", **where)
    low = said(view, analysis_id, "conf.low", missing="NE", **where)
    high = said(view, analysis_id, "conf.high", missing="NE", **where)
    return f"{est} ({low}–{high})"


def key_results_text(view: ArdView, os_paramcd: str, lrfs_paramcd: str, os_sided: str,
                     lrfs_sided: str, unit: str = "months",
                     arm_labels: Mapping[str, str] | None = None, *, events: str = "deaths",
                     design_events: str | None = None) -> str:
    """The key results paragraph of the chapter (patients, OS hazard ratio and log-rank p,
    medians, LRFS, follow-up, the design's events and patients). The arms are named as the
    view names them (``ArdView.arm_names``), with their labels where randomised;
    ``events``: the OS endpoint's word for its events, ``design_events`` the primary
    endpoint's (the design's; default ``events``)."""
    arms = {code: md_text(in_sentence(label)) for code, label in
            (arm_labels or {"A": "arm A", "B": "arm B"}).items()}
    name = {code: md_text(arm_name(code, view.arm_names)) for code in ("A", "B")}
    events, design_events = md_text(events), md_text(design_events or events)
    o, lr = f"reproduction.{os_paramcd}", f"reproduction.{lrfs_paramcd}"
    comp = "reproduction.computed"
    km_level = view.row(f"{o}.km", "conf.low", group1_level="A", variable="prob",
                        variable_level=0.5)["conf_level"]
    os_p = "p.value.one.sided" if os_sided == "one-sided" else "p.value"
    lrfs_p = "p.value.one.sided" if lrfs_sided == "one-sided" else "p.value"
    return (
        f"Of {said(view, comp, 'n', variable='population.registered')} registered patients, "
        f"{said(view, comp, 'n', variable='population.randomised')} were randomised "
        f"({said(view, f'{o}.km', 'n', group1_level='A')} to {arms['A']}, "
        f"{said(view, f'{o}.km', 'n', group1_level='B')} to {arms['B']}). "
        f"With {said(view, f'{o}.cox.primary', 'n.event')} {events}, the stratified hazard ratio "
        f"of {name['B']} against {name['A']} was {estimate_ci(view, f'{o}.cox.primary')}, {os_sided} stratified "
        f"log-rank {p_phrase(view.fmt(f'{o}.logrank', os_p))}. Median overall survival was "
        f"{_median(view, f'{o}.km', 'A')} {unit} in {name['A']} and "
        f"{_median(view, f'{o}.km', 'B')} {unit} in {name['B']} ({km_level:.0%} CIs). For local "
        f"relapse-free survival the hazard ratio was {estimate_ci(view, f'{lr}.cox')} ({lrfs_sided} "
        f"log-rank {p_phrase(view.fmt(f'{lr}.logrank', lrfs_p))}), with medians of "
        f"{_median(view, f'{lr}.km', 'A', ci=False)} and {_median(view, f'{lr}.km', 'B', ci=False)} "
        f"{unit}. Median follow-up was "
        f"{said(view, comp, 'median', variable='results.median_follow_up_months')} {unit}. "
        f"The design required {said(view, comp, 'events', variable='design.required_events')} "
        f"{design_events} and {said(view, comp, 'patients', variable='design.planned_randomised')} "
        f"patients.")

