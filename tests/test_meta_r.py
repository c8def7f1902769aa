"""helpers.meta against R's metafor (tests/fixtures/r/meta_reference.json, written by
validation/r/reference_meta.R on the trial sets of tests/meta_cases.py): every method, with
and without HKSJ; estimates to 1e-6, p-values to 1e-4."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from meta_cases import fixture_input, case_table
from helpers.meta import cumulative, leave_one_out, pool

FIXTURES = Path(__file__).parent / "fixtures" / "r"
REFERENCE = json.loads((FIXTURES / "meta_reference.json").read_text())
CASES = [name for name in REFERENCE if name != "versions"]
FITS = [(case, fit) for case in CASES for fit in REFERENCE[case]["fits"]]
ESTIMATES = ["estimate", "se", "statistic", "lower", "upper", "tau2", "i2", "h2", "q",
             "pi_lower", "pi_upper"]
P_VALUES = ["p", "q_p"]


def _options(fit_key: str) -> dict:
    method, test = fit_key.split("_")
    return {"method": method, "hksj": test == "knha"}


def _close(actual, expected, tol, what):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert np.allclose(actual, expected, rtol=0, atol=tol, equal_nan=True), \
        f"{what}: {actual} != {expected}"


def test_fixture_input_is_the_trial_table():
    """The sets R pooled are those the trial table gives now (the YAML has not drifted)."""
    committed = json.loads((FIXTURES / "meta_trials.json").read_text())
    assert committed == json.loads(json.dumps(fixture_input()))
    assert set(CASES) == set(committed)


@pytest.mark.parametrize("case", CASES)
def test_standard_errors_equal_r(case):
    table = case_table(case)
    assert list(table["trial"]) == REFERENCE[case]["trials"]
    _close(table["log_hr"], REFERENCE[case]["yi"], 1e-12, "yi")
    _close(table["se"], REFERENCE[case]["sei"], 1e-12, "sei")


@pytest.mark.parametrize("case, fit_key", FITS)
def test_pool_equals_metafor_rma(case, fit_key):
    ref = REFERENCE[case]["fits"][fit_key]
    res = pool(case_table(case), method=_options(fit_key)["method"],
               hksj=_options(fit_key)["hksj"])
    for name in ESTIMATES:
        _close(getattr(res, name), ref[name], 1e-6, f"{case} {fit_key} {name}")
    for name in P_VALUES:
        _close(getattr(res, name), ref[name], 1e-4, f"{case} {fit_key} {name}")


@pytest.mark.parametrize("case, fit_key", FITS)
def test_weights_equal_metafor(case, fit_key):
    from helpers.report.plots.meta_forest import trial_weights

    table = case_table(case)
    res = pool(table, **_options(fit_key))
    _close(trial_weights(table, res), REFERENCE[case]["fits"][fit_key]["weights"], 1e-6, "weights")


@pytest.mark.parametrize("case", CASES)
def test_q_profile_ci_equals_metafor_confint(case):
    ref = REFERENCE[case]["q_profile"]
    for method in ("FE", "DL", "REML", "PM"):  # the Q-profile CI does not depend on the method
        res = pool(case_table(case), method=method)
        for name in ("tau2_lower", "tau2_upper", "i2_lower", "i2_upper"):
            _close(getattr(res, name), ref[name], 1e-6, f"{case} {method} {name}")


@pytest.mark.parametrize("case, fit_key", FITS)
def test_leave_one_out_and_cumulative_equal_metafor(case, fit_key):
    ref_fit = REFERENCE[case]["fits"][fit_key]
    table = case_table(case)
    for got, ref, key in ((leave_one_out(table, **_options(fit_key)), ref_fit["leave_one_out"], "omitted"),
                          (cumulative(table, **_options(fit_key)), ref_fit["cumulative"], "added")):
        assert list(got[key]) == ref["labels"]
        for name in ("estimate", "se", "lower", "upper", "q", "tau2", "i2", "h2"):
            _close(got[name], ref[name], 1e-6, f"{case} {fit_key} {key} {name}")
        for name in ("p", "q_p"):
            _close(got[name], ref[name], 1e-4, f"{case} {fit_key} {key} {name}")


@pytest.mark.parametrize("case", CASES)
def test_conf_level_90_equals_metafor_level_90(case):
    ref = REFERENCE[case]["level_90"]
    for key in ("REML_z", "REML_knha"):
        res = pool(case_table(case), conf_level=0.90, **_options(key))
        for name in ("estimate", "lower", "upper", "pi_lower", "pi_upper"):
            _close(getattr(res, name), ref[key][name], 1e-6, f"{case} {key} 90% {name}")
    for name in ("tau2_lower", "tau2_upper", "i2_lower", "i2_upper"):
        _close(getattr(res, name), ref["q_profile"][name], 1e-6, f"{case} 90% {name}")


def test_hand_made_homogeneous_case_has_no_heterogeneity():
    ref = REFERENCE["homogeneous"]["fits"]
    assert ref["REML_z"]["q"] < 2  # Q < k-1: every estimator gives tau² = 0
    for key in ("DL_z", "REML_z", "PM_z"):
        assert ref[key]["tau2"] == 0 and pool(case_table("homogeneous"), **_options(key)).tau2 == 0
    assert math.isclose(ref["DL_z"]["estimate"], ref["FE_z"]["estimate"])
