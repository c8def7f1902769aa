"""Map a trial's validated ADaM tables onto the supplement's arms, populations and time unit.

What the study configuration (:mod:`helpers.config.study.config`) says is applied here, once, when
the data are loaded, and checked against the data with errors naming the file, the column,
example rows and the configuration key:

- **Arms.** The supplement shows the control arm as arm A and the experimental arm as arm B:
  ``ADSL.ARMCD`` becomes "A"/"B" (blank for patients not randomised and for other arms) and
  ``ADSL.ARM`` the configured labels; the sponsor's arm value is kept in ``ARMSRC``. Values
  other than the two compared arms are excluded from every analysis and counted in the flow
  table; when ``arms.others`` is given, a value in none of the three is an error (a typo must
  not silently drop patients). With ``arms.label_variable`` each arm's label in ADSL must equal
  the configured label (swapped labels are an error).
- **Randomised.** ``RANDFL`` when ADSL has it, else "Y" for every patient with an arm value.
- **Time.** ADTTE.AVAL is converted to the display unit (months: 30.4375 days) row by row from
  AVALU (DAYS, WEEKS, MONTHS, YEARS; case-insensitive), else from ``time.unit``. An AVALU that
  contradicts ``time.unit``, an unknown AVALU, or mixed AVALU values are errors: a time in days
  read as months is the worst silent error this supplement could make.
- **Censoring.** CNSR 0 is an event, any positive integer a censoring (CDISC). An event row
  with a censoring description (CNSDTDSC) or a censored row with an event description and no
  censoring description is an error (the flag and the text contradict each other).
- **Levels.** Values of a configured categorical variable outside its ``levels`` are an error.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataValidationError
from helpers.config.study.config import DAYS_PER_UNIT, UNIT_ALIASES, StudyConfig
from helpers.config.validators import column_hint
from helpers.data.schemas import FLAG_COLUMNS

__all__ = ["map_adsl", "map_adtte", "level_text", "check_flag"]

#: No follow-up time is longer than this: a longer AVAL is a unit or coding error.
MAX_YEARS = 100


def level_text(value) -> str:
    """A value as compared with configured levels: 1.0 and 1 read "1"."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _rows(frame: pd.DataFrame, mask: pd.Series) -> list[int]:
    return [int(i) + 1 for i in frame.index[mask]]


def _close(name: str, columns) -> str:
    """" ('ARMCD ' has a trailing space...)", " (exists as 'armcd' ...)", " (close: ...)"."""
    hint = column_hint(name, columns)
    return f" ({hint[2:]})" if hint else ""


def check_flag(adsl: pd.DataFrame, column: str, file, what: str) -> None:
    """``column`` exists in ADSL and holds Y/N (or blank) only; else a DataValidationError
    saying what the column was meant to be (``what``: the parameter or configuration key)."""
    if column not in adsl.columns:
        raise DataValidationError(f"{what}: {column} is not an ADSL column{_close(column, adsl.columns)}",
                                  file=file, column=column)
    values = adsl[column].dropna().map(level_text)
    bad = ~values.isin(["Y", "N"])
    if bad.any():
        examples = ", ".join(sorted(values[bad].astype(str).unique())[:3])
        raise DataValidationError(
            f"{what}: {column} is not a Y/N population flag (values {examples}, ...)",
            file=file, column=column, rows=_rows(values, bad))
    blank = adsl[column].isna()
    if blank.any():
        raise DataValidationError(
            f"{what}: {column} is blank on {int(blank.sum())} rows; a population flag is Y or N "
            "(CDISC): write N, or set 'blank_flag_as: N' in the study configuration when a blank "
            "means N", file=file, column=column, rows=_rows(adsl, blank))


