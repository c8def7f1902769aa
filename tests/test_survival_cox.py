"""helpers.survival.cox against R.

Expected numbers: tests/fixtures/r/cox_models.json, written by validation/r/reference_cox.R
(R survival 3.x ``coxph(Surv(time, event) ~ arm01 + covariates + strata(...), ties=...)``,
``summary()`` Wald CI, ``sctest``/``waldtest``/``logtest``) on the CSV exports in
tests/fixtures/r/data.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.survival.cox import cox_fit, cox_hazard_ratio, cox_table

FIX = Path(__file__).parent / "fixtures" / "r"
CASES = json.loads((FIX / "cox_models.json").read_text())
REL = 1e-6  # coef, se, CI, loglik
P_ABS = 1e-4  # p-values (relative 1e-4 as well, for small p)


def _data(name):
    d = pd.read_csv(FIX / "data" / f"{name}.csv")
    if name == "lung":  # derived as in reference_cox.R: monotone likelihood, infinite coef
        d["long_censored"] = ((d.event == 0) & (d.time > 600)).astype(int)
    return d


def _hr(case):
    s = case["spec"]
    return cox_hazard_ratio(_data(s["dataset"]), s["time"], s["event"], s["arm"],
                            s["experimental"], strata=s["strata"] or None,
                            covariates=s["covariates"] or None, ties=s["ties"],
                            conf_level=s["conf_level"])


def _ref(values):
    """Fixture vector; jsonlite writes R's Inf (CI of an infinite coefficient) as null and
    unboxes length-1 vectors."""
    return np.array([np.inf if v is None else v for v in np.atleast_1d(values)], float)


def _close_p(ours, ref):
    ours, ref = np.asarray(ours, float), np.asarray(ref, float)
    assert np.all((np.abs(ours - ref) <= P_ABS) & (np.abs(ours - ref) <= 1e-4 * ref + 1e-12)
                  | (np.abs(ours - ref) <= 1e-4 * np.abs(ref))), (ours, ref)


@pytest.mark.parametrize("case", CASES, ids=[c["spec"]["id"] for c in CASES])
def test_cox_model_equals_r_coxph(case):
    hr = _hr(case)
    fit = hr.fit
    assert fit.n == case["n"] and fit.events == case["events"]
    assert fit.iterations == case["iter"]
    # R's coxph warnings ("coefficient may be infinite"), up to R's double spaces
    assert [w.replace(" ", "") for w in fit.warnings] == [
        w.replace(" ", "") for w in case["warnings"]]
    for key in ("coef", "se", "hr", "lower", "upper", "z"):
        np.testing.assert_allclose(getattr(fit, key), _ref(case[key]), rtol=REL, err_msg=key)
    np.testing.assert_allclose(fit.loglik, case["loglik"], rtol=REL)
    _close_p(fit.p, case["p"])
    for key in ("wald_test", "score_test", "lr_test"):
        ours, ref = getattr(fit, key), case[key]
        np.testing.assert_allclose(ours.statistic, ref["statistic"], rtol=REL, err_msg=key)
        assert ours.df == ref["df"]
        _close_p(ours.p, ref["p"])
    if case["spec"]["id"] == "lung_monotone":  # arm 1 has no events: R's coef -> -infinity
        assert not hr.estimable and hr.note == "not estimable (no events in arm 1)"
        assert np.isnan([hr.hr, hr.lower, hr.upper, hr.p_wald, hr.p_lr]).all()
        return
    assert hr.estimable and hr.note == ""
    for key in ("hr", "lower", "upper"):  # jsonlite unboxes length-1 vectors
        assert getattr(hr, key) == pytest.approx(_ref(case[key])[0], rel=REL)


@pytest.mark.parametrize("case", [c for c in CASES if "treatment_lr" in c],
                         ids=[c["spec"]["id"] for c in CASES if "treatment_lr" in c])
def test_treatment_tests_given_covariates_equal_r(case):
    """p_lr: LR vs coxph without arm; p_score: coxph(init = c(0, reduced), iter.max = 0)$score."""
    hr = _hr(case)
    assert hr.score_test.statistic == pytest.approx(case["treatment_score"]["statistic"], rel=REL)
    if not hr.estimable:  # lung_monotone: the score test stays, the LR test (at a diverging
        _close_p(hr.p_score, case["treatment_score"]["p"])  # coefficient) is not reported
        assert np.isnan(hr.p_lr) and hr.lr_test.to_dict() == {"statistic": None, "df": 1,
                                                                "p": None}
        return
    assert hr.lr_test.statistic == pytest.approx(case["treatment_lr"]["statistic"], rel=REL)
    _close_p([hr.p_lr, hr.p_score], [case["treatment_lr"]["p"], case["treatment_score"]["p"]])


def test_arm_only_tests_are_the_model_tests():
    case = next(c for c in CASES if c["spec"]["id"] == "colon_arm_only")
    hr = _hr(case)
    _close_p([hr.p_score, hr.p_lr], [case["score_test"]["p"], case["lr_test"]["p"]])


def test_efron_equals_breslow_without_ties_and_differs_with_ties():
    """Efron's correction only acts on tied deaths (definition); grouped times create ties."""
    d = _data("veteran")
    x = d[["trt", "karno"]]
    t = d.time + np.arange(len(d)) * 1e-6  # break all ties
    e, b = (cox_fit(t, d.event, x, ties=m) for m in ("efron", "breslow"))
    np.testing.assert_allclose(e.coef, b.coef, rtol=1e-12)
    tg = np.ceil(d.time / 30)  # months: many ties
    e, b = (cox_fit(tg, d.event, x, ties=m) for m in ("efron", "breslow"))
    assert np.abs(e.coef - b.coef).max() > 1e-3


