"""A study with a trial table of its own gets chapter 8 pooled from that table (issue 18,
"chapters by applicability"): R's colon trial as ADaM (validation/colon_adam.py) with a small
table written here, FICTITIOUS TEST DATA (no such trials exist): three other trials, one with
two versions, none whose direction is unclear, and the colon trial's own row from this run.

The pooled estimate equals ``helpers.meta.pooling.pool`` on the same rows built by hand from
the table's numbers; the chapter names none of the bundled study's trials or words; every
printed number traces to the chapter's ARD; a bad entry stops the run before any notebook
runs, naming the study's file, the trial and the field."""

from __future__ import annotations

import json
import math
import sys

import pandas as pd
import pytest
import yaml

from conftest import ROOT, read_results
from study_paths import read_study
from test_study_words import BANNED

pytestmark = pytest.mark.slow

#: Fictitious trials (test data only): ids, labels, sources and figures are made up.
TEST_TABLE = {
    "comparison": {"experimental": "adjuvant chemotherapy", "control": "observation"},
    "local_control": {"paramcd": "TTR"},
    "sources": {
        "test_a": {"citation": "Test data: fictitious trial A report (not a real publication)"},
        "test_b1": {"citation": "Test data: fictitious trial B first report"},
        "test_b2": {"citation": "Test data: fictitious trial B update"},
        "test_c": {"citation": "Test data: fictitious trial C report"},
        "test_meta": {"citation": "Test data: fictitious meta-analysis"},
        "this_study": {"citation": "Test data: the run's own trial"},
    },
    "trials": [
        {"id": "test_trial_a", "label": "Test trial A (fictitious)",
         "os": {"default_version": "report", "versions": {"report": {
             "hr": 0.82, "ci": [0.66, 1.02], "ci_level": 0.95, "year": 1995, "source": "test_a"}}},
         "local_control": {"default_version": "report", "versions": {"report": {
             "hr": 0.70, "ci": [0.52, 0.94], "ci_level": 0.95, "year": 1995, "source": "test_a"}}}},
        {"id": "test_trial_b", "label": "Test trial B (fictitious)",
         "os": {"default_version": "update", "versions": {
             "first": {"label": "first report", "hr": 0.75, "ci": [0.58, 0.97], "ci_level": 0.90,
                       "year": 1998, "source": "test_b1"},
             "update": {"label": "long-term update", "hr": 0.79, "ci": [0.64, 0.98],
                        "ci_level": 0.95, "year": 2004, "source": "test_b2"}}}},
        {"id": "test_trial_c", "label": "Test trial C (fictitious)",
         "os": {"default_version": "report", "versions": {"report": {
             "hr": 1.05, "ci": [0.80, 1.38], "ci_level": 0.95, "year": 2001, "source": "test_c"}}},
         "local_control_reported": [{"measure": "5-year local recurrence", "experimental": 0.12,
                                     "control": 0.21, "source": "test_c"}]},
        {"id": "colon_trial", "label": "Colon (this run)",
         "os": {"default_version": "this_run", "versions": {"this_run": {
             "from_run": True, "year": 1990, "source": "this_study"}}},
         "local_control": {"default_version": "this_run", "versions": {"this_run": {
             "from_run": True, "year": 1990, "source": "this_study"}}}},
    ],
    "meta_analyses": [
        {"id": "test_meta", "label": "Test meta-analysis (fictitious)", "source": "test_meta",
         "trials": ["test_trial_a", "test_trial_b", "test_trial_c"], "trial_set": "trials A, B, C",
         "model": "random effects", "os": {"hr": 0.86, "ci": [0.74, 1.00], "ci_level": 0.95,
                                           "n_trials": 3}},
    ],
}


