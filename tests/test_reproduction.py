"""helpers.analyses.reproduction: computed values keyed by the published-facts YAML paths."""

from __future__ import annotations

import math

import pytest

from helpers.config.params import validate
from helpers.config.reference import published_figures, published_value
from helpers.analyses.reproduction import (TOLERANCES, computed_values, design_assumptions,
                                           endpoint_settings, key_results_table, planned_sample_size,
                                           with_tolerances)
from helpers.report.tables import reproduction_table


@pytest.fixture(scope="module")
def computed():
    from helpers.data.trial_data import load_trial_data

    return computed_values(load_trial_data("data"), validate({}))


def test_every_published_figure_is_computed_and_finite(computed):
    paths = {r["path"] for r in published_figures()}
    assert set(computed) == paths  # no uncertain figure, nothing extra
    assert all(math.isfinite(v) for v in computed.values())
    assert set(TOLERANCES) <= paths


def test_counts_and_design_are_exact(computed):
    table = with_tolerances(reproduction_table(computed))
    exact = table[table["tolerance"] == 0]
    assert (exact["within"] == True).all(), exact[exact["within"] != True]  # noqa: E712
    assert computed["design.required_events"] == 359
    assert computed["design.planned_randomised"] == 410


def test_primary_and_secondary_settings():
    params = validate({})
    primary, secondary = endpoint_settings(params, True), endpoint_settings(params, False)
    assert primary["hr_conf_level"] == 0.90 and primary["sided"] == "one-sided"
    assert secondary["hr_conf_level"] == 0.95 and secondary["sided"] == "two-sided"
    assert primary["strata"] == ["ER", "HER2", "METGR"]


def test_design_assumptions_come_from_the_reference():
    a = design_assumptions()
    assert a["median_control"] == published_value("design.assumed_median_os_arm_a_months")
    assert a["accrual_months"] == 12 * published_value("design.accrual_years")
    assert planned_sample_size().patients == published_value("design.planned_randomised")


def test_within_tolerance_flags_and_key_table():
    computed = {"results.os.deaths": 250.0, "results.os.hazard_ratio": 0.86}
    table = with_tolerances(reproduction_table(computed))
    rows = table.set_index("figure")
    assert rows.loc["results.os.deaths", "within"] is False  # 29 > 10
    assert rows.loc["results.os.hazard_ratio", "within"] is True
    assert rows.loc["results.os.p_one_sided", "within"] is None  # no tolerance, not computed
    key = key_results_table(table, {"results.os.deaths": "Deaths"})
    assert key.loc[0, "Within tolerance"] == "no" and key.loc[0, "This run"] == 250
