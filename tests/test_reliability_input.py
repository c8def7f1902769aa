"""Reliability of the configuration and the data (issue 20): YAML read safely, CDISC flags,
data cuts, trailing delimiters, excluded patients stated, the study reference and the Dask
scheduler checked before a run, errors naming the real cause. Every input is written by the
test; a refused run must stop in the runner's preflight with nothing written."""

from __future__ import annotations

import os
import shutil
import socket
import time
from pathlib import Path

import pandas as pd
import pytest
import yaml

from helpers.config.params import check_columns, load_parameter_file
from helpers.config.reference import ReferenceError, check_reference
from helpers.config.safe_yaml import MAX_ALIASES, YamlError, load_yaml
from helpers.config.study import StudyConfigError, load_study
from helpers.core.errors import DataValidationError, ParameterError
from helpers.data.datacut import apply_data_cut, last_date
from helpers.data.run_data import prepare_run_data
from helpers.data.source import data_source
from helpers.data.trial_data import load_trial_data
from helpers.run.preflight import check_dask_address

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
from study_paths import read_study  # noqa: E402
from conftest import edit_csv as edit  # noqa: E402

STUDY = ROOT / "studies" / "jcog1017.yaml"





def study_copy(tmp_path: Path, change) -> Path:
    data = read_study(STUDY)
    change(data)
    path = tmp_path / "study.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --------------------------------------------------------------------------- 1. safe YAML
def params_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(text)
    return path


def test_duplicate_key_is_refused_naming_file_line_and_key(tmp_path):
    path = params_file(tmp_path, "parameters:\n  strata: [ER]\n  conf_level: 0.9\n  strata: [HER2]\n")
    with pytest.raises(ParameterError) as info:
        load_parameter_file(path)
    assert str(info.value) == (f"{path}: line 4: key 'parameters.strata' appears twice (lines 2 "
                               "and 4); YAML would silently keep the second: remove one")


def test_duplicate_key_in_a_study_configuration(tmp_path):
    text = STUDY.read_text() + "strata: [ER]\n"
    path = tmp_path / "study.yaml"
    path.write_text(text)
    with pytest.raises(StudyConfigError, match=r"study.yaml: line \d+: key 'strata' appears twice"):
        load_study(path)


def test_billion_laughs_is_refused_before_expanding(tmp_path):
    levels = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 9):
        levels.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    path = params_file(tmp_path, "\n".join(levels) + "\n")
    started = time.perf_counter()
    with pytest.raises(YamlError, match=rf"params.yaml: line \d+: more than {MAX_ALIASES} aliases"):
        load_parameter_file(path)
    assert time.perf_counter() - started < 2


def test_a_few_aliases_are_accepted_and_recursion_is_not():
    doc = load_yaml("base: &b {conf_level: 0.9}\nother: *b\n", "x.yaml")
    assert doc.data == {"base": {"conf_level": 0.9}, "other": {"conf_level": 0.9}}
    with pytest.raises(YamlError, match="x.yaml: line 1: alias \\*a refers to the node it is inside"):
        load_yaml("a: &a [1, *a]\n", "x.yaml")


@pytest.mark.parametrize("tag", ["!include other.yaml", "!!python/object/apply:os.system [ls]",
                                 "!!binary aGVsbG8="])
def test_custom_tags_are_refused_naming_line_and_key(tmp_path, tag):
    path = params_file(tmp_path, f"parameters:\n  run_label: x\n  data_dir: {tag}\n")
    with pytest.raises(ParameterError) as info:
        load_parameter_file(path)
    message = str(info.value)
    assert message.startswith(f"{path}: line 3 (key 'parameters.data_dir'): tag ")
    assert "is not accepted" in message


def test_unquoted_no_where_text_is_expected_says_write_it_in_quotes(tmp_path):
    path = params_file(tmp_path, "parameters:\n  run_label: no\n")
    with pytest.raises(ParameterError) as info:
        load_parameter_file(path)
    assert str(info.value) == (
        f"{path}: parameter 'run_label': expected a non-empty string, got False; YAML reads the "
        "unquoted no (line 2) as the boolean False: write 'no' in quotes")

    def arm_no(data):
        data["arms"]["control"]["value"] = "@NO@"

    study = study_copy(tmp_path, arm_no)
    study.write_text(study.read_text().replace("'@NO@'", "no").replace("\"@NO@\"", "no")
                     .replace("@NO@", "no"))
    with pytest.raises(StudyConfigError) as info:
        load_study(study)
    assert f"{study}: key 'arms.control.value'" in str(info.value)
    assert "write 'no' in quotes" in str(info.value)


