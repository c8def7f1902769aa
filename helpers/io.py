"""Read one analysis table from CSV, Parquet, SAS transport (.xpt) or SAS7BDAT.

The result has a default RangeIndex in file order, so ``index + 1`` is the 1-based data row
of the file (used in error messages). Character columns are normalised across formats: blank
strings (SAS missing character values) become missing (NA); leading/trailing blanks are
stripped. Types are not converted here; the pandera schemas coerce and check them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyreadstat

from helpers.errors import DataValidationError

#: file suffix -> format name
FORMATS = {".csv": "csv", ".parquet": "parquet", ".xpt": "xpt", ".sas7bdat": "sas7bdat"}

#: identifier columns always read as text from CSV (so "0012" stays "0012")
TEXT_COLUMNS = ("STUDYID", "USUBJID", "SITEID")


def table_format(path: str | Path) -> str:
    """The format name of ``path`` by its suffix (case-insensitive); unknown -> error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise DataValidationError(
            f"unknown table format {suffix or '(no suffix)'!r}; expected one of {known}",
            file=path,
        )
    return FORMATS[suffix]


def read_table(path: str | Path) -> pd.DataFrame:
    """Read the table at ``path`` by its suffix (.csv, .parquet, .xpt, .sas7bdat).

    Raises ``DataValidationError`` naming the file when it is missing, of an unknown format or
    unreadable.
    """
    fmt = table_format(path)
    path = Path(path)
    if not path.is_file():
        raise DataValidationError("file not found", file=path)
    try:
        frame = _READERS[fmt](path)
    except DataValidationError:
        raise
    except Exception as exc:  # the readers raise many types; report them uniformly
        raise DataValidationError(f"cannot read {fmt} file: {exc}", file=path) from exc
    return _normalise_text(frame.reset_index(drop=True))


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(
        path,
        dtype={name: str for name in TEXT_COLUMNS},
        keep_default_na=False,
        na_values=[""],
    )


def _read_parquet(path: Path) -> pd.DataFrame:
    return pd.read_parquet(path)


def _read_xpt(path: Path) -> pd.DataFrame:
    frame, _meta = pyreadstat.read_xport(str(path))
    return frame


def _read_sas7bdat(path: Path) -> pd.DataFrame:
    frame, _meta = pyreadstat.read_sas7bdat(str(path))
    return frame


_READERS = {"csv": _read_csv, "parquet": _read_parquet, "xpt": _read_xpt, "sas7bdat": _read_sas7bdat}


def _normalise_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Strip character columns and turn blank strings into NA."""
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object or pd.api.types.is_string_dtype(column.dtype):
            stripped = column.map(lambda v: v.strip() if isinstance(v, str) else v)
            frame[name] = stripped.mask(stripped.eq(""))
    return frame
