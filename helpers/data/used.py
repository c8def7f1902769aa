"""What the analyses use of a sponsor's ADaM, so that only that is checked.

A sponsor's ADSL and ADTTE come with more than the supplement analyses: ADTTE parameters that
are no time to event (a count with AVALU COUNT, a duration of response), ADSL flags in the
sponsor's own coding. They never block a run:

- **ADTTE**: the rows of the study configuration's endpoints (``endpoints``) are validated in
  full (``helpers.data.schemas.ADTTE``); the rows of other PARAMCDs only for their key (text
  USUBJID and PARAMCD, one row per subject and parameter), their AVAL and CNSR read as numbers
  where they are numbers. An analysis of an unconfigured PARAMCD (the ``endpoint`` parameter)
  validates its rows when it asks for them (``helpers.data.trial_data.analysis_frame``).
- **ADSL**: ``*FL`` columns are checked as CDISC flags (Y, N, blank) when the study or the
  supplement uses them (the population flags, proportions, the flags the chapters read by
  name: :data:`PACKAGE_FLAGS`); the others are left as they are.
"""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from helpers.config.study import StudyConfig
from helpers.data.schemas import ADTTE, ADTTE_KEYS, DATE_COLUMNS, FLAG_COLUMNS, SCHEMAS, validate

__all__ = ["PACKAGE_FLAGS", "endpoint_codes", "unused_flags", "validate_table"]

#: ADSL flags the chapters read by name when present (randomised, analysis sets, the
#: procedure and local-control flags of a surgical trial).
PACKAGE_FLAGS = ("RANDFL", "ITTFL", "FASFL", "PPROTFL", "SAFFL", "SURGFL", "LOCULCFL", "LOCBLDFL")


def endpoint_codes(study: StudyConfig) -> set[str]:
    """The PARAMCDs the study configuration analyses."""
    return {e.paramcd for e in study.endpoints}


def unused_flags(columns, study: StudyConfig) -> list[str]:
    """The ``*FL`` columns among ``columns`` that neither the study nor the chapters use."""
    used = set(PACKAGE_FLAGS) | {f for f in study.populations.values() if f}
    used |= {p.name for p in study.proportions}
    used |= {v.name for v in (*study.subgroups, *study.baseline)} | set(study.strata)
    used |= set(study.covariates)
    return [c for c in map(str, columns) if re.fullmatch(FLAG_COLUMNS, c) and c not in used]


def validate_table(table: str, frame: pd.DataFrame, file: str | Path,
                   study: StudyConfig) -> pd.DataFrame:
    """``helpers.data.schemas.validate`` of one table read from ``file``, checking only what
    the analyses use (module docstring)."""
    if table == "adsl":
        return validate(frame, SCHEMAS["adsl"], file, unchecked=unused_flags(frame.columns, study))
    if table != "adtte" or "PARAMCD" not in frame.columns:
        return validate(frame, SCHEMAS[table], file)
    used = frame["PARAMCD"].isin(endpoint_codes(study))
    if used.all():
        return validate(frame, ADTTE, file)
    validate(frame, ADTTE_KEYS, file)  # the key of every row
    checked = validate(frame[used], ADTTE, file)
    rest = frame[~used].copy()
    for column in ("AVAL", "CNSR"):
        if column in rest:
            rest[column] = pd.to_numeric(rest[column], errors="coerce")
    for column in rest.columns:
        if re.fullmatch(DATE_COLUMNS, str(column)) and column in checked:
            rest[column] = pd.to_datetime(rest[column], errors="coerce")
    return pd.concat([checked, rest]).loc[frame.index]


def validate_rows(rows: pd.DataFrame, file: str | Path | None) -> pd.DataFrame:
    """The ADTTE rows of one unconfigured PARAMCD, validated in full when an analysis uses
    them (errors name the file's rows)."""
    return validate(rows, ADTTE, file or "ADTTE")
