"""Notebooks 01 (study population), 02 (baseline) and 06 (safety) executed on the bundled
data: their results files hold the trial's published flow (570 registered, 205/202
randomised, 163 not randomised, data/README.md) and no treatment-related deaths; their tables
exist and are aggregates (no patient identifiers)."""

from __future__ import annotations

import json

import pytest

from conftest import read_results

pytestmark = pytest.mark.slow

TABLES = {
    "01_population": ["consort", "analysis_sets", "arm_b_surgery"],
    "02_baseline": ["baseline"],
    "06_safety": ["operative_morbidity", "ae_summary", "ae_worst_grade", "serious_ae"],
}


def test_population_flow(supplement_run):
    pop = read_results(supplement_run, "01_population")
    assert pop["registered"] == 570 and pop["randomised"] == 407
    assert {code: arm["randomised"] for code, arm in pop["arms"].items()} == {"A": 205, "B": 202}
    assert pop["not_randomised"] == 163
    assert sum(pop["not_randomised_reasons"].values()) == 163
    assert pop["not_randomised_reasons"]["Progression during primary systemic therapy"] == 96
    # the bundled data are recognised as synthetic, and the chapter (and preface) say so
    assert pop["synthetic_data"] is True
    executed = (supplement_run / "notebooks" / "01_population.ipynb").read_text()
    assert "## Synthetic data" in executed


def test_population_analysis_sets_and_surgery(supplement_run):
    pop = read_results(supplement_run, "01_population")
    sets = pop["analysis_sets"]
    assert sets["ITTFL"] == {"A": 205, "B": 202, "total": 407}
    assert sets["SAFFL"]["total"] <= 407
    assert sets["PPROTFL"]["total"] == sets["PPROTFL"]["A"] + sets["PPROTFL"]["B"] < 407
    surgery = pop["surgery"]
    assert surgery["randomised"] == 202
    assert surgery["performed"] + surgery["not_performed"] == 202
    assert sum(surgery["detail"].values()) == surgery["performed"]
    assert set(surgery["detail"]) == {"Complete (R0)", "Incomplete (R1/R2)"}
    assert sets["PPROTFL"]["B"] == surgery["performed"]  # arm B per protocol = resected


def test_baseline_n_per_arm(supplement_run):
    base = read_results(supplement_run, "02_baseline")
    assert base["population"] == "ITTFL"
    assert base["n"] == {"A": 205, "B": 202, "total": 407}
    assert 40 <= base["median_age"]["total"] <= 70
    assert all(0 < pct < 100 for pct in base["pct_premenopausal"].values())


def test_safety(supplement_run):
    safety = read_results(supplement_run, "06_safety")
    assert safety["treatment_related_deaths"] == 0
    assert safety["safety_n"] == {"A": 205, "B": 202}
    for arm, n in safety["safety_n"].items():
        assert 0 < safety["patients_grade3_or_worse"][arm] <= safety["patients_any_ae"][arm] <= n
        assert safety["patients_serious_ae"][arm] <= safety["patients_any_ae"][arm]
    assert sum(safety["patients_grade5"].values()) == 2  # unrelated to treatment (data/README.md)
    morbidity = safety["operative_morbidity"]
    assert 0 < morbidity["grade3_or_worse"] <= morbidity["any_grade"] <= morbidity["operated"]


@pytest.mark.parametrize("notebook", sorted(TABLES))
def test_tables_exist_and_are_aggregates(supplement_run, notebook):
    for name in TABLES[notebook]:
        path = supplement_run / "tables" / notebook / f"{name}.csv"
        assert path.is_file(), path
        assert "JCOG1017-" not in path.read_text(encoding="utf-8"), f"patient id in {path}"
    executed = (supplement_run / "notebooks" / f"{notebook}.ipynb").read_text(encoding="utf-8")
    assert "JCOG1017-" not in executed and "USUBJID" not in json.dumps(
        [c.get("outputs") for c in json.loads(executed)["cells"]]), notebook


def test_population_figure(supplement_run):
    assert (supplement_run / "figures" / "01_population" / "consort.png").is_file()
