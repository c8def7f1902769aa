"""helpers.survival's competing-risks functions, landmark difference and Cox term table against R.

Expected numbers: tests/fixtures/r/competing.json, written by validation/r/reference_competing.R
(cmprsk ``cuminc`` + ``timepoints``, ``cuminc(...)$Tests``, ``crr``; survival ``survfit`` and
``coxph``) on three data sets built identically here: the bundled synthetic JCOG1017 data
(local relapse vs death, cause from the OS record), survival::colon (recurrence vs death) and a
small data set with many tied times of different causes. Tolerance 1e-6 (relative, and
absolute for values near 0) on estimates, variances, statistics and p-values.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.survival import (SurvivalDataError, cox_terms, cumulative_incidence, fine_gray,
                              gray_test, landmark_difference)

ROOT = Path(__file__).resolve().parents[1]
FIX = ROOT / "tests" / "fixtures" / "r"
REF = json.loads((FIX / "competing.json").read_text())
TOL = 1e-6


def close(ours, ref, what=""):
    ours = np.atleast_1d(np.asarray(ours, dtype=float))
    ref = np.array([np.nan if v is None else v for v in np.atleast_1d(ref)], dtype=float)
    assert ours.shape == ref.shape, (what, ours, ref)
    np.testing.assert_allclose(ours, ref, rtol=TOL, atol=TOL * 1e-3, equal_nan=True,
                               err_msg=what)


def jcog_frame() -> pd.DataFrame:
    """Randomised patients of the bundled data; cause of the LRFS event from the OS record
    (as validation/r/reference_competing.R): 0 censored, 2 death (LRFS time = OS time of a
    death), 1 local relapse."""
    adsl = pd.read_csv(ROOT / "data" / "adsl.csv")
    adtte = pd.read_csv(ROOT / "data" / "adtte.csv")
    itt = adsl.loc[adsl.ITTFL == "Y", ["USUBJID", "ARMCD", "AGE", "ER", "HER2", "METGR",
                                       "SUBTYPE"]]
    lrfs = adtte.loc[adtte.PARAMCD == "LRFS", ["USUBJID", "AVAL", "CNSR"]]
    os_ = adtte.loc[adtte.PARAMCD == "OS", ["USUBJID", "AVAL", "CNSR"]].rename(
        columns={"AVAL": "OS_AVAL", "CNSR": "OS_CNSR"})
    d = itt.merge(lrfs, on="USUBJID").merge(os_, on="USUBJID")
    d["time"] = d.AVAL
    d["cause"] = np.where(d.CNSR == 1, 0, np.where((d.OS_CNSR == 0) & (d.AVAL == d.OS_AVAL), 2, 1))
    d["os_event"] = 1 - d.OS_CNSR
    return d


def colon_frame() -> pd.DataFrame:
    """survival::colon, one row per patient: cause 1 recurrence, else 2 death, else 0; time of
    the recurrence record (days)."""
    ca = pd.read_csv(FIX / "data" / "colon_all.csv")
    rec = ca[ca.etype == 1].reset_index(drop=True)
    dth = ca[ca.etype == 2].reset_index(drop=True)
    assert (rec.id.to_numpy() == dth.id.to_numpy()).all()
    d = rec[["id", "rx", "sex", "age", "nodes", "differ", "node4"]].copy()
    d["time"] = rec.time.astype(float)
    d["cause"] = np.where(rec.status == 1, 1, np.where(dth.status == 1, 2, 0))
    d["death_time"] = dth.time.astype(float)
    d["death"] = dth.status
    return d


def ties_frame() -> pd.DataFrame:
    return pd.DataFrame(REF["ties"]["data"])


FRAMES = {"jcog1017": jcog_frame, "colon": colon_frame, "ties": ties_frame}
SUBSETS = {"colon": lambda d: d[d.rx.isin(["Obs", "Lev+5FU"])]}
GROUP = {"jcog1017": "ARMCD", "colon": "rx", "ties": "arm"}


def test_constructed_data_as_in_r():
    d = jcog_frame()
    assert len(d) == 407 and d.cause.value_counts().to_dict() == {1: 148, 2: 137, 0: 122}
    # the construction agrees with the event descriptions of the bundled data
    adtte = pd.read_csv(ROOT / "data" / "adtte.csv")
    desc = adtte[adtte.PARAMCD == "LRFS"].set_index("USUBJID").EVNTDESC
    ev = d[d.cause > 0].set_index("USUBJID")
    assert ((ev.cause == 2) == (desc[ev.index] == "Death")).all()
    c = colon_frame()
    both = c[c.cause > 0].groupby("time").cause.nunique()
    assert (both > 1).sum() == 4  # tied times of different causes
    t = ties_frame()
    assert (t[t.cause > 0].groupby("time").cause.nunique() > 1).sum() >= 6


@pytest.mark.parametrize("name", FRAMES)
def test_cumulative_incidence_equals_cuminc_timepoints(name):
    d = FRAMES[name]()
    cases = REF[name]["cuminc"]
    for grouped in (True, False):
        mine = [c for c in cases if (c["group"] != "all") == grouped]
        if not mine:
            continue
        times = mine[0]["time"]
        res = cumulative_incidence(d, "time", "cause", times, group=GROUP[name] if grouped
                                   else None)
        for case in mine:
            tab = res.table[(res.table.group.astype(str) == case["group"])
                            & (res.table.cause == case["cause"])]
            what = f"{name} {case['group']} cause {case['cause']}"
            close(tab.estimate, case["estimate"], what + " estimate")
            close(tab.variance, case["variance"], what + " variance")
            close(tab.lower, case["lower"], what + " lower")
            close(tab.upper, case["upper"], what + " upper")
        assert len(res.table) == len(mine) * len(times)


@pytest.mark.parametrize("name", FRAMES)
def test_gray_test_equals_cuminc_tests(name):
    d = FRAMES[name]()
    for i, case in enumerate(REF[name]["gray"]):
        data = SUBSETS[name](d) if (name == "colon" and i == 3) else d
        for cause, stat, dof, p, p_r in zip(case["cause"], case["statistic"], case["df"],
                                            case["p"], case["p_cmprsk"]):
            res = gray_test(data, "time", "cause", case["group"], cause,
                            strata=case["strata"] or None)
            what = f"{name} gray {case['strata']} cause {cause}"
            close(res.statistic, stat, what)
            assert res.df == dof
            close(res.p, p, what + " p")
            assert abs(res.p - p_r) < 1e-9


@pytest.mark.parametrize("name", FRAMES)
def test_fine_gray_equals_crr(name):
    d = FRAMES[name]()
    d = SUBSETS.get(name, lambda x: x)(d)
    for case in REF[name]["crr"]:
        s = case["spec"]
        levels = {k: v for k, v in (s["levels"] or {}).items()}
        res = fine_gray(d, "time", "cause", s["arm"], s["experimental"], cause=s["cause"],
                        covariates=s["covariates"] or None, levels=levels or None)
        assert res.estimable and res.converged, res.note
        assert res.n == case["n"] and res.events == case["events"]
        for key in ("coef", "se", "z", "p", "hr", "lower", "upper"):
            close(res.terms[key], case[key], f"{s['id']} {key}")
        close(res.loglik, case["loglik"], s["id"] + " loglik")
        close(res.loglik_null, case["loglik_null"], s["id"] + " loglik_null")
        assert res.hr == res.terms.hr[0] and res.p == res.terms.p[0]


@pytest.mark.parametrize("name", ["jcog1017", "colon"])
def test_landmark_difference_equals_survfit(name):
    d = SUBSETS.get(name, lambda x: x)(FRAMES[name]())
    for case in REF[name]["landmark"]:
        s = case["spec"]
        res = landmark_difference(d, s["time"], s["event"], s["arm"], s["experimental"],
                                  s["times"])
        assert (res.control == s["control"]).all()
        for key in ("surv_control", "se_control", "surv_experimental", "se_experimental",
                    "difference", "se", "lower", "upper", "p", "n_risk_control",
                    "n_risk_experimental"):
            close(res[key], case[key], f"{name} {key}")
        assert (res.note == "").all()


@pytest.mark.parametrize("name", ["jcog1017", "colon"])
def test_cox_terms_equal_coxph(name):
    d = FRAMES[name]()
    for case in REF[name]["cox_terms"]:
        s = case["spec"]
        levels = {k: (v if isinstance(v, list) else [v]) for k, v in s["levels"].items()}
        res = cox_terms(d, s["time"], s["event"], s["covariates"], strata=s["strata"] or None,
                        levels=levels, ties=s["ties"])
        assert [t.replace("=", "") for t in res.term] == case["names"]  # R: COLlevel
        assert res.attrs["n"] == case["n"] and res.attrs["events"] == case["events"]
        for key in ("coef", "se", "hr", "lower", "upper", "z", "p"):
            close(res[key], case[key], f"{s['id']} {key}")
        close(res.attrs["loglik"], case["loglik"], s["id"] + " loglik")


def test_reference_level_is_the_configured_first_level():
    d = colon_frame()
    res = cox_terms(d, "death_time", "death", ["rx", "differ"],
                    levels={"rx": ["Obs", "Lev", "Lev+5FU"], "differ": [2, 1, 3]})
    assert res.term.tolist() == ["rx=Lev", "rx=Lev+5FU", "differ=1", "differ=3"]
    assert res.reference.tolist() == ["Obs", "Obs", 2, 2]
    sorted_ref = cox_terms(d, "death_time", "death", ["rx"])
    assert sorted_ref.reference.tolist() == ["Lev", "Lev"]  # first sorted level by default
    # the same model, reparametrised: the Lev+5FU vs Obs HR is the ratio of the two
    ratio = sorted_ref.hr[0] / sorted_ref.hr[1]  # Lev+5FU vs Lev over Obs vs Lev
    ref = cox_terms(d, "death_time", "death", ["rx"], levels={"rx": ["Obs", "Lev", "Lev+5FU"]})
    assert ref.hr[1] == pytest.approx(ratio, rel=1e-8)


# --- bad input ---

def test_missing_event_type_column_names_it():
    d = jcog_frame().drop(columns="cause")
    with pytest.raises(SurvivalDataError, match="cause") as err:
        cumulative_incidence(d, "time", "cause", [12], group="ARMCD")
    assert "event-type column" in str(err.value)
    with pytest.raises(SurvivalDataError, match="cause"):
        fine_gray(d, "time", "cause", "ARMCD", "B")
    with pytest.raises(SurvivalDataError, match="cause"):
        gray_test(d, "time", "cause", "ARMCD", 1)


def test_event_type_code_not_in_data_names_column_and_values():
    d = jcog_frame()
    with pytest.raises(SurvivalDataError) as err:
        fine_gray(d, "time", "cause", "ARMCD", "B", cause=3)
    msg = str(err.value)
    assert "cause" in msg and "3" in msg and "[1, 2]" in msg
    with pytest.raises(SurvivalDataError, match=r"\[3\]"):
        cumulative_incidence(d, "time", "cause", [12], causes=[1, 3])
    with pytest.raises(SurvivalDataError, match="causes found"):
        gray_test(d, "time", "cause", "ARMCD", 3)


def test_unexpected_event_type_code_names_rows():
    d = jcog_frame()
    d.loc[[3, 7], "cause"] = 9
    with pytest.raises(SurvivalDataError) as err:
        cumulative_incidence(d, "time", "cause", [12], causes=[1, 2])
    assert "9" in str(err.value) and "3" in str(err.value)


def test_unknown_configured_level_is_an_error():
    d = jcog_frame()
    with pytest.raises(SurvivalDataError, match="ER"):
        fine_gray(d, "time", "cause", "ARMCD", "B", covariates=["ER"],
                  levels={"ER": ["Positive"]})


def test_missing_values_are_dropped_and_counted():
    d = colon_frame()
    d2 = d[d.rx.isin(["Obs", "Lev+5FU"])]
    res = fine_gray(d2, "time", "cause", "rx", "Lev+5FU", covariates=["differ"])
    assert res.n_excluded == int(d2.differ.isna().sum()) > 0
    d3 = d.copy()
    d3.loc[d3.index[:5], "cause"] = np.nan
    ci = cumulative_incidence(d3, "time", "cause", [365], group="rx")
    assert ci.n_excluded == 5 and ci.n == len(d) - 5


def test_beyond_last_follow_up_is_not_estimable():
    d = ties_frame()
    res = cumulative_incidence(d, "time", "cause", [8, 9], group="arm")
    assert res.table[res.table.time == 9].estimate.isna().all()
    assert res.table[res.table.time == 8].estimate.notna().all()
    lm = landmark_difference(jcog_frame(), "OS_AVAL", "os_event", "ARMCD", "B", [500])
    assert np.isnan(lm.difference[0]) and "not estimable" in lm.note[0]


def test_cif_plus_survival_is_one():
    """Aalen-Johansen: the causes' incidences and the all-cause Kaplan-Meier add up to 1."""
    from helpers.survival import kaplan_meier

    d = colon_frame()
    times = [100, 365, 1000, 2000]
    ci = cumulative_incidence(d, "time", "cause", times).table
    km = kaplan_meier(d.assign(any=(d.cause > 0).astype(int)), "time", "any").survival_at(times)
    total = ci.groupby("time").estimate.sum().to_numpy() + km.surv.to_numpy()
    np.testing.assert_allclose(total, 1.0, rtol=1e-12)


