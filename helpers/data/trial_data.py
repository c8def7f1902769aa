"""Load and validate the trial's analysis datasets; build per-endpoint analysis frames.

``load_trial_data`` reads ADSL, ADTTE and (when present) ADAE (CSV, Parquet, XPT or
SAS7BDAT), validates each with ``helpers.data.schemas``, maps them onto the supplement with the
study configuration (``helpers.config.study``: arms A/B, AVAL in the display unit, levels) and then
checks them together: every ADTTE/ADAE subject is in ADSL, every randomised patient has an
arm value, ADTTE holds randomised patients only. Any failure raises ``DataValidationError``
(file, column, example rows or USUBJIDs; the configuration key) before anything downstream
runs. CNSR follows CDISC (0 event, any positive integer censored).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from helpers.core.errors import DataValidationError
from helpers.data.readers import FORMATS, read_table
from helpers.config.study import StudyConfig, load_study
from helpers.data.adam_mapping import check_flag, map_adsl, map_adtte
from helpers.data.problems import Problems
from helpers.data.used import endpoint_codes, validate_rows, validate_table

TABLES = ("adsl", "adtte", "adae")
OPTIONAL_TABLES = ("adae",)  # only the safety chapter needs ADAE


@dataclass
class TrialData:
    """The validated analysis datasets, the files they came from (table name -> path) and the
    study configuration that mapped them. ``adae`` is None when the study has no ADAE file;
    ``notes`` are sentences every output of these data states (e.g. "no data after ...")."""

    adsl: pd.DataFrame
    adtte: pd.DataFrame
    adae: pd.DataFrame | None
    paths: dict[str, Path] = field(default_factory=dict)
    study: StudyConfig | None = None
    notes: tuple[str, ...] = ()  # statements the supplement makes about these data (data cut)


def resolve_paths(data_dir: str | Path, fmt: str = "auto",
                  files: Mapping[str, str | Path] | None = None) -> dict[str, Path]:
    """Paths of ADSL, ADTTE, ADAE: ``files`` entries win (relative ones are taken in
    ``data_dir``); otherwise ``<table>.<ext>`` in ``data_dir``, where ``fmt="auto"`` picks the
    first existing of csv, parquet, xpt, sas7bdat."""
    data_dir = Path(data_dir)
    files = dict(files or {})
    unknown = set(files) - set(TABLES)
    if unknown:
        raise DataValidationError(f"unknown table name(s) {sorted(unknown)}; expected {list(TABLES)}",
                                  file=data_dir)
    exts = [suffix for suffix in FORMATS]
    if fmt != "auto":
        wanted = f".{fmt.lower()}"
        if wanted not in FORMATS:
            raise DataValidationError(f"unknown format {fmt!r}; expected auto or one of "
                                      f"{', '.join(s[1:] for s in FORMATS)}", file=data_dir)
        exts = [wanted]
    paths = {}
    for table in TABLES:
        if table in files:
            path = Path(files[table])
            paths[table] = path if path.is_absolute() else data_dir / path
            continue
        candidates = [data_dir / f"{table}{ext}" for ext in exts]
        paths[table] = next((p for p in candidates if os.path.lexists(p)), candidates[0])
    return paths


def load_trial_data(data_dir: str | Path, fmt: str = "auto",
                    files: Mapping[str, str | Path] | None = None,
                    study: StudyConfig | str | Path | None = None) -> TrialData:
    """Read, validate, map (``study``: a configuration or its YAML path; default the default study) and
    cross-check ADSL, ADTTE and ADAE (optional) from ``data_dir``."""
    if not isinstance(study, StudyConfig):
        study = load_study(study)
    paths = resolve_paths(data_dir, fmt, files)
    preloaded = _PRELOADED.get(_identity(paths, study))
    if preloaded is not None:  # read by this kernel's zygote from the same files, same study
        return TrialData(adsl=preloaded.adsl.copy(), adtte=preloaded.adtte.copy(),
                         adae=None if preloaded.adae is None else preloaded.adae.copy(),
                         paths=dict(preloaded.paths), study=study, notes=preloaded.notes)
    frames: dict = {}
    problems = Problems()  # every problem of the three tables in one error
    for table, path in paths.items():
        if table in OPTIONAL_TABLES and not os.path.lexists(path):  # a link loop is an error
            frames[table] = None
            continue
        with problems.check():  # only what the analyses use (helpers.data.used)
            frames[table] = validate_table(table, read_table(path), path, study)
    for table, mapping in (("adsl", map_adsl), ("adtte", map_adtte)):
        if table in frames:
            with problems.check():
                frames[table] = mapping(frames.pop(table), study, paths[table])
    problems.raise_any()
    data = TrialData(paths=paths, study=study, **frames)
    check_consistency(data)
    return data


#: Trial data read before this process was forked (:func:`preload_trial_data`, called by the
#: runner's zygote, ``helpers.run.zygote``), by :func:`_identity`.
_PRELOADED: dict[tuple, TrialData] = {}


def _identity(paths: Mapping[str, Path], study: StudyConfig) -> tuple:
    """The files (path, size, modification time in ns, inode; None: absent) and the study
    (path, content hash, comparison) that determine what :func:`load_trial_data` returns."""
    files = []
    for table, path in sorted(paths.items()):
        try:
            stat = os.stat(path)
            files.append((table, str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino))
        except OSError:
            files.append((table, str(path), None))
    return tuple(files), str(study.path), study.sha256, study.comparison


def preload_trial_data(data_dir: str | Path, fmt: str, study: StudyConfig) -> None:
    """Read and check the trial data now and keep them: a later :func:`load_trial_data` of the
    same, unchanged files with the same study configuration (in this process or one forked
    from it: the runner's zygote reads the run's data once for all the kernels it forks)
    returns a copy instead of reading again. Errors are raised as by load_trial_data."""
    data = load_trial_data(data_dir, fmt, study=study)
    _PRELOADED[_identity(data.paths, study)] = data


def check_consistency(data: TrialData) -> None:
    """Cross-table checks; every failure raised together (``DataProblemsError``)."""
    problems = Problems()
    with problems.check():
        _consistency(data, problems)
    problems.raise_any()


def _consistency(data: TrialData, problems: Problems) -> None:
    adsl, paths = data.adsl, data.paths

    def _fail_if(*args) -> None:
        with problems.check():
            _fail_if_one(*args)

    arm = data.study.arm_variable if data.study else "ARMCD"
    rand = adsl["RANDFL"] == "Y"
    _fail_if(rand & adsl["ARMSRC"].isna(), adsl, paths.get("adsl"), arm,
             "randomised patients (RANDFL = Y) without an arm")
    _fail_if(~rand & adsl["ARMSRC"].notna(), adsl, paths.get("adsl"), arm,
             "patients not randomised (RANDFL = N) with an arm")
    if "RANDDT" in adsl:
        _fail_if(rand & adsl["RANDDT"].isna(), adsl, paths.get("adsl"), "RANDDT",
                 "randomised patients without a randomisation date")
    known = set(adsl["USUBJID"])
    for table in ("adtte", "adae"):
        frame = getattr(data, table)
        if frame is None:
            continue
        _fail_if(~frame["USUBJID"].isin(known), frame, paths.get(table), "USUBJID",
                 "subjects absent from ADSL")
    randomised = set(adsl.loc[rand, "USUBJID"])
    _fail_if(~data.adtte["USUBJID"].isin(randomised) & data.adtte["USUBJID"].isin(known),
             data.adtte, paths.get("adtte"), "USUBJID", "subjects not randomised in ADSL")


def _fail_if_one(mask: pd.Series, frame: pd.DataFrame, file: Path | None, column: str, what: str) -> None:
    if not mask.any():
        return
    bad = frame.loc[mask]
    rows = [int(i) + 1 for i in bad.index]
    subjects = ", ".join(bad["USUBJID"].astype(str).head(3))
    raise DataValidationError(f"{len(bad)} {'row' if len(bad) == 1 else 'rows'} with {what}",
                              file=file, column=column, rows=rows, detail=f"USUBJID {subjects}")


def analysis_frame(data: TrialData, paramcd: str, population: str = "ITTFL") -> pd.DataFrame:
    """One row per patient of ``population`` (an ADSL Y/N flag = "Y") in the two compared
    arms (ARMCD "A"/"B"; other arms are left out) with endpoint ``paramcd``.

    ADSL columns plus AVAL (display unit, months by default), CNSR, ``time`` (= AVAL) and
    ``event`` (1 when CNSR = 0, else 0: CDISC). Patients of the population without a row for
    the endpoint are an error, as are an endpoint without rows or events and an arm without
    patients.
    """
    adsl, adtte = data.adsl, data.adtte
    adtte_file = data.paths.get("adtte")
    check_flag(adsl, population, data.paths.get("adsl"), f"population {population!r}")
    pop = adsl[(adsl[population] == "Y") & adsl["ARMCD"].notna()]
    rows = adtte[adtte["PARAMCD"] == paramcd]
    if rows.empty:
        present = ", ".join(sorted(adtte["PARAMCD"].unique()))
        raise DataValidationError(f"endpoint {paramcd!r} has no rows (PARAMCD present: {present})",
                                  file=adtte_file, column="PARAMCD")
    if data.study is not None and paramcd not in endpoint_codes(data.study):
        validate_rows(rows, adtte_file)  # not checked on loading: no configured endpoint
    if data.study is not None and "AVALU" in rows.columns:
        not_time = rows["AVALU"].astype(str) != data.study.display_unit.upper()
        if not_time.any():
            found = ", ".join(sorted(rows.loc[not_time, "AVALU"].astype(str).unique())[:3])
            raise DataValidationError(
                f"endpoint {paramcd!r}: AVALU {found} is not a time unit (DAYS, WEEKS, MONTHS, "
                "YEARS): it cannot be analysed as time to event", file=adtte_file,
                column="AVALU", rows=[int(i) + 1 for i in rows.index[not_time]])
    frame = pop.merge(rows[["USUBJID", "AVAL", "CNSR"]], on="USUBJID", how="left", validate="1:1")
    missing = frame["AVAL"].isna()
    if missing.any():
        ids = frame.loc[missing, "USUBJID"].tolist()
        raise DataValidationError(f"{len(ids)} patients of {population} without a {paramcd} row",
                                  file=adtte_file, column="USUBJID", rows=ids)
    frame["CNSR"] = frame["CNSR"].astype(int)
    frame["time"] = frame["AVAL"].astype(float)
    frame["event"] = (frame["CNSR"] == 0).astype(int)
    if frame["event"].sum() == 0:
        raise DataValidationError(f"endpoint {paramcd} has no events in {population}",
                                  file=adtte_file, column="CNSR")
    counts = frame["ARMCD"].value_counts()
    empty = [arm for arm in ("A", "B") if counts.get(arm, 0) == 0]
    if empty:
        raise DataValidationError(f"arm(s) {', '.join(empty)} have no patients in {population}",
                                  file=data.paths.get("adsl"), column="ARMCD")
    return frame