def map_adsl(adsl: pd.DataFrame, study: StudyConfig, file: Path | None) -> pd.DataFrame:
    """ADSL with the supplement's ARMCD ("A" control, "B" experimental), ARM (labels), ARMSRC
    (the sponsor's arm value) and RANDFL; checked against the study configuration."""
    key = f"study configuration {study.path.name}"
    var = study.arm_variable
    if var not in adsl.columns:
        raise DataValidationError(
            f"the arm variable of the {key} (arms.variable) is not in ADSL{_close(var, adsl.columns)}",
            file=file, column=var)
    source = adsl[var].map(lambda v: v if pd.isna(v) else level_text(v))
    values = set(source.dropna())
    _check_case_clash(source, file, var, f"the arm variable (arms.variable) of the {key}")
    compared = {study.control.value: "A", study.experimental.value: "B"}
    for role, arm in (("control", study.control), ("experimental", study.experimental)):
        if arm.value not in values:
            raise DataValidationError(
                f"arms.{role}.value {arm.value!r} of the {key} is not a value of ADSL.{var} "
                f"(values: {', '.join(sorted(values)) or 'none'})", file=file, column=var)
    if study.other_arms is not None:
        unknown = source.notna() & ~source.isin([*compared, *study.other_arms])
        if unknown.any():
            found = ", ".join(sorted(source[unknown].unique()))
            raise DataValidationError(
                f"arm value(s) {found} are neither the control, the experimental arm nor in "
                f"arms.others of the {key}", file=file, column=var, rows=_rows(adsl, unknown))
    if study.arm_label_variable:
        _check_arm_labels(adsl, source, study, file)
    out = adsl.copy()
    out["ARMSRC"] = source
    code = source.map(compared)
    out["ARMCD"] = code.where(code.notna(), None).astype(object)
    out["ARM"] = code.map(study.arm_labels).where(code.notna(), None).astype(object)
    if "RANDFL" not in out.columns:
        out["RANDFL"] = np.where(source.notna(), "Y", "N")
    if study.blank_flag_as is not None:  # the study says a blank flag means N
        for name in out.columns:
            if re.fullmatch(FLAG_COLUMNS, str(name)):
                out[name] = out[name].where(out[name].notna(), study.blank_flag_as)
    for role, flag in study.populations.items():
        if flag is not None:
            check_flag(out, flag, file, f"populations.{role} of the {key}")
    _check_levels(out, study, file)
    return out


def _check_case_clash(values: pd.Series, file, column: str, what: str) -> None:
    """Refuse values of ``column`` that differ only in case (or surrounding blanks): "a" and
    "A" would be two arms, or two levels, where one was meant."""
    present = values.dropna().astype(str)
    groups: dict[str, set] = {}
    for value in present.unique():
        groups.setdefault(value.strip().casefold(), set()).add(value)
    clash = next((sorted(found) for found in groups.values() if len(found) > 1), None)
    if clash:
        counts = present.value_counts()
        listed = ", ".join(f"{v!r} ({counts[v]} rows)" for v in clash)
        minority = min(clash, key=lambda v: counts[v])
        raise DataValidationError(
            f"values {', '.join(clash)} differ only in case ({listed}) in {what}: write each "
            "value one way", file=file, column=column,
            rows=_rows(values, values.astype("string").eq(minority).fillna(False)))


def _check_arm_labels(adsl, source, study: StudyConfig, file) -> None:
    label_var = study.arm_label_variable
    if label_var not in adsl.columns:
        raise DataValidationError(
            f"arms.label_variable of the study configuration {study.path.name} is not in "
            f"ADSL{_close(label_var, adsl.columns)}", file=file, column=label_var)
    labels = adsl[label_var].astype("string")
    for role, arm in (("control", study.control), ("experimental", study.experimental)):
        wrong = (source == arm.value) & (labels != arm.label).fillna(True)
        if wrong.any():
            found = labels[wrong].dropna().iloc[0] if labels[wrong].notna().any() else "blank"
            raise DataValidationError(
                f"ADSL says {found!r} for {study.arm_variable} {arm.value!r}, the study "
                f"configuration (arms.{role}.label) says {arm.label!r}: labels swapped or "
                "wrong arm value", file=file, column=label_var, rows=_rows(adsl, wrong))


def _check_levels(adsl: pd.DataFrame, study: StudyConfig, file) -> None:
    for column, levels in study.levels().items():
        if column not in adsl.columns:
            continue
        allowed = {level_text(v) for v in levels}
        values = adsl[column].map(lambda v: v if pd.isna(v) else level_text(v))
        bad = values.notna() & ~values.isin(allowed)
        if bad.any():
            folded = {str(level).casefold(): str(level) for level in allowed}
            case_only = sorted({v for v in values[bad].astype(str) if v.casefold() in folded})
            if case_only:
                raise DataValidationError(
                    f"values {', '.join(case_only)} differ only in case from the configured "
                    f"levels {', '.join(folded[v.casefold()] for v in case_only)}: write them "
                    "as configured", file=file, column=column,
                    rows=_rows(adsl, values.isin(case_only)))
            found = ", ".join(sorted(values[bad].astype(str).unique())[:3])
            raise DataValidationError(
                f"values not in the configured levels {[level_text(v) for v in levels]} "
                f"(study configuration {study.path.name}): {found}",
                file=file, column=column, rows=_rows(adsl, bad))


