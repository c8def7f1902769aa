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
  Labelled levels (``levels: {0: Female, 1: Male}``) must each occur in the data, and the
  column then holds the labels (what every table, figure and the ARD show).
- **Population ``all``.** ADSL gets the flag column ``all``: "Y" for every patient with an arm
  value (the full analysis set of a trial whose ADSL has no ITTFL/FASFL).
- **Only what the analyses use.** AVALU, the time conversion and the censoring descriptions
  are checked on the rows of the configured endpoints (``endpoints``); the rows of other
  PARAMCDs (e.g. a count with AVALU COUNT) are converted when their unit is a time unit and
  otherwise kept as they are (``analysis_frame`` refuses them as an endpoint).
- **All problems at once.** The checks of one table run on and their errors are raised
  together (:class:`helpers.data.problems.DataProblemsError`).
- **Competing risks.** ``competing_risks`` with rows of its endpoint: the event-type column
  exists, event rows hold configured codes only, each code occurs (``_check_competing``).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from helpers.core.errors import DataValidationError
from helpers.config.study.config import DAYS_PER_UNIT, UNIT_ALIASES, StudyConfig
from helpers.config.validators import column_hint
from helpers.data.problems import Problems
from helpers.data.schemas import FLAG_COLUMNS

__all__ = ["map_adsl", "map_adtte", "level_text", "check_flag", "ALL_POPULATION"]

#: The population "every patient with an arm value" (an ADSL flag column the mapping adds).
ALL_POPULATION = "all"

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
    problems = Problems()
    for role, arm in (("control", study.control), ("experimental", study.experimental)):
        if arm.value not in values:
            problems.add(DataValidationError(
                f"arms.{role}.value {arm.value!r} of the {key} is not a value of ADSL.{var} "
                f"(values: {', '.join(sorted(values)) or 'none'})", file=file, column=var))
    if study.other_arms is not None:
        unknown = source.notna() & ~source.isin([*compared, *study.other_arms])
        if unknown.any():
            found = ", ".join(sorted(source[unknown].unique()))
            problems.add(DataValidationError(
                f"arm value(s) {found} are neither the control, the experimental arm nor in "
                f"arms.others of the {key}", file=file, column=var, rows=_rows(adsl, unknown)))
    if study.arm_label_variable:
        with problems.check():
            _check_arm_labels(adsl, source, study, file)
    out = adsl.copy()
    out["ARMSRC"] = source
    code = source.map(compared)
    out["ARMCD"] = code.where(code.notna(), None).astype(object)
    out["ARM"] = code.map(study.arm_labels).where(code.notna(), None).astype(object)
    if "RANDFL" not in out.columns:
        out["RANDFL"] = np.where(source.notna(), "Y", "N")
    if ALL_POPULATION in study.populations.values() and ALL_POPULATION not in out.columns:
        out[ALL_POPULATION] = np.where(source.notna(), "Y", "N")
    if study.blank_flag_as is not None:  # the study says a blank flag means N
        for name in out.columns:
            if re.fullmatch(FLAG_COLUMNS, str(name)):
                out[name] = out[name].where(out[name].notna(), study.blank_flag_as)
    for role, flag in study.populations.items():
        if flag is not None:
            with problems.check():
                check_flag(out, flag, file, f"populations.{role} of the {key}")
    with problems.check():
        _check_levels(out, study, file)
    problems.raise_any()
    return _label_levels(out, study, file)


def _label_levels(adsl: pd.DataFrame, study: StudyConfig, file) -> pd.DataFrame:
    """Labelled levels: every configured value occurs in ADSL; the column holds the labels."""
    problems = Problems()
    for column, labels in study.level_labels().items():
        if column not in adsl.columns:
            continue
        values = adsl[column].map(lambda v: v if pd.isna(v) else level_text(v))
        absent = [v for v in labels if v not in set(values.dropna())]
        if absent:
            problems.add(DataValidationError(
                f"key {_levels_key(study, column)!r} of the study configuration {study.path}: a "
                f"level label for value(s) {', '.join(map(repr, absent))} that ADSL.{column} "
                f"does not have (values: {', '.join(sorted(set(values.dropna()))) or 'none'})",
                file=file, column=column))
            continue
        adsl[column] = values.map(lambda v: labels.get(v, v) if isinstance(v, str) else v)
    problems.raise_any()
    return adsl


