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


def _markdown(run_dir, notebook: str) -> str:
    import nbformat

    nb = nbformat.read(run_dir / "notebooks" / f"{notebook}.ipynb", as_version=4)
    return "\n".join(o.get("data", {}).get("text/markdown", "") for c in nb.cells
                     if c.cell_type == "code" for o in c.get("outputs", []))


def test_design_power_is_stated_once_from_its_ard_row_without_post_hoc_power(supplement_run):
    import pandas as pd

    ard = pd.read_parquet(supplement_run / "ard" / "09_design.parquet")
    power = ard[(ard["analysis_id"] == "design.power") & (ard["stat_name"] == "power")
                & (ard["variable_level"] == "design")].iloc[0]
    text = _markdown(supplement_run, "09_design")
    assert f"the design has {power['stat_fmt']}% power" in text
    oc = pd.read_csv(supplement_run / "tables" / "09_design" / "simulated_operating_characteristics.csv")
    assert oc.loc[oc["Scenario"] == "Planning assumptions", "Analytic, Schoenfeld (%)"].iloc[0] == float(power["stat_fmt"])
    assert "79.7" not in text and "observed hazard ratio, at which" not in text
    assert "a smaller effect than planned, at which the design's power" not in text


def test_reproduction_tables_are_readable_and_the_preface_summary_is_displayed(supplement_run):
    import nbformat
    import pandas as pd

    table = pd.read_csv(supplement_run / "tables" / "10_reproduction" / "reproduction.csv",
                        dtype=str, keep_default_na=False)
    text = table.to_csv()
    for bad in ("results.", "True", "False", "None", "221.0000", "ci_lower", "nan"):
        assert bad not in text, bad
    assert set(table["Within tolerance"]) <= {"Yes", "No", "—"}
    key = pd.read_csv(supplement_run / "tables" / "10_reproduction" / "key_results.csv", dtype=str)
    assert key.set_index("Figure").loc["Deaths", "Published"] == "221"
    # one published LRFS hazard ratio, printed as published, in chapters 8 and 10
    assert key.set_index("Figure").loc["LRFS hazard ratio", "Published"] == "0.415"
    assert "published 0.415 (95% CI 0.327–0.527)" in _markdown(supplement_run, "08_meta_analysis")
    nb = nbformat.read(supplement_run / "notebooks" / "10_reproduction.ipynb", as_version=4)
    cell = next(c for c in nb.cells if "#| label: reproduction-summary" in c.source)
    assert any("text/html" in o.get("data", {}) for o in cell.outputs), "the preface summary is not shown"


def test_meta_analysis_chapter_shows_labels_not_keys(supplement_run):
    import pandas as pd

    trials = pd.read_csv(supplement_run / "tables" / "08_meta_analysis" / "trials_os.csv", dtype=str)
    assert "lancet_oncol_2015" not in trials.to_csv() and "Lancet Oncol 2015" in set(trials["Version"])
    methods = pd.read_csv(supplement_run / "tables" / "08_meta_analysis" / "methods_os.csv")
    assert {"τ²", "I² (%)"} <= set(methods.columns) and "tau2" not in methods.columns
    text = _markdown(supplement_run, "08_meta_analysis")
    assert "tau²" not in text and "τ² = " in text
    assert "badwe2015_cta" not in text and "Badwe R" in text