def test_not_estimable_cases_are_nan_with_a_note():
    d = ties_frame()
    # a constant covariate: no coefficient
    res = fine_gray(d.assign(k=1.0), "time", "cause", "arm", "B", covariates=["k"])
    assert not res.estimable and np.isnan(res.hr) and "constant" in res.note
    # one group holds all patients of the cause: Gray's variance is singular only in
    # degenerate data; a single level of the group is an error naming it
    with pytest.raises(ValueError, match="arm"):
        gray_test(d[d.arm == "A"], "time", "cause", "arm", 1)
    # a CIF of 0 (before the first failure) has no log(-log) CI
    ci = cumulative_incidence(d, "time", "cause", [0.5], group="arm").table
    assert (ci.estimate == 0).all() and ci.lower.isna().all() and ci.upper.isna().all()


def test_results_serialise_to_json():
    d = SUBSETS["colon"](colon_frame())
    fg = fine_gray(d, "time", "cause", "rx", "Lev+5FU", covariates=["age"]).to_dict()
    assert fg["terms"]["term"] == ["rx=Lev+5FU", "age"] and "fit" not in fg
    json.dumps(fg)
    json.dumps(gray_test(d, "time", "cause", "rx", 1, strata="node4").to_dict())
    json.dumps(cumulative_incidence(d, "time", "cause", [365], group="rx").to_dict())
