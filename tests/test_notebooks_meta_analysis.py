"""Notebook 08 (meta-analysis) executed on the bundled data: JCOG1017's row is this run's
primary result, the pooled estimate is helpers.meta's on the chosen trials, uncertain versions
are left out and named, and the version and method parameters change the result."""

from __future__ import annotations

import math

import pytest

from conftest import read_results, run_supplement

pytestmark = pytest.mark.slow


def test_jcog1017_row_is_this_runs_primary_result(supplement_run):
    meta = read_results(supplement_run, "08_meta_analysis")
    hr = read_results(supplement_run, "03_overall_survival")["hazard_ratio"]
    run = meta["jcog1017_run"]
    assert (run["hr"], run["lower"], run["upper"], run["conf_level"]) == (
        hr["hr"], hr["lower"], hr["upper"], hr["conf_level"])
    trials = meta["os"]["trials"]
    i = trials["trial"].index("jcog1017")
    assert trials["hr"][i] == hr["hr"] and trials["from_run"][i] and trials["ci_level"][i] == 0.90
    # the 90% CI entered as SE = log-width / (2 qnorm(0.95))
    assert trials["se"][i] == pytest.approx(
        (math.log(hr["upper"]) - math.log(hr["lower"])) / (2 * 1.6448536269514722), abs=1e-9)
    lrfs = read_results(supplement_run, "04_lrfs")["lrfs"]["hazard_ratio"]
    assert meta["local_control"]["jcog1017_lrfs_run"]["hr"] == lrfs["hr"]


def test_default_pooling_leaves_out_uncertain_versions(supplement_run):
    from helpers.meta import RunEstimate, pool, select_trials, trial_table
    from meta_cases import jcog_table

    meta = read_results(supplement_run, "08_meta_analysis")
    os_ = meta["os"]
    assert os_["excluded_trials"] == ["abcsg_28", "e2108"]  # flagged uncertain, by year
    assert os_["pooled_trials"] == ["tata_memorial", "mf07_01", "jcog1017"]
    result = os_["result"]
    assert result["method"] == "REML" and not result["hksj"] and result["conf_level"] == 0.95
    run = RunEstimate(**meta["jcog1017_run"])
    pooled, _ = select_trials(trial_table("os", run_estimates={"jcog1017": run}, data=jcog_table()))
    expected = pool(pooled, method="REML")
    assert result["estimate"] == pytest.approx(expected.estimate, abs=1e-9)
    assert result["i2_lower"] <= result["i2"] <= result["i2_upper"]
    assert result["pi_lower"] <= result["lower"] < result["upper"] <= result["pi_upper"]
    assert len(os_["methods"]) == 7  # FE; DL, REML, PM each with and without HKSJ
    assert os_["leave_one_out"]["omitted"] == os_["pooled_trials"]
    assert os_["cumulative"]["k"] == [1, 2, 3]
    assert meta["local_control"]["result"] is None  # only JCOG1017 reports an HR with a CI
    comparison = meta["published_comparison"]
    assert "reinhorn2021" in comparison["id"] and comparison["id"][-1] == "this_run"


def test_versions_uncertainty_and_method_are_parameters(supplement_run, tmp_path):
    run_dir = tmp_path / "meta-options"
    report = run_supplement(run_dir, notebooks=["08_meta_analysis"], extra={
        "meta_method": "PM", "meta_hksj": True, "meta_include_uncertain": True,
        "meta_versions": {"mf07_01": "ann_surg_oncol_2018", "e2108": "asco_2020"}})
    assert not report.failed, [f.error for f in report.failed]
    default = read_results(supplement_run, "08_meta_analysis")["os"]
    other = read_results(run_dir, "08_meta_analysis")["os"]
    assert other["excluded_trials"] == [] and len(other["pooled_trials"]) == 5
    assert other["result"]["method"] == "PM" and other["result"]["hksj"]
    trials = other["trials"]
    assert trials["version"][trials["trial"].index("mf07_01")] == "ann_surg_oncol_2018"
    assert other["result"]["estimate"] != default["result"]["estimate"]


def test_another_study_leaves_the_chapter_out_with_the_reason(tmp_path):
    """On a study without a table of trials (R's colon as ADaM), the chapter puts no trial
    table or row of the bundled study together from that study's data: it leaves itself out
    of the book and says why (the preface lists it)."""
    import sys

    import yaml

    from conftest import ROOT
    from helpers.run.execute import run

    sys.path.insert(0, str(ROOT / "validation"))
    import colon_adam

    colon_adam.write(tmp_path / "adam")
    params = yaml.safe_load((ROOT / "params" / "colon.yaml").read_text())
    params["parameters"].update({"data_dir": str(tmp_path / "adam"), "output_dir": str(tmp_path / "run")})
    (tmp_path / "colon.yaml").write_text(yaml.safe_dump(params))
    report = run(tmp_path / "colon.yaml", workers=1, notebooks=["08_meta_analysis"], echo=lambda line: None)
    assert not report.failed, [f.error for f in report.failed]
    res = read_results(tmp_path / "run", "08_meta_analysis")
    assert "os" not in res and "jcog1017_run" not in res
    assert res["omitted"] == {"title": "Meta-analysis of the randomised trials",
                              "reason": "the study names no table of the randomised trials of the same question"}
