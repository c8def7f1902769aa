"""Median follow-up (helpers.survival.followup) and RMST (helpers.survival.rmst) against R.

Expected numbers: tests/fixtures/r/km_*.json from validation/r/reference_km.R (R 4.2,
survival 3.5): reverse Kaplan-Meier survfit(Surv(time, 1 - event) ~ 1, conf.type, conf.int)
summary()$table median and CI; summary(survfit(...), rmean = tau)$table "rmean" and
"se(rmean)" per group and overall. survRM2 is not installed: the RMST difference is checked by
arithmetic from R's per-arm values.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from helpers.survival import (SurvivalDataError, median_follow_up, rmst, rmst_arrays,
                              rmst_difference)

FIXTURES = Path(__file__).parent / "fixtures" / "r"
CASES = {"lung": "lung", "veteran": "veteran", "veteran_celltype": "veteran", "colon": "colon",
         "ovarian": "ovarian"}
CONF_KEYS = ("log-log_0.95", "log_0.95", "plain_0.95", "log-log_0.9")


def load_case(case: str) -> tuple[dict, pd.DataFrame]:
    ref = json.loads((FIXTURES / f"km_{case}.json").read_text())
    data = pd.read_csv(FIXTURES / "data" / f"{CASES[case]}.csv").rename(columns={"futime": "time"})
    return ref, data


def frame(time, event) -> pd.DataFrame:
    return pd.DataFrame({"time": time, "event": event})


def as_float(v) -> float:
    return np.nan if v is None else float(v)


@pytest.mark.parametrize("conf_key", CONF_KEYS)
@pytest.mark.parametrize("case", ["lung", "veteran", "colon", "ovarian"])
def test_reverse_km_median_follow_up_matches_r(case, conf_key):
    ref, data = load_case(case)
    conf_type, level = conf_key.rsplit("_", 1)
    fu = median_follow_up(data, "time", "event", conf_level=float(level), conf_type=conf_type)
    expected = ref["followup"][conf_key]
    np.testing.assert_allclose(
        [fu.median, fu.lower, fu.upper],
        [as_float(expected[k]) for k in ("median", "lower", "upper")],
        rtol=1e-6,
    )
    assert fu.reverse_km.events == fu.n_censored == int((data["event"] == 0).sum())


def test_simple_and_censored_medians_on_small_data():
    # times 1..6; deaths at 1, 2, 4; censored at 3, 5, 6
    fu = median_follow_up(frame([1, 2, 3, 4, 5, 6], [1, 1, 0, 1, 0, 0]), "time", "event")
    assert fu.simple_median == 3.5  # all six observed times
    assert fu.censored_median == 5.0  # 3, 5, 6
    # reverse KM: "events" at 3 (4 at risk), 5 (2 at risk), 6 (1 at risk); S = .75, .375, 0
    assert fu.reverse_km.table["surv"].tolist() == pytest.approx([1, 1, 0.75, 0.75, 0.375, 0.0])
    assert fu.median == 5.0
    json.dumps(fu.to_dict(), allow_nan=False)


@pytest.mark.parametrize("case", list(CASES))
def test_rmst_per_group_and_overall_matches_r_rmean(case):
    ref, data = load_case(case)
    for label in ref["groups"]:
        sub = data[data[ref["group"]].astype(str) == label]
        expected = ref["km"]["log-log_0.95"][label]
        r = rmst(sub, "time", "event", tau=ref["tau"])
        np.testing.assert_allclose([r.estimate, r.se], [expected["rmean"], expected["se_rmean"]],
                                   rtol=1e-6)
    overall = rmst(data, "time", "event", tau=ref["tau"])
    expected = ref["overall"]["log-log_0.95"]
    np.testing.assert_allclose([overall.estimate, overall.se],
                               [expected["rmean"], expected["se_rmean"]], rtol=1e-6)


@pytest.mark.parametrize("name", ["midpoint", "midpoint_censored", "flat_to_end", "censored_first"])
def test_rmst_constructed_matches_r(name):
    ref = json.loads((FIXTURES / "km_flat_median.json").read_text())[name]
    r = rmst(frame(ref["time"], ref["event"]), "time", "event", tau=3.5)
    expected = ref["km"]["log_0.95"]
    np.testing.assert_allclose([r.estimate, r.se], [expected["rmean"], expected["se_rmean"]],
                               rtol=1e-6)


def test_rmst_by_hand():
    # S = 1 on [0,1), .75 on [1,2), .5 on [2,3), .25 on [3,4): area to 3.5 = 2.375
    r = rmst(frame([1, 2, 3, 4], [1, 1, 1, 1]), "time", "event", tau=3.5, conf_level=0.9)
    assert r.estimate == pytest.approx(2.375)
    z = stats.norm.ppf(0.95)
    assert (r.lower, r.upper) == pytest.approx((r.estimate - z * r.se, r.estimate + z * r.se))
    # tau before the first time: area of S = 1, no variance
    early = rmst(frame([1, 2, 3, 4], [1, 1, 1, 1]), "time", "event", tau=0.5)
    assert (early.estimate, early.se) == (0.5, 0.0)
    # tau beyond the last time: R's survfit rmean carries 0.25 (after a censored 4) forward;
    # the frame-level rmst refuses it (as survRM2), the array core keeps R's rule
    late = rmst_arrays([1, 2, 3, 4], [1, 1, 1, 0], tau=6)
    assert late.estimate == pytest.approx(1 + 0.75 + 0.5 + 0.25 * 3)
    with pytest.raises(SurvivalDataError, match=r"column time: RMST horizon tau = 6 is beyond "
                       r"the last follow-up time \(4\): not estimable"):
        rmst(frame([1, 2, 3, 4], [1, 1, 1, 0]), "time", "event", tau=6)
    # ... unless the curve reached 0 (then the area is known); at the last time it is fine
    dead = rmst(frame([1, 2, 3, 4], [1, 1, 1, 1]), "time", "event", tau=6)
    assert dead.estimate == pytest.approx(2.5)
    assert rmst(frame([1, 2, 3, 4], [1, 1, 1, 0]), "time", "event", tau=4).estimate == 2.5


@pytest.mark.parametrize("case,experimental", [("lung", 2), ("colon", "Lev+5FU"), ("ovarian", 2)])
def test_rmst_difference_from_r_per_arm_values(case, experimental):
    ref, data = load_case(case)
    res = rmst_difference(data, "time", "event", ref["group"], tau=ref["tau"],
                          experimental=experimental, conf_level=0.95)
    arms = ref["km"]["log-log_0.95"]
    control = next(g for g in ref["groups"] if g != str(experimental))
    diff = arms[str(experimental)]["rmean"] - arms[control]["rmean"]
    se = np.sqrt(arms[str(experimental)]["se_rmean"] ** 2 + arms[control]["se_rmean"] ** 2)
    z = stats.norm.ppf(0.975)
    np.testing.assert_allclose(
        [res.difference, res.se, res.lower, res.upper],
        [diff, se, diff - z * se, diff + z * se],
        rtol=1e-6,
    )
    np.testing.assert_allclose(res.p_two_sided, 2 * stats.norm.sf(abs(diff / se)), rtol=1e-4)
    assert str(res.control) == control and res.experimental == experimental
    assert set(res.arms) == set(data[ref["group"]].unique())
    d = json.loads(json.dumps(res.to_dict(), allow_nan=False))
    assert d["arms"][str(experimental)]["tau"] == ref["tau"]


def test_rmst_difference_needs_two_groups_and_a_known_arm():
    _, data = load_case("veteran")
    with pytest.raises(ValueError):
        rmst_difference(data, "time", "event", "celltype", tau=100, experimental="adeno")
    with pytest.raises(ValueError):
        rmst_difference(data, "time", "event", "trt", tau=100, experimental="B")


def test_rmst_difference_horizon_beyond_an_arms_follow_up_is_not_estimable():
    from helpers.survival.rmst import RMSTNotEstimable

    data = pd.DataFrame({"time": [1, 2, 3, 4, 5, 9, 10, 12], "event": [1, 0, 1, 0, 1, 0, 1, 0],
                         "arm": list("AAAABBBB")})
    ne = rmst_difference(data, "time", "event", "arm", tau=8, experimental="B")
    assert isinstance(ne, RMSTNotEstimable)
    assert "beyond the last follow-up time of arm = A (4)" in ne.note
    assert np.isnan(ne.difference) and np.isnan(ne.p_two_sided) and np.isnan(ne.arms["A"].estimate)
    assert np.isfinite(ne.arms["B"].estimate) and ne.arms["A"].n == 4
    assert ne.to_dict()["note"] == ne.note
    ok = rmst_difference(data.assign(arm=list("ABABABAB")), "time", "event", "arm", tau=8,
                         experimental="B")
    assert ok.arms["A"].n == 4 and np.isfinite(ok.difference)


def test_follow_up_and_rmst_drop_missing_rows_and_say_so():
    data = frame([1, 2, np.nan, 4, 5, 6], [1, 1, 0, 1, 0, None])
    fu = median_follow_up(data, "time", "event")
    assert fu.n == 4 and fu.n_excluded == 2
    r = rmst(data, "time", "event", tau=4)
    assert r.n == 4 and r.n_excluded == 2 and r.to_dict()["n_excluded"] == 2
