"""Bad study configurations: each refused with a message naming the file and the key (or the
data file and column it contradicts), before any notebook runs and with nothing written."""

from __future__ import annotations

import copy
import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.data.trial_data import load_trial_data
from helpers.core.errors import DataValidationError, ParameterError
from helpers.config.study import StudyConfigError, load_study
from study_paths import read_study
from conftest import edit_csv as edit  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
BASE = read_study(ROOT / "studies" / "jcog1017.yaml")


def write_study(tmp_path: Path, change) -> Path:
    config = copy.deepcopy(BASE)
    change(config)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def setter(*keys, value):
    def change(config):
        node = config
        for key in keys[:-1]:
            node = node[key]
        node[keys[-1]] = value
    return change


def deleter(*keys):
    def change(config):
        node = config
        for key in keys[:-1]:
            node = node[key]
        del node[keys[-1]]
    return change


# (change, the key named, words of the message)
CONFIG_CASES = {
    "unknown top-level key": (setter("stratum", value=["ER"]), "stratum", "did you mean strata"),
    "unknown arm key": (setter("arms", "controll", value={"value": "A"}), "arms.controll", "unknown key"),
    "arms missing": (deleter("arms"), "arms", "is required"),
    "same arm twice": (setter("arms", "experimental", "value", value="A"), "arms.experimental.value",
                       "same value"),
    "compared arm among others": (setter("arms", "others", value=["B"]), "arms.others",
                                  "compared arm"),
    "no full analysis flag": (deleter("populations", "full_analysis"),
                              "populations.full_analysis", "is required"),
    "unknown population role": (setter("populations", "mitt", value="MITTFL"), "populations.mitt",
                                "unknown key"),
    "unknown time unit": (setter("time", "unit", value="fortnights"), "time.unit", "unknown time unit"),
    "primary endpoint without PARAMCD": (setter("endpoints", "primary", value={"label": "OS"}),
                                         "endpoints.primary.paramcd", "is required"),
    "primary endpoint not compared": (setter("endpoints", "primary", "compare", value=False),
                                      "endpoints.primary.compare", "must compare"),
    "endpoint twice": (setter("endpoints", "secondary", value=[{"paramcd": "OS"}]), "endpoints",
                       "PARAMCD repeats"),
    "subgroup with one level": (setter("subgroups", 0, "levels", value=["<50"]), "subgroups[0].levels",
                                "one level"),
    "continuous subgroup": (setter("subgroups", 0, value={"variable": "AGE", "type": "continuous"}),
                            "subgroups", "continuous"),
    "levels repeat": (setter("baseline", 3, "levels", value=["Negative", "Negative"]),
                      "baseline[3].levels", "repeat"),
    "unknown variable type": (setter("baseline", 0, "type", value="numeric"), "baseline[0].type",
                              "expected one of"),
    "arm variable as stratum": (setter("strata", value=["ARMCD", "ER"]), "strata", "arm variable"),
    "landmarks not increasing": (setter("landmarks", value=[60, 36]), "landmarks", "increasing"),
    "negative RMST horizon": (setter("rmst_horizon", value=-5), "rmst_horizon", "positive"),
    "strata not a list": (setter("strata", value="ER"), "strata", "expected a list"),
    "bad column name": (setter("covariates", value=["AGE", "MENO PAUS"]), "covariates[1]",
                        "column name"),
}


@pytest.mark.parametrize("case", list(CONFIG_CASES))
def test_bad_configuration_names_file_and_key(case, tmp_path):
    change, key, words = CONFIG_CASES[case]
    path = write_study(tmp_path, change)
    with pytest.raises(StudyConfigError) as info:
        load_study(path)
    message = str(info.value)
    assert str(path) in message and f"'{key}'" in message and words in message, message


@pytest.mark.parametrize("text, words", [("arms: [\n", "not valid YAML"), ("", "is empty"),
                                         ("- a list\n", "expected a mapping")])
def test_unreadable_configuration(tmp_path, text, words):
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(StudyConfigError, match=words):
        load_study(path)


def test_missing_configuration_file(tmp_path):
    with pytest.raises(StudyConfigError, match="cannot read study configuration"):
        load_study(tmp_path / "nowhere.yaml")


@pytest.fixture
def data_dir(tmp_path):
    out = tmp_path / "data"
    shutil.copytree(ROOT / "data", out, ignore=shutil.ignore_patterns("*.md"))
    return out


