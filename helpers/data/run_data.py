"""The data of one run: the trial data read with the run parameters (``data_dir``,
``data_format``, ``study``), the column parameters checked against ADSL and the data cut
(``data_cut``) applied. The notebooks (``helpers.notebook.session``) and the runner's preflight
use it."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from helpers.core.errors import ParameterError
from helpers.config.params import check_columns, resolve_path
from helpers.config.study import StudyConfig, load_study
from helpers.data.datacut import apply_data_cut
from helpers.data.trial_data import TrialData, load_trial_data, preload_trial_data, resolve_paths

__all__ = ["DATA_PARAMETERS", "check_grouping_columns", "load_run_data", "preload_run_data",
           "prepare_run_data"]

#: The run parameters that decide which trial data :func:`load_run_data` reads (before the
#: data cut and the column checks of :func:`prepare_run_data`).
DATA_PARAMETERS = ("data_dir", "data_format", "study", "comparison")

#: A strata or subgroup column with a different value for each of at least this many patients
#: is a patient identifier (USUBJID), not a grouping.
MIN_PATIENTS_UNIQUE = 10


def load_run_data(params: Mapping, study: StudyConfig | None = None) -> TrialData:
    """The data of a run: ``load_trial_data`` with the run parameters (``data_dir``,
    ``data_format``, ``study``), then :func:`prepare_run_data`."""
    study = study or _run_study(params)
    data = load_trial_data(resolve_path(params["data_dir"]), fmt=params["data_format"], study=study)
    return prepare_run_data(data, params)


def preload_run_data(params: Mapping) -> bool:
    """Read and check the trial data of ``params`` (:data:`DATA_PARAMETERS`) now, for every
    later :func:`load_run_data` of the same unchanged files in this process or one forked from
    it (``helpers.data.trial_data.preload_trial_data``). CSV tables only: the Parquet and SAS
    readers may start threads, and a process with threads must not fork (the runner's zygote,
    ``helpers.run.zygote``). False, with nothing read, for other formats."""
    data_dir = resolve_path(params["data_dir"])
    if any(path.suffix.lower() != ".csv"
           for path in resolve_paths(data_dir, params["data_format"]).values()):
        return False
    preload_trial_data(data_dir, params["data_format"], _run_study(params))
    return True


def _run_study(params: Mapping) -> StudyConfig:
    """The study configuration of ``params`` (``study``), for its ``comparison``."""
    return load_study(params["study"]).for_comparison(params.get("comparison"))


def prepare_run_data(data: TrialData, params: Mapping) -> TrialData:
    """``data`` as a notebook with ``params`` analyses it: the column parameters (population,
    strata, subgroups) checked against ADSL, the data cut applied. The runner's preflight
    calls it for every notebook before any runs (bad input stops the run there)."""
    check_columns(params, data.adsl.columns)
    check_grouping_columns(data.adsl, params)
    if params.get("data_cut"):
        data = apply_data_cut(data, params["data_cut"])
    return data


def check_grouping_columns(adsl: pd.DataFrame, params: Mapping) -> None:
    """ParameterError naming the parameter when a ``strata`` or ``subgroups`` column has a
    different value for every patient of the population (USUBJID, a date, an exact age):
    one stratum per patient leaves no one to compare within a stratum."""
    population = params.get("population")
    rows = adsl[adsl[population] == "Y"] if population in adsl else adsl
    for name in ("strata", "subgroups"):
        for column in params.get(name) or []:
            values = rows[column].dropna()
            if len(values) >= MIN_PATIENTS_UNIQUE and values.nunique() == len(values):
                raise ParameterError(
                    f"parameter {name!r}: column {column} has a different value for every "
                    f"patient ({len(values)} patients, e.g. {values.iloc[0]!r}): it identifies "
                    f"patients rather than grouping them; give categorical columns "
                    f"(e.g. the randomisation factors)")