def _study(tmp_path, table: dict) -> tuple:
    """A copy of the colon study naming ``table`` (written beside it) and a parameter file."""
    study = read_study(ROOT / "studies" / "colon.yaml")
    study["study"]["trials"] = "trials.yaml"
    (tmp_path / "trials.yaml").write_text(yaml.safe_dump(table, sort_keys=False))
    (tmp_path / "study.yaml").write_text(yaml.safe_dump(study, allow_unicode=True))
    params = yaml.safe_load((ROOT / "params" / "colon.yaml").read_text())
    params["parameters"].update({"study": str(tmp_path / "study.yaml"),
                                 "data_dir": str(tmp_path / "adam"),
                                 "output_dir": str(tmp_path / "run"), "run_label": "own-table"})
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    return tmp_path / "params.yaml", tmp_path / "run"


@pytest.fixture(scope="module")
def own_table_run(tmp_path_factory):
    from helpers.run.execute import run

    sys.path.insert(0, str(ROOT / "validation"))
    import colon_adam

    tmp = tmp_path_factory.mktemp("own-trials")
    colon_adam.write(tmp / "adam")
    params, run_dir = _study(tmp, TEST_TABLE)
    report = run(params, workers=2, notebooks=["03_overall_survival", "08_meta_analysis"],
                 echo=lambda line: None)
    assert not report.failed, [f.error for f in report.failed]
    return run_dir


def _prose(run_dir) -> str:
    from tests.traceability import notebook_prose

    pieces = notebook_prose(run_dir / "notebooks" / "08_meta_analysis.ipynb")
    tables = sorted((run_dir / "tables" / "08_meta_analysis").glob("*"))
    return " ".join(text for _, text in pieces) + " ".join(t.read_text() for t in tables)


def test_a_study_with_its_own_table_gets_chapter_8_pooled_from_it(own_table_run):
    from helpers.meta.pooling import pool
    from helpers.meta.trials import se_from_ci

    results = read_results(own_table_run, "08_meta_analysis")
    assert not results.get("omitted")
    os_ = results["os"]
    # default versions, nothing uncertain: every trial pooled, by year
    assert os_["pooled_trials"] == ["colon_trial", "test_trial_a", "test_trial_c", "test_trial_b"]
    run = results["colon_trial_run"]  # this run's primary endpoint (OS) HR at its primary level
    rows = pd.DataFrame([  # the same rows, by hand from the table's numbers
        (run["hr"], run["lower"], run["upper"], run["conf_level"]),
        (0.82, 0.66, 1.02, 0.95), (1.05, 0.80, 1.38, 0.95), (0.79, 0.64, 0.98, 0.95)],
        columns=["hr", "lower", "upper", "level"])
    rows["log_hr"] = rows["hr"].map(math.log)
    rows["se"] = [se_from_ci(r.lower, r.upper, r.level) for r in rows.itertuples()]
    expected = pool(rows, method="REML")
    assert os_["result"]["estimate"] == pytest.approx(expected.estimate, abs=1e-12)
    assert os_["result"]["tau2"] == pytest.approx(expected.tau2, abs=1e-12)
    hr = read_results(own_table_run, "03_overall_survival")["hazard_ratio"]
    assert (run["hr"], run["lower"], run["upper"], run["conf_level"]) == (
        hr["hr"], hr["lower"], hr["upper"], hr["conf_level"])
    # local control: the study's TTR, pooled with trial A's; C's proportions shown
    local = results["local_control"]
    assert local["pooled_trials"] == ["colon_trial", "test_trial_a"]
    assert "colon_trial_ttr_run" in local and local["n_reported_without_ci"] == 1
    assert results["published_comparison"]["id"] == ["test_meta", "this_run"]
    assert results["published_comparison"]["same_trials_inverted_hr"] == [None, None]


def test_the_chapter_names_no_trial_of_the_bundled_study(own_table_run):
    text = _prose(own_table_run)
    assert "Test trial B (fictitious)'s hazard ratio was 0.75 in its 1998 report" in text
    assert "long-term update" in text  # the version's label from the table
    assert "adjuvant chemotherapy vs observation" in text  # the arms' words from the table
    assert "time to recurrence hazard ratio in this run" in text  # the endpoint's label
    assert "inverted" not in text  # no trial of unclear direction: no such column or sentence
    assert "The published pooled hazard ratio is 0.86 (Test meta-analysis (fictitious))" in text
    lowered = text.lower()
    found = [w for w in (*BANNED, "abcsg", "mf07", "surgery", "relapse") if w.lower() in lowered]
    assert not found, found


