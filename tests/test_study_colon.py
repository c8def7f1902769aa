"""The example study of a second, real, public trial: R's survival::colon written as CDISC
ADaM (XPT, AVAL in DAYS with AVALU, CNSR 0/1/2, three arms, no JCOG1017 column) by
validation/colon_adam.py and mapped by studies/colon.yaml. The whole supplement runs on it by
configuration alone, and its statistics equal R's survival on the original data
(tests/fixtures/r/colon_adam.json, made by validation/r/reference_colon.R)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from conftest import ROOT, read_results

FIXTURE = json.loads((ROOT / "tests" / "fixtures" / "r" / "colon_adam.json").read_text())


@pytest.fixture(scope="module")
def colon_run(colon_supplement_run) -> Path:
    """The colon supplement of the test session (conftest: built once, shared by the workers)."""
    return colon_supplement_run


def close(a, b, tol=1e-6):
    a = np.array(a, dtype=float)
    b = np.array([np.nan if v is None else v for v in np.ravel(b)], dtype=float).reshape(np.shape(b))
    return np.allclose(a, b, rtol=tol, atol=tol, equal_nan=True)


@pytest.mark.parametrize("notebook, key, paramcd", [("03_overall_survival", None, "OS"),
                                                    ("04_lrfs", "ttr", "TTR")])
def test_statistics_equal_r_on_the_original_data(colon_run, notebook, key, paramcd):
    res = read_results(colon_run, notebook)
    res = res[key] if key else res
    ref = FIXTURE[paramcd]
    hr = res["hazard_ratio"]
    assert (hr["n"], hr["events"]) == (ref["n"], ref["events"])
    assert close([hr["hr"], hr["lower"], hr["upper"], hr["se"]],
                 [ref["hr"], ref["lower"], ref["upper"], ref["se"]])
    assert hr["strata"] == ["NODE4"]
    assert close(res["logrank"]["chisq"], ref["logrank_chisq"])
    assert abs(res["logrank"]["p_two_sided"] - ref["logrank_p"]) < 1e-4
    med = res["medians"]
    assert close(med["median"], ref["median"]) and close(med["median_lower"], ref["median_lower"])
    assert close(med["median_upper"], ref["median_upper"])
    assert close(res["landmarks"]["surv"], ref["landmark_surv"])
    assert close(res["landmarks"]["lower"], ref["landmark_lower"])
    assert res["time_unit"] == "months"
    assert read_results(colon_run, notebook)["settings"]["study"] == "COLON"


def test_flow_counts_the_arm_left_out(colon_run):
    flow = read_results(colon_run, "01_population")
    assert flow["arms"]["A"]["label"] == "Observation"
    assert flow["arms"]["B"]["label"] == "Levamisole + fluorouracil"
    assert flow["other_arms"] == {"Lev": 310}
    assert flow["registered"] == 929 and flow["randomised"] == 929
    assert "surgery" not in flow and set(flow["analysis_sets"]) == {"ITTFL"}
    table = (colon_run / "tables" / "01_population" / "consort.csv").read_text()
    assert "Other arm Lev (not compared, excluded)\",310" in table
    # not the synthetic data: the supplement names the files it read instead
    assert flow["synthetic_data"] is False
    executed = (colon_run / "notebooks" / "01_population.ipynb").read_text()
    assert "This run read the data sets `adsl.xpt` (SHA-256 " in executed
    assert "Synthetic data" not in executed


def test_chapters_and_sections_without_data_are_left_out_with_the_reason(colon_run):
    assert read_results(colon_run, "06_safety")["omitted"] == {
        "title": "Safety", "reason": "the data have no adverse events (no ADAE dataset) and the "
                                    "study names no safety population"}
    assert "published figures" in read_results(colon_run, "10_reproduction")["omitted"]["reason"]
    assert "table of the randomised trials" in read_results(colon_run, "08_meta_analysis")["omitted"]["reason"]
    assert "planning assumptions" in read_results(colon_run, "09_design")["omitted"]["reason"]
    flow = read_results(colon_run, "01_population")
    assert flow["unavailable"]["The protocol procedure of the experimental arm"] == {
        "reason": "the study names no protocol procedure of the experimental arm",
        "label": "sec-procedure"}
    sens = read_results(colon_run, "07_sensitivity")
    assert "per_protocol" not in sens and sens["adjusted_covariates"] == ["AGE", "SEX", "OBSTRFL", "EXTENT"]
    for name in ("01_population", "06_safety", "09_design"):  # no placeholder in any output
        assert "not available" not in (colon_run / "notebooks" / f"{name}.ipynb").read_text().lower()


def test_subgroups_in_configured_order(colon_run):
    sub = read_results(colon_run, "05_subgroups")["subgroups"]
    assert list(sub) == sorted(["SEX", "AGEGR1", "OBSTRFL", "EXTENT", "DIFFER"])
    table = (colon_run / "tables" / "05_subgroups" / "subgroups.csv").read_text().splitlines()
    levels = [line.split(",")[1] for line in table if line.startswith("Extent of local spread")]
    assert levels == ["Submucosa", "Muscle", "Serosa", "Contiguous structures"]