# configuration that does not fit the data: (change of config, change of data, column, words)
DATA_CASES = {
    "arm value not in ADSL": (setter("arms", "control", "value", value="Control"), None, "ARMCD",
                              "arms.control.value 'Control'"),
    "arm variable not in ADSL": (setter("arms", "variable", value="TRT01P"), None, "TRT01P",
                                 "arms.variable"),
    "endpoint not in ADTTE": (setter("endpoints", "primary", "paramcd", value="PFS"), None,
                              "PARAMCD", "endpoints.primary.paramcd 'PFS'"),
    "population flag missing": (setter("populations", "per_protocol", value="PPFL"), None, "PPFL",
                                "populations.per_protocol"),
    "population flag not Y/N": (setter("populations", "safety", value="AGEGR1"), None, "AGEGR1",
                                "not a Y/N population flag"),
    "swapped arm labels": (setter("arms", "control", "label", value="Resection + systemic therapy"),
                           None, "ARM", "labels swapped"),
    "level not configured": (setter("subgroups", 6, "levels", value=["T1", "T2", "T3"]), None,
                             "TSTAGE", "configured levels"),
    "no AVALU and no time.unit": (deleter("time", "unit"), None, "AVAL", "unit of AVAL is unknown"),
    "AVALU contradicts time.unit": (
        lambda c: None, ("adtte", lambda f: f.assign(AVALU="DAYS")), "AVALU",
        "AVALU says days, the study configuration study.yaml (time.unit) says months"),
    "AVALU mixed": (deleter("time", "unit"), ("adtte", lambda f: f.assign(
        AVALU=["DAYS" if i % 2 else "MONTHS" for i in range(len(f))])), "AVALU", "mixes units"),
    "AVAL of 1e308": (lambda c: None, ("adtte", lambda f: f.assign(AVAL=f["AVAL"].where(
        f.index != 4, "1e308"))), "AVAL", "more than 100 years"),
    "days read as months": (lambda c: None, ("adtte", lambda f: f.assign(
        AVAL=(f["AVAL"].astype(float) * 30.4375).round(2))), "AVAL", "more than 100 years"),
    "AVALU unknown": (deleter("time", "unit"), ("adtte", lambda f: f.assign(AVALU="HOURS")),
                      "AVALU", "unknown time unit"),
}


@pytest.mark.parametrize("case", list(DATA_CASES))
def test_configuration_that_does_not_fit_the_data(case, tmp_path, data_dir):
    change, data_change, column, words = DATA_CASES[case]
    study = write_study(tmp_path, change)
    if data_change:
        edit(data_dir, *data_change)
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir, study=study)
    assert info.value.column == column and words in str(info.value), str(info.value)


def test_days_are_never_read_as_months(tmp_path, data_dir):
    """AVAL in days with AVALU = DAYS: converted (days / 30.4375), whatever the config says of
    the unit when it does not say one; the same analysis as the months."""
    from helpers.data.trial_data import analysis_frame

    months = analysis_frame(load_trial_data(data_dir), "OS")
    edit(data_dir, "adtte", lambda f: f.assign(AVAL=(f["AVAL"].astype(float) * 30.4375).round(6),
                                               AVALU="DAYS"))
    study = write_study(tmp_path, deleter("time", "unit"))
    data = load_trial_data(data_dir, study=study)
    days = analysis_frame(data, "OS")
    assert (days["time"] - months["time"]).abs().max() < 1e-6
    assert data.adtte["AVALU"].unique().tolist() == ["MONTHS"]


def test_bad_configuration_stops_the_run_with_nothing_written(tmp_path, data_dir):
    from helpers.run.cli import main

    study = write_study(tmp_path, setter("arms", "control", "value", value="Control"))
    params = tmp_path / "params.yaml"
    out = tmp_path / "run"
    params.write_text(yaml.safe_dump({"parameters": {
        "study": str(study), "data_dir": str(data_dir), "output_dir": str(out)}}))
    assert main([str(params), "--workers", "1"]) == 2
    assert not out.exists()
    study.write_text("arms: {}\n")
    assert main([str(params), "--workers", "1"]) == 2
    assert not out.exists()


def test_subgroup_identifying_patients_is_refused(data_dir):
    from helpers.data.trial_data import analysis_frame
    from helpers.analyses.subgroups import subgroup_report

    frame = analysis_frame(load_trial_data(data_dir), "OS")
    with pytest.raises(ParameterError, match="USUBJID has 407 levels.*identifies patients"):
        subgroup_report(frame, ["USUBJID"])
    with pytest.raises(ParameterError, match="STUDYID has 1 level"):
        subgroup_report(frame, ["STUDYID"])


def test_data_cut_without_dates_names_what_is_missing(tmp_path):
    """R's colon data have no dates: a data cut is refused naming the columns it needs."""
    import sys

    from helpers.data.datacut import apply_data_cut

    sys.path.insert(0, str(ROOT / "validation"))
    import colon_adam

    colon_adam.write(tmp_path / "adam")
    data = load_trial_data(tmp_path / "adam", study=ROOT / "studies" / "colon.yaml")
    with pytest.raises(ParameterError, match=r"'data_cut' needs .*ADSL.RANDDT, ADTTE.STARTDT, ADTTE.ADT"):
        apply_data_cut(data, "1985-01-01")
