"""Table 1: baseline characteristics by arm and in total, from the ARD (``table1``); the
population's levels in clinical order and the chapter's results figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from helpers.analyses.baseline import TOTAL
from helpers.ard import ArdView
from helpers.report.format import format_level
from helpers.report.stats import n_pct, shown

__all__ = ["baseline_highlights", "column_header", "in_clinical_order", "table1"]


def column_header(label: str, n) -> str:
    """Column header "label (N=n)"."""
    return f"{label} (N={n})"


def in_clinical_order(adsl: pd.DataFrame, level_order: dict[str, list]) -> pd.DataFrame:
    """``adsl`` with the columns of ``level_order`` (column -> levels in clinical order, as a
    study configuration's ``levels``; levels not listed follow, sorted) as ordered
    categoricals, so that Table 1 lists their levels in that order."""
    return adsl.assign(**{
        column: pd.Categorical(adsl[column], categories=levels + sorted(
            set(adsl[column].dropna()) - set(levels)))
        for column, levels in level_order.items() if column in adsl})


def baseline_highlights(adsl: pd.DataFrame) -> dict:
    """Per arm (ARMCD) and in total: n, median age (years); per arm: % premenopausal and %
    with a single metastatic organ (of the rows given, e.g. the analysis population); each
    figure only when ADSL has its column (AGE, MENOPAUS, METGR)."""
    by_arm = adsl.groupby("ARMCD", observed=True)

    def pct(column: str, level: str) -> dict:
        share = by_arm[column].apply(lambda v: 100 * (v == level).mean())
        return share.astype(float).round(1).to_dict()

    out = {"n": {**{code: int(n) for code, n in by_arm.size().items()}, "total": int(len(adsl))}}
    if "AGE" in adsl:
        out["median_age"] = {**by_arm["AGE"].median().astype(float).to_dict(),
                             "total": float(adsl["AGE"].median())}
    if "MENOPAUS" in adsl:
        out["pct_premenopausal"] = pct("MENOPAUS", "Premenopausal")
    if "METGR" in adsl:
        out["pct_single_organ"] = pct("METGR", "Single organ")
    return out


def table1(view: ArdView, variables: Sequence, arm_labels: Mapping[str, str]) -> pd.DataFrame:
    """Table 1 (DMT01-like) from the ``baseline`` and ``baseline.{VAR}`` ARD rows
    (``helpers.analyses.baseline.baseline_ard``), in the order of ``variables`` (objects with
    ``name``, ``label``, ``type``, a study configuration's ``baseline``; those without rows are
    left out).

    Rows: continuous -> "n", "Mean (SD)", "Median (min–max)"; categorical -> one "n (%)" row per
    level (configured order); flag -> one "n (%)" row counting "Y"; a "Missing" row (n) when a
    value is missing. Percentages of the patients with a value. Columns: Characteristic,
    Statistic, one per arm ("<label> (N=n)"), "Total (N=n)"; ``attrs["N"]`` maps each column to
    its N (as printed).
    """
    codes = list(dict.fromkeys(view.rows("baseline", stat_name="n")["group1_level"]))
    headers = {code: column_header("Total" if code == TOTAL else arm_labels.get(code, code),
                                   shown(view, "baseline", "n", group1_level=code))
               for code in codes}
    rows = []
    for v in variables:
        aid = f"baseline.{v.name}"
        if not view.has(aid):
            continue

        def add(statistic: str, cell) -> None:
            rows.append([v.label, statistic] + [cell(code) for code in codes])

        if v.type == "continuous":
            def stat(name, code):
                return shown(view, aid, name, group1_level=code)
            add("n", lambda c: stat("N", c))
            add("Mean (SD)", lambda c: f"{stat('mean', c)} ({stat('sd', c)})")
            add("Median (min–max)",
                lambda c: f"{stat('median', c)} ({stat('min', c)}–{stat('max', c)})")
            missing = view.stat(aid, "N_miss", group1_level=TOTAL) > 0
        else:
            levels = list(dict.fromkeys(view.rows(aid, stat_name="n", group1_level=TOTAL)[
                "variable_level"]))
            for level in levels:
                add("n (%)" if v.type == "flag" else format_level(level),
                    lambda c, level=level: n_pct(view, aid, group1_level=c, variable_level=level))
            missing = view.has(aid, stat_name="N_miss")
        if missing:
            add("Missing", lambda c: shown(view, aid, "N_miss", group1_level=c))
    table = pd.DataFrame(rows, columns=["Characteristic", "Statistic", *headers.values()])
    table.attrs["N"] = {h: view.stat("baseline", "n", group1_level=c) for c, h in headers.items()}
    return table
