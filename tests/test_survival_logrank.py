"""Log-rank test (helpers.survival.logrank) against R.

Expected numbers: tests/fixtures/r/km_*.json from validation/r/reference_km.R (R 4.2,
survival 3.5): survdiff(Surv(time, event) ~ group) and survdiff(Surv(time, event) ~ group +
strata(s)) on rows with non-missing s: chisq, observed, expected (summed over strata), var,
p = pchisq(chisq, df, lower.tail = FALSE).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.survival import SurvivalDataError, logrank_test

FIXTURES = Path(__file__).parent / "fixtures" / "r"
CASES = {"lung": "lung", "veteran": "veteran", "veteran_celltype": "veteran", "colon": "colon",
         "ovarian": "ovarian"}


def load_case(case: str) -> tuple[dict, pd.DataFrame]:
    ref = json.loads((FIXTURES / f"km_{case}.json").read_text())
    data = pd.read_csv(FIXTURES / "data" / f"{CASES[case]}.csv").rename(columns={"futime": "time"})
    return ref, data


def run(case: str, stratified: bool, experimental=None):
    ref, data = load_case(case)
    if stratified:
        strata, expected = ref["strata"], ref["logrank_stratified"]
    else:
        strata, expected = None, ref["logrank"]
    result = logrank_test(data, "time", "event", ref["group"], strata=strata,
                          experimental=experimental)
    if stratified:  # rows with a missing stratum dropped, as R's na.omit
        assert result.n.sum() == expected["n_used"]
        assert result.n_excluded == data[ref["strata"]].isna().sum()
    return result, expected


@pytest.mark.parametrize("stratified", [False, True])
@pytest.mark.parametrize("case", list(CASES))
def test_logrank_matches_r_survdiff(case, stratified):
    result, ref = run(case, stratified)
    assert [str(g) for g in result.groups] == ref["groups"]
    np.testing.assert_array_equal(result.n, ref["n"])
    np.testing.assert_allclose(result.observed, ref["observed"], rtol=1e-6)
    np.testing.assert_allclose(result.expected, ref["expected"], rtol=1e-6)
    np.testing.assert_allclose(result.variance, np.asarray(ref["var"]), rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(result.chisq, ref["chisq"], rtol=1e-6)
    assert result.df == ref["df"]
    np.testing.assert_allclose(result.p_two_sided, ref["p"], rtol=1e-4)
    if stratified:
        assert [str(s).removesuffix(".0") for s in result.strata] == ref["strata"]
    else:
        assert result.strata == []


@pytest.mark.parametrize("stratified", [False, True])
@pytest.mark.parametrize("case,experimental", [("lung", 2), ("veteran", 2), ("colon", "Lev+5FU"),
                                               ("ovarian", 2)])
def test_one_sided_p_in_the_experimental_direction(case, experimental, stratified):
    """z = (O - E)/sqrt(V) of the experimental group from R's survdiff numbers; p = Phi(z)."""
    result, ref = run(case, stratified, experimental=experimental)
    j = ref["groups"].index(str(experimental))
    z = (ref["observed"][j] - ref["expected"][j]) / np.sqrt(np.asarray(ref["var"])[j][j])
    np.testing.assert_allclose(result.z, z, rtol=1e-6)
    np.testing.assert_allclose(result.p_one_sided, stats.norm.cdf(z), rtol=1e-4)
    np.testing.assert_allclose(result.z**2, ref["chisq"], rtol=1e-6)


def test_one_sided_p_direction_on_known_data():
    # lung: women (sex 2) die less than expected -> small p when they are "experimental"
    _, data = load_case("lung")
    women = logrank_test(data, "time", "event", "sex", experimental=2)
    men = logrank_test(data, "time", "event", "sex", experimental=1)
    assert women.z < 0 and women.p_one_sided < 0.001
    np.testing.assert_allclose(women.p_one_sided + men.p_one_sided, 1.0, rtol=1e-12)
    np.testing.assert_allclose(2 * women.p_one_sided, women.p_two_sided, rtol=1e-10)
    assert np.isnan(logrank_test(data, "time", "event", "sex").p_one_sided)


def test_one_sided_p_rejects_bad_requests():
    _, data = load_case("veteran")
    with pytest.raises(ValueError):
        logrank_test(data, "time", "event", "trt", experimental=3)
    with pytest.raises(ValueError):
        logrank_test(data, "time", "event", "celltype", experimental="adeno")
    with pytest.raises(ValueError):
        logrank_test(data.assign(one=1), "time", "event", "one")


def test_invariant_to_row_order_and_json():
    _, data = load_case("colon")
    a = logrank_test(data, "time", "event", "rx", strata="extent", experimental="Lev+5FU")
    shuffled = data.sample(frac=1.0, random_state=3)
    b = logrank_test(shuffled, "time", "event", "rx", strata=["extent"], experimental="Lev+5FU")
    np.testing.assert_allclose([a.chisq, a.z], [b.chisq, b.z], rtol=1e-12)
    d = json.loads(json.dumps(a.to_dict(), allow_nan=False))
    assert d["groups"] == ["Lev+5FU", "Obs"] and d["strata"] == ["1", "2", "3", "4"]
    assert len(d["variance"]) == 2 and d["experimental"] == "Lev+5FU"
    assert a.summary()["o_minus_e"].sum() == pytest.approx(0, abs=1e-9)


