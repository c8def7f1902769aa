"""Near-equal times are one time, as R's aeqSurv (survfit/survdiff/coxph timefix = TRUE).

Expected numbers: tests/fixtures/r/ties.json, written by validation/r/reference_ties.R with
R's survival: months from integer days computed two ways (days / 30.4375 and
days * (1 / 30.4375), which differ in the last bit), landmarks and the RMST horizon likewise.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.survival import (cox_hazard_ratio, kaplan_meier, km_arrays, km_by_group,
                              logrank_test, median_follow_up, merge_close_times,
                              rmst_difference)

REF = json.loads((Path(__file__).parent / "fixtures" / "r" / "ties.json").read_text())
RTOL = 1e-6


def months(days: np.ndarray, conversion: np.ndarray) -> np.ndarray:
    return np.where(conversion == "divide", days / 30.4375, days * (1 / 30.4375))


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    d = pd.DataFrame({k: REF["data"][k] for k in ("days", "conversion", "event", "arm",
                                                  "stratum")})
    d["time"] = months(d["days"].to_numpy(float), d["conversion"].to_numpy())
    return d


def unhex(values) -> np.ndarray:
    return np.array([float.fromhex(v) for v in values])


def test_the_data_are_rs_bits_and_really_have_near_ties(data):
    np.testing.assert_array_equal(data["time"].to_numpy(), unhex(REF["data"]["time_hex"]))
    assert data["time"].nunique() == REF["n_distinct_raw"] > REF["n_distinct_merged"]


def test_merge_close_times_is_rs_aeqsurv_bit_for_bit(data):
    merged = merge_close_times(data["time"].to_numpy())
    np.testing.assert_array_equal(merged, unhex(REF["merged_hex"]))
    exact = np.arange(1.0, 50.0)
    assert merge_close_times(exact) is exact  # nothing tied: the very same array


def test_kaplan_meier_by_arm_equals_r(data):
    fits = km_by_group(data, "time", "event", "arm")
    landmarks = unhex(REF["landmarks_hex"])
    for i, arm in enumerate(("A", "B")):
        ref, tab = REF["km_by_arm"][arm], fits[arm].table
        np.testing.assert_array_equal(tab["n_risk"], ref["n_risk"])
        np.testing.assert_array_equal(tab["n_event"], ref["n_event"])
        np.testing.assert_allclose(tab["time"], ref["time"], rtol=RTOL)
        np.testing.assert_allclose(tab["surv"], ref["surv"], rtol=RTOL)
        lm = fits[arm].survival_at(landmarks)["surv"]
        np.testing.assert_allclose(lm, REF["landmark_surv_by_arm"][f"arm={arm}"], rtol=RTOL)
        assert fits[arm].median == pytest.approx(REF["median_by_arm"][i], rel=RTOL)


def test_without_merging_the_curve_differs_from_r(data):
    """The test can fail: exact float comparison (the old behaviour) splits tied times."""
    a = data[data["arm"] == "A"]
    raw = km_arrays(a["time"], a["event"])
    assert len(raw.table) > len(REF["km_by_arm"]["A"]["time"])
    assert len(kaplan_meier(a, "time", "event").table) < len(raw.table)


def test_logrank_cox_follow_up_and_rmst_equal_r(data):
    lr = logrank_test(data, "time", "event", "arm", strata="stratum", experimental="B")
    np.testing.assert_allclose(lr.chisq, REF["logrank"]["chisq"], rtol=RTOL)
    np.testing.assert_allclose(lr.observed, REF["logrank"]["observed"], rtol=RTOL)
    np.testing.assert_allclose(lr.expected, REF["logrank"]["expected"], rtol=RTOL)
    hr = cox_hazard_ratio(data, "time", "event", "arm", "B", strata=["stratum"])
    np.testing.assert_allclose([hr.coef, hr.se], [REF["cox"]["coef"], REF["cox"]["se"]],
                               rtol=RTOL)
    np.testing.assert_allclose(hr.fit.loglik, REF["cox"]["loglik"], rtol=RTOL)
    np.testing.assert_allclose(hr.score_test.statistic, REF["cox"]["score"], rtol=RTOL)
    fu = median_follow_up(data, "time", "event")
    np.testing.assert_allclose([fu.median, fu.lower, fu.upper],
                               [REF["follow_up"][k] for k in ("median", "lower", "upper")],
                               rtol=RTOL)
    tau = float.fromhex(REF["tau_hex"])
    diff = rmst_difference(data, "time", "event", "arm", tau=tau, experimental="B")
    for i, arm in enumerate(("A", "B")):
        np.testing.assert_allclose([diff.arms[arm].estimate, diff.arms[arm].se],
                                   [REF["rmean_by_arm"][i], REF["se_rmean_by_arm"][i]],
                                   rtol=RTOL)
