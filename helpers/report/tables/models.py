"""Hazard-ratio (Cox) table: one row per model or analysis."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd

from helpers.report.format import format_ci, format_number, format_p

MARKERS = "abcdefghij"


def hazard_ratio_table(rows: Iterable[Mapping]) -> pd.DataFrame:
    """Table of hazard ratios from dicts with keys ``label``, ``hr``, ``lower``, ``upper``,
    ``conf_level`` (e.g. 0.90), ``p`` (may be None) and ``strata`` (text such as "ECOG PS,
    subtype, institution", or None); optional ``p_label`` (e.g. "one-sided log-rank").

    Columns: Analysis, HR, CI ("90% CI 0.69–1.07"), p (with " (p_label)" when given).
    Each distinct strata text gets a footnote marker appended to the analysis label
    (superscript letters a, b, ...); ``attrs["footnotes"]`` lists "a Stratified by ...",
    unstratified rows carry no marker.
    """
    records, notes = [], {}
    for row in rows:
        label = str(row["label"])
        strata = row.get("strata")
        if strata:
            marker = notes.setdefault(strata, MARKERS[len(notes)])
            label = f"{label} {marker}"
        p = format_p(row.get("p")) if row.get("p") is not None else "–"
        if row.get("p_label") and row.get("p") is not None:
            p = f"{p} ({row['p_label']})"
        level = row.get("conf_level", 0.95)
        records.append({
            "Analysis": label,
            "HR": format_number(row["hr"]),
            "CI": f"{level:.0%} CI {format_ci(row['lower'], row['upper'])}",
            "p": p,
        })
    table = pd.DataFrame(records, columns=["Analysis", "HR", "CI", "p"])
    table.attrs["footnotes"] = [f"{m} Stratified by {s}." for s, m in notes.items()]
    return table