def test_agrees_with_lifelines_unstratified():
    """Independent check on random data with ties: lifelines.statistics.logrank_test."""
    from lifelines.statistics import logrank_test as ll_logrank

    rng = np.random.default_rng(5)
    n = 5000
    arm = rng.integers(0, 2, n)
    t = np.round(rng.exponential(np.where(arm == 1, 30, 24)), 0)
    e = (rng.random(n) < 0.8).astype(int)
    ours = logrank_test(pd.DataFrame({"t": t, "e": e, "arm": arm}), "t", "e", "arm")
    theirs = ll_logrank(t[arm == 0], t[arm == 1], e[arm == 0], e[arm == 1])
    np.testing.assert_allclose(ours.chisq, theirs.test_statistic, rtol=1e-9)
    np.testing.assert_allclose(ours.p_two_sided, theirs.p_value, rtol=1e-6)


def test_stratified_equals_sum_over_strata():
    """Stratified O - E and V are the sums of the per-stratum unstratified ones."""
    _, data = load_case("veteran")
    strat = logrank_test(data, "time", "event", "trt", strata="celltype")
    parts = [logrank_test(d, "time", "event", "trt") for _, d in data.groupby("celltype")]
    np.testing.assert_allclose(strat.expected, sum(p.expected for p in parts), rtol=1e-12)
    np.testing.assert_allclose(strat.variance, sum(p.variance for p in parts), rtol=1e-12)


def test_strata_take_column_names_and_several_columns():
    """strata=[a, b] is R's strata(a, b); a strata array is refused with a clear message."""
    _, data = load_case("colon")
    data = data.assign(old=(data["age"] >= 60).astype(int))
    two = logrank_test(data, "time", "event", "rx", strata=["extent", "old"])
    combined = data.assign(s=data["extent"].astype(str) + "/" + data["old"].astype(str))
    one = logrank_test(combined, "time", "event", "rx", strata="s")
    np.testing.assert_allclose(two.chisq, one.chisq, rtol=1e-12)
    assert two.strata_columns == ["extent", "old"] and len(two.strata) == 8
    with pytest.raises(TypeError, match="column names"):
        logrank_test(data, "time", "event", "rx", strata=data["extent"])


def test_missing_strata_are_dropped_as_in_the_cox_model():
    """A blank stratum is not a stratum "nan": the row is dropped, as R and the Cox model."""
    from helpers.survival.cox import cox_hazard_ratio

    _, data = load_case("colon")
    data = data.assign(extent=data["extent"].astype(float))
    data.loc[data.index[:25], "extent"] = np.nan
    lr = logrank_test(data, "time", "event", "rx", strata="extent", experimental="Lev+5FU")
    hr = cox_hazard_ratio(data, "time", "event", "rx", "Lev+5FU", strata="extent")
    assert lr.n.sum() == hr.n == len(data) - 25 and lr.n_excluded == hr.n_excluded == 25
    assert "nan" not in map(str, lr.strata)
    np.testing.assert_allclose(lr.p_two_sided, hr.p_score, rtol=1e-2)  # score ~ log-rank (ties)


def test_per_patient_strata_are_refused_naming_the_column():
    _, data = load_case("veteran")
    data = data.assign(id=np.arange(len(data)))
    with pytest.raises(SurvivalDataError, match="column id: a different value in each"):
        logrank_test(data, "time", "event", "trt", strata=["id"])


def test_an_arm_without_events_still_has_a_log_rank_p():
    """No events in one arm: the test is well defined (R's survdiff gives the same)."""
    data = pd.DataFrame({"time": [1, 2, 3, 4, 5, 6, 7, 8], "event": [1, 1, 1, 0, 0, 0, 0, 0],
                         "arm": list("AAAABBBB")})
    lr = logrank_test(data, "time", "event", "arm", experimental="B")
    assert lr.observed.tolist() == [3, 0] and np.isfinite(lr.p_two_sided) and lr.z < 0
    # survdiff(Surv(time, event) ~ arm): O - E and V by hand, risk sets 8, 7, 6 with 4, 3, 2 in A
    e_a = 4 / 8 + 3 / 7 + 2 / 6
    v = sum(na * (n - na) / n**2 for na, n in ((4, 8), (3, 7), (2, 6)))
    np.testing.assert_allclose(lr.chisq, (3 - e_a) ** 2 / v, rtol=1e-12)


def test_no_events_or_no_comparison_within_strata_is_not_estimable():
    none = pd.DataFrame({"t": [1, 2, 3, 4], "e": [0, 0, 0, 0], "g": list("ABAB")})
    lr = logrank_test(none, "t", "e", "g", experimental="B")
    assert lr.note == "not estimable (no events)" and np.isnan([lr.p_two_sided, lr.z]).all()
    nested = pd.DataFrame({"t": [1, 2, 3, 4, 5, 6], "e": [1, 1, 0, 1, 1, 0],
                           "g": list("AAABBB"), "s": list("XXXYYY")})
    lr = logrank_test(nested, "t", "e", "g", strata="s", experimental="B")
    assert lr.note.startswith("not estimable (no time at which groups")
    assert np.isnan(lr.p_one_sided) and json.loads(json.dumps(lr.to_dict()))["chisq"] is None
    from helpers.survival.cox import cox_hazard_ratio

    hr = cox_hazard_ratio(nested, "t", "e", "g", "B", strata="s")
    assert hr.note == "not estimable (every stratum holds one arm only: no comparison)"
