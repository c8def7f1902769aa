"""The data of one run: the trial data read with the run parameters (``data_dir``,
``data_format``, ``study``), the column parameters checked against ADSL and the data cut
(``data_cut``) applied. The notebooks (``helpers.notebook.session``) and the runner's preflight
use it."""

from __future__ import annotations

from collections.abc import Mapping

from helpers.config.params import check_columns, resolve_path
from helpers.config.study import StudyConfig, load_study
from helpers.data.datacut import apply_data_cut
from helpers.data.trial_data import TrialData, load_trial_data

__all__ = ["load_run_data", "prepare_run_data"]


def load_run_data(params: Mapping, study: StudyConfig | None = None) -> TrialData:
    """The data of a run: ``load_trial_data`` with the run parameters (``data_dir``,
    ``data_format``, ``study``), then :func:`prepare_run_data`."""
    study = study or load_study(params["study"]).for_comparison(params.get("comparison"))
    data = load_trial_data(resolve_path(params["data_dir"]), fmt=params["data_format"], study=study)
    return prepare_run_data(data, params)


def prepare_run_data(data: TrialData, params: Mapping) -> TrialData:
    """``data`` as a notebook with ``params`` analyses it: the column parameters (population,
    strata, subgroups) checked against ADSL, the data cut applied. The runner's preflight
    calls it for every notebook before any runs (bad input stops the run there)."""
    check_columns(params, data.adsl.columns)
    if params.get("data_cut"):
        data = apply_data_cut(data, params["data_cut"])
    return data
