"""Table 1: baseline characteristics by arm and in total."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from helpers.report.format import format_n_pct

def _kind(values: pd.Series) -> str:
    present = set(values.dropna().astype(str).unique())
    if present and present <= {"Y", "N"}:
        return "flag"
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > 10:
        return "continuous"
    return "categorical"


def _num(x: float) -> str:
    return f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}"


def _levels(values: pd.Series) -> list:
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    return sorted(values.dropna().unique(), key=lambda v: (str(type(v)), v))


def column_header(label: str, n: int) -> str:
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


def table1(
    adsl: pd.DataFrame,
    variables: Sequence[tuple],
    by: str = "ARM",
    total: bool = True,
    order: Sequence | None = None,
) -> pd.DataFrame:
    """Baseline characteristics of the rows of ``adsl`` (pass the population, e.g. ITT).

    ``variables`` (a study configuration's ``baseline``, in display order): (column, label)
    or (column, label, kind) with kind "continuous", "categorical" or "flag"; auto-detected
    otherwise (Y/N values -> flag; numeric with more than 10 distinct values -> continuous). Rows, in the order given: continuous ->
    "Median (min–max)"; categorical -> one "n (%)" row per level (categorical dtype order, else
    sorted); flag -> one row counting "Y"; a "Missing" row when values are missing.
    Percentages of the column N. Columns: Characteristic, Statistic, one per arm
    ("ARM (N=n)"; arm order ``order``, else by ARMCD when present, else sorted), "Total (N=n)".
    ``attrs["N"]`` maps each column to its N.
    """
    data = adsl[adsl[by].notna()]
    if order is None:
        if "ARMCD" in data and by != "ARMCD":
            order = list(data.sort_values("ARMCD")[by].drop_duplicates())
        else:
            order = sorted(data[by].unique())
    groups = [(str(arm), data[data[by] == arm]) for arm in order]
    if total:
        groups.append(("Total", data))
    headers = [column_header(name, len(frame)) for name, frame in groups]

    rows = []
    for spec in variables:
        column, label = spec[0], spec[1]
        kind = spec[2] if len(spec) > 2 else _kind(data[column])
        def add(statistic, fn):
            rows.append([label, statistic] + [fn(frame[column], len(frame)) for _, frame in groups])
        if kind == "continuous":
            add("Median (min–max)", lambda v, n: "NE" if v.notna().sum() == 0 else
                f"{_num(v.median())} ({_num(v.min())}–{_num(v.max())})")
        elif kind == "flag":
            add("n (%)", lambda v, n: format_n_pct(int((v.astype(str) == "Y").sum()), n))
        elif kind == "categorical":
            for level in _levels(data[column]):
                add(str(level), lambda v, n, level=level: format_n_pct(int((v == level).sum()), n))
        else:
            raise ValueError(f"unknown kind {kind!r} for {column}")
        if data[column].isna().any():
            add("Missing", lambda v, n: format_n_pct(int(v.isna().sum()), n))
    table = pd.DataFrame(rows, columns=["Characteristic", "Statistic", *headers])
    table.attrs["N"] = {h: len(frame) for h, (_, frame) in zip(headers, groups)}
    return table
