"""The survival core's fast paths give the same bits as before and as the general paths.

- ``test_fingerprint_unchanged``: every float of many KM / log-rank / Cox / PH / RMST /
  subgroup analyses and of simulated trials hashes as recorded before the survival core was
  reworked to sort once per analysis (issue 23; ``tests/survival_fingerprint.py``). The
  last bits depend on the numpy build, so the check runs on the platform it was recorded on.
"""
from __future__ import annotations

import platform
import re
import sys

import numpy as np
import pytest

from tests.survival_fingerprint import fingerprint

#: recorded with the code before issue 23 (commit 7b8fc37), numpy 2.4.6, x86_64 Linux
RECORDED = {
    "platform": ("2.4.6", "x86_64", "linux"),
    # + subgroup se, p_wald (old hash without them unchanged); re-recorded when fits from
    # coxchunks.LEAN_FROM rows with one covariate ran in chunks (issue 23, memory): the one
    # line that changed, the Breslow fit on 200,000 rows, differs in the last digit of se
    # (the information's sum of squared means pairwise, no BLAS dot: tests/
    # test_survival_coxchunks.py); every other line, and the default run, bit for bit.
    # Before: 0f247b3f4e7058d3af4f7a1d7047dafaea4c7e1262f6a3f0ca3ebe7aaa0cc7be
    "survival": "337e4abacb713f936013c666b4b15d814b919e84be1ceffdbf64cd29bfc39156",
    "simulation": "0a12e9e0f5dee98d1f2257cb6a887e51d238407f3ce5d246745af17623cf6e1f",
}

same_platform = pytest.mark.skipif(
    (np.__version__, platform.machine(), sys.platform) != RECORDED["platform"],
    reason="fingerprint recorded with another numpy build (last bits of exp/log may differ)")


@same_platform
@pytest.mark.parametrize("which", ["survival", "simulation"])
def test_fingerprint_unchanged(which):
    assert fingerprint(which) == RECORDED[which]


# --- fast paths against the general ones (bit for bit) -----------------------------------

import pandas as pd  # noqa: E402

from helpers.survival import km_arrays, km_by_group, logrank_arrays, logrank_test  # noqa: E402
from helpers.survival.cox import _risk_order, cox_coef_se, cox_fit, cox_hazard_ratio  # noqa: E402
from helpers.survival.frame import (_sort_times_comparison, _sort_times_counting,  # noqa: E402
                                    merge_sorted_times, sort_times, strata_codes,
                                    strata_labels, survival_frame)
from helpers.survival.km import km_groups_sorted  # noqa: E402
from helpers.survival.ties import merge_close_times  # noqa: E402


def _times(rng, n, kind):
    if kind == "rounded":
        return np.round(rng.exponential(20, n), 1)
    if kind == "near":  # days -> months in two ways: last-bit differences
        days = np.round(rng.exponential(600, n))
        return np.where(rng.random(n) < 0.5, days / 30.4375, days * (1 / 30.4375))
    return rng.exponential(20, n)


@pytest.mark.parametrize("kind", ["rounded", "near", "continuous"])
@pytest.mark.parametrize("n", [1, 2, 7, 300, 30_000])
def test_time_sort_by_counting_equals_argsort_and_unique(kind, n):
    t = _times(np.random.default_rng(n), n, kind)
    ref = _sort_times_comparison(t)
    assert np.array_equal(ref.order, np.argsort(t, kind="stable"))
    assert np.array_equal(ref.times, np.unique(t))
    assert np.array_equal(ref.times[ref.tid], t)
    fast = _sort_times_counting(t)
    if fast is not None:  # None: too many distinct times for 16-bit ranks
        for field in ("order", "times", "tid"):
            assert np.array_equal(getattr(fast, field), getattr(ref, field)), field
    merged, ts = merge_sorted_times(t, sort_times(t))
    expected = merge_close_times(t)
    assert np.array_equal(merged, expected)
    assert (merged is t) == (expected is t)
    assert np.array_equal(ts.order, np.argsort(merged, kind="stable"))


def test_stratum_codes_by_counting_equal_unique_of_the_labels():
    rng = np.random.default_rng(5)
    n = 500
    d = pd.DataFrame({"small": rng.integers(0, 12, n), "neg": rng.integers(-3, 3, n).astype(np.int8),
                      "wide": rng.choice([0, 10 ** 12], n), "s": rng.choice(["lo", "hi", "mid"], n),
                      "b": rng.random(n) < 0.5, "f": rng.choice([1.5, 2.0], n),
                      "cat": pd.Categorical(rng.choice(["x", "y"], n), categories=["y", "x", "z"])})
    for strata in (["small"], ["neg"], ["wide"], ["s"], ["b"], ["f"], ["cat"], ["small", "s"],
                   ["s", "neg", "b"]):
        codes, labels = strata_codes(d, strata)
        unique, inverse = np.unique(strata_labels(d, strata), return_inverse=True)
        assert np.array_equal(codes, inverse) and labels == unique.tolist(), strata