def test_every_printed_number_of_the_chapter_is_traced(own_table_run):
    """As tests/test_traceability.py on a complete run (this run holds two notebooks, so no
    RUN/ard.csv nor run record): the chapter's ARD, its parameters and the trial table."""
    from test_traceability import _report
    from tests.traceability import (allowed_numbers, notebook_prose, number_tokens,
                                    table_cells, untraced)

    rows = pd.read_parquet(own_table_run / "ard" / "08_meta_analysis.parquet").to_dict("records")
    allowed = allowed_numbers(rows)
    inputs = set(number_tokens((own_table_run.parent / "trials.yaml").read_text()))
    inputs |= {"90", "95", "0.9", "0.95"}  # the run's CI levels (parameters)
    prose = notebook_prose(own_table_run / "notebooks" / "08_meta_analysis.ipynb")
    missing = untraced(prose, allowed | inputs)
    assert not missing, _report("08_meta_analysis", missing)
    cells = [c for t in sorted((own_table_run / "tables" / "08_meta_analysis").glob("*.csv"))
             for c in table_cells(t)]
    missing = untraced(cells, allowed, structure=False)
    assert not missing, _report("08_meta_analysis", missing)


def test_the_run_record_names_the_trial_table_with_its_checksum(own_table_run):
    from helpers.core.checksums import sha256_file
    from helpers.run.record import study_files

    folder = own_table_run.parent
    table = folder / "trials.yaml"
    files = study_files([{"study": str(folder / "study.yaml")}])
    assert {"path": str(table.resolve()), "sha256": sha256_file(table)} in files


@pytest.mark.parametrize("change, fragment", [
    (lambda t: t["trials"][0]["os"]["versions"]["report"].update(hr=1.5),
     "trial 'test_trial_a', field 'os.versions.report.ci': HR 1.5 lies outside its CI"),
    (lambda t: t["trials"][1]["os"].update(default_version="final"),
     "trial 'test_trial_b', field 'os.default_version': 'final' is not one of its versions"),
    (lambda t: t.update(local_control={"paramcd": "LCTRL"}),
     "key 'local_control.paramcd': 'LCTRL' is not an endpoint of the study configuration"),
    (lambda t: t["trials"][2]["os"]["versions"]["report"].update(direction_unclear=True),
     "trial 'test_trial_c', field 'os.versions.report.direction_unclear': say why"),
])
def test_a_bad_entry_is_refused_naming_the_studys_file(tmp_path, change, fragment):
    from helpers.core.errors import DataValidationError
    from helpers.run.execute import run

    table = json.loads(json.dumps(TEST_TABLE))
    change(table)
    params, run_dir = _study(tmp_path, table)
    (tmp_path / "adam").mkdir()
    with pytest.raises(DataValidationError) as err:
        run(params, workers=1, notebooks=["08_meta_analysis"], echo=lambda line: None)
    message = str(err.value)
    assert message.startswith(f"{tmp_path / 'trials.yaml'}: ") and fragment in message, message
    assert not (run_dir / "results").exists()  # nothing written


def test_a_version_the_table_lacks_is_refused_before_the_run(tmp_path):
    from helpers.core.errors import ParameterError
    from helpers.run.execute import run

    params, run_dir = _study(tmp_path, TEST_TABLE)
    data = yaml.safe_load(params.read_text())
    data["parameters"]["meta_versions"] = {"test_trial_b": "final", "nosuch": "x"}
    params.write_text(yaml.safe_dump(data))
    (tmp_path / "adam").mkdir()
    with pytest.raises(ParameterError) as err:
        run(params, workers=1, notebooks=["08_meta_analysis"], echo=lambda line: None)
    message = str(err.value)
    assert f"parameter 'meta_versions' ({tmp_path / 'trials.yaml'})" in message
    assert "trial 'test_trial_b' has no version 'final' (known: first, update)" in message
    assert "unknown trial 'nosuch'" in message
    assert not (run_dir / "results").exists()
