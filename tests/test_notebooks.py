"""The supplement's notebooks executed on the bundled data: results files hold what the
published trial reports (calibration of the synthetic data, see data/README.md)."""

from __future__ import annotations

import pytest

from conftest import read_results

pytestmark = pytest.mark.slow


def test_overall_survival_results(supplement_run):
    os_ = read_results(supplement_run, "03_overall_survival")
    hr = os_["hazard_ratio"]
    assert hr["conf_level"] == 0.90 and hr["strata"] == ["ER", "HER2", "METGR"]
    assert abs(hr["hr"] - 0.86) <= 0.03
    assert hr["lower"] < 1 < hr["upper"]
    assert os_["sided"] == "one-sided" and 0 < os_["p_logrank"] < 0.5
    medians = dict(zip(os_["medians"]["group"], os_["medians"]["median"]))
    assert abs(medians["A"] - 69) <= 4 and abs(medians["B"] - 75) <= 4
    assert abs(sum(os_["medians"]["events"]) - 221) <= 10
    assert abs(os_["follow_up"]["simple_median"] - 60) <= 3
    assert os_["follow_up"]["median"] > os_["follow_up"]["simple_median"]  # reverse KM


def test_every_notebook_wrote_results(supplement_run):
    from helpers.run.plan import discover_notebooks

    names = [nb.name for nb in discover_notebooks()]
    assert names, "no notebooks found"
    for name in names:
        assert (supplement_run / "results" / f"{name}.json").is_file(), name
        assert (supplement_run / "notebooks" / f"{name}.ipynb").is_file(), name


def test_population_data_cut_and_ci_level_by_parameters_only(supplement_run, tmp_path):
    """A rerun with other parameters (per-protocol population, an earlier data cut, a 95% CI
    for the primary HR) goes to its own run directory and changes the numbers accordingly."""
    from conftest import run_supplement

    run_dir = tmp_path / "pp-cut"
    report = run_supplement(run_dir, notebooks=["01_population", "03_overall_survival"], extra={
        "population": "PPROTFL", "data_cut": "2016-06-30", "primary_conf_level": 0.95})
    assert not report.failed, [f.error for f in report.failed]
    full = read_results(supplement_run, "03_overall_survival")
    rerun = read_results(run_dir, "03_overall_survival")
    assert rerun["population"] == "PPROTFL" and rerun["hazard_ratio"]["conf_level"] == 0.95
    assert rerun["hazard_ratio"]["n"] < full["hazard_ratio"]["n"]
    assert rerun["hazard_ratio"]["events"] < full["hazard_ratio"]["events"]
    assert read_results(run_dir, "01_population")["registered"] < 570
    assert not (supplement_run / "results" / "01_population.json").samefile(
        run_dir / "results" / "01_population.json")