def test_unquoted_yes_as_a_level_names_the_item(tmp_path):
    def levels(data):
        data["subgroups"][0]["levels"] = ["@YES@", "@NO@"]

    study = study_copy(tmp_path, levels)
    study.write_text(study.read_text().replace("'@YES@'", "yes").replace("'@NO@'", "no")
                     .replace("@YES@", "yes").replace("@NO@", "no"))
    with pytest.raises(StudyConfigError) as info:
        load_study(study)
    assert "key 'subgroups[0].levels[0]'" in str(info.value)
    assert "write 'yes' in quotes" in str(info.value)


# --------------------------------------------------------------------------- 2. flags
@pytest.mark.parametrize("values", [("Yes", "No"), ("\uff39",), ("y",)])
def test_flag_values_other_than_y_n_are_listed_with_file_column_rows(data_dir, values):
    def change(frame):
        for row, value in enumerate(values, start=3):
            frame.loc[row, "PPROTFL"] = value

    edit(data_dir, "adsl", change)
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    err = info.value
    assert Path(err.file) == data_dir / "adsl.csv" and err.column == "PPROTFL"
    assert err.rows[:len(values)] == tuple(range(4, 4 + len(values)))
    for value in values:
        assert repr(value) in err.message
    if values == ("\uff39",):
        assert "(full-width)" in err.message


def test_blank_population_flag_is_refused_unless_the_study_says_blank_means_n(data_dir, tmp_path):
    def blank(frame):
        frame.loc[[5, 9], "SAFFL"] = ""

    edit(data_dir, "adsl", blank)
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    assert info.value.column == "SAFFL" and info.value.rows == (6, 10)
    assert "blank_flag_as: N" in str(info.value)

    study = study_copy(tmp_path, lambda d: d.update(blank_flag_as="N"))
    data = load_trial_data(data_dir, study=study)
    assert list(data.adsl.loc[[5, 9], "SAFFL"]) == ["N", "N"]
    with pytest.raises(StudyConfigError, match="key 'blank_flag_as': expected one of 'N'"):
        load_study(study_copy(tmp_path, lambda d: d.update(blank_flag_as="Y")))


# --------------------------------------------------------------------------- 3. dates
def test_future_data_cut_is_refused_and_a_cut_after_the_last_date_is_stated(data_dir):
    data = load_trial_data(data_dir)
    data.adsl = data.adsl.drop(columns="DCUTDT")  # no own cut-off: only the dates bound it
    with pytest.raises(ParameterError, match=r"parameter 'data_cut': 2999-01-01 is in the future"):
        apply_data_cut(data, "2999-01-01")
    last = last_date(data)
    cut = (last + pd.Timedelta(days=30)).date().isoformat()
    cut_data = apply_data_cut(data, cut)
    assert cut_data.notes == (f"The data cut {cut} is after the last date in the data: no data "
                              f"after {last.date()}.",)
    assert len(cut_data.adtte) == len(data.adtte)  # nothing changed by the cut


def test_trailing_delimiters_are_stated_in_the_data_note(data_dir):
    path = data_dir / "adae.csv"
    lines = path.read_text().splitlines()
    path.write_text("\n".join([lines[0]] + [line + "," for line in lines[1:]]) + "\n")
    data = load_trial_data(data_dir)  # read: the empty last column dropped
    assert list(data.adae.columns) == lines[0].split(",")
    note = data_source(data.paths).note
    assert f"`adae.csv`: {len(lines) - 1} data rows end in a delimiter" in note
    assert "that column was dropped" in note


