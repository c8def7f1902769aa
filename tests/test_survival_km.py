"""Kaplan-Meier (helpers.survival.km) against R.

Expected numbers: tests/fixtures/r/km_*.json, written by validation/r/reference_km.R with
R 4.2 / survival 3.5 on the CSV exports in tests/fixtures/r/data: survfit(Surv(time, event)
~ 1, conf.type = <type>, conf.int = <level>) per group and overall (every row of the fit;
std_err = surv * fit$std.err = summary()$std.err), summary(fit)$table median and CI
(survival:::survmean), summary(fit, times = landmarks).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.survival import SurvivalDataError, kaplan_meier, km_by_group, km_summary

FIXTURES = Path(__file__).parent / "fixtures" / "r"
CASES = {"lung": "lung", "veteran": "veteran", "veteran_celltype": "veteran", "colon": "colon",
         "ovarian": "ovarian"}
CONF_KEYS = ("log-log_0.95", "log_0.95", "plain_0.95", "log-log_0.9")
RTOL = 1e-6


def frame(time, event) -> pd.DataFrame:
    return pd.DataFrame({"time": time, "event": event})


def load_case(case: str) -> tuple[dict, pd.DataFrame]:
    ref = json.loads((FIXTURES / f"km_{case}.json").read_text())
    data = pd.read_csv(FIXTURES / "data" / f"{CASES[case]}.csv").rename(columns={"futime": "time"})
    return ref, data


def conf_args(key: str) -> tuple[str, float]:
    conf_type, level = key.rsplit("_", 1)
    return conf_type, float(level)


def as_float(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in np.atleast_1d(values)], dtype=float)


def assert_close(actual, expected, rtol=RTOL, what=""):
    actual = np.asarray(actual, dtype=float)
    expected = as_float(expected)
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"NaN pattern {what}")
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=0, err_msg=what)


def assert_km_matches(km, ref: dict, landmarks) -> None:
    tab = km.table
    assert list(tab.columns) == ["time", "n_risk", "n_event", "n_censor", "surv", "std_err",
                                 "lower", "upper"]
    for col in ("time", "n_risk", "n_event", "n_censor"):
        np.testing.assert_array_equal(tab[col].to_numpy(), np.asarray(ref["table"][col]), err_msg=col)
    for col in ("surv", "std_err", "lower", "upper"):
        assert_close(tab[col], ref["table"][col], what=col)
    assert km.n == ref["n"] and km.events == ref["events"]
    for name in ("median", "median_lower", "median_upper"):
        assert_close(getattr(km, name), ref[name], what=name)
    lm = km.survival_at(landmarks)
    assert list(lm.columns) == ["time", "surv", "std_err", "lower", "upper", "note"]
    for col in ("time", "surv", "std_err", "lower", "upper"):
        assert_close(lm[col], ref["landmarks"][col], what=f"landmark {col}")
    np.testing.assert_array_equal(km.n_at_risk(landmarks), np.asarray(ref["landmarks"]["n_risk"]))


@pytest.mark.parametrize("conf_key", CONF_KEYS)
@pytest.mark.parametrize("case", list(CASES))
def test_km_by_group_matches_r_survfit(case, conf_key):
    ref, data = load_case(case)
    conf_type, level = conf_args(conf_key)
    fits = km_by_group(data, "time", "event", ref["group"], level, conf_type)
    assert [str(k) for k in fits] == ref["groups"]  # sorted labels, as R's factor levels
    for label, km in fits.items():
        assert km.conf_type == conf_type and km.conf_level == level
        assert_km_matches(km, ref["km"][conf_key][str(label)], ref["landmarks"])


@pytest.mark.parametrize("conf_key", CONF_KEYS)
@pytest.mark.parametrize("case", ["lung", "colon", "ovarian"])
def test_overall_km_matches_r_survfit(case, conf_key):
    ref, data = load_case(case)
    conf_type, level = conf_args(conf_key)
    km = kaplan_meier(data, "time", "event", conf_level=level, conf_type=conf_type)
    assert_km_matches(km, ref["overall"][conf_key], ref["landmarks"])


@pytest.mark.parametrize("conf_key", CONF_KEYS)
@pytest.mark.parametrize("name", ["midpoint", "midpoint_censored", "flat_to_end", "censored_first"])
def test_constructed_curves_and_flat_median_rule(name, conf_key):
    """S hits exactly 0.5: R's survmean takes the midpoint of the flat stretch when the curve
    drops below 0.5 later (midpoint: 2.5, midpoint_censored: 4), its start otherwise
    (flat_to_end: 2). censored_first: S = 1 row (no log-log CI), tied event and censoring."""
    ref = json.loads((FIXTURES / "km_flat_median.json").read_text())[name]
    conf_type, level = conf_args(conf_key)
    km = kaplan_meier(frame(ref["time"], ref["event"]), "time", "event", conf_level=level,
                      conf_type=conf_type)
    assert_km_matches(km, ref["km"][conf_key], [0, 1.5])


def test_flat_median_values_are_the_midpoints():
    # the fixture values above are R's; this pins the rule itself in plain numbers
    def median(time, event):
        return kaplan_meier(frame(time, event), "time", "event").median

    assert median([1, 2, 3, 4], [1, 1, 1, 1]) == 2.5
    assert median([1, 2, 3, 4, 5, 6], [1, 1, 1, 0, 1, 0]) == 4.0
    assert median([1, 2, 3, 4], [1, 1, 0, 0]) == 2.0
    assert median([1, 2, 3, 4, 5], [1, 1, 1, 0, 0]) == 3.0  # 0.4 < 0.5


def test_survival_at_and_n_at_risk_outside_the_observed_times():
    """R: summary(fit, times = c(0, 0.5, 0.7, 1, 2.5, 4, 10), extend = TRUE), log-log; R's
    extended value at 10 (after the last time, S > 0) is not estimable for us (NaN)."""
    ref = json.loads((FIXTURES / "km_flat_median.json").read_text())["censored_first"]
    km = kaplan_meier(frame(ref["time"], ref["event"]), "time", "event", conf_type="log-log")
    ext = ref["extend"]
    lm = km.survival_at(ext["time"])
    beyond = np.asarray(ext["time"]) > max(ref["time"])
    assert beyond.tolist() == [False] * 6 + [True]
    for col in ("time", "surv", "std_err", "lower", "upper"):
        expected = np.where(beyond, None, np.asarray(ext[col], dtype=object)) if col != "time" \
            else ext[col]
        assert_close(lm[col], expected.tolist() if col != "time" else expected, what=col)
    np.testing.assert_array_equal(km.n_at_risk(ext["time"]), ext["n_risk"])
    assert km.n_at_risk(3.0).tolist() == [2]


def test_km_summary_and_json():
    ref, data = load_case("lung")
    fits = km_by_group(data, "time", "event", "sex")
    summary = km_summary(fits)
    assert list(summary.columns) == ["group", "n", "events", "median", "median_lower",
                                     "median_upper", "conf_level", "conf_type"]
    assert summary["group"].tolist() == [1, 2]
    assert summary["n"].sum() == len(data) and summary["events"].sum() == data["event"].sum()
    r1 = ref["km"]["log-log_0.95"]["1"]
    assert summary.loc[0, "median"] == r1["median"]
    d = fits[2].to_dict()
    text = json.dumps(d, allow_nan=False)  # NaN must have become None
    assert json.loads(text)["table"]["time"][0] == fits[2].table["time"].iloc[0]
    assert d["conf_type"] == "log-log" and isinstance(d["n"], int)
    last_lower = d["table"]["lower"][-1]
    assert (last_lower is None) == math.isnan(fits[2].table["lower"].iloc[-1])


def test_km_is_invariant_to_row_order_and_accepts_string_groups():
    _, data = load_case("colon")
    shuffled = data.sample(frac=1.0, random_state=7)
    a = km_by_group(data, "time", "event", "rx")
    b = km_by_group(shuffled.astype({"rx": object}), "time", "event", "rx")
    assert list(a) == ["Lev+5FU", "Obs"] == list(b)
    pd.testing.assert_frame_equal(a["Obs"].table, b["Obs"].table)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"time": [1, 2], "event": [1, 2]},
        {"time": [1, np.inf], "event": [1, 0]},
        {"time": [1, -2], "event": [1, 0]},
        {"time": [np.nan], "event": [1]},
        {"time": [1, 2], "event": [1, 0], "conf_type": "logit"},
        {"time": [1, 2], "event": [1, 0], "conf_level": 95},
    ],
)
def test_invalid_input_raises(kwargs):
    data = frame(kwargs.pop("time"), kwargs.pop("event"))
    with pytest.raises(ValueError):
        kaplan_meier(data, "time", "event", **kwargs)


def test_invalid_input_error_names_the_column_and_rows():
    data = pd.DataFrame({"t": [1.0, 2.0, 3.0], "e": [1, 2, 0]})
    with pytest.raises(SurvivalDataError, match=r"column e: event must be 1 .* \(row 1\)"):
        kaplan_meier(data, "t", "e")
    with pytest.raises(SurvivalDataError, match="column time: not in the data frame"):
        kaplan_meier(data, "time", "e")
    with pytest.raises(TypeError, match="takes a pandas DataFrame"):
        kaplan_meier([1, 2], [1, 0], "x")


def test_missing_values_are_dropped_and_counted():
    data = pd.DataFrame({"time": [1, 2, np.nan, 4, 5], "event": [1, 0, 1, np.nan, 1],
                         "arm": ["A", "B", "A", "B", None]})
    km = kaplan_meier(data, "time", "event")
    assert km.n == 3 and km.n_excluded == 2
    fits = km_by_group(data, "time", "event", "arm")
    assert fits.n_excluded == 3 and fits["A"].n == 1 and fits["B"].n == 1
    assert fits["A"].n_excluded == 1 and fits["B"].n_excluded == 1


def test_a_group_with_a_value_per_row_is_refused():
    data = pd.DataFrame({"time": [1, 2, 3, 4], "event": [1, 0, 1, 1], "id": list("abcd")})
    with pytest.raises(SurvivalDataError, match="column id: a different value in each"):
        km_by_group(data, "time", "event", "id")


def test_landmark_beyond_the_last_follow_up_is_not_estimable():
    km = kaplan_meier(frame([1, 2, 3, 4], [1, 0, 1, 0]), "time", "event")
    lm = km.survival_at([3.0, 4.0, 10.0])
    assert np.isnan(lm["surv"].iloc[2]) and np.isnan(lm["lower"].iloc[2])
    assert lm["note"].tolist()[:2] == ["", ""]
    assert lm["note"].iloc[2] == "not estimable: beyond the last follow-up time (4)"
    just_after = km.survival_at(np.nextafter(4.0, 5.0))  # a rounding error is the same time
    assert just_after["note"].iloc[0] == "" and just_after["surv"].iloc[0] == lm["surv"].iloc[1]
    everyone_died = kaplan_meier(frame([1, 2], [1, 1]), "time", "event")
    assert everyone_died.survival_at(5.0)["surv"].tolist() == [0.0]  # S = 0 stays 0


def test_landmark_a_rounding_error_below_an_event_time_is_that_time():
    """A landmark within R's aeqSurv tolerance of an event time counts as that time (R's
    summary(fit, times=) compares exactly; stated in the km module doc)."""
    km = kaplan_meier(frame([1.0, 2.0, 3.0], [1, 1, 0]), "time", "event")
    below = np.nextafter(2.0, 0.0)
    assert km.survival_at(below)["surv"].iloc[0] == km.survival_at(2.0)["surv"].iloc[0]
    assert km.survival_at(2.0 - 1e-6)["surv"].iloc[0] == pytest.approx(2 / 3)


def test_agrees_with_lifelines_survival_function():
    """Independent check of S(t) on random data: lifelines KaplanMeierFitter."""
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(1)
    t = np.round(rng.exponential(20, 2000), 1)
    e = rng.random(2000) < 0.7
    km = kaplan_meier(frame(t, e), "time", "event")
    kmf = KaplanMeierFitter().fit(t, e)
    expected = kmf.survival_function_at_times(km.table["time"]).to_numpy()
    np.testing.assert_allclose(km.table["surv"], expected, rtol=1e-12)
    assert km.median == kmf.median_survival_time_
