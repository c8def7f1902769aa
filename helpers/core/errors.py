"""Errors raised on bad input data and bad run parameters.

``DataValidationError`` always names what a user needs to fix the input: the file, the column
and example rows. Rows are 1-based data rows as in the file (the first row after a CSV header
is row 1) or, for cross-table checks, USUBJIDs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MAX_EXAMPLE_ROWS = 5


def format_rows(rows: Sequence[object], limit: int = MAX_EXAMPLE_ROWS) -> str:
    """``"rows 4, 17, 250"`` (at most ``limit`` examples, then ``", ..."``); ``"row 4"``."""
    if len(rows) == 1:
        return f"row {rows[0]}"
    shown = ", ".join(str(r) for r in rows[:limit])
    more = ", ..." if len(rows) > limit else ""
    return f"rows {shown}{more}"


class DataValidationError(Exception):
    """An input table is missing, unreadable or breaks the data contract.

    Attributes: ``file`` (path as given, or None), ``column`` (or None), ``rows`` (example
    row numbers or USUBJIDs, a tuple), ``message`` (what is wrong, without the location) and
    ``detail`` (example values, other failing columns; or None). ``str()`` reads
    ``"data/adtte.csv: column AVAL: 3 rows with negative values (rows 4, 17, 250): -1.0, ..."``.
    """

    def __init__(
        self,
        message: str,
        *,
        file: object | None = None,
        column: str | None = None,
        rows: Iterable[object] = (),
        detail: str | None = None,
    ) -> None:
        self.message = message
        self.detail = detail
        self.file = None if file is None else str(file)
        self.column = column
        self.rows = tuple(rows)
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = []
        if self.file is not None:
            parts.append(self.file)
        if self.column is not None:
            parts.append(f"column {self.column}")
        text = self.message
        if self.rows:
            text = f"{text} ({format_rows(self.rows)})"
        parts.append(text)
        if self.detail:
            parts.append(self.detail)
        return ": ".join(parts)


class ParameterError(ValueError):
    """A run parameter (papermill parameter file or function argument) is invalid."""
