"""The chunked Cox design of large one-covariate fits (``helpers.survival.coxchunks``) gives
the bits of the whole-array design: log partial likelihood, score, the per-event terms and
every design attribute bit for bit; the information to 1e-13 relative (its sum of squared
means is a pairwise sum there, a BLAS dot product here: rounding only, see the module doc).
The chunk sizes are made small so that every chunk boundary case occurs on small data."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers.survival import coxchunks
from helpers.survival.cox import _design, _event_terms, _loglik_score_info, cox_fit, \
    cox_hazard_ratio
from helpers.survival.frame import sort_times, survival_frame
from tests.test_survival_fastpaths import _same_bits


class _Sizes:
    """Set coxchunks' thresholds for a block (hypothesis runs many examples per test, so
    not pytest's monkeypatch)."""

    def __init__(self, **sizes):
        self.sizes = sizes

    def __enter__(self):
        self.saved = {k: getattr(coxchunks, k) for k in self.sizes}
        for k, v in self.sizes.items():
            setattr(coxchunks, k, v)

    def __exit__(self, *exc):
        for k, v in self.saved.items():
            setattr(coxchunks, k, v)


def _both_designs(t, e, x, s, ties, ts, row_chunk, leaf):
    with _Sizes(LEAN_FROM=10 ** 12):
        whole = _design(t, e, x, None, ties, scode=s, time_sort=ts)
    with _Sizes(LEAN_FROM=0, ROW_CHUNK=row_chunk, EVENT_LEAF=leaf):
        lean = _design(t, e, x, None, ties, scode=s, time_sort=ts)
    assert lean.lean and not whole.lean
    return whole, lean


def _close(a, b, rtol=1e-13, scale=None):
    """Equal to ``rtol`` relative (of ``scale`` when given: a difference of sums of that size)."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    scale = np.abs(a) if scale is None else np.abs(scale)
    ok = np.isnan(a) | (a == b) | (np.abs(a - b) <= rtol * scale)
    assert ok.all(), (a, b)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 1500), n_strata=st.integers(1, 6),
       digits=st.integers(-1, 1), ties=st.sampled_from(["efron", "breslow"]),
       binary=st.booleans(), counted=st.booleans(),
       row_chunk=st.sampled_from([1, 7, 64, 1 << 16]),
       leaf=st.sampled_from([128, 136, 1000, 1 << 16]))
def test_chunked_design_gives_the_bits_of_the_whole_array_design(
        seed, n, n_strata, digits, ties, binary, counted, row_chunk, leaf):
    rng = np.random.default_rng(seed)
    t = rng.exponential(10, n)
    t = np.round(t, digits) if digits >= 0 else t
    e = (rng.random(n) < rng.uniform(0.05, 1)).astype(np.int64)
    e[0] = 1
    s = rng.integers(0, n_strata, n)
    x = (rng.integers(0, 2, (n, 1)) if binary else rng.normal(0, 1, (n, 1))).astype(float)
    whole, lean = _both_designs(t, e, x, s, ties, sort_times(t) if counted else None,
                                row_chunk, leaf)
    for name in ("order", "time", "event", "stratum", "ev_rows", "ev_group_start",
                 "group_end", "group_size", "frac", "x_dead_sum", "x"):
        a, b = getattr(whole, name), getattr(lean, name)
        assert (a is None) == (b is None), name
        if a is not None:
            _same_bits(a, b)
    assert whole.blocks == lean.blocks and whole.n_events == lean.n_events
    with np.errstate(all="ignore"):
        for beta in (np.zeros(1), rng.normal(0, 0.7, 1), np.array([-0.0]), np.array([40.0]),
                     np.array([np.inf])):
            ll_a, u_a, i_a = _loglik_score_info(whole, beta)
            ll_b, u_b, i_b = _loglik_score_info(lean, beta)
            _same_bits(ll_a, ll_b)
            _same_bits(u_a, u_b)
            terms = _event_terms(whole, beta)
            # information = sum of second moments - sum of squared means: the difference of
            # the last one's rounding, relative to the size of the sums
            _close(i_a, i_b, scale=np.add.reduce(terms[3]))
            for a, b in zip(terms, _event_terms(lean, beta)):
                _same_bits(a, b)  # (the PH test's terms of a chunked fit)


@pytest.mark.parametrize("n", [8, 128, 129, 1000, 8192, 70_001, 1_000_003])
def test_pairwise_sums_of_leaves_are_numpys_sum_of_the_whole_array(n):
    a = np.random.default_rng(n).standard_normal(n) * 1e3 + 1
    got = coxchunks.pairwise_sums(n, lambda lo, hi: (np.add.reduce(a[lo:hi]),), 128)
    assert got[0] == np.add.reduce(a)
    got = coxchunks.pairwise_sums(n, lambda lo, hi: (np.add.reduce(a[lo:hi]),), 5000)
    assert got[0] == np.add.reduce(a)


@pytest.mark.parametrize("ties", ["efron", "breslow"])
def test_a_large_fit_runs_in_chunks_with_the_results_of_the_whole_arrays(ties):
    n = coxchunks.LEAN_FROM + 5_000
    rng = np.random.default_rng(7)
    arm, stratum = rng.integers(0, 2, n), rng.integers(0, 4, n)
    t_ev = rng.exponential(30 / np.exp(np.log(0.75) * arm + 0.25 * stratum))
    t_c = rng.uniform(6, 90, n)
    import pandas as pd
    d = pd.DataFrame({"time": np.maximum(np.round(np.minimum(t_ev, t_c), 1), 0.1),
                      "event": (t_ev <= t_c).astype(int), "arm": arm, "stratum": stratum})
    sf = survival_frame(d, "time", "event", group="arm", strata="stratum")
    lean = cox_hazard_ratio(sf, "time", "event", "arm", 1, strata="stratum", ties=ties)
    assert lean.fit._design.lean
    with _Sizes(LEAN_FROM=10 ** 12):
        whole = cox_hazard_ratio(sf, "time", "event", "arm", 1, strata="stratum", ties=ties)
    assert not whole.fit._design.lean
    assert lean.fit.loglik[0] == whole.fit.loglik[0]  # at beta = 0: no information used
    assert lean.fit.iterations == whole.fit.iterations
    for name in ("hr", "lower", "upper", "coef", "se", "p_wald", "p_score", "p_lr"):
        _close(getattr(lean, name), getattr(whole, name))
    _close(lean.fit.loglik[1], whole.fit.loglik[1])
    fit = cox_fit(d.time.to_numpy(), d.event.to_numpy(), d[["arm"]].to_numpy(float),
                  strata=d.stratum.to_numpy(), ties=ties)  # (no time sort: sorting path)
    assert fit._design.lean
    _close(fit.coef, lean.fit.coef)
    _close(fit.var, lean.fit.var)