@pytest.mark.parametrize("kind", ["rounded", "continuous"])
def test_risk_order_from_the_time_sort_equals_lexsort(kind):
    rng = np.random.default_rng(8)
    for n, n_strata in ((50, 1), (400, 8), (25_000, 4)):
        t = _times(rng, n, kind)
        e = (rng.random(n) < 0.7).astype(np.int8)
        s = rng.integers(0, n_strata, n)
        expected = np.lexsort((-e, -t, s))
        assert np.array_equal(_risk_order(t, e, s, sort_times(t)), expected)
        assert np.array_equal(_risk_order(t, e, s, None), expected)


def _km_equal(a, b):
    assert a.table.equals(b.table)
    assert (a.n, a.events) == (b.n, b.events)
    assert repr([a.median, a.median_lower, a.median_upper]) == repr(
        [b.median, b.median_lower, b.median_upper])  # repr: NaN equals NaN


@pytest.mark.parametrize("n_groups", [2, 3, 400])  # 400: group by group (many cells)
def test_km_per_group_from_one_sort_equals_km_of_each_group(n_groups):
    rng = np.random.default_rng(n_groups)
    n = 2000
    t = _times(rng, n, "rounded")
    e = (rng.random(n) < 0.6).astype(np.int64)
    g = rng.integers(0, n_groups, n)
    labels = np.unique(g).tolist()
    codes = np.searchsorted(labels, g)
    out = km_groups_sorted(e, sort_times(t), codes, labels, 0.9, "log")
    for i, label in enumerate(labels):
        _km_equal(out[label], km_arrays(t[g == label], e[g == label], 0.9, "log"))


def _bench_like(n, seed=3):
    rng = np.random.default_rng(seed)
    arm = rng.integers(0, 2, n)
    stratum = rng.integers(0, 4, n)
    t_event = rng.exponential(30 / np.exp(np.log(0.75) * arm + 0.25 * stratum))
    t_cens = rng.uniform(6, 90, n)
    d = pd.DataFrame({"time": np.maximum(np.round(np.minimum(t_event, t_cens), 1), 0.1),
                      "event": (t_event <= t_cens).astype(int), "arm": arm, "stratum": stratum,
                      "age": rng.normal(60, 10, n)})
    d.loc[rng.choice(n, 30, replace=False), "age"] = np.nan
    return d


def test_a_shared_survival_frame_gives_the_results_of_the_data_frame():
    d = _bench_like(30_000)
    sf = survival_frame(d, "time", "event", group="arm", strata="stratum")
    km_a, km_b = km_by_group(sf, "time", "event", "arm"), km_by_group(d, "time", "event", "arm")
    for label in km_b:
        _km_equal(km_a[label], km_b[label])
    assert logrank_test(sf, "time", "event", "arm", "stratum", 1).to_dict() == \
        logrank_test(d, "time", "event", "arm", "stratum", 1).to_dict()
    a = cox_hazard_ratio(sf, "time", "event", "arm", 1, strata="stratum")
    b = cox_hazard_ratio(d, "time", "event", "arm", 1, strata="stratum")
    assert a.to_dict() == b.to_dict()
    # the arrays-level cores on the same rows (times as given: no near-equal times here)
    lr = logrank_arrays(d.time, d.event, d.arm, strata=d.stratum.astype(str), experimental=1)
    assert lr.to_dict() == logrank_test(d, "time", "event", "arm", "stratum", 1).to_dict() | {
        "n_excluded": 0, "strata_columns": []}
    fit = cox_fit(d.time, d.event, d[["arm"]].to_numpy(float), strata=d.stratum)
    assert fit.coef[0] == a.coef and fit.se[0] == a.se
    # a frame with a covariate that has missing values: a call without it uses all rows
    sf2 = survival_frame(d, "time", "event", group="arm", strata="stratum", covariates="age")
    assert sf2.data.n == len(d) - 30
    c = cox_hazard_ratio(sf2, "time", "event", "arm", 1, strata="stratum")
    assert c.to_dict() == b.to_dict() and c.n == len(d)
    assert cox_hazard_ratio(sf2, "time", "event", "arm", 1, strata="stratum",
                            covariates="age").to_dict() == cox_hazard_ratio(
        d, "time", "event", "arm", 1, strata="stratum", covariates="age").to_dict()


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_lean_cox_of_the_simulation_equals_cox_fit(ties):
    rng = np.random.default_rng(11)
    for n in (30, 410):
        t = np.round(rng.exponential(10, n), 0 if n == 30 else 3)
        e = (rng.random(n) < 0.8).astype(np.int64)
        x = rng.integers(0, 2, (n, 1)).astype(float)
        s = rng.integers(0, 8, n)
        for strata in (None, s):
            fit = cox_fit(t, e, x, strata=strata, ties=ties)
            coef, se = cox_coef_se(t, e, x, strata, ties)
            assert coef[0] == fit.coef[0] and se[0] == fit.se[0]


