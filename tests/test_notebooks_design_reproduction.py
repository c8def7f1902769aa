"""Notebooks 08 (design) and 09 (reproduction) executed on the bundled data."""

from __future__ import annotations

import math

import pytest

from conftest import read_results

pytestmark = pytest.mark.slow


def test_design_reproduces_published_events_and_patients(supplement_run):
    design = read_results(supplement_run, "09_design")
    assert design["events"] == 359  # published (ASCO 2023)
    assert design["patients"] == 410
    assert design["patients_for_events"] == 393 and design["dropout"] == 0.04
    assert abs(design["power_at_design_events"] - 0.80) < 0.01  # HR 0.77 (stated) vs 20/26
    assert design["power_at_observed_deaths"] < design["power_at_design_events"]
    os_ = read_results(supplement_run, "03_overall_survival")
    assert design["observed_deaths"] == os_["hazard_ratio"]["events"]
    assert design["observed_hr"] == os_["hazard_ratio"]["hr"]


def test_reproduction_has_every_published_figure(supplement_run):
    from helpers.config.reference import published_figures

    results = read_results(supplement_run, "10_reproduction")
    computed = results["computed"]
    for row in published_figures():  # uncertain figures are excluded
        assert row["path"] in computed, row["path"]
        assert math.isfinite(computed[row["path"]]), row["path"]
    assert set(results["reproduction"]["figure"]) == {r["path"] for r in published_figures()}
    assert computed["design.required_events"] == 359
    assert computed["design.planned_randomised"] == 410


def test_key_results_equal_the_overall_survival_notebook(supplement_run):
    os_ = read_results(supplement_run, "03_overall_survival")
    key = read_results(supplement_run, "10_reproduction")["key_results"]
    hr = os_["hazard_ratio"]
    assert (key["os_hazard_ratio"], key["os_lower"], key["os_upper"]) == (hr["hr"], hr["lower"], hr["upper"])
    assert key["os_conf_level"] == hr["conf_level"] == 0.90
    assert key["os_deaths"] == hr["events"]
    assert key["os_p_logrank"] == os_["p_logrank"] and key["os_sided"] == os_["sided"]
    medians = dict(zip(os_["medians"]["group"], os_["medians"]["median"]))
    assert (key["os_median_a"], key["os_median_b"]) == (medians["A"], medians["B"])
    assert key["median_follow_up_months"] == os_["follow_up"]["simple_median"]
    assert key["lrfs_conf_level"] == 0.95 and key["lrfs_hazard_ratio"] < 1
