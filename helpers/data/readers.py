"""Read one analysis table from CSV, Parquet, SAS transport (.xpt) or SAS7BDAT.

The result has a default RangeIndex in file order, so ``index + 1`` is the 1-based data row
of the file (used in error messages). Character columns are normalised across formats: blank
strings (SAS missing character values) become missing (NA); leading/trailing blanks are
stripped. Types are not converted here; the pandera schemas coerce and check them.

Before and after reading, ``helpers.data.file_checks`` says what is really wrong with a file as
sponsors send them (a spreadsheet named ``.csv``, another separator, a title line, a column
named twice, a SAS file cut short, SAS numeric dates without a date format); Parquet
categorical and timezone-aware columns are made plain.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from helpers.core.errors import DataValidationError
from helpers.data.file_checks import (check_file, check_no_numeric_dates, check_not_spreadsheet,
                                      check_sas7bdat_complete, check_xpt_complete, decode_text,
                                      inspect_csv, plain_parquet_columns)

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

    Raises ``DataValidationError`` naming the file when it is missing, of an unknown format,
    unreadable or malformed (see ``helpers.data.file_checks``), and the column where there is one.
    """
    fmt = table_format(path)
    path = Path(path)
    check_file(path)
    try:
        with open(path, "rb") as handle:
            check_not_spreadsheet(handle.read(8), path)
        frame = _READERS[fmt](path)
    except DataValidationError:
        raise
    except Exception as exc:  # the readers raise many types; report them uniformly
        raise DataValidationError(f"cannot read {fmt} file: {exc}", file=path) from exc
    frame = frame.reset_index(drop=True)
    check_no_numeric_dates(frame, path)
    return _normalise_text(frame)


def _read_csv(path: Path) -> pd.DataFrame:
    text = decode_text(path.read_bytes(), path)
    layout = inspect_csv(text, path)  # the csv module's view of the layout: pandas hides it
    frame = pd.read_csv(
        io.StringIO(text),
        dtype={name: str for name in TEXT_COLUMNS},
        keep_default_na=False,
        na_values=[""],
        index_col=False,  # a trailing delimiter never turns the first column into the index
    )
    if layout.trailing_delimiters and len(frame.columns) > len(layout.columns):
        frame = frame.iloc[:, :len(layout.columns)]  # the empty, unnamed last column
    return frame


def reading_notes(path: str | Path) -> list[str]:
    """What reading the table at ``path`` changed that a reader of the supplement should know
    (CSV: trailing delimiters dropped, :meth:`CsvLayout.note`); [] for other formats."""
    path = Path(path)
    if table_format(path) != "csv" or not path.is_file():
        return []
    note = inspect_csv(decode_text(path.read_bytes(), path), path).note(path)
    return [note] if note else []


def _read_parquet(path: Path) -> pd.DataFrame:
    return plain_parquet_columns(pd.read_parquet(path), path)


def _read_xpt(path: Path) -> pd.DataFrame:
    import pyreadstat  # here, not at the top: SAS files only (its import is ~0.1 s a notebook)

    check_xpt_complete(path)  # pyreadstat reads a truncated file without a word
    frame, _meta = pyreadstat.read_xport(str(path))
    return frame


def _read_sas7bdat(path: Path) -> pd.DataFrame:
    import pyreadstat

    check_sas7bdat_complete(path)
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