def _levels_key(study: StudyConfig, column: str) -> str:
    """The dotted configuration key of ``column``'s labelled levels (``subgroups[0].levels``)."""
    for name, variables in (("subgroups", study.subgroups), ("baseline", study.baseline)):
        for i, variable in enumerate(variables):
            if variable.name == column and variable.level_values:
                return f"{name}[{i}].levels"
    return "levels"


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
    problems = Problems()
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
            problems.add(DataValidationError(
                f"values not in the configured levels {[level_text(v) for v in levels]} "
                f"(study configuration {study.path.name}): {found}",
                file=file, column=column, rows=_rows(adsl, bad)))
    problems.raise_any()


def map_adtte(adtte: pd.DataFrame, study: StudyConfig, file: Path | None) -> pd.DataFrame:
    """ADTTE with AVAL in the display unit (AVALU set to it) and CNSR checked against the event
    and censoring descriptions; the primary endpoint must be present. Only the rows of the
    configured endpoints are checked; other PARAMCDs are converted when their AVALU is a time
    unit and otherwise kept unchanged (their AVALU too)."""
    out = adtte.copy()
    used = out["PARAMCD"].isin([e.paramcd for e in study.endpoints])
    problems = Problems()
    units = None
    with problems.check():
        units = _row_units(out, study, file, used)
    if units is not None:
        time_rows = units.notna()
        factor = units[time_rows].map(lambda u: DAYS_PER_UNIT[u] / DAYS_PER_UNIT[study.display_unit])
        if (factor != 1.0).any():  # exact 1.0 leaves the values untouched
            aval = out["AVAL"].astype(float)
            aval[time_rows] = aval[time_rows] * factor.astype(float)
            out["AVAL"] = aval
        if "AVALU" in out.columns:
            out["AVALU"] = out["AVALU"].astype(object).where(~time_rows, study.display_unit.upper())
        else:
            out["AVALU"] = study.display_unit.upper()
        limit = MAX_YEARS * DAYS_PER_UNIT["years"] / DAYS_PER_UNIT[study.display_unit]
        implausible = used & (out["AVAL"].astype(float) > limit)
        if implausible.any():
            problems.add(DataValidationError(
                f"times of more than {MAX_YEARS} years (AVAL in {units[implausible].iloc[0]}): a "
                "wrong AVALU or time.unit, or a missing-value code", file=file, column="AVAL",
                rows=_rows(out, implausible),
                detail="values " + ", ".join(repr(v) for v in adtte.loc[implausible, "AVAL"].head(3))))
    with problems.check():
        _check_zero_times(out, file, used)
    with problems.check():
        _check_censoring_text(out, file, used)
    with problems.check():
        _check_competing(out, study, file)
    codes = set(out["PARAMCD"].dropna())
    if study.primary.paramcd not in codes:
        problems.add(DataValidationError(
            f"endpoints.primary.paramcd {study.primary.paramcd!r} of the study configuration "
            f"{study.path.name} has no rows (PARAMCD present: {', '.join(sorted(codes))})",
            file=file, column="PARAMCD"))
    problems.raise_any()
    return out


def _check_zero_times(adtte: pd.DataFrame, file, used: pd.Series) -> None:
    """Refuse an endpoint whose every AVAL is 0 (or the whole column at 0): a time column
    filled with a default, not follow-up (Kaplan-Meier and Cox would run on nothing). Only
    the configured endpoints' rows (``used``) are checked."""
    adtte = adtte[used]
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


