"""``ArdView``: read statistics back from an ARD by their key, for the report layer.

Every number the report prints comes through here, so a table, annotation or sentence cannot
show a value that is not in the run's ARD.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from helpers.core.errors import ParameterError

from .build import level_text

__all__ = ["ArdLookupError", "ArdView"]


#: An arm named by its supplement code in a reason the analyses give ("no events in arm B",
#: "no events in arm A and B": the survival layer names the arm column's values, "A"/"B").
_ARM_CODES = re.compile(r"\barm ([AB])(?: and ([AB]))?\b")


def _missing(value) -> bool:
    """A missing value as pandas' comparisons see it (None, NaN, NA, NaT): equal to nothing."""
    return bool(pd.isna(value))


class ArdLookupError(ParameterError):
    """No row (or more than one) for a requested statistic."""


class ArdView:
    """An ARD with keyed access: ``view.stat("OS.cox.primary", "estimate")``. ``arm_names``:
    how the report names the arm codes of ``group1_level`` (the study's ``arms.names``,
    e.g. {"A": "arm A", "B": "arm B"}; None: the report's default), like the level labels
    {cards} keeps beside an ARD; never part of the ARD itself. ``variable_labels``: the
    study's labels of its variables ({"METGR": "Metastatic organs"}), for the sentences that
    name them (the strata), likewise beside the ARD."""

    def __init__(self, ard: pd.DataFrame, arm_names: dict | None = None,
                 variable_labels: dict | None = None):
        self.ard = ard
        self.arm_names = arm_names
        self.variable_labels = variable_labels or {}

    @property
    def ard(self) -> pd.DataFrame:
        return self._ard

    @ard.setter
    def ard(self, ard: pd.DataFrame) -> None:
        self._ard = ard
        self._by_id: dict | None = None  # analysis_id -> row positions, built on first use
        self._values: dict[str, list] = {}  # column -> its values as a list

    def rows(self, analysis_id: str, **where) -> pd.DataFrame:
        """The rows of ``analysis_id`` matching every ``column=value`` of ``where``."""
        return self._ard.iloc[self._positions(analysis_id, **where)]

    def _positions(self, analysis_id: str, **where) -> list[int]:
        """Positions of the rows of ``analysis_id`` matching every ``column=value`` of ``where``:
        the same rows, in the same order, as ``ard[(ard[column] == value) & ...]`` (pandas'
        object comparison: a missing value equals nothing), found through an index of
        ``analysis_id`` built once: a chapter asks for thousands of statistics, and a boolean
        mask over the whole ARD for each was a large part of a notebook's time."""
        if self._by_id is None:
            by_id: dict = {}
            for position, value in enumerate(self._column("analysis_id")):
                if not _missing(value):
                    by_id.setdefault(value, []).append(position)
            self._by_id = by_id
        positions = [] if _missing(analysis_id) else self._by_id.get(analysis_id, [])
        for column, value in where.items():
            target = level_text(value) if column.endswith("_level") else value
            values = self._column(column)
            positions = [] if _missing(target) else [
                p for p in positions if not _missing(values[p]) and values[p] == target]
        return positions

    def _column(self, column: str) -> list:
        if column not in self._values:
            self._values[column] = self._ard[column].tolist()
        return self._values[column]

    def has(self, analysis_id: str, **where) -> bool:
        return bool(self._positions(analysis_id, **where))

    def row(self, analysis_id: str, stat_name: str, **where) -> pd.Series:
        """Exactly one row, or ``ArdLookupError`` naming what was asked."""
        return self._ard.iloc[self._one(analysis_id, stat_name, **where)]

    def _one(self, analysis_id: str, stat_name: str, **where) -> int:
        """The position of exactly one row, or ``ArdLookupError`` naming what was asked."""
        positions = self._positions(analysis_id, stat_name=stat_name, **where)
        if len(positions) != 1:
            what = ", ".join(f"{k}={v!r}" for k, v in where.items())
            raise ArdLookupError(f"ARD has {len(positions)} rows for {analysis_id} {stat_name}"
                                 + (f" ({what})" if what else ""))
        return positions[0]

    def stat(self, analysis_id: str, stat_name: str, **where) -> float:
        """The value (NaN when not estimable)."""
        return float(self._column("stat")[self._one(analysis_id, stat_name, **where)])

    def fmt(self, analysis_id: str, stat_name: str, **where) -> str:
        """The value as printed (``stat_fmt``)."""
        return str(self._column("stat_fmt")[self._one(analysis_id, stat_name, **where)])

    def reason(self, analysis_id: str, stat_name: str, **where) -> str:
        """Why the value is missing ("" when it is not), the arms named as the view names them
        ("no events in arm B" -> "no events in the experimental arm" for a study without arm
        names), never by the supplement's codes."""
        position = self._one(analysis_id, stat_name, **where)
        if not math.isnan(self._column("stat")[position]):
            return ""
        return self.named(self._column("warning")[position] or self._column("error")[position])

    def named(self, text: str) -> str:
        """``text`` with the arms its reasons name by code ("arm B", "arm A and B") named by
        ``arm_names`` (unchanged without them)."""
        if not self.arm_names or not text:
            return text
        return _ARM_CODES.sub(lambda m: " and ".join(self.arm_names.get(code, f"arm {code}")
                                                     for code in m.groups() if code), text)
