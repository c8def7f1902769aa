"""Baseline characteristics (Table 1) as analysis results data: ``baseline.{VAR}`` rows by arm
and in total, as {cards}' ``ard_categorical`` / ``ard_continuous`` compute them (``docs/ard.md``,
``validation/qc/README.md``).

- categorical variables: per level (the configured levels first, then the other observed
  values, sorted) ``n``, ``N`` (patients with a non-missing value) and ``p`` = n / N (0-1);
- flags (Y/N): the level ``Y`` only, likewise;
- continuous variables (``variable_level`` empty): ``N`` (non-missing), ``N_miss``, ``mean``,
  ``sd`` (n - 1), ``median``, ``p25``, ``p75`` (quantile type 2, as {cards} and SAS), ``min``,
  ``max`` in the variable's own unit;
- a categorical variable or flag with a missing value in the population also gets
  ``N_miss`` (``variable_level`` empty), the count of Table 1's "Missing" row;
- ``baseline`` (no variable suffix): the patients of each column (``variable`` the population
  flag, level ``Y``, ``n``), Table 1's column N.

Groups: ``group1`` the arm variable with levels "A", "B" and "Total" (all rows given).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from helpers.ard import ArdBuilder
from helpers.ard.build import level_text

__all__ = ["TOTAL", "baseline_ard", "baseline_levels"]

TOTAL = "Total"


def baseline_levels(values: pd.Series, configured: Sequence = ()) -> list[str]:
    """The levels of a categorical variable as ARD text: ``configured`` first, then the other
    observed values sorted (as text)."""
    first = [level_text(v) for v in configured]
    observed = sorted({level_text(v) for v in values.dropna()} - set(first))
    return first + observed


def _groups(frame: pd.DataFrame, arm: str) -> list[tuple[str, pd.DataFrame]]:
    codes = sorted(str(c) for c in frame[arm].dropna().unique())
    return [(code, frame[frame[arm].astype(str) == code]) for code in codes] + [(TOTAL, frame)]


def _summary(values: pd.Series) -> dict[str, float]:
    x = pd.to_numeric(values, errors="coerce")
    ok = x.dropna().to_numpy(dtype=float)
    n = len(ok)
    out = {"N": n, "N_miss": int(x.isna().sum())}
    if not n:
        return {**out, **dict.fromkeys(("mean", "sd", "median", "p25", "p75", "min", "max"),
                                       np.nan)}
    return {**out, "mean": ok.mean(), "sd": ok.std(ddof=1) if n > 1 else np.nan,
            "median": float(np.median(ok)),
            "p25": float(np.quantile(ok, 0.25, method="averaged_inverted_cdf")),
            "p75": float(np.quantile(ok, 0.75, method="averaged_inverted_cdf")),
            "min": ok.min(), "max": ok.max()}


SUMMARY_LABELS = {"N": "N", "N_miss": "N missing", "mean": "Mean", "sd": "SD",
                  "median": "Median", "p25": "Q1", "p75": "Q3", "min": "Min", "max": "Max"}


def baseline_ard(b: ArdBuilder, frame: pd.DataFrame, variables: Sequence, *, population: str,
                 arm: str = "ARMCD", output_id: str = "") -> None:
    """Add Table 1's rows of ``frame`` (the analysis population, one row per patient) to ``b``.

    ``variables``: objects with ``name``, ``type`` ("continuous", "categorical", "flag") and
    ``levels`` (a study configuration's ``baseline``); those absent from ``frame`` are left
    out (the notebook names them). ``population``: the flag the rows were selected by.
    """
    groups = _groups(frame, arm)
    counts = b.analysis("baseline", "count", "tabulate", output_id=output_id, group1=arm,
                        variable=population, variable_level="Y")
    for code, rows in groups:
        counts.add("n", len(rows), "n", group1_level=code)
    for v in variables:
        if v.name not in frame:
            continue
        aid = f"baseline.{v.name}"
        if v.type == "continuous":
            a = b.analysis(aid, "summary", "summary", output_id=output_id, group1=arm,
                           variable=v.name)
            for code, rows in groups:
                for name, value in _summary(rows[v.name]).items():
                    a.add(name, value, SUMMARY_LABELS[name], group1_level=code,
                          warning="" if value == value else "no non-missing value"
                          if name != "sd" else "fewer than 2 non-missing values")
            continue
        a = b.analysis(aid, "count", "tabulate", output_id=output_id, group1=arm,
                       variable=v.name)
        levels = ["Y"] if v.type == "flag" else baseline_levels(frame[v.name], v.levels)
        any_missing = bool(frame[v.name].isna().any())
        for code, rows in groups:
            observed = rows[v.name].dropna().map(level_text)
            n_obs = len(observed)
            for level in levels:
                n = int((observed == level).sum())
                g = a.scoped(group1_level=code, variable_level=level)
                g.add("n", n, "n")
                g.add("N", n_obs, "N")
                g.add("p", n / n_obs if n_obs else np.nan, "%",
                      warning="" if n_obs else "no non-missing value")
            if any_missing:
                a.add("N_miss", len(rows) - n_obs, "N missing", group1_level=code)