def test_array_api_and_to_dict_roundtrip():
    d = _data("ovarian")
    fit = cox_fit(d.futime, d.event, d[["rx", "age"]], conf_level=0.9)
    dd = json.loads(json.dumps(fit.to_dict()))
    assert dd["names"] == ["rx", "age"] and len(dd["coef"]) == 2
    assert "var" not in dd and "_design" not in dd
    # row order must not matter
    perm = np.random.default_rng(1).permutation(len(d))
    fit2 = cox_fit(d.futime.to_numpy()[perm], d.event.to_numpy()[perm],
                   d[["rx", "age"]].to_numpy()[perm], conf_level=0.9)
    np.testing.assert_allclose(fit2.coef, fit.coef, rtol=1e-10)
    hr = _hr(next(c for c in CASES if c["spec"]["id"] == "lung_strat_efron"))
    small = hr.to_dict()
    assert "fit" not in small and small["strata"] == ["ph.ecog"]
    json.dumps(small)


def test_cox_table():
    hr = _hr(next(c for c in CASES if c["spec"]["id"] == "veteran_factor"))
    t = cox_table(hr)
    assert list(t.columns) == ["term", "HR", "lower", "upper", "p"]
    assert t.term.tolist() == ["trt=2", "celltype=large", "celltype=smallcell",
                               "celltype=squamous", "karno"]
    assert t.attrs["conf_level"] == 0.95


def test_input_errors():
    d = _data("veteran")
    with pytest.raises(ValueError, match="exactly two levels"):
        cox_hazard_ratio(d, "time", "event", "celltype", "large")
    with pytest.raises(ValueError, match="exactly two levels"):
        cox_hazard_ratio(d, "time", "event", "trt", 3)
    with pytest.raises(ValueError, match="ties"):
        cox_fit(d.time, d.event, d[["karno"]], ties="exact")
    with pytest.raises(ValueError, match="no events"):
        cox_fit(d.time, np.zeros(len(d), int), d[["karno"]])
    with pytest.raises(ValueError, match="singular"):
        cox_fit(d.time, d.event, np.c_[d.karno, 2 * d.karno])


def _trial(n=60, seed=0):
    rng = np.random.default_rng(seed)
    arm = np.where(np.arange(n) % 2 == 0, "A", "B")
    return pd.DataFrame({"time": np.round(rng.exponential(20, n), 1) + 0.1,
                         "event": (rng.random(n) < 0.7).astype(int), "arm": arm,
                         "age": rng.normal(60, 8, n).round(), "er": rng.choice(["+", "-"], n)})


def test_an_arm_without_events_is_not_estimable_with_its_reason():
    """Issue 10: no events in arm B -> no HR, no Wald p (R: "coefficient may be infinite"),
    the score p (= log-rank, well defined) kept; JSON null with the reason."""
    d = _trial()
    d.loc[d.arm == "B", "event"] = 0
    hr = cox_hazard_ratio(d, "time", "event", "arm", "B", strata=["er"])
    assert not hr.estimable and hr.note == "not estimable (no events in arm B)"
    assert np.isnan([hr.hr, hr.lower, hr.upper, hr.coef, hr.se, hr.p_wald, hr.p_lr]).all()
    assert 0 < hr.p_score < 0.01
    dd = json.loads(json.dumps(hr.to_dict(), allow_nan=False))
    assert dd["hr"] is None and dd["p_wald"] is None and dd["estimable"] is False
    assert dd["note"] == "not estimable (no events in arm B)"