# --------------------------------------------------------------------------- 4. exclusions
def test_missing_strata_counted_in_the_flow_and_stated_in_footnotes(data_dir, tmp_path):
    from helpers.analyses.populations import consort_counts, flow_ard
    from helpers.ard import ArdBuilder, ArdView
    from helpers.report.format import fill_stat_fmt
    from helpers.notebook.session import start
    from helpers.report.tables.populations import consort_table

    adsl = pd.read_csv(data_dir / "adsl.csv", dtype=str, keep_default_na=False)
    rows = list(adsl.index[adsl["ITTFL"] == "Y"][:3])

    def blank(frame):
        frame.loc[rows, "ER"] = ""

    edit(data_dir, "adsl", blank)
    nb = start("03_overall_survival", {"data_dir": str(data_dir),
                                       "output_dir": str(tmp_path / "run")})
    counts = consort_counts(nb.data.adsl, nb.data.adtte, strata=nb.params["strata"])
    assert counts["missing_strata"]["columns"] == ["ER"]
    assert sum(counts["missing_strata"]["arms"].values()) == 3
    builder = ArdBuilder(notebook="01_population", population="ITTFL")
    flow_ard(builder, counts)
    table = consort_table(ArdView(fill_stat_fmt(builder.frame())), {"A": "Arm A", "B": "Arm B"})
    assert sum(int(n) for n in table.loc[[i for i in table.index if "missing ER" in i], "n"]) == 3

    assert "Left out" not in nb.footnote()
    analysis = nb.analyse("OS")
    assert analysis.hazard_ratio.n_excluded == 3
    assert nb.footnote(run=False).endswith(
        "Left out: 3 patients with a missing ER in the OS analyses.")
    assert not any((tmp_path / "run").rglob("*.json"))  # nothing written by the session itself


# --------------------------------------------------------------------------- 5. reference, Dask
def test_reference_of_the_wrong_shape_is_refused_naming_file_and_key(tmp_path):
    study = study_copy(tmp_path, lambda d: d["study"].update(reference=str(ROOT / "studies/jcog1017/trials.yaml")))
    with pytest.raises(ReferenceError) as info:
        check_reference(load_study(study).reference, study)
    message = str(info.value)
    assert "trials.yaml: key 'sources." in message and "citation text" in message
    assert f"key 'study.reference' of the study configuration {study}" in message
    missing = study_copy(tmp_path, lambda d: d["study"].update(reference="nowhere.yaml"))
    with pytest.raises(ReferenceError, match="nowhere.yaml: the file of published figures .* "
                                             "does not exist"):
        check_reference("nowhere.yaml", missing)
    assert check_reference("jcog1017/published.yaml", STUDY)["population"]["randomised"]["value"] == 407


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_dask_scheduler_is_refused_within_5_seconds(monkeypatch):
    port = _closed_port()
    started = time.perf_counter()
    with pytest.raises(ParameterError) as info:
        check_dask_address(f"tcp://127.0.0.1:{port}")
    assert time.perf_counter() - started < 5.5
    assert str(info.value).startswith(f"parameter 'sim_dask_address': tcp://127.0.0.1:{port}: "
                                      f"cannot reach a Dask scheduler at 127.0.0.1:{port}")
    with socket.socket() as server:  # a listening scheduler port is accepted
        server.bind(("127.0.0.1", 0))
        server.listen()
        check_dask_address(f"127.0.0.1:{server.getsockname()[1]}")
    with pytest.raises(ParameterError, match="unsupported scheme 'inproc'"):
        check_dask_address("inproc://scheduler")
    # a host that never answers (nor its name lookup): refused when the timeout is up
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: time.sleep(30))
    started = time.perf_counter()
    with pytest.raises(ParameterError, match="'sim_dask_address': scheduler.example:8786: no Dask "
                                             "scheduler answered within 0.5 s"):
        check_dask_address("scheduler.example:8786", timeout=0.5)
    assert time.perf_counter() - started < 1.5


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else None
            for p in sorted(root.rglob("*"))}


