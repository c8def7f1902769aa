"""The papermill parameter set: parameter files, validation errors, column checks."""

from pathlib import Path

import pytest

from helpers.core.errors import ParameterError
from helpers.config.params import (REPO_ROOT, SPECS, check_columns, load_parameter_file, resolve_path,
                                   validate)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "run.yaml"
    path.write_text(text)
    return path


def test_default_file_gives_the_primary_analysis():
    pfile = load_parameter_file(REPO_ROOT / "params" / "default.yaml")
    params = pfile.for_notebook("03_overall_survival")
    assert pfile.run_label == "default"
    assert pfile.output_dir == REPO_ROOT / "runs" / "default"
    assert params["population"] == "ITTFL" and params["endpoint"] == "OS"
    assert params["primary_conf_level"] == 0.90 and params["sided"] == "one-sided"
    assert set(params) == set(SPECS)


def test_strata_default_comes_from_the_dataset_module():
    from helpers.config.study import load_study

    DEFAULT_STRATA = load_study().strata

    assert load_parameter_file(REPO_ROOT / "params" / "default.yaml").for_notebook("x")[
        "strata"] == list(DEFAULT_STRATA)


def test_per_protocol_file_changes_population_and_run_dir():
    pfile = load_parameter_file(REPO_ROOT / "params" / "per_protocol.yaml")
    assert pfile.for_notebook("x")["population"] == "PPROTFL"
    assert pfile.output_dir == REPO_ROOT / "runs" / "per_protocol"


def test_notebook_overrides_apply_to_that_notebook_only(tmp_path):
    pfile = load_parameter_file(write(tmp_path, """
parameters: {conf_level: 0.95, strata: [ER]}
notebooks:
  05_secondary: {conf_level: 0.99}
"""))
    assert pfile.for_notebook("05_secondary")["conf_level"] == 0.99
    assert pfile.for_notebook("03_os")["conf_level"] == 0.95


@pytest.mark.parametrize("text, fragments", [
    ("parameters: {conf_levl: 0.9}", ["unknown parameter 'conf_levl'", "conf_level"]),
    ("parameters: {conf_level: high}", ["parameter 'conf_level'", "expected a number"]),
    ("parameters: {conf_level: 1.5}", ["parameter 'conf_level'", "between 0 and 1"]),
    ("parameters: {primary_conf_level: 0}", ["parameter 'primary_conf_level'", "between 0 and 1"]),
    ("parameters: {sided: both}", ["parameter 'sided'", "'one-sided', 'two-sided'"]),
    ("parameters: {ties: exact}", ["parameter 'ties'", "'efron', 'breslow'"]),
    ("parameters: {km_conf_type: arcsin}", ["parameter 'km_conf_type'"]),
    ("parameters: {data_format: xlsx}", ["parameter 'data_format'", "'parquet'"]),
    ("parameters: {strata: ER}", ["parameter 'strata'", "list of column names"]),
    ("parameters: {strata: [ER, ER]}", ["parameter 'strata'", "repeat"]),
    ("parameters: {landmarks: [60, 36]}", ["parameter 'landmarks'", "increasing"]),
    ("parameters: {landmarks: [-1]}", ["parameter 'landmarks'", "positive"]),
    ("parameters: {data_cut: 30/06/2020}", ["parameter 'data_cut'", "ISO date"]),
    ("parameters: {population: 'ITT FL'}", ["parameter 'population'", "column name"]),
    ("parameters: {conf_level: true}", ["parameter 'conf_level'"]),
    ("parameter: {conf_level: 0.9}", ["unknown top-level key(s) parameter"]),
    ("notebooks: {03_os: {tie: efron}}", ["notebooks.03_os", "unknown parameter 'tie'"]),
    ("notebooks: {03_os: {output_dir: x}}", ["notebooks.03_os", "'output_dir' is per run"]),
    ("parameters: [1, 2]", ["parameters must be a mapping"]),
    ("parameters: {conf_level: [", ["not valid YAML"]),
])
def test_bad_parameter_files_name_file_and_parameter(tmp_path, text, fragments):
    path = write(tmp_path, text)
    with pytest.raises(ParameterError) as caught:
        load_parameter_file(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_missing_file_is_a_parameter_error(tmp_path):
    with pytest.raises(ParameterError, match="cannot read parameter file"):
        load_parameter_file(tmp_path / "nope.yaml")


def test_valid_values_are_normalised(tmp_path):
    pfile = load_parameter_file(write(tmp_path, "parameters: {data_cut: 2020-06-30, conf_level: 0.9}"))
    assert pfile.parameters == {"data_cut": "2020-06-30", "conf_level": 0.9}


def test_relative_paths_resolve_against_repo_root_not_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_path("data") == REPO_ROOT / "data"
    assert resolve_path(tmp_path / "x") == tmp_path / "x"
    pfile = load_parameter_file(write(tmp_path, "parameters: {output_dir: runs/mine}"))
    assert pfile.output_dir == REPO_ROOT / "runs" / "mine"


def test_validate_without_defaults_keeps_only_given_values():
    assert validate({"ties": "breslow"}, fill_defaults=False) == {"ties": "breslow"}


def test_check_columns_names_parameter_column_and_close_matches():
    params = {"population": "ITTFL", "strata": ["ER", "HER2", "METGRP"]}
    with pytest.raises(ParameterError) as caught:
        check_columns(params, ["USUBJID", "ITTFL", "ER", "HER2", "METGR"])
    message = str(caught.value)
    assert "'strata'" in message and "'METGRP'" in message and "METGR" in message


def test_check_columns_checks_the_population_flag_and_passes_known_columns():
    columns = ["ITTFL", "PPROTFL", "ER"]
    check_columns({"population": "PPROTFL", "strata": ["ER"]}, columns)
    with pytest.raises(ParameterError, match="'population'.*'SAFFL'"):
        check_columns({"population": "SAFFL", "strata": []}, columns)
