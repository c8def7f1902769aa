"""``ArdBuilder``: collect ARD rows that share a notebook's and an analysis's context.

    b = ArdBuilder("03_overall_survival", population="ITTFL", data_cut=None)
    cox = b.analysis("OS.cox.primary", "coxph_strat_efron", "coxph", paramcd="OS",
                     output_id="tbl-os-cox", conf_level=0.90, group1="ARMCD", group1_level="B vs A")
    cox.add("estimate", 0.87, "Hazard ratio")
    b.frame()  # the validated ARD

Levels are text: numbers print with ``%g`` (36, not 36.0); None is "". A statistic that is
NaN or None is kept as a row with ``stat`` missing and needs ``warning`` (or ``error``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .schema import ARD_COLUMNS, validate_ard

__all__ = ["ArdAnalysis", "ArdBuilder", "level_text", "stat_value"]


def level_text(value: Any) -> str:
    """A group or variable level as ARD text: "" for None, ``%g`` for numbers, else str."""
    if value is None:
        return ""
    if isinstance(value, (bool, np.bool_)):
        return "Y" if value else "N"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "" if math.isnan(value) else f"{float(value):g}"
    return str(value)


def stat_value(value: Any) -> float:
    """A statistic as float (NaN for None, pandas NA and non-finite values)."""
    if value is None or value is pd.NA:
        return math.nan
    value = float(value)
    return value if math.isfinite(value) else math.nan


@dataclass
class ArdAnalysis:
    """The rows of one analysis: ``add`` fills the shared context in."""

    builder: ArdBuilder
    context_fields: dict

    def add(self, stat_name: str, stat: Any, stat_label: str, *, warning: str = "",
            error: str = "", **fields: Any) -> None:
        """One statistic; ``fields`` override the analysis's context (``group1_level``,
        ``variable``, ``variable_level``, ``group2``, ``conf_level``, ...)."""
        row = {**self.context_fields, **fields}
        value = stat_value(stat)
        if math.isnan(value) and not (warning or error):
            warning = "not estimable"
        for key in ("group1_level", "group2_level", "variable_level"):
            row[key] = level_text(row.get(key))
        row.update(stat_name=stat_name, stat_label=stat_label, stat=value, warning=warning,
                   error=error)
        self.builder.rows.append(row)

    def scoped(self, **fields: Any) -> ArdAnalysis:
        """The same analysis with more shared fields (e.g. one arm's ``group1_level``)."""
        return ArdAnalysis(self.builder, {**self.context_fields, **fields})


@dataclass
class ArdBuilder:
    """Rows of one notebook (``notebook``) on one population and data cut."""

    notebook: str
    population: str
    data_cut: str | None = None
    rows: list[dict] = field(default_factory=list)

    def analysis(self, analysis_id: str, method_id: str, context: str, *, output_id: str = "",
                 paramcd: str = "", conf_level: float | None = None, population: str | None = None,
                 **fields: Any) -> ArdAnalysis:
        """Start the rows of ``analysis_id`` (catalogue in ``docs/ard.md``)."""
        base = {"notebook": self.notebook, "analysis_id": analysis_id, "output_id": output_id,
                "method_id": method_id, "paramcd": paramcd or "",
                "population": population or self.population, "data_cut": self.data_cut or "",
                "conf_level": math.nan if conf_level is None else float(conf_level),
                "context": context, "group1": "", "group1_level": "", "group2": "",
                "group2_level": "", "variable": "", "variable_level": "", "stat_fmt": ""}
        return ArdAnalysis(self, {**base, **fields})

    def extend(self, ard: pd.DataFrame) -> None:
        """Add rows made elsewhere (already in the schema)."""
        self.rows.extend(ard.reindex(columns=list(ARD_COLUMNS)).to_dict("records"))

    def frame(self) -> pd.DataFrame:
        """The rows so far as a validated ARD."""
        df = pd.DataFrame(self.rows, columns=list(ARD_COLUMNS))
        return validate_ard(df, f"ARD of notebook {self.notebook}")
