"""pandera schemas of ADSL, ADTTE and ADAE, and their validation into ``DataValidationError``.

Validation is lazy (every failing check is collected); the error raised names the file, the
first failing column and example rows (1-based data rows of the file: index + 1), and lists
the other failing columns in its message. Types are coerced (CSV text -> dates, numbers);
integers use pandas' nullable ``Int64`` so that 0.5 is an error rather than truncated to 0.
Character values are compared exactly (case-sensitive) against the allowed values.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from helpers.core.errors import DataValidationError
from helpers.config.validators import column_hint

YN = ("Y", "N")
PARAMCDS = ("OS", "LRFS", "PTRFS", "MPFS")


def _is_text(series: pd.Series) -> pd.Series:
    return series.map(lambda v: isinstance(v, str) or v is None or v is pd.NA
                      or (isinstance(v, float) and np.isnan(v)))


def text(allowed: tuple[str, ...] | None = None, nullable: bool = False,
         required: bool = True) -> pa.Column:
    """A character column, optionally restricted to ``allowed`` values (missing allowed if
    ``nullable``)."""
    checks = [pa.Check(_is_text, element_wise=False, error="values that are not text")]
    if allowed is not None:
        checks.append(pa.Check.isin(list(allowed), error=f"values not in {list(allowed)}"))
    return pa.Column(None, checks=checks, nullable=nullable, required=required)


def integer(*checks: pa.Check, nullable: bool = False, required: bool = True) -> pa.Column:
    """A whole-number column (nullable ``Int64``)."""
    return pa.Column("Int64", checks=list(checks), nullable=nullable, coerce=True,
                     required=required)




FINITE = pa.Check(lambda s: np.isfinite(s), error="infinite values")
NONNEGATIVE = pa.Check.ge(0, error="negative values")

#: CDISC naming rules applied to every ADSL/ADTTE/ADAE column that follows them: ``*FL`` is a
#: Y/N flag (blank allowed), ``*DT`` a date. Other columns (a study's own, e.g. SUBTYPE)
#: are the study's own: their allowed levels come from the study configuration.
FLAG_COLUMNS = r"^[A-Z0-9]*FL$"
DATE_COLUMNS = r"^[A-Z0-9]*DT$"


FLAG_CHECKS = [pa.Check(lambda s: s.map(lambda v: isinstance(v, str) or pd.isna(v)),
                       element_wise=False, error="values that are not text"),
               pa.Check.isin(list(YN), error=f"values not in {list(YN)}")]


def with_cdisc_columns(schema: pa.DataFrameSchema, columns) -> pa.DataFrameSchema:
    """``schema`` plus a typed column for each of ``columns`` that follows the CDISC naming
    rules (``*FL`` flags, ``*DT`` dates) and that the schema does not list itself."""
    import re

    extra = {}
    for name in columns:
        name = str(name)
        if name in schema.columns:
            continue
        if re.fullmatch(FLAG_COLUMNS, name):
            extra[name] = pa.Column(None, checks=FLAG_CHECKS, nullable=True, required=False)
        elif re.fullmatch(DATE_COLUMNS, name):
            extra[name] = pa.Column("datetime64[ns]", nullable=True, coerce=True, required=False)
    return schema.add_columns(extra) if extra else schema


#: ADSL: required are USUBJID and (checked with the study configuration) the arm variable and
#: the population flag; the columns listed here are typed when present.
ADSL = pa.DataFrameSchema(
    {
        "USUBJID": text(),
        "AGE": integer(pa.Check.in_range(0, 120, error="ages outside 0-120"), nullable=True,
                       required=False),
    },
    unique=["USUBJID"],
    report_duplicates="all",
    name="ADSL",
)

#: ADTTE: one row per subject and endpoint. AVAL in the unit of AVALU (or of the study
#: configuration's time.unit); CNSR 0 = event, any positive integer = censored (CDISC).
ADTTE = pa.DataFrameSchema(
    {
        "USUBJID": text(),
        "PARAMCD": text(),
        "AVAL": pa.Column("float64", checks=[NONNEGATIVE, FINITE], coerce=True),
        "CNSR": integer(pa.Check.ge(0, error="negative values (CNSR: 0 event, 1, 2, ... censored)")),
    },
    unique=["USUBJID", "PARAMCD"],
    report_duplicates="all",
    name="ADTTE",
)

#: ADTTE rows of parameters no analysis uses (a count, a duration of response): only the key
#: is checked (text USUBJID and PARAMCD, one row per subject and parameter).
ADTTE_KEYS = pa.DataFrameSchema(
    {"USUBJID": text(), "PARAMCD": text()},
    unique=["USUBJID", "PARAMCD"],
    report_duplicates="all",
    name="ADTTE",
)

#: ADAE (only the safety chapter needs it): the columns it tabulates.
ADAE = pa.DataFrameSchema(
    {
        "USUBJID": text(),
        "AESEQ": integer(pa.Check.ge(1, error="values below 1")),
        "AEDECOD": text(),
        "AEBODSYS": text(),
        "AETOXGR": integer(pa.Check.isin([1, 2, 3, 4, 5], error="grades not in 1-5")),
        "AESER": text(YN, nullable=True, required=False),
        "ASTDY": integer(nullable=True, required=False),
    },
    unique=["USUBJID", "AESEQ"],
    report_duplicates="all",
    name="ADAE",
)

SCHEMAS = {"adsl": ADSL, "adtte": ADTTE, "adae": ADAE}


def validate(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str | Path,
             unchecked: Collection[str] = ()) -> pd.DataFrame:
    """Validate ``frame`` (read from ``file``) against ``schema``; return it coerced.

    Raises ``DataValidationError`` for a missing column (suggesting a close match), a wrong
    type, a disallowed or missing value, or a duplicate key. ``unchecked``: ``*FL`` columns no
    analysis uses, left as they are (a sponsor's flag in its own coding never blocks a run).
    """
    _check_columns(frame, schema, file)
    unchecked = set(unchecked)
    check_flag_values(frame[[c for c in frame.columns if c not in unchecked]], file)
    schema = _decimal_age(frame, schema)
    _check_whole_numbers(frame, schema, file)
    schema = with_cdisc_columns(schema, [c for c in frame.columns if c not in unchecked])
    try:
        valid = schema.validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise _to_error(exc, schema, file) from None
    return _plain_integers(valid, schema)


def _decimal_age(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pa.DataFrameSchema:
    """ADSL.AGE in years with a fraction (pharmaverse's ADSL: 34.7) is a number in 0-120, not
    an error: whole ages stay integers as before."""
    if "AGE" not in schema.columns or "AGE" not in frame or str(schema.columns["AGE"].dtype) != "Int64":
        return schema
    values = pd.to_numeric(frame["AGE"], errors="coerce")
    if not (values.notna() & np.isfinite(values) & (values % 1 != 0)).any():
        return schema
    return schema.update_column("AGE", dtype="float64")


def _full_width(value: object) -> bool:
    return isinstance(value, str) and any("\uff01" <= ch <= "\uff5e" for ch in value)


def check_flag_values(frame: pd.DataFrame, file: str | Path) -> None:
    """Refuse ``*FL`` columns holding anything but Y, N or blank (CDISC flags): 'Yes'/'No',
    'y', 1/0, TRUE and full-width 'Ｙ' are listed with their counts, file, column and rows.
    (Whether a blank means N is the study configuration's ``blank_flag_as``.)"""
    import re

    for name in frame.columns:
        if not re.fullmatch(FLAG_COLUMNS, str(name)):
            continue
        column = frame[name]
        bad = column.notna() & ~column.isin(YN)
        if not bad.any():
            continue
        counts = column[bad].value_counts(sort=False)
        found = ", ".join(f"{value!r}{' (full-width)' if _full_width(value) else ''} "
                          f"({n} {'row' if n == 1 else 'rows'})" for value, n in counts.items())
        rows = [int(i) + 1 for i in frame.index[bad]]
        raise DataValidationError(
            f"values not in Y, N (a CDISC flag is Y, N or blank): found {found}; write Y or N",
            file=file, column=str(name), rows=rows)


def _check_columns(frame: pd.DataFrame, schema: pa.DataFrameSchema, file: str | Path) -> None:
    missing = [name for name, col in schema.columns.items()
               if col.required and name not in frame.columns]
    if not missing:
        return
    name = missing[0]
    extra = [c for c in frame.columns if c not in schema.columns]
    spaced = [m for m in missing if "space" in column_hint(m, extra)]
    if spaced:  # 'USUBJID ' read from a header with a trailing space
        raise DataValidationError(
            f"required {schema.name} column is missing{column_hint(spaced[0], extra)}",
            file=file, column=spaced[0])
    other_case = {m: c for m in missing for c in extra if str(c).upper() == m.upper()}
    if other_case:  # column names are case-sensitive: say so rather than "missing"
        found = ", ".join(f"{c!r} for {m}" for m, c in other_case.items())
        raise DataValidationError(
            f"required {schema.name} column{'s exist' if len(other_case) > 1 else ' exists'} "
            f"only in another case ({found}); column names are case-sensitive: write them in upper "
            f"case as in the data contract", file=file, column=next(iter(other_case)))
    close = difflib.get_close_matches(name, [str(c) for c in extra], n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    others = f"; also missing: {', '.join(missing[1:])}" if len(missing) > 1 else ""
    raise DataValidationError(f"required {schema.name} column is missing{hint}{others}",
                              file=file, column=name)


def _check_whole_numbers(frame: pd.DataFrame, schema: pa.DataFrameSchema, file) -> None:
    """Numbers with a fraction in an integer column (CNSR 0.5): an error naming the rows (a
    failed coercion of a float column would name none)."""
    for name, column in schema.columns.items():
        if str(column.dtype) != "Int64" or name not in frame:
            continue
        values = pd.to_numeric(frame[name], errors="coerce")
        bad = values.notna() & np.isfinite(values) & (values % 1 != 0)
        if bad.any():
            rows = [int(i) + 1 for i in frame.index[bad]]
            raise DataValidationError(
                f"{len(rows)} {'row' if len(rows) == 1 else 'rows'} with values of the wrong "
                "type (expected whole numbers)", file=file, column=name, rows=rows,
                detail="values " + ", ".join(repr(v) for v in frame.loc[bad, name].head(3)))


def _to_error(exc: SchemaErrors, schema: pa.DataFrameSchema, file: str | Path) -> DataValidationError:
    cases = exc.failure_cases.copy()
    cases["column"] = cases["column"].fillna(cases["schema_context"])
    groups = list(cases.groupby(["column", "check"], sort=False, dropna=False))
    (column, check), first = groups[0]
    index = pd.to_numeric(first["index"], errors="coerce").dropna().astype(int)
    rows = sorted(set(index + 1))
    what = _describe(str(check))
    if what == "duplicate key values":
        column = ", ".join(schema.unique or [str(column)])
    count = len(rows) if rows else len(first)
    noun = "row" if count == 1 else "rows"
    message = f"{count} {noun} with {what}"
    detail = "values " + ", ".join(repr(v) for v in first["failure_case"].head(3))
    others = sorted({str(c) for (c, _k), _g in groups[1:] if str(c) not in str(column)})
    if others:
        detail += f"; other failing columns: {', '.join(others)}"
    return DataValidationError(message, file=file, column=str(column), rows=rows, detail=detail)


def _describe(check: str) -> str:
    if check.startswith("coerce_dtype"):
        return "values of the wrong type (expected " + check[len("coerce_dtype("):].rstrip(")") + ")"
    if check == "not_nullable":
        return "missing values"
    if "uniqueness" in check or check.startswith("unique"):
        return "duplicate key values"
    return check


def _plain_integers(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Int64 columns without missing values become plain int64 (what numpy/lifelines expect)."""
    for name, column in schema.columns.items():
        if str(column.dtype) == "Int64" and name in frame and not frame[name].isna().any():
            frame[name] = frame[name].astype("int64")
    return frame