def map_adtte(adtte: pd.DataFrame, study: StudyConfig, file: Path | None) -> pd.DataFrame:
    """ADTTE with AVAL in the display unit (AVALU set to it) and CNSR checked against the event
    and censoring descriptions; the primary endpoint must be present."""
    out = adtte.copy()
    units = _row_units(out, study, file)
    factor = units.map(lambda u: DAYS_PER_UNIT[u] / DAYS_PER_UNIT[study.display_unit])
    if (factor != 1.0).any():  # exact 1.0 leaves the values untouched
        out["AVAL"] = out["AVAL"].astype(float) * factor.astype(float)
    out["AVALU"] = study.display_unit.upper()
    limit = MAX_YEARS * DAYS_PER_UNIT["years"] / DAYS_PER_UNIT[study.display_unit]
    implausible = out["AVAL"].astype(float) > limit
    if implausible.any():
        raise DataValidationError(
            f"times of more than {MAX_YEARS} years (AVAL in {units[implausible].iloc[0]}): a "
            "wrong AVALU or time.unit, or a missing-value code", file=file, column="AVAL",
            rows=_rows(out, implausible),
            detail="values " + ", ".join(repr(v) for v in adtte.loc[implausible, "AVAL"].head(3)))
    _check_zero_times(out, file)
    _check_censoring_text(out, file)
    codes = set(out["PARAMCD"].dropna())
    if study.primary.paramcd not in codes:
        raise DataValidationError(
            f"endpoints.primary.paramcd {study.primary.paramcd!r} of the study configuration "
            f"{study.path.name} has no rows (PARAMCD present: {', '.join(sorted(codes))})",
            file=file, column="PARAMCD")
    return out


def _check_zero_times(adtte: pd.DataFrame, file) -> None:
    """Refuse an endpoint whose every AVAL is 0 (or the whole column at 0): a time column
    filled with a default, not follow-up (Kaplan-Meier and Cox would run on nothing)."""
    aval = adtte["AVAL"].astype(float)
    if len(aval) and (aval == 0).all():
        raise DataValidationError(
            f"every AVAL is 0 ({len(aval)} rows): no follow-up time; AVAL is the time from the "
            "start date to the event or censoring (a default value or the wrong column?)",
            file=file, column="AVAL", rows=_rows(adtte, aval == 0))
    for code, group in adtte.groupby("PARAMCD", sort=True):
        if len(group) > 1 and (group["AVAL"].astype(float) == 0).all():
            raise DataValidationError(
                f"every AVAL of endpoint {code} (PARAMCD) is 0 ({len(group)} rows): no follow-up "
                "time (a default value or the wrong column?)", file=file, column="AVAL",
                rows=[int(i) + 1 for i in group.index])


def _row_units(adtte: pd.DataFrame, study: StudyConfig, file) -> pd.Series:
    if "AVALU" not in adtte.columns:
        if study.time_unit is None:
            raise DataValidationError(
                f"ADTTE has no AVALU column and the study configuration {study.path.name} gives "
                "no time.unit: the unit of AVAL is unknown", file=file, column="AVAL")
        return pd.Series(study.time_unit, index=adtte.index)
    raw = adtte["AVALU"].astype("string").str.strip().str.lower()
    units = raw.map(lambda u: UNIT_ALIASES.get(u) if isinstance(u, str) else None)
    blank = raw.isna()
    unknown = ~blank & units.isna()
    if unknown.any():
        found = ", ".join(sorted(adtte.loc[unknown, "AVALU"].astype(str).unique())[:3])
        raise DataValidationError(f"unknown time unit(s) {found}; expected DAYS, WEEKS, MONTHS or YEARS",
                                  file=file, column="AVALU", rows=_rows(adtte, unknown))
    if blank.any():
        if study.time_unit is None:
            raise DataValidationError("blank AVALU and no time.unit in the study configuration",
                                      file=file, column="AVALU", rows=_rows(adtte, blank))
        units = units.where(~blank, study.time_unit)
    found = sorted(set(units[~blank]))
    if len(found) > 1:
        raise DataValidationError(
            f"AVALU mixes units ({', '.join(found)}); convert AVAL to one unit", file=file,
            column="AVALU", rows=_rows(adtte, units != found[0]))
    if study.time_unit is not None and found and found[0] != study.time_unit:
        raise DataValidationError(
            f"AVALU says {found[0]}, the study configuration {study.path.name} (time.unit) says "
            f"{study.time_unit}: remove time.unit or correct it", file=file, column="AVALU")
    return units


def _check_censoring_text(adtte: pd.DataFrame, file) -> None:
    def present(column: str) -> pd.Series:
        if column not in adtte.columns:
            return pd.Series(False, index=adtte.index)
        return adtte[column].notna() & (adtte[column].astype("string").str.strip() != "")

    event = adtte["CNSR"] == 0
    censor_text, event_text = present("CNSDTDSC"), present("EVNTDESC")
    bad = event & censor_text
    if bad.any():
        raise DataValidationError("CNSR = 0 (event) on rows with a censoring description (CNSDTDSC)",
                                  file=file, column="CNSR", rows=_rows(adtte, bad))
    if censor_text[~event].any():  # the file describes censorings: a censored row needs one
        bad = ~event & event_text & ~censor_text
        if bad.any():
            raise DataValidationError(
                "CNSR > 0 (censored) on rows with an event description (EVNTDESC) and no "
                "censoring description (CNSDTDSC)", file=file, column="CNSR", rows=_rows(adtte, bad))
