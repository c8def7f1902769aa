"""helpers.survival.subgroups and helpers.survival.ph against R.

Expected numbers: tests/fixtures/r/cox_subgroups.json and cox_zph.json, written by
validation/r/reference_cox.R with R survival 3.x: per-level ``coxph(Surv ~ arm01 +
strata(...), subset = level)`` HR and Wald CI; interaction p from ``anova(coxph(Surv ~
arm01 * factor(subgroup) + strata(...)))`` (LR); ``cox.zph(fit, transform = "km" / "rank" /
"identity")$table``.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.survival.cox import cox_fit, cox_hazard_ratio
from helpers.survival.ph import schoenfeld_test
from helpers.survival.subgroups import COLUMNS, subgroup_analysis

FIX = Path(__file__).parent / "fixtures" / "r"
SUB = json.loads((FIX / "cox_subgroups.json").read_text())
ZPH = json.loads((FIX / "cox_zph.json").read_text())


def _data(name):
    d = pd.read_csv(FIX / "data" / f"{name}.csv")
    if name == "lung":  # derived subgroup, as in reference_cox.R
        d["inst_high"] = np.where(d.inst.isna(), np.nan, (d.inst > 10).astype(float))
        d["long_censored"] = ((d.event == 0) & (d.time > 600)).astype(int)
    return d


@pytest.mark.parametrize("case", SUB, ids=[c["spec"]["id"] for c in SUB])
def test_subgroups_equal_r(case):
    s = case["spec"]
    res = subgroup_analysis(_data(s["dataset"]), s["time"], s["event"], s["arm"],
                            s["experimental"], s["subgroups"], strata=s["strata"] or None,
                            conf_level=s["conf_level"], ties=s["ties"])
    t = res.table
    ref = pd.DataFrame(case["rows"])
    assert list(t.columns) == COLUMNS
    assert t.variable.tolist() == ref.variable.tolist()
    # R as.character() of the level vs Python value (lung inst_high is read as float)
    assert [str(v).removesuffix(".0") for v in t.level] == ref.level.tolist()
    for col in ("n_control", "n_experimental", "events_control", "events_experimental"):
        assert t[col].tolist() == ref[col].tolist(), col
    for col in ("hr", "lower", "upper"):
        np.testing.assert_allclose(t[col], ref[col], rtol=1e-6, err_msg=col)
    for var, r in case["interaction"].items():
        row = res.interaction.set_index("variable").loc[var]
        assert row.chisq == pytest.approx(r["chisq"], rel=1e-6)
        assert row.df == r["df"]
        assert row.p == pytest.approx(r["p"], abs=1e-4, rel=1e-4)
        assert (t.loc[t.variable == var, "p_interaction"] == row.p).all()
    json.dumps(res.to_dict())


def test_level_without_events_in_an_arm_is_nan_with_note():
    """lung ph.ecog = 3 holds one (male) patient: no events in the experimental (female) arm."""
    d = _data("lung")
    res = subgroup_analysis(d, "time", "event", "sex", 2, {"ph.ecog": "ECOG PS"})
    row = res.table.set_index("level").loc[3.0]
    assert row.n_experimental == 0 and np.isnan(row.hr) and "no events" in row.note
    assert res.table.label.eq("ECOG PS").all()
    assert np.isfinite(res.table.set_index("level").loc[0.0, "hr"])


def test_subgroup_that_is_a_stratum_still_gives_interaction():
    d = _data("colon")
    res = subgroup_analysis(d, "time", "event", "rx", "Lev+5FU", ["sex"], strata=["sex"])
    assert np.isfinite(res.interaction.p.iloc[0])


@pytest.mark.parametrize("case", ZPH, ids=[c["spec"]["id"] for c in ZPH])
@pytest.mark.parametrize("transform", ["km", "rank", "identity"])
def test_schoenfeld_test_equals_r_cox_zph(case, transform):
    s = case["spec"]
    hr = cox_hazard_ratio(_data(s["dataset"]), s["time"], s["event"], s["arm"],
                          s["experimental"], strata=s["strata"] or None,
                          covariates=s["covariates"] or None, ties=s["ties"])
    ref = case["tables"][transform]
    # lung_monotone: the HR is not estimable (arm without events); R's cox.zph is of the fit
    tab = schoenfeld_test(hr if hr.estimable else hr.fit, transform=transform).table
    assert len(tab) == len(np.atleast_1d(ref["chisq"]))  # terms (celltype: one 3-df term)
    np.testing.assert_allclose(tab.chisq, np.atleast_1d(ref["chisq"]), rtol=1e-6)
    np.testing.assert_array_equal(tab.df, np.atleast_1d(ref["df"]))
    np.testing.assert_allclose(tab.p, np.atleast_1d(ref["p"]), atol=1e-4, rtol=1e-4)


def test_schoenfeld_detects_non_proportional_hazards():
    """Simulated crossing hazards (effect reverses at t = 1): the test must reject."""
    rng = np.random.default_rng(3)
    n = 2000
    z = rng.integers(0, 2, n)
    t1 = rng.exponential(1 / np.where(z == 1, 3.0, 1.0))  # high early hazard for z = 1
    late = rng.exponential(1 / np.where(z == 1, 0.3, 1.0))
    t = np.where(t1 < 1, t1, 1 + late)
    fit = cox_fit(t, np.ones(n, int), z[:, None].astype(float))
    assert schoenfeld_test(fit).global_p < 1e-6
    ph = cox_fit(rng.exponential(1 / np.where(z == 1, 2.0, 1.0)), np.ones(n, int),
                 z[:, None].astype(float))
    assert schoenfeld_test(ph).p[0] > 1e-3


def test_schoenfeld_bad_transform():
    d = _data("ovarian")
    with pytest.raises(ValueError, match="transform"):
        schoenfeld_test(cox_fit(d.futime, d.event, d[["rx"]]), transform="sqrt")


def _small_trial(n=80, seed=2):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"time": rng.exponential(20, n).round(1) + 0.1,
                         "event": (rng.random(n) < 0.7).astype(int),
                         "arm": np.where(np.arange(n) % 2 == 0, "A", "B"),
                         "sex": rng.choice(["F", "M"], n), "id": [f"P{i}" for i in range(n)]})


def test_a_subgroup_variable_that_identifies_patients_is_refused():
    """Issue 10: subgroups: [USUBJID] would print patient identifiers."""
    with pytest.raises(ValueError, match="column id: a different value in each of the 80 rows"):
        subgroup_analysis(_small_trial(), "time", "event", "arm", "B", ["id"])


def test_missing_subgroup_values_are_dropped_for_that_variable_only():
    d = _small_trial()
    d.loc[:9, "sex"] = None
    res = subgroup_analysis(d, "time", "event", "arm", "B", ["sex"])
    assert (res.table["n_control"] + res.table["n_experimental"]).sum() == 70


def test_a_diverging_level_is_not_estimable():
    d = _small_trial()
    late = (d.sex == "F") & (d.arm == "B")  # arm B women die after every arm A woman:
    d.loc[late, "time"] = 1000.0 + np.arange(late.sum())  # monotone likelihood, R warns
    d.loc[late, "event"] = 1  # "coefficient may be infinite"
    res = subgroup_analysis(d, "time", "event", "arm", "B", ["sex"])
    women = res.table[res.table.level == "F"].iloc[0]
    assert np.isnan(women.hr) and women.note == "not estimable: the coefficient diverges"
    assert np.isfinite(res.table[res.table.level == "M"].iloc[0].hr)


def test_no_ph_test_of_a_hazard_ratio_that_is_not_estimable():
    d = _small_trial()
    d.loc[d.arm == "B", "event"] = 0
    hr = cox_hazard_ratio(d, "time", "event", "arm", "B")
    ph = schoenfeld_test(hr)
    assert ph.note == "no test: the hazard ratio is not estimable (no events in arm B)"
    assert np.isnan(ph.p).all() and np.isnan(ph.global_p) and ph.terms == ["arm"]
    with pytest.raises(ValueError, match=r"column arm: arm must have exactly two levels"):
        cox_hazard_ratio(d[d.arm == "B"], "time", "event", "arm", "B")