# --- the counted log-rank and the term-per-row Cox sums against the frozen general paths ---

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from helpers.survival.cox import _design, _event_terms  # noqa: E402
from helpers.survival.logrank import logrank_components  # noqa: E402
from tests.survival_reference import (event_terms_reference,  # noqa: E402
                                      logrank_components_reference)


def _same_bits(a, b):
    """Bit for bit (-0.0 is not 0.0), except that a NaN's sign bit is not compared: 0/0 gives
    -NaN or NaN depending on the order of operations, and no result can show the difference
    (every caller tests ``isnan``; the NaN positions must still agree)."""
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype
    if a.dtype.kind == "f":
        nan_a, nan_b = np.isnan(a), np.isnan(b)
        assert np.array_equal(nan_a, nan_b)
        a, b = np.where(nan_a, np.nan, a), np.where(nan_b, np.nan, b)
    assert np.array_equal(a.view(np.uint8), b.view(np.uint8))  # -0.0 as bits


def _random_survival(seed, n, n_strata, digits):
    rng = np.random.default_rng(seed)
    t = rng.exponential(10, n)
    t = np.round(t, digits) if digits >= 0 else t  # digits < 0: continuous times
    e = (rng.random(n) < rng.uniform(0.05, 1)).astype(np.int64)
    return rng, t, e, rng.integers(0, n_strata, n)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 1500), n_strata=st.integers(1, 12),
       k=st.integers(2, 4), digits=st.integers(-1, 2))
def test_counted_logrank_components_equal_the_sorting_path(seed, n, n_strata, k, digits):
    rng, t, e, s = _random_survival(seed, n, n_strata, digits)
    g = rng.integers(0, k, n)
    expected = logrank_components_reference(t, e, g, k, s)
    for kwargs in ({}, {"time_sort": sort_times(t)}):  # sorting path, counting path
        for a, b in zip(logrank_components(t, e, g, k, s, **kwargs), expected):
            _same_bits(a, b)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(2, 1500), n_strata=st.integers(1, 6),
       p=st.integers(1, 3), digits=st.integers(-1, 1), ties=st.sampled_from(["efron", "breslow"]))
def test_cox_sums_one_row_per_term_equal_one_row_per_patient(seed, n, n_strata, p, digits, ties):
    rng, t, e, s = _random_survival(seed, n, n_strata, digits)
    if not e.any():
        e[0] = 1
    x = rng.normal(0, 1, (n, p))
    x[:, 0] = rng.integers(0, 2, n)
    des = _design(t, e, x, s, ties)
    for beta in (np.zeros(p), rng.normal(0, 0.7, p)):
        got, expected = _event_terms(des, beta), event_terms_reference(des, beta)
        for a, b in zip(got, expected):
            _same_bits(a, b)
        for a in got[2:]:  # the callers' reductions and products see the reference layout
            assert a.flags.c_contiguous


@pytest.mark.parametrize("n, shares", [(30_000, (1, 1, 1)),  # runs, cumsums row by row
                                       (3000, (18, 1, 1)),  # unequal strata: no runs
                                       (500, (1,))])  # one stratum
def test_cox_sums_in_every_layout_equal_one_row_per_patient(n, shares):
    rng = np.random.default_rng(n)
    t = np.round(rng.exponential(10, n), 1)
    e = (rng.random(n) < 0.7).astype(np.int64)
    s = rng.choice(len(shares), n, p=np.asarray(shares) / sum(shares))
    x = np.c_[rng.integers(0, 2, n), rng.normal(0, 1, n)]
    for cols in (x[:, :1], x):
        for ties in ("efron", "breslow"):
            des = _design(t, e, cols, s, ties)
            assert (des.pos is None) == (len(shares) == 1 or shares[0] > 2)
            beta = np.full(cols.shape[1], 0.3)
            for a, b in zip(_event_terms(des, beta), event_terms_reference(des, beta)):
                _same_bits(a, b)


from helpers.survival.lean import logrank_cox  # noqa: E402


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(2, 800), n_strata=st.integers(1, 9),
       digits=st.integers(-1, 1), ties=st.sampled_from(["efron", "breslow"]),
       stratified=st.booleans())
def test_one_sort_for_logrank_and_cox_equals_the_two_cores(seed, n, n_strata, digits, ties,
                                                           stratified):
    rng, t, e, s = _random_survival(seed, n, n_strata, digits)
    arm = rng.integers(0, 2, n)
    codes = s if stratified else None
    try:
        got = logrank_cox(t, e, arm, codes, ties)
    except ValueError as err:  # no events, or a singular model: the same error
        with pytest.raises(ValueError, match=re.escape(str(err))):
            cox_coef_se(t, e, arm[:, None].astype(float), codes, ties)
        return
    expected = logrank_components_reference(t, e, arm, 2, s if stratified else 0 * s)
    expected += cox_coef_se(t, e, arm[:, None].astype(float), codes, ties)
    for a, b in zip(got, expected):
        _same_bits(a, b)
