"""Notebooks 04 (LRFS and other secondary endpoints), 05 (subgroups) and 07 (sensitivity)
executed on the bundled data: their results files hold the calibration acceptance figures of
data/README.md (the synthetic data are tuned to the published trial)."""

from __future__ import annotations

import math

import pytest

from conftest import read_results

pytestmark = pytest.mark.slow


def _finite(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x)


def test_lrfs_results(supplement_run):
    res = read_results(supplement_run, "04_lrfs")
    lrfs = res["lrfs"]
    hr = lrfs["hazard_ratio"]
    # published LRFS HR 0.42 (95% CI 0.33-0.53); acceptance 0.42 +/- 0.03, CI excludes 1
    assert hr["conf_level"] == 0.95 and lrfs["sided"] == "two-sided"
    assert abs(hr["hr"] - 0.42) <= 0.03 and hr["upper"] < 1
    medians = dict(zip(lrfs["medians"]["group"], lrfs["medians"]["median"]))
    assert abs(medians["A"] - 20) <= 3 and abs(medians["B"] - 63) <= 5
    assert 0 <= lrfs["p_logrank"] < 0.001
    for key in ("ptrfs", "mpfs"):
        assert res[key]["paramcd"] == key.upper() and _finite(res[key]["hazard_ratio"]["hr"])
    for flag in ("LOCULCFL", "LOCBLDFL"):
        row = res["local_control"][flag]
        assert 0 <= row["p_fisher"] <= 1 and row["N_A"] + row["N_B"] == 407
        assert row["pct_B"] < row["pct_A"]  # resection lowers local ulcer/bleeding


@pytest.mark.parametrize("column, benefit, other", [
    ("MENOPAUS", "Premenopausal", "Postmenopausal"),
    ("METGR", "Single organ", "Multiple organs"),
])
def test_subgroup_effect_modification(supplement_run, column, benefit, other):
    res = read_results(supplement_run, "05_subgroups")
    assert res["conf_level"] == 0.95
    assert res["strata"] == []  # params/default.yaml: subgroup models unstratified
    var = res["subgroups"][column]
    good, rest = var["levels"][benefit], var["levels"][other]
    # calibration acceptance (data/README.md): benefit with upper 95% limit < 1.05 in
    # premenopausal and single-organ patients, HR >= 0.95 in the complementary subgroups
    assert good["hr"] < 1 and good["upper"] < 1.05
    assert rest["hr"] >= 0.95
    assert 0 <= var["p_interaction"] <= 1
    assert var["levels"][benefit]["n"] + var["levels"][other]["n"] == res["overall"]["n"]


def test_subgroup_results_complete(supplement_run):
    res = read_results(supplement_run, "05_subgroups")
    from helpers.config.study import load_study

    DEFAULT_SUBGROUPS = [v.name for v in load_study().subgroups]

    assert sorted(res["subgroups"]) == sorted(DEFAULT_SUBGROUPS)  # JSON keys are sorted
    assert res["overall"]["n"] == 407
    for column, var in res["subgroups"].items():
        assert 0 <= var["p_interaction"] <= 1, column
        for level, row in var["levels"].items():
            assert row["n_control"] + row["n_experimental"] == row["n"], (column, level)
            assert row["events"] <= row["n"]
            assert row["hr"] is None or row["lower"] <= row["hr"] <= row["upper"]


def test_sensitivity_results(supplement_run):
    res = read_results(supplement_run, "07_sensitivity")
    primary = res["primary"]
    assert primary["conf_level"] == 0.90 and abs(primary["hr"] - 0.86) <= 0.03
    for key in ("unstratified", "adjusted", "breslow", "per_protocol"):
        row = res[key]
        assert all(_finite(row[k]) for k in ("hr", "lower", "upper")), key
        assert row["lower"] < row["hr"] < row["upper"] and row["conf_level"] == 0.90, key
        assert abs(row["hr"] - primary["hr"]) < 0.25, key
    assert res["unstratified"]["strata"] is None and res["per_protocol"]["n"] < primary["n"]
    for model in ("primary", "adjusted"):
        ph = res["ph_test"][model]
        assert all(0 <= p <= 1 for p in ph["p"]) and 0 <= ph["global_p"] <= 1
    assert res["ph_test"]["primary"]["terms"] == ["ARMCD"]
    rmst = res["rmst"]
    assert _finite(rmst["difference"]) and rmst["lower"] < rmst["difference"] < rmst["upper"]
    assert rmst["tau"] == 60


def test_outputs_are_aggregate_only(supplement_run):
    """Confidentiality: no subject identifier in any output of these notebooks."""
    import pandas as pd

    from helpers.config.params import REPO_ROOT

    subjects = pd.read_csv(REPO_ROOT / "data" / "adsl.csv", usecols=["USUBJID"])["USUBJID"]
    probe = [str(s) for s in subjects]
    for name in ("04_lrfs", "05_subgroups", "07_sensitivity"):
        files = [supplement_run / "notebooks" / f"{name}.ipynb",
                 supplement_run / "results" / f"{name}.json",
                 *sorted((supplement_run / "tables" / name).glob("*.csv"))]
        for path in files:
            text = path.read_text()
            assert "USUBJID" not in text, path
            assert not any(s in text for s in probe), path