@pytest.mark.parametrize("case", ["dask", "reference", "flag"])
def test_preflight_stops_the_run_before_any_notebook_with_nothing_written(case, data_dir, tmp_path):
    """The runner's preflight, on the real notebooks: exit before any of them runs, no run
    directory left behind, the data untouched."""
    from helpers.run.execute import run

    params = yaml.safe_load((ROOT / "params" / "default.yaml").read_text())
    run_dir = tmp_path / "run"
    params["parameters"].update(output_dir=str(run_dir), run_label="refused", data_dir=str(data_dir))
    if case == "dask":
        params["parameters"]["sim_dask_address"] = f"tcp://127.0.0.1:{_closed_port()}"
        expected = (ParameterError, "parameter 'sim_dask_address'")
    elif case == "reference":
        study = study_copy(tmp_path, lambda d: d["study"].update(reference=str(ROOT / "studies/jcog1017/trials.yaml")))
        params["parameters"]["study"] = str(study)
        expected = (ReferenceError, "key 'study.reference'")
    else:
        edit(data_dir, "adsl", lambda f: f.loc.__setitem__((7, "ITTFL"), "Yes"))
        expected = (DataValidationError, "column ITTFL: values not in Y, N")
    path = tmp_path / "params.yaml"
    path.write_text(yaml.safe_dump(params))
    before = _tree(tmp_path)
    with pytest.raises(expected[0]) as info:
        run(path, workers=1, notebooks=["03_overall_survival", "09_design"], echo=lambda line: None)
    assert expected[1] in str(info.value)
    assert not run_dir.exists()
    assert _tree(tmp_path) == before


# --------------------------------------------------------------------------- 6. real causes
def test_column_with_a_trailing_space_is_named(data_dir):
    path = data_dir / "adtte.csv"
    text = path.read_text()
    path.write_text(text.replace("USUBJID,", "USUBJID ,", 1))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    assert info.value.column == "USUBJID" and Path(info.value.file) == path
    assert "'USUBJID ' has a trailing space" in str(info.value)


def test_parameter_column_in_another_case_says_where_it_exists(data_dir):
    data = load_trial_data(data_dir)
    with pytest.raises(ParameterError, match="parameter 'strata': column 'er' is not in ADSL; "
                                             "exists as 'ER'"):
        check_columns({"strata": ["er"]}, data.adsl.columns)


def test_arm_codes_differing_only_in_case(data_dir):
    adsl = pd.read_csv(data_dir / "adsl.csv", dtype=str, keep_default_na=False)
    row = int(adsl.index[adsl["ARMCD"] == "A"][4])
    edit(data_dir, "adsl", lambda f: f.loc.__setitem__((row, "ARMCD"), "a"))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    assert info.value.column == "ARMCD" and info.value.rows == (row + 1,)
    assert "values A, a differ only in case" in str(info.value)


def test_all_zero_aval_names_file_and_column(data_dir):
    edit(data_dir, "adtte", lambda f: f.__setitem__("AVAL", "0"))
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    assert info.value.column == "AVAL" and Path(info.value.file) == data_dir / "adtte.csv"
    assert "every AVAL is 0" in str(info.value)


def test_strata_on_a_patient_identifier_names_the_parameter(data_dir):
    data = load_trial_data(data_dir)
    with pytest.raises(ParameterError, match="parameter 'strata': column USUBJID has a different "
                                             "value for every patient"):
        prepare_run_data(data, {"population": "ITTFL", "strata": ["USUBJID"], "subgroups": []})


def test_symbolic_link_loop_is_reported_as_such(data_dir):
    (data_dir / "adsl.csv").unlink()
    os.symlink(data_dir / "loop_b.csv", data_dir / "loop_a.csv")
    os.symlink(data_dir / "loop_a.csv", data_dir / "loop_b.csv")
    os.symlink(data_dir / "loop_a.csv", data_dir / "adsl.csv")
    with pytest.raises(DataValidationError) as info:
        load_trial_data(data_dir)
    assert str(info.value) == f"{data_dir / 'adsl.csv'}: is a symbolic link loop (the links point " \
                              "back to each other), not a data file"
    (data_dir / "adsl.csv").unlink()
    shutil.copy(DATA / "adsl.csv", data_dir / "adsl.csv")
    (data_dir / "adae.csv").unlink()  # the optional ADAE as a loop: an error, not "no ADAE"
    os.symlink(data_dir / "loop_a.csv", data_dir / "adae.csv")
    with pytest.raises(DataValidationError, match="adae.csv: is a symbolic link loop"):
        load_trial_data(data_dir)
