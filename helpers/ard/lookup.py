"""``ArdView``: read statistics back from an ARD by their key, for the report layer.

Every number the report prints comes through here, so a table, annotation or sentence cannot
show a value that is not in the run's ARD.
"""

from __future__ import annotations

import math

import pandas as pd

from helpers.core.errors import ParameterError

from .build import level_text

__all__ = ["ArdLookupError", "ArdView"]


class ArdLookupError(ParameterError):
    """No row (or more than one) for a requested statistic."""


class ArdView:
    """An ARD with keyed access: ``view.stat("OS.cox.primary", "estimate")``. ``arm_names``:
    how the report names the arm codes of ``group1_level`` (the study's ``arms.names``,
    e.g. {"A": "arm A", "B": "arm B"}; None: the report's default), like the level labels
    {cards} keeps beside an ARD; never part of the ARD itself."""

    def __init__(self, ard: pd.DataFrame, arm_names: dict | None = None):
        self.ard = ard
        self.arm_names = arm_names

    def rows(self, analysis_id: str, **where) -> pd.DataFrame:
        """The rows of ``analysis_id`` matching every ``column=value`` of ``where``."""
        df = self.ard[self.ard["analysis_id"] == analysis_id]
        for column, value in where.items():
            df = df[df[column] == (level_text(value) if column.endswith("_level") else value)]
        return df

    def has(self, analysis_id: str, **where) -> bool:
        return not self.rows(analysis_id, **where).empty

    def row(self, analysis_id: str, stat_name: str, **where) -> pd.Series:
        """Exactly one row, or ``ArdLookupError`` naming what was asked."""
        df = self.rows(analysis_id, stat_name=stat_name, **where)
        if len(df) != 1:
            what = ", ".join(f"{k}={v!r}" for k, v in where.items())
            raise ArdLookupError(f"ARD has {len(df)} rows for {analysis_id} {stat_name}"
                                 + (f" ({what})" if what else ""))
        return df.iloc[0]

    def stat(self, analysis_id: str, stat_name: str, **where) -> float:
        """The value (NaN when not estimable)."""
        return float(self.row(analysis_id, stat_name, **where)["stat"])

    def fmt(self, analysis_id: str, stat_name: str, **where) -> str:
        """The value as printed (``stat_fmt``)."""
        return str(self.row(analysis_id, stat_name, **where)["stat_fmt"])

    def reason(self, analysis_id: str, stat_name: str, **where) -> str:
        """Why the value is missing ("" when it is not)."""
        row = self.row(analysis_id, stat_name, **where)
        return "" if not math.isnan(row["stat"]) else (row["warning"] or row["error"])