def test_no_events_at_all_and_all_times_zero_are_not_estimable():
    d = _trial().assign(event=0)
    hr = cox_hazard_ratio(d, "time", "event", "arm", "B")
    assert not hr.estimable and "no events" in hr.note and hr.fit is None
    zero = _trial().assign(time=0.0)
    with pytest.raises(ValueError, match="column time: all 60 times are 0: there is no follow"):
        cox_hazard_ratio(zero, "time", "event", "arm", "B", covariates=["age"])


def test_constant_and_collinear_covariates_are_dropped_with_a_note():
    """R's coxph gives NA for such coefficients; the treatment HR is that of the others."""
    d = _trial().assign(const=1.0, ecog="0")
    d["age2"] = 2 * d["age"] + 3
    hr = cox_hazard_ratio(d, "time", "event", "arm", "B", covariates=["age", "const", "ecog",
                                                                      "age2"])
    ref = cox_hazard_ratio(d, "time", "event", "arm", "B", covariates=["age"])
    assert hr.estimable and hr.hr == pytest.approx(ref.hr, rel=1e-12)
    assert hr.dropped == ["ecog dropped: constant", "const dropped: constant",
                          "age2 dropped: collinear with arm=B, age"]
    assert hr.fit.names == ["arm=B", "age"] and hr.fit.terms == {"arm": [0], "age": [1]}
    from helpers.survival.ph import schoenfeld_test

    assert schoenfeld_test(hr).terms == ["arm", "age"]  # was an IndexError


def test_a_covariate_collinear_with_the_arm_is_dropped_as_r_does():
    d = _trial()
    d["copy"] = (d.arm == "B").astype(float)
    hr = cox_hazard_ratio(d, "time", "event", "arm", "B", covariates=["copy"])
    assert hr.estimable and hr.dropped == ["copy dropped: collinear with arm=B"]
    assert hr.hr == cox_hazard_ratio(d, "time", "event", "arm", "B").hr


def test_missing_values_drop_the_same_rows_everywhere():
    d = _trial()
    d.loc[[1, 4, 9], "er"] = None
    d.loc[[2], "age"] = np.nan
    hr = cox_hazard_ratio(d, "time", "event", "arm", "B", strata="er", covariates=["age"])
    assert hr.n == 56 and hr.n_excluded == 4
    hr2 = cox_hazard_ratio(d, "time", "event", "arm", "B", strata="er")
    assert hr2.n == 57 and hr2.n_excluded == 3


def test_per_patient_strata_are_an_error_naming_the_column():
    d = _trial().assign(id=lambda x: [f"P{i}" for i in range(len(x))])
    with pytest.raises(ValueError, match="column id: a different value in each of the 60 rows"):
        cox_hazard_ratio(d, "time", "event", "arm", "B", strata=["id"])


def test_fast_paths_of_the_kernel_equal_numpy_bit_for_bit():
    """The kernel's shortcuts (stratum codes by counting, 1 x 1 solve and inverse as a
    division) give exactly what np.unique / np.linalg give, so fits do not change."""
    from helpers.survival.cox import _inv, _solve, _stratum_codes

    rng = np.random.default_rng(3)
    for labels in (rng.integers(0, 8, 50), rng.integers(-5, 3, 40).astype(np.int16),
                   np.array([7, 7, 2, 9], dtype=np.uint8), np.array([0, 10 ** 15, 5]),
                   np.array([np.iinfo(np.int64).min, 0, np.iinfo(np.int64).max]),
                   np.array(["b", "a", "b"]), np.array([3.5, 1.0, 3.5])):
        assert np.array_equal(_stratum_codes(labels, len(labels)),
                              np.unique(labels, return_inverse=True)[1])
    a, b = rng.lognormal(0, 3, 5000), rng.normal(0, 5, 5000)
    for x, y in zip(a, b):
        assert _solve(np.array([[x]]), np.array([y]))[0] == np.linalg.solve([[x]], [y])[0]
        assert _inv(np.array([[x]]))[0, 0] == np.linalg.inv([[x]])[0, 0]
    with pytest.raises(np.linalg.LinAlgError):
        _solve(np.array([[0.0]]), np.array([1.0]))
    with pytest.raises(np.linalg.LinAlgError):
        _inv(np.array([[-0.0]]))
    m = np.array([[2.0, 0.3], [0.3, 1.0]])
    assert np.array_equal(_solve(m, np.array([1.0, 2.0])), np.linalg.solve(m, [1.0, 2.0]))