def _row_units(adtte: pd.DataFrame, study: StudyConfig, file, used: pd.Series) -> pd.Series:
    """The time unit of each row (None for an unused row whose AVALU is not a time unit)."""
    if "AVALU" not in adtte.columns:
        if study.time_unit is None:
            raise DataValidationError(
                f"ADTTE has no AVALU column and the study configuration {study.path.name} gives "
                "no time.unit: the unit of AVAL is unknown", file=file, column="AVAL")
        return pd.Series(study.time_unit, index=adtte.index, dtype=object)
    raw = adtte["AVALU"].astype("string").str.strip().str.lower()
    units = raw.map(lambda u: UNIT_ALIASES.get(u) if isinstance(u, str) else None).astype(object)
    blank = raw.isna() | (raw == "")
    unknown = used & ~blank & units.isna()
    if unknown.any():
        found = ", ".join(sorted(adtte.loc[unknown, "AVALU"].astype(str).unique())[:3])
        codes = ", ".join(sorted(adtte.loc[unknown, "PARAMCD"].astype(str).unique())[:3])
        raise DataValidationError(f"unknown time unit(s) {found} of the configured endpoint(s) "
                                  f"{codes}; expected DAYS, WEEKS, MONTHS or YEARS",
                                  file=file, column="AVALU", rows=_rows(adtte, unknown))
    if blank.any():
        if study.time_unit is None and (blank & used).any():
            raise DataValidationError("blank AVALU and no time.unit in the study configuration",
                                      file=file, column="AVALU", rows=_rows(adtte, blank & used))
        units = units.where(~blank, study.time_unit)
    found = sorted(set(units[used & ~blank].dropna()))
    if len(found) > 1:
        raise DataValidationError(
            f"AVALU mixes units ({', '.join(found)}); convert AVAL to one unit", file=file,
            column="AVALU", rows=_rows(adtte, used & units.notna() & (units != found[0])))
    if study.time_unit is not None and found and found[0] != study.time_unit:
        raise DataValidationError(
            f"AVALU says {found[0]}, the study configuration {study.path.name} (time.unit) says "
            f"{study.time_unit}: remove time.unit or correct it", file=file, column="AVALU")
    return units


def _check_censoring_text(adtte: pd.DataFrame, file, used: pd.Series | None = None) -> None:
    if used is not None:
        adtte = adtte[used]

    def present(column: str) -> pd.Series:
        if column not in adtte.columns:
            return pd.Series(False, index=adtte.index)
        return adtte[column].notna() & (adtte[column].astype("string").str.strip() != "")

    event = adtte["CNSR"] == 0
    censor_text, event_text = present("CNSDTDSC"), present("EVNTDESC")
    bad = event & censor_text
    problems = Problems()
    if bad.any():
        problems.add(DataValidationError(
            "CNSR = 0 (event) on rows with a censoring description (CNSDTDSC)",
            file=file, column="CNSR", rows=_rows(adtte, bad)))
    if censor_text[~event].any():  # the file describes censorings: a censored row needs one
        bad = ~event & event_text & ~censor_text
        if bad.any():
            problems.add(DataValidationError(
                "CNSR > 0 (censored) on rows with an event description (EVNTDESC) and no "
                "censoring description (CNSDTDSC)", file=file, column="CNSR", rows=_rows(adtte, bad)))
    problems.raise_any()


def _check_competing(adtte: pd.DataFrame, study: StudyConfig, file) -> None:
    """``competing_risks`` against ADTTE (module doc): errors name file, column, rows, key."""
    cr = study.competing_risks
    if cr is None:
        return
    where = f"study configuration {study.path.name}"
    rows = adtte["PARAMCD"] == cr.paramcd
    if not rows.any():  # as a secondary endpoint absent: chapter 11 says "not available"
        return
    if cr.event_type not in adtte.columns:
        raise DataValidationError(
            f"competing_risks.event_type {cr.event_type!r} of the {where} is not a column of "
            f"ADTTE{_close(cr.event_type, adtte.columns)}", file=file, column=cr.event_type)
    value = adtte[cr.event_type].astype("string").str.strip().replace("", pd.NA)
    event_rows = rows & (adtte["CNSR"] == 0)
    bad = event_rows & (value.isna() | ~value.isin(cr.codes)).fillna(True)
    seen = set(value[event_rows].dropna())
    absent = [f"{key} {code!r}" for key, code in (
        ("competing_risks.event", cr.event),
        *((f"competing_risks.competing[{i}]", c) for i, c in enumerate(cr.competing)))
        if code not in seen]
    problems = []
    if bad.any():
        found = sorted(set(value[bad].fillna("(blank)")))
        problems.append(
            f"{int(bad.sum())} event rows (CNSR 0) of PARAMCD {cr.paramcd} hold an event type "
            f"that is neither competing_risks.event nor competing_risks.competing "
            f"({list(cr.codes)}): " + ", ".join(repr(v) for v in found[:5]))
    if absent:
        problems.append(f"{' and '.join(absent)} is not an event type of PARAMCD {cr.paramcd} "
                        f"(its event rows hold: {', '.join(map(repr, sorted(seen))) or 'none'})")
    if problems:  # both problems at once; rows: the offending rows, else the endpoint's events
        raise DataValidationError(
            f"{'; '.join(problems)} (the {where})", file=file, column=cr.event_type,
            rows=_rows(adtte, bad if bad.any() else event_rows))
